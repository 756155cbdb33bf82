/**
 * The render type-checks a TypeScript program as `pulumi up` does: a type error
 * that would run fine as JavaScript fails the render, unless the user skipped the
 * check the ways Pulumi knows (PULUMI_NODEJS_TRANSPILE_ONLY, tsconfig noCheck) or
 * with --no-type-check. Programs are written under out/ (Node 22 refuses to strip
 * types under node_modules), importing the package by its source path.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiled } from "./support/compiled";

const ROOT = path.join(__dirname, "..");
const SCRATCH = path.join(ROOT, "out");

const PROJECT = `name: typecheck\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`;
const STACK = `config:\n  pinpoint:enabled: "false"\n`;
const program = (args: string) => `import { PinpointApm } from "${path.join(ROOT, "sdk")}";\n\nnew PinpointApm("pinpoint", ${args});\n`;
const TSCONFIG = (extra: string) => `{\n  // the program's own options\n  "compilerOptions": { "strict": true, "target": "ES2020", "module": "commonjs", "esModuleInterop": true, "skipLibCheck": true${extra} }\n}\n`;

interface Row {
  name: string;
  source: string;
  tsconfig?: string;
  flags?: string[];
  env?: Record<string, string>;
  fails: RegExp | false;
}

const TYPO = program("{ enabeld: true }");
const rows: Row[] = [
  { name: "a misspelt argument fails the render, naming it", source: TYPO, fails: /error TS2561: .*'enabeld' does not exist in type 'PinpointApmArgs'/ },
  { name: "the same under the program's tsconfig", source: TYPO, tsconfig: TSCONFIG(""), fails: /'enabeld' does not exist/ },
  { name: "a wrong type fails the render", source: program('{ enabled: "yes" }'), fails: /error TS2322: Type 'string' is not assignable to type 'Input<boolean> \| undefined'/ },
  { name: "the argument spelt right renders (the check itself passes)", source: program("{ enabled: false }"), tsconfig: TSCONFIG(""), fails: false },
  { name: "--no-type-check runs it as pulumi up's transpile-only would", source: TYPO, flags: ["--no-type-check"], fails: false },
  { name: "PULUMI_NODEJS_TRANSPILE_ONLY=true skips the check, as for pulumi up", source: TYPO, env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }, fails: false },
  { name: "tsconfig noCheck skips the check, as for pulumi up", source: TYPO, tsconfig: TSCONFIG(', "noCheck": true'), fails: false },
];

describe("render type-checks the program as pulumi up does", function () {
  this.timeout(180_000);
  let scratch: string;
  before(() => {
    fs.mkdirSync(SCRATCH, { recursive: true });
    scratch = fs.mkdtempSync(path.join(SCRATCH, "typecheck-"));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  rows.forEach((r, i) => {
    it(r.name, () => {
      const dir = path.join(scratch, `p${i}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT);
      fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), STACK);
      fs.writeFileSync(path.join(dir, "index.ts"), r.source);
      if (r.tsconfig) fs.writeFileSync(path.join(dir, "tsconfig.json"), r.tsconfig);
      const out = path.join(dir, "out");
      const env = { ...process.env, ...r.env };
      if (!r.env?.PULUMI_NODEJS_TRANSPILE_ONLY) delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
      const run = spawnSync(process.execPath, [compiled("cli/render.js"), "--program", dir, "--out", out, ...(r.flags ?? [])], { cwd: ROOT, encoding: "utf8", env });
      if (r.fails) {
        assert.strictEqual(run.status, 1, `rendered though the program does not type-check:\n${run.stdout}${run.stderr}`);
        assert.match(run.stderr, r.fails);
        assert.match(run.stderr, /pinpoint-render: error: the program failed/);
        assert.ok(!fs.existsSync(out), "files were written for a program that failed");
      } else {
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /^WORKLOAD/);
      }
    });
  });
});
