/**
 * The JVM rules, one table row each: which containers are JVMs and what
 * launches them (detectJvm), which variable the flags go in without hiding a
 * value from envFrom or the image, other Java agents, and which container of a
 * pod is chosen, with the reason given. Every injecting row also checks the
 * invariants of inject.test.ts: twice equals once, uninject is exact.
 */
import * as assert from "assert";
import type { Container } from "kubernetes-types/core/v1";
import {
  detectJvm,
  ImageConfig,
  inject,
  InjectOptions,
  InjectResult,
  jdkMajorOf,
  JvmOutcome,
  Launcher,
  parseImageReference,
  podTemplateOf,
  uninject,
  Workload,
} from "../sdk/inject";
import { fixture } from "./support/validate";
import { deploymentOf } from "./support/workloads";

const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";

interface DetectRow {
  name: string;
  container: Partial<Container>;
  config?: ImageConfig;
  launcher: Launcher;
  because?: RegExp;
  evidence?: "manifest" | "image";
  jdk?: number;
  /** Default: jvm when a launcher, else not-jvm. */
  outcome?: JvmOutcome;
  launcherEnv?: string;
  helpers?: RegExp;
}

const c = (image: string, more: Partial<Container> = {}): Partial<Container> => ({ image, ...more });

const DETECT: DetectRow[] = [
  { name: "tomcat image", container: c("tomcat:9.0-jdk17-temurin"), launcher: "tomcat", because: /image tomcat:9\.0-jdk17-temurin/, jdk: 17 },
  { name: "tomee image", container: c("tomee:9-jre17"), launcher: "tomcat" },
  { name: "JDK image with a -jre tag", container: c("eclipse-temurin:17-jre"), launcher: "jvm", jdk: 17 },
  { name: "Corretto", container: c("amazoncorretto:21"), launcher: "jvm", jdk: 21 },
  { name: "Semeru", container: c("ibm-semeru-runtimes:open-11-jre"), launcher: "jvm" },
  { name: "openjdk 8 by its legacy tag", container: c("openjdk:8u342-jre"), launcher: "jvm", jdk: 8 },
  { name: "distroless java", container: c("gcr.io/distroless/java17-debian12"), launcher: "jvm", jdk: 17 },
  { name: "Microsoft's OpenJDK path", container: c("mcr.microsoft.com/openjdk/jdk:21-ubuntu"), launcher: "jvm", jdk: 21 },
  { name: "wildfly", container: c("quay.io/wildfly/wildfly:30.0.0.Final-jdk17"), launcher: "jvm", jdk: 17 },
  { name: "open liberty", container: c("icr.io/appcafe/open-liberty:full-java17-openj9-ubi"), launcher: "jvm" },
  { name: "an in-house image with a JVM tag", container: c("harbor.59iedu.com/dev/orders:1.2-jre11"), launcher: "jvm", jdk: 11 },
  { name: "redis: not a JVM", container: c("redis:7.2"), launcher: "none", because: /^image redis:7\.2 is a known non-JVM image$/ },
  { name: "an in-house image and nothing else: unknown", container: c("codewisdom/ts-order-service:0.0.4"), launcher: "none", outcome: "unknown", because: /^no JVM evidence in the manifest \(image codewisdom\/ts-order-service:0\.0\.4, no command\)$/ },
  { name: "an in-house image with a non-Java command: not a JVM", container: c("registry.local/shop/web:2", { command: ["gunicorn", "app:app"] }), launcher: "none", because: /command runs gunicorn/ },
  { name: "npm in a sh -c script: not a JVM", container: c("registry.local/shop/ui:2", { command: ["/bin/sh", "-c"], args: ["npm install && node app.js"] }), launcher: "none", because: /command runs npm/ },
  { name: "Microsoft's .NET runtime image: not a JVM", container: c("mcr.microsoft.com/dotnet/runtime:8.0"), launcher: "none" },
  { name: "a runtime image elsewhere is not .NET: unknown", container: c("registry.local/team/runtime:1"), launcher: "none", outcome: "unknown" },
  { name: "minio server: a Go server, not Liberty's server", container: c("minio/minio:latest", { args: ["server", "/data"] }), launcher: "none" },
  { name: "Liberty's wlp/bin/server: a JVM", container: c("registry.local/app:1", { command: ["/opt/ol/wlp/bin/server", "run", "defaultServer"] }), launcher: "jvm" },
  { name: "kafka-native: a native build, not a JVM", container: c("apache/kafka-native:3.8.0"), launcher: "none", because: /native build/ },
  { name: "a Quarkus native tag: not a JVM", container: c("quay.io/acme/orders:1.0-native"), launcher: "none", because: /native build/ },
  { name: "cqlsh on a Cassandra base image: the command outweighs the inherited JAVA_HOME", container: c("cassandra:4.1", { command: ["cqlsh", "cassandra", "-f", "/schema.cql"] }), config: { Env: ["JAVA_HOME=/opt/java/openjdk"] }, launcher: "none", because: /command runs cqlsh/ },
  { name: "the image's Cmd runs mongod: not a JVM, from the image", container: c("registry.local/db:1"), config: { Entrypoint: ["docker-entrypoint.sh"], Cmd: ["mongod"] }, launcher: "none", evidence: "image" },
  { name: "Elasticsearch: a server whose launcher reads ES_JAVA_OPTS", container: c("docker.elastic.co/elasticsearch/elasticsearch:8.15.0"), launcher: "server", launcherEnv: "ES_JAVA_OPTS" },
  { name: "an image named after Elasticsearch", container: c("quay.io/pires/docker-elasticsearch-kubernetes:5.6.2"), launcher: "server", launcherEnv: "ES_JAVA_OPTS" },
  { name: "OpenSearch: OPENSEARCH_JAVA_OPTS", container: c("opensearchproject/opensearch:2.17.0"), launcher: "server", launcherEnv: "OPENSEARCH_JAVA_OPTS" },
  { name: "Logstash: LS_JAVA_OPTS", container: c("docker.elastic.co/logstash/logstash:8.15.0"), launcher: "server", launcherEnv: "LS_JAVA_OPTS" },
  { name: "an elasticsearch command on another image", container: c("registry.local/search:1", { command: ["/usr/share/elasticsearch/bin/elasticsearch"] }), launcher: "server", launcherEnv: "ES_JAVA_OPTS" },
  { name: "a Java buildpack's labels: a JVM", container: c("registry.local/app:1"), config: { Entrypoint: ["/cnb/process/web"], Labels: { "io.buildpacks.build.metadata": '{"buildpacks":[{"id":"paketo-buildpacks/bellsoft-liberica"}]}' } }, launcher: "jvm", evidence: "image" },
  { name: "a buildpack launcher with no Java named: unknown, even with the config", container: c("registry.local/app:1"), config: { Entrypoint: ["/cnb/process/web"] }, launcher: "none", outcome: "unknown" },
  { name: "nodetool in preStop: a helper JVM", container: c("cassandra:4.1", { lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "nodetool drain"] } } } }), launcher: "server", helpers: /preStop hook runs nodetool/ },
  { name: "pidof java names java but starts none", container: c("x:1", { lifecycle: { preStop: { exec: { command: ["sh", "-c", "kill `pidof java`"] } } } }), launcher: "jvm" },
  { name: "nginx with a command: not a JVM, says what runs", container: c("nginx:1.27", { command: ["nginx", "-g", "daemon off;"] }), launcher: "none", because: /runs nginx/ },
  { name: "node: not a JVM", container: c("node:20-alpine", { command: ["node", "server.js"] }), launcher: "none" },
  { name: "java -jar on an in-house image", container: c("harbor.59iedu.com/shop/pay:2", { command: ["java", "-jar", "/app/pay.jar"] }), launcher: "jvm", because: /command runs java/ },
  { name: "java in a sh -c script", container: c("harbor.59iedu.com/shop/pay:2", { command: ["sh", "-c", "exec java $JAVA_OPTS -jar /app.jar"] }), launcher: "jvm" },
  { name: "a path to java", container: c("x:1", { command: ["/opt/java/openjdk/bin/java"], args: ["-cp", "/app", "Main"] }), launcher: "jvm" },
  { name: "catalina.sh run", container: c("x:1", { command: ["/usr/local/tomcat/bin/catalina.sh", "run"] }), launcher: "tomcat" },
  { name: "an embedded Tomcat started by java wins over Tomcat hints", container: c("x:1", { command: ["java", "-jar", "/app.jar"], env: [{ name: "CATALINA_HOME", value: "/x" }] }), launcher: "jvm" },
  { name: "mvn spring-boot:run", container: c("x:1", { command: ["./mvnw", "spring-boot:run"] }), launcher: "jvm" },
  { name: "CATALINA_HOME env", container: c("x:1", { env: [{ name: "CATALINA_HOME", value: "/opt/tomcat" }] }), launcher: "tomcat" },
  { name: "JAVA_OPTS env", container: c("x:1", { env: [{ name: "JAVA_OPTS", value: "-Xmx1g" }] }), launcher: "jvm", because: /env JAVA_OPTS/ },
  { name: "SPRING_PROFILES_ACTIVE env", container: c("x:1", { env: [{ name: "SPRING_PROFILES_ACTIVE", value: "prod" }] }), launcher: "jvm" },
  { name: "-D properties in a variable named *_OPTS", container: c("x:1", { env: [{ name: "APP_OPTS", value: "-Dspring.profiles.active=dev" }] }), launcher: "jvm", because: /env APP_OPTS holds -D system properties/ },
  { name: "-D in a variable not named for JVM options: no evidence", container: c("x:1", { env: [{ name: "ARGS", value: "-Dfoo=bar" }] }), launcher: "none", outcome: "unknown" },
  { name: "JVM flags in another variable's value", container: c("x:1", { env: [{ name: "KAFKA_HEAP_OPTS", value: "-Xmx400m -Xms400m" }] }), launcher: "jvm" },
  { name: "pidof java in preStop", container: c("x:1", { lifecycle: { preStop: { exec: { command: ["sh", "-c", "kill `pidof java`"] } } } }), launcher: "jvm", because: /preStop hook runs java/ },
  { name: "jcmd in a liveness probe", container: c("x:1", { livenessProbe: { exec: { command: ["jcmd", "1", "VM.uptime"] } } }), launcher: "jvm", helpers: /^livenessProbe runs jcmd$/ },
  { name: "actuator health probe", container: c("x:1", { readinessProbe: { httpGet: { path: "/actuator/health/readiness", port: 8080 } } }), launcher: "jvm" },
  { name: "a Tomcat mount", container: c("x:1", { volumeMounts: [{ name: "c", mountPath: "/usr/local/tomcat/conf/server.xml" }] }), launcher: "tomcat" },
  { name: "a Liberty mount", container: c("x:1", { volumeMounts: [{ name: "o", mountPath: "/opt/ibm/wlp/output" }] }), launcher: "jvm" },
  { name: "the seed: JAVA_OPTS, pidof java, /home/tomcat/conf → Tomcat", container: fixture("seed-deployment.yaml").spec.template.spec.containers[0], launcher: "tomcat", because: /mount \/home\/tomcat\/conf\/server\.xml/ },
  { name: "kafka: a packaged server", container: c("bitnami/kafka:3.7"), launcher: "server" },
  { name: "our own collector: a packaged server", container: c("pinpointdocker/pinpoint-collector:3.0.1", { command: ["java", "-jar", "/collector.jar"] }), launcher: "server" },
  { name: "image config: entrypoint java", container: c("x:1"), config: { Entrypoint: ["java", "-jar", "/app.jar"] }, launcher: "jvm", evidence: "image" },
  { name: "image config: JAVA_HOME in Env", container: c("x:1"), config: { Env: ["JAVA_HOME=/opt/java", "JAVA_VERSION=11.0.21"] }, launcher: "jvm", evidence: "image", jdk: 11 },
  { name: "image config: CATALINA_HOME in Env", container: c("x:1"), config: { Env: ["CATALINA_HOME=/usr/local/tomcat"] }, launcher: "tomcat", evidence: "image" },
  { name: "image config: a Go binary is not a JVM, from the image", container: c("x:1"), config: { Entrypoint: ["/app"] }, launcher: "none", evidence: "image", because: /^image config read: runs app, no Java in its Env, Entrypoint or Cmd$/ },
  { name: "the manifest's command replaces the image's Entrypoint", container: c("x:1", { command: ["/bin/app"] }), config: { Entrypoint: ["java"], Cmd: ["-jar", "a.jar"] }, launcher: "none" },
  { name: "args replace the image's Cmd, the Entrypoint stays", container: c("x:1", { args: ["-jar", "/b.jar"] }), config: { Entrypoint: ["java"], Cmd: ["-version"] }, launcher: "jvm" },
];

