/**
 * One container of a pod under the kubelet's care (restartPolicy Always, as
 * for every Deployment and StatefulSet pod): started, its startup probe first,
 * then readiness and liveness side by side (prober workers, cluster/probes.ts).
 * A startup or liveness probe at its failureThreshold kills the container
 * (SIGTERM, SIGKILL after terminationGracePeriodSeconds) and starts it again in
 * its pod, restartCount + 1, probes from the start. Ready: its readiness probe
 * succeeded (no readiness probe: once started and past startup). A container
 * that exits by itself is not restarted here (the kubelet would, with back-off);
 * the collector-down test stops containers and means them to stay down.
 */
import type { Container as K8sContainer } from "kubernetes-types/core/v1";
import { createCgroup, Limits } from "../../../bench/lib/cgroup";
import { Container, ContainerSpec } from "./container";
import type { ClusterNetwork, PodSandbox } from "./network";
import { ProbeKind, ProbeRecord, ProbeResult, ProbeWorker } from "./probes";

/** Makes the control groups' names unique across concurrent runs. */
const OWN_PID = process.pid;

export interface RuntimeEvent {
  at: string;
  event: "started" | "ready" | "not ready" | "killed" | "exited";
  detail?: string;
}

export class ManagedContainer {
  process: Container;
  restartCount = 0;
  ready = false;
  readonly events: RuntimeEvent[] = [];
  /** Every worker this container had (the restarted ones too), for the evidence. */
  readonly workers: ProbeWorker[] = [];
  private live: ProbeWorker[] = [];
  /** Where this process's workers begin in `workers`. */
  private since = 0;
  private stopped = false;
  private restarting?: Promise<void>;

  constructor(
    readonly spec: K8sContainer,
    readonly env: ReadonlyMap<string, string>,
    private readonly runSpec: ContainerSpec,
    private readonly pod: { name: string; ip: string; sandbox: PodSandbox; network: ClusterNetwork; terminationGraceSeconds: number },
    /** resources.limits, applied to a control group of each process (none: no group). */
    readonly limits: Limits,
    /** Called whenever this container's readiness changes. */
    private readonly onReadiness: () => void,
  ) {
    this.process = this.startProcess();
  }

  private note(event: RuntimeEvent["event"], detail?: string): void {
    this.events.push({ at: new Date().toISOString(), event, ...(detail ? { detail } : {}) });
  }

  private startProcess(): Container {
    const limited = this.limits.cpu !== undefined || this.limits.memory !== undefined;
    const cgroup = limited ? createCgroup(`pp-e2e-${OWN_PID}-${this.pod.name}-${this.spec.name}-${this.restartCount}`, this.limits) : undefined;
    const process = new Container({ ...this.runSpec, cgroup }, this.pod.sandbox);
    const startedAt = Date.now();
    this.note("started", this.restartCount > 0 ? `restartCount ${this.restartCount}` : undefined);
    void process.wait().then(() => {
      cgroup?.remove();
      // By itself, not by the kubelet's kill or stop.
      if (this.process === process && !this.restarting && !this.stopped) this.note("exited", `code ${process.exitCode}`);
    });
    this.process = process;
    this.since = this.workers.length;
    const startup = this.spec.startupProbe;
    if (startup) this.worker("startupProbe", startedAt, (r) => (r === "success" ? this.afterStartup(startedAt) : this.kill("startup probe failed")));
    else this.afterStartup(startedAt);
    return process;
  }

  private afterStartup(startedAt: number): void {
    if (this.spec.readinessProbe) this.worker("readinessProbe", startedAt, (r) => this.setReady(r === "success"));
    else this.setReady(true);
    if (this.spec.livenessProbe) this.worker("livenessProbe", startedAt, (r) => (r === "failure" ? this.kill("liveness probe failed") : undefined));
  }

  private worker(kind: ProbeKind, startedAt: number, onResult: (r: ProbeResult) => void): void {
    const w = new ProbeWorker(kind, this.spec[kind]!, { pod: this.pod.name, podIP: this.pod.ip, spec: this.spec, process: this.process, network: this.pod.network }, onResult);
    this.workers.push(w);
    this.live.push(w);
    w.start(startedAt);
  }

  private setReady(ready: boolean): void {
    if (ready === this.ready) return;
    this.ready = ready;
    this.note(ready ? "ready" : "not ready");
    this.onReadiness();
  }

  /** The kubelet's kill and restart; probes start over with the new process. */
  private kill(reason: string): void {
    if (this.stopped || this.restarting) return;
    const last = this.live.map((w) => w.lastSeen).filter(Boolean).pop();
    this.restarting = (async () => {
      this.stopWorkers();
      this.setReady(false);
      const ended = await this.process.stop(this.pod.terminationGraceSeconds * 1000);
      this.note("killed", `${reason} (${last}); ended by ${ended}`);
      if (this.stopped) return;
      this.restartCount++;
      this.startProcess();
    })().finally(() => (this.restarting = undefined));
  }

  private stopWorkers(): void {
    for (const w of this.live) w.stop();
    this.live = [];
  }

  /** The first pass of each probe (they run on); rejects when one cannot pass within `boundMs` or the process exits. */
  async awaitProbesPassed(boundMs: number): Promise<ProbeRecord[]> {
    const deadline = Date.now() + boundMs;
    const kinds = (["startupProbe", "readinessProbe", "livenessProbe"] as const).filter((k) => this.spec[k]);
    for (;;) {
      const current = this.workers.slice(this.since);
      const passed = kinds.map((k) => current.find((w) => w.kind === k && w.firstPass)?.firstPass);
      if (passed.every((p) => p !== undefined) && this.ready) return passed as ProbeRecord[];
      const pending = kinds.filter((_, i) => !passed[i]).map((k) => this.workers.filter((w) => w.kind === k).pop()).filter((w): w is ProbeWorker => w !== undefined);
      const last = pending.map((w) => `${w.kind} ${w.handler}: ${w.attempts.length} attempts, last: ${w.lastSeen}`).join("; ");
      if (!this.process.running && !this.restarting) throw new Error(`${this.pod.name}/${this.spec.name} exited (${this.process.exitCode}) before its probes passed (${last}):\n${this.process.log().slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`${this.pod.name}/${this.spec.name}: probes did not pass within ${boundMs / 1000} s (${last || "not ready"}); restarts ${this.restartCount}\n${this.process.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Stops probing and the process (the pod goes, or the test takes the container down); returns how it ended. */
  async stop(): Promise<"exited" | "SIGTERM" | "SIGKILL"> {
    this.stopped = true;
    this.stopWorkers();
    await this.restarting;
    this.setReady(false);
    return this.process.stop(this.pod.terminationGraceSeconds * 1000);
  }

  /** Starts the container again in its pod after stop() (what the test does after a collector outage). */
  start(): void {
    this.stopped = false;
    this.restartCount++;
    this.startProcess();
  }
}
