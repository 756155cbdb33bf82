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
  { name: "redis: not a JVM", container: c("redis:7.2"), launcher: "none", because: /^image redis:7\.2, no java command$/ },
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
  { name: "JVM flags in another variable's value", container: c("x:1", { env: [{ name: "KAFKA_HEAP_OPTS", value: "-Xmx400m -Xms400m" }] }), launcher: "jvm" },
  { name: "pidof java in preStop", container: c("x:1", { lifecycle: { preStop: { exec: { command: ["sh", "-c", "kill `pidof java`"] } } } }), launcher: "jvm", because: /preStop hook runs java/ },
  { name: "jcmd in a liveness probe", container: c("x:1", { livenessProbe: { exec: { command: ["jcmd", "1", "VM.uptime"] } } }), launcher: "jvm" },
  { name: "actuator health probe", container: c("x:1", { readinessProbe: { httpGet: { path: "/actuator/health/readiness", port: 8080 } } }), launcher: "jvm" },
  { name: "a Tomcat mount", container: c("x:1", { volumeMounts: [{ name: "c", mountPath: "/usr/local/tomcat/conf/server.xml" }] }), launcher: "tomcat" },
  { name: "a Liberty mount", container: c("x:1", { volumeMounts: [{ name: "o", mountPath: "/opt/ibm/wlp/output" }] }), launcher: "jvm" },
  { name: "the seed: JAVA_OPTS, pidof java, /home/tomcat/conf → Tomcat", container: fixture("seed-deployment.yaml").spec.template.spec.containers[0], launcher: "tomcat", because: /mount \/home\/tomcat\/conf\/server\.xml/ },
  { name: "kafka: a packaged server", container: c("bitnami/kafka:3.7"), launcher: "server" },
  { name: "our own collector: a packaged server", container: c("pinpointdocker/pinpoint-collector:3.0.1", { command: ["java", "-jar", "/collector.jar"] }), launcher: "server" },
  { name: "image config: entrypoint java", container: c("x:1"), config: { Entrypoint: ["java", "-jar", "/app.jar"] }, launcher: "jvm", evidence: "image" },
  { name: "image config: JAVA_HOME in Env", container: c("x:1"), config: { Env: ["JAVA_HOME=/opt/java", "JAVA_VERSION=11.0.21"] }, launcher: "jvm", evidence: "image", jdk: 11 },
  { name: "image config: CATALINA_HOME in Env", container: c("x:1"), config: { Env: ["CATALINA_HOME=/usr/local/tomcat"] }, launcher: "tomcat", evidence: "image" },
  { name: "image config: a Go binary is not a JVM, from the image", container: c("x:1"), config: { Entrypoint: ["/app"] }, launcher: "none", evidence: "image", because: /runs app/ },
  { name: "the manifest's command replaces the image's Entrypoint", container: c("x:1", { command: ["/bin/app"] }), config: { Entrypoint: ["java"], Cmd: ["-jar", "a.jar"] }, launcher: "none" },
  { name: "args replace the image's Cmd, the Entrypoint stays", container: c("x:1", { args: ["-jar", "/b.jar"] }), config: { Entrypoint: ["java"], Cmd: ["-version"] }, launcher: "jvm" },
];

describe("detectJvm: one row per rule", () => {
  for (const row of DETECT) {
    it(row.name, () => {
      const v = detectJvm({ name: "app", ...row.container } as Container, row.config);
      assert.strictEqual(v.launcher, row.launcher, v.because);
      assert.strictEqual(v.jvm, row.launcher !== "none");
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
}

const TEMURIN = c("eclipse-temurin:17-jre", { args: ["-jar", "/app.jar"] });
const OTEL_OPTS = { name: "JAVA_TOOL_OPTIONS", value: "-javaagent:/otel/opentelemetry-javaagent.jar" };

const INJECT: InjectRow[] = [
  { name: "the sidecar first: the JVM after it gets the agent", input: pod([c("quay.io/kiwigrid/k8s-sidecar:1.27.4"), TEMURIN]), expect: { c1: "JAVA_TOOL_OPTIONS" } },
  {
    name: "no JVM: left alone, with the reason per container",
    input: pod([c("redis:7.2")]),
    expect: {},
    reason: /^no JVM container \(c0: not a JVM: image redis:7\.2, no java command\)$/,
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
    name: "envFrom without a prefix may set both variables JDK 17 reads: an error naming both",
    input: pod([{ ...TEMURIN, envFrom: [{ configMapRef: { name: "app-env" } }] }]),
    error: /envFrom ConfigMap app-env may set JAVA_TOOL_OPTIONS; envFrom ConfigMap app-env may set JDK_JAVA_OPTIONS/,
  },
  {
    name: "envFrom with a prefix cannot set JAVA_TOOL_OPTIONS",
    input: pod([{ ...TEMURIN, envFrom: [{ prefix: "APP_", configMapRef: { name: "app-env" } }] }]),
    expect: { c0: "JAVA_TOOL_OPTIONS" },
  },
  {
    name: "envFrom may set every variable a Java 8 JVM reads: an error naming the ways out",
    input: pod([c("openjdk:8-jre", { envFrom: [{ secretRef: { name: "env" } }] })]),
    error: /container "c0": the agent flags would go in JAVA_TOOL_OPTIONS, but envFrom Secret env may set JAVA_TOOL_OPTIONS.*"\$\(JAVA_TOOL_OPTIONS\)" keeps what envFrom gives/,
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
    name: "an explicit variable envFrom may set: an error, never hidden",
    input: pod([c("tomcat:9", { envFrom: [{ configMapRef: { name: "env" } }] })]),
    options: { optionsEnv: "CATALINA_OPTS" },
    error: /envFrom ConfigMap env may set CATALINA_OPTS/,
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
      assert.deepStrictEqual(inject(r.workload, options).workload, r.workload);
      assert.deepStrictEqual(uninject(r.workload).workload, row.input);
    });
  }
});