describe("detectJvm: one row per rule", () => {
  for (const row of DETECT) {
    it(row.name, () => {
      const v = detectJvm({ name: "app", ...row.container } as Container, row.config);
      assert.strictEqual(v.launcher, row.launcher, v.because);
      assert.strictEqual(v.jvm, row.launcher !== "none");
      assert.strictEqual(v.outcome, row.outcome ?? (row.launcher === "none" ? "not-jvm" : "jvm"), v.because);
      assert.strictEqual(v.launcherEnv, row.launcherEnv);
      if (row.helpers) assert.match((v.helperJvms ?? []).join(", "), row.helpers);
      else assert.strictEqual(v.helperJvms, undefined);
      if (row.because) assert.match(v.because, row.because);
      if (row.evidence) assert.strictEqual(v.evidence, row.evidence);
      if (row.jdk !== undefined) assert.strictEqual(v.jdkMajor, row.jdk);
    });
  }
});

describe("image references and JDK versions", () => {
  const refs: Array<[string, ReturnType<typeof parseImageReference>]> = [
    ["redis", { registry: "docker.io", repository: "library/redis", tag: "latest", digest: undefined }],
    ["bitnami/kafka:3.7", { registry: "docker.io", repository: "bitnami/kafka", tag: "3.7", digest: undefined }],
    ["127.0.0.1:5000/apps/a:1", { registry: "127.0.0.1:5000", repository: "apps/a", tag: "1", digest: undefined }],
    ["localhost/a@sha256:abc", { registry: "localhost", repository: "a", tag: undefined, digest: "sha256:abc" }],
    ["harbor.59iedu.com/fjhb/pp_agent:1.0@sha256:abc", { registry: "harbor.59iedu.com", repository: "fjhb/pp_agent", tag: "1.0", digest: "sha256:abc" }],
  ];
  for (const [ref, want] of refs) it(`parses ${ref}`, () => assert.deepStrictEqual(parseImageReference(ref), want));
  const versions: Array<[string, number | undefined]> = [
    ["17.0.2", 17],
    ["jdk-21.0.1+12", 21],
    ["1.8.0_392", 8],
    ["8u392", 8],
    ["11", 11],
    ["latest", undefined],
  ];
  for (const [v, want] of versions) it(`JDK ${v} → ${want}`, () => assert.strictEqual(jdkMajorOf(v), want));
});

