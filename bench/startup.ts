/**
 * Part 4: what loading the package costs a stack, against loading only what
 * any Pulumi Kubernetes program loads anyway; and that a consuming stack gets
 * JavaScript and declarations, never our TypeScript.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { interleave, runChild } from "./lib/child";
import { ROOT, worker } from "./lib/paths";
import { PartResult, Row, verdictOf } from "./lib/report";
import { fmtMs, median, spread } from "./lib/stats";
import type { RequireResult } from "./workers/require";

const TARGET = 1.2;
const pairRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));

export function startupCost(reps: number, log: (s: string) => void): PartResult {
  log(`part 4: require() start-up, ${reps} pairs`);
  const script = worker("require");
  const { a: pkg, b: base } = interleave(
    reps,
    () => runChild<RequireResult>(script, ["package"]),
    () => runChild<RequireResult>(script, ["pulumi"]),
  );
  const ms = (rs: typeof pkg) => rs.map((r) => r.result.ms);
  const cpu = (rs: typeof pkg) => rs.map((r) => r.result.cpuMs);
  const cpuRatio = pairRatio(cpu(pkg), cpu(base));
  const rows: Row[] = [
    {
      figure: 'require("@fjhb/pulumi-pinpoint") (bin/), fresh process',
      value: fmtMs(median(ms(pkg))),
      baseline: `@pulumi/pulumi + @pulumi/kubernetes ${fmtMs(median(ms(base)))}`,
      ratio: pairRatio(ms(pkg), ms(base)),
      cpuRatio,
      target: `≤ ${TARGET.toFixed(2)}×`,
      verdict: verdictOf(cpuRatio <= TARGET),
      profile: { script, args: ["package"] },
    },
  ];
  const shipped = shippedCheck();
  rows.push({
    figure: "consuming stack loads JS + .d.ts, not our TypeScript",
    value: shipped.value,
    baseline: "package.json main/types, npm pack file list",
    target: "bin/*.js + bin/*.d.ts only",
    verdict: verdictOf(shipped.ok),
  });
  const notes = [
    `Time of the require() calls inside a fresh node process (Node's own start-up, the same for both, left out), median of ${reps} interleaved pairs: ` +
      `package ${spread(ms(pkg), fmtMs)}, CPU ${fmtMs(median(cpu(pkg)))}; @pulumi/pulumi + @pulumi/kubernetes ${spread(ms(base), fmtMs)}, CPU ${fmtMs(median(cpu(base)))}. ` +
      `Files the package loads beyond the baseline's: ${extraFiles(pkg[0].result.packages, base[0].result.packages)}.`,
    ...shipped.notes,
  ];
  return { title: "4. Start-up", rows, notes };
}

/** "pkg (n files)" for each package the first loads more files of than the second. */
function extraFiles(a: Record<string, number>, b: Record<string, number>): string {
  const extra = Object.entries(a)
    .map(([name, n]) => [name, n - (b[name] ?? 0)] as const)
    .filter(([name, n]) => n > 0 && name !== "(bench)")
    .sort((x, y) => y[1] - x[1]);
  return extra.length === 0 ? "none" : extra.map(([name, n]) => `${name} ${n}`).join(", ");
}

/** main and types point at compiled files that exist, and the packed package holds no .ts but declarations. */
function shippedCheck(): { ok: boolean; value: string; notes: string[] } {
  const pj = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main?: string; types?: string };
  const problems: string[] = [];
  if (!pj.main || !/^(\.\/)?bin\/.*\.js$/.test(pj.main) || !fs.existsSync(path.join(ROOT, pj.main))) problems.push(`main is ${pj.main}`);
  if (!pj.types || !/^(\.\/)?bin\/.*\.d\.ts$/.test(pj.types) || !fs.existsSync(path.join(ROOT, pj.types))) problems.push(`types is ${pj.types}`);
  let files: string[] = [];
  try {
    // Local only: lists what `npm publish` would ship, without running scripts or reaching a registry.
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
  } catch (e) {
    problems.push(`npm pack --dry-run failed: ${(e as Error).message.split("\n")[0]}`);
  }
  const sources = files.filter((f) => /\.(ts|tsx|mts|cts)$/.test(f) && !/\.d\.[mc]?ts$/.test(f));
  if (sources.length > 0) problems.push(`ships TypeScript sources: ${sources.slice(0, 3).join(", ")}`);
  const js = files.filter((f) => f.endsWith(".js")).length;
  const dts = files.filter((f) => f.endsWith(".d.ts")).length;
  return {
    ok: problems.length === 0,
    value: problems.length === 0 ? `main ${pj.main}, types ${pj.types}; ${js} .js, ${dts} .d.ts, 0 .ts shipped` : problems.join("; "),
    notes: [`package.json: main ${pj.main}, types ${pj.types}; npm pack --dry-run lists ${files.length} files (${js} .js, ${dts} .d.ts, ${sources.length} TypeScript sources).`],
  };
}
