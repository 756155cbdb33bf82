/**
 * `pulumi up` for real (README "Real Pulumi engine and API server"): the Pulumi
 * CLI and the Kubernetes provider built by setup.sh run the org's dev stack
 * (stacks/) and the yaml-and-helm example through the Automation API against a
 * real kube-apiserver + kube-controller-manager (controlPlane.ts). Needs: root is
 * not required, but setup.sh must have run (CI: .ci/run does it) and Debian's
 * etcd-server, buildah, docker-registry, busybox-static and openssl.
 *
 * What only the test program adds (never the product): `pulumi.com/skipAwait`
 * on every Kubernetes object, since no kubelet runs and a Deployment would never
 * roll out; the restricted Pod Security label on the `dev` Namespace; and a
 * restricted securityContext on the app containers, so that what the admission
 * judges is our init container.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type { PulumiFn, Stack, UpResult } from "@pulumi/pulumi/automation";
import { ANNOTATION_STATUS, INIT_CONTAINER_NAME, VOLUME_NAME } from "../../../sdk/inject/constants";
import { runProgram } from "../../../sdk/render/mockEngine";
import { SECRET_MASK } from "../../../sdk/render/render";
import { kubernetesObjects } from "../../../sdk/render/objects";
import { loadProgram, locateProgram, ProgramLocation, stackFile } from "../../../sdk/render/program";
import { readStackConfig } from "../../../sdk/render/stackConfig";
import { Buildah } from "../buildah";
import { Registry, startRegistry } from "../registry";
import { BUSYBOX } from "../tools";
import { compiled } from "../../support/compiled";
import { asStored, containmentDifferences } from "./compare";
import { ControlPlane, startControlPlane } from "./controlPlane";
import { automationConfig, engineParts, engineVersions, inlineStack, REPO_ROOT } from "./engine";

const OUT = path.join(REPO_ROOT, "out", "e2e-engine");
/** Bounds an engine operation: Pulumi issues #18592, #19904, #20247 are hangs around transforms. */
const OPERATION_BOUND_MS = 8 * 60 * 1000;
const SECRET_VALUE = "e2e-Secret-2026";
const RESTRICTED_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 1001,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

interface Evidence {
  versions: Record<string, string>;
  sources: Record<string, string>;
  workloads: Array<{ program: string; declaredAs: string; namespace: string; name: string; containers: string[]; variable: string | undefined }>;
  admission: { namespace: string; profile: string; admittedPods: string[]; rejectedControlPod: string; failedCreateEvents: number } | undefined;
  renderMatchesEngine: { compared: number; differences: string[] } | undefined;
  secondUp: Record<string, number> | undefined;
  newDigestUpdated: string[] | undefined;
  disabledLeft: { initContainers: string[]; statusAnnotation: boolean; differencesFromUninstrumented: string[] } | undefined;
  destroyLeft: string[] | undefined;
  badConfig: string | undefined;
  /** Pull Secrets the instrumented pods name, and whether the real engine created them (see the first test). */
  pullSecrets: Array<{ namespace: string; name: string; created: boolean }>;
  /** The engine kept no record of the dependsOn the transform added (pulumi pkg/v3 source_eval.go, stack transforms). */
  engineDropsTransformDependsOn?: boolean;
  /** pinpoint-render --engine: the Chart's workloads it instrumented, and how its objects compare with the mock render's. */
  engineRender?: { chartWorkloadsInstrumented: string[]; comparedWithMock: number; differences: string[] };
  durationsMs: Record<string, number>;
}

const evidence: Evidence = {
  versions: {},
  sources: {},
  workloads: [],
  admission: undefined,
  renderMatchesEngine: undefined,
  secondUp: undefined,
  newDigestUpdated: undefined,
  disabledLeft: undefined,
  destroyLeft: undefined,
  badConfig: undefined,
  pullSecrets: [],
  durationsMs: {},
};

