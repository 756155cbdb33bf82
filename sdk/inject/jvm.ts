/**
 * Is this container a JVM, and what launches it? Three outcomes, each with the
 * evidence: a JVM (and which launcher), not a JVM (positive evidence: a known
 * non-JVM image or command, a native build, or an image config that says
 * nothing of Java), or unknown (no evidence either way: most real manifests
 * name an in-house image and nothing else). Decided from the manifest (image
 * name and tag, command and args, env names and values, probes and hooks,
 * mount paths) and, when a caller read it (registry or file), the image's own
 * config (Env, Entrypoint, Cmd, Labels). Rules are data: a row per signal.
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

/** The three outcomes: a policy (unknownContainers) decides what `unknown` gets. */
export type JvmOutcome = "jvm" | "not-jvm" | "unknown";

export interface JvmVerdict {
  outcome: JvmOutcome;
  /** `outcome === "jvm"`. */
  jvm: boolean;
  launcher: Launcher;
  /**
   * The one variable this launcher reads for JVM flags, where it drops
   * JAVA_TOOL_OPTIONS (Elasticsearch's ES_JAVA_OPTS…); undefined: the usual ones.
   */
  launcherEnv?: string;
  /** Exec probes or hooks that start a JVM of their own (`nodetool`, `java -version`): they read JAVA_TOOL_OPTIONS too. */
  helperJvms?: string[];
  evidence: Evidence;
  /** The signal that decided, for messages: `image eclipse-temurin:17-jre`, `command java -jar app.jar`. */
  because: string;
  /** The JDK's major version when something shows it (image env JAVA_VERSION, an image tag). */
  jdkMajor?: number;
}

interface NameRule {
  pattern: RegExp;
  launcher: Exclude<Launcher, "none">;
  launcherEnv?: string;
}

/**
 * Launchers that unset JAVA_TOOL_OPTIONS before starting the JVM (each prints
 * "warning: ignoring JAVA_TOOL_OPTIONS") and read their own variable instead.
 * Matched on the image name and on a command word.
 */
const OWN_VARIABLE_LAUNCHERS: ReadonlyArray<{ image: RegExp; command: RegExp; env: string }> = [
  { image: /(^|[-_])elasticsearch([-_]|$)/, command: /^elasticsearch$/, env: "ES_JAVA_OPTS" },
  { image: /(^|[-_])opensearch([-_]|$)/, command: /^opensearch$/, env: "OPENSEARCH_JAVA_OPTS" },
  { image: /(^|[-_])logstash([-_]|$)/, command: /^logstash$/, env: "LS_JAVA_OPTS" },
];

/** Images of a JDK or JRE alone, whose tag is the Java version (`eclipse-temurin:17-jre`). */
const JDK_IMAGE =
  /^(openjdk|java|jdk|jre|eclipse-temurin|temurin|amazoncorretto|corretto|ibm-semeru-runtimes|ibmjava|adoptopenjdk|sapmachine|zulu-openjdk(-\w+)?|zulu|liberica-openjdk-\w+|liberica-runtime-container|graalvm-ce|graalvm-community)$|^java\d+(-debian\d+)?$/;

/** Image names (the repository's last part) of JVM images. Tomcat first: it has its own variable. */
const IMAGE_NAME_RULES: readonly NameRule[] = [
  { pattern: /^(tomcat|tomee)$/, launcher: "tomcat" },
  ...OWN_VARIABLE_LAUNCHERS.map((l) => ({ pattern: l.image, launcher: "server" as const, launcherEnv: l.env })),
  // Packaged JVM servers: JVMs, but not the stack's own services; forcing instruments them.
  {
    pattern:
      /^(cp-)?(kafka|kafka-connect|zookeeper|schema-registry)$|^(elasticsearch|opensearch|logstash|cassandra|solr|jenkins|keycloak|sonarqube|nexus3|neo4j|activemq|activemq-artemis|artemis|flink|spark|hbase|trino|nifi)$|^pinpoint-(collector|web|batch|hbase|agent)$/,
    launcher: "server",
  },
  { pattern: JDK_IMAGE, launcher: "jvm" },
  { pattern: /^(jetty|wildfly|open-liberty|websphere-liberty|payara-server|server-full|glassfish|maven|gradle)$/, launcher: "jvm" },
];

