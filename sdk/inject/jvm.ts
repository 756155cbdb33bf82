/**
 * Is this container a JVM, and what launches it? Decided from the manifest
 * (image name and tag, command and args, env names, probes and hooks, mount
 * paths) and, when a caller read it from the registry, the image's own config
 * (Env, Entrypoint, Cmd). Rules are data: a row per signal, first match wins
 * within a kind, and every verdict carries the signal that decided it.
 */
import type { Container, Probe } from "kubernetes-types/core/v1";
import { ImageConfig, imageEnv, imageName, parseImageReference } from "./image";

/**
 * What starts the JVM, which decides the variable its flags go in:
 * `tomcat` runs catalina.sh (reads CATALINA_OPTS); `jvm` is any other JVM
 * (reads JAVA_TOOL_OPTIONS); `server` is a packaged third-party JVM server
 * (Kafka, Elasticsearch, our own collector…), instrumented only when forced;
 * `none` is not a JVM.
 */
export type Launcher = "tomcat" | "jvm" | "server" | "none";

/** Where the deciding signal came from. */
export type Evidence = "manifest" | "image";

export interface JvmVerdict {
  jvm: boolean;
  launcher: Launcher;
  evidence: Evidence;
  /** The signal that decided, for messages: `image eclipse-temurin:17-jre`, `command java -jar app.jar`. */
  because: string;
  /** The JDK's major version when something shows it (image env JAVA_VERSION, an image tag). */
  jdkMajor?: number;
}

interface NameRule {
  pattern: RegExp;
  launcher: Exclude<Launcher, "none">;
}

/** Images of a JDK or JRE alone, whose tag is the Java version (`eclipse-temurin:17-jre`). */
const JDK_IMAGE =
  /^(openjdk|java|jdk|jre|eclipse-temurin|temurin|amazoncorretto|corretto|ibm-semeru-runtimes|ibmjava|adoptopenjdk|sapmachine|zulu-openjdk(-\w+)?|zulu|liberica-openjdk-\w+|liberica-runtime-container|graalvm-ce|graalvm-community)$|^java\d+(-debian\d+)?$/;

/** Image names (the repository's last part) of JVM images. Tomcat first: it has its own variable. */
const IMAGE_NAME_RULES: readonly NameRule[] = [
  { pattern: /^(tomcat|tomee)$/, launcher: "tomcat" },
  // Packaged JVM servers: JVMs, but not the stack's own services; forcing instruments them.
  {
    pattern:
      /^(cp-)?(kafka|kafka-connect|zookeeper|schema-registry)$|^(elasticsearch|opensearch|logstash|cassandra|solr|jenkins|keycloak|sonarqube|nexus3|neo4j|activemq|activemq-artemis|artemis|flink|spark|hbase|trino|nifi)$|^pinpoint-(collector|web|batch|hbase|agent)$/,
    launcher: "server",
  },
  { pattern: JDK_IMAGE, launcher: "jvm" },
  { pattern: /^(jetty|wildfly|open-liberty|websphere-liberty|payara-server|server-full|glassfish|maven|gradle)$/, launcher: "jvm" },
];

/** Image tags that name a JVM: `17-jre`, `11-jdk-slim`, `8u392-jre`, `jre17`. */
const JVM_TAG = /(^|[-_.])(jre|jdk|openjdk|temurin|corretto)(\d+)?([-_.]|$)/;
/** Repository paths with a JVM folder: `mcr.microsoft.com/openjdk/jdk`, `jboss/wildfly`. */
const JVM_PATH = /(^|\/)(openjdk|jboss|wildfly|tomcat)\//;

/** Commands (a word of command, args or a shell script) and the launcher each means. */
const COMMAND_RULES: ReadonlyArray<{ pattern: RegExp; launcher: Exclude<Launcher, "none" | "server"> }> = [
  { pattern: /^(catalina(\.sh)?|startup\.sh)$/, launcher: "tomcat" },
  { pattern: /^(java|javaw|jshell|standalone\.sh|domain\.sh|jetty\.sh|start\.jar|mvn|mvnw|gradle|gradlew)$|\.jar$/, launcher: "jvm" },
  { pattern: /^-jar$|^spring-boot:run$/, launcher: "jvm" },
];

