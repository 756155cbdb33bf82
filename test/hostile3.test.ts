/**
 * Hostile input, round 3: the classes the second adversarial pass found (issue
 * 20), each as table rows. Core rows call the injection core and check the pod
 * that comes out is one the API server accepts; CLI rows run the compiled
 * pinpoint-inject in a child process on fixtures (test/fixtures/hostile3) or
 * bytes made here; file rows use the real file system.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { inject, InjectOptions, resolveOptions, uninject } from "../sdk/inject";
import { KUBE_PARSE_OPTIONS } from "../sdk/cli/kubeYaml";
import { OUT_MARKER, replaceRenderedFiles } from "../sdk/render/outFolder";
import { checkPathName, fittingFileName, MAX_FILE_NAME_BYTES } from "../sdk/render/safeNames";
import { kubernetesObjects } from "../sdk/render/objects";
import { compiled } from "./support/compiled";
import { pinpointTransform } from "../sdk/transform";

const ROOT = path.join(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures", "hostile3");
const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
const BASE: InjectOptions = { image: IMAGE, applicationNamePrefix: "dev-", select: "all" };
const STATUS = "pinpoint.fjhb.cn/status";

/* eslint-disable @typescript-eslint/no-explicit-any */
function workload(kind = "Deployment", mutate?: (d: any) => void): any {
  const d: any = {
    apiVersion: kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1",
    kind,
    metadata: { name: "orders", namespace: "dev" },
    spec: { template: { metadata: { labels: { app: "orders" } }, spec: { containers: [{ name: "app", image: "tomcat:9" }] } } },
  };
  mutate?.(d);
  return d;
}
const deployment = (mutate?: (d: any) => void) => workload("Deployment", mutate);
const pod = (d: any) => d.spec.template.spec;
const app = (d: any) => pod(d).containers[0];
const injected = (mutate?: (d: any) => void, options: InjectOptions = BASE) => inject(deployment(mutate), options).workload as any;

/**
 * What the API server checks that a reversal could break: every mount names a
 * volume of the pod, container names are unique, volume names are unique.
 */
function podProblems(spec: any): string[] {
  const problems: string[] = [];
  const volumes = (spec.volumes ?? []).map((v: any) => v.name);
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  for (const c of containers) {
    for (const m of c.volumeMounts ?? []) if (!volumes.includes(m.name)) problems.push(`container ${c.name} mounts ${m.name}, which the pod does not have`);
  }
  const names = containers.map((c: any) => c.name);
  if (new Set(names).size !== names.length) problems.push(`container names repeat: ${names.join(", ")}`);
  if (new Set(volumes).size !== volumes.length) problems.push(`volume names repeat: ${volumes.join(", ")}`);
  return problems;
}

// ---- reversal: what cannot be removed leaves a valid pod and is named

interface ReversalRow {
  name: string;
  /** The object handed to uninject. */
  input: () => any;
  /** Each must match one of the kept messages; [] means nothing was kept. */
  kept: RegExp[];
  expect?: (out: any) => void;
}

const renameApp = (d: any) => {
  app(d).name = "app2";
  return d;
};
const editRecord = (d: any, edit: (s: any) => void) => {
  const s = JSON.parse(d.spec.template.metadata.annotations[STATUS]);
  edit(s);
  d.spec.template.metadata.annotations[STATUS] = JSON.stringify(s);
  return d;
};
const hasAgentVolume = (d: any) => (pod(d).volumes ?? []).some((v: any) => v.name === "pp-agent");
const hasInit = (d: any) => (pod(d).initContainers ?? []).some((c: any) => c.name === "init-pinpoint");