/**
 * Images that are positively not a JVM: official database, cache, broker,
 * proxy and language-runtime images, and a few well-known Go/C servers. The
 * repository's last part, as IMAGE_NAME_RULES.
 */
const NOT_JVM_IMAGE =
  /^(postgres|postgis|mysql|mariadb|percona(-server)?|percona_xtradb_cluster.*|mongo|mongodb|mongodb-community-server|redis|redis-stack-server|valkey|keydb|memcached|rabbitmq|nats|nginx|nginx-unprivileged|openresty|httpd|haproxy|traefik|caddy|envoy|proxyv2|pilot|node|python|pypy|golang|ruby|php|perl|rust|dotnet|runtime|aspnet|runtime-deps|busybox|etcd|minio|cockroach|consul|vault|prometheus|alertmanager|grafana|loki|promtail|jaeger|all-in-one|opentelemetry-collector(-contrib)?|otel-collector|influxdb|telegraf|clickhouse-server|couchdb|rethinkdb|registry|coredns|ghost|wordpress|drupal|nextcloud|mailhog|mailpit|adminer|phpmyadmin|pgadmin4|locust|kube-state-metrics|node-exporter|pushgateway|fluent-bit|fluentd|vector|memgraph|typesense|meilisearch|qdrant|milvus|dragonfly)$/;
/** Native builds of JVM software (GraalVM native-image, Quarkus native, `apache/kafka-native`). */
const NATIVE_BUILD = /(^|[-_.])native([-_.]|$)|(^|[-_.])graalvm-native/;
/**
 * Executables that are positively not a JVM: language runtimes, their servers
 * and the daemons of the images above (`cqlsh` is Python, whatever the base image).
 */
const NOT_JVM_COMMAND =
  /^(python[0-9.]*|pypy3?|gunicorn|uvicorn|hypercorn|daphne|celery|flask|django-admin|locust|cqlsh|node|nodejs|npm|npx|yarn|pnpm|deno|bun|ruby|rails|puma|unicorn|bundle|php|php-fpm|perl|dotnet|nginx|openresty|httpd|apache2|haproxy|envoy|caddy|traefik|redis-server|redis-sentinel|postgres|mongod|mongos|mysqld|mysqld_safe|mariadbd|memcached|rabbitmq-server|etcd|minio|consul|vault|prometheus|grafana-server|pilot-agent)$/;

/** Image tags that name a JVM: `17-jre`, `11-jdk-slim`, `8u392-jre`, `jre17`. */
const JVM_TAG = /(^|[-_.])(jre|jdk|openjdk|temurin|corretto)(\d+)?([-_.]|$)/;
/** Repository paths with a JVM folder: `mcr.microsoft.com/openjdk/jdk`, `jboss/wildfly`. */
const JVM_PATH = /(^|\/)(openjdk|jboss|wildfly|tomcat)\//;

/** Commands (a word of command, args or a shell script) and the launcher each means. */
const COMMAND_RULES: ReadonlyArray<{ pattern: RegExp; launcher: Exclude<Launcher, "none">; launcherEnv?: string }> = [
  { pattern: /^(catalina(\.sh)?|startup\.sh)$/, launcher: "tomcat" },
  ...OWN_VARIABLE_LAUNCHERS.map((l) => ({ pattern: l.command, launcher: "server" as const, launcherEnv: l.env })),
  // Packaged servers' own start scripts: JVMs, instrumented only when forced.
  { pattern: /^(kafka-server-start(\.sh)?|zookeeper-server-start(\.sh)?|zkServer\.sh|connect-distributed(\.sh)?|cassandra|solr|jenkins\.war|kc\.sh|flink|jobmanager\.sh|taskmanager\.sh|spark-class|spark-submit|start-master(\.sh)?|start-worker(\.sh)?|hbase)$/, launcher: "server" },
  { pattern: /^(java|javaw|jshell|standalone\.sh|domain\.sh|jetty\.sh|start\.jar|mvn|mvnw|gradle|gradlew)$|\.jar$/, launcher: "jvm" },
  { pattern: /^-jar$|^spring-boot:run$/, launcher: "jvm" },
];

