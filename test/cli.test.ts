/**
 * pinpoint-inject as a user runs it: the compiled command in a child process,
 * fixtures in, standard output, standard error and exit status checked.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { compiled } from "./support/compiled";
import { validateObject } from "./support/validate";

const ROOT = path.join(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures");
const CLI_FIXTURES = path.join(FIXTURES, "cli");
const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
const STATUS_ANNOTATION = "pinpoint.fjhb.cn/status";
/** Kubernetes reads YAML 1.1; so do these checks (`0755` is octal). */
const YAML_VERSION = "1.1";

let cli: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", input, cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string) => path.join(CLI_FIXTURES, name);
const docs = (text: string): any[] => parseAllDocuments(text, { version: YAML_VERSION }).map((d) => d.toJS()).filter((v) => v !== null);
const readDocs = (file: string) => docs(fs.readFileSync(file, "utf8"));
const INJECT = ["--image", IMAGE, "--app-prefix", "dev-"];

function ok(r: Run): Run {
  assert.strictEqual(r.status, 0, `exit ${r.status}\n${r.stderr}`);
  return r;
}

function initImage(w: any): string | undefined {
  return (w.spec.template ?? w.spec.jobTemplate.spec.template).spec.initContainers?.find((c: any) => c.name === "init-pinpoint")?.image;
}

function envValue(w: any, container: string, name: string): string | undefined {
  return w.spec.template.spec.containers.find((c: any) => c.name === container).env?.find((e: any) => e.name === name)?.value;
}

