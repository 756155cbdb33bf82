/**
 * The examples as a user renders them: the package compiled as `npm run build`
 * compiles it, its pinpoint-render run in a child process on each example
 * (which imports `@fjhb/pulumi-pinpoint` by name, resolved to that build).
 * Every file valid for Kubernetes; the right workloads instrumented with the
 * right agent flags, the others untouched; StackReferences resolved by
 * rendering the referenced stack, secrets still masked, unknowns placeholders.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { describeInjection, podTemplateOf, uninject, Workload } from "../sdk/inject";
import { parseReference, parseReferencePrograms } from "../sdk/render/stackReference";
import { fixture, readYamlDocuments, validateObject } from "./support/validate";

const ROOT = path.join(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");
const SCRATCH = path.join(ROOT, "node_modules", ".cache");
const FIXTURES = path.join(__dirname, "fixtures", "stack-reference");
const PLATFORM_FIXTURE = path.join(FIXTURES, "platform");
const CONSUMER_FIXTURE = path.join(FIXTURES, "consumer");
const PACKAGE_NAME = "@fjhb/pulumi-pinpoint";
/** The TypeScript examples; each must be listed here to be rendered. */
const TS_EXAMPLES = ["tomcat-zffw", "app-team-stack", "yaml-and-helm"];
const UNKNOWN = "<known after pulumi up>";
const SECRET_MASK = "<secret: not shown>";
const INIT_CONTAINER = "init-pinpoint";
const COLLECTOR_FLAG = "-Dprofiler.transport.grpc.collector.ip=";
const FIXTURE_AGENT_IMAGE = `registry.fixture.example/fjhb/pp_agent@sha256:${"0123456789abcdef".repeat(4)}`;
/** Rendering a program (ts-node) takes seconds; a StackReference adds a second render. */
const RENDER_TIMEOUT_MS = 180_000;

let bin: string;
let scratch: string;

interface Rendered {
  status: number | null;
  stdout: string;
  stderr: string;
  out: string;
  /** File name → object, every one checked valid for its kind. */
  objects: Map<string, any>;
}

