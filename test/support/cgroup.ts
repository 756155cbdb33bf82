/**
 * A control group for one measured app, with the CPU and memory limits its
 * rendered container asks for, as the kubelet would set them: CPU as a CFS
 * quota (limits.cpu × period), memory as a hard limit. Also where the app's
 * CPU time (user + system of every process in it) and peak memory are read.
 * cgroup v2 (`cpu.max`, `memory.max`) or, on hosts that still mount v1, the
 * cpu, cpuacct and memory hierarchies. Needs root; made under the calling
 * process's own group, so the limits nest inside whatever limits it already has.
 * Used by the bench (bench/workers/jvm.ts) and the e2e kubelet stand-in
 * (test/e2e/cluster/container.ts, containerRuntime.ts).
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = "/sys/fs/cgroup";
const PERIOD_US = 100000;

export interface Limits {
  /** Cores (limits.cpu as a number), undefined: no quota. */
  cpu?: number;
  /** Bytes, undefined: no limit. */
  memory?: number;
}

export interface Cgroup {
  version: 1 | 2;
  /** Files a process writes its pid to, to enter the group (every hierarchy's cgroup.procs). */
  procs: string[];
  /** CPU time of everything in the group so far, ms (user + system). */
  cpuMs(): number;
  /** Peak memory charged to the group, bytes (v2 memory.peak needs Linux 5.19+; undefined without it). */
  peakBytes(): number | undefined;
  /** Periods the quota throttled the group. */
  throttled(): number;
  remove(): void;
}

/** The group this process is in, per hierarchy (controller list → path). */
function ownGroups(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
    const [, controllers, p] = line.split(":");
    out.set(controllers, p);
  }
  return out;
}

const write = (file: string, value: string) => fs.writeFileSync(file, value);
const read = (file: string) => fs.readFileSync(file, "utf8");

export function createCgroup(name: string, limits: Limits): Cgroup {
  const own = ownGroups();
  const v1 = fs.existsSync(path.join(ROOT, "cpu", "cgroup.procs")) && fs.existsSync(path.join(ROOT, "memory", "cgroup.procs"));
  if (!v1) {
    const dir = path.join(ROOT, own.get("") ?? "/", name);
    fs.mkdirSync(dir);
    // The controllers must be enabled for children of the parent; ignore a parent that already does.
    try {
      write(path.join(path.dirname(dir), "cgroup.subtree_control"), "+cpu +memory");
    } catch {
      // already on, or not ours to change: the limit files below fail loudly if missing
    }
    write(path.join(dir, "cpu.max"), limits.cpu ? `${Math.round(limits.cpu * PERIOD_US)} ${PERIOD_US}` : `max ${PERIOD_US}`);
    write(path.join(dir, "memory.max"), limits.memory ? String(limits.memory) : "max");
    const stat = () => Object.fromEntries(read(path.join(dir, "cpu.stat")).trim().split("\n").map((l) => l.split(" "))) as Record<string, string>;
    return {
      version: 2,
      procs: [path.join(dir, "cgroup.procs")],
      cpuMs: () => Number(stat().usage_usec) / 1000,
      peakBytes: () => (fs.existsSync(path.join(dir, "memory.peak")) ? Number(read(path.join(dir, "memory.peak"))) : undefined),
      throttled: () => Number(stat().nr_throttled ?? 0),
      remove: () => fs.rmdirSync(dir),
    };
  }
  const dirs = {
    cpu: path.join(ROOT, "cpu", own.get("cpu") ?? own.get("cpu,cpuacct") ?? "/", name),
    cpuacct: path.join(ROOT, "cpuacct", own.get("cpuacct") ?? own.get("cpu,cpuacct") ?? "/", name),
    memory: path.join(ROOT, "memory", own.get("memory") ?? "/", name),
  };
  const unique = [...new Set(Object.values(dirs))];
  for (const d of unique) fs.mkdirSync(d);
  write(path.join(dirs.cpu, "cpu.cfs_period_us"), String(PERIOD_US));
  write(path.join(dirs.cpu, "cpu.cfs_quota_us"), limits.cpu ? String(Math.round(limits.cpu * PERIOD_US)) : "-1");
  if (limits.memory) write(path.join(dirs.memory, "memory.limit_in_bytes"), String(limits.memory));
  return {
    version: 1,
    procs: unique.map((d) => path.join(d, "cgroup.procs")),
    // cpuacct.usage is user + system in ns.
    cpuMs: () => Number(read(path.join(dirs.cpuacct, "cpuacct.usage"))) / 1e6,
    peakBytes: () => Number(read(path.join(dirs.memory, "memory.max_usage_in_bytes"))),
    throttled: () => Number(/nr_throttled (\d+)/.exec(read(path.join(dirs.cpu, "cpu.stat")))?.[1] ?? 0),
    remove: () => {
      for (const d of unique) {
        // A group empties a moment after its last process is reaped.
        for (let i = 0; i < 50; i++) {
          try {
            fs.rmdirSync(d);
            break;
          } catch {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
          }
        }
      }
    },
  };
}

/** A command line that enters the groups, then execs the program (the same pid). */
export function inCgroup(g: Cgroup, command: string, args: readonly string[]): { command: string; args: string[] } {
  const enter = g.procs.map((p) => `echo $$ > '${p}'`).join(" && ");
  return { command: "/bin/sh", args: ["-c", `${enter} && exec "$@"`, "sh", command, ...args] };
}
