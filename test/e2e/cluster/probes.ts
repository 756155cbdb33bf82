/**
 * A container's probes as the kubelet's prober runs them (pkg/kubelet/prober):
 * one worker per probe, its first attempt after initialDelaySeconds (from the
 * container's start), then one every periodSeconds, each given timeoutSeconds;
 * a result changes only after failureThreshold consecutive failures or
 * successThreshold consecutive successes. httpGet and tcpSocket go from the
 * node's network to the pod IP, exec runs inside the container. Every attempt
 * is kept with its time, for the evidence. What a result does (restart, ready)
 * is cluster/containerRuntime.ts's.
 */
import { spawn } from "child_process";
import type { Container as ContainerSpecK8s, Probe } from "kubernetes-types/core/v1";
import type { Container } from "./container";
import type { ClusterNetwork } from "./network";

export type ProbeKind = "startupProbe" | "readinessProbe" | "livenessProbe";
/** Kubernetes' defaults for unset probe fields. */
const DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 };

/** The first time a probe passed, for the summary: how many attempts and seconds after the container started. */
export interface ProbeRecord {
  pod: string;
  container: string;
  kind: ProbeKind;
  handler: string;
  attempts: number;
  seconds: number;
}

export interface ProbeAttempt {
  at: string;
  ok: boolean;
  seen: string;
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

/** Runs a command in the node's network namespace; resolves with its exit status and output. */
function inNode(t: ProbeTarget, command: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("nsenter", [`--net=${t.network.nodeNetns}`, "--", ...command], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** One attempt: passed, and what was seen. */
export async function attempt(probe: Probe, t: ProbeTarget, timeoutSeconds: number): Promise<{ ok: boolean; seen: string }> {
  const timeoutMs = timeoutSeconds * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, t.spec);
    const host = probe.httpGet.host ?? t.podIP;
    const headers = (probe.httpGet.httpHeaders ?? []).flatMap((h) => ["-H", `${h.name}: ${h.value}`]);
    const url = `${(probe.httpGet.scheme ?? "HTTP").toLowerCase()}://${host}:${port}${probe.httpGet.path ?? "/"}`;
    const r = await inNode(t, ["curl", "-s", "-k", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(timeoutSeconds), ...headers, url]);
    const code = Number(r.stdout);
    // The kubelet's rule: 200 <= status < 400 passes.
    return { ok: r.status === 0 && code >= 200 && code < 400, seen: r.status === 0 ? `HTTP ${code} from ${url}` : `curl exit ${r.status} for ${url}` };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.spec);
    const host = probe.tcpSocket.host ?? t.podIP;
    const r = await inNode(t, ["timeout", String(timeoutSeconds), "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`]);
    return { ok: r.status === 0, seen: r.status === 0 ? `connected to ${host}:${port}` : `no connection to ${host}:${port} (${(r.stderr ?? "").trim() || `exit ${r.status}`})` };
  }
  if (probe.exec) {
    const r = await t.process.execAsync(probe.exec.command ?? [], timeoutMs);
    return { ok: r.code === 0, seen: `exit ${r.code}: ${r.output.trim().slice(0, 300)}` };
  }
  throw new Error(`container ${t.spec.name}: ${describeProbe(probe, t.spec)} probes are not run here`);
}

export type ProbeResult = "success" | "failure";

/**
 * One probe's worker: attempts at the declared period until stopped; calls
 * `onResult` when the result changes (the first result included), after the
 * declared thresholds. A startup worker stops itself at its first success.
 */
export class ProbeWorker {
  readonly attempts: ProbeAttempt[] = [];
  firstPass?: ProbeRecord;
  lastSeen = "";
  private result?: ProbeResult;
  private successes = 0;
  private failures = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly p: typeof DEFAULTS & Probe;

  constructor(
    readonly kind: ProbeKind,
    readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly onResult: (result: ProbeResult, worker: ProbeWorker) => void,
  ) {
    this.p = { ...DEFAULTS, ...probe };
    describeProbe(probe, target.spec);
  }

  get handler(): string {
    return describeProbe(this.probe, this.target.spec);
  }

  /** First attempt at initialDelaySeconds after the container started (now, if that is past). */
  start(containerStartedAt: number): void {
    this.schedule(Math.max(0, containerStartedAt + this.p.initialDelaySeconds * 1000 - Date.now()), containerStartedAt);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number, startedAt: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(startedAt), ms);
  }

  private async tick(startedAt: number): Promise<void> {
    const began = Date.now();
    const r = await attempt(this.probe, this.target, this.p.timeoutSeconds);
    if (this.stopped) return;
    this.attempts.push({ at: new Date(began).toISOString(), ok: r.ok, seen: r.seen });
    this.lastSeen = r.seen;
    if (r.ok && !this.firstPass) {
      this.firstPass = { pod: this.target.pod, container: this.target.spec.name, kind: this.kind, handler: this.handler, attempts: this.attempts.length, seconds: Math.round((Date.now() - startedAt) / 1000) };
    }
    this.successes = r.ok ? this.successes + 1 : 0;
    this.failures = r.ok ? 0 : this.failures + 1;
    // Liveness and startup need one success (Kubernetes rejects another successThreshold for them).
    const successThreshold = this.kind === "readinessProbe" ? this.p.successThreshold : 1;
    const next: ProbeResult | undefined = this.successes >= successThreshold ? "success" : this.failures >= this.p.failureThreshold ? "failure" : undefined;
    if (next && next !== this.result) {
      this.result = next;
      this.onResult(next, this);
    }
    if (this.kind === "startupProbe" && next === "success") return;
    // The kubelet's ticker: one attempt per period, however long the last one took.
    this.schedule(Math.max(0, began + this.p.periodSeconds * 1000 - Date.now()), startedAt);
  }
}
