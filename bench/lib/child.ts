/**
 * Runs one measured configuration in a fresh Node process: what a user's
 * `pulumi up` or shell pipe starts, with no JIT or heap state carried over.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { USAGE_PRELOAD } from "./paths";

export interface ChildRun<T> {
  /** Spawn to exit, as the parent sees it (includes Node start-up). */
  wallMs: number;
  /** User + system CPU time of the whole child. */
  cpuMs: number;
  /** Peak resident set of the child, KiB. */
  maxRssKb: number;
  /** The JSON the child printed last on stdout (workers), when stdout is captured. */
  result: T;
}

export interface ChildOptions {
  /** Send stdout to this file instead of capturing it (the CLI's output). */
  stdoutFile?: string;
  /** Node flags before the script, e.g. --cpu-prof. */
  nodeFlags?: string[];
  cwd?: string;
}

/** Made on the first run, so that importing this module (freePort, sleepMs) leaves nothing behind. */
let usageDir: string | undefined;
let seq = 0;

export function runChild<T = unknown>(script: string, args: readonly string[], options: ChildOptions = {}): ChildRun<T> {
  usageDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-usage-"));
  const usageFile = path.join(usageDir, `${process.pid}-${seq++}.json`);
  const out = options.stdoutFile ? fs.openSync(options.stdoutFile, "w") : "pipe";
  const err = options.stdoutFile ? fs.openSync(`${options.stdoutFile}.stderr`, "w") : "pipe";
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(options.nodeFlags ?? []), "-r", USAGE_PRELOAD, script, ...args], {
    stdio: ["ignore", out, err],
    env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
    encoding: "utf8",
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (typeof out === "number") fs.closeSync(out);
  if (typeof err === "number") fs.closeSync(err);
  if (r.status !== 0) {
    const stderr = typeof err === "number" ? fs.readFileSync(`${options.stdoutFile}.stderr`, "utf8") : r.stderr;
    throw new Error(`bench child failed (${r.status ?? r.signal}): node ${script} ${args.join(" ")}\n${String(stderr).slice(-2000)}`);
  }
  const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as { maxRssKb: number; cpuMs: number };
  fs.rmSync(usageFile, { force: true });
  let result = undefined as T;
  if (!options.stdoutFile) {
    const lines = String(r.stdout).trim().split("\n");
    result = JSON.parse(lines[lines.length - 1]) as T;
  }
  return { wallMs, ...usage, result };
}

/**
 * Runs `a` and `b` side by side `reps` times, alternating which goes first, so
 * drift in the machine's speed (other work, thermal) lands on both alike.
 */
export function interleave<A, B>(reps: number, a: () => A, b: () => B, progress?: (rep: number) => void): { a: A[]; b: B[] } {
  const as: A[] = [];
  const bs: B[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      as.push(a());
      bs.push(b());
    } else {
      bs.push(b());
      as.push(a());
    }
    progress?.(i + 1);
  }
  return { a: as, b: bs };
}

export function cleanupUsageDir(): void {
  if (usageDir) fs.rmSync(usageDir, { recursive: true, force: true });
}

/** A TCP port free on 127.0.0.1 now (the caller binds it right after). */
export function freePort(): number {
  const out = execFileSync(process.execPath, ["-e", "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: "utf8" });
  return Number(out.trim());
}

/** Blocks this process for `ms` (the bench's parts are synchronous). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