const reversalRows: ReversalRow[] = [
  {
    name: "a clean reversal keeps nothing and leaves no agent part",
    input: () => injected(),
    kept: [],
    expect: (out) => {
      assert.ok(!hasAgentVolume(out) && !hasInit(out));
      assert.deepStrictEqual(out, deployment());
    },
  },
  {
    name: "container renamed after injection: the volume and init container stay, both named",
    input: () => renameApp(injected()),
    kept: [/lists container "app", which the pod no longer has \(renamed after injection\?\)/, /volume "pp-agent" and init container "init-pinpoint" that fills it kept: container "app2" still mounts it/],
    expect: (out) => assert.ok(hasAgentVolume(out) && hasInit(out)),
  },
  {
    name: "record whose container list is empty: the mounts stay, so the volume does",
    input: () => editRecord(injected(), (s) => (s.containers = {})),
    kept: [/volume "pp-agent" and init container "init-pinpoint" that fills it kept: container "app" still mounts it/],
    expect: (out) => assert.ok(hasAgentVolume(out)),
  },
  {
    name: "record that names a container the pod never had",
    input: () => editRecord(injected(), (s) => (s.containers = { other: s.containers.app })),
    kept: [/lists container "other", which the pod no longer has/, /container "app" still mounts it/],
  },
  {
    name: "init container deleted by hand: only the record goes, everything it lists is named",
    input: () => {
      const d = injected();
      pod(d).initContainers = pod(d).initContainers.filter((c: any) => c.name !== "init-pinpoint");
      return d;
    },
    kept: [/does not match the pod .*nothing it lists was removed \(init container "init-pinpoint", volume "pp-agent"/],
    expect: (out) => assert.ok(hasAgentVolume(out)),
  },
  {
    name: "the agent mount edited after injection (readOnly): the mount, the volume and its init container stay",
    input: () => {
      const d = injected();
      app(d).volumeMounts.find((m: any) => m.name === "pp-agent").readOnly = true;
      return d;
    },
    kept: [/volume mount "pp-agent" of container "app" was changed after injection/, /volume "pp-agent" and init container "init-pinpoint" that fills it kept: container "app" still mounts it/],
  },
  {
    name: "the init container edited after injection: the record proves nothing, so it, the volume and the mounts all stay",
    input: () => {
      const d = injected();
      pod(d).initContainers[0].command = ["sh", "-c", "echo changed"];
      return d;
    },
    kept: [/does not match the pod/],
    expect: (out) => assert.ok(hasInit(out)),
  },
  {
    name: "two containers injected, one renamed: the other is cleaned, the volume stays for the renamed one",
    input: () => {
      const d = inject(deployment((x) => pod(x).containers.push({ name: "side", image: "tomcat:9" })), { ...BASE, defaultContainers: ["app", "side"] }).workload as any;
      pod(d).containers[1].name = "side2";
      return d;
    },
    kept: [/lists container "side"/, /container "side2" still mounts it/],
    expect: (out) => {
      assert.ok(!(app(out).volumeMounts ?? []).some((m: any) => m.name === "pp-agent"));
      assert.ok(!(app(out).env ?? []).some((e: any) => /javaagent/.test(e.value ?? "")));
    },
  },
  {
    name: "a sidecar added after injection that mounts the agent volume keeps it",
    input: () => {
      const d = injected();
      pod(d).containers.push({ name: "log-shipper", image: "busybox", volumeMounts: [{ name: "pp-agent", mountPath: "/logs" }] });
      return d;
    },
    kept: [/container "log-shipper" still mounts it/],
  },
  {
    name: "image-volume delivery, container renamed: the image volume stays (there is no init container)",
    input: () => renameApp(injected(undefined, { ...BASE, agentDelivery: "imageVolume", kubernetesVersion: "1.35" })),
    kept: [/lists container "app"/, /volume "pp-agent" kept: container "app2" still mounts it/, /volume "pp-agent-logs" kept: container "app2" still mounts it/],
    expect: (out) => assert.ok(hasAgentVolume(out) && !hasInit(out)),
  },
  {
    name: "a record copied from another workload removes nothing but itself",
    input: () => {
      const d = deployment();
      d.spec.template.metadata.annotations = { [STATUS]: injected().spec.template.metadata.annotations[STATUS] };
      return d;
    },
    kept: [/does not match the pod/],
    expect: (out) => assert.deepStrictEqual(pod(out), pod(deployment())),
  },
  {
    name: "StatefulSet with its container renamed: the same guard",
    input: () => {
      const d = inject(workload("StatefulSet"), { ...BASE, kinds: ["StatefulSet"] }).workload as any;
      return renameApp(d);
    },
    kept: [/^StatefulSet dev\/orders: the record lists container "app"/, /container "app2" still mounts it/],
  },
];

describe("hostile input 3: reversal leaves a valid pod and names what it kept", () => {
  for (const row of reversalRows) {
    it(row.name, () => {
      const r = uninject(row.input());
      assert.strictEqual(r.removed, true);
      assert.deepStrictEqual(podProblems(pod(r.workload)), [], "the API server would reject this pod");
      assert.strictEqual(r.kept.length, row.kept.length, r.kept.join("\n"));
      for (const k of row.kept) assert.ok(r.kept.some((m) => k.test(m)), `${k} not among:\n${r.kept.join("\n")}`);
      assert.strictEqual(pod(r.workload).metadata, undefined);
      assert.strictEqual(r.workload.spec.template.metadata?.annotations?.[STATUS], undefined);
      row.expect?.(r.workload);
    });
  }
  it("re-injecting a workload whose container was renamed: the kept volume is a clear clash, not a silent merge", () => {
    assert.throws(() => inject(renameApp(injected()), BASE), /already has a volume named "pp-agent", which the agent needs/);
  });
});

// ---- the core: clashes by meaning, field types, kinds

interface CoreRow {
  name: string;
  input: any;
  options?: Partial<InjectOptions>;
  error?: RegExp;
  expect?: (out: any, r: ReturnType<typeof inject>) => void;
}

const mountAt = (mountPath: string) => deployment((d) => (app(d).volumeMounts = [{ name: "data", mountPath }]));
const withVolumeData = (d: any) => {
  pod(d).volumes = [{ name: "data", emptyDir: {} }];
  return d;
};
const affinity = (terms: any[]) => deployment((d) => (pod(d).affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } }));
const osIs = (operator: string, values: string[]) => ({ matchExpressions: [{ key: "kubernetes.io/os", operator, values }] });
const isInjected = (_: any, r: ReturnType<typeof inject>) => assert.strictEqual(r.injected, true, r.reason);
const isWindowsSkip = (_: any, r: ReturnType<typeof inject>) => {
  assert.strictEqual(r.injected, false);
  assert.match(r.reason!, /a Windows pod \(required nodeAffinity on kubernetes\.io\/os: windows\)/);
  assert.match(r.warnings.join("\n"), /not instrumented: a Windows pod/);
};
const STS = { kinds: ["StatefulSet" as const] };
const claim = (name: string) => workload("StatefulSet", (d) => (d.spec.volumeClaimTemplates = [{ metadata: { name }, spec: { accessModes: ["ReadWriteOnce"] } }]));

