/**
 * Part 3: pinpoint-inject over a generated manifest of 10,000 documents, against
 * parsing and writing the same file with the same YAML library and no injection
 * (workers/yamlFloor), both as fresh processes started the same way. Memory at
 * three input sizes shows whether it grows faster than the input.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ChildRun, interleave, runChild } from "./lib/child";
import { CLI, worker } from "./lib/paths";
import { PartResult, Row, verdictOf } from "./lib/report";
import { fmtMb, fmtMs, fmtRatio, median, spread } from "./lib/stats";
import { COLLECTOR, deploymentsIn, IMAGE, mixedObject, PREFIX } from "./lib/workloads";

export interface CliPlan {
  /** Document counts, ascending; the largest carries the time target. */
  sizes: number[];
  reps: (docs: number) => number;
  /** A much larger input (issue 20: 50 MB), run this many pairs, for the streaming rows; none when absent. */
  large?: { docs: number; reps: number };
}

const TIME_TARGET = 1.5;
/** Memory per input byte of the upper half of sizes may exceed the lower half's by this much and still count as linear. */
const SLOPE_TOLERANCE = 1.25;
/** Below this much memory per further input byte the cost does not grow with the input at all (streaming: only V8's lazy collection). */
const FLAT_BYTES_PER_BYTE = 2;
const INIT_CONTAINER_LINE = /name: init-pinpoint$/gm;

const pairRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));