/** Env names only Tomcat's scripts define or read. */
const TOMCAT_ENV = /^CATALINA_(HOME|BASE|OPTS|TMPDIR|PID|OUT)$/;
/** Env names only JVMs and their launchers read; SPRING_* is Spring Boot's relaxed binding. */
const JVM_ENV = /^(JAVA_HOME|JAVA_VERSION|JAVA_OPTS|JAVA_OPTIONS|JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|JVM_OPTS|JVM_ARGS|JAVA_ARGS|MAVEN_OPTS|SPRING_[A-Z0-9_]+|JHIPSTER_[A-Z0-9_]+)$/;
/** A literal env value that holds JVM flags (`-Xmx512m`, `-XX:+UseG1GC`). */
const JVM_FLAG_VALUE = /(^|\s)(-Xm[sx]\d|-Xss\d|-XX:[+-]?\w)/;
/** Tools in a probe or lifecycle hook that only make sense beside a JVM (`pidof java`, `jcmd`). */
const JVM_TOOLS = /^(java|jps|jcmd|jstack|jmap|jstat)$/;
/** Spring Boot's actuator answers the probe. */
const ACTUATOR_PATH = /^\/(actuator|manage(ment)?)\/(health|info|liveness|readiness)/;
/** Mount paths that belong to Tomcat or to a JVM. */
const TOMCAT_PATH = /(^|\/)(tomcat|catalina)[^/]*(\/|$)/i;
const JVM_PATH_MOUNT = /(^|\/)(jboss|wildfly|jetty|liberty|wlp)(\/|$)|\.jar$|\/jvm\.options$/;