const coreRows: CoreRow[] = [
  // volumeClaimTemplates take the volume's place in every pod
  { name: "StatefulSet claim template named like the agent volume", input: claim("pp-agent"), options: STS, error: /volumeClaimTemplates entry named "pp-agent", which the agent's volume needs \(the claim would take its place, and the agent would be copied into your persistent volume\)/ },
  { name: "StatefulSet claim template with another name is fine", input: claim("data"), options: STS, expect: isInjected },
  { name: "claim template clash also with the image-volume delivery", input: claim("pp-agent"), options: { ...STS, agentDelivery: "imageVolume", kubernetesVersion: "1.35" }, error: /volumeClaimTemplates entry named "pp-agent"/ },
  { name: "claim template without metadata is not a clash", input: workload("StatefulSet", (d) => (d.spec.volumeClaimTemplates = [{ spec: {} }])), options: STS, expect: isInjected },
  // mount paths by meaning
  ...["/var/init/pinpoint/", "/var/init//pinpoint", "/var/init/pinpoint/.", "/var/init/./pinpoint", "/var/init/x/../pinpoint", "//var/init/pinpoint//"].map((p) => ({
    name: `a mount at ${p} is the agent's folder`,
    input: withVolumeData(mountAt(p)),
    error: /container "app" already mounts data at .*, which the agent needs \(volume pp-agent at \/var\/init\/pinpoint\)/,
  })),
  ...["/var/init/pinpointx", "/var/init", "/var/init/pinpoint-logs", "var/init/pinpoint"].map((p) => ({ name: `a mount at ${p} is not the agent's folder`, input: withVolumeData(mountAt(p)), expect: isInjected })),
  // Windows through required node affinity
  { name: "required nodeAffinity kubernetes.io/os In [windows] is a Windows pod", input: affinity([osIs("In", ["windows"])]), expect: isWindowsSkip },
  { name: "required nodeAffinity kubernetes.io/os NotIn [linux] is a Windows pod", input: affinity([osIs("NotIn", ["linux"])]), expect: isWindowsSkip },
  { name: "two terms, each Windows-only, is a Windows pod", input: affinity([osIs("In", ["windows"]), { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, ...osIs("In", ["windows"]).matchExpressions] }]), expect: isWindowsSkip },
  { name: "a Windows term ORed with a Linux term may land on Linux: instrumented", input: affinity([osIs("In", ["windows"]), osIs("In", ["linux"])]), expect: isInjected },
  { name: "In [windows, linux] may land on Linux: instrumented", input: affinity([osIs("In", ["windows", "linux"])]), expect: isInjected },
  { name: "NotIn [windows] is Linux: instrumented", input: affinity([osIs("NotIn", ["windows"])]), expect: isInjected },
  { name: "a term on another label only: instrumented", input: affinity([{ matchExpressions: [{ key: "zone", operator: "In", values: ["windows"] }] }]), expect: isInjected },
  { name: "a term with matchFields only: instrumented", input: affinity([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }]), expect: isInjected },
  {
    name: "preferred (not required) Windows affinity: instrumented",
    input: deployment((d) => (pod(d).affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: osIs("In", ["windows"]) }] } })),
    expect: isInjected,
  },
  // every field we read, type-checked with its path
  { name: "containers as a mapping", input: deployment((d) => (pod(d).containers = { app: { image: "x" } })), error: /Deployment dev\/orders: spec\.template\.spec\.containers is a mapping, not a list/ },
  { name: "env as a mapping", input: deployment((d) => (app(d).env = { A: "1" })), error: /spec\.template\.spec\.containers\[0\]\.env is a mapping, not a list/ },
  { name: "an env item that is a string", input: deployment((d) => (app(d).env = ["A=1"])), error: /containers\[0\]\.env\[0\] is the string "A=1", not a mapping/ },
  { name: "an env value that is a number says to quote it", input: deployment((d) => (app(d).env = [{ name: "PORT", value: 8080 }])), error: /env\[0\]\.value is the number 8080, not a string: quote it as you wrote it/ },
  { name: "an env value that is a YAML 1.1 boolean says to quote it", input: deployment((d) => (app(d).env = [{ name: "DEBUG", value: true }])), error: /env\[0\]\.value is the boolean true \(YAML reads unquoted yes, no, on, off, true, false so\), not a string: quote the value/ },
  { name: "an env item without a name", input: deployment((d) => (app(d).env = [{ value: "1" }])), expect: isInjected },
  { name: "annotations as a list no longer lose the record silently", input: deployment((d) => (d.metadata.annotations = ["pinpoint.fjhb.cn/inject=false"])), error: /metadata\.annotations is a list, not a mapping/ },
  { name: "pod template annotations as a list", input: deployment((d) => (d.spec.template.metadata.annotations = ["a"])), error: /spec\.template\.metadata\.annotations is a list, not a mapping/ },
  { name: "unquoted inject: false says to quote it", input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/inject": false })), error: /metadata\.annotations\."pinpoint\.fjhb\.cn\/inject" is the boolean false .*quote the value as you wrote it/ },
  { name: "unquoted inject: no (read as false) says to quote it", input: deployment((d) => (d.spec.template.metadata.annotations = { "pinpoint.fjhb.cn/inject": false })), error: /spec\.template\.metadata\.annotations\."pinpoint\.fjhb\.cn\/inject" is the boolean false/ },
  { name: "name: no (YAML 1.1 false) says to quote it, not that there is no name", input: deployment((d) => (d.metadata.name = false)), error: /metadata\.name is the boolean false .*quote the value as you wrote it \(e\.g\. "no"/ },
  { name: "name: 123 says to quote it", input: deployment((d) => (d.metadata.name = 123)), error: /metadata\.name is the number 123, not a string/ },
  { name: "a container name that is a number", input: deployment((d) => (app(d).name = 1)), error: /containers\[0\]\.name is the number 1/ },
  { name: "volumes as a mapping", input: deployment((d) => (pod(d).volumes = { data: {} })), error: /spec\.template\.spec\.volumes is a mapping, not a list/ },
  { name: "volumeMounts as a string", input: deployment((d) => (app(d).volumeMounts = "data:/data")), error: /containers\[0\]\.volumeMounts is the string "data:\/data", not a list/ },
  { name: "the pod template as a string", input: deployment((d) => (d.spec.template = "web")), error: /spec\.template is the string "web", not a mapping/ },
  { name: "spec as a list", input: deployment((d) => (d.spec = [])), error: /^InjectionError: Deployment dev\/orders: spec is a list, not a mapping/ },
  { name: "metadata as a string", input: deployment((d) => (d.metadata = "orders")), error: /metadata is the string "orders", not a mapping/ },
  { name: "a CronJob's jobTemplate as a list", input: workload("CronJob", (d) => (d.spec = { jobTemplate: [] })), options: { kinds: ["CronJob"] }, error: /spec\.jobTemplate is a list, not a mapping/ },
  { name: "command as a string", input: deployment((d) => (app(d).command = "java -jar app.jar")), error: /containers\[0\]\.command is the string "java -jar app\.jar", not a list/ },
  { name: "a label value that is a boolean", input: deployment((d) => (d.spec.template.metadata.labels = { canary: true })), error: /spec\.template\.metadata\.labels\.canary is the boolean true/ },
  { name: "nodeSelector as a list", input: deployment((d) => (pod(d).nodeSelector = ["kubernetes.io/os=linux"])), error: /spec\.template\.spec\.nodeSelector is a list/ },
  { name: "an init container that is null", input: deployment((d) => (pod(d).initContainers = [null])), error: /spec\.template\.spec\.initContainers\[0\] is null, not a mapping with a name/ },
  { name: "a kind not enabled is not read (its fields are the user's business)", input: workload("Job", (d) => (d.spec.template = "x")), expect: (_, r) => assert.match(r.reason!, /kind Job is not enabled/) },
  // kinds: why not supported
  { name: "a bare Pod", input: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "tomcat:9" }] } }, expect: (_, r) => assert.match(r.reason!, /^kind Pod is not supported: its containers are the pod's own \(no pod template\).*instrument the workload that creates it/) },
  { name: "an Argo Rollout", input: { ...deployment(), apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" }, expect: (_, r) => assert.match(r.reason!, /^kind Rollout \(argoproj\.io\/v1alpha1\) is not supported: it has a pod template \(spec\.template\)/) },
  { name: "a Knative Service", input: { ...deployment(), apiVersion: "serving.knative.dev/v1", kind: "Service" }, expect: (_, r) => assert.match(r.reason!, /^kind Service \(serving\.knative\.dev\/v1\) is not supported/) },
  { name: "an OpenKruise CloneSet", input: { ...deployment(), apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet" }, expect: (_, r) => assert.match(r.reason!, /^kind CloneSet .* is not supported: .*supported kinds: Deployment, StatefulSet/) },
  { name: "a ConfigMap is simply not a workload", input: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }, expect: (_, r) => assert.strictEqual(r.reason, "kind ConfigMap is not a workload") },
];

// ---- option values that used to mean something else

const hostRows: Array<[string, RegExp | undefined]> = [
  ["::::", /collectorHost "::::" is not an IPv6 address/],
  ["1:2:3", /collectorHost "1:2:3" is not an IPv6 address/],
  ["[::::]", /collectorHost "\[::::\]" is not an IPv6 address/],
  ["[1:2:3:4:5:6:7:8:9]", /is not an IPv6 address/],
  ["fd00::1", undefined],
  ["::1", undefined],
  ["[fd00::1]", undefined],
  ["::ffff:10.0.0.1", undefined],
];

describe("hostile input 3: collector hosts by the IPv6 grammar", () => {
  for (const [host, error] of hostRows) {
    it(`collector host ${host} is ${error ? "refused" : "accepted"}`, () => {
      const o = { ...BASE, collectorHost: host };
      if (error) assert.throws(() => resolveOptions(o), error);
      else assert.doesNotThrow(() => resolveOptions(o));
    });
  }
  it("namespaces: [] is refused, not read as every namespace", () => {
    assert.throws(() => pinpointTransform({ image: IMAGE, namespaces: [] }), /namespaces \(pinpoint:namespaces\) is an empty list: name the namespaces to instrument, or leave it out/);
    assert.doesNotThrow(() => pinpointTransform({ image: IMAGE, namespaces: ["dev"] }));
  });
  it("a prefix of 17 characters, which would leave nothing of any workload's name, is refused", () => {
    assert.throws(() => resolveOptions({ ...BASE, applicationNamePrefix: "a-very-long-prefx" }), /applicationNamePrefix "a-very-long-prefx" has 17 characters: .*every name would be the prefix and a hash.*use at most 16/);
    assert.doesNotThrow(() => resolveOptions({ ...BASE, applicationNamePrefix: "a-long-prefix-16" }));
  });
  it("an empty prefix is a prefix of its own: the applicationName is the workload's name", () => {
    assert.strictEqual(inject(deployment(), { ...BASE, applicationNamePrefix: "" }).applicationName, "orders");
  });
  it("a record written by a newer version says to upgrade, not to remove by hand", () => {
    const d = injected();
    editRecord(d, (st) => (st.version = 2));
    assert.throws(() => uninject(d), /was written by a newer version of @fjhb\/pulumi-pinpoint \(record version 2; this one reads 1\): upgrade the package \(or pinpoint-inject\)/);
  });
});

describe("hostile input 3: the core (clashes by meaning, field types, kinds)", () => {
  for (const row of coreRows) {
    it(row.name, () => {
      const options = { ...BASE, ...row.options } as InjectOptions;
      if (row.error) {
        assert.throws(() => inject(row.input, options), (e: Error) => {
          assert.match(`${e.name}: ${e.message}`, row.error!);
          assert.doesNotMatch(e.message, /is not a function|Cannot (read|convert)|undefined or null/);
          return true;
        });
        return;
      }
      const r = inject(row.input, options);
      row.expect!(r.workload, r);
      if (r.injected) assert.deepStrictEqual(podProblems(pod(r.workload)), []);
    });
  }
  it("uninject also checks field types: annotations as a list is a message, not a TypeError", () => {
    assert.throws(() => uninject(deployment((d) => (d.spec.template.metadata.annotations = [STATUS]))), /spec\.template\.metadata\.annotations is a list, not a mapping/);
  });
});


// ---- pinpoint-inject, as a user runs it

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  signal?: NodeJS.Signals | null;
}

let cli: string;
function run(args: string[], input?: string | Buffer, cwd = ROOT): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { input, cwd, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8"), signal: r.signal };
}
const fixture = (name: string) => path.join(FIXTURES, name);
const INJECT = ["--image", IMAGE, "--app-prefix", "dev-", "--select", "all"];
const values = (text: string) => parseAllDocuments(text, KUBE_PARSE_OPTIONS).map((d) => d.toJS()).filter((v) => v !== null);
/** No stack trace, no raw JavaScript error: every line of standard error is the tool's own. */
const noTrace = (r: Run) => {
  assert.doesNotMatch(r.stderr, /^\s+at |node:internal|RangeError|TypeError|Unhandled 'error'/m, r.stderr);
};
const configMap = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${data}\n`;
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
const DEPLOYMENT_YAML = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: tomcat:9\n";

interface CliRow {
  name: string;
  args: string[];
  stdin?: string | Buffer;
  /** Expected on standard error with exit status 1 and nothing on standard output. */
  error?: RegExp;
  expect?: (r: Run) => void;
}

const utf8Rows: Array<[string, number[]]> = [
  ["a lone 0xff byte", [0xff]],
  ["a Latin-1 é (0xe9)", [0x63, 0x61, 0x66, 0xe9]],
  ["an overlong / (0xc0 0xaf)", [0xc0, 0xaf]],
  ["a UTF-16 surrogate in UTF-8 (0xed 0xa0 0x80)", [0xed, 0xa0, 0x80]],
  ["a lone continuation byte (0x80)", [0x80]],
  ["a code point past U+10FFFF (0xf4 0x90 0x80 0x80)", [0xf4, 0x90, 0x80, 0x80]],
  ["a three-byte sequence cut short", [0xe4, 0xb8, 0x20]],
];

const deep = {
  blockYaml: (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n${Array.from({ length: n }, (_, i) => `${" ".repeat(2 + i)}k:\n`).join("")}${" ".repeat(2 + n)}v\n`,
  flowYaml: (n: number) => configMap(`${"[".repeat(n)}${"]".repeat(n)}`),
  json: (n: number) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${"[".repeat(n)}${"]".repeat(n)}}`,
  inDeployment: (n: number) => JSON.stringify({ ...JSON.parse(JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "w" } })), spec: { template: { spec: { containers: [{ name: "a", image: "tomcat:9" }] } } } }).replace(/\}$/, `,"extra":${"[".repeat(n)}${"]".repeat(n)}}`),
};

const cliRows: CliRow[] = [
  // bytes we did not add stay; what cannot be represented is refused
  ...utf8Rows.map(([what, bad]): CliRow => ({
    name: `invalid UTF-8 on standard input (${what}) is refused with its line, not turned into U+FFFD`,
    args: ["-f", "-", ...INJECT],
    stdin: bytes(configMap('"x').slice(0, -1), bad, '"\n'),
    error: /error: <stdin>: is not valid UTF-8 \(byte 0x[0-9a-f]{2} at line 6, byte \d+ of the line\): kubectl refuses such input; convert the file to UTF-8/,
  })),
  {
    name: "valid multi-byte UTF-8 (2, 3 and 4 bytes) passes through byte for byte, in the untouched document and the changed one",
    args: ["-f", fixture("unicode.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      const input = fs.readFileSync(fixture("unicode.yaml"), "utf8");
      assert.ok(r.stdout.startsWith(input.split("---\n")[0]), "the ConfigMap changed");
      assert.match(r.stdout, /note: "部署 🚀"/);
    },
  },
  {
    name: "numbers beyond 2^53 and 1e400 in an untouched document are kept as written (YAML out)",
    args: ["-f", fixture("big-numbers-untouched.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      for (const n of ["12345678901234567890123", "1e400", "9007199254740993"]) assert.match(r.stdout, new RegExp(`: ${n}\\n`));
    },
  },
  { name: "numbers beyond 2^53 are refused in -o json, naming the field", args: ["-f", fixture("big-numbers-untouched.yaml"), ...INJECT, "-o", "json"], error: /big-numbers-untouched\.yaml, document 1 \(line 1\): spec\.big is an integer beyond 2\^53, which would lose digits when this document is written: quote it if it is text/ },
  { name: "a changed document with an integer beyond 2^53 is refused, naming the field", args: ["-f", fixture("big-number-deployment.yaml"), ...INJECT], error: /document 1 \(line 1\): spec\.progressDeadlineSeconds is an integer beyond 2\^53/ },
  { name: "a changed document with .inf is refused (it would become null)", args: ["-f", fixture("inf-deployment.yaml"), ...INJECT], error: /spec\.replicas is a number out of range \(it would be written as null\)/ },
  { name: "1e400 in -o json is refused (it would become null)", args: ["-f", "-", ...INJECT, "-o", "json"], stdin: configMap("1e400"), error: /<stdin>, document 1 \(line 1\): data\.a is a number out of range/ },
  { name: "-9007199254740993 in -o json is refused", args: ["-f", "-", ...INJECT, "-o", "json"], stdin: configMap("-9007199254740993"), error: /data\.a is an integer beyond 2\^53/ },
  { name: "2^53 - 1 is exact and accepted in -o json", args: ["-f", "-", ...INJECT, "-o", "json"], stdin: configMap("9007199254740991"), expect: (r) => assert.match(r.stdout, /"a": 9007199254740991/) },
  { name: "a JSON input's big integer in -o json is refused too", args: ["-f", "-", ...INJECT, "-o", "json"], stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"n":123456789012345678901}', error: /n is an integer beyond 2\^53/ },
  // aliases: resolved only as far as needed
  { name: "an alias bomb in a workload is refused, naming the file", args: ["-f", fixture("alias-bomb-deployment.yaml"), ...INJECT], error: /alias-bomb-deployment\.yaml, document 1 \(line 1\): cannot be read: Excessive alias count/ },
  { name: "150 aliases of one scalar in an untouched ConfigMap pass through byte for byte", args: ["-f", fixture("many-aliases-configmap.yaml"), ...INJECT], expect: (r) => { assert.strictEqual(r.status, 0, r.stderr); assert.strictEqual(r.stdout, fs.readFileSync(fixture("many-aliases-configmap.yaml"), "utf8")); assert.match(r.stderr, /^skipped +ConfigMap settings /m); } },
  { name: "150 aliases in a Deployment are read whole and injected", args: ["-f", fixture("many-aliases-deployment.yaml"), ...INJECT], expect: (r) => { assert.strictEqual(r.status, 0, r.stderr); const d = parseAllDocuments(r.stdout, KUBE_PARSE_OPTIONS)[0].toJS({ maxAliasCount: 10_000 }); assert.strictEqual(d.spec.template.spec.containers[0].env[149].value, "backend"); assert.strictEqual(d.spec.template.spec.initContainers[0].name, "init-pinpoint"); } },
  { name: "an untouched ConfigMap with many aliases cannot be written as JSON: said so", args: ["-f", fixture("many-aliases-configmap.yaml"), ...INJECT, "-o", "json"], error: /many-aliases-configmap\.yaml, document 1 \(line 1\): holds more aliases than are resolved for a kind the tool does not change/ },
  // deep nesting and broken pipes end with one line
  { name: "2,000 nested block mappings: one line, no RangeError", args: ["-f", "-", ...INJECT], stdin: deep.blockYaml(2000), expect: (r) => { noTrace(r); if (r.status !== 0) assert.match(r.stderr, /nests too deeply to be read/); } },
  { name: "5,000 nested flow lists: one line naming the document", args: ["-f", "-", ...INJECT], stdin: deep.flowYaml(5000), error: /error: <stdin>, document 1 \(line 1\): nests too deeply to be read/ },
  { name: "5,000 nested JSON arrays, written as YAML: one line", args: ["-f", "-", ...INJECT], stdin: deep.json(5000), error: /error: (cannot write the output: )?.*nests too deeply/ },
  { name: "5,000 nested JSON arrays, -o json: one line", args: ["-f", "-", ...INJECT, "-o", "json"], stdin: deep.json(5000), expect: (r) => { noTrace(r); if (r.status !== 0) assert.match(r.stderr, /nests too deeply/); } },
  { name: "5,000 nested arrays inside a Deployment being injected: one line", args: ["-f", "-", ...INJECT], stdin: deep.inDeployment(5000), expect: (r) => { noTrace(r); if (r.status !== 0) assert.match(r.stderr, /nests too deeply/); } },
  // files and input
  { name: "empty standard input is an error, not a silent success", args: ["-f", "-", ...INJECT], stdin: "", error: /error: <stdin>: holds no Kubernetes objects \(standard input was empty: did the command before the pipe fail\?\)/ },
  { name: "standard input of white space only is an error", args: ["-f", "-", ...INJECT], stdin: "\n\n  \n", error: /<stdin>: holds no Kubernetes objects/ },
  { name: "a file of comments only is an error", args: ["-f", fixture("comments-only.yaml"), ...INJECT], error: /comments-only\.yaml: holds no Kubernetes objects$/m },
  { name: "--kinds '' names the flag", args: ["-f", fixture("unicode.yaml"), ...INJECT, "--kinds", ""], error: /error: --kinds "" names no kind: give one or more of Deployment, StatefulSet/ },
  { name: "--kinds ' , ' names the flag", args: ["-f", fixture("unicode.yaml"), ...INJECT, "--kinds", " , "], error: /error: --kinds " , " names no kind/ },
  // Weak classes through the CLI
  // A workload the rules reject is kept unchanged with a warning (exit 0) unless --strict (issue 19): these rows ask for the error.
  { name: "unquoted inject: false says to quote it", args: ["-f", fixture("unquoted-inject-false.yaml"), ...INJECT, "--strict"], error: /unquoted-inject-false\.yaml, document 1 \(line 1\): Deployment web: metadata\.annotations\."pinpoint\.fjhb\.cn\/inject" is the boolean false .*quote the value as you wrote it/ },
  { name: "the property test's counterexample name: no says to quote it", args: ["-f", fixture("name-no.yaml"), ...INJECT, "--strict"], error: /name-no\.yaml, document 1 \(line 1\): Deployment false: metadata\.name is the boolean false .*\(e\.g\. "no"/ },
  {
    name: "the property test's second counterexample: an unquoted yes env value (kubectl reads true, the API server refuses it) says to quote it",
    args: ["-f", "-", ...INJECT, "--strict"],
    stdin: DEPLOYMENT_YAML.replace("image: tomcat:9\n", "image: tomcat:9\n        env:\n        - name: FEATURE\n          value: yes\n"),
    error: /<stdin>, document 1 \(line 1\): Deployment web: spec\.template\.spec\.containers\[0\]\.env\[0\]\.value is the boolean true .*quote the value as you wrote it/,
  },
  { name: "env written as a mapping names the field path", args: ["-f", fixture("env-mapping.yaml"), ...INJECT, "--strict"], error: /env-mapping\.yaml, document 1 \(line 1\): Deployment web: spec\.template\.spec\.containers\[0\]\.env is a mapping, not a list/ },
  { name: "env as a mapping with --uninject is a message too", args: ["-f", fixture("env-mapping.yaml"), "--uninject"], error: /spec\.template\.spec\.containers\[0\]\.env is a mapping, not a list/ },
  { name: "a StatefulSet claim template named pp-agent is a clash", args: ["-f", fixture("statefulset-claim.yaml"), ...INJECT, "--kinds", "StatefulSet", "--strict"], error: /StatefulSet db: has a volumeClaimTemplates entry named "pp-agent"/ },
  { name: "a Windows pod by required nodeAffinity is skipped with the reason", args: ["-f", fixture("windows-affinity.yaml"), ...INJECT], expect: (r) => { assert.strictEqual(r.status, 0, r.stderr); assert.match(r.stderr, /^skipped +Deployment iis .*: a Windows pod \(required nodeAffinity on kubernetes\.io\/os: windows\)/m); assert.strictEqual(r.stdout, fs.readFileSync(fixture("windows-affinity.yaml"), "utf8")); } },
  {
    name: "kinds with containers say why they are not supported",
    args: ["-f", fixture("kinds.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /^skipped +Pod bare .*: kind Pod is not supported: its containers are the pod's own/m);
      assert.match(r.stderr, /^skipped +Rollout canary .*: kind Rollout \(argoproj\.io\/v1alpha1\) is not supported: it has a pod template/m);
      assert.match(r.stderr, /^skipped +Service fn .*: kind Service \(serving\.knative\.dev\/v1\) is not supported/m);
      assert.strictEqual(r.stdout, fs.readFileSync(fixture("kinds.yaml"), "utf8"));
    },
  },
  { name: "--uninject reports kinds with containers as not supported too", args: ["-f", fixture("kinds.yaml"), "--uninject"], expect: (r) => assert.match(r.stderr, /^skipped +Pod bare .*: kind Pod is not supported/m) },
  {
    name: "a List inside a List is flattened: the inner Deployment is injected, the ConfigMap kept",
    args: ["-f", fixture("nested-list.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /^injected +Deployment inner \[.*nested-list\.yaml, document 1, item 1, item 1\]/m);
      assert.match(r.stderr, /^skipped +ConfigMap settings \[.*item 2\]/m);
      const [list] = values(r.stdout);
      assert.strictEqual(list.items[0].items[0].spec.template.spec.initContainers[0].name, "init-pinpoint");
      const back = run(["-f", "-", "--uninject"], r.stdout);
      assert.strictEqual(back.stdout, fs.readFileSync(fixture("nested-list.yaml"), "utf8"));
    },
  },
  {
    name: "a List three deep is flattened too",
    args: ["-f", "-", ...INJECT],
    stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "DeploymentList", items: [values(DEPLOYMENT_YAML)[0]] }] }] }),
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /^injected +Deployment web \[<stdin>, document 1, item 1, item 1, item 1\]/m);
    },
  },
  {
    name: "--uninject of a workload whose container was renamed: 'partly', the kept parts on stderr, a valid pod out",
    args: ["-f", "-", ...INJECT],
    stdin: DEPLOYMENT_YAML,
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      const renamed = r.stdout.replace("- name: app\n", "- name: app2\n");
      const back = run(["-f", "-", "--uninject"], renamed);
      assert.strictEqual(back.status, 0, back.stderr);
      assert.match(back.stderr, /^partly +Deployment web .*: removed what the record proves; kept 2 parts \(warnings above\)/m);
      assert.match(back.stderr, /warning: .*the record lists container "app", which the pod no longer has/);
      assert.match(back.stderr, /warning: .*volume "pp-agent" and init container "init-pinpoint" that fills it kept: container "app2" still mounts it/);
      assert.deepStrictEqual(podProblems(values(back.stdout)[0].spec.template.spec), []);
    },
  },
];

const cliFileRows: Array<{ name: string; run: (dir: string) => void }> = [
    {
      name: "invalid UTF-8 in a file of a -f folder names the file",
      run: (dir) => {
        fs.writeFileSync(path.join(dir, "bad.yaml"), bytes(configMap('"caf').slice(0, -1), [0xe9], '"\n'));
        const r = run(["-f", dir, ...INJECT]);
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /bad\.yaml: is not valid UTF-8 \(byte 0xe9 at line 6, byte 10 of the line\)/);
      },
    },
    {
      name: "a symlinked manifest inside a -f folder is read, as kubectl reads it",
      run: (dir) => {
        fs.mkdirSync(path.join(dir, "in"));
        fs.writeFileSync(path.join(dir, "real.yaml"), DEPLOYMENT_YAML);
        fs.symlinkSync(path.join(dir, "real.yaml"), path.join(dir, "in", "linked.yaml"));
        const r = run(["-f", path.join(dir, "in"), ...INJECT]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /^injected +Deployment web \[.*linked\.yaml/m);
      },
    },
    {
      name: "a symlinked folder inside a -f folder is read",
      run: (dir) => {
        fs.mkdirSync(path.join(dir, "in"));
        fs.mkdirSync(path.join(dir, "shared"));
        fs.writeFileSync(path.join(dir, "shared", "d.yaml"), DEPLOYMENT_YAML);
        fs.symlinkSync(path.join(dir, "shared"), path.join(dir, "in", "shared"));
        const r = run(["-f", path.join(dir, "in"), ...INJECT]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /in\/shared\/d\.yaml/);
      },
    },
    {
      name: "a symlink loop inside a -f folder ends: each folder is read once",
      run: (dir) => {
        fs.writeFileSync(path.join(dir, "d.yaml"), DEPLOYMENT_YAML);
        fs.symlinkSync(dir, path.join(dir, "loop"));
        const r = run(["-f", dir, ...INJECT]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual((r.stderr.match(/^injected/gm) ?? []).length, 1);
      },
    },
    {
      name: "a broken symlink named .yaml is an error naming it and its target",
      run: (dir) => {
        fs.writeFileSync(path.join(dir, "d.yaml"), DEPLOYMENT_YAML);
        fs.symlinkSync(path.join(dir, "gone.yaml"), path.join(dir, "x.yaml"));
        const r = run(["-f", dir, ...INJECT]);
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /x\.yaml: is a symbolic link to .*gone\.yaml, which does not exist: fix or remove the link/);
      },
    },
    {
      name: "a broken symlink with another extension is ignored like any other such file",
      run: (dir) => {
        fs.writeFileSync(path.join(dir, "d.yaml"), DEPLOYMENT_YAML);
        fs.symlinkSync(path.join(dir, "gone"), path.join(dir, "notes.txt"));
        assert.strictEqual(run(["-f", dir, ...INJECT]).status, 0);
      },
    },
    {
      name: "-f a.yaml > a.yaml is an error (the shell emptied the file), not a silent empty file",
      run: (dir) => {
        const file = path.join(dir, "a.yaml");
        fs.writeFileSync(file, DEPLOYMENT_YAML);
        const r = spawnSync("sh", ["-c", `"${process.execPath}" "${cli}" -f a.yaml --image ${IMAGE} > a.yaml`], { cwd: dir, encoding: "utf8" });
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /a\.yaml: is also standard output \(-f x > x\): the shell emptied it before it could be read/);
      },
    },
    {
      name: "output into a closed pipe ends quietly with status 141, like other Unix tools",
      run: (dir) => {
        const big = Array.from({ length: 400 }, (_, i) => configMap(`"${"x".repeat(400)}${i}"`).replace("name: c", `name: c${i}`)).join("---\n");
        fs.writeFileSync(path.join(dir, "big.yaml"), big);
        const r = spawnSync("bash", ["-c", `"${process.execPath}" "${cli}" -f big.yaml --image ${IMAGE} 2>err.txt | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: dir, encoding: "utf8" });
        assert.strictEqual(r.stdout.trim(), "141");
        const err = fs.readFileSync(path.join(dir, "err.txt"), "utf8");
        assert.doesNotMatch(err, /EPIPE|Error|^\s+at /m);
      },
    },
    {
      name: "output into a full disk is one error line, status 1",
      run: (dir) => {
        fs.writeFileSync(path.join(dir, "d.yaml"), DEPLOYMENT_YAML);
        const r = spawnSync("sh", ["-c", `"${process.execPath}" "${cli}" -f d.yaml --image ${IMAGE} > /dev/full`], { cwd: dir, encoding: "utf8" });
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /^pinpoint-inject: error: cannot write the output: ENOSPC/m);
        assert.doesNotMatch(r.stderr, /^\s+at /m);
      },
    },
];

