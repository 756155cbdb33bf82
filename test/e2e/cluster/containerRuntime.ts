/**
 * One container of a pod under the kubelet's care: started, its startup probe
 * first, then readiness and liveness side by side (prober workers,
 * cluster/probes.ts). Ready: its readiness probe succeeded (no readiness
 * probe: once started and past startup); not ready from the moment it ends.
 *
 * Restarts follow the pod's restartPolicy (cluster/restartPolicy.ts) through
 * the crash-loop back-off (cluster/backoff.ts), restartCount + 1 each, probes
 * from the start:
 * - a container that exits by itself is started again for Always (any exit)
 *   and OnFailure (not exit 0), never for Never, after the back-off from its
 *   exit (the first time at once, then 10 s, 20 s … 300 s);
 * - a startup or liveness probe at its failureThreshold kills the container
 *   (SIGTERM, SIGKILL after terminationGracePeriodSeconds) and, unless Never,
 *   starts it again; the back-off counts from the end of the instance before
 *   (none for the first kill), as the kubelet checks it before the kill. The
 *   stand-in kills first and checks after: the grace period later.
 * stop() (the pod goes, or a test takes the container down and means it to
 * stay down) cancels a restart waiting out its back-off; start() starts it
 * again by hand, without back-off.
 */
import type { Container as K8sContainer } from "kubernetes-types/core/v1";
import { createCgroup, Limits } from "../../support/cgroup";
import { CrashLoopBackOff } from "./backoff";
import { Container, ContainerSpec } from "./container";
import type { ClusterNetwork, PodSandbox } from "./network";
import { ProbeKind, ProbeRecord, ProbeResult, ProbeWorker } from "./probes";
import { RestartPolicy, restartsAfterKill, shouldRestart } from "./restartPolicy";

/** Makes the control groups' names unique across concurrent runs. */
const OWN_PID = process.pid;

export interface RuntimeEvent {
  at: string;
  event: "started" | "ready" | "not ready" | "killed" | "exited" | "back-off";
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
  /** A kill or a restart under way (its back-off included). */
  private restarting?: Promise<void>;
  private readonly backOff = new CrashLoopBackOff();
  /** When the latest instance ended (by itself, killed or stopped): what the back-off counts from. */
  private lastFinishedAt?: number;
  /** A restart waiting out its back-off: stop() clears the timer and wakes it, and it starts nothing. */
  private backOffWait?: { timer: NodeJS.Timeout; wake: () => void };

  constructor(
    readonly spec: K8sContainer,
    readonly env: ReadonlyMap<string, string>,
    private readonly runSpec: ContainerSpec,
    private readonly pod: { name: string; ip: string; sandbox: PodSandbox; network: ClusterNetwork; terminationGraceSeconds: number; restartPolicy: RestartPolicy },
    /** resources.limits, applied to a control group of each process (none: no group). */
    readonly limits: Limits,
    /** Called whenever this container's readiness changes. */
    private readonly onReadiness: () => void,
  ) {
    this.process = this.startProcess();
  }

