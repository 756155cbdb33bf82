/**
 * One JVM app run for part 6: starts the app (plain JVM or Tomcat) inside a
 * control group with its rendered container's CPU and memory limits, with the
 * environment its rendered Deployment gives it (the agent's flags, or none);
 * times spawn → first HTTP 200 and the CPU spent by then; then drives it with
 * keep-alive connections at a fixed concurrency, warm-up first, and reports
 * latency percentiles, throughput, CPU per request, memory and threads.
 *
 *   node jvm.js <setup.json> <app> on|off
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { JvmSetup } from "../agent";
import { createCgroup, inCgroup } from "../../test/support/cgroup";

export interface JvmResult {
  startMs: number;
  /** CPU time (user + system, every thread) from spawn to the first response. */
  startCpuMs: number;
  /** Latency of the measured requests, µs. */
  p50Us: number;
  p95Us: number;
  p99Us: number;
  /** Measured requests per second at the setup's concurrency. */
  throughput: number;
  /** CPU time the app spent per measured request, µs. */
  cpuPerRequestUs: number;
  /** Resident set of the JVM after the load, KiB, and the group's peak memory, bytes. */
  rssKb: number;
  peakBytes?: number;
  threads: number;
  /** Threads whose name says they are the agent's (Pinpoint-…, grpc, …). */
  agentThreads: number;
  agentThreadNames: string[];
  /** CFS periods the CPU quota throttled the app. */
  throttled: number;
}

const START_TIMEOUT_MS = 240000;
/** Thread names the agent 3.0.1 gives its own threads, as /proc/<pid>/task/<tid>/comm shows them (cut at 15 characters). */
const AGENT_THREAD = /^Pinpoint-|^grpc-/;

function get(port: number, path: string, agent: http.Agent | false): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(10000, () => req.destroy());
  });
}

/** `n` requests over `concurrency` keep-alive connections; latencies in µs when asked. */
async function load(port: number, path: string, n: number, concurrency: number, agent: http.Agent, latencies?: number[]): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < n) {
      next++;
      const s = process.hrtime.bigint();
      const status = await get(port, path, agent);
      if (status !== 200) throw new Error(`request answered ${status}`);
      latencies?.push(Number(process.hrtime.bigint() - s) / 1e3);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

function threadNames(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((t) => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8").trim();
    } catch {
      return "";
    }
  });
}

async function main(): Promise<void> {
  const [setupFile, appName, agentSwitch] = process.argv.slice(2);
  const setup = JSON.parse(fs.readFileSync(setupFile, "utf8")) as JvmSetup;
  const app = setup.apps[appName];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...(agentSwitch === "on" ? app.envOn : app.envOff) };
  const group = createCgroup(`pp-bench-${process.pid}`, setup.limits);
  const cmd = inCgroup(group, app.command[0], app.command.slice(1));
  let child: ChildProcess | undefined;
  try {
    const t0 = process.hrtime.bigint();
    child = spawn(cmd.command, cmd.args, { env, stdio: "ignore" });
    const exited = new Promise((r) => child!.once("exit", r));
    for (;;) {
      if ((await get(app.port, app.path, false)) === 200) break;
      if (child.exitCode !== null) throw new Error(`${appName} exited with ${child.exitCode} before answering`);
      if (Number(process.hrtime.bigint() - t0) / 1e6 > START_TIMEOUT_MS) throw new Error(`${appName} did not answer within ${START_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const startCpuMs = group.cpuMs();
    const agent = new http.Agent({ keepAlive: true, maxSockets: setup.concurrency });
    await load(app.port, app.path, setup.warmup, setup.concurrency, agent);
    const cpu0 = group.cpuMs();
    const us: number[] = [];
    const s = process.hrtime.bigint();
    await load(app.port, app.path, setup.requests, setup.concurrency, agent, us);
    const seconds = Number(process.hrtime.bigint() - s) / 1e9;
    const cpuPerRequestUs = ((group.cpuMs() - cpu0) * 1000) / setup.requests;
    agent.destroy();
    us.sort((a, b) => a - b);
    const pid = child.pid!;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
    const names = threadNames(pid);
    const agentThreadNames = names.filter((n) => AGENT_THREAD.test(n));
    const result: JvmResult = {
      startMs,
      startCpuMs,
      p50Us: pct(us, 0.5),
      p95Us: pct(us, 0.95),
      p99Us: pct(us, 0.99),
      throughput: setup.requests / seconds,
      cpuPerRequestUs,
      rssKb,
      peakBytes: group.peakBytes(),
      threads: names.length,
      agentThreads: agentThreadNames.length,
      agentThreadNames: [...new Set(agentThreadNames)],
      throttled: group.throttled(),
    };
    child.kill("SIGKILL");
    await exited;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    group.remove();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
