/**
 * Quick start: the instrumented JVM compiles with C1 only
 * (`-XX:TieredStopAtLevel=1`, next to the agent's flags).
 *
 * Much of what the agent adds to a JVM's start is the C2 compiler working on
 * the agent's own bootstrap code (bench part 7 measured the CPU of a start
 * with the agent). C1-only code is slower in steady state, which a dev
 * cluster whose pods restart often may take and a load test should not: so
 * the option is off by default, and a container that already chooses its
 * JIT keeps its own choice (the JVM takes the last of two such flags, and ours
 * would come last).
 */
import type { Container } from "kubernetes-types/core/v1";
import type { ImageConfig } from "./image";
import { launchTexts } from "./launchTexts";

export const QUICK_START_FLAG = "-XX:TieredStopAtLevel=1";

/** Flags by which a JVM's command line or options variables choose how it compiles. */
const JIT_CHOICE = /(?:^|\s)(-XX:TieredStopAtLevel=\S*|-XX:[+-]TieredCompilation|-Xint|-Xcomp|-XX:[+-]UseJVMCICompiler)(?=\s|$)/;

/** The user's own JIT choice in what the container's JVM reads (launchTexts.ts); undefined: none. */
export function userJitChoice(c: Container, image?: ImageConfig): string | undefined {
  for (const { text } of launchTexts(c, image)) {
    const m = JIT_CHOICE.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** Whether flags this package added (a status record's options text) hold the quick-start flag. */
export function hasQuickStart(added: string | undefined): boolean {
  return added !== undefined && added.split(/\s+/).includes(QUICK_START_FLAG);
}
