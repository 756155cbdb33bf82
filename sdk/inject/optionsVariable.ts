/**
 * Which variable carries the agent flags, and whether writing it would hide
 * a value the user already gets elsewhere.
 *
 * Kubernetes builds a container's environment from `envFrom` first (each key
 * with the source's `prefix`), then `env` in order; an `env` entry replaces an
 * `envFrom` key of the same name, and `$(NAME)` in a value expands from what is
 * defined by then, `envFrom` keys included (kubelet makeEnvironmentVariables).
 * The image's own ENV is applied by the runtime underneath all of that, so any
 * `env` entry hides it, and `$(NAME)` never sees it.
 */
import type { Container } from "kubernetes-types/core/v1";
import { ANNOTATION_OPTIONS_ENV, OPTIONS_ENV_AUTO } from "./constants";
import { indexOfEnv } from "./env";
import { ImageConfig, imageEnv } from "./image";
import type { JvmVerdict } from "./jvm";

/** catalina.sh adds it to the java command of `start` and `run` only (the seed's variable). */
export const TOMCAT_OPTIONS_ENV = "CATALINA_OPTS";
/** Read by every JVM itself, no launcher script between. */
export const JVM_OPTIONS_ENV = "JAVA_TOOL_OPTIONS";
/** Read by the `java` launcher of JDK 9 and later: the fallback when JAVA_TOOL_OPTIONS is taken. */
export const JDK_OPTIONS_ENV = "JDK_JAVA_OPTIONS";
/** The first JDK whose `java` launcher reads JDK_JAVA_OPTIONS. */
const JDK_OPTIONS_SINCE = 9;

/** Variables in order of preference for a launcher (auto). */
export function candidateVariables(v: JvmVerdict): string[] {
  const jdk9 = v.jdkMajor !== undefined && v.jdkMajor >= JDK_OPTIONS_SINCE ? [JDK_OPTIONS_ENV] : [];
  if (v.launcher === "tomcat") return [TOMCAT_OPTIONS_ENV, JVM_OPTIONS_ENV, ...jdk9];
  return [JVM_OPTIONS_ENV, ...jdk9];
}

/** Why writing `name` in the container's env would hide a value, or undefined when it hides nothing. */
export function hiddenBy(c: Container, name: string, config: ImageConfig | undefined): string | undefined {
  const idx = indexOfEnv(c.env, name);
  if (idx >= 0) {
    // The user's own entry: appended to when literal; valueFrom is the caller's onValueFrom policy.
    return c.env![idx].valueFrom ? `env ${name} comes from valueFrom` : undefined;
  }
  const source = (c.envFrom ?? []).find((s) => name.startsWith(s.prefix ?? ""));
  if (source) {
    const ref = source.configMapRef ? `ConfigMap ${source.configMapRef.name}` : `Secret ${source.secretRef?.name}`;
    return `envFrom ${ref}${source.prefix ? ` (prefix ${source.prefix})` : ""} may set ${name}`;
  }
  if (imageEnv(config).has(name)) return `the image sets ${name}`;
  return undefined;
}

export interface VariableChoice {
  name: string;
  /** Set when the variable would hide a value: the reason, for an error or a skip. */
  hides?: string;
  /** `auto` picked it (else config or annotation). */
  auto: boolean;
}

/**
 * The variable for one container: the explicit one (annotation, then config)
 * when given, else the first of the launcher's variables that hides nothing
 * (else the first, with what it would hide).
 */
export function chooseVariable(c: Container, verdict: JvmVerdict, explicit: string | undefined, config: ImageConfig | undefined): VariableChoice {
  if (explicit !== undefined && explicit !== OPTIONS_ENV_AUTO) {
    return { name: explicit, hides: hiddenBy(c, explicit, config), auto: false };
  }
  const candidates = candidateVariables(verdict);
  for (const name of candidates) {
    if (!hiddenBy(c, name, config)) return { name, auto: true };
  }
  return { name: candidates[0], hides: candidates.map((n) => hiddenBy(c, n, config)).join("; "), auto: true };
}

/** The message for a variable that would hide the user's value: why, and the ways out. */
export function hiddenProblem(containerName: string, choice: VariableChoice, optOut: string): string {
  return (
    `container "${containerName}": the agent flags would go in ${choice.name}, but ${choice.hides}, and an env entry would hide that value: ` +
    `declare ${choice.name} in the container's env yourself (a literal, to which the flags are appended; "$(${choice.name})" keeps what envFrom gives), ` +
    `name a free variable with the ${ANNOTATION_OPTIONS_ENV} annotation, or opt out with ${optOut}`
  );
}
