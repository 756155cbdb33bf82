/**
 * The test commands a person types: a file or a `-g` pattern given to mocha runs only that
 * (the shared .mocharc.json names no spec, since mocha adds a config's spec to the command
 * line's), `npm test` reaches every *.test.ts under test/, end-to-end suites included, and
 * `npm run test:unit` leaves out everything that needs root or starts servers.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const MOCHA = require.resolve("mocha/bin/mocha.js");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

interface MochaJson {
  stats: { tests: number; passes: number; failures: number; pending: number };
  tests: { title: string; fullTitle: string; file: string }[];
}

/** mocha as `npx mocha` runs it (the repository's .mocharc.json), its JSON report read from a file: tests print to stdout. */
function mocha(args: string[]): MochaJson {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-mocha-"));
  try {
    const out = path.join(dir, "report.json");
    const r = spawnSync(process.execPath, [MOCHA, ...args, "--reporter", "json", "--reporter-option", `output=${out}`], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.ok(fs.existsSync(out), `mocha ${args.join(" ")} wrote no report (status ${r.status}):\n${r.stderr}`);
    return JSON.parse(fs.readFileSync(out, "utf8")) as MochaJson;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rel = (f: string): string => path.relative(ROOT, f);

/** Every *.test.ts under test/, by walking the tree ourselves. */
function allTestFiles(dir = path.join(ROOT, "test")): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "fixtures" ? [] : allTestFiles(p);
    return e.name.endsWith(".test.ts") ? [rel(p)] : [];
  });
}

/** The files mocha would load for an npm script's own spec and --exclude arguments. */
function filesOfScript(script: string): string[] {
  const words = [...script.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
  const at = words.indexOf("mocha");
  assert.ok(at >= 0, `the script "${script}" runs no mocha`);
  const specs: string[] = [];
  const excludes: string[] = [];
  for (let i = at + 1; i < words.length; i++) {
    if (words[i] === "--exclude") excludes.push(words[++i]);
    else if (!words[i].startsWith("-")) specs.push(words[i]);
    else if (words[i] !== "--no-config") throw new Error(`unexpected option ${words[i]} in "${script}": teach this test about it`);
  }
  // mocha's own file collection, as `mocha` resolves the script's arguments from the repository root.
  const collectFiles = require("mocha/lib/cli/collect-files.js") as (o: object) => { files: string[] };
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const { files } = collectFiles({ ignore: excludes, extension: ["ts"], file: [], recursive: false, sort: true, spec: specs });
    return [...new Set(files.map(rel))].sort();
  } finally {
    process.chdir(cwd);
  }
}

describe("test commands", function () {
  this.timeout(180_000);

  it("the shared mocha config names no spec, so a command line's file is all that runs", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, ".mocharc.json"), "utf8")) as Record<string, unknown>;
    assert.strictEqual(config.spec, undefined, ".mocharc.json must not name a spec: mocha adds it to every command line's files");
  });

  it("npx mocha <file> runs that file's tests and nothing else (no end-to-end suite, no server)", () => {
    const file = "test/defaultContainers.test.ts";
    const report = mocha([file]);
    assert.ok(report.stats.tests > 0, "the file's tests did not run");
    assert.strictEqual(report.stats.failures, 0, JSON.stringify(report.tests.slice(0, 3)));
    assert.deepStrictEqual([...new Set(report.tests.map((t) => rel(t.file)))], [file]);
  });

  it("npx mocha -g <pattern> runs only the tests whose title matches, none from test/e2e", () => {
    const pattern = "test commands the shared mocha config";
    const report = mocha(["--dry-run", "-g", pattern]);
    assert.ok(report.stats.tests >= 1, "nothing matched");
    for (const t of report.tests) {
      assert.ok(t.fullTitle.includes(pattern), `${t.fullTitle} ran though it does not match`);
      assert.ok(!rel(t.file).startsWith("test/e2e/"), `${t.file} was loaded and ran`);
    }
  });

  it("npm test runs every *.test.ts under test/, the end-to-end suites in sub-folders included", () => {
    assert.match(PKG.scripts.test, /^npm run build && npm run typecheck && mocha /);
    const files = filesOfScript(PKG.scripts.test);
    assert.deepStrictEqual(files, allTestFiles().sort());
    assert.ok(files.some((f) => f.startsWith("test/e2e/")), "no end-to-end suite in npm test");
  });

  it("npm run test:unit leaves out the end-to-end suites and the install test, and nothing else", () => {
    const unit = filesOfScript(PKG.scripts["test:unit"]);
    const expected = allTestFiles()
      .filter((f) => !f.startsWith("test/e2e/") && f !== "test/install.test.ts")
      .sort();
    assert.deepStrictEqual(unit, expected);
  });
});