/** A Deployment named orders with the given containers (c0, c1, …); `annotations` on the pod template. */
function pod(containers: Partial<Container>[], annotations?: Record<string, string>): Workload {
  return deploymentOf("orders", containers.map((x, i) => ({ name: `c${i}`, ...x }) as Container), annotations);
}

const envOf = (r: InjectResult, container: string) => podTemplateOf(r.workload)!.spec!.containers.find((x) => x.name === container)!.env ?? [];
const valueOf = (r: InjectResult, container: string, name: string) => envOf(r, container).find((e) => e.name === name)?.value;

interface InjectRow {
  name: string;
  input: Workload;
  options?: Partial<InjectOptions>;
  /** Instrumented containers, and the variable of each. */
  expect?: Record<string, string>;
  /** The one-line reason, or a per-container reason. */
  reason?: RegExp;
  containerReason?: [string, RegExp];
  error?: RegExp;
  /** A warning the result must carry. */
  warning?: RegExp;
  /** A container's variable and the value it must have. */
  value?: [string, string, RegExp];
}

const TEMURIN = c("eclipse-temurin:17-jre", { args: ["-jar", "/app.jar"] });
const OTEL_OPTS = { name: "JAVA_TOOL_OPTIONS", value: "-javaagent:/otel/opentelemetry-javaagent.jar" };