describe("hostile input 3: pinpoint-inject", () => {
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/inject.js");
  });
  for (const row of cliRows) {
    it(row.name, function () {
      this.timeout(60_000);
      const r = run(row.args, row.stdin);
      noTrace(r);
      if (row.error) {
        assert.strictEqual(r.status, 1, r.stderr);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, row.error);
        return;
      }
      row.expect!(r);
    });
  }

  const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "pp-hostile3-"));
  for (const row of cliFileRows) {
    it(row.name, function () {
      this.timeout(60_000);
      const dir = scratch();
      try {
        row.run(dir);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// ---- the render's files: names, the output folder

interface RenderFileRow {
  name: string;
  run: (dir: string) => void;
}

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));
const renderFileRows: RenderFileRow[] = [
  ...["../x", "../../etc", "/tmp/abs", "a/b", "..", ".", "", "dev\\x", "dev\u0000"].map((stack) => ({
    name: `--stack ${JSON.stringify(stack)} is refused before anything is read or written`,
    run: () => assert.throws(() => checkPathName(stack, "--stack"), /--stack ".*" is not a Pulumi stack name \(letters, digits, -, _ and \.; no \/ or \.\.\): it names a file and a folder under out\//),
  })),
  ...["dev", "prod.eu-1", "test_2"].map((stack) => ({ name: `--stack ${stack} is accepted`, run: () => checkPathName(stack, "--stack") })),
  { name: "a project name with ../ is refused", run: () => assert.throws(() => checkPathName("../../x", "the project name", false), /the project name "\.\.\/\.\.\/x" is not a Pulumi project name/) },
  { name: "an absolute project name is refused", run: () => assert.throws(() => checkPathName("/etc", "the project name", false), /not a Pulumi project name/) },
  { name: "a project named after a folder with a space is one path part: accepted", run: () => checkPathName("my app", "the project name", false) },
  {
    name: "a 300-character name becomes a file name of at most 200 bytes, still ending .yaml",
    run: () => {
      const f = fittingFileName(`020-Deployment-${"a".repeat(300)}`, ".yaml");
      assert.ok(Buffer.byteLength(f) <= MAX_FILE_NAME_BYTES && f.endsWith(".yaml") && f.startsWith("020-Deployment-aaa"));
    },
  },
  { name: "two long names that differ only at the end stay apart", run: () => assert.notStrictEqual(fittingFileName(`${"a".repeat(300)}1`, ".yaml"), fittingFileName(`${"a".repeat(300)}2`, ".yaml")) },
  { name: "a short name is unchanged", run: () => assert.strictEqual(fittingFileName("020-Deployment-dev-web", ".yaml"), "020-Deployment-dev-web.yaml") },
  {
    name: "objects named at their valid maximum (253, namespace 63) render to files the file system takes",
    run: (dir) => {
      const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
      assert.strictEqual(name.length, 253);
      const resource = (n: string) => ({ type: "kubernetes:core/v1:ConfigMap", name: n, custom: true, inputs: { metadata: { name: `${name.slice(0, 252)}${n}`, namespace: "n".repeat(63) } } });
      const objects = kubernetesObjects([resource("1"), resource("2")] as any, (v) => v);
      const out = path.join(dir, "out");
      replaceRenderedFiles(out, new Map(objects.map((o) => [o.file, "# Rendered by pinpoint-render\nx: 1\n"])), "--out");
      assert.strictEqual(fs.readdirSync(out).filter((f) => f.endsWith(".yaml")).length, 2);
    },
  },
  {
    name: "a render that fails part-way leaves the last good render whole, and no temporary folder",
    run: (dir) => {
      const out = path.join(dir, "out");
      replaceRenderedFiles(out, files({ "a.yaml": "# Rendered by pinpoint-render\na\n", "b.yaml": "# Rendered by pinpoint-render\nb\n" }), "--out");
      // The second file cannot be written (its name is a path into a folder that does not exist).
      assert.throws(() => replaceRenderedFiles(out, files({ "a.yaml": "# Rendered by pinpoint-render\nNEW\n", "no/such.yaml": "x" }), "--out"), /ENOENT/);
      assert.strictEqual(fs.readFileSync(path.join(out, "a.yaml"), "utf8"), "# Rendered by pinpoint-render\na\n");
      assert.ok(fs.existsSync(path.join(out, "b.yaml")));
      assert.deepStrictEqual(fs.readdirSync(dir), ["out"]);
    },
  },
  {
    name: "the user's own file in a render folder survives the swap, and the folder keeps its mode",
    run: (dir) => {
      const out = path.join(dir, "out");
      replaceRenderedFiles(out, files({ "a.yaml": "# Rendered by pinpoint-render\na\n" }), "--out");
      fs.chmodSync(out, 0o750);
      fs.writeFileSync(path.join(out, "NOTES.md"), "mine\n");
      replaceRenderedFiles(out, files({ "b.yaml": "# Rendered by pinpoint-render\nb\n" }), "--out");
      assert.deepStrictEqual(fs.readdirSync(out).sort(), [OUT_MARKER, "NOTES.md", "b.yaml"]);
      assert.strictEqual(fs.statSync(out).mode & 0o777, 0o750);
      assert.deepStrictEqual(fs.readdirSync(dir), ["out"]);
    },
  },
  {
    name: "--out through a symbolic link replaces the folder it points to; the link stays a link",
    run: (dir) => {
      const real = path.join(dir, "real");
      replaceRenderedFiles(real, files({ "a.yaml": "# Rendered by pinpoint-render\na\n" }), "--out");
      fs.symlinkSync(real, path.join(dir, "link"));
      replaceRenderedFiles(path.join(dir, "link"), files({ "b.yaml": "# Rendered by pinpoint-render\nb\n" }), "--out");
      assert.ok(fs.lstatSync(path.join(dir, "link")).isSymbolicLink());
      assert.deepStrictEqual(fs.readdirSync(real).sort(), [OUT_MARKER, "b.yaml"]);
    },
  },
  {
    name: "--out that is the current folder is written file by file (a folder in use is not swapped)",
    run: (dir) => {
      const shell = process.cwd();
      process.chdir(dir);
      try {
        replaceRenderedFiles(".", files({ "a.yaml": "# Rendered by pinpoint-render\na\n" }), "--out");
        replaceRenderedFiles(".", files({ "b.yaml": "# Rendered by pinpoint-render\nb\n" }), "--out");
        assert.deepStrictEqual(fs.readdirSync(".").sort(), [OUT_MARKER, "b.yaml"]);
      } finally {
        process.chdir(shell);
      }
    },
  },
  ...["/proc/self/pp-out", "/proc", "/sys/kernel/pp-out", "/dev/shm/pp-out-never"].map((out) => ({
    name: `--out ${out} is refused at once, naming the file system`,
    run: () => {
      const t0 = Date.now();
      assert.throws(() => replaceRenderedFiles(out, files({ "a.yaml": "x" }), "--out"), /--out .* is on (the kernel's \w+ file system|\/dev) \(.*\), not a folder for files: give a folder on disk/);
      assert.ok(Date.now() - t0 < 5_000);
    },
  })),
];

describe("hostile input 3: the render's names and output folder", () => {
  for (const row of renderFileRows) {
    it(row.name, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-hostile3-"));
      try {
        row.run(dir);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("hostile input 3: pinpoint-render refuses names that leave their folder, as a user runs it", () => {
  const rows: Array<[string[], RegExp]> = [
    [["--stack", "../../etc/x"], /^pinpoint-render: error: --stack "\.\.\/\.\.\/etc\/x" is not a Pulumi stack name/m],
    [["--stack", "/tmp/abs"], /--stack "\/tmp\/abs" is not a Pulumi stack name/],
    [["--out", "/proc/self/pp-out"], /^pinpoint-render: error: --out \/proc\/self\/pp-out is on the kernel's proc file system/m],
  ];
  for (const [args, error] of rows) {
    it(`pinpoint-render ${args.join(" ")}`, function () {
      this.timeout(180_000);
      const r = spawnSync(process.execPath, [compiled("cli/render.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
      assert.strictEqual(r.status, 1, r.stderr);
      assert.match(r.stderr, error);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    });
  }
});

describe("hostile input 3: the table", () => {
  it("holds at least 100 rows of its own", () => {
    const n = reversalRows.length + coreRows.length + hostRows.length + 4 + 3 + cliRows.length + cliFileRows.length + renderFileRows.length;
    assert.ok(n >= 100, `${n} rows`);
  });
});