function runRender(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(bin, "cli", "render.js"), ...args], { encoding: "utf8", cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Renders into a fresh folder; the render must succeed and every file validate. */
function render(program: string, stack: string, extra: string[] = []): Rendered {
  const out = path.join(scratch, `${path.basename(program)}-${stack}-${extra.length}`);
  const r = runRender(["--program", program, "--stack", stack, "--out", out, ...extra]);
  assert.strictEqual(r.status, 0, r.stderr);
  // Our own programs warn about nothing (no undefined stack outputs, no plain passwords).
  assert.ok(!/warning/i.test(r.stderr), r.stderr);
  const objects = new Map<string, any>();
  // The manifests; the render's own list of them (.pinpoint-render) is not one.
  for (const f of fs.readdirSync(out).filter((n) => n.endsWith(".yaml")).sort()) {
    const o = parse(fs.readFileSync(path.join(out, f), "utf8"), { version: "1.1" });
    validateObject(o);
    objects.set(f, o);
  }
  return { ...r, out, objects };
}

/** The stack outputs the render computes for a program (`--stack-outputs`). */
function stackOutputs(args: string[]): { outputs: Record<string, unknown>; secretOutputNames: string[] } {
  const r = runRender([...args, "--stack-outputs"]);
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function example(name: string): string {
  return path.join(EXAMPLES, name);
}

/** The agent's options variable of the first instrumented container. */
function agentOptions(w: Workload): string {
  const status = JSON.parse(podTemplateOf(w)!.metadata!.annotations!["pinpoint.fjhb.cn/status"]);
  const [container, cs] = Object.entries<any>(status.containers)[0];
  const c = podTemplateOf(w)!.spec!.containers.find((x) => x.name === container)!;
  return c.env!.find((e) => e.name === cs.options.name)!.value!;
}

/** What must hold of an instrumented workload: init container, image, applicationName and collector flags. */
function assertInstrumented(w: Workload, want: { applicationName: string; image: string; collector: string; optionsEnv?: string }): void {
  const summary = describeInjection(w);
  assert.ok(summary, `${w.metadata?.name} is not instrumented`);
  assert.deepStrictEqual({ applicationName: summary.applicationName, image: summary.image, collector: summary.collectorHost }, {
    applicationName: want.applicationName,
    image: want.image,
    collector: want.collector,
  });
  const spec = podTemplateOf(w)!.spec!;
  assert.deepStrictEqual(
    spec.initContainers?.map((c) => c.name),
    [INIT_CONTAINER],
  );
  const options = agentOptions(w);
  const env = spec.containers[0].env!.map((e) => e.name);
  assert.ok(env.includes(want.optionsEnv ?? "CATALINA_OPTS"), env.join(","));
  assert.strictEqual(options.split("-javaagent:").length - 1, 1, `one -javaagent: ${options}`);
  assert.ok(options.includes(`-Dpinpoint.applicationName=${want.applicationName}`), options);
  assert.ok(options.includes(`${COLLECTOR_FLAG}${want.collector}`), options);
}

function assertNotInstrumented(w: Workload): void {
  assert.strictEqual(describeInjection(w), undefined, `${w.metadata?.name} is instrumented`);
  const spec = podTemplateOf(w)!.spec!;
  assert.ok(!(spec.initContainers ?? []).some((c) => c.name === INIT_CONTAINER));
  assert.ok(!JSON.stringify(spec).includes("-javaagent"));
}

/** The `pinpoint:*` values of an example's stack file. */
function pinpointConfig(name: string, stack: string): Record<string, string> {
  return parse(fs.readFileSync(path.join(example(name), `Pulumi.${stack}.yaml`), "utf8")).config;
}

describe("examples", () => {
  before(function () {
    this.timeout(RENDER_TIMEOUT_MS);
    fs.mkdirSync(SCRATCH, { recursive: true });
    scratch = fs.mkdtempSync(path.join(SCRATCH, "pinpoint-examples-"));
    // The whole package, as `npm run build` builds it: the render resolves the package name to its bin/index.js.
    bin = path.join(scratch, "bin");
    const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.json"), "--outDir", bin], {
      encoding: "utf8",
    });
    assert.strictEqual(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  describe("layout", () => {
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

    it("every TypeScript example is rendered here", () => {
      const nodejs = fs
        .readdirSync(EXAMPLES)
        .filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml")))
        .filter((d) => /^runtime:\s*(nodejs|\n\s+name:\s*nodejs)/m.test(fs.readFileSync(path.join(EXAMPLES, d, "Pulumi.yaml"), "utf8")));
      assert.deepStrictEqual(nodejs.sort(), [...TS_EXAMPLES].sort());
    });

    for (const name of TS_EXAMPLES) {
      it(`${name}: a complete program that imports the package by name, with its README`, () => {
        const dir = example(name);
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "index.ts", "package.json", "tsconfig.json", "README.md"]) {
          assert.ok(fs.existsSync(path.join(dir, f)), `${name}/${f} missing`);
        }
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        assert.strictEqual(pkg.dependencies[PACKAGE_NAME], "file:../..");
        for (const dep of ["@pulumi/pulumi", "@pulumi/kubernetes"]) assert.strictEqual(pkg.dependencies[dep], root.dependencies[dep], dep);
        for (const dep of ["typescript", "ts-node", "@types/node"]) assert.strictEqual(pkg.devDependencies[dep], root.devDependencies[dep], dep);
        assert.match(fs.readFileSync(path.join(dir, "index.ts"), "utf8"), new RegExp(`from "${PACKAGE_NAME}"`));
        assert.match(fs.readFileSync(path.join(dir, "README.md"), "utf8"), new RegExp(`npm run render -- --program examples/${name}`));
      });
    }
  });

  describe("tomcat-zffw", () => {
    it("the seed's Deployment, instrumented by stack config alone; everything else as the seed declares it", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      const config = pinpointConfig("tomcat-zffw", "dev");
      assert.strictEqual(config["pinpoint:enabled"], "true");
      const r = render(example("tomcat-zffw"), "dev");
      assert.deepStrictEqual([...r.objects.keys()], ["170-Service-dev-tomcat-zffw.yaml", "210-Deployment-dev-tomcat-zffw.yaml"]);
      const d = r.objects.get("210-Deployment-dev-tomcat-zffw.yaml");
      assertInstrumented(d, {
        applicationName: "dev-tomcat-zffw",
        image: config["pinpoint:agentImage"],
        collector: config["pinpoint:collectorHost"],
      });
      // Take the agent out again and the seed's Deployment is left (the example adds only a named port for its Service).
      const plain = uninject(d).workload as any;
      for (const c of plain.spec.template.spec.containers) delete c.ports;
      assert.deepStrictEqual(plain, fixture("seed-deployment.yaml"));
      const svc = r.objects.get("170-Service-dev-tomcat-zffw.yaml");
      assert.deepStrictEqual(svc.spec.selector, d.spec.template.metadata.labels);
    });
  });

  describe("tomcat-zffw, stack off", () => {
    it("pinpoint:enabled false and no image: the seed's Deployment as declared, and no warning (no undefined stack output)", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      const r = render(example("tomcat-zffw"), "off");
      const d = r.objects.get("210-Deployment-off-tomcat-zffw.yaml");
      assertNotInstrumented(d);
      assert.match(r.stdout, /Deployment off\/tomcat-zffw +no +- +instrumentation is off/);
    });
  });

  describe("app-team-stack", () => {
    it("its Deployments get the platform stack's agent image and collector through the StackReference", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      // The platform project is the repository's own Pulumi.yaml (stacks/): found with no flag.
      const platform = stackOutputs(["--stack", "dev"]).outputs as { agentImage: string; collectorHost: string };
      assert.ok(platform.agentImage && platform.collectorHost, JSON.stringify(platform));
      const r = render(example("app-team-stack"), "dev");
      assert.deepStrictEqual(
        [...r.objects.keys()],
        [
          "170-Service-order-pay-order-api.yaml",
          "170-Service-order-pay-web.yaml",
          "210-Deployment-order-pay-order-api.yaml",
          "210-Deployment-order-pay-pay-worker.yaml",
          "210-Deployment-order-pay-web.yaml",
        ],
      );
      const want = { image: platform.agentImage, collector: platform.collectorHost };
      assertInstrumented(r.objects.get("210-Deployment-order-pay-order-api.yaml"), { ...want, applicationName: "dev-order-api" });
      assertInstrumented(r.objects.get("210-Deployment-order-pay-pay-worker.yaml"), {
        ...want,
        applicationName: "dev-pay-worker",
        optionsEnv: "JAVA_TOOL_OPTIONS",
      });
      assertNotInstrumented(r.objects.get("210-Deployment-order-pay-web.yaml"));
    });

    it("with --reference-program, the platform program is taken from that folder", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      const r = render(example("app-team-stack"), "dev", ["--reference-program", `pinpoint-platform=${PLATFORM_FIXTURE}`]);
      const d = r.objects.get("210-Deployment-order-pay-order-api.yaml");
      assertInstrumented(d, { applicationName: "dev-order-api", image: FIXTURE_AGENT_IMAGE, collector: "collector.dev.fixture.example" });
      // Pinned by digest: pulled once per node.
      assert.strictEqual(podTemplateOf(d)!.spec!.initContainers![0].imagePullPolicy, "IfNotPresent");
    });
  });

  describe("yaml-and-helm", () => {
    const FILES = [
      "000-Namespace-shop.yaml",
      "170-Service-shop-cart.yaml",
      "210-Deployment-shop-cart-cache.yaml",
      "210-Deployment-shop-cart.yaml",
      "210-Deployment-shop-legacy-billing.yaml",
    ];
    const legacyManifest = () => readYamlDocuments(path.join(example("yaml-and-helm"), "manifests", "legacy.yaml"))[0];

    it("stack dev: the stack transform instruments the ConfigGroups' workloads; the Helm chart is not rendered", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      const config = pinpointConfig("yaml-and-helm", "dev");
      const r = render(example("yaml-and-helm"), "dev");
      // The chart's Deployment and Service are not here: the render does not run Helm.
      assert.deepStrictEqual([...r.objects.keys()], FILES);
      const want = { image: config["pinpoint:agentImage"], collector: config["pinpoint:collectorHost"] };
      // Forced by its inject annotation, its launcher unknown: the variable every JVM reads.
      assertInstrumented(r.objects.get("210-Deployment-shop-cart.yaml"), { ...want, applicationName: "dev-cart", optionsEnv: "JAVA_TOOL_OPTIONS" });
      assertNotInstrumented(r.objects.get("210-Deployment-shop-cart-cache.yaml"));
      // Both the stack transform and its own transforms option reach it: injected once, appended to its CATALINA_OPTS.
      const legacy = r.objects.get("210-Deployment-shop-legacy-billing.yaml");
      assertInstrumented(legacy, { ...want, applicationName: "dev-legacy-billing" });
      assert.ok(agentOptions(legacy).startsWith("-Xms512M -Xmx512M -javaagent:"), agentOptions(legacy));
      assert.deepStrictEqual(uninject(legacy).workload, legacyManifest());
    });

    it("stack scoped: instrumentation off, only the resource with the transform in its transforms option is instrumented", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      const config = pinpointConfig("yaml-and-helm", "scoped");
      assert.strictEqual(config["pinpoint:enabled"], "false");
      const r = render(example("yaml-and-helm"), "scoped");
      assert.deepStrictEqual([...r.objects.keys()], FILES);
      assertNotInstrumented(r.objects.get("210-Deployment-shop-cart.yaml"));
      assertNotInstrumented(r.objects.get("210-Deployment-shop-cart-cache.yaml"));
      const legacy = r.objects.get("210-Deployment-shop-legacy-billing.yaml");
      assertInstrumented(legacy, {
        applicationName: "scoped-legacy-billing",
        image: config["pinpoint:agentImage"],
        collector: config["pinpoint:collectorHost"],
      });
      assert.deepStrictEqual(uninject(legacy).workload, legacyManifest());
    });
  });

  describe("StackReference in the render", () => {
    const platformFlag = ["--reference-program", `fixture-platform=${PLATFORM_FIXTURE}`];

    it("hands the referenced stack's outputs to the program: values as rendered, secrets still secret, unknowns placeholders", function () {
      this.timeout(RENDER_TIMEOUT_MS);
      const r = render(CONSUMER_FIXTURE, "ci", platformFlag);
      assert.deepStrictEqual(r.objects.get("080-ConfigMap-consumer-platform.yaml").data, {
        agentImage: FIXTURE_AGENT_IMAGE,
        collectorHost: "collector.fixture.example",
        reportDigest: UNKNOWN,
      });
      assert.deepStrictEqual(r.objects.get("080-ConfigMap-consumer-platform-token.yaml").data, { token: SECRET_MASK });
      const text = [...r.objects.keys()].map((f) => fs.readFileSync(path.join(r.out, f), "utf8")).join("\n");
      assert.ok(!text.includes("platform-token-in-clear"), "a secret written in clear");
      // The consumer's own outputs: the secret one is reported secret, the other not.
      const outputs = stackOutputs(["--program", CONSUMER_FIXTURE, "--stack", "ci", ...platformFlag]);
      assert.deepStrictEqual(outputs, { outputs: { token: SECRET_MASK, collectorHost: "collector.fixture.example" }, secretOutputNames: ["token"] });
    });

    interface ErrorRow {
      name: string;
      stack: string;
      args: string[];
      message: RegExp;
    }
    const errorRows: ErrorRow[] = [
      {
        name: "a project with no local program: names the reference and the flag",
        stack: "missing",
        args: [],
        message: /StackReference "acme\/nowhere\/ci": no program of project "nowhere" .*give its folder with --reference-program nowhere=<dir>/,
      },
      {
        name: "a referenced stack that fails to render: its error",
        stack: "nostack",
        args: platformFlag,
        message: /StackReference "acme\/fixture-platform\/prod": rendering stack prod of project fixture-platform failed:\n.*Pulumi\.prod\.yaml: no such stack file; stacks here: ci, dev/,
      },
      {
        name: "a stack that refers to itself",
        stack: "loop",
        args: ["--reference-program", `fixture-consumer=${CONSUMER_FIXTURE}`],
        message: /StackReference "acme\/fixture-consumer\/loop": stacks refer to each other/,
      },
    ];
    for (const row of errorRows) {
      it(`fails on ${row.name}, writing nothing`, function () {
        this.timeout(RENDER_TIMEOUT_MS);
        const out = path.join(scratch, `error-${row.stack}`);
        const r = runRender(["--program", CONSUMER_FIXTURE, "--stack", row.stack, "--out", out, ...row.args]);
        assert.strictEqual(r.status, 1, r.stderr);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, row.message);
        assert.ok(!fs.existsSync(out), "nothing written");
      });
    }

    it("reads Pulumi's stack name forms and the flag's project=dir", () => {
      const rows: [string, { project: string; stack: string }][] = [
        ["acme/pinpoint-platform/dev", { project: "pinpoint-platform", stack: "dev" }],
        ["acme/dev", { project: "order-pay", stack: "dev" }],
        ["dev", { project: "order-pay", stack: "dev" }],
      ];
      for (const [name, want] of rows) assert.deepStrictEqual(parseReference(name, "order-pay"), want, name);
      for (const bad of ["a//b", "a/b/c/d", ""]) assert.throws(() => parseReference(bad, "order-pay"), /not a stack name; use <org>\/<project>\/<stack>/, bad);
      assert.deepStrictEqual(parseReferencePrograms(["p=stacks", "q=../x=y"]), { p: "stacks", q: "../x=y" });
      assert.throws(() => parseReferencePrograms(["stacks"]), /--reference-program stacks: use --reference-program <project>=<program folder>/);
    });
  });
});
