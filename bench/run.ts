/**
 * `npm run bench`: what instrumentation costs, on this machine, as medians of
 * repeated runs and as on/off ratios measured side by side in one run.
 *
 *   npm run bench                  all four parts, table on stdout, progress on stderr
 *   npm run bench -- --write       also rewrite bench/RESULTS.md (do this for a release)
 *   npm run bench -- --quick       fewer runs, smaller sizes: a smoke test of the bench itself
 *   npm run bench -- --only 1,3    some parts only (with --write, the other parts' figures are kept from the file)
 *   npm run bench -- --profile     rerun each missed figure under --cpu-prof and print where the time goes
 *   npm run bench -- --diagnose    part 1 also attributes the on/off difference (four variants; ~3 more minutes); part 9 measures
 *                                  a stack transform that changes nothing beside on and off
 *   npm run bench -- --only 6      the real agent's cost in a JVM (needs root, the released artifacts: npm run e2e first; --write also rewrites sdk/inject/agentStartCost.ts)
 *   npm run bench -- --only 7      where the agent's start-up goes: JVM and agent options tried, plugins off, a profile of the start (needs root; --write also rewrites quickStart's factor in sdk/inject/agentStartCost.ts)
 *   npm run bench -- --only 6 --agent-pairs plain=20,tomcat=20,shop=20,c1=10   pairs per app; c1: the plain app with the agent, C1 only
 *                                  (-XX:TieredStopAtLevel=1) against as rendered under load (c1=0 skips it)
 *   npm run bench -- --agent-collector off   parts 6 and 7 without a collector (machines without the collector and HBase jars);
 *                                  on by default: a real collector on 127.0.0.1 that the agents report to, checked in its HBase
 *   npm run bench -- --only 8      pinpoint-inject's defaults on the JVM-recall corpus against a YAML parse + write
 *   npm run bench -- --only 9      pulumi preview with the real engine, instrumentation on vs off (needs test/e2e/engine/setup.sh's
 *                                  parts; skipped with a message without them); also npm run bench:engine
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { agentCost, writeQuickStartFactor, writeStartCost } from "./agent";
import { agentStartup } from "./agentStartup";
import { recallCost } from "./recall";
import { cliCost } from "./cli";
import { coreCost } from "./core";
import { deliveryCost } from "./delivery";
import { engineBenchUnavailable, enginePreviewCost } from "./engine";
import { cleanupUsageDir } from "./lib/child";
import { ROOT } from "./lib/paths";
import { profileRun } from "./lib/profile";
import { markdownTable, PartResult, textTable } from "./lib/report";
import { stackCost, stackDiagnose } from "./stack";
import { startupCost } from "./startup";

const RESULTS = path.join(ROOT, "bench", "RESULTS.md");
/** Everything below this line in RESULTS.md is written by hand (analysis of misses) and kept by --write. */
const KEEP_MARKER = "<!-- Written by hand below this line; npm run bench -- --write keeps it. -->";

const ALL_PARTS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