export function cliCost(plan: CliPlan, log: (s: string) => void): PartResult {
  if (!fs.existsSync(CLI)) {
    return {
      title: "3. pinpoint-inject on a large manifest",
      rows: [{ figure: "pinpoint-inject", value: "not built", baseline: "–", target: `≤ ${TIME_TARGET}×`, verdict: "MISS" }],
      notes: [`${CLI} does not exist: build the CLI (npm run build) first.`],
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-cli-"));
  try {
    return measure(plan, dir, log);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function measure(plan: CliPlan, dir: string, log: (s: string) => void): PartResult {
  const largest = Math.max(...plan.sizes);
  log(`part 3: generating ${largest} documents in ${dir}`);
  // Every size is a prefix of the same documents, so sizes differ only in count.
  const pieces = Array.from({ length: largest }, (_, i) => stringify(mixedObject(i), { version: "1.1", lineWidth: 0 }));
  const files = new Map<number, { file: string; bytes: number }>();
  for (const n of plan.sizes) {
    const file = path.join(dir, `manifest-${n}.yaml`);
    fs.writeFileSync(file, pieces.slice(0, n).join("---\n"));
    files.set(n, { file, bytes: fs.statSync(file).size });
  }

  const floorScript = worker("yamlFloor");
  const cliArgs = (file: string) => ["-f", file, "--image", IMAGE, "--app-prefix", PREFIX, "--collector", COLLECTOR];
  const results = new Map<number, { cli: ChildRun<unknown>[]; floor: ChildRun<unknown>[] }>();
  for (const n of plan.sizes) {
    const { file } = files.get(n)!;
    const reps = plan.reps(n);
    log(`part 3: ${n} documents (${(files.get(n)!.bytes / 1e6).toFixed(1)} MB), ${reps} pairs`);
    const cliOut = path.join(dir, `cli-${n}.yaml`);
    const floorOut = path.join(dir, `floor-${n}.yaml`);
    const { a: cli, b: floor } = interleave(
      reps,
      () => runChild(CLI, cliArgs(file), { stdoutFile: cliOut }),
      () => runChild(floorScript, [file], { stdoutFile: floorOut }),
      (i) => log(`  pair ${i}/${reps}`),
    );
    // The CLI must have done the work being timed: every Deployment instrumented.
    const injected = (fs.readFileSync(cliOut, "utf8").match(INIT_CONTAINER_LINE) ?? []).length;
    if (injected !== deploymentsIn(n)) throw new Error(`pinpoint-inject instrumented ${injected} of ${deploymentsIn(n)} Deployments in ${file}`);
    if (fs.statSync(floorOut).size < files.get(n)!.bytes / 2) throw new Error(`the YAML floor wrote too little for ${file}`);
    results.set(n, { cli, floor });
  }

  const rows: Row[] = [];
  const notes: string[] = [];
  const wall = (rs: ChildRun<unknown>[]) => rs.map((r) => r.wallMs);
  const cpu = (rs: ChildRun<unknown>[]) => rs.map((r) => r.cpuMs);
  const rss = (rs: ChildRun<unknown>[]) => rs.map((r) => r.maxRssKb);
  for (const n of plan.sizes) {
    const { cli, floor } = results.get(n)!;
    notes.push(
      `${n} documents (${(files.get(n)!.bytes / 1e6).toFixed(2)} MB): pinpoint-inject ${spread(wall(cli), fmtMs)}, CPU ${fmtMs(median(cpu(cli)))}, peak RSS ${fmtMb(median(rss(cli)))}; ` +
        `floor ${spread(wall(floor), fmtMs)}, CPU ${fmtMs(median(cpu(floor)))}, peak RSS ${fmtMb(median(rss(floor)))}.`,
    );
  }
  const { cli, floor } = results.get(largest)!;
  const cpuRatio = pairRatio(cpu(cli), cpu(floor));
  rows.push({
    figure: `pinpoint-inject, ${largest.toLocaleString("en-US")} documents: wall time`,
    value: fmtMs(median(wall(cli))),
    baseline: `parse + write ${fmtMs(median(wall(floor)))}`,
    ratio: pairRatio(wall(cli), wall(floor)),
    cpuRatio,
    target: `≤ ${TIME_TARGET.toFixed(2)}×`,
    verdict: verdictOf(cpuRatio <= TIME_TARGET),
    profile: { script: CLI, args: cliArgs(files.get(largest)!.file), stdoutFile: path.join(os.tmpdir(), "pinpoint-bench-profile-out.yaml") },
  });
  rows.push({
    figure: `pinpoint-inject, ${largest.toLocaleString("en-US")} documents: peak RSS`,
    value: fmtMb(median(rss(cli))),
    baseline: `parse + write ${fmtMb(median(rss(floor)))}`,
    ratio: pairRatio(rss(cli), rss(floor)),
    target: "–",
    verdict: "info",
  });

  // Memory against input: the growth factor over the whole range, and the memory per input byte of each step.
  const sizes = [...plan.sizes].sort((a, b) => a - b);
  if (sizes.length >= 3) {
    const [lo, mid, hi] = [sizes[0], sizes[Math.floor(sizes.length / 2)], sizes[sizes.length - 1]];
    const m = (n: number, who: "cli" | "floor") => median(rss(results.get(n)![who])) * 1024;
    const b = (n: number) => files.get(n)!.bytes;
    const inputGrowth = b(hi) / b(lo);
    const rssGrowth = m(hi, "cli") / m(lo, "cli");
    const s1 = (m(mid, "cli") - m(lo, "cli")) / (b(mid) - b(lo));
    const s2 = (m(hi, "cli") - m(mid, "cli")) / (b(hi) - b(mid));
    const f1 = (m(mid, "floor") - m(lo, "floor")) / (b(mid) - b(lo));
    const f2 = (m(hi, "floor") - m(mid, "floor")) / (b(hi) - b(mid));
    rows.push({
      figure: `pinpoint-inject: peak RSS growth, ${lo}→${hi} documents`,
      value: `RSS ${fmtRatio(rssGrowth)}; per input byte ${s1.toFixed(1)} B then ${s2.toFixed(1)} B`,
      baseline: `input ${fmtRatio(inputGrowth)}`,
      ratio: rssGrowth / inputGrowth,
      target: `RSS growth ≤ input growth, per-byte cost ratio ≤ ${SLOPE_TOLERANCE} (or under ${FLAT_BYTES_PER_BYTE} B/B: flat)`,
      verdict: verdictOf(rssGrowth <= inputGrowth && (s2 / s1 <= SLOPE_TOLERANCE || s2 < FLAT_BYTES_PER_BYTE)),
    });
    notes.push(
      `Memory: from ${lo} to ${hi} documents the input grows ${fmtRatio(inputGrowth)} and pinpoint-inject's peak RSS ${fmtRatio(rssGrowth)} (it includes Node's and the modules' fixed ~50–100 MB, which is why the growth can stay under the input's). ` +
        `The stricter check is the memory each further input byte costs: ${s1.toFixed(1)} B/B from ${lo} to ${mid}, ${s2.toFixed(1)} B/B from ${mid} to ${hi} ` +
        `(the floor: ${f1.toFixed(1)} then ${f2.toFixed(1)}); a cost per byte that rose with size would mean faster-than-input growth.`,
    );
  }
  if (plan.large) largeRows(plan.large, dir, floorScript, cliArgs, rows, notes, log, { docs: largest, bytes: files.get(largest)!.bytes, rssKb: median(rss(cli)) });
  notes.push(
    "Both are fresh `node` processes started the same way (same preload that records peak RSS and CPU time at exit); wall time is spawn to exit, as a shell pipe sees it. " +
      "The floor parses every document and writes every document again; pinpoint-inject parses each document on its own, injects the Deployments, " +
      "writes those anew and passes the other documents through as their original text, and writes a one-line report per object to stderr.",
  );
  return { title: "3. pinpoint-inject on a large manifest", rows, notes };
}

/** V8's old space for the bounded-memory run: far below the input's parse, far above one document's. */
const OLD_SPACE_CAP_MB = 64;

/**
 * Streaming (issue 20): a 50 MB input, documents handled one at a time (the
 * first pass keeps only cross-document facts; input, output and report wait
 * on disk). Time against the floor as above. Memory: the peak RSS against the
 * 10,000-document run's, and the proof that what is live stays bounded by the
 * largest document: the same run with V8's old space capped at
 * OLD_SPACE_CAP_MB completes (holding the documents' parses needs ~30 times
 * the input). Uncapped, V8 lets the heap grow before it collects, so the
 * peak RSS alone overstates what is held.
 */
function largeRows(
  large: { docs: number; reps: number },
  dir: string,
  floorScript: string,
  cliArgs: (file: string) => string[],
  rows: Row[],
  notes: string[],
  log: (s: string) => void,
  smaller: { docs: number; bytes: number; rssKb: number },
): void {
  const file = path.join(dir, `manifest-${large.docs}.yaml`);
  const fd = fs.openSync(file, "w");
  let largestDoc = 0;
  for (let i = 0; i < large.docs; i++) {
    const text = stringify(mixedObject(i), { version: "1.1", lineWidth: 0 });
    largestDoc = Math.max(largestDoc, Buffer.byteLength(text));
    fs.writeSync(fd, i > 0 ? `---\n${text}` : text);
  }
  fs.closeSync(fd);
  const bytes = fs.statSync(file).size;
  log(`part 3: ${large.docs} documents (${(bytes / 1e6).toFixed(1)} MB), ${large.reps} pairs`);
  const cliOut = path.join(dir, "cli-large.yaml");
  const { a: cli, b: floor } = interleave(
    large.reps,
    () => runChild(CLI, cliArgs(file), { stdoutFile: cliOut }),
    () => runChild(floorScript, [file], { stdoutFile: path.join(dir, "floor-large.yaml") }),
    (i) => log(`  pair ${i}/${large.reps}`),
  );
  const injected = (fs.readFileSync(cliOut, "utf8").match(INIT_CONTAINER_LINE) ?? []).length;
  if (injected !== deploymentsIn(large.docs)) throw new Error(`pinpoint-inject instrumented ${injected} of ${deploymentsIn(large.docs)} Deployments in ${file}`);
  const outBytes = fs.statSync(cliOut).size;
  const cpuRatio = pairRatio(cli.map((r) => r.cpuMs), floor.map((r) => r.cpuMs));
  rows.push({
    figure: `pinpoint-inject, ${(bytes / 1e6).toFixed(0)} MB (${large.docs.toLocaleString("en-US")} documents): wall time`,
    value: fmtMs(median(cli.map((r) => r.wallMs))),
    baseline: `parse + write ${fmtMs(median(floor.map((r) => r.wallMs)))}`,
    ratio: pairRatio(cli.map((r) => r.wallMs), floor.map((r) => r.wallMs)),
    cpuRatio,
    target: `≤ ${TIME_TARGET.toFixed(2)}×`,
    verdict: verdictOf(cpuRatio <= TIME_TARGET),
  });
  const rssKb = median(cli.map((r) => r.maxRssKb));
  const floorRssKb = median(floor.map((r) => r.maxRssKb));
  rows.push({
    figure: `pinpoint-inject, ${(bytes / 1e6).toFixed(0)} MB: peak RSS against ${smaller.docs.toLocaleString("en-US")} documents (${(smaller.bytes / 1e6).toFixed(1)} MB)`,
    value: fmtMb(rssKb),
    baseline: `${fmtMb(smaller.rssKb)}; input ${fmtRatio(bytes / smaller.bytes)}; floor ${fmtMb(floorRssKb)}`,
    ratio: rssKb / smaller.rssKb,
    target: "–",
    verdict: "info",
  });
  log(`part 3: ${large.docs} documents again, V8 old space capped at ${OLD_SPACE_CAP_MB} MB`);
  let capped: ChildRun<unknown> | undefined;
  let cappedFailure = "";
  try {
    capped = runChild(CLI, cliArgs(file), { stdoutFile: cliOut, nodeFlags: [`--max-old-space-size=${OLD_SPACE_CAP_MB}`] });
    if (!fs.readFileSync(cliOut, "utf8").includes("init-pinpoint")) cappedFailure = "wrote no injected Deployment";
  } catch (e) {
    cappedFailure = (e as Error).message.split("\n").find((l) => /FATAL|heap|memory/i.test(l)) ?? (e as Error).message.split("\n")[0];
  }
  rows.push({
    figure: `pinpoint-inject, ${(bytes / 1e6).toFixed(0)} MB with V8's old space capped at ${OLD_SPACE_CAP_MB} MB (largest document ${(largestDoc / 1e3).toFixed(1)} kB)`,
    value: capped ? `completes: ${fmtMs(capped.wallMs)}, CPU ${fmtMs(capped.cpuMs)}, peak RSS ${fmtMb(capped.maxRssKb)}` : `fails: ${cappedFailure}`,
    baseline: `uncapped peak RSS ${fmtMb(rssKb)}; parses of the whole input ~${fmtMb((30 * bytes) / 1024)}`,
    ratio: capped ? capped.maxRssKb / rssKb : undefined,
    target: "bounded by the largest document",
    verdict: verdictOf(capped !== undefined && cappedFailure === ""),
  });
  notes.push(
    `${large.docs} documents (${(bytes / 1e6).toFixed(2)} MB, output ${(outBytes / 1e6).toFixed(1)} MB, largest document ${(largestDoc / 1e3).toFixed(1)} kB): pinpoint-inject ${spread(cli.map((r) => r.wallMs), fmtMs)}, peak RSS ${fmtMb(rssKb)}; floor ${spread(floor.map((r) => r.wallMs), fmtMs)}, peak RSS ${fmtMb(floorRssKb)}. ` +
      "A first pass reads the input a piece at a time and keeps only what one document tells the others (ConfigMap and Secret keys; images with --read-images or --image-config), parsing only documents that can hold a ConfigMap or Secret; " +
      "the second pass parses, injects and writes one document at a time. Standard input, the output and the report wait in temporary files (disk, not RSS) until the run is known to succeed, so an error still writes nothing. " +
      `What stays in memory besides one document: Node and the modules, one read buffer (1 MB), and a few bytes per object (applicationNames, ConfigMap/Secret key names). With the old space capped at ${OLD_SPACE_CAP_MB} MB the run ${capped ? `completes in ${fmtMs(capped.wallMs)} (CPU ${fmtMs(capped.cpuMs)}) at ${fmtMb(capped.maxRssKb)} peak RSS` : `fails (${cappedFailure})`}; uncapped, V8 lets the heap grow before collecting, which is the difference.`,
  );
}
