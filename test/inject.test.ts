/**
 * The injection rules, one table row each: a workload in, what must hold of the
 * result (or the error expected). Every row is also checked for the two
 * invariants: injecting twice equals injecting once, and uninject gives back
 * the input exactly.
 */
import * as assert from "assert";
import type { Container, PodSpec, Volume } from "kubernetes-types/core/v1";
import type { IImageVolumeSource } from "kubernetes-models/v1/ImageVolumeSource";
import {
  AGENT_DELIVERIES,
  AgentDelivery,
  ANNOTATION_STATUS,
  deliveryParts,
  deriveApplicationName,
  inject,
  InjectOptions,
  InjectResult,
  podTemplateOf,
  resolveOptions,
  supportsAgentName,
  uninject,
  Workload,
} from "../sdk/inject";
import { fixture, validateObject } from "./support/validate";

const DIGEST_IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"0123456789abcdef".repeat(4)}`;
const TAG_IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
const BASE: InjectOptions = { image: DIGEST_IMAGE, applicationNamePrefix: "dev-" };

/** A minimal Deployment; `patch` edits a copy of it. */
function deployment(patch: (d: any) => void = () => undefined, name = "tomcat-zffw"): Workload {
  const d: any = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "dev" },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "tomcat:9" }] } },
    },
  };
  patch(d);
  return d;
}

const pod = (w: Workload): PodSpec => podTemplateOf(w)!.spec!;
const app = (w: Workload, name = "app"): Container => pod(w).containers.find((c) => c.name === name)!;
const envValue = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
const annotate = (key: string, value: string) => (d: any) => {
  d.spec.template.metadata.annotations = { ...(d.spec.template.metadata.annotations ?? {}), [key]: value };
};

/** What one delivery adds, by name, so a row can check either delivery's result. */
interface Delivery {
  delivery: AgentDelivery;
  agentHome: string;
  volumes: string[];
  initContainers: string[];
  mounts: string[];
}

function deliveryOf(delivery: AgentDelivery): Delivery {
  const parts = deliveryParts(resolveOptions({ ...BASE, agentDelivery: delivery }));
  return {
    delivery,
    agentHome: parts.agentHome,
    volumes: parts.volumes.map((v) => v.name),
    initContainers: parts.initContainers.map((c) => c.name),
    mounts: parts.mounts.map((m) => m.name),
  };
}

/** The agent image's pull policy, wherever the delivery put the image. */
function agentPullPolicy(w: Workload): string | undefined {
  const p = pod(w);
  const volume = p.volumes!.find((v) => v.name === "pp-agent") as Volume & { image?: IImageVolumeSource };
  return volume.image ? volume.image.pullPolicy : p.initContainers!.find((c) => c.name === "init-pinpoint")!.imagePullPolicy;
}

interface Row {
  name: string;
  input: Workload;
  options?: Partial<InjectOptions>;
  /** Checks on the result; absent when an error is expected. */
  expect?: (r: InjectResult, input: Workload, d: Delivery) => void;
  /** The error message must match. */
  error?: RegExp;
  /** A rule of one delivery only; absent: the row runs for every delivery. */
  only?: AgentDelivery;
}

const rows: Row[] = [
  {
    name: "defaults: the seed's volume, init container, mount, POD_IP and CATALINA_OPTS",
    only: "copy",
    input: deployment(),
    expect: (r) => {
      assert.ok(r.injected);
      assert.deepStrictEqual(pod(r.workload).volumes, [{ name: "pp-agent", emptyDir: { sizeLimit: "256Mi" } }]);
      const init = pod(r.workload).initContainers![0];
      assert.strictEqual(init.name, "init-pinpoint");
      assert.deepStrictEqual(init.volumeMounts, [{ name: "pp-agent", mountPath: "/var/init/pinpoint" }]);
      assert.match(init.command!.join(" "), /^sh -c cp -R \/var\/lib\/pp_agent\/\. \/var\/init\/pinpoint\//);
      assert.deepStrictEqual(app(r.workload).volumeMounts, [{ name: "pp-agent", mountPath: "/var/init/pinpoint" }]);
      assert.deepStrictEqual(app(r.workload).env![0], { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } });
      const opts = envValue(app(r.workload), "CATALINA_OPTS")!;
      assert.match(opts, /^-javaagent:\/var\/init\/pinpoint\/pinpoint-bootstrap\.jar /);
      assert.match(opts, / -Dpinpoint\.agentId=\$\(POD_IP\) /);
      assert.match(opts, / -Dpinpoint\.applicationName=dev-tomcat-zffw /);
      assert.match(opts, / -Dpinpoint\.agentName=\$\(POD_NAME\) /);
      assert.doesNotMatch(opts, /collector/);
      assert.strictEqual(r.applicationName, "dev-tomcat-zffw");
    },
  },
  {
    name: "imageVolume: the image read-only as volume pp-agent, an emptyDir on its logs folder, no init container",
    only: "imageVolume",
    input: deployment(),
    expect: (r) => {
      assert.ok(r.injected);
      const p = pod(r.workload);
      assert.deepStrictEqual(p.volumes, [
        { name: "pp-agent", image: { reference: DIGEST_IMAGE, pullPolicy: "IfNotPresent" } },
        { name: "pp-agent-logs", emptyDir: { sizeLimit: "256Mi" } },
      ]);
      assert.strictEqual(p.initContainers, undefined);
      assert.deepStrictEqual(app(r.workload).volumeMounts, [
        { name: "pp-agent", mountPath: "/var/init/pinpoint-image", readOnly: true },
        { name: "pp-agent-logs", mountPath: "/var/init/pinpoint-image/var/lib/pp_agent/logs" },
      ]);
      const opts = envValue(app(r.workload), "CATALINA_OPTS")!;
      assert.match(opts, /^-javaagent:\/var\/init\/pinpoint-image\/var\/lib\/pp_agent\/pinpoint-bootstrap\.jar -Dpinpoint\.agentId=\$\(POD_IP\) /);
      const status = JSON.parse(podTemplateOf(r.workload)!.metadata!.annotations![ANNOTATION_STATUS]);
      assert.strictEqual(status.agentDelivery, "imageVolume");
      assert.deepStrictEqual([status.initContainers, status.volumes], [[], ["pp-agent", "pp-agent-logs"]]);
      // Only the fields the Kubernetes API knows for an image volume source.
      const known: Array<keyof IImageVolumeSource> = ["reference", "pullPolicy"];
      for (const key of Object.keys((p.volumes![0] as any).image)) assert.ok((known as string[]).includes(key), key);
    },
  },
  {
    name: "imageVolume: a user volume named pp-agent-logs is an error",
    only: "imageVolume",
    input: deployment((d) => (d.spec.template.spec.volumes = [{ name: "pp-agent-logs", emptyDir: {} }])),
    error: /already has a volume named "pp-agent-logs"/,
  },
  {
    name: "imageVolume: a user mount where the image goes is an error",
    only: "imageVolume",
    input: deployment((d) => (d.spec.template.spec.containers[0].volumeMounts = [{ name: "other", mountPath: "/var/init/pinpoint-image" }])),
    error: /already mounts other at \/var\/init\/pinpoint-image, which the agent needs \(volume pp-agent at \/var\/init\/pinpoint-image\)/,
  },
  {
    name: "imageVolume: a cluster older than 1.31 is an error that names the key",
    only: "imageVolume",
    input: deployment(),
    options: { kubernetesVersion: "v1.30.4" },
    error: /kubernetesVersion is v1\.30\.4, and image volumes exist only from Kubernetes 1\.31: set agentDelivery to copy/,
  },
  {
    name: "a kubernetesVersion that is no version is an error",
    input: deployment(),
    options: { kubernetesVersion: "latest" },
    error: /kubernetesVersion "latest" is not a Kubernetes version: write it as 1\.33/,
  },
  {
    name: "an unknown delivery is an error that lists the known ones",
    input: deployment(),
    options: { agentDelivery: "volume" as AgentDelivery },
    error: /agentDelivery "volume" is unknown: use one of copy, imageVolume/,
  },
  {
    name: "every $(VAR) in the options value is defined earlier in the same env list",
    input: deployment((d) => (d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS", value: "-Dx=$(HOME)" }])),
    expect: (r) => {
      const env = app(r.workload).env!;
      const optIdx = env.findIndex((e) => e.name === "CATALINA_OPTS");
      const appended = env[optIdx].value!.slice("-Dx=$(HOME)".length);
      for (const ref of appended.matchAll(/\$\((\w+)\)/g)) {
        const at = env.findIndex((e) => e.name === ref[1]);
        assert.ok(at >= 0 && at < optIdx, `${ref[1]} must come before CATALINA_OPTS`);
      }
    },
  },
  {
    name: "JAVA_TOOL_OPTIONS by option",
    input: deployment(),
    options: { optionsEnv: "JAVA_TOOL_OPTIONS" },
    expect: (r) => {
      assert.match(envValue(app(r.workload), "JAVA_TOOL_OPTIONS")!, /^-javaagent:/);
      assert.strictEqual(envValue(app(r.workload), "CATALINA_OPTS"), undefined);
    },
  },
  {
    name: "options variable by annotation",
    input: deployment(annotate("pinpoint.fjhb.cn/options-env", "JAVA_OPTS")),
    expect: (r) => assert.match(envValue(app(r.workload), "JAVA_OPTS")!, /-javaagent:/),
  },
  {
    name: "an invalid options variable name in the annotation is an error",
    input: deployment(annotate("pinpoint.fjhb.cn/options-env", "JAVA OPTS")),
    error: /options-env "JAVA OPTS" is not a variable a JVM launcher can read/,
  },
  {
    name: "an existing literal CATALINA_OPTS is kept and the flags appended, POD_IP put before it",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [
        { name: "A", value: "1" },
        { name: "CATALINA_OPTS", value: "-Xmx512m" },
        { name: "Z", value: "2" },
      ];
    }),
    expect: (r) => {
      const env = app(r.workload).env!;
      assert.deepStrictEqual(env.map((e) => e.name), ["A", "POD_IP", "POD_NAME", "CATALINA_OPTS", "Z"]);
      assert.match(env[3].value!, /^-Xmx512m -javaagent:/);
    },
  },
  {
    name: "an existing CATALINA_OPTS without a value gets the flags",
    input: deployment((d) => (d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS" }])),
    expect: (r) => assert.match(envValue(app(r.workload), "CATALINA_OPTS")!, /^-javaagent:/),
  },
  {
    name: "CATALINA_OPTS from valueFrom is an error by default",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS", valueFrom: { configMapKeyRef: { name: "cm", key: "opts" } } }];
    }),
    options: { optionsEnv: "CATALINA_OPTS" },
    error: /Deployment dev\/tomcat-zffw: container "app" takes CATALINA_OPTS from valueFrom.*make it a literal value/,
  },
  {
    name: "optionsEnv auto: CATALINA_OPTS from valueFrom is left alone, the flags go in JAVA_TOOL_OPTIONS",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS", valueFrom: { configMapKeyRef: { name: "cm", key: "opts" } } }];
    }),
    expect: (r) => {
      assert.deepStrictEqual(app(r.workload).env![0], { name: "CATALINA_OPTS", valueFrom: { configMapKeyRef: { name: "cm", key: "opts" } } });
      assert.match(envValue(app(r.workload), "JAVA_TOOL_OPTIONS")!, /^-javaagent:/);
      assert.match(r.containerReasons[0].reason, /Tomcat: image tomcat:9 → JAVA_TOOL_OPTIONS/);
    },
  },
  {
    name: "CATALINA_OPTS from valueFrom is skipped with a warning by option",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS", valueFrom: { configMapKeyRef: { name: "cm", key: "opts" } } }];
    }),
    options: { onValueFrom: "skip", optionsEnv: "CATALINA_OPTS" },
    expect: (r, input) => {
      assert.strictEqual(r.injected, false);
      assert.strictEqual(r.warnings.length, 1);
      assert.match(r.warnings[0], /skipped/);
      assert.deepStrictEqual(r.workload, input);
    },
  },
  {
    name: "a container instrumented by hand is an error, not a second agent",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS", value: "-javaagent:/var/init/pinpoint/pinpoint-bootstrap.jar" }];
    }),
    error: /already loads a Pinpoint agent through CATALINA_OPTS/,
  },
  {
    name: "the user's own POD_IP from status.podIP, before the options variable, is reused",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }];
    }),
    expect: (r) => {
      const names = app(r.workload).env!.map((e) => e.name);
      assert.deepStrictEqual(names, ["POD_IP", "POD_NAME", "CATALINA_OPTS"]);
    },
  },
  {
    name: "a POD_IP with another meaning is an error",
    input: deployment((d) => (d.spec.template.spec.containers[0].env = [{ name: "POD_IP", value: "10.0.0.1" }])),
    error: /already defines POD_IP other than as fieldRef status\.podIP/,
  },
  {
    name: "a POD_IP after CATALINA_OPTS is an error (Kubernetes would not expand it)",
    input: deployment((d) => {
      d.spec.template.spec.containers[0].env = [
        { name: "CATALINA_OPTS", value: "-Xmx1g" },
        { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      ];
    }),
    error: /defines POD_IP after CATALINA_OPTS.*move POD_IP before CATALINA_OPTS/,
  },
  {
    name: "a user volume named pp-agent is an error",
    input: deployment((d) => (d.spec.template.spec.volumes = [{ name: "pp-agent", configMap: { name: "x" } }])),
    error: /already has a volume named "pp-agent"/,
  },
  {
    name: "a user init container named init-pinpoint is an error",
    only: "copy",
    input: deployment((d) => (d.spec.template.spec.initContainers = [{ name: "init-pinpoint", image: "x" }])),
    error: /already has a container named "init-pinpoint"/,
  },
  {
    name: "a user mount at /var/init/pinpoint is an error",
    only: "copy",
    input: deployment((d) => (d.spec.template.spec.containers[0].volumeMounts = [{ name: "other", mountPath: "/var/init/pinpoint" }])),
    error: /already mounts other at \/var\/init\/pinpoint/,
  },
  {
    name: "existing volumes, mounts, init containers, env, annotations and pull secrets survive, ours after them",
    input: deployment((d) => {
      const t = d.spec.template;
      t.metadata.annotations = { "prometheus.io/scrape": "true" };
      t.spec.volumes = [{ name: "data", emptyDir: {} }];
      t.spec.initContainers = [{ name: "migrate", image: "flyway" }];
      t.spec.imagePullSecrets = [{ name: "harbor" }];
      t.spec.containers[0].env = [{ name: "TZ", value: "Asia/Shanghai" }];
      t.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/data" }];
    }),
    options: { imagePullSecret: "harbor" },
    expect: (r, _input, d) => {
      const p = pod(r.workload);
      assert.deepStrictEqual(p.volumes!.map((v) => v.name), ["data", ...d.volumes]);
      assert.deepStrictEqual(p.initContainers!.map((c) => c.name), ["migrate", ...d.initContainers]);
      assert.deepStrictEqual(p.imagePullSecrets, [{ name: "harbor" }]);
      assert.deepStrictEqual(app(r.workload).env![0], { name: "TZ", value: "Asia/Shanghai" });
      assert.deepStrictEqual(app(r.workload).volumeMounts!.map((m) => m.name), ["data", ...d.mounts]);
      assert.strictEqual(podTemplateOf(r.workload)!.metadata!.annotations!["prometheus.io/scrape"], "true");
    },
  },
  {
    name: "the pull secret is added when named",
    input: deployment(),
    options: { imagePullSecret: "harbor-pull" },
    expect: (r) => assert.deepStrictEqual(pod(r.workload).imagePullSecrets, [{ name: "harbor-pull" }]),
  },
  {
    name: "default container: the first one",
    input: deployment((d) => d.spec.template.spec.containers.push({ name: "sidecar", image: "envoy" })),
    expect: (r) => {
      assert.deepStrictEqual(r.containers, ["app"]);
      assert.strictEqual(app(r.workload, "sidecar").env, undefined);
    },
  },
  {
    name: "containers chosen by annotation, each with its own agentId",
    input: deployment((d) => {
      d.spec.template.spec.containers.push({ name: "worker", image: "java" }, { name: "sidecar", image: "envoy" });
      annotate("pinpoint.fjhb.cn/containers", "app, worker")(d);
    }),
    expect: (r) => {
      assert.deepStrictEqual(r.containers, ["app", "worker"]);
      assert.match(envValue(app(r.workload), "CATALINA_OPTS")!, /agentId=\$\(POD_IP\) /);
      // Each container in the variable its launcher reads: catalina.sh for tomcat:9, the JVM itself for java.
      assert.match(envValue(app(r.workload, "worker"), "JAVA_TOOL_OPTIONS")!, /agentId=\$\(POD_IP\)-2 /);
      assert.match(envValue(app(r.workload, "worker"), "JAVA_TOOL_OPTIONS")!, /agentName=\$\(POD_NAME\)-worker /);
      assert.strictEqual(app(r.workload, "sidecar").env, undefined);
    },
  },
  {
    name: "an unknown container name is an error",
    input: deployment(annotate("pinpoint.fjhb.cn/containers", "tomcat")),
    error: /names container "tomcat", which the pod does not have \(it has: app\)/,
  },
  {
    name: "an empty container list is an error",
    input: deployment(annotate("pinpoint.fjhb.cn/containers", " , ")),
    error: /annotation pinpoint\.fjhb\.cn\/containers is empty/,
  },
  {
    name: "opt-out on the pod template leaves the workload as it was",
    input: deployment(annotate("pinpoint.fjhb.cn/inject", "false")),
    expect: (r, input) => {
      assert.strictEqual(r.injected, false);
      assert.match(r.reason!, /opted out/);
      assert.deepStrictEqual(r.workload, input);
    },
  },
  {
    name: "opt-out on the workload's own metadata works too",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/inject": "false" })),
    expect: (r, input) => assert.deepStrictEqual(r.workload, input),
  },
  {
    name: "an opt-out value other than true/false is an error",
    input: deployment(annotate("pinpoint.fjhb.cn/inject", "no")),
    error: /pinpoint\.fjhb\.cn\/inject is "no"; use "true" or "false"/,
  },
  {
    name: "applicationName by annotation, taken as is",
    input: deployment(annotate("pinpoint.fjhb.cn/application-name", "ORDER_PAY.v2")),
    expect: (r) => assert.match(envValue(app(r.workload), "CATALINA_OPTS")!, /applicationName=ORDER_PAY\.v2 /),
  },
  {
    name: "an invalid applicationName annotation is an error, not silently changed",
    input: deployment(annotate("pinpoint.fjhb.cn/application-name", "order pay")),
    error: /"order pay" is not a valid Pinpoint applicationName: it may hold only letters/,
  },
  {
    name: "a too long annotated applicationName is an error",
    input: deployment(annotate("pinpoint.fjhb.cn/application-name", "a".repeat(25))),
    error: /has 25 characters and Pinpoint allows at most 24/,
  },
  {
    name: "a derived name over 24 characters is shortened with a hash",
    input: deployment(() => undefined, "fjhb6-ability-order-pay-service"),
    expect: (r) => {
      assert.strictEqual(r.applicationName, deriveApplicationName("dev-", "fjhb6-ability-order-pay-service"));
      assert.ok(r.applicationName!.length <= 24);
      assert.match(r.applicationName!, /^dev-fjhb6-ability-[0-9a-f]{6}$/);
    },
  },
  {
    name: "an invalid prefix is an error",
    input: deployment(),
    options: { applicationNamePrefix: "dev/" },
    error: /applicationNamePrefix "dev\/" may hold only/,
  },
  {
    name: "a collector host and ports become agent flags",
    input: deployment(),
    options: { collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local", collectorPorts: { agent: 19991, stat: 19992, span: 19993 } },
    expect: (r) => {
      const opts = envValue(app(r.workload), "CATALINA_OPTS")!;
      assert.match(opts, / -Dprofiler\.transport\.grpc\.collector\.ip=pinpoint-collector\.pinpoint\.svc\.cluster\.local/);
      assert.match(opts, / -Dprofiler\.transport\.grpc\.agent\.collector\.port=19991/);
      assert.match(opts, / -Dprofiler\.transport\.grpc\.stat\.collector\.port=19992/);
      assert.match(opts, / -Dprofiler\.transport\.grpc\.span\.collector\.port=19993/);
    },
  },
  {
    name: "a collector host that is no host name is an error",
    input: deployment(),
    options: { collectorHost: "http://collector:9991" },
    error: /collectorHost "http:\/\/collector:9991" has a scheme: give the host only/,
  },
  {
    name: "agentId generated by the agent (IPv6 clusters): no POD_IP",
    input: deployment(),
    options: { agentIdSource: "generated" },
    expect: (r) => {
      assert.doesNotMatch(envValue(app(r.workload), "CATALINA_OPTS")!, /agentId/);
      assert.strictEqual(app(r.workload).env!.some((e) => e.name === "POD_IP"), false);
    },
  },
  {
    name: "agentName off (agents before 2.3): no POD_NAME",
    input: deployment(),
    options: { agentName: false },
    expect: (r) => {
      assert.doesNotMatch(envValue(app(r.workload), "CATALINA_OPTS")!, /agentName/);
      assert.strictEqual(app(r.workload).env!.some((e) => e.name === "POD_NAME"), false);
    },
  },
  {
    name: "an image pinned by digest is pulled IfNotPresent",
    input: deployment(),
    expect: (r) => assert.strictEqual(agentPullPolicy(r.workload), "IfNotPresent"),
  },
  {
    name: "an image by tag is pulled Always (a tag can move)",
    input: deployment(),
    options: { image: TAG_IMAGE },
    expect: (r) => assert.strictEqual(agentPullPolicy(r.workload), "Always"),
  },
  {
    name: "no image is an error",
    input: deployment(),
    options: { image: "" },
    error: /the agent image is required/,
  },
  {
    name: "the init container passes the restricted Pod Security profile and has resources",
    only: "copy",
    input: deployment(),
    options: { initResources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { cpu: "100m", memory: "32Mi" } }, initRunAsUser: 10001 },
    expect: (r) => {
      const init = pod(r.workload).initContainers![0];
      assertRestricted(init);
      assert.strictEqual(init.securityContext!.runAsUser, 10001);
      assert.deepStrictEqual(init.resources, { requests: { cpu: "5m", memory: "8Mi" }, limits: { cpu: "100m", memory: "32Mi" } });
    },
  },
  {
    name: "a bad resource quantity is an error",
    input: deployment(),
    options: { initResources: { limits: { memory: "lots" } } },
    error: /initResources\.limits\.memory "lots" is not a Kubernetes quantity/,
  },
  {
    name: "a root uid for the init container is an error",
    input: deployment(),
    options: { initRunAsUser: 0 },
    error: /initRunAsUser must be a positive integer/,
  },
  {
    name: "StatefulSets are left alone unless enabled",
    input: { ...(deployment() as any), kind: "StatefulSet" },
    expect: (r, input) => {
      assert.strictEqual(r.injected, false);
      assert.match(r.reason!, /kind StatefulSet is not enabled/);
      assert.deepStrictEqual(r.workload, input);
    },
  },
  {
    name: "StatefulSets are instrumented when enabled",
    input: { ...(deployment() as any), kind: "StatefulSet" },
    options: { kinds: ["Deployment", "StatefulSet"] },
    expect: (r) => assert.ok(r.injected),
  },
  {
    name: "CronJobs are instrumented through their job template when enabled",
    input: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "report" },
      spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "app", image: "java" }] } } } } },
    } as Workload,
    options: { kinds: ["CronJob"] },
    expect: (r, _input, d) => {
      assert.ok(r.injected);
      const spec = (r.workload as any).spec.jobTemplate.spec.template.spec as PodSpec;
      assert.deepStrictEqual(spec.volumes!.map((v) => v.name), d.volumes);
      assert.deepStrictEqual((spec.initContainers ?? []).map((c) => c.name), d.initContainers);
    },
  },
  {
    name: "an unknown kind in the options is an error",
    input: deployment(),
    options: { kinds: ["Deployment", "Pod" as any] },
    error: /unknown workload kind "Pod": use one of Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob/,
  },
  {
    name: "a workload without containers is an error",
    input: deployment((d) => (d.spec.template.spec.containers = [])),
    error: /has no pod template with containers/,
  },
  {
    name: "without metadata.name the fallback name is used (Pulumi autonaming)",
    input: deployment((d) => delete d.metadata.name),
    options: { defaultName: "orders" },
    expect: (r) => assert.strictEqual(r.applicationName, "dev-orders"),
  },
];

/** The restricted Pod Security profile's rules for one container. */
function assertRestricted(c: Container): void {
  const sc = c.securityContext!;
  assert.strictEqual(sc.allowPrivilegeEscalation, false);
  assert.deepStrictEqual(sc.capabilities?.drop, ["ALL"]);
  assert.strictEqual(sc.runAsNonRoot, true);
  assert.ok(sc.runAsUser === undefined || sc.runAsUser > 0);
  assert.ok(["RuntimeDefault", "Localhost"].includes(sc.seccompProfile!.type));
  assert.notStrictEqual(sc.privileged, true);
}

for (const delivery of AGENT_DELIVERIES) {
  describe(`inject: the rules (agentDelivery ${delivery})`, () => {
    const d = deliveryOf(delivery);
    for (const row of rows.filter((x) => x.only === undefined || x.only === delivery)) {
      it(row.name, () => {
        const options = { ...BASE, agentDelivery: delivery, ...row.options } as InjectOptions;
        const before = structuredClone(row.input);
        if (row.error) {
          assert.throws(() => inject(row.input, options), row.error);
          return;
        }
        const r = inject(row.input, options);
        assert.deepStrictEqual(row.input, before, "the input must not be changed");
        row.expect!(r, row.input, d);
        // The invariants every rule must keep.
        assert.deepStrictEqual(inject(r.workload, options).workload, r.workload, "injecting twice must equal injecting once");
        assert.deepStrictEqual(uninject(r.workload).workload, row.input, "uninject must give back the input");
        if (r.injected) validateObject(r.workload);
      });
    }
  });
}

describe("the schema the pods are validated against knows image volumes", () => {
  // kubernetes-models 4.5.1 is generated from a Kubernetes OpenAPI document that has ImageVolumeSource.
  const withVolume = (image: unknown) =>
    deployment((d) => {
      d.spec.template.spec.volumes = [{ name: "agent", image }];
      d.spec.template.spec.containers[0].volumeMounts = [{ name: "agent", mountPath: "/agent", readOnly: true }];
    });
  it("accepts a valid image volume", () => validateObject(withVolume({ reference: TAG_IMAGE, pullPolicy: "IfNotPresent" })));
  it("rejects an image volume with an unknown pullPolicy", () => {
    assert.throws(() => validateObject(withVolume({ reference: TAG_IMAGE, pullPolicy: "Sometimes" })), /image\/pullPolicy must be equal to one of the allowed values/);
  });
  it("rejects an image volume whose reference is no string", () => {
    assert.throws(() => validateObject(withVolume({ reference: 5 })), /image\/reference must be string/);
  });
});

describe("switching between deliveries", () => {
  const inputs: Array<[string, Workload]> = [
    ["a bare Deployment", deployment()],
    [
      "a Deployment with its own volumes, init containers and CATALINA_OPTS",
      deployment((d) => {
        const t = d.spec.template;
        t.spec.volumes = [{ name: "data", emptyDir: {} }];
        t.spec.initContainers = [{ name: "migrate", image: "flyway" }];
        t.spec.containers[0].env = [{ name: "CATALINA_OPTS", value: "-Xmx1g" }];
        t.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/data" }];
      }),
    ],
  ];
  for (const [what, input] of inputs) {
    for (const [from, to] of [["copy", "imageVolume"], ["imageVolume", "copy"]] as Array<[AgentDelivery, AgentDelivery]>) {
      it(`${what}: ${from} then ${to} equals ${to} alone, and uninject gives the input back`, () => {
        const first = inject(input, { ...BASE, agentDelivery: from }).workload;
        const switched = inject(first, { ...BASE, agentDelivery: to }).workload;
        assert.deepStrictEqual(switched, inject(input, { ...BASE, agentDelivery: to }).workload);
        assert.deepStrictEqual(uninject(switched).workload, input);
      });
    }
  }
});

describe("inject: the seed", () => {
  const fixtures: Record<AgentDelivery, string> = { copy: "seed-instrumented.yaml", imageVolume: "seed-instrumented-imagevolume.yaml" };
  for (const delivery of AGENT_DELIVERIES) {
    it(`gives the seed's instrumented Deployment (${delivery}), valid for Kubernetes`, () => {
      const r = inject(fixture("seed-deployment.yaml"), { image: TAG_IMAGE, applicationNamePrefix: "dev-", agentDelivery: delivery });
      assert.deepStrictEqual(r.workload, fixture(fixtures[delivery]));
      validateObject(r.workload);
    });

    it(`uninject of the instrumented seed (${delivery}) gives back the original`, () => {
      assert.deepStrictEqual(uninject(fixture(fixtures[delivery])).workload, fixture("seed-deployment.yaml"));
    });
  }
});

