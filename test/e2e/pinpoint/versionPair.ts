/**
 * The versions the end to end really runs, held against the release it
 * renders and against upstream's agent/collector table (sdk/server/compatibility.ts).
 * Maven Central serves the agent and web of the rendered release but no
 * runnable 3.x collector (README "Real Pinpoint end to end" lists every
 * coordinate tried), so the collector run is 2.5.1: a pair upstream rejects.
 * That one exception is declared here and nowhere else; any other mismatch fails.
 */
import { checkVersionPair } from "../../../sdk/server/compatibility";
import type { Versions } from "./artifacts";

/** The one pair run that upstream's table rejects, and why it is run anyway. */
export const RUN_PAIR_EXCEPTION = {
  agent: "3.0.1",
  collector: "2.5.1",
  rendered: "3.0.1",
  reason: "Maven Central serves no runnable 3.0.x/3.1.x collector (README: coordinates tried); 2.5.1 is the newest it serves as a runnable jar",
} as const;

/** Throws when the run differs from the rendered release beyond the declared exception; returns the exception's note when it applies. */
export function checkRunVersions(rendered: string, run: Pick<Versions, "agent" | "collector" | "web">): string | undefined {
  if (run.web !== rendered) throw new Error(`the end to end runs web ${run.web}, and the stack renders PinpointServer ${rendered}: run the rendered release`);
  let rejected: string | undefined;
  try {
    checkVersionPair({ version: run.agent, key: "agentVersion" }, { version: run.collector, key: "version" });
  } catch (e) {
    rejected = (e as Error).message;
  }
  const exception = run.agent === RUN_PAIR_EXCEPTION.agent && run.collector === RUN_PAIR_EXCEPTION.collector && rendered === RUN_PAIR_EXCEPTION.rendered;
  if (run.collector === rendered && !rejected) return undefined;
  if (!exception) {
    throw new Error(
      rejected
        ? `the end to end runs agent ${run.agent} with collector ${run.collector}, a pair upstream rejects: ${rejected}`
        : `the end to end runs collector ${run.collector}, and the stack renders PinpointServer ${rendered}: run the rendered release`,
    );
  }
  return `EXCEPTION: collector ${run.collector} runs in place of the rendered ${rendered} with agent ${run.agent}, a pair upstream's table rejects (${rejected ?? "accepted"}); why: ${RUN_PAIR_EXCEPTION.reason}`;
}