/** Env names only Tomcat's scripts define or read. */
const TOMCAT_ENV = /^CATALINA_(HOME|BASE|OPTS|TMPDIR|PID|OUT)$/;
/** Env names only JVMs and their launchers read; SPRING_* is Spring Boot's relaxed binding. */
const JVM_ENV = /^(JAVA_HOME|JAVA_VERSION|JAVA_OPTS|JAVA_OPTIONS|JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|JVM_OPTS|JVM_ARGS|JAVA_ARGS|MAVEN_OPTS|SPRING_[A-Z0-9_]+|JHIPSTER_[A-Z0-9_]+)$/;
/** Variables named for a launcher's JVM options: `APP_OPTS`, `KAFKA_OPTS`, `SERVICE_JAVA_OPTS`. */
const OPTS_NAME = /^[A-Z][A-Z0-9_]*_(JAVA_|JVM_)?OPTS$/;
/** A `-Dkey=value` system property, as a JVM option list holds it. */
const SYSTEM_PROPERTY = /(^|\s)-D[A-Za-z_][\w.-]*(=|\s|$)/;
/** A literal env value that holds JVM flags (`-Xmx512m`, `-XX:+UseG1GC`). */
const JVM_FLAG_VALUE = /(^|\s)(-Xm[sx]\d|-Xss\d|-XX:[+-]?\w)/;
/** Tools in a probe or lifecycle hook that only make sense beside a JVM (`pidof java`, `jcmd`). */
const JVM_TOOLS = /^(java|jps|jcmd|jstack|jmap|jstat|nodetool)$/;
/**
 * Tools that start a JVM of their own, which reads JAVA_TOOL_OPTIONS too (a
 * second agent with the same agentId). `pidof java` only names java.
 */
const HELPER_JVM_TOOLS = /^(java|jps|jcmd|jstack|jmap|jstat|jinfo|keytool|nodetool|cqlsh-java|kafka-[a-z-]+\.sh|zkCli\.sh|kafka-topics|kafka-broker-api-versions(\.sh)?)$/;
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
  launcherEnv?: string;
}

/** Positive evidence of no JVM. */
interface NotSignal {
  because: string;
  evidence: Evidence;
}

/** Open Liberty's and WebSphere Liberty's `server run` (a bare `server` word is too common: `minio server`). */
const LIBERTY_SERVER = /(^|\/)wlp\/bin\/server$/;

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

/** Words that only wrap the real executable: `sh -c`, `exec`, `tini --`, `dumb-init`. */
const WRAPPER = /^(sh|bash|ash|dash|zsh|-c|-ec|-ecx|-ex|-e|-x|exec|env|tini|dumb-init|--|gosu|su-exec|nohup|time)$/;

