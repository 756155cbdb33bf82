/**
 * Hostile and awkward input, as a table: each row an input and the error text
 * expected (naming the key or flag as the user wrote it) or the output
 * expected. Core rows call the injection core; CLI rows run the compiled
 * pinpoint-inject in a child process; file rows use the real file system.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { inject, InjectOptions, resolveOptions, uninject } from "../sdk/inject";
import { prepareBuildContext } from "../sdk/agentImage/buildContext";
import { OUT_MARKER, replaceRenderedFiles } from "../sdk/render/outFolder";
import { compiled } from "./support/compiled";
import { KUBE_PARSE_OPTIONS } from "../sdk/cli/kubeYaml";

const ROOT = path.join(__dirname, "..");
const HOSTILE = path.join(__dirname, "fixtures", "hostile");
const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
const DIGEST = `sha256:${"a".repeat(64)}`;
const BASE: InjectOptions = { image: IMAGE, applicationNamePrefix: "dev-" };
const STATUS = "pinpoint.fjhb.cn/status";

/* eslint-disable @typescript-eslint/no-explicit-any */
function deployment(mutate?: (d: any) => void): any {
  const d: any = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "orders", namespace: "dev" },
    spec: { template: { metadata: { labels: { app: "orders" } }, spec: { containers: [{ name: "app", image: "tomcat:9" }] } } },
  };
  mutate?.(d);
  return d;
}
const pod = (d: any) => d.spec.template.spec;
const app = (d: any) => pod(d).containers[0];
const env = (d: any, name: string) => app(d).env?.find((e: any) => e.name === name);

// ---- options: each value by its grammar

interface OptionRow {
  name: string;
  options: Partial<InjectOptions>;
  /** The error expected; undefined: accepted. */
  error?: RegExp;
}

