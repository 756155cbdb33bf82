/**
 * Part 2: the injection core alone, per workload, against structuredClone of
 * the same Deployment (the floor for any pure function that returns a new
 * object), and the transform callback as the engine calls it.
 */
import { runChild } from "./lib/child";
import { worker } from "./lib/paths";
import { PartResult, Row } from "./lib/report";
import { fmtRatio, fmtUs, median, spread } from "./lib/stats";
import type { CoreResult } from "./workers/core";

export function coreCost(rounds: number, batch: number, log: (s: string) => void): PartResult {
  log(`part 2: injection core, ${rounds} rounds of ${batch} calls each`);
  const script = worker("core");
  const r = runChild<CoreResult>(script, [String(rounds), String(batch)]).result;
  const ratio = (a: number[]) => median(a.map((x, i) => x / r.cloneUs[i]));
  const inject = median(r.injectUs);
  const rows: Row[] = [
    {
      figure: "inject(): one Deployment",
      value: `${fmtUs(inject)} (${Math.round(1e6 / inject).toLocaleString("en-US")} workloads/s)`,
      baseline: `structuredClone ${fmtUs(median(r.cloneUs))}`,
      ratio: ratio(r.injectUs),
      target: "–",
      verdict: "info",
      profile: { script, args: [String(rounds), String(batch)] },
    },
    {
      figure: "stack transform callback: one Deployment",
      value: `${fmtUs(median(r.transformUs))} (${Math.round(1e6 / median(r.transformUs)).toLocaleString("en-US")}/s)`,
      baseline: `structuredClone ${fmtUs(median(r.cloneUs))}`,
      ratio: ratio(r.transformUs),
      target: "–",
      verdict: "info",
    },
  ];
  const notes = [
    `Per call, median of ${rounds} rounds of ${batch} calls in one warmed-up process, the four batches rotating each round: ` +
      `inject ${spread(r.injectUs, fmtUs)}, structuredClone ${spread(r.cloneUs, fmtUs)}, copyPlain (the core's own deep copy) ${spread(r.copyPlainUs, fmtUs)}, transform callback ${spread(r.transformUs, fmtUs)}.`,
    `inject() copies the workload once (copyPlain, ${fmtRatio(ratio(r.copyPlainUs))} structuredClone), then builds the init container, volume, mounts, env and the status annotation (a JSON string); ` +
      "the callback adds the kind check, the namespace filter, the image and pull-policy Outputs (made once per transform and shared) and the dependsOn merge. " +
      "structuredClone is no floor in practice: it serialises and deserialises, and is slower than the plain recursive copy inject() uses.",
  ];
  return { title: "2. Injection core alone", rows, notes };
}
