/**
 * pinpoint-render as a user runs it: the compiled command in a child process
 * on the project's dev and test stacks and on a fixture program with secrets,
 * unknown values, an autonamed object and a yaml/v2 ConfigFile.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parse } from "yaml";
import { compiled } from "./support/compiled";
import { validateObject } from "./support/validate";

const ROOT = path.join(__dirname, "..");
const FIXTURE_PROGRAM = path.join(__dirname, "fixtures", "cli", "render-program");
const REASONS_PROGRAM = path.join(__dirname, "fixtures", "cli", "render-reasons");
const SCRATCH = path.join(ROOT, "node_modules", ".cache");
const STATUS_ANNOTATION = "pinpoint.fjhb.cn/status";
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];
const UNKNOWN = "<known after pulumi up>";
const SECRET_MASK = "<secret: not shown>";
const SEED_AGENT_IMAGE = "harbor.59iedu.com/fjhb/pp_agent@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
/** The stack file's ciphertext and the plain value a program put in a Secret: neither may reach a file. */
const NEVER_WRITTEN = ["AAABAGZha2UtY2lwaGVydGV4dC1mb3ItdGVzdHM=", "plain-token-in-program"];

let cli: string;
let scratch: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Row = Record<string, string>;

/** Lines after the rows: the agent image and collector of the instrumented workloads. */
const LEGEND = /^(agent image|collector): /;

/** Splits the table at its header's column offsets (cells may hold spaces); a wrapped WHY joins its row. */
function parseTable(text: string): Row[] {
  const all = text.trimEnd().split("\n");
  for (const line of all) assert.ok(line.length <= 120, `wider than 120 columns: ${line}`);
  const [header, ...lines] = all.filter((l) => !LEGEND.test(l));
  const names = header.split(/ {2,}/);
  const starts = names.map((n) => header.indexOf(n));
  const rows: Row[] = [];
  for (const line of lines) {
    const row = Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()]));
    if (row.WORKLOAD === "") rows[rows.length - 1].WHY += ` ${row.WHY}`;
    else rows.push(row);
  }
  return rows;
}

/** The legend's value for a label (`agent image`, `collector`), when all instrumented workloads share it. */
function legendValue(text: string, label: string): string | undefined {
  return text.split("\n").find((l) => l.startsWith(`${label}: `))?.slice(label.length + 2);
}

function readObjects(dir: string): Map<string, any> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  return new Map(files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), "utf8"), { version: "1.1" })]));
}

const template = (o: any) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template : o.spec.template);

/** What the table must say of a workload file, read from the file itself. */
function expectedRow(o: any): { instrumented: string; app: string; image?: string; collector?: string } {
  const t = template(o);
  const status = t.metadata?.annotations?.[STATUS_ANNOTATION];
  if (!status) return { instrumented: "no", app: "-" };
  const { applicationName, containers } = JSON.parse(status);
  const container = t.spec.containers.find((c: any) => c.name === Object.keys(containers)[0]);
  const opts: string = container.env.find((e: any) => e.name === containers[Object.keys(containers)[0]].options.name).value;
  assert.ok(opts.includes(`-Dpinpoint.applicationName=${applicationName}`), opts);
  return {
    instrumented: "yes",
    app: applicationName,
    image: t.spec.initContainers.find((c: any) => c.name === "init-pinpoint").image,
    collector: /-Dprofiler\.transport\.grpc\.collector\.ip=(\S+)/.exec(opts)?.[1] ?? "(agent config)",
  };
}

