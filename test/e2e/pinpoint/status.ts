/**
 * Issue 23's part of the real-Pinpoint end to end: the coverage report
 * (pinpoint-status) run against the real web, on both paths: the stack outputs
 * in process, and the CLI as a process inside the cluster network. Kept apart
 * from the suite so the suite's own restructuring merges cleanly.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import * as k8s from "@pulumi/kubernetes";
import { ANNOTATION_INJECT, ANNOTATION_OPTIONS_ENV } from "../../../sdk/inject/constants";
import type { HttpRequest, HttpResponse, PodEvidence, Transport } from "../../../sdk/status";
import type { ClusterDns } from "../cluster/dns";
import type { ClusterNetwork } from "../cluster/network";
import type { RunningPod } from "../cluster/kubelet";
import { PLAIN_APP_PORT } from "./manifests";

/** An app whose launcher ignores the variable the agent flags go into: plain `java` never reads CATALINA_OPTS. */
export const SILENT_APP = "silent-jvm";

/** Declares the silent app: the plain JVM image, told (wrongly) that its launcher reads CATALINA_OPTS. */
export function silentAppDeployment(namespace: string): void {
  const labels = { app: SILENT_APP };
  new k8s.apps.v1.Deployment(SILENT_APP, {
    metadata: { name: SILENT_APP, namespace, labels, annotations: { [ANNOTATION_OPTIONS_ENV]: "CATALINA_OPTS", [ANNOTATION_INJECT]: "true" } },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: SILENT_APP, image: "harbor.59iedu.com/dev/plain-jvm:1.0.0", ports: [{ name: "http", containerPort: PLAIN_APP_PORT }] }] },
      },
    },
  });
}

/** What the cluster shows of a pod: phase from its process, the container's output, the agent's log files. */
export function podEvidence(pod: RunningPod, workload: string): PodEvidence {
  const dir = pod.volumes.get("pp-agent-logs") ?? (pod.volumes.get("pp-agent") ? path.join(pod.volumes.get("pp-agent")!, "logs") : undefined);
  const files = dir && fs.existsSync(dir) ? walk(dir).filter((f) => f.endsWith(".log")) : [];
  return {
    workload: `${pod.namespace}/${workload}`,
    pod: pod.name,
    ip: pod.ip,
    phase: pod.containers[0].process.running ? "Running" : "Failed",
    containerLog: pod.containers[0].process.log(),
    agentLog: dir === undefined ? undefined : files.map((f) => fs.readFileSync(f, "utf8")).join("\n"),
  };
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** HTTP from the node's network namespace, a fully qualified name given the cluster DNS's answer (curl --resolve). */
export function curlTransport(network: ClusterNetwork, dns: ClusterDns): Transport {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const url = new URL(req.url);
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    const [ip] = dns.lookup(url.hostname);
    // 30 s: a web just started answers its first login slowly (cold JVM on a busy machine).
    const args = ["curl", "-s", "-D", "-", "--max-time", "30", "-X", req.method];
    if (ip) args.push("--resolve", `${url.hostname}:${port}:${ip}`);
    for (const [k, v] of Object.entries(req.headers)) args.push("-H", `${k}: ${v}`);
    if (req.body !== undefined) args.push("--data-binary", req.body);
    args.push(req.url);
    const out = network.inNode(args).stdout;
    const split = out.indexOf("\r\n\r\n");
    const head = out.slice(0, split).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(":");
      const k = line.slice(0, i).trim().toLowerCase();
      headers[k] = headers[k] ? `${headers[k]}\n${line.slice(i + 1).trim()}` : line.slice(i + 1).trim();
    }
    return { status: Number(head[0].split(" ")[1]), headers, body: out.slice(split + 4) };
  };
}

/**
 * Runs the built pinpoint-status CLI as a process in the cluster network with
 * a pod's resolv.conf (namespace default), so the web's Service name resolves
 * through the cluster DNS as in a pod.
 */
export function runStatusCli(network: ClusterNetwork, dns: ClusterDns, args: string[]): { status: number; stdout: string; stderr: string } {
  const cli = path.resolve(__dirname, "..", "..", "..", "bin", "cli", "status.js");
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const { resolvConf } = dns.podFiles({ ip: network.nodeIp, hostname: "pinpoint-status", namespace: "default" }, path.join(dns.dir, "pinpoint-status"));
  const script = `mount --bind ${resolvConf} /etc/resolv.conf && exec "$@"`;
  const r = spawnSync("nsenter", [`--net=${network.nodeNetns}`, "--", "unshare", "-m", "sh", "-c", script, "sh", process.execPath, cli, ...args], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Saves what the web answered, the raw bodies, for the unit tests' fixtures. */
export function recorder(dir: string): (p: string, r: HttpResponse) => void {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  return (p, r) => {
    const name = `${String(++n).padStart(2, "0")}-${p.replace(/\?.*$/, "").replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.json`;
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ path: p, status: r.status, body: r.body }, null, 2));
  };
}

/** Times, IPs and the generated pod-name suffixes: what differs between runs of the same report. */
export function normaliseReport(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "<time>")
    .replace(/\b\d+\.\d+\.\d+\.\d+\b/g, "<ip>")
    .replace(/-[0-9a-f]{9,10}-[a-z0-9]{5}\b/g, "-<pod>");
}

/** README's copy of a report: the fenced block that starts with `first` (README "pinpoint-status"). */
export function readmeReport(first: string): string | undefined {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "README.md"), "utf8");
  const block = readme.split("\n```\n").find((b) => b.startsWith(first));
  return block === undefined ? undefined : `${block}\n`;
}
