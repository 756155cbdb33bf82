/**
 * One container of a pod, played by a process on this machine: it joins the
 * pod's network and UTS namespaces, gets a PID namespace of its own (when its
 * first process exits, everything it started goes, as in a container) and a
 * mount namespace where /etc/hosts and /etc/resolv.conf are the pod's (as the
 * kubelet writes them), /tmp is the pod's, and each volume is bound at its mountPath (read-only where the mount says so), and runs as the uid the
 * pod declares. Exec probes enter the same namespaces.
 */
import { ChildProcess, execFile, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Cgroup, inCgroup } from "../../support/cgroup";
import type { PodSandbox } from "./network";

/** How long an exec waits for the container's first process to exist. */
const INIT_WAIT_MS = 10000;
/** What a container gets when its image sets no PATH. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** The pod default (terminationGracePeriodSeconds 30) is more than the suite needs; a pod that sets its own gets its own. */
const DEFAULT_GRACE_MS = 15000;

export interface Mount {
  hostPath: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  /** `<pod>/<container>`, for messages. */
  name: string;
  command: string[];
  env: ReadonlyMap<string, string>;
  mounts: readonly Mount[];
  uid: number;
  gid?: number;
  workingDir?: string;
  /** The pod's /etc/hosts and /etc/resolv.conf as the kubelet writes them, and the pod's /tmp. */
  hostsFile: string;
  resolvConf: string;
  podTmp: string;
  logFile: string;
  /** The container's control group (its resources.limits); the process and every exec into it run there. */
  cgroup?: Cgroup;
}

/** `nsenter args…`, entering the container's control group first when it has one. */
function nsenter(spec: ContainerSpec, args: string[]): { command: string; args: string[] } {
  return spec.cgroup ? inCgroup(spec.cgroup, "nsenter", args) : { command: "nsenter", args };
}

/** Single-quotes a word for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Mount points made on this machine for containers; removed by removeMountPoints. */
const createdMountPoints: string[] = [];

function ensureMountPoint(p: string, isFile: boolean): void {
  const missing: string[] = [];
  for (let dir = isFile ? path.dirname(p) : p; !fs.existsSync(dir); dir = path.dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    fs.mkdirSync(dir);
    createdMountPoints.unshift(dir);
  }
  if (isFile && !fs.existsSync(p)) {
    fs.writeFileSync(p, "");
    createdMountPoints.unshift(p);
  }
}

/** Removes the mount points made for containers (deepest first), once every container is stopped. */
export function removeMountPoints(): void {
  for (const p of createdMountPoints.splice(0).sort((a, b) => b.length - a.length)) {
    try {
      if (fs.statSync(p).isDirectory()) fs.rmdirSync(p);
      else fs.unlinkSync(p);
    } catch {
      // already gone
    }
  }
}

export class Container {
  readonly child: ChildProcess;
  exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<void>;