const INJECT: InjectRow[] = [
  { name: "the sidecar first: the JVM after it gets the agent", input: pod([c("quay.io/kiwigrid/k8s-sidecar:1.27.4"), TEMURIN]), expect: { c1: "JAVA_TOOL_OPTIONS" } },
  {
    name: "no JVM: left alone, with the reason per container",
    input: pod([c("redis:7.2")]),
    expect: {},
    reason: /^no JVM container \(c0: not a JVM: image redis:7\.2 is a known non-JVM image\)$/,
  },
  {
    name: "unknown: instrumented by default, saying why and what the image config would have given",
    input: pod([c("codewisdom/ts-order-service:0.0.4")]),
    expect: { c0: "JAVA_TOOL_OPTIONS" },
    reason: /^c0: unknown: no JVM evidence in the manifest \(image codewisdom\/ts-order-service:0\.0\.4, no command\); image config not read \(none asked for: .*\) → JAVA_TOOL_OPTIONS$/,
    containerReason: ["c0", /image config not read \(.*\) → JAVA_TOOL_OPTIONS \(unknownContainers: instrument; JAVA_TOOL_OPTIONS is read only by a JVM\)$/],
  },
  {
    name: "unknown with unknownContainers skip: left alone, the reason names the annotation, flag and key that would instrument it",
    input: pod([c("codewisdom/ts-order-service:0.0.4")]),
    options: { unknownContainers: "skip" },
    expect: {},
    containerReason: ["c0", /not instrumented \(unknownContainers: skip\): to instrument it, annotate the workload pinpoint\.fjhb\.cn\/inject: "true", or .*--unknown-containers instrument.*pinpoint:unknownContainers: instrument/],
  },
  {
    name: "the registry could not be read: the reason says so",
    input: pod([c("codewisdom/ts-order-service:0.0.4")]),
    options: { unknownContainers: "skip", images: { "codewisdom/ts-order-service:0.0.4": { error: "registry unreachable: connect ECONNREFUSED" } } },
    expect: {},
    containerReason: ["c0", /image config not read \(registry unreachable: connect ECONNREFUSED\)/],
  },
  { name: "a known non-JVM beside an unknown: the unknown gets it", input: pod([c("envoyproxy/envoy:v1.31"), c("registry.local/orders:7")]), expect: { c1: "JAVA_TOOL_OPTIONS" } },
  { name: "a JVM beside an unknown: the JVM gets it", input: pod([c("registry.local/orders:7"), TEMURIN]), expect: { c1: "JAVA_TOOL_OPTIONS" } },
  { name: "Elasticsearch forced: ES_JAVA_OPTS, never JAVA_TOOL_OPTIONS (its launcher unsets it)", input: pod([c("docker.elastic.co/elasticsearch/elasticsearch:8.15.0")], { "pinpoint.fjhb.cn/inject": "true" }), expect: { c0: "ES_JAVA_OPTS" } },
  {
    name: "Elasticsearch with the user's ES_JAVA_OPTS: appended",
    input: pod([c("quay.io/pires/docker-elasticsearch-kubernetes:5.6.2", { env: [{ name: "ES_JAVA_OPTS", value: "-Xms256m -Xmx256m" }] })], { "pinpoint.fjhb.cn/inject": "true" }),
    expect: { c0: "ES_JAVA_OPTS" },
  },
  {
    name: "a jcmd probe on JDK 17: JDK_JAVA_OPTIONS, which only the main java launcher reads",
    input: pod([{ ...TEMURIN, livenessProbe: { exec: { command: ["jcmd", "1", "VM.uptime"] } } }]),
    expect: { c0: "JDK_JAVA_OPTIONS" },
  },
  {
    name: "a java probe on JDK 8: JAVA_TOOL_OPTIONS with a warning naming the probe",
    input: pod([c("openjdk:8-jre", { livenessProbe: { exec: { command: ["java", "-cp", "/app.jar", "Health"] } } })]),
    expect: { c0: "JAVA_TOOL_OPTIONS" },
    warning: /container "c0": livenessProbe runs java, a JVM of its own that also reads JAVA_TOOL_OPTIONS .*pinpoint\.fjhb\.cn\/options-env/,
  },
  { name: "Tomcat: CATALINA_OPTS", input: pod([c("tomcat:9")]), expect: { c0: "CATALINA_OPTS" }, reason: /^c0: Tomcat: image tomcat:9 → CATALINA_OPTS$/ },
  { name: "two JVMs: the first only", input: pod([TEMURIN, c("tomcat:9")]), expect: { c0: "JAVA_TOOL_OPTIONS" }, containerReason: ["c1", /not instrumented: c0 is/] },
  { name: "select all: the first container, JVM or not", input: pod([c("nginx:1.27"), TEMURIN]), options: { select: "all" }, expect: { c0: "JAVA_TOOL_OPTIONS" } },
  { name: "inject \"true\" forces a workload with no recognisable JVM", input: pod([c("harbor.59iedu.com/shop/cart:3")], { "pinpoint.fjhb.cn/inject": "true" }), expect: { c0: "JAVA_TOOL_OPTIONS" } },
  { name: "the containers annotation names a non-JVM: forced", input: pod([TEMURIN, c("x:1")], { "pinpoint.fjhb.cn/containers": "c1" }), expect: { c1: "JAVA_TOOL_OPTIONS" } },
  { name: "a packaged server alone is not instrumented", input: pod([c("bitnami/kafka:3.7")]), expect: {}, reason: /a packaged JVM server: image bitnami\/kafka:3\.7/ },
  { name: "a packaged server named by annotation is", input: pod([c("bitnami/kafka:3.7")], { "pinpoint.fjhb.cn/containers": "c0" }), expect: { c0: "JAVA_TOOL_OPTIONS" } },
  { name: "explicit optionsEnv wins over auto", input: pod([c("tomcat:9")]), options: { optionsEnv: "JAVA_OPTS" }, expect: { c0: "JAVA_OPTS" } },
  { name: "the annotation auto overrides an explicit config", input: pod([c("tomcat:9")], { "pinpoint.fjhb.cn/options-env": "auto" }), options: { optionsEnv: "JAVA_OPTS" }, expect: { c0: "CATALINA_OPTS" } },
  {
    name: "the image sets JAVA_TOOL_OPTIONS on JDK 17: JDK_JAVA_OPTIONS",
    input: pod([TEMURIN]),
    options: { images: { "eclipse-temurin:17-jre": { config: { Env: ["JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75"] } } } },
    expect: { c0: "JDK_JAVA_OPTIONS" },
  },
  {
    name: "strict: envFrom not in the input may set both variables JDK 17 reads: an error naming both",
    input: pod([{ ...TEMURIN, envFrom: [{ configMapRef: { name: "app-env" } }] }]),
    options: { strict: true },
    error: /envFrom ConfigMap app-env is not in the input or declared earlier in the stack, so it may set JAVA_TOOL_OPTIONS; envFrom ConfigMap app-env is not in the input or declared earlier in the stack, so it may set JDK_JAVA_OPTIONS/,
  },
  {
    name: "envFrom not in the input: that container is skipped with a warning, the workload is not an error",
    input: pod([{ ...TEMURIN, envFrom: [{ configMapRef: { name: "app-env" } }] }]),
    expect: {},
    warning: /container "c0" skipped: .*envFrom ConfigMap app-env is not in the input.*add the source to the input, or --strict/,
  },
  {
    name: "envFrom in the input without the variable: no conflict (Bank of Anthos' environment-config)",
    input: pod([{ ...TEMURIN, envFrom: [{ configMapRef: { name: "environment-config" } }] }]),
    options: { envSources: { "ConfigMap//environment-config": ["LOCAL_ROUTING_NUM", "PUB_KEY_PATH", "LOG_LEVEL"] } },
    expect: { c0: "JAVA_TOOL_OPTIONS" },
  },
  {
    name: "envFrom in the same namespace without the variable: no conflict",
    input: { ...pod([{ ...TEMURIN, envFrom: [{ secretRef: { name: "env" } }] }]), metadata: { name: "orders", namespace: "dev" } } as Workload,
    options: { envSources: { "Secret/dev/env": ["DB_PASSWORD"] } },
    expect: { c0: "JAVA_TOOL_OPTIONS" },
  },
  {
    name: "envFrom in another namespace only: not visible, skipped",
    input: { ...pod([{ ...TEMURIN, envFrom: [{ secretRef: { name: "env" } }] }]), metadata: { name: "orders", namespace: "dev" } } as Workload,
    options: { envSources: { "Secret/qa/env": ["DB_PASSWORD"] } },
    expect: {},
  },
  {
    name: "envFrom in the input sets JAVA_TOOL_OPTIONS: the entry starts with $(JAVA_TOOL_OPTIONS), keeping its value",
    input: pod([c("openjdk:8-jre", { envFrom: [{ configMapRef: { name: "jvm" } }] })]),
    options: { envSources: { "ConfigMap//jvm": ["JAVA_TOOL_OPTIONS"] } },
    expect: { c0: "JAVA_TOOL_OPTIONS" },
    value: ["c0", "JAVA_TOOL_OPTIONS", /^\$\(JAVA_TOOL_OPTIONS\) -javaagent:/],
  },
  {
    name: "JDK 17 and envFrom sets JAVA_TOOL_OPTIONS: the free JDK_JAVA_OPTIONS instead",
    input: pod([{ ...TEMURIN, envFrom: [{ configMapRef: { name: "jvm" } }] }]),
    options: { envSources: { "ConfigMap//jvm": ["JAVA_TOOL_OPTIONS"] } },
    expect: { c0: "JDK_JAVA_OPTIONS" },
  },
  {
    name: "envFrom with a prefix cannot set JAVA_TOOL_OPTIONS",
    input: pod([{ ...TEMURIN, envFrom: [{ prefix: "APP_", configMapRef: { name: "app-env" } }] }]),
    expect: { c0: "JAVA_TOOL_OPTIONS" },
  },
  {
    name: "strict: envFrom may set every variable a Java 8 JVM reads: an error naming the ways out",
    input: pod([c("openjdk:8-jre", { envFrom: [{ secretRef: { name: "env" } }] })]),
    options: { strict: true },
    error: /container "c0": the agent flags would go in JAVA_TOOL_OPTIONS, but envFrom Secret env is not in the input or declared earlier in the stack, so it may set JAVA_TOOL_OPTIONS.*"\$\(JAVA_TOOL_OPTIONS\)" keeps what envFrom gives.*--on-value-from skip/,
  },
  {
    name: "…or a skip with onValueFrom skip",
    input: pod([c("openjdk:8-jre", { envFrom: [{ secretRef: { name: "env" } }] })]),
    options: { onValueFrom: "skip" },
    expect: {},
  },
  {
    name: "the user's own $(VAR) entry keeps envFrom's value and gets the flags",
    input: pod([c("openjdk:8-jre", { envFrom: [{ configMapRef: { name: "env" } }], env: [{ name: "JAVA_TOOL_OPTIONS", value: "$(JAVA_TOOL_OPTIONS)" }] })]),
    expect: { c0: "JAVA_TOOL_OPTIONS" },
  },
  {
    name: "strict: an explicit variable envFrom may set: an error, never hidden",
    input: pod([c("tomcat:9", { envFrom: [{ configMapRef: { name: "env" } }] })]),
    options: { optionsEnv: "CATALINA_OPTS", strict: true },
    error: /envFrom ConfigMap env is not in the input or declared earlier in the stack, so it may set CATALINA_OPTS/,
  },
  {
    name: "the image sets CATALINA_OPTS: Tomcat's flags go to JAVA_TOOL_OPTIONS",
    input: pod([c("tomcat:9")]),
    options: { images: { "tomcat:9": { config: { Env: ["CATALINA_OPTS=-Xmx1g", "JAVA_VERSION=17.0.9"] } } } },
    expect: { c0: "JAVA_TOOL_OPTIONS" },
  },
  { name: "OpenTelemetry in env: an error naming it", input: pod([{ ...TEMURIN, env: [OTEL_OPTS] }]), error: /container "c0" already loads the OpenTelemetry Java agent \(-javaagent:\/otel\/opentelemetry-javaagent\.jar in env JAVA_TOOL_OPTIONS\).*remove that agent/ },
  { name: "SkyWalking in args", input: pod([c("x:1", { command: ["java"], args: ["-javaagent:/sw/skywalking-agent.jar", "-jar", "/a.jar"] })]), error: /SkyWalking agent/ },
  { name: "Elastic APM in JAVA_OPTS", input: pod([c("x:1", { env: [{ name: "JAVA_OPTS", value: "-javaagent:/opt/elastic-apm-agent-1.50.jar" }] })]), error: /Elastic APM agent/ },
  { name: "Datadog in the image's Env", input: pod([c("x:1")]), options: { images: { "x:1": { config: { Env: ["JAVA_TOOL_OPTIONS=-javaagent:/dd/dd-java-agent.jar"], Entrypoint: ["java"] } } } }, error: /Datadog agent .* in the image's Env JAVA_TOOL_OPTIONS/ },
  { name: "New Relic in a sh -c command", input: pod([c("x:1", { command: ["sh", "-c", "java -javaagent:/newrelic/newrelic.jar -jar /a.jar"] })]), error: /New Relic agent/ },
  { name: "AppDynamics", input: pod([c("x:1", { env: [{ name: "JAVA_OPTS", value: "-javaagent:/opt/appdynamics/javaagent.jar" }] })]), error: /AppDynamics agent/ },
  { name: "Glowroot", input: pod([c("x:1", { env: [{ name: "JAVA_OPTS", value: "-javaagent:/glowroot/glowroot.jar" }] })]), error: /Glowroot agent/ },
  { name: "the OpenTelemetry operator's annotation", input: pod([TEMURIN], { "instrumentation.opentelemetry.io/inject-java": "true" }), error: /OpenTelemetry Java agent \(instrumentation\.opentelemetry\.io\/inject-java: "true" in the pod template\)/ },
  { name: "a JMX exporter agent is no APM: allowed", input: pod([{ ...TEMURIN, env: [{ name: "JAVA_OPTS", value: "-javaagent:/jmx/jmx_prometheus_javaagent.jar=9404:/c.yaml" }] }]), expect: { c0: "JAVA_TOOL_OPTIONS" } },
  { name: "an agent in a container not chosen is not ours to judge", input: pod([TEMURIN, c("x:1", { env: [OTEL_OPTS] })], { "pinpoint.fjhb.cn/containers": "c0" }), expect: { c0: "JAVA_TOOL_OPTIONS" } },
];

describe("inject: which container, which variable, never clobber, other agents", () => {
  for (const row of INJECT) {
    it(row.name, () => {
      const options: InjectOptions = { image: IMAGE, ...row.options };
      if (row.error) {
        assert.throws(() => inject(row.input, options), row.error);
        return;
      }
      const r = inject(row.input, options);
      const want = row.expect ?? {};
      assert.deepStrictEqual(r.containers, Object.keys(want), r.reason);
      assert.strictEqual(r.injected, Object.keys(want).length > 0);
      for (const [container, variable] of Object.entries(want)) {
        assert.match(valueOf(r, container, variable)!, /-javaagent:\/var\/init\/pinpoint\/pinpoint-bootstrap\.jar/, `${container} ${variable}`);
        assert.strictEqual(r.containerReasons.find((x) => x.container === container)!.optionsEnv, variable);
      }
      // Never clobber: every entry the user had is still there, same value or appended to.
      for (const x of podTemplateOf(row.input)!.spec!.containers) {
        for (const e of x.env ?? []) {
          const after = envOf(r, x.name).find((a) => a.name === e.name)!;
          if (e.value !== undefined) assert.ok(after.value!.startsWith(e.value), `${x.name} ${e.name}`);
          else assert.deepStrictEqual(after, e);
        }
      }
      assert.strictEqual(r.containerReasons.length, podTemplateOf(row.input)!.spec!.containers.length);
      if (row.reason) assert.match(r.reason!, row.reason);
      if (row.containerReason) assert.match(r.containerReasons.find((x) => x.container === row.containerReason![0])!.reason, row.containerReason[1]);
      if (row.warning) assert.match(r.warnings.join("\n"), row.warning);
      if (row.value) assert.match(valueOf(r, row.value[0], row.value[1])!, row.value[2]);
      assert.deepStrictEqual(inject(r.workload, options).workload, r.workload);
      assert.deepStrictEqual(uninject(r.workload).workload, row.input);
    });
  }
});