  private note(event: RuntimeEvent["event"], detail?: string, at = Date.now()): void {
    this.events.push({ at: new Date(at).toISOString(), event, ...(detail ? { detail } : {}) });
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
      if (this.process === process && !this.restarting && !this.stopped) this.exited(process);
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

  /** The process ended by itself: not ready, and started again if the restartPolicy says so, after the back-off from now. */
  private exited(process: Container): void {
    const finishedAt = Date.now();
    this.lastFinishedAt = finishedAt;
    this.note("exited", `code ${process.exitCode}`, finishedAt);
    this.stopWorkers();
    this.setReady(false);
    if (!shouldRestart(this.pod.restartPolicy, process.exitCode)) return;
    this.restarting = this.restartAfterBackOff(finishedAt).finally(() => (this.restarting = undefined));
  }

  /** The kubelet's kill and, unless Never, restart; probes start over with the new process. */
  private kill(reason: string): void {
    if (this.stopped || this.restarting) return;
    const last = this.live.map((w) => w.lastSeen).filter(Boolean).pop();
    // The kubelet checks the back-off against the instance that ended before this one.
    const previousFinishedAt = this.lastFinishedAt;
    this.restarting = (async () => {
      this.stopWorkers();
      this.setReady(false);
      const ended = await this.process.stop(this.pod.terminationGraceSeconds * 1000);
      this.lastFinishedAt = Date.now();
      this.note("killed", `${reason} (${last}); ended by ${ended}`, this.lastFinishedAt);
      if (this.stopped || !restartsAfterKill(this.pod.restartPolicy)) return;
      await this.restartAfterBackOff(previousFinishedAt);
    })().finally(() => (this.restarting = undefined));
  }

  /**
   * Starts the container again once the back-off from `finishedAt` (the latest
   * ended instance the kubelet sees) allows, unless stop() came meanwhile. No
   * ended instance: at once, and the back-off does not move (as doBackOff).
   */
  private async restartAfterBackOff(finishedAt: number | undefined): Promise<void> {
    if (finishedAt !== undefined) {
      const waitMs = this.backOff.remainingMs(finishedAt, Date.now());
      if (waitMs > 0) {
        this.note("back-off", `restart in ${(waitMs / 1000).toFixed(1)} s`);
        await new Promise<void>((wake) => (this.backOffWait = { timer: setTimeout(wake, waitMs), wake }));
        this.backOffWait = undefined;
      }
    }
    if (this.stopped) return;
    if (finishedAt !== undefined) this.backOff.next(finishedAt, Date.now());
    this.restartCount++;
    this.startProcess();
  }

  private stopWorkers(): void {
    for (const w of this.live) w.stop();
    this.live = [];
  }

  /**
   * The first pass of each probe (they run on); rejects when one cannot pass
   * within `boundMs` or the process exits, restarted or not (a crash loop would
   * wait out the bound: the test wants the failing log now).
   */
  async awaitProbesPassed(boundMs: number): Promise<ProbeRecord[]> {
    const deadline = Date.now() + boundMs;
    const seen = this.events.length;
    const kinds = (["startupProbe", "readinessProbe", "livenessProbe"] as const).filter((k) => this.spec[k]);
    for (;;) {
      const current = this.workers.slice(this.since);
      const passed = kinds.map((k) => current.find((w) => w.kind === k && w.firstPass)?.firstPass);
      if (passed.every((p) => p !== undefined) && this.ready) return passed as ProbeRecord[];
      const pending = kinds.filter((_, i) => !passed[i]).map((k) => this.workers.filter((w) => w.kind === k).pop()).filter((w): w is ProbeWorker => w !== undefined);
      const last = pending.map((w) => `${w.kind} ${w.handler}: ${w.attempts.length} attempts, last: ${w.lastSeen}`).join("; ");
      const exit = this.events.slice(seen).find((e) => e.event === "exited");
      if (exit) throw new Error(`${this.pod.name}/${this.spec.name} exited (${exit.detail}) before its probes passed (${last}):\n${this.process.log().slice(-4000)}`);
      if (!this.process.running && !this.restarting) throw new Error(`${this.pod.name}/${this.spec.name} exited (${this.process.exitCode}) before its probes passed (${last}):\n${this.process.log().slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`${this.pod.name}/${this.spec.name}: probes did not pass within ${boundMs / 1000} s (${last || "not ready"}); restarts ${this.restartCount}\n${this.process.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Stops probing, any restart waiting out its back-off, and the process (the pod goes, or the test takes the container down); returns how it ended. */
  async stop(): Promise<"exited" | "SIGTERM" | "SIGKILL"> {
    this.stopped = true;
    this.stopWorkers();
    if (this.backOffWait) {
      clearTimeout(this.backOffWait.timer);
      this.backOffWait.wake();
    }
    await this.restarting;
    this.setReady(false);
    const ended = await this.process.stop(this.pod.terminationGraceSeconds * 1000);
    if (ended !== "exited") this.lastFinishedAt = Date.now();
    return ended;
  }

  /** Starts the container again in its pod after stop() (what the test does after a collector outage). */
  start(): void {
    // Else a restart of the kubelet's own could start a second process beside this one.
    if (!this.stopped) throw new Error(`${this.pod.name}/${this.spec.name}: start() is for a container stop() took down`);
    this.stopped = false;
    this.restartCount++;
    this.startProcess();
  }
}
