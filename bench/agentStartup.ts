/**
 * Part 7: where the agent's start-up goes, and what a deployer can change
 * without touching the image. The plain JVM app of part 6, started only (no
 * load), under the same rendered limits, in rounds that run every variant
 * once in turn: no agent; the agent as rendered; the agent with a JVM option a
 * Deployment can add beside it (C1 only); the agent with its own options
 * (sampling off). A dynamic AppCDS archive was tried: see the notes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AppSetup, JvmSetup } from "./agent";
import { AGENT_ARCHIVE, releasedArtifact, RESOLVE_HINT } from "./lib/artifacts";
import { runChild } from "./lib/child";
import { ROOT, requireBuilt, worker } from "./lib/paths";
import type * as Pkg from "../bin";
import { PartResult, Row } from "./lib/report";
import { fmtMs, median, withCI } from "./lib/stats";
import type { JvmResult } from "./workers/jvm";

const POD = { ip: "10.244.1.20", name: "bench-5d7c9f8b6-k2x7q" };

interface Variant {
  name: string;
  /** Added to JAVA_TOOL_OPTIONS after the rendered flags; undefined: no agent. */
  extra?: string;
}

function freePort(): number {
  const out = execFileSync(process.execPath, ["-e", "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: "utf8" });
  return Number(out.trim());
}

export async function agentStartup(rounds: number, log: (s: string) => void): Promise<PartResult> {
  const agentArchive = releasedArtifact(AGENT_ARCHIVE);
  if (!agentArchive) throw new Error(`part 7 needs the released agent: ${RESOLVE_HINT}`);
  const pkg = requireBuilt<typeof Pkg>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-startup-"));
  try {
    const agentRoot = path.join(dir, "agent");
    fs.mkdirSync(agentRoot);
    execFileSync("tar", ["xzf", agentArchive, "-C", agentRoot, "--strip-components=1"]);
    const classes = path.join(dir, "plain");
    execFileSync("javac", ["-d", classes, path.join(ROOT, "test", "e2e", "pinpoint", "java", "PlainApp.java")]);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "plain-jvm", namespace: "dev" },
      spec: {
        selector: { matchLabels: { app: "plain-jvm" } },
        template: {
          metadata: { labels: { app: "plain-jvm" } },
          spec: { containers: [{ name: "app", image: "eclipse-temurin:17-jre", command: ["java", "-cp", "/app", "e2e.PlainApp", "8090"], resources: { limits: { cpu: "1", memory: "1Gi" } } }] },
        },
      },
    } as unknown as Pkg.Workload;
    const r = pkg.inject(deployment, { image: "harbor.example/fjhb/pp_agent:3.0.1", applicationNamePrefix: "dev-", collectorHost: "127.0.0.1" });
    const env: Record<string, string> = {};
    for (const e of pkg.podTemplateOf(r.workload)!.spec!.containers[0].env ?? []) {
      const f = e.valueFrom?.fieldRef?.fieldPath;
      env[e.name] = f ? (f === "status.podIP" ? POD.ip : POD.name) : (e.value ?? "").replace(/\$\((\w+)\)/g, (m, v: string) => env[v] ?? m).split(pkg.MOUNT_PATH).join(agentRoot);
    }
    const port = freePort();
    const command = ["java", "-cp", classes, "e2e.PlainApp", String(port)];
    const variants: Variant[] = [
      { name: "no agent" },
      { name: "agent as rendered", extra: "" },
      { name: "agent + -XX:TieredStopAtLevel=1 (C1 only)", extra: "-XX:TieredStopAtLevel=1" },
      { name: "agent, sampling off (-Dprofiler.sampling.enable=false)", extra: "-Dprofiler.sampling.enable=false" },
    ];
    const apps: Record<string, AppSetup> = {};
    variants.forEach((v, i) => {
      apps[`v${i}`] = {
        command,
        port,
        path: "/",
        envOn: v.extra === undefined ? {} : { ...env, JAVA_TOOL_OPTIONS: `${env.JAVA_TOOL_OPTIONS} ${v.extra}`.trim() },
        envOff: {},
      };
    });
    const setup: JvmSetup = { apps, limits: { cpu: 1, memory: 2 ** 30 }, warmup: 0, requests: 1, concurrency: 1 };
    const setupFile = path.join(dir, "setup.json");
    fs.writeFileSync(setupFile, JSON.stringify(setup));
    const results: JvmResult[][] = variants.map(() => []);
    const load0 = os.loadavg().map((x) => x.toFixed(2)).join(", ");
    for (let round = 0; round < rounds; round++) {
      // Each round in a rotated order, so no variant always runs first.
      for (let k = 0; k < variants.length; k++) {
        const i = (k + round) % variants.length;
        results[i].push(runChild<JvmResult>(worker("jvm"), [setupFile, `v${i}`, "on"]).result);
      }
      log(`  part 7: round ${round + 1}/${rounds}`);
    }
    const load1 = os.loadavg().map((x) => x.toFixed(2)).join(", ");
    const base = results[1];
    const rows: Row[] = variants.map((v, i) => ({
      figure: `plain JVM app start: ${v.name}`,
      value: withCI(results[i].map((x) => x.startMs), fmtMs),
      baseline: `CPU ${withCI(results[i].map((x) => x.startCpuMs), fmtMs)}`,
      ratio: median(results[i].map((x, j) => x.startMs / base[j].startMs)),
      cpuRatio: median(results[i].map((x, j) => x.startCpuMs / base[j].startCpuMs)),
      target: "–",
      verdict: "info",
    }));
    return {
      title: "7. Where the agent's start-up goes",
      rows,
      notes: [
        `${rounds} rounds, each variant once per round in rotated order; start is spawn to the first HTTP 200, CPU the control group's (limits.cpu 1, memory 1Gi). Ratios are to "agent as rendered" of the same round. Load average ${load0} before, ${load1} after.`,
        "A dynamic AppCDS archive of the agent's classes was tried and is not a variant: with a -javaagent the JVM (17) refuses to dump one unless -XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent are set, then warns that such an archive is for testing only and not for production; it also refuses a class path with a non-empty directory (this app's), as AppCDS wants jars.",
      ],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
