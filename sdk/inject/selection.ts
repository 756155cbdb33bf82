/**
 * Which containers of a pod get the agent, in which variable, and why: the
 * first JVM container by default (`select: auto`), every workload's first
 * container with `select: all` (the behaviour before JVM detection), and the
 * user's word over both (`containers` annotation, `inject: "true"`).
 */
import type { Container, PodSpec } from "kubernetes-types/core/v1";
import { ANNOTATION_CONTAINERS, ANNOTATION_INJECT } from "./constants";
import { ImageConfig, ImageLookups } from "./image";
import { detectJvm, Evidence, JvmVerdict } from "./jvm";
import { chooseVariable, VariableChoice } from "./optionsVariable";

/** `auto`: the first JVM container; `all`: the first container of every workload, JVM or not. */
export type SelectMode = "auto" | "all";
export const SELECT_MODES: readonly SelectMode[] = ["auto", "all"];
export const DEFAULT_SELECT: SelectMode = "auto";

/** Why one container got the agent or not: one line per container, for reports and logs. */
export interface ContainerReason {
  container: string;
  instrumented: boolean;
  /** The variable the flags go in, when instrumented. */
  optionsEnv?: string;
  /** `manifest` when no image config was read (and why, in `reason`), `image` when it was. */
  evidence: Evidence;
  /** The verdict alone: `Tomcat: image tomcat:9`, `not a JVM: image redis:7.2, no java command`. */
  verdict: string;
  /** The verdict, where the evidence came from, the variable, and why this container was chosen or not. */
  reason: string;
  /** Why the image config was asked for but not read: ` (manifest rules: registry … unreachable: …)`. */
  imageNote?: string;
}

/** A container to instrument, with the variable chosen for it. */
export interface Selected {
  container: Container;
  variable: VariableChoice;
  verdict: JvmVerdict;
  forced: boolean;
}

export interface Plan {
  selected: Selected[];
  reasons: ContainerReason[];
}

export interface SelectionInput {
  spec: PodSpec;
  mode: SelectMode;
  /** Names from the `containers` annotation or the defaultContainers option: forced, no JVM check. */
  named?: Container[];
  /** `inject: "true"` on the workload: instrument even when no container looks like a JVM. */
  forced: boolean;
  /** The variable from the annotation or the config (`auto` or undefined: by launcher). */
  optionsEnv: string | undefined;
  images?: ImageLookups;
}

/** The image config the caller read, or the note on why there is none (for the reason). */
function imageOf(c: Container, images: ImageLookups | undefined): { config?: ImageConfig; note: string } {
  const lookup = c.image ? images?.[c.image] : undefined;
  if (!lookup) return { note: "" };
  if (lookup.config) return { config: lookup.config, note: "" };
  return { note: ` (manifest rules: ${lookup.error})` };
}

function verdictText(v: JvmVerdict): string {
  if (!v.jvm) return `not a JVM: ${v.because}`;
  const what = v.launcher === "tomcat" ? "Tomcat" : v.launcher === "server" ? "a packaged JVM server" : "JVM";
  return `${what}: ${v.because}`;
}

/** Decides, for every container of the pod, whether it is instrumented, in which variable, and why. */
export function planContainers(input: SelectionInput): Plan {
  const { spec, mode } = input;
  const judged = spec.containers.map((c) => {
    const image = imageOf(c, input.images);
    return { c, config: image.config, note: image.note, verdict: detectJvm(c, image.config) };
  });
  const isApp = (v: JvmVerdict) => v.launcher === "tomcat" || v.launcher === "jvm";

  let chosen: typeof judged;
  let why: string;
  if (input.named) {
    chosen = judged.filter((j) => input.named!.includes(j.c));
    why = `named by ${ANNOTATION_CONTAINERS}`;
  } else if (mode === "all") {
    chosen = judged.slice(0, 1);
    why = "the first container (select: all)";
  } else {
    const firstJvm = judged.find((j) => isApp(j.verdict));
    chosen = firstJvm ? [firstJvm] : input.forced ? judged.slice(0, 1) : [];
    why = firstJvm ? "the first JVM container" : `forced by ${ANNOTATION_INJECT}: "true"`;
  }

  const selected: Selected[] = chosen.map((j) => ({
    container: j.c,
    verdict: j.verdict,
    forced: !isApp(j.verdict),
    variable: chooseVariable(j.c, j.verdict, input.optionsEnv, j.config),
  }));
  const firstChosen = chosen[0]?.c.name;
  const reasons: ContainerReason[] = judged.map((j) => {
    const pick = selected.find((s) => s.container === j.c);
    const verdict = verdictText(j.verdict);
    const base = `${verdict}${j.note}`;
    const imageNote = j.note === "" ? {} : { imageNote: j.note };
    if (pick) {
      return {
        container: j.c.name,
        instrumented: true,
        optionsEnv: pick.variable.name,
        evidence: j.verdict.evidence,
        verdict,
        reason: `${base} → ${pick.variable.name} (${why})`,
        ...imageNote,
      };
    }
    const not = isApp(j.verdict) && firstChosen ? `; not instrumented: ${firstChosen} is` : "";
    return { container: j.c.name, instrumented: false, evidence: j.verdict.evidence, verdict, reason: `${base}${not}`, ...imageNote };
  });
  return { selected, reasons };
}

/** Starts the one-line reason of a workload left alone for want of a JVM. */
export const NO_JVM_CONTAINER = "no JVM container";

/**
 * One short line for a whole workload: what was instrumented and in which variable, or why nothing was;
 * an image config that was asked for and not read says so, since the verdict then rests on the manifest.
 */
export function summarise(reasons: readonly ContainerReason[]): string {
  const done = reasons.filter((r) => r.instrumented);
  const judged = (r: ContainerReason) => `${r.container}: ${r.verdict}${r.imageNote ?? ""}`;
  if (done.length > 0) return done.map((r) => `${judged(r)} → ${r.optionsEnv}`).join("; ");
  return `${NO_JVM_CONTAINER} (${reasons.map(judged).join("; ")})`;
}