async function bounded<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${OPERATION_BOUND_MS} ms: a hang`)), OPERATION_BOUND_MS);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    evidence.durationsMs[what] = Date.now() - started;
  }
}

/** What the test program adds around the product; see the file comment. */
const testOnlyTransform: pulumi.ResourceTransform = (args) => {
  if (!args.type.startsWith("kubernetes:") || !args.custom) return undefined;
  const props = { ...args.props };
  const metadata = { ...(props.metadata ?? {}) };
  metadata.annotations = { ...(metadata.annotations ?? {}), "pulumi.com/skipAwait": "true" };
  if (args.type === "kubernetes:core/v1:Namespace" && metadata.name === "dev") {
    metadata.labels = { ...(metadata.labels ?? {}), "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" };
  }
  props.metadata = metadata;
  if (args.type === "kubernetes:apps/v1:Deployment" && metadata.namespace === "dev" && props.spec?.template?.spec) {
    const spec = props.spec.template.spec;
    const containers = (spec.containers ?? []).map((c: Record<string, unknown>) => (c.securityContext ? c : { ...c, securityContext: RESTRICTED_CONTEXT }));
    props.spec = { ...props.spec, template: { ...props.spec.template, spec: { ...spec, containers } } };
  }
  return { props, opts: args.opts };
};

function inlineProgram(location: ProgramLocation): PulumiFn {
  const program = loadProgram(location);
  return async () => {
    pulumi.runtime.registerResourceTransform(testOnlyTransform);
    return (await program()) as Record<string, unknown> | void;
  };
}

/** The stack file's config with real secrets, and the overrides of this run. */
function stackConfig(location: ProgramLocation, stack: string, overrides: Record<string, string>): { config: Record<string, string>; secretKeys: string[] } {
  const { config, secretKeys } = readStackConfig(stackFile(location, stack), location.project);
  for (const k of secretKeys) config[k] = SECRET_VALUE;
  return { config: { ...config, ...overrides }, secretKeys };
}

async function setConfig(stack: Stack, config: Record<string, string>, secretKeys: string[]): Promise<void> {
  const current = await stack.getAllConfig();
  for (const key of Object.keys(current)) if (!(key in config)) await stack.removeConfig(key);
  await stack.setAllConfig(automationConfig(config, secretKeys));
}

/** The offline render of the same program and config: the mock engine, secrets in clear. */
async function render(location: ProgramLocation, stack: string, config: Record<string, string>, secretKeys: string[]) {
  const run = await runProgram(loadProgram(location), { project: location.project, stack, config, secretKeys, cwd: location.dir, secret: (v) => v });
  if (run.errors.length > 0) throw new Error(`render failed: ${run.errors.join("\n")}`);
  return run.resources;
}

function changes(result: UpResult): Record<string, number> {
  return (result.summary.resourceChanges ?? {}) as Record<string, number>;
}

function notSame(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([op, n]) => op !== "same" && n > 0));
}

describe("the real Pulumi engine and kube-apiserver run the org's stacks (npm run e2e:engine)", function () {
  this.timeout(40 * 60 * 1000);
  let tmp: string;
  let plane: ControlPlane | undefined;
  let registry: Registry | undefined;
  let digests: string[] = [];
  let dev: Stack;
  let devLocation: ProgramLocation;
  let devConfig: { config: Record<string, string>; secretKeys: string[] };
  const { parts, missing } = engineParts();

  before(async function () {
    if (missing.length > 0) {
      const message = `engine parts not built (run test/e2e/engine/setup.sh): ${missing.join(", ")}`;
      if (process.env.CI) throw new Error(message);
      console.log(`      skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-engine-"));
    // Two agent images in a real registry: the digest the stack pins, and a second to roll to.
    registry = await startRegistry(path.join(tmp, "registry"));
    const buildah = new Buildah(path.join(tmp, "buildah"));
    const base = buildah.busyboxBase(registry.host, BUSYBOX.path);
    for (const n of [1, 2]) {
      const container = buildah.run("from", "--tls-verify=false", base);
      buildah.run("config", "--label", `pp-e2e-build=${n}`, container);
      const ref = `${registry.host}/fjhb/pp_agent:e2e-${n}`;
      buildah.run("commit", "--quiet", container, ref);
      digests.push(`${registry.host}/fjhb/pp_agent@${buildah.push(ref)}`);
    }
    plane = await startControlPlane(path.join(tmp, "cluster"), parts);
    const v = engineVersions();
    evidence.versions = {
      pulumi: (await import("child_process")).execFileSync(parts.pulumi, ["version"], { encoding: "utf8" }).trim(),
      kubernetesProvider: v.KUBERNETES_PROVIDER_VERSION,
      kubeApiserver: plane.version,
      node: process.version,
    };
    evidence.sources = {
      pulumi: `Go module github.com/pulumi/pulumi/pkg/v3@v${v.PULUMI_VERSION} (cmd/pulumi)`,
      kubernetesProvider: `Go module github.com/pulumi/pulumi-kubernetes/provider/v4@${v.KUBERNETES_PROVIDER_MODULE}, stamped ${v.KUBERNETES_PROVIDER_VERSION}`,
      kubeApiserver: `Go module k8s.io/kubernetes@v${v.KUBERNETES_VERSION} (cmd/kube-apiserver, cmd/kube-controller-manager)`,
      etcd: "Debian etcd-server",
      agentImages: digests.join(", "),
    };
    devLocation = locateProgram("stacks", REPO_ROOT);
    devConfig = stackConfig(devLocation, "dev", { "pinpoint:agentImage": digests[0], "pinpoint:registry": registry.host });
    dev = await inlineStack(parts, path.join(tmp, "dev"), devLocation.project, "dev", inlineProgram(devLocation), plane.kubeconfig);
    await setConfig(dev, devConfig.config, devConfig.secretKeys);
  });

  after(async () => {
    await plane?.stop();
    await registry?.stop();
    if (evidence.versions.pulumi) {
      fs.mkdirSync(OUT, { recursive: true });
      fs.writeFileSync(path.join(OUT, "evidence.json"), JSON.stringify(evidence, null, 2) + "\n");
      console.log("\n  Evidence (real Pulumi engine and API server), out/e2e-engine/evidence.json");
      console.log(`    ${Object.entries(evidence.versions).map(([k, v]) => `${k} ${v.split("\n")[0]}`).join("; ")}`);
      for (const w of evidence.workloads) console.log(`    instrumented: ${w.program} ${w.declaredAs} ${w.namespace}/${w.name} containers ${w.containers.join(",")} via ${w.variable}`);
      if (evidence.admission) console.log(`    restricted Pod Security admitted ${evidence.admission.admittedPods.length} pod(s); a non-compliant control pod was refused`);
      if (evidence.renderMatchesEngine) console.log(`    render vs engine: ${evidence.renderMatchesEngine.compared} objects, ${evidence.renderMatchesEngine.differences.length} differences`);
      if (evidence.secondUp) console.log(`    second up: ${JSON.stringify(evidence.secondUp)}`);
      if (evidence.newDigestUpdated) console.log(`    new agent digest updated: ${evidence.newDigestUpdated.join(", ")}`);
      if (evidence.disabledLeft) console.log(`    enabled false left: ${JSON.stringify(evidence.disabledLeft)}`);
      for (const p of evidence.pullSecrets) console.log(`    pull Secret ${p.namespace}/${p.name} made inside the transform: ${p.created ? "created, and the Deployment waits for it" : "NOT created"}`);
      if (evidence.engineRender) console.log(`    pinpoint-render --engine: Chart workloads instrumented ${evidence.engineRender.chartWorkloadsInstrumented.join(", ")}; ${evidence.engineRender.comparedWithMock} objects as the mock render's, ${evidence.engineRender.differences.length} differences`);
      if (evidence.destroyLeft) console.log(`    destroy left: ${evidence.destroyLeft.length === 0 ? "nothing" : evidence.destroyLeft.join(", ")}`);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("pulumi up of the dev stack instruments its Deployment in the API server, with the pull Secret made inside the transform, and nothing hangs", async () => {
    // Engine events in order: when each resource's create started and finished.
    const steps: Array<{ at: "pre" | "outputs"; op: string; urn: string }> = [];
    const upResult = await bounded("up (dev)", dev.up({
      onEvent: (e) => {
        const pre = e.resourcePreEvent?.metadata;
        const done = e.resOutputsEvent?.metadata;
        if (pre) steps.push({ at: "pre", op: pre.op, urn: pre.urn });
        if (done) steps.push({ at: "outputs", op: done.op, urn: done.urn });
      },
    }));
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, "up-dev.log"), upResult.stdout + "\n" + upResult.stderr);
    const live = (await plane!.api("GET", "/apis/apps/v1/namespaces/dev/deployments/tomcat-zffw")).body;
    const spec = live.spec.template.spec;
    assert.deepStrictEqual(spec.initContainers.map((c: { name: string }) => c.name), [INIT_CONTAINER_NAME]);
    assert.strictEqual(spec.initContainers[0].image, digests[0]);
    assert.ok(spec.volumes.some((v: { name: string }) => v.name === VOLUME_NAME));
    const app = spec.containers[0];
    const opts = app.env.find((e: { name: string }) => e.name === "CATALINA_OPTS");
    assert.match(opts.value, /-javaagent:\/var\/init\/pinpoint\/pinpoint-bootstrap\.jar .*-Dpinpoint\.applicationName=dev-tomcat-zffw/);
    assert.ok(live.spec.template.metadata.annotations[ANNOTATION_STATUS]);
    // The transform's reasons are engine diagnostics (they went to the console when the callback ran outside the program).
    assert.match(upResult.stdout, /pinpoint: Deployment dev\/tomcat-zffw instrumented: /);
    evidence.workloads.push({ program: "stacks (dev)", declaredAs: "direct", namespace: "dev", name: "tomcat-zffw", containers: [app.name], variable: "CATALINA_OPTS" });
    // The pull Secret the pod names: the transform creates it as a child while the engine calls
    // back. Under an inline program that registration once went to the SDK's test mode and never
    // reached the engine (sdk/programContext.ts): the Secret must be in the state and the API
    // server, and created before the Deployment. The engine keeps no dependsOn a stack transform
    // adds (sdk/render/mockEngine.ts); the order holds because the transform's answer waits for the
    // Secret's URN, which the engine gives once the Secret is created.
    assert.ok(spec.imagePullSecrets?.length > 0, "the instrumented pod names a pull Secret");
    const exported = await dev.exportStack();
    fs.writeFileSync(path.join(OUT, "state-dev.json"), JSON.stringify(exported, null, 1));
    const state = exported.deployment.resources as Array<{ urn: string; type: string; dependencies?: string[]; outputs?: { metadata?: { name?: string; namespace?: string } } }>;
    const deployment = state.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.outputs?.metadata?.name === "tomcat-zffw")!;
    const deploymentCreate = steps.findIndex((st) => st.at === "pre" && st.op === "create" && st.urn === deployment.urn);
    assert.ok(deploymentCreate >= 0, `no create event for ${deployment.urn}`);
    for (const s of spec.imagePullSecrets) {
      const inState = state.find((r) => r.type === "kubernetes:core/v1:Secret" && r.outputs?.metadata?.name === s.name && r.outputs?.metadata?.namespace === "dev");
      const live = await plane!.api("GET", `/api/v1/namespaces/dev/secrets/${s.name}`);
      assert.ok(inState, `pull Secret ${s.name} is not in the engine's state`);
      assert.strictEqual(live.status, 200, `pull Secret ${s.name} is not in the API server`);
      assert.strictEqual(live.body.type, "kubernetes.io/dockerconfigjson");
      const secretCreated = steps.findIndex((st) => st.at === "outputs" && st.op === "create" && st.urn === inState.urn);
      assert.ok(secretCreated >= 0 && secretCreated < deploymentCreate, `the Secret was not created before the Deployment: ${JSON.stringify(steps)}`);
      evidence.engineDropsTransformDependsOn = !(deployment.dependencies ?? []).includes(inState.urn);
      evidence.pullSecrets.push({ namespace: "dev", name: s.name, created: true });
    }
  });

  it("every object the offline render writes is in the API server as the engine created it (render ⊆ live), and the same workloads are instrumented", async () => {
    const rendered = kubernetesObjects(await render(devLocation, "dev", devConfig.config, devConfig.secretKeys), (v) => v);
    const state = (await dev.exportStack()).deployment.resources as Array<{ urn: string; type: string; outputs?: Record<string, any> }>;
    const differences: string[] = [];
    let compared = 0;
    for (const r of rendered) {
      const match = state.find((s) => s.type === r.resource.type && s.urn.endsWith(`::${r.resource.name}`));
      if (!match?.outputs) {
        differences.push(`${r.resource.type} ${r.resource.name}: not created by the engine`);
        continue;
      }
      compared++;
      // The engine's outputs are the live object as the API server returned it.
      const expected = asStored(r.object as Record<string, any>);
      // Autonamed objects: the render cannot know the suffix the engine picks.
      if (!expected.metadata?.name) expected.metadata = { ...expected.metadata, name: match.outputs.metadata?.name };
      differences.push(...containmentDifferences(expected, match.outputs, `${r.object.kind} ${r.resource.name}`));
      const instrumentedInRender = Boolean((r.object as any).spec?.template?.metadata?.annotations?.[ANNOTATION_STATUS]);
      const instrumentedLive = Boolean(match.outputs.spec?.template?.metadata?.annotations?.[ANNOTATION_STATUS]);
      if (instrumentedInRender !== instrumentedLive) differences.push(`${r.object.kind} ${r.resource.name}: instrumented ${instrumentedInRender} in the render, ${instrumentedLive} live`);
    }
    evidence.renderMatchesEngine = { compared, differences };
    assert.ok(compared >= 10, `only ${compared} objects compared`);
    assert.deepStrictEqual(differences, []);
  });

  it("restricted Pod Security admits the Pods of the instrumented Deployment (kube-controller-manager creates them) and refuses a non-compliant control Pod", async () => {
    const ns = (await plane!.api("GET", "/api/v1/namespaces/dev")).body;
    assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    let pods: Array<{ metadata: { name: string } }> = [];
    for (let i = 0; i < 120 && pods.length === 0; i++) {
      pods = (await plane!.api("GET", "/api/v1/namespaces/dev/pods?labelSelector=app%3Dtomcat-zffw")).body.items ?? [];
      if (pods.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    const events = ((await plane!.api("GET", "/api/v1/namespaces/dev/events")).body.items ?? []) as Array<{ reason: string; message: string }>;
    const failed = events.filter((e) => e.reason === "FailedCreate");
    assert.deepStrictEqual(failed.map((e) => e.message), []);
    assert.ok(pods.length >= 1, "no Pod was created for the instrumented Deployment");
    const pod = (await plane!.api("GET", `/api/v1/namespaces/dev/pods/${pods[0].metadata.name}`)).body;
    assert.strictEqual(pod.spec.initContainers[0].name, INIT_CONTAINER_NAME);
    // The control: the same namespace refuses a pod without a restricted securityContext, so the admission above was judged.
    const control = await plane!.api("POST", "/api/v1/namespaces/dev/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pp-e2e-control" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    assert.strictEqual(control.status, 403, `the control Pod was not refused: ${JSON.stringify(control.body).slice(0, 300)}`);
    assert.match(String(control.body.message), /violates PodSecurity "restricted/);
    evidence.admission = { namespace: "dev", profile: "restricted", admittedPods: pods.map((p) => p.metadata.name), rejectedControlPod: String(control.body.message), failedCreateEvents: failed.length };
  });

  it("a second pulumi up changes nothing, and preview --expect-no-changes passes", async () => {
    const result = await bounded("second up (dev)", dev.up());
    evidence.secondUp = changes(result);
    assert.deepStrictEqual(notSame(changes(result)), {});
    await bounded("preview --expect-no-changes (dev)", dev.preview({ expectNoChanges: true }));
  });

  it("a new agent digest updates only the instrumented Deployment", async () => {
    await dev.setConfig("pinpoint:agentImage", { value: digests[1] });
    const updated: string[] = [];
    const result = await bounded("up with a new digest (dev)", dev.up({ onEvent: (e) => {
      const m = e.resourcePreEvent?.metadata;
      if (m && m.op !== "same") updated.push(`${m.op} ${m.type} ${m.urn.split("::").pop()}`);
    } }));
    evidence.newDigestUpdated = updated;
    assert.deepStrictEqual(notSame(changes(result)), { update: 1 });
    assert.deepStrictEqual(updated, ["update kubernetes:apps/v1:Deployment tomcat-zffw"]);
    const live = (await plane!.api("GET", "/apis/apps/v1/namespaces/dev/deployments/tomcat-zffw")).body;
    assert.strictEqual(live.spec.template.spec.initContainers[0].image, digests[1]);
  });

  it("pinpoint:enabled false + up removes exactly what was added: the live Deployment is the uninstrumented render's", async () => {
    await dev.setConfig("pinpoint:enabled", { value: "false" });
    await bounded("up with enabled false (dev)", dev.up());
    const live = (await plane!.api("GET", "/apis/apps/v1/namespaces/dev/deployments/tomcat-zffw")).body;
    const off = { ...devConfig.config, "pinpoint:enabled": "false", "pinpoint:agentImage": digests[1] };
    const plain = kubernetesObjects(await render(devLocation, "dev", off, devConfig.secretKeys), (v) => v).find(
      (o) => o.object.kind === "Deployment" && o.object.metadata?.name === "tomcat-zffw",
    )!;
    const template = live.spec.template;
    const declared = (plain.object as any).spec.template;
    const differences = containmentDifferences(declared, template, "template");
    // Containment one way; the other way, the user's fields: containers, volumes and annotations are exactly the declared ones.
    assert.deepStrictEqual(
      template.spec.containers.map((c: { env?: unknown; volumeMounts?: unknown }) => ({ env: c.env, volumeMounts: c.volumeMounts })),
      declared.spec.containers.map((c: { env?: unknown; volumeMounts?: unknown }) => ({ env: c.env, volumeMounts: c.volumeMounts })),
    );
    evidence.disabledLeft = {
      initContainers: (template.spec.initContainers ?? []).map((c: { name: string }) => c.name),
      statusAnnotation: Boolean(template.metadata.annotations?.[ANNOTATION_STATUS]),
      differencesFromUninstrumented: differences,
    };
    assert.deepStrictEqual(differences, []);
    assert.strictEqual(template.spec.initContainers, undefined);
    assert.strictEqual(template.spec.volumes, undefined);
    assert.strictEqual(template.metadata.annotations?.[ANNOTATION_STATUS], undefined);
  });

  it("a misspelt pinpoint:* value fails preview with a diagnostic naming the key", async () => {
    const bad = await inlineStack(parts, path.join(tmp, "bad"), devLocation.project, "bad", inlineProgram(devLocation), plane!.kubeconfig);
    await setConfig(bad, { ...devConfig.config, "pinpoint:kinds": "Deploymnet" }, devConfig.secretKeys);
    let message = "";
    try {
      await bounded("preview with a bad value", bad.preview());
    } catch (e) {
      message = String((e as Error).message);
    }
    evidence.badConfig = (/pinpoint:kinds[^\n]*/.exec(message) ?? [""])[0];
    assert.match(message, /pinpoint:kinds/);
    assert.match(message, /Deploymnet/);
  });

  it("yaml/v2 ConfigGroup and helm/v4 Chart children are instrumented by pulumi up (examples/yaml-and-helm)", async () => {
    const location = locateProgram("examples/yaml-and-helm", REPO_ROOT);
    const { config, secretKeys } = stackConfig(location, "dev", { "pinpoint:agentImage": digests[0] });
    const stack = await inlineStack(parts, path.join(tmp, "yaml-and-helm"), location.project, "dev", inlineProgram(location), plane!.kubeconfig);
    await setConfig(stack, config, secretKeys);
    await bounded("up (yaml-and-helm)", stack.up());
    // The render runs no Helm (README): it speaks for the ConfigGroup children; the engine's state for all.
    const rendered = kubernetesObjects(await render(location, "dev", config, secretKeys), (v) => v).filter((o) => o.object.kind === "Deployment");
    const state = (await stack.exportStack()).deployment.resources as Array<{ urn: string; type: string; outputs?: Record<string, any> }>;
    const deployments = state.filter((s) => s.type === "kubernetes:apps/v1:Deployment");
    assert.ok(deployments.length >= 3, `only ${deployments.length} Deployments created`);
    for (const d of deployments) {
      const md = d.outputs!.metadata;
      const live = await plane!.api("GET", `/apis/apps/v1/namespaces/${md.namespace}/deployments/${md.name}`);
      assert.strictEqual(live.status, 200, `${md.name} not in the API server`);
      const declaredAs = d.urn.includes("kubernetes:helm.sh/v4:Chart") ? "helm/v4" : d.urn.includes("kubernetes:yaml/v2:ConfigGroup") ? "yaml/v2" : "direct";
      const twin = rendered.find((r) => r.object.metadata?.name === md.name && (r.object.metadata?.namespace ?? "default") === md.namespace);
      const instrumented = Boolean(live.body.spec.template.metadata?.annotations?.[ANNOTATION_STATUS]);
      if (twin) assert.strictEqual(instrumented, Boolean((twin.object as any).spec.template.metadata?.annotations?.[ANNOTATION_STATUS]), `${md.name}: render and engine disagree`);
      else assert.strictEqual(declaredAs, "helm/v4", `${md.name} is missing from the render`);
      if (!instrumented) continue;
      const spec = live.body.spec.template.spec;
      assert.strictEqual(spec.initContainers.at(-1).name, INIT_CONTAINER_NAME);
      const variable = spec.containers.flatMap((c: { env?: Array<{ name: string; value?: string }> }) => c.env ?? []).find((e: { value?: string }) => /-javaagent:/.test(e.value ?? ""))?.name;
      evidence.workloads.push({ program: "examples/yaml-and-helm (dev)", declaredAs, namespace: md.namespace, name: md.name, containers: spec.containers.map((c: { name: string }) => c.name), variable });
    }
    assert.ok(evidence.workloads.some((w) => w.declaredAs === "helm/v4"), "no helm/v4 Chart Deployment was instrumented");
    assert.ok(evidence.workloads.some((w) => w.declaredAs === "yaml/v2"), "no yaml/v2 ConfigGroup Deployment was instrumented");
    await bounded("destroy (yaml-and-helm)", stack.destroy());
  });

  it("pinpoint-render --engine renders the helm/v4 Chart and instruments its Deployment with no cluster, and its objects mean what the mock render's do", async () => {
    // The Pulumi CLI and provider from setup.sh; no kubeconfig at all, so a contacted cluster would fail the run.
    const env = {
      ...process.env,
      PATH: `${path.dirname(parts.pulumi)}${path.delimiter}${process.env.PATH}`,
      PULUMI_HOME: parts.pulumiHome,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      KUBECONFIG: path.join(tmp, "no-such-kubeconfig"),
    };
    const renderCli = (args: string[]) => {
      const r = spawnSync(process.execPath, [compiled("cli/render.js"), ...args], { cwd: REPO_ROOT, encoding: "utf8", env, timeout: 5 * 60 * 1000 });
      assert.strictEqual(r.status, 0, `pinpoint-render ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    const readFolder = (dir: string) => new Map(fs.readdirSync(dir).map((f) => [f, parseYaml(fs.readFileSync(path.join(dir, f), "utf8"), { version: "1.1" })]));

    const helmOut = path.join(tmp, "render-engine-helm");
    const table = renderCli(["--program", "examples/yaml-and-helm", "--engine", "--out", helmOut]);
    assert.match(table, /^Deployment shop\/report\s+yes\s+dev-report\s/m, table);
    assert.doesNotMatch(table, /not rendered/);
    const report = readFolder(helmOut).get("210-Deployment-shop-report.yaml");
    assert.deepStrictEqual(report.spec.template.spec.initContainers.map((c: { name: string }) => c.name), [INIT_CONTAINER_NAME]);
    assert.ok(report.spec.template.metadata.annotations[ANNOTATION_STATUS]);

    // The dev stack both ways: every object the mock render writes, with the same meaning under the engine.
    const mockOut = path.join(tmp, "render-mock-dev");
    const engineOut = path.join(tmp, "render-engine-dev");
    renderCli(["--out", mockOut]);
    renderCli(["--engine", "--out", engineOut]);
    const mock = readFolder(mockOut);
    const engine = readFolder(engineOut);
    assert.deepStrictEqual([...engine.keys()].sort(), [...mock.keys()].sort());
    const differences: string[] = [];
    for (const [file, expected] of mock) {
      // The provider folds stringData into data; both renders mask every value.
      const folded = expected.kind === "Secret" && expected.stringData ? { ...expected, stringData: undefined, data: { ...expected.data, ...expected.stringData } } : expected;
      if (folded.stringData === undefined) delete folded.stringData;
      differences.push(...containmentDifferences(folded, engine.get(file), file));
    }
    const secretValues = [...engine.values()].filter((o) => o.kind === "Secret").flatMap((o) => Object.values(o.data ?? {}));
    assert.ok(secretValues.length > 0 && secretValues.every((v) => v === SECRET_MASK), `engine-rendered Secret values are not masked: ${JSON.stringify(secretValues)}`);
    evidence.engineRender = { chartWorkloadsInstrumented: ["Deployment shop/report"], comparedWithMock: mock.size, differences };
    assert.deepStrictEqual(differences, []);
  });

  it("destroy leaves nothing: no resource in the stack, the namespaces gone from the API server", async () => {
    await bounded("destroy (dev)", dev.destroy());
    const state = (await dev.exportStack()).deployment.resources ?? [];
    const left: string[] = state.filter((r: { type: string }) => !r.type.startsWith("pulumi:")).map((r: { urn: string }) => r.urn);
    for (const ns of ["dev", "pinpoint", "shop"]) {
      let status = 0;
      for (let i = 0; i < 120; i++) {
        status = (await plane!.api("GET", `/api/v1/namespaces/${ns}`)).status;
        if (status === 404) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (status !== 404) left.push(`namespace ${ns}`);
    }
    evidence.destroyLeft = left;
    assert.deepStrictEqual(left, []);
  });
});
