/**
 * What the cluster shows about a workload's pods, and what it says about a
 * silent agent. Pure: the caller gathers the facts (kubectl, a test's pods).
 */
import { ANNOTATION_OPTIONS_ENV } from "../inject/constants";

/** One pod of a workload, as seen in the cluster. */
export interface PodEvidence {
  /** The workload: `<namespace>/<name>`. */
  workload: string;
  pod: string;
  ip?: string;
  /** Kubernetes pod phase: Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  /** The instrumented container's output (what `kubectl logs` shows). */
  containerLog?: string;
  /** The agent's own log files under its home (`…/logs`), joined; "" when the folder is empty. */
  agentLog?: string;
}

export interface Evidence {
  pods: PodEvidence[];
  /** The workloads (`<namespace>/<name>`) whose pods were looked for; absent: all of them. */
  examined?: string[];
}

/** The agent refusing an agentId or applicationName (its IdValidator's messages). */
export const ID_REJECTION = /invalid Id|can only contain|length of agent(Id|Name)|applicationName.*(too long|invalid)|cannot be greater than/i;
/** The agent's gRPC transport failing to reach the collector. */
export const COLLECTOR_UNREACHABLE = /UNAVAILABLE|Connection refused|UnknownHostException|connect timed out|No route to host/i;
/** The JVM read the options variable (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS announce it), or the agent started. */
const AGENT_LOADED = /PinpointBootStrap|Picked up (JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS):.*-javaagent:\S*pinpoint-bootstrap|pinpoint-bootstrap[^\n]*(start|load)|PinpointStarter|Pinpoint Agent|\[pinpoint\]/i;

/** One line of the log that matches, trimmed, as the evidence a reason quotes. */
function lastMatch(log: string | undefined, pattern: RegExp): string | undefined {
  if (!log) return undefined;
  // The latest line: what the agent says now, not at start-up.
  const line = log.split(/\r?\n/).reverse().find((l) => pattern.test(l));
  return line?.trim().slice(0, 200);
}

/**
 * Why a workload's agents are not reporting, most certain first: no pod; the
 * agent rejected an id; the collector is unreachable; the agent never loaded
 * (the launcher did not read the variable). Empty when the evidence says nothing.
 */
export function silentReasons(pods: readonly PodEvidence[], optionsVariables: readonly string[]): string[] {
  const running = pods.filter((p) => p.phase === "Running");
  if (running.length === 0) {
    return [pods.length === 0 ? "no pod of the workload exists" : `no pod running (${pods.map((p) => `${p.pod} ${p.phase}`).join(", ")})`];
  }
  const reasons: string[] = [];
  for (const p of running) {
    const logs = [p.agentLog, p.containerLog].filter((l): l is string => l !== undefined).join("\n");
    const rejected = lastMatch(logs, ID_REJECTION);
    if (rejected) {
      reasons.push(`the agent rejected an id or name in ${p.pod}: "${rejected}"`);
      continue;
    }
    const unreachable = lastMatch(logs, COLLECTOR_UNREACHABLE);
    if (unreachable) {
      reasons.push(`the agent in ${p.pod} cannot reach the collector: "${unreachable}"`);
      continue;
    }
    const loaded = (p.agentLog !== undefined && p.agentLog.trim() !== "") || AGENT_LOADED.test(p.containerLog ?? "");
    if (!loaded && p.agentLog !== undefined) {
      reasons.push(`the agent never loaded in ${p.pod}: no agent log, and the JVM did not announce it; its launcher does not read ${optionsVariables.join(" or ")}: point the ${ANNOTATION_OPTIONS_ENV} annotation at a variable it reads (every JVM reads JAVA_TOOL_OPTIONS)`);
    }
  }
  return [...new Set(reasons)];
}
