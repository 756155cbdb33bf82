/**
 * Part 1: what instrumentation costs a stack. The same Pulumi program with N
 * Deployments under the mock engine, instrumentation on and off, each run in a
 * fresh process, on/off pairs side by side.
 */
import { ChildRun, interleave, runChild } from "./lib/child";
import { worker } from "./lib/paths";
import { PartResult, Row, verdictOf } from "./lib/report";
import { fmtMb, fmtMs, fmtRatio, fmtUs, linearFit, median, spread } from "./lib/stats";
import type { StackResult } from "./workers/stack";

export interface StackPlan {
  /** Deployment counts; the one named `target` carries the ratio target. */
  sizes: number[];
  target: number;
  reps: (n: number) => number;
}

const RATIO_TARGET = 1.1;
/** The per-Deployment cost of the larger sizes may exceed that of the smaller by this much and still count as linear. */
const SLOPE_TOLERANCE = 1.25;
const R2_TARGET = 0.98;

type Run = ChildRun<StackResult>;

function check(r: Run, n: number, on: boolean): Run {
  const want = on ? n : 0;
  if (r.result.errors.length > 0 || r.result.deployments !== n || r.result.instrumented !== want) {
    throw new Error(`stack bench N=${n} ${on ? "on" : "off"}: ${r.result.instrumented}/${r.result.deployments} instrumented, want ${want}/${n}; errors: ${r.result.errors.join("; ")}`);
  }
  return r;
}

/** Median of the pairwise ratios: each pair ran back to back, so drift cancels within it. */
const pairRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));

export function stackCost(plan: StackPlan, log: (s: string) => void): PartResult {
  const script = worker("stack");
  const rows: Row[] = [];
  const notes: string[] = [];
  const runs = new Map<number, { on: Run[]; off: Run[] }>();

  for (const n of plan.sizes) {
    const reps = plan.reps(n);
    log(`part 1: N=${n}, ${reps} on/off pairs`);
    const { a: on, b: off } = interleave(
      reps,
      () => check(runChild<StackResult>(script, [String(n), "on"]), n, true),
      () => check(runChild<StackResult>(script, [String(n), "off"]), n, false),
      (i) => log(`  pair ${i}/${reps}`),
    );
    runs.set(n, { on, off });
    const wall = (rs: Run[]) => rs.map((r) => r.result.runMs);
    const cpu = (rs: Run[]) => rs.map((r) => r.result.runCpuMs);
    const rss = (rs: Run[]) => rs.map((r) => r.maxRssKb);
    const isTarget = n === plan.target;
    const cpuRatio = pairRatio(cpu(on), cpu(off));
    rows.push({
      figure: `stack, ${n} Deployments: time on / off`,
      value: `${fmtMs(median(wall(on)))} on`,
      baseline: `${fmtMs(median(wall(off)))} off`,
      ratio: pairRatio(wall(on), wall(off)),
      cpuRatio,
      target: isTarget ? `≤ ${RATIO_TARGET.toFixed(2)}×` : "–",
      verdict: isTarget ? verdictOf(cpuRatio <= RATIO_TARGET) : "info",
      profile: { script, args: [String(n), "on"] },
    });
    rows.push({
      figure: `stack, ${n} Deployments: peak RSS on / off`,
      value: `${fmtMb(median(rss(on)))} on`,
      baseline: `${fmtMb(median(rss(off)))} off`,
      ratio: pairRatio(rss(on), rss(off)),
      target: "–",
      verdict: "info",
    });
    notes.push(
      `N=${n}: run time on ${spread(wall(on), fmtMs)}, off ${spread(wall(off), fmtMs)}; CPU on ${fmtMs(median(cpu(on)))}, off ${fmtMs(median(cpu(off)))}; peak RSS on ${fmtMb(median(rss(on)))}, off ${fmtMb(median(rss(off)))}.`,
    );
  }

  // Linearity: a least-squares line through every run, and the per-Deployment cost of each step in N;
  // once for CPU time, once for the run's time less its GC pauses (the program's own work).
  const sizes = [...runs.keys()].sort((a, b) => a - b);
  if (sizes.length >= 3) {
    const measures = [
      { name: "CPU time", of: (r: Run) => r.result.runCpuMs },
      { name: "time less GC pauses", of: (r: Run) => r.result.runMs - r.result.gcMs },
    ];
    for (const m of measures) rows.push(linearity(runs, sizes, m.name, m.of, notes));
    const gcShare = (n: number) => median(runs.get(n)!.off.map((r) => r.result.gcMs / r.result.runMs));
    notes.push(`GC pauses take ${sizes.map((n) => `${(gcShare(n) * 100).toFixed(0)}% at N=${n}`).join(", ")} of the off runs: V8's young-generation collections cost more as the live heap grows (every registered resource stays alive until the program ends).`);
  }

  // The transform's own share, timed inside the on runs: what instrumentation adds apart from the engine's handling of bigger props.
  const largest = runs.get(sizes[sizes.length - 1])!.on;
  const perDeployment = median(largest.map((r) => (r.result.transformMs / r.result.transformCalls) * 1000));
  const share = median(largest.map((r) => r.result.transformMs / r.result.runMs));
  rows.push({
    figure: `stack: the transform's own time per Deployment (N=${sizes[sizes.length - 1]})`,
    value: fmtUs(perDeployment),
    baseline: `${(share * 100).toFixed(1)}% of the on run`,
    target: "–",
    verdict: "info",
  });
  notes.push(
    "Time is that of runProgram() in the child (module loading is part 4), CPU time is the child's user+system over the same span, peak RSS is the child's maxRSS. " +
      "Off means `pinpoint:enabled: false` with the same PinpointApm and config, so only the switch differs. " +
      "The mock engine (sdk/render/mockEngine.ts) plays the Pulumi engine: it runs each resource's transforms and then resolves every input deeply; " +
      "most of each run is the Pulumi SDK's own resource registration and that resolution, which is the same on and off, so it cancels in the ratio but dilutes it. " +
      "The transform's own time is measured separately (a wrapper around what PinpointApm registers) so the cost of instrumentation proper is visible too.",
  );
  return { title: "1. Stack transform cost (mock engine)", rows, notes };
}