describe("uninject", () => {
  it("leaves a workload that was never injected as it is", () => {
    const w = deployment();
    const r = uninject(w);
    assert.strictEqual(r.removed, false);
    assert.deepStrictEqual(r.workload, w);
  });

  it("keeps an edit the user made to the options variable after injection, and takes only the agent flags out", () => {
    const injected = inject(deployment((d) => (d.spec.template.spec.containers[0].env = [{ name: "CATALINA_OPTS", value: "-Xmx1g" }])), BASE).workload as any;
    injected.spec.template.spec.containers[0].env.find((e: any) => e.name === "CATALINA_OPTS").value += " -Dmine=1";
    const r = uninject(injected);
    assert.deepStrictEqual(app(r.workload).env, [{ name: "CATALINA_OPTS", value: "-Xmx1g -Dmine=1" }]);
  });

  it("keeps an edit the user made to a variable injection created, and takes only the agent flags out", () => {
    const injected = inject(deployment(), BASE).workload as any;
    injected.spec.template.spec.containers[0].env.find((e: any) => e.name === "CATALINA_OPTS").value += " -Xmx2g";
    const r = uninject(injected);
    assert.deepStrictEqual(app(r.workload).env, [{ name: "CATALINA_OPTS", value: "-Xmx2g" }]);
    assert.match(r.kept.join("\n"), /CATALINA_OPTS of container "app" was edited after injection/);
    // Injecting again appends the flags to what the user wrote.
    assert.match(inject(injected, BASE).workload.spec!.template.spec!.containers[0].env!.find((e: { name: string }) => e.name === "CATALINA_OPTS")!.value!, /^-Xmx2g -javaagent:/);
  });

  it("refuses a status annotation it cannot read", () => {
    const w = deployment(annotate(ANNOTATION_STATUS, "{not json"));
    assert.throws(() => uninject(w), /pinpoint\.fjhb\.cn\/status is not a status this version wrote/);
  });

  it("re-injection with other options replaces the old parts, it does not add to them", () => {
    const once = inject(deployment(), BASE).workload;
    const again = inject(once, { ...BASE, collectorHost: "collector", imagePullSecret: "harbor" }).workload;
    assert.deepStrictEqual(again, inject(deployment(), { ...BASE, collectorHost: "collector", imagePullSecret: "harbor" }).workload);
  });

  it("opting out an injected workload removes the agent", () => {
    const injected = inject(deployment(), BASE).workload as any;
    injected.spec.template.metadata.annotations["pinpoint.fjhb.cn/inject"] = "false";
    const r = inject(injected, BASE);
    assert.strictEqual(r.injected, false);
    assert.deepStrictEqual(r.workload, deployment(annotate("pinpoint.fjhb.cn/inject", "false")));
  });
});

