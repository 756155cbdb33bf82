/**
 * A container's probes run as the kubelet runs them: httpGet and tcpSocket
 * from the node's network against the pod IP, exec inside the container.
 * Startup and liveness probes must pass within their own window
 * (initialDelaySeconds + failureThreshold × periodSeconds), after which the
 * kubelet would kill the container; a readiness probe never kills, so the
 * kubelet would keep asking: here it gets READINESS_BOUND_SECONDS. A probe that
 * cannot pass in its window fails with the last answer, so one aimed at the
 * wrong port, path or file is caught.
 */
import { spawnSync } from "child_process";
import type { Container as ContainerSpecK8s, Probe } from "kubernetes-types/core/v1";
import type { Container } from "./container";
import type { ClusterNetwork } from "./network";

export type ProbeKind = "startupProbe" | "readinessProbe" | "livenessProbe";
/** Startup first: liveness and readiness only count once it passed. */
export const PROBE_ORDER: readonly ProbeKind[] = ["startupProbe", "readinessProbe", "livenessProbe"];
/** Kubernetes' defaults for unset probe fields. */
const DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
/** We try more often than the period (the window stays the probe's own): a passing probe is seen sooner. */
const MAX_POLL_MS = 2000;
/** How long a readiness probe may take to pass: a pod that is not ready after this is broken for our purposes. */
export const READINESS_BOUND_SECONDS = 600;

export interface ProbeRecord {
  pod: string;
  container: string;
  kind: ProbeKind;
  handler: string;
  attempts: number;
  seconds: number;
}

export interface ProbeTarget {
  pod: string;
  podIP: string;
  spec: ContainerSpecK8s;
  process: Container;
  network: ClusterNetwork;
}

function resolvePort(port: number | string, spec: ContainerSpecK8s): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = spec.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`container ${spec.name}: a probe names port "${port}", which the container does not declare`);
  return named.containerPort;
}

/** What the probe does, for messages and the evidence summary. */
export function describeProbe(probe: Probe, spec: ContainerSpecK8s): string {
  if (probe.httpGet) return `httpGet :${resolvePort(probe.httpGet.port, spec)}${probe.httpGet.path ?? "/"}`;
  if (probe.tcpSocket) return `tcpSocket :${resolvePort(probe.tcpSocket.port, spec)}`;
  if (probe.exec) return `exec ${(probe.exec.command ?? []).join(" ")}`;
  if (probe.grpc) return `grpc :${probe.grpc.port}`;
  throw new Error(`container ${spec.name}: a probe with no handler`);
}

/** One attempt: passed, and what was seen. */
function attempt(probe: Probe, t: ProbeTarget, timeoutSeconds: number): { ok: boolean; seen: string } {
  const timeoutMs = timeoutSeconds * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, t.spec);
    const host = probe.httpGet.host ?? t.podIP;
    const headers = (probe.httpGet.httpHeaders ?? []).flatMap((h) => ["-H", `${h.name}: ${h.value}`]);
    const url = `${(probe.httpGet.scheme ?? "HTTP").toLowerCase()}://${host}:${port}${probe.httpGet.path ?? "/"}`;
    const r = spawnSync("nsenter", [`--net=${t.network.nodeNetns}`, "--", "curl", "-s", "-k", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(timeoutSeconds), ...headers, url], { encoding: "utf8" });
    const code = Number(r.stdout);
    // The kubelet's rule: 200 <= status < 400 passes.
    return { ok: r.status === 0 && code >= 200 && code < 400, seen: r.status === 0 ? `HTTP ${code} from ${url}` : `curl exit ${r.status} for ${url}` };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.spec);
    const host = probe.tcpSocket.host ?? t.podIP;
    const r = spawnSync("nsenter", [`--net=${t.network.nodeNetns}`, "--", "timeout", String(timeoutSeconds), "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`], { encoding: "utf8" });
    return { ok: r.status === 0, seen: r.status === 0 ? `connected to ${host}:${port}` : `no connection to ${host}:${port} (${(r.stderr ?? "").trim() || `exit ${r.status}`})` };
  }
  if (probe.exec) {
    const r = t.process.exec(probe.exec.command ?? [], timeoutMs);
    return { ok: r.code === 0, seen: `exit ${r.code}: ${r.output.trim().slice(0, 300)}` };
  }
  throw new Error(`container ${t.spec.name}: ${describeProbe(probe, t.spec)} probes are not run here`);
}

/** Waits until the probe passes within its window; throws naming the probe and the last answer when it cannot. */
export async function awaitProbe(kind: ProbeKind, probe: Probe, t: ProbeTarget): Promise<ProbeRecord> {
  const p = { ...DEFAULTS, ...probe };
  const ownWindow = p.initialDelaySeconds + p.failureThreshold * p.periodSeconds;
  const windowMs = (kind === "readinessProbe" ? Math.max(ownWindow, READINESS_BOUND_SECONDS) : ownWindow) * 1000;
  const pollMs = Math.min(p.periodSeconds * 1000, MAX_POLL_MS);
  const started = Date.now();
  await sleep(p.initialDelaySeconds * 1000);
  let attempts = 0;
  let seen = "";
  for (;;) {
    if (!t.process.running) throw new Error(`${t.pod}/${t.spec.name} exited (${t.process.exitCode}) before its ${kind} (${describeProbe(probe, t.spec)}) passed:\n${t.process.log().slice(-4000)}`);
    attempts++;
    const r = attempt(probe, t, p.timeoutSeconds);
    seen = r.seen;
    if (r.ok) return { pod: t.pod, container: t.spec.name, kind, handler: describeProbe(probe, t.spec), attempts, seconds: Math.round((Date.now() - started) / 1000) };
    if (Date.now() - started + pollMs > windowMs) break;
    await sleep(pollMs);
  }
  throw new Error(`${t.pod}/${t.spec.name}: ${kind} ${describeProbe(probe, t.spec)} did not pass within its ${windowMs / 1000} s window (${attempts} attempts); last: ${seen}\n${t.process.log().slice(-3000)}`);
}

/** Every probe the container declares, in the kubelet's order. */
export async function awaitProbes(t: ProbeTarget): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for (const kind of PROBE_ORDER) {
    const probe = t.spec[kind];
    if (probe) out.push(await awaitProbe(kind, probe, t));
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
