/**
 * PinpointApm in Pulumi programs under the SDK's mock runtime, with the
 * registered transforms applied as the engine would apply them.
 */
import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PinpointApm, pinpointTransform } from "../sdk";
import { inject } from "../sdk/inject";
import { ofType, ProgramRun, runProgram } from "./harness/pulumiProgram";
import { fixture, validateObject } from "./support/validate";

const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"ab".repeat(32)}`;
// select all: these tests are about the stack's wiring, so every workload's first container, JVM-looking or not; no registry reads.
const ON = { enabled: "true", agentImage: IMAGE, collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local", select: "all", optionsEnv: "CATALINA_OPTS", readImages: "false" };
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** The seed's app as a direct Deployment, plus a Service, plus one Deployment from a ConfigGroup. */
function seedProgram(extra: () => void = () => undefined) {
  return () => {
    new PinpointApm("pinpoint");
    const seed = fixture("seed-deployment.yaml");
    new k8s.apps.v1.Deployment("tomcat-zffw", { metadata: seed.metadata, spec: seed.spec });
    new k8s.core.v1.Service("tomcat-zffw", {
      metadata: { name: "tomcat-zffw", namespace: "dev" },
      spec: { selector: { app: "tomcat-zffw" }, ports: [{ port: 8080 }] },
    });
    new k8s.yaml.v2.ConfigGroup("billing", {
      yaml: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: billing, namespace: dev}",
        "spec:",
        "  selector: {matchLabels: {app: billing}}",
        "  template:",
        "    metadata: {labels: {app: billing}}",
        "    spec: {containers: [{name: billing, image: 'harbor.59iedu.com/dev/billing:1.0'}]}",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: billing, namespace: dev}",
        "data: {a: b}",
      ].join("\n"),
    });
    extra();
  };
}

const opts = (r: { inputs: any }) =>
  r.inputs.spec.template.spec.containers[0].env?.find((e: any) => e.name === "CATALINA_OPTS")?.value as string | undefined;
const isInstrumented = (r: { inputs: any }) => (r.inputs.spec.template.spec.initContainers ?? []).some((c: any) => c.name === "init-pinpoint");

function assertUntouched(run: ProgramRun): void {
  for (const r of run.resources) {
    if (r.type.startsWith("kubernetes:")) assert.deepStrictEqual(r.inputs, r.declared, `${r.type} ${r.name} must be as declared`);
  }
}

describe("PinpointApm: instrumentation by stack config", () => {
  it("pinpoint:enabled true instruments every Deployment, direct and inside a ConfigGroup", async () => {
    const run = await runProgram(seedProgram(), { config: ON });
    assert.deepStrictEqual(run.errors, []);
    const deployments = ofType(run, DEPLOYMENT);
    assert.deepStrictEqual(deployments.map((d) => d.name).sort(), ["billing:dev/billing", "tomcat-zffw"]);
    for (const d of deployments) {
      assert.ok(isInstrumented(d), `${d.name} must be instrumented`);
      assert.strictEqual(d.inputs.spec.template.spec.initContainers[0].image, IMAGE);
      assert.strictEqual(d.inputs.spec.template.spec.initContainers[0].imagePullPolicy, "IfNotPresent");
      assert.match(opts(d)!, /-Dprofiler\.transport\.grpc\.collector\.ip=pinpoint-collector\.pinpoint\.svc\.cluster\.local/);
      validateObject(d.inputs);
    }
    assert.match(opts(deployments.find((d) => d.name === "tomcat-zffw")!)!, /-Dpinpoint\.applicationName=dev-tomcat-zffw /);
    assert.match(opts(deployments.find((d) => d.name === "billing:dev/billing")!)!, /-Dpinpoint\.applicationName=dev-billing /);
    // Everything else is as declared.
    for (const r of run.resources.filter((r) => r.type !== DEPLOYMENT && r.type.startsWith("kubernetes:"))) {
      assert.deepStrictEqual(r.inputs, r.declared);
    }
  });

  it("gives the same Deployment as the pure core does (the transform adds nothing of its own)", async () => {
    const run = await runProgram(seedProgram(), { config: ON });
    const tomcat = ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!;
    // The core, given the seed and what this stack sets.
    const want = inject(fixture("seed-deployment.yaml"), { image: IMAGE, applicationNamePrefix: "dev-", collectorHost: ON.collectorHost }).workload as any;
    assert.deepStrictEqual({ metadata: tomcat.inputs.metadata, spec: tomcat.inputs.spec }, { metadata: want.metadata, spec: want.spec });
  });

  it("the prefix is the stack name: tomcat-zffw in stack test is test-tomcat-zffw", async () => {
    const run = await runProgram(seedProgram(), { config: ON, stack: "test" });
    assert.match(opts(ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!)!, /applicationName=test-tomcat-zffw /);
  });

  it("pinpoint:enabled false (or unset) leaves every workload exactly as declared", async () => {
    for (const config of [{ ...ON, enabled: "false" }, { agentImage: IMAGE }]) {
      const run = await runProgram(seedProgram(), { config });
      assert.deepStrictEqual(run.errors, []);
      assert.strictEqual(run.transformsRegistered, 0);
      assertUntouched(run);
    }
  });

  it("turning instrumentation off after it was on gives back the declared objects (no leftovers)", async () => {
    const on = await runProgram(seedProgram(), { config: ON });
    const off = await runProgram(seedProgram(), { config: { ...ON, enabled: "false" } });
    for (const d of ofType(off, DEPLOYMENT)) {
      assert.deepStrictEqual(d.inputs, ofType(on, DEPLOYMENT).find((x) => x.name === d.name)!.declared);
    }
  });

  it("the opt-out annotation leaves that workload as declared", async () => {
    const run = await runProgram(
      seedProgram(() => {
        new k8s.apps.v1.Deployment("legacy", {
          metadata: { name: "legacy", namespace: "dev", annotations: { "pinpoint.fjhb.cn/inject": "false" } },
          spec: {
            selector: { matchLabels: { app: "legacy" } },
            template: { metadata: { labels: { app: "legacy" } }, spec: { containers: [{ name: "legacy", image: "legacy:1" }] } },
          },
        });
      }),
      { config: ON },
    );
    const legacy = ofType(run, DEPLOYMENT).find((d) => d.name === "legacy")!;
    assert.deepStrictEqual(legacy.inputs, legacy.declared);
    assert.ok(isInstrumented(ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!));
  });

  it("pinpoint:namespaces restricts instrumentation", async () => {
    const run = await runProgram(
      seedProgram(() => {
        new k8s.apps.v1.Deployment("ops-tool", {
          metadata: { name: "ops-tool", namespace: "ops" },
          spec: {
            selector: { matchLabels: { app: "ops" } },
            template: { metadata: { labels: { app: "ops" } }, spec: { containers: [{ name: "ops", image: "ops:1" }] } },
          },
        });
      }),
      { config: { ...ON, namespaces: '["dev"]' } },
    );
    assert.ok(isInstrumented(ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!));
    const ops = ofType(run, DEPLOYMENT).find((d) => d.name === "ops-tool")!;
    assert.deepStrictEqual(ops.inputs, ops.declared);
  });

  it("pinpoint:kinds brings StatefulSets in", async () => {
    const sts = () =>
      new k8s.apps.v1.StatefulSet("cache", {
        metadata: { name: "cache", namespace: "dev" },
        spec: {
          serviceName: "cache",
          selector: { matchLabels: { app: "cache" } },
          template: { metadata: { labels: { app: "cache" } }, spec: { containers: [{ name: "cache", image: "cache:1" }] } },
        },
      });
    const without = await runProgram(seedProgram(sts), { config: ON });
    const s0 = ofType(without, "kubernetes:apps/v1:StatefulSet")[0];
    assert.deepStrictEqual(s0.inputs, s0.declared);
    const withSts = await runProgram(seedProgram(sts), { config: { ...ON, kinds: "Deployment,StatefulSet" } });
    assert.ok(isInstrumented(ofType(withSts, "kubernetes:apps/v1:StatefulSet")[0]));
  });

  it("config options reach the flags: optionsEnv, prefix, pull secret", async () => {
    const run = await runProgram(seedProgram(), {
      config: { ...ON, optionsEnv: "JAVA_TOOL_OPTIONS", applicationNamePrefix: "qa.", imagePullSecret: "harbor-pull" },
    });
    const tomcat = ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!;
    const env = tomcat.inputs.spec.template.spec.containers[0].env;
    assert.match(env.find((e: any) => e.name === "JAVA_TOOL_OPTIONS").value, /applicationName=qa\.tomcat-zffw /);
    assert.deepStrictEqual(tomcat.inputs.spec.template.spec.imagePullSecrets, [{ name: "harbor-pull" }]);
  });

  it('pinpoint:applicationNamePrefix "" means no prefix, not the default <stack>-', async () => {
    const run = await runProgram(seedProgram(), { config: { ...ON, applicationNamePrefix: "" } });
    assert.deepStrictEqual(run.errors, []);
    assert.match(opts(ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!)!, /applicationName=tomcat-zffw /);
  });

  it("an agent older than 2.3 (pinpoint:agentVersion) gets no agentName flag", async () => {
    const run = await runProgram(seedProgram(), { config: { ...ON, agentVersion: "2.2.3" } });
    assert.deepStrictEqual(run.errors, []);
    const tomcat = ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!;
    assert.doesNotMatch(opts(tomcat)!, /agentName/);
    const withNew = await runProgram(seedProgram(), { config: { ...ON, agentVersion: "2.5.4" } });
    assert.match(opts(ofType(withNew, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!)!, /-Dpinpoint\.agentName=\$\(POD_NAME\)/);
  });

  it("pinpoint:quickStart true puts the C1-only flag after the agent's flags", async () => {
    const run = await runProgram(seedProgram(), { config: { ...ON, quickStart: "true" } });
    assert.deepStrictEqual(run.errors, []);
    assert.match(opts(ofType(run, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!)!, /-javaagent:\S+ .* -XX:TieredStopAtLevel=1$/);
    const off = await runProgram(seedProgram(), { config: ON });
    assert.doesNotMatch(opts(ofType(off, DEPLOYMENT).find((d) => d.name === "tomcat-zffw")!)!, /TieredStopAtLevel/);
  });

  it("args win over config", async () => {
    const run = await runProgram(
      () => {
        new PinpointApm("pinpoint", { applicationNamePrefix: "x-", collectorHost: "c.example" });
        new k8s.apps.v1.Deployment("a", {
          metadata: { name: "a" },
          spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "a", image: "a" }] } } },
        });
      },
      { config: ON },
    );
    assert.match(opts(ofType(run, DEPLOYMENT)[0])!, /applicationName=x-a .*collector\.ip=c\.example/);
  });
});

describe("PinpointApm: manifests (for programs in other languages)", () => {
  const manifests = [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata: {name: order-pay, namespace: dev}",
    "spec:",
    "  selector: {matchLabels: {app: order-pay}}",
    "  template:",
    "    metadata: {labels: {app: order-pay}}",
    "    spec: {containers: [{name: order-pay, image: 'harbor.59iedu.com/dev/order-pay:1.0'}]}",
  ].join("\n");

  it("deploys them as a child ConfigGroup, instrumented through its transforms option", async () => {
    const run = await runProgram(() => new PinpointApm("pinpoint", { manifests }), { config: ON });
    assert.deepStrictEqual(run.errors, []);
    const group = ofType(run, "kubernetes:yaml/v2:ConfigGroup");
    assert.deepStrictEqual(group.map((g) => g.name), ["pinpoint-manifests"]);
    const d = ofType(run, DEPLOYMENT)[0];
    assert.strictEqual(d.group, "pinpoint-manifests");
    assert.ok(isInstrumented(d));
    assert.match(opts(d)!, /applicationName=dev-order-pay /);
  });

  it("deploys them as written when instrumentation is off", async () => {
    const run = await runProgram(() => new PinpointApm("pinpoint", { manifests }), { config: { ...ON, enabled: "false" } });
    const d = ofType(run, DEPLOYMENT)[0];
    assert.deepStrictEqual(d.inputs, d.declared);
  });
});

describe("PinpointApm: bad config fails the preview with the key named", () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["enabled not a boolean", { ...ON, enabled: "yes" }, /pinpoint:enabled is "yes", not a boolean/],
    ["a typo in a key", { ...ON, enabeld: "true" }, /^pinpoint:enabeld is not a key this package reads; did you mean pinpoint:enabled\?; rename it, or remove it .*known keys: .*enabled/],
    ["a key in the wrong case", { ...ON, readimages: "false" }, /^pinpoint:readimages is not a key this package reads; did you mean pinpoint:readImages\?/],
    ["a key one letter short", { ...ON, collectorHos: "c" }, /^pinpoint:collectorHos is not a key this package reads; did you mean pinpoint:collectorHost\?/],
    ["a registry CA file that is not there", { ...ON, registryCaFile: "/nonexistent/ca.pem" }, /^pinpoint:registryCaFile "\/nonexistent\/ca\.pem" cannot be read \(ENOENT\); give the path of the CA's PEM file/],
    ["a registry CA file that is no certificate", { ...ON, registryCaFile: __filename }, /^pinpoint:registryCaFile ".*" holds no PEM certificate/],
    ["a key like none: no guess", { ...ON, zzz: "1" }, /^pinpoint:zzz is not a key this package reads; remove it with `pulumi config rm pinpoint:zzz`; known keys: /],
    ["an unknown kind", { ...ON, kinds: "Deployment,Pod" }, /pinpoint:kinds names "Pod", which is not a workload kind/],
    ["on without an image", { enabled: "true", collectorHost: "c" }, /pinpoint:agentImage is not set, and instrumentation is on/],
    ["a port out of range", { ...ON, collectorAgentPort: "70000" }, /pinpoint:collectorAgentPort is "70000", not a whole number from 1 to 65535/],
    ["a bad agentIdSource", { ...ON, agentIdSource: "ip" }, /pinpoint:agentIdSource is "ip"; use one of: podIP, generated/],
    ["namespaces not a list", { ...ON, namespaces: "[dev" }, /pinpoint:namespaces is not a valid JSON list/],
    ["a bad options variable", { ...ON, optionsEnv: "JAVA OPTS" }, /optionsEnv "JAVA OPTS" is not a variable a JVM launcher can read/],
    ["an invalid prefix", { ...ON, applicationNamePrefix: "dev/" }, /applicationNamePrefix "dev\/" may hold only/],
    // Issue 20: config that used to mean something else.
    ["namespaces an empty list", { ...ON, namespaces: "[]" }, /namespaces \(pinpoint:namespaces\) is an empty list: name the namespaces to instrument, or leave it out/],
    ["a prefix of 17 characters", { ...ON, applicationNamePrefix: "a-very-long-prefx" }, /applicationNamePrefix "a-very-long-prefx" has 17 characters/],
    ["an unknown agentDelivery", { ...ON, agentDelivery: "volume" }, /pinpoint:agentDelivery is "volume"; use one of: copy, imageVolume/],
    [
      "imageVolume on a cluster older than 1.31",
      { ...ON, agentDelivery: "imageVolume", kubernetesVersion: "1.30" },
      /pinpoint:kubernetesVersion is 1\.30, and image volumes exist only from Kubernetes 1\.31: set pinpoint:agentDelivery to copy/,
    ],
    [
      "a kubernetesVersion that is no version",
      { ...ON, agentDelivery: "imageVolume", kubernetesVersion: "one" },
      /pinpoint:kubernetesVersion "one" is not a Kubernetes version/,
    ],
    ["an image with the README's … placeholder", { ...ON, agentImage: "harbor.59iedu.com/fjhb/pp_agent@sha256:…" }, /^pinpoint:agentImage "harbor\.59iedu\.com\/fjhb\/pp_agent@sha256:…" still holds a placeholder/],
    ["an options variable of PATH", { ...ON, optionsEnv: "PATH" }, /^pinpoint:optionsEnv "PATH" is a variable the process/],
    ["a collector host a..b", { ...ON, collectorHost: "a..b" }, /^pinpoint:collectorHost "a\.\.b" has an empty label/],
    ["init requests above limits", { ...ON, initResources: '{"requests":{"cpu":"1"},"limits":{"cpu":"100m"}}' }, /^pinpoint:initResources requests\.cpu 1 is above limits\.cpu 100m/],
    ["initResources with a misspelt key", { ...ON, initResources: '{"limit":{"cpu":"100m"}}' }, /^pinpoint:initResources has the key "limit", which is not one it reads; did you mean "limits"\?/],
  ];
  for (const [name, config, error] of cases) {
    it(name, async () => {
      const run = await runProgram(seedProgram(), { config });
      assert.ok(run.errors.some((e) => error.test(e)), `expected ${error} in ${JSON.stringify(run.errors)}`);
    });
  }
});

/** Runs a program and returns what it warned (pulumi.log.warn goes to console.warn under the mocks). */
async function warningsOf(config: Record<string, string>): Promise<{ run: ProgramRun; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    const run = await runProgram(seedProgram(), { config });
    // Only ours: the runtime warns about undefined stack outputs too.
    return { run, warnings: warnings.filter((w) => /agentDelivery|kubernetesVersion|ImageVolume/.test(w)) };
  } finally {
    console.warn = original;
  }
}

describe("PinpointApm: pinpoint:agentDelivery imageVolume", () => {
  const IV = { ...ON, agentDelivery: "imageVolume", kubernetesVersion: "1.35" };

  it("mounts the agent image read-only as a volume, with no init container, in every Deployment", async () => {
    const { run, warnings } = await warningsOf(IV);
    assert.deepStrictEqual(run.errors, []);
    assert.deepStrictEqual(warnings, []);
    for (const d of ofType(run, DEPLOYMENT)) {
      const spec = d.inputs.spec.template.spec;
      assert.strictEqual(spec.initContainers, undefined, d.name);
      assert.deepStrictEqual(spec.volumes.find((v: any) => v.name === "pp-agent").image, { reference: IMAGE, pullPolicy: "IfNotPresent" });
      assert.deepStrictEqual(spec.containers[0].volumeMounts.find((m: any) => m.name === "pp-agent"), {
        name: "pp-agent",
        mountPath: "/var/init/pinpoint-image",
        readOnly: true,
      });
      assert.match(opts(d)!, /^-javaagent:\/var\/init\/pinpoint-image\/var\/lib\/pp_agent\/pinpoint-bootstrap\.jar /);
      validateObject(d.inputs);
    }
  });

  it("puts an image known only as an Output into the volume", async () => {
    const run = await runProgram(
      () => {
        new PinpointApm("pinpoint", { agentImage: pulumi.output(IMAGE), agentDelivery: "imageVolume", kubernetesVersion: "v1.36.0" });
        new k8s.apps.v1.Deployment("a", { metadata: { name: "a" }, spec: simpleSpec("a") });
      },
      { config: { enabled: "true", collectorHost: "c" } },
    );
    assert.deepStrictEqual(run.errors, []);
    assert.strictEqual(ofType(run, DEPLOYMENT)[0].inputs.spec.template.spec.volumes[0].image.reference, IMAGE);
  });

  const warned: Array<[string, Record<string, string>, RegExp]> = [
    ["a cluster of 1.33 gets a warning about the feature gate", { ...IV, kubernetesVersion: "1.33" }, /pinpoint:kubernetesVersion is 1\.33, where the ImageVolume feature gate is off by default/],
    ["no kubernetesVersion gets a warning that asks for it", { ...ON, agentDelivery: "imageVolume" }, /set pinpoint:kubernetesVersion to the cluster's version/],
  ];
  for (const [name, config, warning] of warned) {
    it(name, async () => {
      const { run, warnings } = await warningsOf(config);
      assert.deepStrictEqual(run.errors, []);
      assert.ok(warnings.some((w) => warning.test(w)), `expected ${warning} in ${JSON.stringify(warnings)}`);
    });
  }

  it("the copy delivery never warns about the cluster's version", async () => {
    const { run, warnings } = await warningsOf({ ...ON, kubernetesVersion: "1.20" });
    assert.deepStrictEqual(run.errors, []);
    assert.deepStrictEqual(warnings, []);
  });
});

describe("PinpointApm: an image known only as an Output", () => {
  it("reaches the init containers when valid", async () => {
    const run = await runProgram(seedProgram(), { config: { enabled: "true", collectorHost: "c" } });
    assert.ok(run.errors.some((e) => /pinpoint:agentImage is not set/.test(e)));
    const withOutput = await runProgram(
      () => {
        new PinpointApm("pinpoint", { agentImage: pulumi.output(IMAGE) });
        new k8s.apps.v1.Deployment("a", { metadata: { name: "a" }, spec: simpleSpec("a") });
      },
      { config: { enabled: "true", collectorHost: "c" } },
    );
    assert.deepStrictEqual(withOutput.errors, []);
    assert.strictEqual(ofType(withOutput, DEPLOYMENT)[0].inputs.spec.template.spec.initContainers[0].image, IMAGE);
  });

  it("steering args given as Outputs (a StackReference's, say) are honoured once known", async () => {
    const run = await runProgram(
      () => {
        new PinpointApm("pinpoint", { agentImage: IMAGE, namespaces: pulumi.output(["dev"]), collectorHost: pulumi.output("c.example") });
        new k8s.apps.v1.Deployment("in-dev", { metadata: { name: "in-dev", namespace: "dev" }, spec: simpleSpec("in-dev") });
        new k8s.apps.v1.Deployment("in-ops", { metadata: { name: "in-ops", namespace: "ops" }, spec: simpleSpec("in-ops") });
      },
      { config: { enabled: "true" } },
    );
    assert.deepStrictEqual(run.errors, []);
    const byName = (n: string) => ofType(run, DEPLOYMENT).find((d) => d.name === n)!;
    assert.ok(isInstrumented(byName("in-dev")));
    assert.match(opts(byName("in-dev"))!, /collector\.ip=c\.example/);
    assert.deepStrictEqual(byName("in-ops").inputs, byName("in-ops").declared);
  });

  it("fails the workloads with the problem named when invalid, and nothing crashes", async () => {
    const run = await runProgram(
      () => {
        new PinpointApm("pinpoint", { agentImage: pulumi.output("pp agent:latest") });
        new k8s.apps.v1.Deployment("a", { metadata: { name: "a" }, spec: simpleSpec("a") });
        new k8s.apps.v1.Deployment("b", { metadata: { name: "b" }, spec: simpleSpec("b") });
      },
      { config: { enabled: "true", collectorHost: "c" } },
    );
    assert.deepStrictEqual(run.errors, ['image "pp agent:latest" contains white space']);
  });
});

function simpleSpec(app: string) {
  // Tomcat by its image: the default rules instrument it, in CATALINA_OPTS.
  return { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: "tomcat:9.0" }] } } };
}

describe("pinpointTransform on one resource", () => {
  it("instruments only the resource (and the ConfigGroup children) it is given to", async () => {
    const transform = pinpointTransform({ image: IMAGE, applicationNamePrefix: "dev-" });
    const spec = (app: string) => ({
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: "eclipse-temurin:21-jre", args: ["-jar", `/app/${app}.jar`] }] } },
    });
    const run = await runProgram(() => {
      new k8s.apps.v1.Deployment("chosen", { metadata: { name: "chosen" }, spec: spec("chosen") }, { transforms: [transform] });
      new k8s.apps.v1.Deployment("other", { metadata: { name: "other" }, spec: spec("other") });
      new k8s.yaml.v2.ConfigGroup(
        "group",
        { objs: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "grouped" }, spec: spec("grouped") }] },
        { transforms: [transform] },
      );
    });
    assert.deepStrictEqual(run.errors, []);
    const byName = (n: string) => ofType(run, DEPLOYMENT).find((d) => d.name === n)!;
    assert.ok(isInstrumented(byName("chosen")));
    assert.ok(isInstrumented(byName("group:grouped")));
    assert.deepStrictEqual(byName("other").inputs, byName("other").declared);
  });
});
