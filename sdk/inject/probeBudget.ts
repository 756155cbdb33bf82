/**
 * The probe budget check: will the kubelet restart an instrumented container
 * before the agent has let it start? A container's startupProbe (or, without
 * one, its livenessProbe) allows `initialDelaySeconds + periodSeconds ×
 * failureThreshold` seconds before the kubelet kills it; the agent adds its own
 * start-up to whatever the app needed, which the probe was tuned for. Read from
 * the injection record, so inject(), the CLI and the render table share it.
 */
import type { Container, Probe } from "kubernetes-types/core/v1";
import { AGENT_START_COST, AGENT_START_COST_MEASURED, AgentStartCost, QUICK_START_FACTOR } from "./agentStartCost";
import { quantityValue } from "./grammar";
import { TOMCAT_OPTIONS_ENV } from "./optionsVariable";
import { hasQuickStart } from "./quickStart";
import { readStatus } from "./status";
import { describeWorkload, podTemplateOf, Workload } from "./workload";

/** Kubernetes' defaults for the fields a probe leaves unset (core/v1 Probe). */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 } as const;
/**
 * Warn when the probe allows less than this many times the agent's added start-up:
 * the app then keeps less time for its own start than the agent takes.
 */
export const PROBE_HEADROOM = 2;
/** The period the suggested startupProbe uses. */
const SUGGESTED_PERIOD = 10;

export type JvmKind = keyof typeof AGENT_START_COST;
export type RestartProbe = "startupProbe" | "livenessProbe";

export interface ProbeBudget {
  probe: RestartProbe;
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
  /** initialDelaySeconds + periodSeconds × failureThreshold. */
  seconds: number;
}

export interface ProbeFinding {
  container: string;
  kind: JvmKind;
  budget: ProbeBudget;
  /** The agent's estimated added start-up for this container, ms (CPU limit included). */
  agentMs: number;
  /** limits.cpu in cores when it made the estimate larger than the measured wall time. */
  cpuLimited?: string;
  /** One line for the render table. */
  short: string;
  /** The whole warning, without the workload's name. */
  message: string;
}