interface Args {
  write: boolean;
  quick: boolean;
  profile: boolean;
  diagnose: boolean;
  only: Set<number>;
  /** Part 6 overrides (--agent-pairs plain=20,tomcat=20,shop=6,c1=0 --agent-warmup N --agent-requests N), for a run that must end in time; the notes record what ran (c1=0 skips the C1-only arm). */
  agentPairs: Record<string, number>;
  agentWarmup?: number;
  agentRequests?: number;
  agentRounds?: number;
  /** Parts 6 and 7 start a real collector for the agents (--agent-collector on|off, default on). */
  agentCollector: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { write: false, quick: false, profile: false, diagnose: false, only: new Set(ALL_PARTS), agentPairs: {}, agentCollector: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--write") args.write = true;
    else if (a === "--quick") args.quick = true;
    else if (a === "--profile") args.profile = true;
    else if (a === "--diagnose") args.diagnose = true;
    else if (a === "--only") args.only = new Set(argv[++i].split(",").map(Number));
    else if (a.startsWith("--only=")) args.only = new Set(a.slice("--only=".length).split(",").map(Number));
    else if (a === "--agent-pairs") args.agentPairs = Object.fromEntries(argv[++i].split(",").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]));
    else if (a === "--agent-warmup") args.agentWarmup = Number(argv[++i]);
    else if (a === "--agent-requests") args.agentRequests = Number(argv[++i]);
    else if (a === "--agent-rounds") args.agentRounds = Number(argv[++i]);
    else if (a === "--agent-collector") {
      const v = argv[++i];
      if (v !== "on" && v !== "off") throw new Error(`bench: --agent-collector takes on or off, not ${v}`);
      args.agentCollector = v === "on";
    }
    else throw new Error(`bench: unknown argument ${a} (known: --write, --quick, --only 1,2,3,4,5,6,7,8,9, --profile, --diagnose, --agent-pairs app=n,…, --agent-warmup n, --agent-requests n, --agent-rounds n, --agent-collector on|off)`);
  }
  return args;
}