const optionRows: OptionRow[] = [
  { name: "image with an upper-case repository", options: { image: "harbor.example.com/FJHB/pp_agent:1" }, error: /^OptionError: image .*repository part "FJHB" with upper-case letters.*\(fjhb\)/ },
  { name: "image with two tags", options: { image: "harbor.example.com/fjhb/pp_agent:1:2" }, error: /^OptionError: image .*more than one tag/ },
  { name: "image with a scheme", options: { image: "https://harbor.example.com/fjhb/pp_agent:1" }, error: /^OptionError: image .*scheme \(https:\/\/\): give the reference without it/ },
  { name: "image with a short digest", options: { image: "harbor.example.com/fjhb/pp_agent@sha256:abc123" }, error: /^OptionError: image .*sha256 digest of 6 hex digits; it needs 64/ },
  { name: "image with the README's … placeholder", options: { image: "harbor.example.com/fjhb/pp_agent@sha256:…" }, error: /^OptionError: image .*placeholder/ },
  { name: "image with a <placeholder>", options: { image: "harbor.example.com/fjhb/pp_agent:<tag>" }, error: /^OptionError: image .*placeholder/ },
  { name: "image with an upper-case digest", options: { image: `harbor.example.com/fjhb/pp_agent@sha256:${"A".repeat(64)}` }, error: /^OptionError: image .*lower-case hex/ },
  { name: "image with an unknown digest algorithm", options: { image: `harbor.example.com/fjhb/pp_agent@md5:${"a".repeat(32)}` }, error: /^OptionError: image .*algorithm "md5": use sha256/ },
  { name: "image with a tag starting with a dot", options: { image: "harbor.example.com/fjhb/pp_agent:.x" }, error: /^OptionError: image .*tag "\.x"/ },
  { name: "image with an empty path part", options: { image: "harbor.example.com//pp_agent:1" }, error: /^OptionError: image .*empty path part/ },
  { name: "image with a bad registry port", options: { image: "harbor.example.com:x/fjhb/pp_agent:1" }, error: /^OptionError: image .*registry "harbor\.example\.com:x"/ },
  { name: "image with white space", options: { image: "harbor.example.com/fjhb/pp_agent :1" }, error: /^OptionError: image .*white space/ },
  { name: "image pinned by a full digest is accepted", options: { image: `harbor.example.com:5000/fjhb/pp_agent@${DIGEST}` } },
  { name: "image with tag and digest is accepted", options: { image: `harbor.example.com/fjhb/pp_agent:3.0.1@${DIGEST}` } },
  { name: "image on localhost with a port is accepted", options: { image: "localhost:5000/pp_agent:1" } },
  { name: "options variable PATH", options: { optionsEnv: "PATH" }, error: /^OptionError: optionsEnv "PATH" is a variable the process .* needs/ },
  { name: "options variable LD_PRELOAD", options: { optionsEnv: "LD_PRELOAD" }, error: /^OptionError: optionsEnv "LD_PRELOAD" is a variable/ },
  { name: "options variable POD_IP", options: { optionsEnv: "POD_IP" }, error: /^OptionError: optionsEnv "POD_IP" is a variable the process or the agent injection itself needs/ },
  { name: "options variable POD_NAME", options: { optionsEnv: "POD_NAME" }, error: /^OptionError: optionsEnv "POD_NAME"/ },
  { name: "options variable in lower case of a JVM variable", options: { optionsEnv: "java_tool_options" }, error: /^OptionError: optionsEnv "java_tool_options" is not JAVA_TOOL_OPTIONS/ },
  { name: "options variable in mixed case of a JVM variable", options: { optionsEnv: "Catalina_Opts" }, error: /is not CATALINA_OPTS: environment variables are case-sensitive/ },
  { name: "options variable all lower case", options: { optionsEnv: "myopts" }, error: /^OptionError: optionsEnv "myopts" is lower-case/ },
  { name: "options variable with a dash", options: { optionsEnv: "JAVA-OPTS" }, error: /^OptionError: optionsEnv "JAVA-OPTS" is not a variable a JVM launcher can read/ },
  { name: "options variable starting with a digit", options: { optionsEnv: "1OPTS" }, error: /^OptionError: optionsEnv "1OPTS" is not a variable/ },
  { name: "options variable with a dot", options: { optionsEnv: "JAVA.OPTS" }, error: /^OptionError: optionsEnv "JAVA\.OPTS"/ },
  { name: "options variable JAVA_OPTS is accepted", options: { optionsEnv: "JAVA_OPTS" } },
  { name: "options variable of an app's own launcher is accepted", options: { optionsEnv: "KAFKA_OPTS" } },
  { name: "collector host a..b", options: { collectorHost: "a..b" }, error: /^OptionError: collectorHost "a\.\.b" has an empty label/ },
  { name: "collector host with a port", options: { collectorHost: "collector:9991" }, error: /^OptionError: collectorHost "collector:9991" holds a ':'.*collector ports/ },
  { name: "collector host with a scheme", options: { collectorHost: "grpc://collector" }, error: /^OptionError: collectorHost "grpc:\/\/collector" has a scheme/ },
  { name: "collector host with an underscore", options: { collectorHost: "pp_collector" }, error: /label "pp_collector"/ },
  { name: "collector host label over 63 characters", options: { collectorHost: `${"a".repeat(64)}.example` }, error: /label "a{64}"/ },
  { name: "collector host IPv4 out of range", options: { collectorHost: "10.0.0.300" }, error: /"10\.0\.0\.300" is not an IPv4 address/ },
  { name: "collector host starting with a dash", options: { collectorHost: "-collector" }, error: /label "-collector"/ },
  { name: "collector host IPv6 in brackets is accepted", options: { collectorHost: "[fd00::1]" } },
  { name: "collector host FQDN with a final dot is accepted", options: { collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local." } },
  { name: "collector port 99999", options: { collectorPorts: { agent: 99999 } }, error: /^OptionError: collectorPorts\.agent is 99999: a port is a whole number from 1 to 65535/ },
  { name: "collector port 0", options: { collectorPorts: { span: 0 } }, error: /^OptionError: collectorPorts\.span is 0/ },
  { name: "collector port 1.5", options: { collectorPorts: { stat: 1.5 } }, error: /^OptionError: collectorPorts\.stat is 1\.5/ },
  {
    name: "init requests above limits",
    options: { initResources: { requests: { cpu: "1", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } } },
    error: /^OptionError: initResources requests\.cpu 1 is above limits\.cpu 200m: Kubernetes rejects such a pod/,
  },
  {
    name: "init memory request above limit across units",
    options: { initResources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } },
    error: /requests\.memory 1Gi is above limits\.memory 512Mi/,
  },
  {
    name: "init resources with an unknown key",
    options: { initResources: { request: { cpu: "10m" } } as any },
    error: /^OptionError: initResources has the key "request", which is not one it reads; did you mean "requests"\?/,
  },
  { name: "init requests equal to limits are accepted", options: { initResources: { requests: { cpu: "100m" }, limits: { cpu: "0.1" } } } },
  { name: "workload kind in lower case", options: { kinds: ["deployment" as any] }, error: /^OptionError: kinds has unknown workload kind "deployment"/ },
  { name: "pull secret with upper case", options: { imagePullSecret: "Harbor" }, error: /^OptionError: imagePullSecret "Harbor" is not a valid Secret name/ },
  { name: "prefix with a space", options: { applicationNamePrefix: "dev " }, error: /^OptionError: applicationNamePrefix "dev " may hold only/ },
];

describe("hostile input: options by their grammar", () => {
  for (const row of optionRows) {
    it(row.name, () => {
      const options = { ...BASE, ...row.options } as InjectOptions;
      if (row.error) assert.throws(() => resolveOptions(options), row.error);
      else assert.doesNotThrow(() => resolveOptions(options));
    });
  }
});

// ---- workloads: annotations, shapes, status records

interface WorkloadRow {
  name: string;
  input: any;
  options?: Partial<InjectOptions>;
  error?: RegExp;
  expect?: (out: any, r: ReturnType<typeof inject>) => void;
}

const injected = (mutate?: (d: any) => void, options: InjectOptions = BASE) => inject(deployment(mutate), options).workload as any;
const withStatus = (d: any, status: string) => {
  d.spec.template.metadata.annotations = { ...(d.spec.template.metadata.annotations ?? {}), [STATUS]: status };
  return d;
};
/** The record of an injected copy of the default Deployment, set on another workload. */
const copiedRecord = () => injected().spec.template.metadata.annotations[STATUS] as string;

const workloadRows: WorkloadRow[] = [
  {
    name: "misspelt opt-out annotation pinpoint.fjhb.cn/injection",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/injection": "false" })),
    error: /annotation pinpoint\.fjhb\.cn\/injection is not one this package reads; did you mean pinpoint\.fjhb\.cn\/inject\?/,
  },
  {
    name: "misspelt containers annotation on the pod template",
    input: deployment((d) => (d.spec.template.metadata.annotations = { "pinpoint.fjhb.cn/container": "app" })),
    error: /pinpoint\.fjhb\.cn\/container is not one .*did you mean pinpoint\.fjhb\.cn\/containers\?/,
  },
  {
    name: "misspelt application-name annotation",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/applicationName": "orders" })),
    error: /did you mean pinpoint\.fjhb\.cn\/application-name\?/,
  },
  {
    name: "misspelt annotation is refused even when opted out correctly beside it",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/inject": "false", "pinpoint.fjhb.cn/option-env": "JAVA_OPTS" })),
    error: /did you mean pinpoint\.fjhb\.cn\/options-env\?/,
  },
  {
    name: "another company's annotation is left alone",
    input: deployment((d) => (d.metadata.annotations = { "example.com/injection": "false" })),
    expect: (_, r) => assert.strictEqual(r.injected, true),
  },
  {
    name: "options-env annotation POD_IP",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/options-env": "POD_IP" })),
    error: /annotation pinpoint\.fjhb\.cn\/options-env "POD_IP" is a variable/,
  },
  {
    name: "options variable defined twice",
    input: deployment((d) => (app(d).env = [{ name: "CATALINA_OPTS", value: "-Xmx1g" }, { name: "CATALINA_OPTS", value: "-Xmx2g" }])),
    error: /container "app" defines CATALINA_OPTS 2 times \(Kubernetes uses only the last\): keep one entry/,
  },
  {
    name: "Windows pod by spec.os is skipped with the reason",
    input: deployment((d) => (pod(d).os = { name: "windows" })),
    expect: (out, r) => {
      assert.strictEqual(r.injected, false);
      assert.match(r.reason!, /a Windows pod \(spec\.os\.name: windows\)/);
      assert.match(r.warnings.join("\n"), /Deployment dev\/orders: not instrumented: a Windows pod/);
      assert.strictEqual(pod(out).initContainers, undefined);
    },
  },
  {
    name: "Windows pod by nodeSelector is skipped with the reason",
    input: deployment((d) => (pod(d).nodeSelector = { "kubernetes.io/os": "windows" })),
    expect: (_, r) => assert.match(r.reason!, /nodeSelector kubernetes\.io\/os: windows/),
  },
  {
    name: "Linux pod by nodeSelector is instrumented",
    input: deployment((d) => (pod(d).nodeSelector = { "kubernetes.io/os": "linux" })),
    expect: (_, r) => assert.strictEqual(r.injected, true),
  },
  {
    name: "hostNetwork pod gets no agentId from the pod IP",
    input: deployment((d) => (pod(d).hostNetwork = true)),
    expect: (out) => {
      assert.doesNotMatch(env(out, "CATALINA_OPTS").value, /agentId/);
      assert.strictEqual(env(out, "POD_IP"), undefined);
      assert.match(env(out, "CATALINA_OPTS").value, /-Dpinpoint\.agentName=\$\(POD_NAME\)/);
    },
  },
  {
    name: "invalid workload name is blamed on the name, not the prefix",
    input: deployment((d) => (d.metadata.name = "Orders Service")),
    error: /metadata\.name "Orders Service" is not a valid Kubernetes name/,
  },
  {
    name: "status record copied onto a workload without the parts deletes none of the user's",
    input: withStatus(
      deployment((d) => {
        app(d).env = [{ name: "CATALINA_OPTS", value: "-Xmx1g" }];
        pod(d).imagePullSecrets = [{ name: "regcred" }];
      }),
      copiedRecord(),
    ),
    expect: (out, r) => {
      assert.strictEqual(env(out, "CATALINA_OPTS").value.startsWith("-Xmx1g -javaagent:"), true);
      assert.deepStrictEqual(pod(out).imagePullSecrets, [{ name: "regcred" }]);
      assert.match(r.warnings.join("\n"), /does not match the pod \(copied from another object, or edited\?\)/);
    },
  },
  {
    name: "forged record naming the user's own init container and volume keeps both",
    input: withStatus(
      deployment((d) => {
        pod(d).initContainers = [{ name: "migrate", image: "flyway" }];
        pod(d).volumes = [{ name: "data", emptyDir: {} }];
      }),
      JSON.stringify({ version: 1, applicationName: "x", initContainers: ["migrate"], volumes: ["data"], imagePullSecrets: [], created: [], containers: {} }),
    ),
    expect: (out) => {
      assert.deepStrictEqual(pod(out).initContainers.map((c: any) => c.name), ["migrate", "init-pinpoint"]);
      assert.deepStrictEqual(pod(out).volumes.map((v: any) => v.name), ["data", "pp-agent"]);
    },
  },
  {
    name: "record whose CATALINA_OPTS part was replaced by the user keeps the user's value",
    input: (() => {
      const d = injected();
      env(d, "CATALINA_OPTS").value = "-Xmx4g";
      return d;
    })(),
    expect: (out, r) => {
      assert.match(env(out, "CATALINA_OPTS").value, /^-Xmx4g -javaagent:/);
      assert.match(r.warnings.join("\n"), /CATALINA_OPTS of container "app" no longer holds the agent flags/);
    },
  },
  {
    name: "an injected init container the user edited is kept, and injection refuses the clash clearly",
    input: (() => {
      const d = injected();
      pod(d).initContainers[0].command = ["sh", "-c", "my own copy"];
      return d;
    })(),
    error: /already has a volume named "pp-agent", which the agent needs/,
  },
  {
    name: "record read back from the cluster (server defaults filled in) still strips exactly",
    input: (() => {
      const d = injected();
      pod(d).initContainers[0].terminationMessagePath = "/dev/termination-log";
      pod(d).initContainers[0].terminationMessagePolicy = "File";
      env(d, "POD_IP").valueFrom.fieldRef.apiVersion = "v1";
      return d;
    })(),
    expect: (out) => assert.deepStrictEqual(uninject(out).workload, deployment()),
  },
  {
    name: "status record that is not JSON names the annotation and the fix",
    input: withStatus(deployment(), "{oops"),
    error: /pinpoint\.fjhb\.cn\/status is not a status this version wrote; remove the annotation/,
  },
  {
    name: "empty containers annotation",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/containers": " , " })),
    error: /annotation pinpoint\.fjhb\.cn\/containers is empty/,
  },
  {
    name: "application-name annotation too long",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/application-name": "a".repeat(25) })),
    error: /application-name "a{25}" is not a valid Pinpoint applicationName: it has 25 characters/,
  },
  {
    name: "inject annotation that is neither true nor false",
    input: deployment((d) => (d.metadata.annotations = { "pinpoint.fjhb.cn/inject": "no" })),
    error: /annotation pinpoint\.fjhb\.cn\/inject is "no"; use "true" or "false"/,
  },
];

describe("hostile input: workloads", () => {
  for (const row of workloadRows) {
    it(row.name, () => {
      const options = { ...BASE, ...row.options } as InjectOptions;
      if (row.error) {
        assert.throws(() => inject(row.input, options), row.error);
        return;
      }
      const r = inject(row.input, options);
      row.expect!(r.workload, r);
    });
  }
});

// ---- files: the render's folder, agent archives

interface FileRow {
  name: string;
  run: (dir: string) => void;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "pp-hostile-"));