describe("pinpoint-inject", () => {
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/inject.js");
  });

  it("instruments the seed's Deployment exactly as the core does", () => {
    const r = ok(run(["-f", path.join(FIXTURES, "seed-deployment.yaml"), ...INJECT]));
    const out = docs(r.stdout);
    assert.deepStrictEqual(out, readDocs(path.join(FIXTURES, "seed-instrumented.yaml")));
    validateObject(out[0]);
    assert.match(r.stderr, /^injected +Deployment dev\/tomcat-zffw \[.*seed-deployment\.yaml, document 1\]: applicationName dev-tomcat-zffw, containers tomcat-zffw$/m);
    // The header comment above the rewritten document survives.
    assert.match(r.stdout, /^# The seed's Deployment/);
  });

  it("leaves a Service and a ConfigMap as written, byte for byte, and keeps YAML 1.1 values", () => {
    const input = fs.readFileSync(fixture("app.yaml"), "utf8");
    const r = ok(run(["-f", fixture("app.yaml"), ...INJECT, "--collector", "pinpoint-collector.pinpoint"]));
    const [configMap, service, deployment] = docs(r.stdout);
    const inputDocs = docs(input);
    assert.deepStrictEqual(configMap, inputDocs[0]);
    assert.deepStrictEqual(service, inputDocs[1]);
    // Their text too: comments and flow style stay.
    const untouched = input.slice(0, input.indexOf("apiVersion: apps/v1"));
    assert.ok(r.stdout.startsWith(untouched), "the ConfigMap and Service text changed");
    assert.match(r.stderr, /^skipped +ConfigMap dev\/orders-config .*: kind ConfigMap is not a workload$/m);
    assert.match(r.stderr, /^skipped +Service dev\/orders .*: kind Service is not a workload$/m);
    // Written back as Kubernetes reads it: the octal mode keeps its value, "on" stays a string.
    assert.strictEqual(deployment.spec.template.spec.volumes[0].configMap.defaultMode, 0o755);
    assert.strictEqual(envValue(deployment, "tomcat", "FEATURE_ON"), "on");
    for (const o of [configMap, service, deployment]) validateObject(o);
  });

  it("appends to an existing CATALINA_OPTS literal", () => {
    const [, , deployment] = docs(ok(run(["-f", fixture("app.yaml"), ...INJECT, "--collector", "pinpoint-collector.pinpoint"])).stdout);
    const opts = envValue(deployment, "tomcat", "CATALINA_OPTS")!;
    assert.ok(opts.startsWith("-Xmx512m -Dfile.encoding=UTF-8 -javaagent:/var/init/pinpoint/pinpoint-bootstrap.jar "), opts);
    assert.match(opts, / -Dpinpoint\.applicationName=dev-orders /);
    assert.match(opts, / -Dprofiler\.transport\.grpc\.collector\.ip=pinpoint-collector\.pinpoint$/);
  });

  it("handles a List item by item, from standard input", () => {
    const r = ok(run(["-f", "-", ...INJECT, "--select", "all"], fs.readFileSync(fixture("list.yaml"), "utf8")));
    const [list] = docs(r.stdout);
    assert.strictEqual(list.kind, "List");
    assert.strictEqual(initImage(list.items[0]), IMAGE);
    assert.deepStrictEqual(list.items[1], readDocs(fixture("list.yaml"))[0].items[1]);
    assert.match(r.stderr, /^injected +Deployment test\/billing \[<stdin>, document 1, item 1\]/m);
    assert.match(r.stderr, /^skipped +Service test\/billing \[<stdin>, document 1, item 2\]/m);
    list.items.forEach(validateObject);
  });

  it("leaves an opted-out workload alone and says why", () => {
    const r = ok(run(["-f", fixture("opted-out.yaml"), ...INJECT]));
    assert.strictEqual(r.stdout, fs.readFileSync(fixture("opted-out.yaml"), "utf8"));
    assert.match(r.stderr, /^skipped +Deployment dev\/legacy .*: opted out by pinpoint\.fjhb\.cn\/inject: "false"$/m);
  });

  it("reads a folder recursively (.yaml, .yml, .json) in path order, with --kinds and --containers", () => {
    const r = ok(run(["-f", fixture("folder"), ...INJECT, "--kinds", "Deployment,StatefulSet", "--containers", "app"]));
    const out = docs(r.stdout);
    assert.deepStrictEqual(out.map((o) => o.metadata.name), ["alpha", "gamma", "beta"]);
    assert.ok(out.every((o) => initImage(o) === IMAGE));
    // gamma's first container is a sidecar: --containers picked "app".
    const gamma = out[1].spec.template.spec.containers;
    assert.strictEqual(gamma[0].env, undefined);
    // Named, so forced; gamma:1 shows no launcher: the variable every JVM reads.
    assert.match(envValue(out[1], "app", "JAVA_TOOL_OPTIONS")!, /applicationName=dev-gamma/);
    out.forEach(validateObject);
  });

  it("writes JSON with -o json, one object after another", () => {
    const r = ok(run(["-f", fixture("app.yaml"), ...INJECT, "-o", "json"]));
    const objects = r.stdout.trim().split(/\n(?=\{)/).map((s) => JSON.parse(s));
    assert.deepStrictEqual(objects.map((o) => o.kind), ["ConfigMap", "Service", "Deployment"]);
    assert.deepStrictEqual(objects, docs(ok(run(["-f", fixture("app.yaml"), ...INJECT])).stdout));
  });

  it("injecting twice gives the same bytes as injecting once", () => {
    for (const f of ["app.yaml", "list.yaml", "opted-out.yaml"]) {
      const once = ok(run(["-f", fixture(f), ...INJECT])).stdout;
      const twice = ok(run(["-f", "-", ...INJECT], once));
      assert.strictEqual(twice.stdout, once, f);
      if (f === "app.yaml") assert.match(twice.stderr, /^unchanged +Deployment dev\/orders .*already injected/m);
    }
  });

  it("inject then --uninject gives back the input", () => {
    const inputs = [path.join(FIXTURES, "seed-deployment.yaml"), fixture("app.yaml"), fixture("list.yaml"), fixture("opted-out.yaml")];
    for (const f of inputs) {
      const injected = ok(run(["-f", f, ...INJECT, "--select", "all", "--image-pull-secret", "harbor", "--collector", "c.pinpoint"])).stdout;
      assert.notDeepStrictEqual(docs(injected), f.endsWith("opted-out.yaml") ? [] : readDocs(f));
      const removed = ok(run(["-f", "-", "--uninject"], injected));
      assert.deepStrictEqual(docs(removed.stdout), readDocs(f), f);
      assert.ok(!removed.stdout.includes(STATUS_ANNOTATION), f);
    }
  });

  it("--agent-delivery imageVolume gives the seed as the core does, and --uninject takes it out again", () => {
    const args = ["-f", path.join(FIXTURES, "seed-deployment.yaml"), ...INJECT, "--agent-delivery", "imageVolume", "--kubernetes-version", "1.35"];
    const r = ok(run(args));
    const out = docs(r.stdout);
    assert.deepStrictEqual(out, readDocs(path.join(FIXTURES, "seed-instrumented-imagevolume.yaml")));
    validateObject(out[0]);
    assert.doesNotMatch(r.stderr, /warning/);
    // Switching back to copy replaces the image volume with the init container.
    const copy = ok(run(["-f", "-", ...INJECT], r.stdout));
    assert.deepStrictEqual(docs(copy.stdout), readDocs(path.join(FIXTURES, "seed-instrumented.yaml")));
    assert.deepStrictEqual(docs(ok(run(["-f", "-", "--uninject"], r.stdout)).stdout), readDocs(path.join(FIXTURES, "seed-deployment.yaml")));
  });

  it("--agent-delivery imageVolume warns when the cluster's feature gate may be off, or its version is not given", () => {
    const seed = ["-f", path.join(FIXTURES, "seed-deployment.yaml"), ...INJECT, "--agent-delivery", "imageVolume"];
    assert.match(ok(run([...seed, "--kubernetes-version", "v1.33.2"])).stderr, /warning: --kubernetes-version is v1\.33\.2, where the ImageVolume feature gate is off by default/);
    assert.match(ok(run(seed)).stderr, /warning: --agent-delivery imageVolume needs Kubernetes 1\.35\+ .*set --kubernetes-version/);
  });

  it("instruments only the JVM containers, and says why for every workload and container on standard error", () => {
    const r = ok(run(["-f", fixture("mixed.yaml"), ...INJECT]));
    const [cache, dashboard, orders] = docs(r.stdout);
    assert.deepStrictEqual(cache, readDocs(fixture("mixed.yaml"))[0]);
    // The sidecar comes first in the pod; the agent goes to the JVM after it.
    assert.strictEqual(dashboard.spec.template.spec.containers[0].env.length, 1);
    assert.match(envValue(dashboard, "reports", "JAVA_TOOL_OPTIONS")!, /^-javaagent:/);
    assert.match(envValue(orders, "orders", "JAVA_TOOL_OPTIONS")!, /^-javaagent:/);
    assert.match(r.stderr, /^skipped +Deployment shop\/cache \[.*\]: no JVM container$/m);
    assert.match(r.stderr, /^ +container redis: not a JVM: image redis:7\.2 is a known non-JVM image$/m);
    assert.match(r.stderr, /^ +container sidecar: not a JVM: command runs python$/m);
    assert.match(r.stderr, /^ +container reports: JVM: command runs java → JAVA_TOOL_OPTIONS \(the first JVM container\)$/m);
    assert.match(r.stderr, /^ +container orders: JVM: image eclipse-temurin:17-jre → JAVA_TOOL_OPTIONS \(the first JVM container\)$/m);
    docs(r.stdout).forEach(validateObject);
  });

  it("--help documents every flag", () => {
    const r = ok(run(["--help"]));
    for (const flag of ["-f, --filename", "--image", "--app-prefix", "--collector", "--options-env", "--containers", "--kinds", "--image-pull-secret", "--select", "--read-images", "--image-timeout", "--image-cache", "--registry-ca-file", "--plain-http", "--agent-delivery", "--kubernetes-version", "--uninject", "-o, --output", "--unknown-containers", "--on-value-from", "--strict", "--image-config"]) {
      assert.ok(r.stdout.includes(flag), `--help lacks ${flag}`);
    }
  });

  interface ErrorRow {
    name: string;
    args: string[];
    stdin?: string;
    /** The message on standard error: names the file, the document and the problem. */
    message: RegExp;
  }

  const errorRows: ErrorRow[] = [
    { name: "no --image", args: ["-f", path.join(FIXTURES, "seed-deployment.yaml")], message: /error: the agent image is required: .*--image/ },
    { name: "no -f", args: ["--image", IMAGE], message: /required option '-f, --filename <path>' not specified/ },
    { name: "a file that does not exist", args: ["-f", "no/such.yaml", "--image", IMAGE], message: /error: no\/such\.yaml: no such file or folder/ },
    {
      name: "unparsable YAML in the second document",
      args: ["-f", fixture("errors/bad-yaml.yaml"), "--image", IMAGE],
      message: /error: .*errors\/bad-yaml\.yaml, document 2 \(line \d+\): is not valid YAML: /,
    },
    { name: "unparsable JSON", args: ["-f", fixture("errors/bad-json.json"), "--image", IMAGE], message: /error: .*errors\/bad-json\.json, document 1 \(line 1\): is not valid JSON/ },
    {
      name: "--strict: a workload the rules reject (options from valueFrom)",
      args: ["-f", fixture("errors/value-from.yaml"), "--image", IMAGE, "--options-env", "CATALINA_OPTS", "--strict"],
      message: /error: .*errors\/value-from\.yaml, document 2 \(line 8\): Deployment dev\/opts-from-secret: container "app" takes CATALINA_OPTS from valueFrom.*opt out/,
    },
    {
      name: "a document that is not an object",
      args: ["-f", fixture("errors/not-object.yaml"), "--image", IMAGE],
      message: /error: .*errors\/not-object\.yaml, document 2 \(line 5\): is not a Kubernetes object/,
    },
    { name: "an object without kind", args: ["-f", fixture("errors/no-kind.yaml"), "--image", IMAGE], message: /error: .*errors\/no-kind\.yaml, document 1 \(line 1\): has no kind/ },
    { name: "an unknown kind in --kinds", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--kinds", "Deployment,Pod"], message: /unknown workload kind "Pod"/ },
    { name: "--strict: --containers names none of a workload's containers", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--containers", "app", "--strict"], message: /document 3 .*has none of the default containers \(app\)/ },
    { name: "--containers for a workload the input lacks", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--containers", "deploy/nosuch=app"], message: /error: --containers deploy\/nosuch=app: no such workload in the input/ },
    { name: "--containers with an unknown kind", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--containers", "pod/x=app"], message: /--containers "pod\/x=app" has unknown kind "pod"/ },
    { name: "--image-config that does not exist", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--image-config", "no/such.json"], message: /--image-config no\/such\.json: no\/such\.json: no such file or folder/ },
    { name: "--unknown-containers with a bad policy", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--unknown-containers", "maybe"], message: /argument 'maybe' is invalid. Allowed choices are instrument, skip/ },
    { name: "a bad output format", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "-o", "xml"], message: /argument 'xml' is invalid/ },
    { name: "an unknown --agent-delivery", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--agent-delivery", "volume"], message: /argument 'volume' is invalid. Allowed choices are copy, imageVolume/ },
    {
      name: "--agent-delivery imageVolume on a cluster older than 1.31",
      args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--agent-delivery", "imageVolume", "--kubernetes-version", "1.29"],
      message: /error: --kubernetes-version is 1\.29, and image volumes exist only from Kubernetes 1\.31: set --agent-delivery to copy/,
    },
    { name: "a --kubernetes-version that is no version", args: ["-f", fixture("app.yaml"), "--image", IMAGE, "--kubernetes-version", "new"], message: /error: --kubernetes-version "new" is not a Kubernetes version/ },
    { name: "standard input twice", args: ["-f", "-", "-f", "-", "--image", IMAGE], stdin: "", message: /given twice/ },
    {
      name: "--strict: good files before a bad one: still nothing written",
      args: ["-f", fixture("app.yaml"), "-f", fixture("errors/value-from.yaml"), "--image", IMAGE, "--options-env", "CATALINA_OPTS", "--strict"],
      message: /value-from\.yaml, document 2/,
    },
  ];

  describe("errors: exit status 1, a message naming file, document and problem, nothing on standard output", () => {
    for (const row of errorRows) {
      it(row.name, () => {
        const r = run(row.args, row.stdin);
        assert.strictEqual(r.status, 1, r.stderr);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, row.message);
      });
    }
  });

  it("is the package's pinpoint-inject command", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.strictEqual(pkg.bin["pinpoint-inject"], "bin/cli/inject.js");
    assert.ok(fs.readFileSync(path.join(ROOT, "sdk/cli/inject.ts"), "utf8").startsWith("#!/usr/bin/env node\n"));
    assert.ok(fs.readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n"), "the shebang must reach the compiled file");
  });
});