const workloadOf = (o: any) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** Every file valid for its kind, one table row per workload file, each row matching its file; a reason on every row. */
function checkRender(dir: string, table: string): { rows: Row[]; objects: Map<string, any> } {
  const objects = readObjects(dir);
  assert.ok(objects.size > 0, `no files in ${dir}`);
  for (const [file, o] of objects) {
    validateObject(o);
    assert.match(file, new RegExp(`^\\d{3}-${o.kind}-(${o.metadata.namespace}-)?`), file);
  }
  const files = [...objects.keys()];
  assert.deepStrictEqual(files, [...files].sort(), "file names sort");
  const rows = parseTable(table);
  const workloads = [...objects.values()].filter((o) => WORKLOAD_KINDS.includes(o.kind));
  const rendered = rows.filter((r) => r.INSTRUMENTED !== "not rendered");
  assert.deepStrictEqual(rendered.map((r) => r.WORKLOAD).sort(), workloads.map(workloadOf).sort());
  const images = new Set<string>();
  const collectors = new Set<string>();
  for (const row of rendered) {
    const want = expectedRow(workloads.find((o) => workloadOf(o) === row.WORKLOAD));
    assert.deepStrictEqual({ instrumented: row.INSTRUMENTED, app: row["APPLICATION NAME"] }, { instrumented: want.instrumented, app: want.app }, row.WORKLOAD);
    assert.notStrictEqual(row.WHY, "", `${row.WORKLOAD}: no reason given`);
    if (want.image) images.add(want.image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}/, "@sha256:$1…"));
    if (want.collector) collectors.add(want.collector);
  }
  if (images.size === 1) assert.strictEqual(legendValue(table, "agent image"), [...images][0]);
  if (collectors.size === 1) assert.strictEqual(legendValue(table, "collector"), [...collectors][0]);
  return { rows, objects };
}