/** A field's value, its default when unset, or undefined when it is not a number we can judge (an unresolved value). */
function field(p: Probe, key: keyof typeof PROBE_DEFAULTS): number | undefined {
  const v = (p as Record<string, unknown>)[key];
  if (v === undefined || v === null) return PROBE_DEFAULTS[key];
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** The time the probe that restarts the container allows before a restart; undefined: no such probe, or not judgeable. */
export function probeBudget(c: Container): ProbeBudget | undefined {
  // While a startupProbe runs, the kubelet holds the livenessProbe back: the startupProbe alone decides the start.
  const probe: RestartProbe | undefined = isProbe(c.startupProbe) ? "startupProbe" : isProbe(c.livenessProbe) ? "livenessProbe" : undefined;
  if (!probe) return undefined;
  const p = c[probe] as Probe;
  const initialDelaySeconds = field(p, "initialDelaySeconds");
  const periodSeconds = field(p, "periodSeconds");
  const failureThreshold = field(p, "failureThreshold");
  if (initialDelaySeconds === undefined || periodSeconds === undefined || failureThreshold === undefined) return undefined;
  return { probe, initialDelaySeconds, periodSeconds, failureThreshold, seconds: initialDelaySeconds + periodSeconds * failureThreshold };
}

const isProbe = (p: unknown): boolean => p !== null && typeof p === "object" && !Array.isArray(p);

/**
 * The agent's added start-up for a kind of JVM under a CPU limit: at least the
 * measured wall time, and at least its CPU time spread over the cores the
 * limit grants (CFS quota), whichever is longer.
 */
export function agentStartEstimate(cost: AgentStartCost, cpuLimit?: string | number): { ms: number; cores?: number } {
  const cores = cpuLimit === undefined ? undefined : quantityValue(cpuLimit);
  const byCpu = cores !== undefined && cores > 0 ? cost.addedCpuMs / cores : 0;
  return byCpu > cost.addedWallMs ? { ms: byCpu, cores } : { ms: cost.addedWallMs };
}

/** The agent's added start-up with quickStart: the measured cost scaled by part 7's ratios. */
export function quickStartCost(cost: AgentStartCost): AgentStartCost {
  return { ...cost, addedWallMs: Math.round(cost.addedWallMs * QUICK_START_FACTOR.wall), addedCpuMs: Math.round(cost.addedCpuMs * QUICK_START_FACTOR.cpu) };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const KIND_NAME: Record<JvmKind, string> = { tomcat: "Tomcat", plain: "JVM" };

/** The instrumented containers whose restart probe leaves too little time for the agent's start-up. */
export function probeBudgetFindings(workload: Workload, costs: Record<JvmKind, AgentStartCost> = AGENT_START_COST): ProbeFinding[] {
  const template = podTemplateOf(workload);
  const status = readStatus(template, describeWorkload(workload));
  if (!status) return [];
  const findings: ProbeFinding[] = [];
  for (const [name, record] of Object.entries(status.containers)) {
    const c = template?.spec?.containers?.find((x) => x.name === name);
    const budget = c && probeBudget(c);
    if (!budget) continue;
    const kind: JvmKind = record.options.name === TOMCAT_OPTIONS_ENV ? "tomcat" : "plain";
    const cpuLimit = (c.resources?.limits as Record<string, string | number> | undefined)?.cpu;
    const quick = hasQuickStart(record.options.appended ?? record.options.value);
    const cost = quick ? quickStartCost(costs[kind]) : costs[kind];
    const estimate = agentStartEstimate(cost, cpuLimit);
    if (budget.seconds * 1000 >= PROBE_HEADROOM * estimate.ms) continue;
    findings.push(finding(name, kind, budget, estimate, cpuLimit, cost, quick));
  }
  return findings;
}

function finding(container: string, kind: JvmKind, b: ProbeBudget, e: { ms: number; cores?: number }, cpuLimit: unknown, cost: AgentStartCost, quick: boolean): ProbeFinding {
  const arithmetic = `initialDelaySeconds ${b.initialDelaySeconds} + periodSeconds ${b.periodSeconds} × failureThreshold ${b.failureThreshold}`;
  const limited = e.cores !== undefined ? `, ${seconds(e.ms)} under limits.cpu ${String(cpuLimit)}` : "";
  // Enough for the start the probe was tuned for plus the agent's, with the same headroom.
  const target = Math.ceil(b.seconds + (PROBE_HEADROOM * e.ms) / 1000);
  const fix =
    b.probe === "startupProbe"
      ? `raise the startupProbe's failureThreshold to ${Math.ceil((target - b.initialDelaySeconds) / Math.max(b.periodSeconds, 1))} (${target} s)`
      : `add a startupProbe with the livenessProbe's check, periodSeconds ${SUGGESTED_PERIOD} and failureThreshold ${Math.ceil(target / SUGGESTED_PERIOD)} (${Math.ceil(target / SUGGESTED_PERIOD) * SUGGESTED_PERIOD} s; the livenessProbe waits for it)`;
  return {
    container,
    kind,
    budget: b,
    agentMs: e.ms,
    ...(e.cores !== undefined ? { cpuLimited: String(cpuLimit) } : {}),
    short: `${b.probe} allows ${b.seconds} s; agent start ~${seconds(e.ms)}: may restart in a loop`,
    message:
      `container "${container}": its ${b.probe} allows ${b.seconds} s before a restart (${arithmetic}), ` +
      `and the Pinpoint agent adds about ${seconds(cost.addedWallMs)} to a ${KIND_NAME[kind]} start (${AGENT_START_COST_MEASURED}${quick ? `; with quickStart, × ${QUICK_START_FACTOR.wall} from ${QUICK_START_FACTOR.measured}` : ""}${limited}), ` +
      `more than 1/${PROBE_HEADROOM} of it: the kubelet may restart the pod in a loop. Fix: ${fix}${quick ? "" : `; or shorten the agent's start with quickStart (C1 only: pinpoint:quickStart true, --quick-start)`}`,
  };
}

/** The findings as warnings naming the workload, as inject() and the CLI emit them. */
export function probeBudgetWarnings(workload: Workload, where = describeWorkload(workload)): string[] {
  return probeBudgetFindings(workload).map((f) => `${where}: ${f.message}`);
}