const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

const fileRows: FileRow[] = [
  {
    name: "render --out . in a program folder: refused, Pulumi.yaml and the stack file stay",
    run: (dir) => {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\n");
      fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
      assert.throws(() => replaceRenderedFiles(dir, files({ "a.yaml": "x: 1\n" }), "--out"), /--out .* holds files pinpoint-render did not write \(Pulumi\.dev\.yaml, Pulumi\.yaml\): give a new or empty folder/);
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["Pulumi.dev.yaml", "Pulumi.yaml"]);
    },
  },
  {
    name: "render into its own folder replaces only the files it wrote",
    run: (dir) => {
      const out = path.join(dir, "out");
      replaceRenderedFiles(out, files({ "a.yaml": "a\n", "b.yaml": "b\n" }), "--out");
      fs.writeFileSync(path.join(out, "notes.yaml"), "mine\n");
      replaceRenderedFiles(out, files({ "a.yaml": "a2\n" }), "--out");
      assert.deepStrictEqual(fs.readdirSync(out).sort(), [OUT_MARKER, "a.yaml", "notes.yaml"]);
      assert.strictEqual(fs.readFileSync(path.join(out, "a.yaml"), "utf8"), "a2\n");
    },
  },
  {
    name: "a marker naming a path outside the folder deletes nothing there",
    run: (dir) => {
      const out = path.join(dir, "out");
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\n");
      fs.writeFileSync(path.join(out, OUT_MARKER), "../Pulumi.yaml\n");
      replaceRenderedFiles(out, files({ "a.yaml": "a\n" }), "--out");
      assert.ok(fs.existsSync(path.join(dir, "Pulumi.yaml")));
    },
  },
  {
    name: "render --out naming a file",
    run: (dir) => {
      const f = path.join(dir, "file.txt");
      fs.writeFileSync(f, "x");
      assert.throws(() => replaceRenderedFiles(f, files({}), "--out"), /--out .*file\.txt is a file, not a folder/);
    },
  },
  {
    name: "agent version with a new line (it would add a Dockerfile line)",
    run: (dir) => {
      fs.writeFileSync(path.join(dir, "pinpoint-bootstrap.jar"), "jar");
      assert.throws(
        () => prepareBuildContext({ source: dir, contextDir: path.join(dir, "ctx"), agentVersion: "3.0.1\nRUN rm -rf /" }),
        /agentVersion "3\.0\.1\\nRUN rm -rf \/" is not an agent version/,
      );
      assert.ok(!fs.existsSync(path.join(dir, "ctx")));
    },
  },
  {
    name: "agent version with a quote",
    run: (dir) => {
      fs.writeFileSync(path.join(dir, "pinpoint-bootstrap.jar"), "jar");
      assert.throws(() => prepareBuildContext({ source: dir, contextDir: path.join(dir, "ctx"), agentVersion: '3.0"' }), /agentVersion "3\.0"" is not an agent version/);
    },
  },
  {
    name: "an archive with too many entries is refused before unpacking, leaving no build context",
    run: (dir) => {
      const src = path.join(dir, "src");
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, "pinpoint-bootstrap.jar"), "jar");
      for (let i = 0; i < 20_001; i++) fs.writeFileSync(path.join(src, `f${i}`), "");
      const archive = path.join(dir, "many.tar");
      spawnSync("tar", ["-cf", archive, "-C", src, "."]);
      fs.rmSync(src, { recursive: true });
      assert.throws(() => prepareBuildContext({ source: archive, contextDir: path.join(dir, "ctx") }), /many\.tar holds more than 20000 entries/);
      assert.deepStrictEqual(fs.readdirSync(dir), ["many.tar"]);
    },
  },
  {
    name: "an archive that unpacks to more than the size limit is refused before unpacking",
    run: (dir) => {
      const src = path.join(dir, "src");
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, "pinpoint-bootstrap.jar"), "jar");
      // A sparse file: 2 GiB in the listing, almost nothing on disk or in the compressed archive.
      fs.closeSync(fs.openSync(path.join(src, "big"), "w"));
      fs.truncateSync(path.join(src, "big"), 2 * 1024 * 1024 * 1024);
      const archive = path.join(dir, "big.tar.gz");
      spawnSync("tar", ["-czSf", archive, "-C", src, "."]);
      fs.rmSync(src, { recursive: true });
      assert.throws(() => prepareBuildContext({ source: archive, contextDir: path.join(dir, "ctx") }), /big\.tar\.gz unpacks to more than 1024 MiB/);
      assert.ok(!fs.existsSync(path.join(dir, "ctx")));
    },
  },
  {
    name: "a failed rebuild keeps the previous build context whole",
    run: (dir) => {
      const good = path.join(dir, "good");
      fs.mkdirSync(good);
      fs.writeFileSync(path.join(good, "pinpoint-bootstrap.jar"), "jar");
      const ctx = path.join(dir, "ctx");
      prepareBuildContext({ source: good, contextDir: ctx });
      const before = fs.readdirSync(ctx).sort();
      const bad = path.join(dir, "bad");
      fs.mkdirSync(bad);
      fs.writeFileSync(path.join(bad, "pinpoint-bootstrap-1.0.0.jar"), "a");
      fs.writeFileSync(path.join(bad, "pinpoint-bootstrap-2.0.0.jar"), "b");
      assert.throws(() => prepareBuildContext({ source: bad, contextDir: ctx }), /several bootstrap jars/);
      assert.deepStrictEqual(fs.readdirSync(ctx).sort(), before);
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["bad", "ctx", "good"]);
    },
  },
];