describe("pinpoint-render", () => {
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/render.js");
    fs.mkdirSync(SCRATCH, { recursive: true });
    scratch = fs.mkdtempSync(path.join(SCRATCH, "pinpoint-render-"));
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("renders the dev stack into out/<project>/dev by default: valid files, the table matches them and says why", () => {
    const r = run([]);
    assert.strictEqual(r.status, 0, r.stderr);
    const { rows, objects } = checkRender(path.join(ROOT, "out", "pinpoint-platform", "dev"), r.stdout);
    const app = rows.find((row) => row.WORKLOAD === "Deployment dev/tomcat-zffw");
    assert.ok(app, r.stdout);
    assert.strictEqual(app.INSTRUMENTED, "yes");
    assert.strictEqual(app["APPLICATION NAME"], "dev-tomcat-zffw");
    assert.strictEqual(app.WHY, "containers tomcat-zffw");
    assert.strictEqual(legendValue(r.stdout, "agent image"), SEED_AGENT_IMAGE.replace(/(@sha256:[0-9a-f]{12})[0-9a-f]{52}$/, "$1…"));
    // The server's own workloads: PinpointApm creates them before it registers its transform (and opts them out besides).
    const collector = rows.find((row) => row.WORKLOAD === "Deployment pinpoint/pinpoint-collector");
    assert.strictEqual(collector?.WHY, "no Pinpoint transform registered before it");
    assert.ok(objects.has("000-Namespace-dev.yaml"));
    assert.ok(objects.has("170-Service-dev-tomcat-zffw.yaml"));
    assert.ok(!/warning/i.test(r.stderr), r.stderr);
    assert.match(r.stderr, /stack dev \(stacks\/Pulumi\.dev\.yaml\): \d+ Kubernetes objects written to out\/pinpoint-platform\/dev\//);
  });

  it("renders the test stack with --stack test: applicationName test-<name>", () => {
    const out = path.join(scratch, "test");
    const r = run(["--stack", "test", "--out", out]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.ok(!/warning/i.test(r.stderr), r.stderr);
    const { rows } = checkRender(out, r.stdout);
    const app = rows.find((row) => row.WORKLOAD === "Deployment test/tomcat-zffw");
    assert.strictEqual(app?.["APPLICATION NAME"], "test-tomcat-zffw");
    assert.strictEqual(legendValue(r.stdout, "collector"), "pinpoint-collector.dev.59iedu.com");
  });

  it("another program: secrets masked, unknown values and autonames as placeholders, ConfigFile children, opt-out", () => {
    const out = path.join(scratch, "secrets");
    // A stale file from an earlier render (its header says so) must not survive.
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "999-Stale-old.yaml"), "# Rendered by pinpoint-render (no cluster was contacted): stale\nstale: true\n");
    const r = run(["--program", FIXTURE_PROGRAM, "--stack", "secrets", "--out", out]);
    assert.strictEqual(r.status, 0, r.stderr);
    const { rows, objects } = checkRender(out, r.stdout);
    assert.ok(!objects.has("999-Stale-old.yaml"));

    const text = [...objects.keys()].map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
    for (const s of NEVER_WRITTEN) assert.ok(!text.includes(s), `${s} written in clear`);
    assert.deepStrictEqual(objects.get("070-Secret-shop-db.yaml").stringData, { password: SECRET_MASK });
    assert.deepStrictEqual(objects.get("070-Secret-shop-api.yaml").stringData, { token: SECRET_MASK });
    assert.deepStrictEqual(objects.get("080-ConfigMap-shop-cart.yaml").data, { image: UNKNOWN, mode: "fast" });
    assert.strictEqual(objects.get("210-Deployment-shop-worker.yaml").metadata.name, `worker-${UNKNOWN}`);
    // The ConfigFile is a wrapper, not an object; its Deployment is, and is instrumented.
    assert.ok(![...objects.values()].some((o) => o.kind === "ConfigFile"));
    const byWorkload = Object.fromEntries(rows.map((row) => [row.WORKLOAD, row]));
    assert.strictEqual(byWorkload["Deployment shop/billing"]["APPLICATION NAME"], "shop-billing");
    assert.strictEqual(byWorkload["Deployment shop/legacy"].INSTRUMENTED, "no");
    assert.strictEqual(byWorkload["Deployment shop/legacy"].WHY, 'opted out by pinpoint.fjhb.cn/inject: "false"');
    assert.strictEqual(byWorkload[`Deployment shop/worker-${UNKNOWN}`].INSTRUMENTED, "yes");
  });

  describe("why each workload is or is not instrumented", () => {
    const CHART_ROW = { INSTRUMENTED: "not rendered", WHY: "Helm chart: the render does not run Helm" };
    const rows: { stack: string; want: Record<string, { INSTRUMENTED: string; WHY: string }> }[] = [
      {
        stack: "on",
        want: {
          "Deployment shop/cart": { INSTRUMENTED: "yes", WHY: "containers app" },
          "Deployment shop/early": { INSTRUMENTED: "no", WHY: "no Pinpoint transform registered before it" },
          "Deployment shop/legacy": { INSTRUMENTED: "no", WHY: 'opted out by pinpoint.fjhb.cn/inject: "false"' },
          "Deployment ops/elsewhere": { INSTRUMENTED: "no", WHY: "namespace ops not in namespaces (shop)" },
          "StatefulSet shop/store": { INSTRUMENTED: "no", WHY: "kind StatefulSet is not enabled (kinds: Deployment)" },
          "Chart shop/report": CHART_ROW,
        },
      },
      {
        stack: "off",
        want: Object.fromEntries(
          ["Deployment shop/cart", "Deployment shop/early", "Deployment shop/legacy", "Deployment ops/elsewhere", "StatefulSet shop/store"].map((w) => [
            w,
            { INSTRUMENTED: "no", WHY: "instrumentation is off (enabled: false)" },
          ]),
        ),
      },
      {
        stack: "bare",
        want: Object.fromEntries(
          ["Deployment shop/cart", "Deployment shop/early", "Deployment shop/legacy", "Deployment ops/elsewhere", "StatefulSet shop/store"].map((w) => [
            w,
            { INSTRUMENTED: "no", WHY: "no Pinpoint transform registered before it" },
          ]),
        ),
      },
    ];
    for (const row of rows) {
      it(`stack ${row.stack}: every row gives its reason, the Helm chart is listed as not rendered, 120 columns`, () => {
        const out = path.join(scratch, `reasons-${row.stack}`);
        const r = run(["--program", REASONS_PROGRAM, "--stack", row.stack, "--out", out]);
        assert.strictEqual(r.status, 0, r.stderr);
        const { rows: table } = checkRender(out, r.stdout);
        const got = Object.fromEntries(table.map((t) => [t.WORKLOAD, { INSTRUMENTED: t.INSTRUMENTED, WHY: t.WHY }]));
        assert.deepStrictEqual(got, { ...row.want, "Chart shop/report": CHART_ROW });
        assert.ok(!r.stderr.includes("warning"), r.stderr);
      });
    }

    it("shortens a digest in the table to 12 hex digits (the files keep it whole)", () => {
      const r = run(["--program", REASONS_PROGRAM, "--stack", "on", "--out", path.join(scratch, "reasons-digest")]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(legendValue(r.stdout, "agent image"), "harbor.example.com/fjhb/pp_agent@sha256:0123456789ab…");
    });
  });

  it("renders different programs to different default folders: out/<project>/<stack>", () => {
    const r = run(["--program", REASONS_PROGRAM, "--stack", "on"]);
    assert.strictEqual(r.status, 0, r.stderr);
    const out = path.join(ROOT, "out", "render-reasons", "on");
    try {
      assert.match(r.stderr, /written to out\/render-reasons\/on\//);
      assert.ok(fs.existsSync(path.join(out, "210-Deployment-shop-cart.yaml")));
    } finally {
      fs.rmSync(path.join(ROOT, "out", "render-reasons"), { recursive: true, force: true });
    }
  });

  it("renders a program compiled to JavaScript inside its project: --program <outDir> finds the project's stack files", () => {
    // The project as a user has it, its program compiled with `tsc --outDir bin`.
    const project = path.join(scratch, "compiled-project");
    fs.mkdirSync(path.join(project, "bin"), { recursive: true });
    for (const f of ["Pulumi.yaml", "Pulumi.on.yaml"]) fs.copyFileSync(path.join(REASONS_PROGRAM, f), path.join(project, f));
    const source = fs.readFileSync(path.join(REASONS_PROGRAM, "index.ts"), "utf8").replace("../../../../sdk", "@fjhb/pulumi-pinpoint");
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    fs.writeFileSync(path.join(project, "bin", "index.js"), js);
    const out = path.join(scratch, "compiled-out");
    const r = run(["--program", path.join(project, "bin"), "--stack", "on", "--out", out]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /stack on \(.*compiled-project\/Pulumi\.on\.yaml\)/);
    const { rows } = checkRender(out, r.stdout);
    assert.strictEqual(rows.find((x) => x.WORKLOAD === "Deployment shop/cart")?.["APPLICATION NAME"], "on-cart");
  });

  interface ErrorRow {
    name: string;
    args: string[];
    message: RegExp;
  }

  const errorRows: ErrorRow[] = [
    { name: "a stack without a stack file", args: ["--stack", "prod"], message: /Pulumi\.prod\.yaml: no such stack file; stacks here: dev, test/ },
    { name: "a program folder that does not exist", args: ["--program", "no/such/dir"], message: /no such program folder/ },
    {
      name: "a program that fails (bad config): its error, and no files",
      args: ["--program", FIXTURE_PROGRAM, "--stack", "broken"],
      message: /the program failed \(stack broken, .*\):\n {2}pinpoint:enabled is "maybe", not a boolean/,
    },
  ];

  describe("errors: exit status 1 and the problem named", () => {
    for (const row of errorRows) {
      it(row.name, () => {
        const out = path.join(scratch, `error-${row.name.replace(/\W+/g, "-")}`);
        const r = run([...row.args, "--out", out]);
        assert.strictEqual(r.status, 1, r.stderr);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, row.message);
        assert.ok(!fs.existsSync(out), "nothing written");
      });
    }
  });

  it("is `npm run render` and the package's pinpoint-render command, building first", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.strictEqual(pkg.bin["pinpoint-render"], "bin/cli/render.js");
    assert.match(pkg.scripts.render, /^npm run build .*&& node bin\/cli\/render\.js$/);
    assert.ok(fs.readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n"));
  });
});
