/**
 * What the Pinpoint agent adds to a JVM's start, as measured by the bench
 * (bench/agent.ts, part 6; QUICK_START_FACTOR from part 7). Written by `npm run bench -- --only 6,7 --write`;
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
export const AGENT_START_COST_MEASURED = "bench part 6, 2026-12-04, agent 3.0.1, 20/20 pairs (plain/Tomcat), limits.cpu 1, 2 cores, load average 3.21, 4.21, 3.69";

/** Per kind of JVM: Tomcat (catalina.sh, CATALINA_OPTS) and any other JVM (JAVA_TOOL_OPTIONS). */
export const AGENT_START_COST: Record<"tomcat" | "plain", AgentStartCost> = {
  tomcat: { withoutMs: 2218, withMs: 5941, addedWallMs: 3719, addedCpuMs: 3746, pairs: 20 },
  plain: { withoutMs: 220, withMs: 4058, addedWallMs: 3836, addedCpuMs: 3830, pairs: 20 },
};

/**
 * With quickStart (quickStart.ts): the median ratio of a start with the agent,
 * C1 only, to one with the agent as rendered (bench part 7, the plain app),
 * for wall time and CPU time. The probe budget check scales the agent's added
 * start-up by them.
 */
export const QUICK_START_FACTOR = { wall: 0.62, cpu: 0.62, rounds: 10, measured: "bench part 7, 2026-12-04, agent 3.0.1, 10 rounds, load average 2.18 to 2.04" };