describe("hostile input: files", () => {
  for (const row of fileRows) {
    it(row.name, function () {
      this.timeout(120_000);
      const dir = tmp();
      try {
        row.run(dir);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// ---- the CLI, as a user runs it

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let cli: string;
function run(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", input, cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const hostile = (name: string) => path.join(HOSTILE, name);
// --select all: these rows are about shapes of input, not JVM detection (jvm.test.ts holds those rules).
const INJECT = ["--image", IMAGE, "--app-prefix", "dev-", "--select", "all"];
const values = (text: string) => parseAllDocuments(text, KUBE_PARSE_OPTIONS).map((d) => d.toJS()).filter((v) => v !== null);

interface CliRow {
  name: string;
  args: string[];
  stdin?: string;
  /** Expected on standard error with exit status 1 and nothing on standard output. */
  error?: RegExp;
  expect?: (r: Run) => void;
}

/** inject, then uninject the output: the bytes of the input come back. */
function roundTrip(file: string): (r: Run) => void {
  return (r) => {
    assert.strictEqual(r.status, 0, r.stderr);
    const back = run(["-f", "-", "--uninject"], r.stdout);
    assert.strictEqual(back.status, 0, back.stderr);
    assert.strictEqual(back.stdout, fs.readFileSync(file, "utf8"));
  };
}

const cliRows: CliRow[] = [
  { name: "--containers with an invalid name names the flag", args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "--containers", "App"], error: /error: --containers names "App", which is not a valid container name/ },
  { name: "--options-env PATH names the flag", args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "--options-env", "PATH"], error: /error: --options-env "PATH" is a variable/ },
  { name: "--collector with a port names the flag", args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "--collector", "c:9991"], error: /error: --collector "c:9991" holds a ':'/ },
  { name: "--image with an upper-case repository names the flag", args: ["-f", hostile("helm-shaped.yaml"), "--image", "harbor.example.com/FJHB/pp_agent"], error: /error: --image "harbor\.example\.com\/FJHB\/pp_agent" has repository part "FJHB"/ },
  { name: "--kinds with an unknown kind names the flag", args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "--kinds", "Deploy"], error: /error: --kinds has unknown workload kind "Deploy"/ },
  { name: "--image-pull-secret invalid names the flag", args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "--image-pull-secret", "Bad_Secret"], error: /error: --image-pull-secret "Bad_Secret"/ },
  { name: "--app-prefix invalid names the flag", args: ["-f", hostile("helm-shaped.yaml"), "--image", IMAGE, "--app-prefix", "dev/"], error: /error: --app-prefix "dev\/" may hold only/ },
  // Issue 20: a kind the tool never changes is not expanded, so its aliases cost nothing and it passes through as written (kubectl accepts this one).
  { name: "an alias bomb in a ConfigMap passes through as written, never expanded", args: ["-f", hostile("alias-bomb.yaml"), ...INJECT], expect: (r) => assert.strictEqual(r.stdout, fs.readFileSync(hostile("alias-bomb.yaml"), "utf8")) },
  {
    name: "Helm-shaped manifest: comments, key: with no value, 12:30:00, timestamps and quoting survive inject and uninject byte for byte",
    args: ["-f", hostile("helm-shaped.yaml"), ...INJECT],
    expect: roundTrip(hostile("helm-shaped.yaml")),
  },
  {
    name: "values are read as kubectl reads them: 12:30:00 and timestamps stay strings",
    args: ["-f", hostile("helm-shaped.yaml"), ...INJECT],
    expect: (r) => {
      const [d] = values(r.stdout);
      assert.strictEqual(d.metadata.annotations.window, "12:30:00");
      assert.strictEqual(d.metadata.annotations["build-time"], "2024-05-01T10:00:00Z");
      assert.strictEqual(d.spec.template.spec.containers[0].env.find((e: any) => e.name === "START").value, "12:30:00");
      assert.match(r.stdout, /^ {4}empty-label:$/m);
      assert.match(r.stdout, /^ {12}# tuned by hand$/m);
      assert.match(r.stdout, /^ {14}value: '-Xmx512m -javaagent:/m);
    },
  },
  {
    name: "re-injection with another collector, then uninject: the input comes back byte for byte",
    args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "--collector", "collector-a.pinpoint"],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      const again = run(["-f", "-", ...INJECT, "--collector", "collector-b.pinpoint"], r.stdout);
      assert.strictEqual(again.status, 0, again.stderr);
      assert.match(again.stdout, /^ {14}value: '-Xmx512m -javaagent:.*collector\.ip=collector-b\.pinpoint'\r?$/m);
      const back = run(["-f", "-", "--uninject"], again.stdout);
      assert.strictEqual(back.stdout, fs.readFileSync(hostile("helm-shaped.yaml"), "utf8"));
    },
  },
  {
    name: "an env list shared through an anchor: only the instrumented container gets the agent",
    args: ["-f", hostile("anchored-env.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      const [d] = values(r.stdout);
      assert.deepStrictEqual(d.spec.template.spec.containers[1].env, [{ name: "A", value: "1" }]);
      assert.match(d.spec.template.spec.containers[0].env.at(-1).value, /^-javaagent:/);
    },
  },
  {
    name: "an options variable with a bare value: is filled in place; uninject gives it back as \"\" (the same to Kubernetes)",
    args: ["-f", hostile("null-options-value.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ {2}name: w # keep$/m);
      assert.match(r.stdout, /^ {10}value: "-javaagent:/m);
      const back = run(["-f", "-", "--uninject"], r.stdout);
      assert.strictEqual(back.stdout, fs.readFileSync(hostile("null-options-value.yaml"), "utf8").replace(/value:\n$/, 'value: ""\n'));
    },
  },
  {
    name: "a block scalar that keeps its trailing lines (|+) keeps them when parts are added after it",
    args: ["-f", hostile("keep-block-scalar.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(values(r.stdout)[0].spec.template.spec.containers[0].args, ["keep\n\n"]);
      roundTrip(hostile("keep-block-scalar.yaml"))(r);
    },
  },
  { name: "CRLF line endings survive inject and uninject", args: ["-f", hostile("crlf.yaml"), ...INJECT], expect: roundTrip(hostile("crlf.yaml")) },
  {
    name: "CRLF line endings: every added line ends in CRLF too",
    args: ["-f", hostile("crlf.yaml"), ...INJECT],
    expect: (r) => assert.doesNotMatch(r.stdout.replace(/\r\n/g, ""), /\n/),
  },
  { name: "a file without a final newline round-trips", args: ["-f", hostile("no-final-newline.yaml"), ...INJECT], expect: roundTrip(hostile("no-final-newline.yaml")) },
  { name: "Helm's key: with no value (env:, volumes:, annotations:) round-trips", args: ["-f", hostile("empty-fields.yaml"), ...INJECT], expect: roundTrip(hostile("empty-fields.yaml")) },
  {
    name: "key: with no value is filled in place, the lines around it untouched",
    args: ["-f", hostile("empty-fields.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ {6}volumes:\n {8}- name: pp-agent\n/m);
      assert.match(r.stdout, /^ {8}env:\n {10}- name: POD_IP\n/m);
      assert.match(r.stdout, /^ {6}- name: side\n {8}image: "y"\n/m);
    },
  },
  { name: "JSON flow style round-trips", args: ["-f", hostile("flow-style.yaml"), ...INJECT], expect: roundTrip(hostile("flow-style.yaml")) },
  {
    name: "a duplicate key in a document the tool does not change is accepted and kept",
    args: ["-f", hostile("duplicate-key-service.yaml"), ...INJECT],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(r.stdout.startsWith("apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\n  name: dup2\n"));
      assert.match(r.stderr, /^skipped +Service dup2 /m);
    },
  },
  {
    name: "a stream of JSON objects on standard input (kubectl get -o json, jq -c)",
    args: ["-f", "-", ...INJECT, "-o", "json"],
    stdin: `${JSON.stringify(deployment())}\n${JSON.stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } })}`,
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      const objects = r.stdout.trim().split(/\n(?=\{)/).map((s) => JSON.parse(s));
      assert.deepStrictEqual(objects.map((o) => o.kind), ["Deployment", "Service"]);
    },
  },
  {
    name: "the CLI's own -o json output reads back in",
    args: ["-f", hostile("helm-shaped.yaml"), ...INJECT, "-o", "json"],
    expect: (r) => {
      assert.strictEqual(r.status, 0, r.stderr);
      const again = run(["-f", "-", ...INJECT, "-o", "json"], r.stdout);
      assert.strictEqual(again.status, 0, again.stderr);
      assert.deepStrictEqual(values(again.stdout), values(r.stdout));
      assert.match(again.stderr, /^unchanged +Deployment dev\/orders /m);
    },
  },
  { name: "a JSON stream with a broken second object names it", args: ["-f", "-", ...INJECT], stdin: '{"kind":"A"}\n{"kind": }', error: /error: <stdin>, document 1 .*is not valid YAML|<stdin>.*document 2/ },
  {
    name: "misspelt opt-out annotation through the CLI names the annotation and the document (--strict: the whole run fails)",
    args: ["-f", "-", ...INJECT, "--strict"],
    stdin: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  annotations:\n    pinpoint.fjhb.cn/injection: \"false\"\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: b\n",
    error: /error: <stdin>, document 1 \(line 1\): Deployment x: annotation pinpoint\.fjhb\.cn\/injection is not one this package reads; did you mean pinpoint\.fjhb\.cn\/inject\?/,
  },
];

describe("hostile input: pinpoint-inject", () => {
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/inject.js");
  });
  for (const row of cliRows) {
    it(row.name, () => {
      const r = run(row.args, row.stdin);
      if (row.error) {
        assert.strictEqual(r.status, 1, r.stderr);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, row.error);
        return;
      }
      row.expect!(r);
    });
  }
});

// ---- pinpoint-render, as a user runs it

interface RenderRow {
  name: string;
  /** Runs the render in `dir` (a scratch copy of a program folder) and checks. */
  run: (dir: string, render: (args: string[]) => Run) => void;
}

const RELATIVE_PROGRAM = path.join(HOSTILE, "relative-program");

const renderRows: RenderRow[] = [
  {
    name: "--out . in a program folder is refused, naming --out; Pulumi.yaml and the stack file stay",
    run: (dir, render) => {
      const r = render(["--out", "."]);
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /error: --out .* holds files pinpoint-render did not write .*Pulumi\.dev\.yaml.*: give a new or empty folder/);
      for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "index.ts", "data.txt"]) assert.ok(fs.existsSync(path.join(dir, f)), `${f} was deleted`);
    },
  },
  {
    name: "a relative path in the program resolves against the program folder, not the shell's",
    run: (dir, render) => {
      const out = path.join(dir, "..", `${path.basename(dir)}-out`);
      try {
        // Run from the repository root, the program named by --program.
        const r = spawnSync(process.execPath, [renderCli, "--program", dir, "--out", out], { encoding: "utf8", cwd: ROOT });
        assert.strictEqual(r.status, 0, r.stderr);
        const [map] = values(fs.readFileSync(path.join(out, "080-ConfigMap-relative.yaml"), "utf8"));
        assert.strictEqual(map.data.text, "read from the program folder\n");
        assert.ok(render !== undefined);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  },
];

let renderCli: string;

describe("hostile input: pinpoint-render", () => {
  before(function () {
    this.timeout(180_000);
    renderCli = compiled("cli/render.js");
  });
  for (const row of renderRows) {
    it(row.name, function () {
      this.timeout(120_000);
      // Inside the project, so the program finds @pulumi/kubernetes in its node_modules; not under
      // node_modules itself, where Node 22's type stripping refuses a .ts file. out/ is git-ignored.
      fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
      const dir = fs.mkdtempSync(path.join(ROOT, "out", "pp-hostile-"));
      try {
        for (const f of fs.readdirSync(RELATIVE_PROGRAM)) fs.copyFileSync(path.join(RELATIVE_PROGRAM, f), path.join(dir, f));
        row.run(dir, (args) => {
          const r = spawnSync(process.execPath, [renderCli, ...args], { encoding: "utf8", cwd: dir });
          return { status: r.status, stdout: r.stdout, stderr: r.stderr };
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("hostile input: the table", () => {
  it("holds at least 80 rows", () => {
    assert.ok(optionRows.length + workloadRows.length + fileRows.length + cliRows.length + renderRows.length >= 80);
  });
});
