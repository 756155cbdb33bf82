/**
 * The command-line programs and the package entry compiled as `npm run build`
 * compiles them, once per test run, into a scratch folder inside the project
 * (so the compiled files find its node_modules). The entry is there for
 * programs run as JavaScript, which load the package by name.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const ENTRIES = ["sdk/cli/inject.ts", "sdk/cli/render.ts", "sdk/index.ts"];
const CACHE = path.join(ROOT, "node_modules", ".cache");

let outDir: string | undefined;

/** The compiled file of a command, e.g. `cli/inject.js`. */
export function compiled(file: string): string {
  if (!outDir) {
    fs.mkdirSync(CACHE, { recursive: true });
    const dir = fs.mkdtempSync(path.join(CACHE, "pinpoint-bin-"));
    // The same compiler options as tsconfig.json, which cannot be narrowed to some files with -p.
    const tsc = spawnSync(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc"),
        ...["--outDir", dir, "--rootDir", path.join(ROOT, "sdk"), "--module", "commonjs", "--moduleResolution", "node", "--target", "ES2022"],
        // Declarations too: the render type-checks repository programs against the package's own types.
        ...["--strict", "--esModuleInterop", "--skipLibCheck", "--types", "node", "--declaration"],
        ...ENTRIES.map((e) => path.join(ROOT, e)),
      ],
      { encoding: "utf8" },
    );
    assert.strictEqual(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    outDir = dir;
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return path.join(outDir, file);
}