  constructor(
    readonly spec: ContainerSpec,
    readonly sandbox: PodSandbox,
  ) {
    const script = ["set -e", `mount --bind ${shQuote(spec.hostsFile)} /etc/hosts`, `mount --bind ${shQuote(spec.resolvConf)} /etc/resolv.conf`];
    for (const m of spec.mounts) {
      const isFile = fs.statSync(m.hostPath).isFile();
      ensureMountPoint(m.mountPath, isFile);
      script.push(`mount --bind ${shQuote(m.hostPath)} ${shQuote(m.mountPath)}`);
      if (m.readOnly) script.push(`mount -o remount,bind,ro ${shQuote(m.mountPath)}`);
    }
    // Last: the host's /tmp (where the test keeps its folders) is hidden from here on.
    script.push(`mount --bind ${shQuote(spec.podTmp)} /tmp`);
    if (spec.workingDir) script.push(`cd ${shQuote(spec.workingDir)}`);
    const gid = spec.gid ?? spec.uid;
    script.push(`exec setpriv --reuid=${spec.uid} --regid=${gid} --clear-groups -- "$@"`);
    const log = fs.openSync(spec.logFile, "a");
    const env: NodeJS.ProcessEnv = { PATH: DEFAULT_PATH };
    for (const [k, v] of spec.env) env[k] = v;
    const run = nsenter(spec, [`--net=/proc/${sandbox.pausePid}/ns/net`, `--uts=/proc/${sandbox.pausePid}/ns/uts`, "--", "unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c", script.join("\n"), spec.name, ...spec.command]);
    this.child = spawn(run.command, run.args, { stdio: ["ignore", log, log], env, cwd: "/" });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve();
      });
    });
  }

  /** unshare's pid: it stays outside the container's PID namespace and waits for the container's first process. */
  get pid(): number {
    return this.child.pid!;
  }

  /** The container's first process (PID 1 inside), which the kubelet signals. */
  private initPid(): number | undefined {
    try {
      const children = fs.readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, "utf8").trim();
      return children ? Number(children.split(/\s+/)[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The container's first process, waiting for unshare to fork it. Entering
   * unshare's own namespaces instead (a race just after the start) puts the
   * command outside the PID namespace whose /proc is mounted there: its
   * /proc/self dangles, and a JVM's loader, which finds libjli.so from it, fails
   * (seen once in a CI run: `java: error while loading shared libraries: libjli.so`).
   */
  private awaitInitPid(): number {
    const until = Date.now() + INIT_WAIT_MS;
    for (;;) {
      const pid = this.initPid();
      if (pid !== undefined) return pid;
      // A container that is gone (or never forked) keeps the old target: the command then fails, as a probe of a dead container should.
      if (Date.now() > until || !this.running) return this.pid;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  log(): string {
    return fs.existsSync(this.spec.logFile) ? fs.readFileSync(this.spec.logFile, "utf8") : "";
  }

  /** nsenter's arguments and env to run a command inside the container: its namespaces (its PID namespace too: its /proc is that one's), uid and env. */
  private execInvocation(command: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
    const env: NodeJS.ProcessEnv = { PATH: DEFAULT_PATH };
    for (const [k, v] of this.spec.env) env[k] = v;
    const gid = this.spec.gid ?? this.spec.uid;
    return { ...nsenter(this.spec, [`--target=${this.awaitInitPid()}`, "--mount", "--net", "--uts", "--pid", "--", "setpriv", `--reuid=${this.spec.uid}`, `--regid=${gid}`, "--clear-groups", "--", ...command]), env };
  }

  /** Runs a command inside the container and waits; returns the exit code (-1: timed out or killed). */
  exec(command: readonly string[], timeoutMs: number): { code: number; output: string } {
    const { command: run, args, env } = this.execInvocation(command);
    const r = spawnSync(run, args, { env, encoding: "utf8", timeout: timeoutMs, cwd: "/" });
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  }

  /** The same without blocking the event loop (an exec probe, while other probes and the test go on). */
  execAsync(command: readonly string[], timeoutMs: number): Promise<{ code: number; output: string }> {
    const { command: run, args, env } = this.execInvocation(command);
    return new Promise((resolve) => {
      execFile(run, args, { env, encoding: "utf8", timeout: timeoutMs, cwd: "/" }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" && !error.killed ? error.code : -1) : 0;
        resolve({ code, output: `${stdout ?? ""}${stderr ?? ""}` });
      });
    });
  }

  /** SIGTERM, then SIGKILL after the grace period (the pod's terminationGracePeriodSeconds), as the kubelet stops a container; says which ended it. */
  async stop(graceMs = DEFAULT_GRACE_MS): Promise<"exited" | "SIGTERM" | "SIGKILL"> {
    if (!this.running) return "exited";
    const signal = (sig: NodeJS.Signals) => {
      const init = this.initPid();
      if (init === undefined) this.child.kill(sig);
      else process.kill(init, sig);
    };
    let ended: "SIGTERM" | "SIGKILL" = "SIGTERM";
    signal("SIGTERM");
    const timer = setTimeout(() => {
      ended = "SIGKILL";
      signal("SIGKILL");
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    return ended;
  }

  /** Resolves when the process exits. */
  wait(): Promise<void> {
    return this.exited;
  }
}