function machine(): Record<string, string> {
  const cpuinfo = fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // Not a git checkout (an unpacked tarball): the version says enough.
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  return {
    cpu: `${model}, ${os.cpus().length} cores`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    package: `@fjhb/pulumi-pinpoint ${pkg.version} (commit ${commit})`,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(", ");

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = Date.now();
  const info = machine();
  const loadBefore = loadavg();
  log(`bench on ${info.cpu}, ${info.memory}, node ${info.node}; load average ${loadBefore}`);

  const parts: PartResult[] = [];
  let skipped = false;
  if (args.only.has(1)) {
    parts.push(
      args.quick
        ? stackCost({ sizes: [50, 200, 600], target: 200, reps: () => 3 }, log)
        : // 5,000 Deployments take ~30 s a run under the mock engine: three pairs there keep the whole bench near ten minutes.
          stackCost({ sizes: [100, 1000, 5000], target: 1000, reps: (n) => (n >= 5000 ? 3 : 7) }, log),
    );
  }
  if (args.only.has(1) && args.diagnose) parts.push(args.quick ? stackDiagnose(200, 2, log) : stackDiagnose(1000, 5, log));
  if (args.only.has(2)) parts.push(args.quick ? coreCost(5, 500, log) : coreCost(21, 2000, log));
  if (args.only.has(3)) {
    parts.push(
      args.quick
        ? cliCost({ sizes: [250, 500, 1000], reps: () => 3 }, log)
        : cliCost({ sizes: [2500, 5000, 10000], reps: (n) => (n >= 10000 ? 5 : 3), large: { docs: 57_000, reps: 3 } }, log),
    );
  }
  if (args.only.has(4)) parts.push(startupCost(args.quick ? 3 : 11, log));
  if (args.only.has(5)) parts.push(deliveryCost(args.quick ? { warm: 3, cold: 2 } : { warm: 9, cold: 5 }, log));
  if (args.only.has(6)) {
    const base = args.quick
      ? { pairs: { plain: 2, tomcat: 2, shop: 2, c1: 2 }, warmup: 500, requests: 500 }
      : { pairs: { plain: 20, tomcat: 20, shop: 20, c1: 10 }, warmup: 10000, requests: 5000 };
    const part = agentCost(
      {
        pairs: { ...base.pairs, ...args.agentPairs },
        warmup: args.agentWarmup ?? base.warmup,
        requests: args.agentRequests ?? base.requests,
        concurrency: 4,
        evidenceDir: path.join(ROOT, "out", "bench-agent"),
        collector: args.agentCollector,
      },
      log,
    );
    parts.push(part);
    // The probe budget check's figures come from this part; a quick run is no measurement to ship.
    if (args.write && !args.quick) log(`wrote ${path.relative(process.cwd(), writeStartCost(part.startCost))}`);
  }
  if (args.only.has(7)) {
    const part = await agentStartup({ rounds: args.agentRounds ?? (args.quick ? 2 : 10), collector: args.agentCollector }, log);
    parts.push(part);
    // quickStart's factor in the probe budget comes from this part.
    if (args.write && !args.quick) log(`wrote ${path.relative(process.cwd(), writeQuickStartFactor(part.quickStart))}`);
  }
  if (args.only.has(8)) parts.push(recallCost(args.quick ? 5 : 50, args.quick ? 3 : 5, log));
  if (args.only.has(9)) {
    const why = engineBenchUnavailable();
    // Skipped, not failed: the other parts need no Go build. With --write the figures written before are kept.
    if (why) {
      log(`part 9 skipped: ${why}`);
      skipped = true;
    }
    else parts.push(await enginePreviewCost({ workloads: args.quick ? 20 : 100, pairs: args.quick ? 2 : 7, diagnoseRounds: args.diagnose ? (args.quick ? 2 : 5) : 0 }, log));
  }
  const loadAfter = loadavg();
  const minutes = ((Date.now() - started) / 60000).toFixed(1);

  const method =
    "Each figure is the median of several runs, each in a fresh `node` process (part 2: rounds in one warmed-up process); " +
    "a ratio is the median of side-by-side pairs, run back to back in alternating order, so drift in the machine's speed lands on both sides. " +
    "Verdicts use the CPU-time ratio (user + system of the child) where one is shown, because CPU time counts the work done " +
    "while wall time also counts waiting for a core on a shared machine; both are shown.";
  const out: string[] = [];
  out.push(textTable(parts), "");
  for (const p of parts) {
    out.push(`${p.title}`);
    for (const n of p.notes) out.push(`  - ${n}`);
  }
  out.push("", method, `Machine: ${Object.entries(info).map(([k, v]) => `${k} ${v}`).join("; ")}. Load average before ${loadBefore}, after ${loadAfter}. Bench took ${minutes} min.`);

  const profiles: string[] = [];
  if (args.profile) {
    for (const p of parts) {
      for (const r of p.rows) {
        if (r.verdict !== "MISS" || !r.profile) continue;
        log(`profiling: ${r.figure}`);
        const slug = r.figure.replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
        profiles.push("", `Profile of the missed figure "${r.figure}" (one run under node --cpu-prof):`);
        profiles.push(...profileRun(slug, r.profile.script, r.profile.args, r.profile.stdoutFile).map((l) => `  ${l}`));
      }
    }
  }
  out.push(...profiles);
  process.stdout.write(`${out.join("\n")}\n`);
  if (args.write) writeResults(parts, profiles, info, loadBefore, loadAfter, minutes, method, args.quick, skipped || args.only.size < ALL_PARTS.length);
  cleanupUsageDir();
}

/** A part's rows in the figures table and its section, as an earlier --write left them. */
interface WrittenPart {
  rows: string[];
  section: string[];
}

/** The parts of an existing RESULTS.md, by title, to keep those a partial run (--only) did not redo. */
function writtenParts(text: string): Map<string, WrittenPart> {
  const parts = new Map<string, WrittenPart>();
  const lines = text.split(KEEP_MARKER)[0].split("\n");
  let current: WrittenPart | undefined;
  for (const line of lines) {
    const header = /^\| \*\*(.+?)\*\* \|/.exec(line);
    if (header) {
      current = { rows: [line], section: [] };
      parts.set(header[1], current);
    } else if (current && line.startsWith("| ")) current.rows.push(line);
    else current = undefined;
  }
  let section: WrittenPart | undefined;
  for (const line of lines) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) section = parts.get(heading[1]);
    else if (/^## /.test(line)) section = undefined;
    else section?.section.push(line);
  }
  return parts;
}

