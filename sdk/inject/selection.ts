/**
 * Which containers of a pod get the agent, in which variable, and why: the
 * first JVM container by default (`select: auto`), else the first container of
 * unknown kind when the unknownContainers policy says `instrument`; every
 * workload's first container with `select: all` (the behaviour before JVM
 * detection); and the user's word over all of these (`containers` annotation,
 * `inject: "true"`).
 */
import type { Container, PodSpec } from "kubernetes-types/core/v1";
import { ANNOTATION_CONTAINERS, ANNOTATION_INJECT } from "./constants";
import { ImageConfig, ImageLookups } from "./image";
import { detectJvm, Evidence, JvmVerdict } from "./jvm";
import { chooseVariable, VariableChoice } from "./optionsVariable";
import type { EnvSources } from "./envSources";

/** `auto`: the first JVM container; `all`: the first container of every workload, JVM or not. */
export type SelectMode = "auto" | "all";
export const SELECT_MODES: readonly SelectMode[] = ["auto", "all"];
export const DEFAULT_SELECT: SelectMode = "auto";

/**
 * What a container with no evidence either way gets. `instrument` (default):
 * JAVA_TOOL_OPTIONS is read only by a JVM, so a non-JVM that gets it pays only
 * the agent's delivery (an init copy, or nearly nothing with an image volume),
 * while a missed JVM is a service silently absent from Pinpoint.
 */
export type UnknownPolicy = "instrument" | "skip";
export const UNKNOWN_POLICIES: readonly UnknownPolicy[] = ["instrument", "skip"];
export const DEFAULT_UNKNOWN_POLICY: UnknownPolicy = "instrument";

/** The ways to instrument a container of unknown kind, for every reason that skips one. */
export const UNKNOWN_FIX = `to instrument it, annotate the workload ${ANNOTATION_INJECT}: "true", or set the unknownContainers policy to instrument (--unknown-containers instrument, or stack config pinpoint:unknownContainers: instrument)`;

/** Why one container got the agent or not: one line per container, for reports and logs. */
export interface ContainerReason {
  container: string;
  instrumented: boolean;
  /** The variable the flags go in, when instrumented. */
  optionsEnv?: string;
  /** `manifest` when no image config was read (and why, in `reason`), `image` when it was. */
  evidence: Evidence;
  /** The verdict alone: `Tomcat: image tomcat:9`, `not a JVM: image redis:7.2 is a known non-JVM image`. */
  verdict: string;
  /** For an unknown container: why no image config could settle it (`; image config not read (…)`). */
  note?: string;
  /** The verdict, where the evidence came from, the variable, and why this container was chosen or not. */
  reason: string;
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
  /** What containers with no JVM evidence either way get (default instrument). */
  unknown?: UnknownPolicy;
  /** ConfigMap/Secret keys visible to the caller, and the workload's namespace, for envFrom look-ups. */
  envSources?: EnvSources;
  namespace?: string;
}

/** The image config the caller read, or the note on why there is none (for the reason). */
function imageOf(c: Container, images: ImageLookups | undefined): { config?: ImageConfig; note: string; failed?: true } {
  const lookup = c.image ? images?.[c.image] : undefined;
  if (!lookup) return { note: images ? "; image config not read (not among those read)" : "; image config not read (none asked for: --read-images or --image-config, or pinpoint:readImages)" };
  if (lookup.config) return { config: lookup.config, note: "" };
  return { note: `; image config not read (${lookup.error})`, failed: true };
}

function verdictText(v: JvmVerdict): string {
  if (v.outcome === "unknown") return `unknown: ${v.because}`;
  if (!v.jvm) return `not a JVM: ${v.because}`;
  const what = v.launcher === "tomcat" ? "Tomcat" : v.launcher === "server" ? "a packaged JVM server" : "JVM";
  return `${what}: ${v.because}`;
}

/** Decides, for every container of the pod, whether it is instrumented, in which variable, and why. */
export function planContainers(input: SelectionInput): Plan {
  const { spec, mode } = input;
  const judged = spec.containers.map((c) => {
    const image = imageOf(c, input.images);
    const verdict = detectJvm(c, image.config);
    // Why no image config was read: always when one was asked for and failed (the verdict then rests on the
    // manifest alone), otherwise only when the manifest could not decide.
    return { c, config: image.config, note: verdict.outcome === "unknown" || image.failed ? image.note : "", verdict };
  });
  const isApp = (v: JvmVerdict) => v.launcher === "tomcat" || v.launcher === "jvm";
  const policy = input.unknown ?? DEFAULT_UNKNOWN_POLICY;

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
    const firstUnknown = policy === "instrument" ? judged.find((j) => j.verdict.outcome === "unknown") : undefined;
    if (firstJvm) {
      chosen = [firstJvm];
      why = "the first JVM container";
    } else if (input.forced) {
      chosen = [firstUnknown ?? judged[0]];
      why = `forced by ${ANNOTATION_INJECT}: "true"`;
    } else if (firstUnknown) {
      chosen = [firstUnknown];
      why = "unknownContainers: instrument; JAVA_TOOL_OPTIONS is read only by a JVM";
    } else {
      chosen = [];
      why = "";
    }
  }

  const selected: Selected[] = chosen.map((j) => ({
    container: j.c,
    verdict: j.verdict,
    forced: !isApp(j.verdict) && j.verdict.outcome !== "unknown",
    variable: chooseVariable(j.c, j.verdict, input.optionsEnv, j.config, input.envSources, input.namespace),
  }));
  const firstChosen = chosen[0]?.c.name;
  const reasons: ContainerReason[] = judged.map((j) => {
    const pick = selected.find((s) => s.container === j.c);
    const verdict = verdictText(j.verdict);
    const base = `${verdict}${j.note}`;
    if (pick) {
      return {
        container: j.c.name,
        instrumented: true,
        optionsEnv: pick.variable.name,
        evidence: j.verdict.evidence,
        verdict,
        ...(j.note ? { note: j.note } : {}),
        reason: `${base} → ${pick.variable.name} (${why})`,
      };
    }
    const not = firstChosen
      ? isApp(j.verdict) || j.verdict.outcome === "unknown"
        ? `; not instrumented: ${firstChosen} is`
        : ""
      : j.verdict.outcome === "unknown"
        ? `; not instrumented (unknownContainers: skip): ${UNKNOWN_FIX}`
        : j.verdict.launcher === "server"
          ? `; not instrumented (a packaged server): to instrument it, annotate the workload ${ANNOTATION_INJECT}: "true" or name it in ${ANNOTATION_CONTAINERS}`
          : "";
    return { container: j.c.name, instrumented: false, evidence: j.verdict.evidence, verdict, ...(j.note ? { note: j.note } : {}), reason: `${base}${not}` };
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
  // The render table and the Pulumi log show this line: an unknown's missing image config belongs in it.
  if (done.length > 0) return done.map((r) => `${r.container}: ${r.verdict}${r.note ?? ""} → ${r.optionsEnv}`).join("; ");
  return `${NO_JVM_CONTAINER} (${reasons.map((r) => `${r.container}: ${r.verdict}${r.note ?? ""}`).join("; ")})`;
}
