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
import { EnvSources, lookUpSource } from "./envSources";

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
  // Elasticsearch, OpenSearch, Logstash unset JAVA_TOOL_OPTIONS: their own variable or nothing.
  if (v.launcherEnv) return [v.launcherEnv];
  const jdk9 = v.jdkMajor !== undefined && v.jdkMajor >= JDK_OPTIONS_SINCE ? [JDK_OPTIONS_ENV] : [];
  if (v.launcher === "tomcat") return [TOMCAT_OPTIONS_ENV, JVM_OPTIONS_ENV, ...jdk9];
  // Helper JVMs in probes/hooks read JAVA_TOOL_OPTIONS too; on JDK 9+ only `java` itself reads JDK_JAVA_OPTIONS.
  if (v.helperJvms && jdk9.length > 0 && v.helperJvms.every((h) => !/ runs (java|nodetool|kafka-)/.test(h))) return [...jdk9, JVM_OPTIONS_ENV];
  return [JVM_OPTIONS_ENV, ...jdk9];
}

/** Why writing a variable would hide a value: the text, and whether the source could be seen at all. */
export interface Hidden {
  text: string;
  /** An envFrom source that is not in the input/stack: it may or may not set the variable. */
  unseen?: boolean;
  /** The envFrom source sets it (seen): an entry `$(NAME) …` keeps its value. */
  fromEnvFrom?: boolean;
}

/**
 * Why writing `name` in the container's env would hide a value, or undefined
 * when it hides nothing. envFrom sources are looked up where visible (the same
 * input, the stack so far): one without the key hides nothing.
 */
export function hiddenBy(c: Container, name: string, config: ImageConfig | undefined, sources?: EnvSources, namespace?: string): Hidden | undefined {
  const idx = indexOfEnv(c.env, name);
  if (idx >= 0) {
    // The user's own entry: appended to when literal; valueFrom is the caller's onValueFrom policy.
    return c.env![idx].valueFrom ? { text: `env ${name} comes from valueFrom` } : undefined;
  }
  // Later envFrom sources win over earlier ones: the last that sets it is the one that counts.
  for (const source of [...(c.envFrom ?? [])].reverse()) {
    const prefix = source.prefix ?? "";
    if (!name.startsWith(prefix)) continue;
    const kind = source.configMapRef ? "ConfigMap" : "Secret";
    const refName = source.configMapRef?.name ?? source.secretRef?.name ?? "";
    const ref = `${kind} ${refName}${prefix ? ` (prefix ${prefix})` : ""}`;
    const keys = lookUpSource(sources, kind, refName, namespace);
    if (keys === undefined) return { text: `envFrom ${ref} is not in the input or declared earlier in the stack, so it may set ${name}`, unseen: true };
    if (keys.includes(name.slice(prefix.length))) return { text: `envFrom ${ref} sets ${name}`, fromEnvFrom: true };
  }
  if (imageEnv(config).has(name)) return { text: `the image sets ${name}` };
  return undefined;
}

export interface VariableChoice {
  name: string;
  /** Set when the variable would hide a value: the reason, for an error or a skip. */
  hides?: string;
  /** The value it would hide comes from an envFrom source that is not visible. */
  unseen?: boolean;
  /** The value comes from a visible envFrom source: write `$(NAME) <flags>` to keep it. */
  keepEnvFrom?: boolean;
  /** `auto` picked it (else config or annotation). */
  auto: boolean;
}

/**
 * The variable for one container: the explicit one (annotation, then config)
 * when given, else the first of the launcher's variables that hides nothing
 * (else the first, with what it would hide).
 */
export function chooseVariable(
  c: Container,
  verdict: JvmVerdict,
  explicit: string | undefined,
  config: ImageConfig | undefined,
  sources?: EnvSources,
  namespace?: string,
): VariableChoice {
  const choice = (name: string, auto: boolean): VariableChoice => {
    const h = hiddenBy(c, name, config, sources, namespace);
    if (!h) return { name, auto };
    // A visible envFrom value is kept by `$(NAME)`: Kubernetes expands it from envFrom, defined before env.
    if (h.fromEnvFrom) return { name, auto, keepEnvFrom: true };
    return { name, auto, hides: h.text, ...(h.unseen ? { unseen: true } : {}) };
  };
  if (explicit !== undefined && explicit !== OPTIONS_ENV_AUTO) return choice(explicit, false);
  const candidates = candidateVariables(verdict).map((n) => choice(n, true));
  return candidates.find((x) => !x.hides && !x.keepEnvFrom) ?? candidates.find((x) => !x.hides) ?? {
    ...candidates[0],
    hides: candidates.map((x) => x.hides).join("; "),
    unseen: candidates.some((x) => x.unseen),
  };
}

/** The message for a variable that would hide the user's value: why, and the ways out. */
export function hiddenProblem(containerName: string, choice: VariableChoice, optOut: string): string {
  return (
    `container "${containerName}": the agent flags would go in ${choice.name}, but ${choice.hides}, and an env entry would hide that value: ` +
    `declare ${choice.name} in the container's env yourself (a literal, to which the flags are appended; "$(${choice.name})" keeps what envFrom gives), ` +
    `name a free variable with the ${ANNOTATION_OPTIONS_ENV} annotation, skip such containers with the onValueFrom policy skip (--on-value-from skip, or stack config pinpoint:onValueFrom: skip), or opt out with ${optOut}`
  );
}
