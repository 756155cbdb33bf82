/**
 * What the Pinpoint agent adds to a JVM's start, as measured by the bench
 * (bench/agent.ts, part 6). Written by `npm run bench -- --only 6 --write`;
 * do not edit by hand. The probe budget check (probeBudget.ts) reads it.
 */

export interface AgentStartCost {
  /** Median spawn-to-first-response of the bench's app, without and with the agent, ms. */
  withoutMs: number;
  withMs: number;
  /** Median of the per-pair differences (agent minus none): wall time and JVM CPU time (user + system), ms. */
  addedWallMs: number;
  addedCpuMs: number;
  /** Number of alternating pairs the medians come from. */
  pairs: number;
}

/** Where and when the figures were measured, for the warning's wording. */
export const AGENT_START_COST_MEASURED = "not yet measured by bench part 6 (seed figures from the 5-pair run)";

/** Per kind of JVM: Tomcat (catalina.sh, CATALINA_OPTS) and any other JVM (JAVA_TOOL_OPTIONS). */
export const AGENT_START_COST: Record<"tomcat" | "plain", AgentStartCost> = {
  tomcat: { withoutMs: 2300, withMs: 7100, addedWallMs: 4800, addedCpuMs: 4800, pairs: 5 },
  plain: { withoutMs: 190, withMs: 4500, addedWallMs: 4300, addedCpuMs: 4300, pairs: 5 },
};
