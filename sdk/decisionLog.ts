/**
 * Why each workload was or was not instrumented, sent to the engine as ONE diagnostic per burst
 * of workloads instead of one each.
 *
 * Every `pulumi.log` call is an engine round trip (serialised behind the previous one), an event
 * the CLI displays and journals, and, under the Automation API, a line of its event log; the SDK
 * also takes an RPC keep-alive for it, which captures a stack trace. One line per workload made a
 * `pulumi preview` of 100 Deployments cost measurably more (bench part 9). The text of each line
 * is unchanged: the lines of a burst are joined under one summary line, so `pulumi preview` and
 * `pulumi up` still show every workload's reason, at info level, without `--debug`.
 *
 * A burst ends when no decision has come for FLUSH_AFTER_MS. Until it is sent the program holds
 * an RPC keep-alive, so neither the engine's program nor the mock engine's run ends with lines unsent.
 */
import * as pulumi from "@pulumi/pulumi";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { rpcKeepAlive(): () => void };

/** Quiet time after the last decision before a burst is sent. */
export const FLUSH_AFTER_MS = 20;
/** Every line of ours starts so (users grep for it; tests match it). */
export const LINE_PREFIX = "pinpoint: ";

export interface Decision {
  /** `<Kind> <namespace>/<name>`, as describeWorkload gives it. */
  workload: string;
  injected: boolean;
  /** The core's reason: which container got the agent in which variable, or why none did. */
  reason: string;
}

/** One workload's line, as it has read since the transform first said why. */
export function decisionLine(d: Decision): string {
  return `${LINE_PREFIX}${d.workload} ${d.injected ? "instrumented" : "left alone"}: ${d.reason}`;
}

/** The diagnostic of a burst: the single line itself, or a summary line and then each workload's. */
export function burstMessage(decisions: readonly Decision[]): string {
  if (decisions.length === 1) return decisionLine(decisions[0]);
  const instrumented = decisions.filter((d) => d.injected).length;
  const head = `${LINE_PREFIX}${instrumented} of ${decisions.length} workloads instrumented, ${decisions.length - instrumented} left alone:`;
  return [head, ...decisions.map(decisionLine)].join("\n");
}

interface Burst {
  decisions: Decision[];
  send: (message: string) => Promise<void>;
  release: () => void;
  timer?: NodeJS.Timeout;
}

/** The burst being gathered, one per program (the SDK's async store; under the Node language host there is one). */
const bursts = new Map<unknown, Burst>();

function programStore(): unknown {
  const s = (globalThis as { asyncLocalStorage?: { getStore(): unknown } }).asyncLocalStorage;
  return s?.getStore?.();
}

/**
 * Adds a decision to the current burst. Call it in the program's context (the transform runs in it,
 * programContext.ts): the timer that sends the burst keeps that context, and with it the engine.
 */
export function logDecision(decision: Decision, send: (message: string) => Promise<void> = (m) => pulumi.log.info(m)): void {
  const key = programStore();
  let burst = bursts.get(key);
  if (!burst) {
    burst = { decisions: [], send, release: settings.rpcKeepAlive() };
    bursts.set(key, burst);
  }
  burst.decisions.push(decision);
  if (burst.timer) clearTimeout(burst.timer);
  const b = burst;
  b.timer = setTimeout(() => {
    bursts.delete(key);
    // A failed log is the SDK's to report; the keep-alive must be released either way.
    void b.send(burstMessage(b.decisions)).catch(() => undefined).finally(b.release);
  }, FLUSH_AFTER_MS);
}