/** Shell punctuation that separates words of a `sh -c` script. */
const SHELL_SPLIT = /[\s;&|()`'"]+/;

interface Signal {
  launcher: Exclude<Launcher, "none">;
  because: string;
  evidence: Evidence;
}

/** The words of a command line, with `sh -c` scripts split too; basenames of paths. */
export function commandWords(parts: readonly string[]): string[] {
  return parts
    .flatMap((p) => p.split(SHELL_SPLIT))
    .filter((w) => w !== "")
    .map((w) => (w.includes("/") && !w.endsWith("/") ? w.slice(w.lastIndexOf("/") + 1) : w));
}

/** What Kubernetes runs: `command` replaces the image's Entrypoint, `args` its Cmd (and `command` alone drops Cmd). */
export function effectiveCommand(c: Container, config: ImageConfig | undefined): { words: string[]; fromImage: boolean } {
  const entrypoint = c.command ?? config?.Entrypoint ?? [];
  const args = c.args ?? (c.command ? [] : (config?.Cmd ?? []));
  // Some of it comes from the image when the manifest leaves the Entrypoint (and maybe Cmd) to it.
  const fromImage = c.command === undefined && ((config?.Entrypoint?.length ?? 0) > 0 || (c.args === undefined && (config?.Cmd?.length ?? 0) > 0));
  return { words: [...entrypoint, ...args], fromImage };
}

function commandSignal(words: readonly string[], evidence: Evidence): Signal | undefined {
  const split = commandWords(words);
  for (const rule of COMMAND_RULES) {
    const word = split.find((w) => rule.pattern.test(w));
    if (word) return { launcher: rule.launcher, because: `command runs ${word}`, evidence };
  }
  return undefined;
}

function imageSignal(image: string): Signal | undefined {
  const name = imageName(image);
  const ref = parseImageReference(image);
  for (const rule of IMAGE_NAME_RULES) {
    if (rule.pattern.test(name)) return { launcher: rule.launcher, because: `image ${image}`, evidence: "manifest" };
  }
  if (ref.tag && JVM_TAG.test(ref.tag)) return { launcher: "jvm", because: `image ${image} (a JVM tag)`, evidence: "manifest" };
  const path = ref.repository.replace(/^library\//, "");
  const folder = JVM_PATH.exec(path);
  if (folder) return { launcher: folder[2] === "tomcat" ? "tomcat" : "jvm", because: `image ${image}`, evidence: "manifest" };
  return undefined;
}

function envSignal(names: Iterable<string>, values: Iterable<string>, evidence: Evidence, where: string): Signal | undefined {
  const list = [...names];
  const tomcat = list.find((n) => TOMCAT_ENV.test(n));
  if (tomcat) return { launcher: "tomcat", because: `${where} ${tomcat}`, evidence };
  const jvm = list.find((n) => JVM_ENV.test(n));
  if (jvm) return { launcher: "jvm", because: `${where} ${jvm}`, evidence };
  for (const v of values) if (JVM_FLAG_VALUE.test(v)) return { launcher: "jvm", because: `${where} holds JVM flags`, evidence };
  return undefined;
}

function probes(c: Container): Array<[string, Probe | undefined]> {
  return [
    ["livenessProbe", c.livenessProbe],
    ["readinessProbe", c.readinessProbe],
    ["startupProbe", c.startupProbe],
  ];
}

/** `pidof java` in a preStop hook, `jcmd` in a probe, an actuator health path. */
function hookSignal(c: Container): Signal | undefined {
  const handlers: Array<[string, { exec?: { command?: string[] }; httpGet?: { path?: string } } | undefined]> = [
    ...probes(c),
    ["postStart hook", c.lifecycle?.postStart],
    ["preStop hook", c.lifecycle?.preStop],
  ];
  for (const [where, h] of handlers) {
    const tool = commandWords(h?.exec?.command ?? []).find((w) => JVM_TOOLS.test(w));
    if (tool) return { launcher: "jvm", because: `${where} runs ${tool}`, evidence: "manifest" };
    const path = h?.httpGet?.path;
    if (path && ACTUATOR_PATH.test(path)) return { launcher: "jvm", because: `${where} checks ${path}`, evidence: "manifest" };
  }
  return undefined;
}

function mountSignal(c: Container): Signal | undefined {
  for (const m of c.volumeMounts ?? []) {
    if (TOMCAT_PATH.test(m.mountPath)) return { launcher: "tomcat", because: `mount ${m.mountPath}`, evidence: "manifest" };
    if (JVM_PATH_MOUNT.test(m.mountPath)) return { launcher: "jvm", because: `mount ${m.mountPath}`, evidence: "manifest" };
  }
  return undefined;
}

/** `17.0.9`, `jdk-17.0.9+9`, `1.8.0_392`, `8u392`, a tag `17-jre` → 17 / 8. */
export function jdkMajorOf(version: string | undefined): number | undefined {
  if (!version) return undefined;
  const legacy = /(^|\D)1\.(\d+)\.\d/.exec(version);
  if (legacy) return Number(legacy[2]);
  const m = /(^|[^\d.])(\d{1,2})(u\d+|[.+_-]|$)/.exec(version);
  return m ? Number(m[2]) : undefined;
}

function jdkMajor(image: string, config: ImageConfig | undefined): number | undefined {
  const fromEnv = jdkMajorOf(imageEnv(config).get("JAVA_VERSION"));
  if (fromEnv !== undefined) return fromEnv;
  const tag = parseImageReference(image).tag ?? "";
  // A number tied to jre/jdk (`9.0-jdk17`: Tomcat 9 on Java 17); a JDK image's own tag (`17-jre`); `java17-debian12`.
  const tied = /(?:jre|jdk|java)-?(\d+)/.exec(tag) ?? /^java(\d+)/.exec(imageName(image));
  if (tied) return Number(tied[1]);
  return JDK_IMAGE.test(imageName(image)) ? jdkMajorOf(tag) : undefined;
}

/**
 * The verdict for one container. Any signal makes it a JVM. What launches it:
 * a packaged server's image first; then a command that runs `java` itself (an
 * app with an embedded Tomcat) unless the image names a JVM already; then any
 * Tomcat signal; then the image name; then the first signal found.
 */
export function detectJvm(c: Container, config?: ImageConfig): JvmVerdict {
  const image = c.image ?? "";
  const run = effectiveCommand(c, config);
  const manifestEnv = c.env ?? [];
  const fromImageEnv = imageEnv(config);
  const signals: Array<Signal | undefined> = [
    commandSignal(run.words, run.fromImage ? "image" : "manifest"),
    imageSignal(image),
    envSignal(manifestEnv.map((e) => e.name), manifestEnv.map((e) => e.value ?? ""), "manifest", "env"),
    config ? envSignal(fromImageEnv.keys(), fromImageEnv.values(), "image", "image env") : undefined,
    hookSignal(c),
    mountSignal(c),
  ];
  const found = signals.filter((s): s is Signal => s !== undefined);
  const major = jdkMajor(image, config);
  if (found.length === 0) {
    const runs = run.words.length > 0 ? `runs ${commandWords(run.words)[0]}` : "no java command";
    return { jvm: false, launcher: "none", evidence: config ? "image" : "manifest", because: `image ${image || "<none>"}, ${runs}` };
  }
  const [command, named] = signals;
  const server = found.find((s) => s.launcher === "server");
  const tomcat = found.find((s) => s.launcher === "tomcat");
  const javaCommand = command?.launcher === "jvm" && named?.launcher !== "jvm" ? command : undefined;
  const decided = server ?? javaCommand ?? tomcat ?? named ?? found[0];
  return { jvm: true, launcher: decided.launcher, evidence: decided.evidence, because: decided.because, jdkMajor: major };
}