/** "1b. Stack…" → "1b": the label parts are listed and sorted by. */
const partLabel = (title: string) => /^(\w+)\./.exec(title)?.[1] ?? title;
const byLabel = (a: string, b: string) => parseFloat(a) - parseFloat(b) || partLabel(a).localeCompare(partLabel(b));
const PROFILES_HEADING = "## Where the time goes (--profile)";

/** The earlier run's profile section, kept by a partial run that made none. */
function writtenProfiles(text: string): string[] {
  const lines = text.split(KEEP_MARKER)[0].split("\n");
  const at = lines.indexOf(PROFILES_HEADING);
  if (at < 0) return [];
  const end = lines.findIndex((l, i) => i > at && /^## /.test(l));
  return lines.slice(at, end < 0 ? undefined : end);
}

function writeResults(
  parts: PartResult[],
  profiles: string[],
  info: Record<string, string>,
  loadBefore: string,
  loadAfter: string,
  minutes: string,
  method: string,
  quick: boolean,
  partial: boolean,
): void {
  const previous = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, "utf8") : "";
  const kept = previous ? previous.split(KEEP_MARKER)[1] : undefined;
  // A partial run keeps the other parts' figures as they were written, marked as such.
  const ran = new Set(parts.map((p) => p.title));
  const old = partial ? [...writtenParts(previous)].filter(([title]) => !ran.has(title)) : [];
  const titles = [...ran, ...old.map(([t]) => t)].sort(byLabel);
  const earlier = (key: string) => new RegExp(`^- ${key}: (.*)$`, "m").exec(previous)?.[1] ?? "unknown";
  const md: string[] = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench -- --write\`${quick ? " (--quick: smaller sizes and fewer runs, not for a release)" : ""}. What each part measures and why: \`bench/*.ts\`; what a user pays, in short: README.md, "What instrumentation costs" (its only other source of figures).`,
    "",
    "## Machine",
    "",
    ...Object.entries(info).map(([k, v]) => `- ${k}: ${v}`),
    `- load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}`,
    `- bench time: ${minutes} min`,
    ...(old.length > 0
      ? [
          `- parts run: ${parts.map((p) => partLabel(p.title)).join(", ")}; parts ${old.map(([t]) => partLabel(t)).join(", ")} are kept as written by the run of ${earlier("date")} (${earlier("package")}, load average ${earlier("load average \\(1, 5, 15 min\\) before")})`,
        ]
      : []),
    "",
    "## Figures",
    "",
    mergedTable(titles, parts, new Map(old)),
    "",
    method,
    "",
    "## How each part measured and checked",
    "",
  ];
  for (const title of titles) {
    const p = parts.find((x) => x.title === title);
    if (p) md.push(`### ${p.title}`, "", ...p.notes.map((n) => `- ${n}`), "");
    else md.push(`### ${title}`, ...old.find(([t]) => t === title)![1].section);
  }
  if (profiles.length > 0) md.push(PROFILES_HEADING, "", "```", ...profiles.filter((l, i) => i > 0 || l !== ""), "```", "");
  else if (partial) md.push(...writtenProfiles(previous));
  md.push(KEEP_MARKER, kept !== undefined ? kept.replace(/^\n+/, "\n") : "\n## Analysis\n\n(none yet)\n");
  fs.writeFileSync(RESULTS, md.join("\n").replace(/\n*$/, "\n"));
  process.stderr.write(`wrote ${path.relative(process.cwd(), RESULTS)}\n`);
}

/** The figures table: fresh rows for the parts run, the written rows for the parts kept. */
function mergedTable(titles: string[], parts: PartResult[], old: Map<string, WrittenPart>): string {
  const table = markdownTable(parts).split("\n");
  const out = table.slice(0, 2);
  for (const title of titles) {
    const p = parts.find((x) => x.title === title);
    out.push(...(p ? markdownTable([p]).split("\n").slice(2) : old.get(title)!.rows));
  }
  return out.join("\n");
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
