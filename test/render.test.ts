/**
 * pinpoint-render as a user runs it: the compiled command in a child process
 * on the project's dev and test stacks and on a fixture program with secrets,
 * unknown values, an autonamed object and a yaml/v2 ConfigFile.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { compiled } from "./support/compiled";
import { validateObject } from "./support/validate";

const ROOT = path.join(__dirname, "..");
const FIXTURE_PROGRAM = path.join(__dirname, "fixtures", "cli", "render-program");
const SCRATCH = path.join(ROOT, "node_modules", ".cache");
const STATUS_ANNOTATION = "pinpoint.fjhb.cn/status";
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];
const UNKNOWN = "<known after pulumi up>";
const SECRET_MASK = "<secret: not shown>";
const SEED_AGENT_IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
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

/** Splits the table at its header's column offsets (cells may hold spaces; placeholders do). */
function parseTable(text: string): Row[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header.split(/ {2,}/);
  const starts = names.map((n) => header.indexOf(n));
  return lines.map((line) =>
    Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()])),
  );
}

function readObjects(dir: string): Map<string, any> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  return new Map(files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), "utf8"), { version: "1.1" })]));
}

const template = (o: any) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template : o.spec.template);

/** What the table must say of a workload file, read from the file itself. */
function expectedRow(o: any): { instrumented: string; app: string; image: string; collector: string } {
  const t = template(o);
  const status = t.metadata?.annotations?.[STATUS_ANNOTATION];
  if (!status) return { instrumented: "no", app: "-", image: "-", collector: "-" };
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

/** Every file valid for its kind, one table row per workload file, each row matching its file. */
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
  const workloadFiles = files.filter((f) => WORKLOAD_KINDS.includes(objects.get(f).kind));
  assert.deepStrictEqual(rows.map((r) => r.FILE).sort(), workloadFiles);
  for (const row of rows) {
    const o = objects.get(row.FILE);
    assert.ok(row.WORKLOAD.startsWith(`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}`), row.WORKLOAD);
    const want = expectedRow(o);
    assert.deepStrictEqual(
      { instrumented: row.INSTRUMENTED, app: row["APPLICATION NAME"], image: row["AGENT IMAGE"], collector: row.COLLECTOR },
      want,
      row.FILE,
    );
  }
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

  it("renders the dev stack into out/dev by default: valid files, the table matches them", () => {
    const r = run([]);
    assert.strictEqual(r.status, 0, r.stderr);
    const { rows, objects } = checkRender(path.join(ROOT, "out", "dev"), r.stdout);
    const app = rows.find((row) => row.WORKLOAD === "Deployment dev/tomcat-zffw");
    assert.ok(app, r.stdout);
    assert.strictEqual(app.INSTRUMENTED, "yes");
    assert.strictEqual(app["APPLICATION NAME"], "dev-tomcat-zffw");
    assert.strictEqual(app["AGENT IMAGE"], SEED_AGENT_IMAGE);
    assert.ok(objects.has("000-Namespace-dev.yaml"));
    assert.ok(objects.has("170-Service-dev-tomcat-zffw.yaml"));
    assert.match(r.stderr, /stack dev \(stacks\/Pulumi\.dev\.yaml\): \d+ Kubernetes objects written to out\/dev\//);
  });

  it("renders the test stack with --stack test: applicationName test-<name>", () => {
    const out = path.join(scratch, "test");
    const r = run(["--stack", "test", "--out", out]);
    assert.strictEqual(r.status, 0, r.stderr);
    const { rows } = checkRender(out, r.stdout);
    const app = rows.find((row) => row.WORKLOAD === "Deployment test/tomcat-zffw");
    assert.strictEqual(app?.["APPLICATION NAME"], "test-tomcat-zffw");
    assert.strictEqual(app?.COLLECTOR, "pinpoint-collector.pinpoint.svc.cluster.local");
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
    assert.strictEqual(byWorkload[`Deployment shop/worker-${UNKNOWN}`].INSTRUMENTED, "yes");
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