function linearity(runs: Map<number, { on: Run[]; off: Run[] }>, sizes: number[], name: string, of: (r: Run) => number, notes: string[]): Row {
  const [lo, mid, hi] = [sizes[0], sizes[Math.floor(sizes.length / 2)], sizes[sizes.length - 1]];
  let pass = true;
  const values: string[] = [];
  const slopes: string[] = [];
  for (const mode of ["on", "off"] as const) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const n of sizes) for (const r of runs.get(n)![mode]) (xs.push(n), ys.push(of(r)));
    const fit = linearFit(xs, ys);
    const t = (n: number) => median(runs.get(n)![mode].map(of));
    const s1 = (t(mid) - t(lo)) / (mid - lo);
    const s2 = (t(hi) - t(mid)) / (hi - mid);
    const slopeRatio = s2 / s1;
    pass &&= fit.r2 >= R2_TARGET && slopeRatio <= SLOPE_TOLERANCE;
    values.push(`${mode}: R² ${fit.r2.toFixed(3)}, t(${hi})/t(${mid}) ${(t(hi) / t(mid)).toFixed(2)}`);
    slopes.push(`${mode} ${fmtRatio(slopeRatio)}`);
    notes.push(
      `linearity of ${name}, ${mode}: ${fmtMs(fit.a)} + ${fmtUs(fit.b * 1000)} × N (least squares over all ${xs.length} runs, R² ${fit.r2.toFixed(4)}); ` +
        `per Deployment ${fmtUs(s1 * 1000)} from ${lo} to ${mid}, ${fmtUs(s2 * 1000)} from ${mid} to ${hi} (ratio ${slopeRatio.toFixed(2)}); ` +
        `t(${hi})/t(${mid}) = ${(t(hi) / t(mid)).toFixed(2)}, against ${(hi / mid).toFixed(0)} if proportional.`,
    );
  }
  return {
    figure: `stack: ${name} linear in N (${sizes.join(", ")})`,
    value: values.join("; "),
    baseline: `per-Deployment cost ${mid}→${hi} / ${lo}→${mid}: ${slopes.join(", ")}`,
    target: `R² ≥ ${R2_TARGET}, cost ratio ≤ ${SLOPE_TOLERANCE}`,
    verdict: verdictOf(pass),
  };
}

/**
 * --diagnose: where the on/off difference comes from. Besides on and off, a
 * transform that instruments with a plain image string (`plain`: the
 * instrumented size without Outputs) and one that changes nothing
 * (`identity`), all four rotated within each round.
 */
export function stackDiagnose(n: number, reps: number, log: (s: string) => void): PartResult {
  const script = worker("stack");
  const modes = ["off", "identity", "plain", "on"] as const;
  const want = { off: 0, identity: 0, plain: n, on: n };
  const cpu = new Map<string, number[]>(modes.map((m) => [m, []]));
  log(`diagnose: N=${n}, ${reps} rounds of ${modes.join(", ")}`);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(r + k) % modes.length];
      const run = runChild<StackResult>(script, [String(n), mode]);
      if (run.result.errors.length > 0 || run.result.instrumented !== want[mode]) throw new Error(`diagnose ${mode}: ${run.result.instrumented} instrumented, errors ${run.result.errors.join("; ")}`);
      cpu.get(mode)!.push(run.result.runCpuMs);
    }
    log(`  round ${r + 1}/${reps}`);
  }
  const off = cpu.get("off")!;
  const what: Record<(typeof modes)[number], string> = {
    off: "PinpointApm off",
    identity: "a transform that changes nothing",
    plain: "inject() with a plain image string: instrumented size, no Outputs",
    on: "PinpointApm on",
  };
  const rows: Row[] = modes.map((m) => ({
    figure: `diagnose, ${n} Deployments: ${what[m]}`,
    value: `CPU ${fmtMs(median(cpu.get(m)!))}`,
    baseline: `off ${fmtMs(median(off))}`,
    cpuRatio: pairRatio(cpu.get(m)!, off),
    target: "–",
    verdict: "info",
  }));
  return {
    title: "1b. Stack transform cost: attribution (--diagnose)",
    rows,
    notes: [
      `CPU time of runProgram(), median of ${reps} rounds with the four variants rotated in each; the ratio is the median of each round's variant/off. ` +
        "identity − off is what any transform costs under the engine; plain − identity is the bigger Deployments (and inject itself); on − plain is the Outputs for the image and the config-driven component.",
    ],
  };
}