/** The executable a command line starts: its first word that is no wrapper and no `NAME=value`. */
function executableOf(words: readonly string[]): string | undefined {
  return commandWords(words).find((w) => !WRAPPER.test(w) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
}

function ruleSignal(split: readonly string[], servers: boolean, evidence: Evidence): Signal | undefined {
  for (const rule of COMMAND_RULES) {
    if ((rule.launcher === "server") !== servers) continue;
    const word = split.find((w) => rule.pattern.test(w));
    if (word) return { launcher: rule.launcher, because: `command runs ${word}`, evidence, launcherEnv: rule.launcherEnv };
  }
  return undefined;
}

/**
 * A command that starts a JVM: `java`, a jar, Tomcat's or another app
 * server's script anywhere in it; else a packaged server's launcher
 * (`cassandra`, `elasticsearch`) unless the executable is a known non-JVM one
 * (`cqlsh cassandra -f schema.cql` is Python).
 */
function commandSignal(words: readonly string[], evidence: Evidence): Signal | undefined {
  const split = commandWords(words);
  const strong = ruleSignal(split, false, evidence);
  if (strong) return strong;
  const liberty = words.flatMap((p) => p.split(SHELL_SPLIT)).find((w) => LIBERTY_SERVER.test(w));
  if (liberty) return { launcher: "jvm", because: `command runs ${liberty}`, evidence };
  const exe = executableOf(words);
  if (exe && NOT_JVM_COMMAND.test(exe)) return undefined;
  return ruleSignal(split, true, evidence);
}

/** A command that runs a known non-JVM executable (and no JVM: commandSignal is asked first). */
function notJvmCommand(words: readonly string[], evidence: Evidence): NotSignal | undefined {
  const word = commandWords(words).find((w) => !w.startsWith("-") && NOT_JVM_COMMAND.test(w));
  return word ? { because: `command runs ${word}`, evidence } : undefined;
}

/** A known non-JVM image, or a native build of JVM software. */
function notJvmImage(image: string): NotSignal | undefined {
  const name = imageName(image);
  const ref = parseImageReference(image);
  if (NATIVE_BUILD.test(name) || (ref.tag !== undefined && NATIVE_BUILD.test(ref.tag))) return { because: `image ${image} is a native build`, evidence: "manifest" };
  // Microsoft's .NET images live under dotnet/ (mcr.microsoft.com/dotnet/runtime).
  if (NOT_JVM_IMAGE.test(name) && (name !== "runtime" && name !== "aspnet" && name !== "runtime-deps" ? true : ref.repository.includes("dotnet/"))) {
    return { because: `image ${image} is a known non-JVM image`, evidence: "manifest" };
  }
  return undefined;
}

function imageSignal(image: string): Signal | undefined {
  const name = imageName(image);
  const ref = parseImageReference(image);
  for (const rule of IMAGE_NAME_RULES) {
    if (rule.pattern.test(name)) return { launcher: rule.launcher, because: `image ${image}`, evidence: "manifest", launcherEnv: rule.launcherEnv };
  }
  if (ref.tag && JVM_TAG.test(ref.tag)) return { launcher: "jvm", because: `image ${image} (a JVM tag)`, evidence: "manifest" };
  const path = ref.repository.replace(/^library\//, "");
  const folder = JVM_PATH.exec(path);
  if (folder) return { launcher: folder[2] === "tomcat" ? "tomcat" : "jvm", because: `image ${image}`, evidence: "manifest" };
  return undefined;
}

function envSignal(names: Iterable<string>, values: Iterable<string>, evidence: Evidence, where: string): Signal | undefined {
  const list = [...names];
  const vals = [...values];
  const tomcat = list.find((n) => TOMCAT_ENV.test(n));
  if (tomcat) return { launcher: "tomcat", because: `${where} ${tomcat}`, evidence };
  const jvm = list.find((n) => JVM_ENV.test(n));
  if (jvm) return { launcher: "jvm", because: `${where} ${jvm}`, evidence };
  for (const v of vals) if (JVM_FLAG_VALUE.test(v)) return { launcher: "jvm", because: `${where} holds JVM flags`, evidence };
  // `-Dkey=value` alone is too common to count, except in a variable named for JVM options.
  const opts = list.findIndex((n, i) => OPTS_NAME.test(n) && SYSTEM_PROPERTY.test(vals[i] ?? ""));
  if (opts >= 0) return { launcher: "jvm", because: `${where} ${list[opts]} holds -D system properties`, evidence };
  return undefined;
}

function probes(c: Container): Array<[string, Probe | undefined]> {
  return [
    ["livenessProbe", c.livenessProbe],
    ["readinessProbe", c.readinessProbe],
    ["startupProbe", c.startupProbe],
  ];
}

type Handler = { exec?: { command?: string[] }; httpGet?: { path?: string } } | undefined;

/** Probes and lifecycle hooks, each with the name a reason gives it. */
function handlersOf(c: Container): Array<[string, Handler]> {
  return [...probes(c), ["postStart hook", c.lifecycle?.postStart], ["preStop hook", c.lifecycle?.preStop]];
}

/** `pidof java` in a preStop hook, `jcmd` in a probe, an actuator health path. */
function hookSignal(c: Container): Signal | undefined {
  for (const [where, h] of handlersOf(c)) {
    const tool = commandWords(h?.exec?.command ?? []).find((w) => JVM_TOOLS.test(w));
    if (tool) return { launcher: "jvm", because: `${where} runs ${tool}`, evidence: "manifest" };
    const path = h?.httpGet?.path;
    if (path && ACTUATOR_PATH.test(path)) return { launcher: "jvm", because: `${where} checks ${path}`, evidence: "manifest" };
  }
  return undefined;
}

/** Exec probes and hooks that start a JVM of their own: `livenessProbe runs nodetool`. */
export function helperJvms(c: Container): string[] {
  const found: string[] = [];
  for (const [where, h] of handlersOf(c)) {
    const words = h?.exec?.command ?? [];
    // `pidof java`, `pgrep java`, `kill $(pidof java)`: java named, not started.
    const split = commandWords(words);
    const tool = split.find((w, i) => HELPER_JVM_TOOLS.test(w) && !/^(pidof|pgrep|pkill|killall)$/.test(split[i - 1] ?? ""));
    if (tool) found.push(`${where} runs ${tool}`);
  }
  return found;
}

/** Image labels of a Cloud Native Buildpacks build with a Java buildpack (Paketo's BellSoft Liberica, …). */
function buildpackSignal(config: ImageConfig | undefined): Signal | undefined {
  const labels = config?.Labels ?? {};
  const meta = labels["io.buildpacks.build.metadata"] ?? labels["io.buildpacks.lifecycle.metadata"];
  if (meta && /liberica|java|jvm|jre|jdk|spring-boot|executable-jar/i.test(meta)) return { launcher: "jvm", because: "image built by a Java buildpack", evidence: "image" };
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
 * The verdict for one container. Evidence in order of weight: a command that
 * starts a JVM; a command that runs a known non-JVM executable (the effective
 * command, so an image's Entrypoint/Cmd outweighs an inherited JAVA_HOME: a
 * `cqlsh` job on a Cassandra base image is Python); the image's name (a JVM
 * image, a known non-JVM image, a native build); then env, probes, hooks and
 * mounts; an image config read with none of that says "not a JVM"; with no
 * config and no signal, unknown. What launches a JVM: a packaged server's
 * image first; then a command that runs `java` itself (an app with an embedded
 * Tomcat) unless the image names a JVM already; then any Tomcat signal; then
 * the image name; then the first signal found.
 */
export function detectJvm(c: Container, config?: ImageConfig): JvmVerdict {
  const image = c.image ?? "";
  const run = effectiveCommand(c, config);
  const runEvidence: Evidence = run.fromImage ? "image" : "manifest";
  const manifestEnv = c.env ?? [];
  const fromImageEnv = imageEnv(config);
  const command = commandSignal(run.words, runEvidence);
  const named = imageSignal(image);
  const notJvm = command ? undefined : (notJvmCommand(run.words, runEvidence) ?? (named ? undefined : notJvmImage(image)));
  const major = jdkMajor(image, config);
  const helpers = helperJvms(c);
  if (notJvm) return { outcome: "not-jvm", jvm: false, launcher: "none", evidence: notJvm.evidence, because: notJvm.because };
  const signals: Array<Signal | undefined> = [
    command,
    named,
    envSignal(manifestEnv.map((e) => e.name), manifestEnv.map((e) => e.value ?? ""), "manifest", "env"),
    config ? envSignal(fromImageEnv.keys(), fromImageEnv.values(), "image", "image env") : undefined,
    buildpackSignal(config),
    hookSignal(c),
    mountSignal(c),
  ];
  const found = signals.filter((s): s is Signal => s !== undefined);
  if (found.length === 0) {
    // The executable a `sh -c` line starts says more than `sh`.
    const runs = run.words.length > 0 ? `runs ${executableOf(run.words) ?? commandWords(run.words)[0]}` : "no command";
    if (config) {
      // Cloud Native Buildpacks start every app through /cnb/process: the config alone cannot tell.
      if (commandWords(run.words)[0] === "launcher" || run.words.some((w) => w.startsWith("/cnb/"))) {
        return { outcome: "unknown", jvm: false, launcher: "none", evidence: "image", because: `image config read: a buildpack launcher, no Java named` };
      }
      return { outcome: "not-jvm", jvm: false, launcher: "none", evidence: "image", because: `image config read: ${runs}, no Java in its Env, Entrypoint or Cmd` };
    }
    return { outcome: "unknown", jvm: false, launcher: "none", evidence: "manifest", because: `no JVM evidence in the manifest (image ${image || "<none>"}, ${runs})` };
  }
  const server = found.find((s) => s.launcher === "server");
  const tomcat = found.find((s) => s.launcher === "tomcat");
  const javaCommand = command?.launcher === "jvm" && named?.launcher !== "jvm" ? command : undefined;
  const decided = server ?? javaCommand ?? tomcat ?? named ?? found[0];
  const launcherEnv = found.find((s) => s.launcherEnv)?.launcherEnv;
  return {
    outcome: "jvm",
    jvm: true,
    launcher: decided.launcher,
    evidence: decided.evidence,
    because: decided.because,
    jdkMajor: major,
    ...(launcherEnv ? { launcherEnv } : {}),
    ...(helpers.length > 0 ? { helperJvms: helpers } : {}),
  };
}
