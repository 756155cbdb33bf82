/**
 * Where things are. The bench runs compiled (bench/out/bench/, beside
 * bench/out/test/support/ that it shares with the end to end), so paths are
 * found at run time rather than written relative to the source files.
 */
import * as fs from "fs";
import * as path from "path";

function findRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj) && (JSON.parse(fs.readFileSync(pj, "utf8")) as { name?: string }).name === "@fjhb/pulumi-pinpoint") return dir;
  }
  throw new Error(`bench: no @fjhb/pulumi-pinpoint package.json above ${from}`);
}

/** The package root: its bin/ is what a consuming stack loads. */
export const ROOT = findRoot(__dirname);
/** The compiled bench (bench/out/bench). */
export const OUT = path.resolve(__dirname, "..");
export const worker = (name: string): string => path.join(OUT, "workers", `${name}.js`);
export const USAGE_PRELOAD = worker("usage");
export const CLI = path.join(ROOT, "bin", "cli", "inject.js");

/** Loads the built package (bin/), as `require("@fjhb/pulumi-pinpoint")` would. */
export function requireBuilt<T>(rel = "bin"): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ROOT, rel)) as T;
}