describe("agent versions", () => {
  const cases: Array<[string, boolean]> = [
    ["2.2.3", false],
    ["2.2.3-p1", false],
    ["1.8.5", false],
    ["2.3.0", true],
    ["2.5.4", true],
    ["3.0.1", true],
    ["10.0.0", true],
    ["latest", true],
  ];
  for (const [version, want] of cases) {
    it(`agentName ${want ? "is" : "is not"} supported by ${version}`, () => assert.strictEqual(supportsAgentName(version), want));
  }
});

describe("applicationName rules", () => {
  const cases: Array<[string, string, string | RegExp]> = [
    ["dev-", "tomcat-zffw", "dev-tomcat-zffw"],
    ["", "a".repeat(24), "a".repeat(24)],
    ["test-", "order-pay-service-long", /^test-order-pay-se-[0-9a-f]{6}$/],
  ];
  for (const [prefix, name, want] of cases) {
    it(`${prefix}${name}`, () => {
      const got = deriveApplicationName(prefix, name);
      if (typeof want === "string") assert.strictEqual(got, want);
      else assert.match(got, want);
      assert.ok(got.length <= 24 && /^[a-zA-Z0-9._-]+$/.test(got));
    });
  }

  it("is deterministic and keeps long names that share a start apart", () => {
    const a = deriveApplicationName("dev-", "order-pay-service-alpha");
    const b = deriveApplicationName("dev-", "order-pay-service-beta");
    assert.strictEqual(a, deriveApplicationName("dev-", "order-pay-service-alpha"));
    assert.notStrictEqual(a, b);
  });
});
