/**
 * The package installed the ways a user installs it, in child processes in a
 * temporary folder outside the repository: `npm pack` of a fresh clone of the
 * current commit, `npm install <tarball>`, and `npm install git+file://<clone>`
 * (npm clones, installs devDependencies, runs `prepare`, packs). Each install
 * must load and its `pinpoint-render` must render a consumer's TypeScript
 * program with no ts-node of its own, and the same program compiled to JavaScript.
 * Dependencies come from npm's cache where it has them (--prefer-offline).
 */
import * as assert from "assert";
import { spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const PACKAGE_NAME = "@fjhb/pulumi-pinpoint";
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const TARBALL = `${PACKAGE.name.replace(/^@/, "").replace("/", "-")}-${PACKAGE.version}.tgz`;
const NPM_QUIET = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
/** A clone, an install with devDependencies and two consumer installs: minutes on a 2-core machine. */
const INSTALL_TIMEOUT_MS = 600_000;
const AGENT_IMAGE = `harbor.example.com/fjhb/pp_agent@sha256:${"ab".repeat(32)}`;

/** A consumer's program, as its team writes it: the package by name, PinpointApm first. */
const CONSUMER_PROGRAM = `import * as k8s from "@pulumi/kubernetes";
import { PinpointApm } from "${PACKAGE_NAME}";

const apm = new PinpointApm("pinpoint");
const labels = { app: "orders" };
new k8s.apps.v1.Deployment("orders", {
  metadata: { name: "orders", namespace: "shop" },
  spec: {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "orders", image: "orders:1", command: ["java", "-jar", "/app.jar"] }] } },
  },
});
export const instrumented = apm.enabled;
`;
const CONSUMER_FILES: Record<string, string> = {
  "Pulumi.yaml": "name: orders\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
  "Pulumi.dev.yaml": `config:\n  pinpoint:enabled: "true"\n  pinpoint:agentImage: ${AGENT_IMAGE}\n  pinpoint:collectorHost: collector.example\n`,
  "index.ts": CONSUMER_PROGRAM,
  "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2020", module: "commonjs", moduleResolution: "node", strict: true, outDir: "bin", types: [] }, files: ["index.ts"] }),
};

let work: string;
let clone: string;
let tarball: string;
let fromTarball: string;
let fromGit: string;

/** The node running the tests runs npm's scripts and the commands' shebangs too. */
const ENV = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` };

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: ENV, timeout: INSTALL_TIMEOUT_MS });
  assert.strictEqual(r.status, 0, `${cmd} ${args.join(" ")} in ${cwd} failed:\n${r.stdout}\n${r.stderr}${r.error ? `\n${r.error.message}` : ""}`);
  return r;
}

/** The same, not blocking: the two installs run side by side. */
function runAsync(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} in ${cwd} exited ${code}:\n${output}`))));
  });
}

/** A consumer project with the package installed from `spec`, and its program. */
async function consumer(name: string, spec: string): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true }));
  await runAsync("npm", ["install", ...NPM_QUIET, spec], dir);
  for (const [f, text] of Object.entries(CONSUMER_FILES)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

/** What every install must give: the API loads, `npx pinpoint-render` renders the TypeScript program. */
function checkInstall(dir: string): void {
  const pkg = path.join(dir, "node_modules", ...PACKAGE_NAME.split("/"));
  assert.ok(fs.existsSync(path.join(pkg, "bin", "index.js")), "bin/ was not built or not shipped");
  const loaded = run(process.execPath, ["-e", `const p = require("${PACKAGE_NAME}"); console.log(typeof p.PinpointApm, typeof p.inject)`], dir);
  assert.strictEqual(loaded.stdout.trim(), "function function");
  // No ts-node in the consumer: the render uses the one @pulumi/pulumi ships, as `pulumi up` does.
  assert.ok(!fs.existsSync(path.join(dir, "node_modules", "ts-node")), "the consumer has ts-node: the test would prove nothing");
  const r = run("npx", ["--no-install", "pinpoint-render", "--program", "."], dir);
  assert.match(r.stdout, /Deployment shop\/orders +yes +dev-orders +containers orders/);
  assert.match(r.stderr, /written to out\/orders\/dev\//);
  assert.ok(fs.existsSync(path.join(dir, "out", "orders", "dev", "210-Deployment-shop-orders.yaml")));
}

describe("installing the package", function () {
  this.timeout(INSTALL_TIMEOUT_MS);

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-install-"));
    clone = path.join(work, "clone");
    const commit = run("git", ["rev-parse", "HEAD"], ROOT).stdout.trim();
    run("git", ["clone", "--quiet", "--no-checkout", ROOT, clone], work);
    run("git", ["checkout", "--quiet", commit], clone);
    assert.ok(!fs.existsSync(path.join(clone, "bin")), "bin/ must not be in git");
    // As after `npm ci` in the clone: its devDependencies (the compiler) are there; `npm pack` runs `prepare`.
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
    run("npm", ["pack", "--silent", "--pack-destination", work], clone);
    tarball = path.join(work, TARBALL);
    fs.unlinkSync(path.join(clone, "node_modules"));
    fs.rmSync(path.join(clone, "bin"), { recursive: true, force: true });
    [fromTarball, fromGit] = await Promise.all([consumer("from-tarball", tarball), consumer("from-git", `git+file://${clone}`)]);
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("npm pack of a fresh clone: compiled bin/, source maps that carry their sources, the docs README links to", () => {
    const files = run("tar", ["-tzf", tarball], work)
      .stdout.split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    for (const f of ["bin/index.js", "bin/index.d.ts", "bin/cli/render.js", "bin/cli/inject.js", "README.md"]) assert.ok(files.includes(f), `${f} not packed`);
    assert.ok(!files.some((f) => f.startsWith("sdk/") || f.startsWith("test/")), "sources or tests packed");
    const unpacked = path.join(work, "unpacked");
    fs.mkdirSync(unpacked);
    run("tar", ["-xzf", tarball, "-C", unpacked], work);
    for (const map of files.filter((f) => f.endsWith(".js.map"))) {
      const m = JSON.parse(fs.readFileSync(path.join(unpacked, "package", map), "utf8")) as { sources: string[]; sourcesContent?: string[] };
      assert.strictEqual(m.sourcesContent?.length, m.sources.length, `${map} points at sources that are not shipped`);
    }
    // Every relative link of the packed README resolves inside the package (it is read in node_modules).
    const readme = fs.readFileSync(path.join(unpacked, "package", "README.md"), "utf8");
    for (const [, target] of readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(fs.existsSync(path.join(unpacked, "package", target)), `README links to ${target}, which is not in the package`);
    }
  });

  it("npm install <tarball>: loads, and pinpoint-render renders the consumer's TypeScript program and the same compiled to JavaScript", () => {
    const dir = fromTarball;
    checkInstall(dir);
    // Compiled against the installed declarations, then rendered from bin/: the stack files are found in the project.
    run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], dir);
    const r = run("npx", ["--no-install", "pinpoint-render", "--program", "bin", "--out", "out/js"], dir);
    assert.match(r.stdout, /Deployment shop\/orders +yes +dev-orders/);
    assert.match(r.stderr, /stack dev \(Pulumi\.dev\.yaml\)/);
  });

  it("npm install git+file://<clone>: npm builds bin/ with `prepare`, loads, and pinpoint-render works", () => {
    checkInstall(fromGit);
  });
});
