/**
 * Part 8: pinpoint-inject with its defaults on the JVM-recall corpus
 * (test/fixtures/jvm-recall-corpus.yaml: 104 containers of public projects,
 * each a Deployment as its manifest states it), repeated to a size worth
 * timing, against parsing and writing the same file (workers/yamlFloor). The
 * detection rules, the unknownContainers policy and the envFrom look-ups run
 * on every document; the figure is what they cost over reading YAML at all.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { interleave, runChild } from "./lib/child";
import { CLI, ROOT, worker } from "./lib/paths";
import { PartResult } from "./lib/report";
import { fmtMs, median, spread } from "./lib/stats";
import { IMAGE } from "./lib/workloads";

const TIME_TARGET = 1.2;
const TITLE = "8. pinpoint-inject on the JVM-recall corpus";

interface CorpusRow {
  workload: string;
  container: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: string[];
  envFrom?: string[];
}

/** The row's Deployment, in copy `i` (names made unique so applicationNames do not clash). */
function deployment(r: CorpusRow, i: number): object {
  const name = `${r.workload}-${i}`.slice(0, 63);
  const env = (r.env ?? []).map((e) => {
    const from = /^(\w+)\(valueFrom\)$/.exec(e);
    if (from) return { name: from[1], valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };
    const eq = e.indexOf("=");
    return { name: e.slice(0, eq), value: e.slice(eq + 1) };
  });
  const envFrom = (r.envFrom ?? []).map((e) => ({ configMapRef: { name: e.split(":")[1] } }));
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, annotations: { "pinpoint.fjhb.cn/application-name": `a${i}-${r.workload}`.slice(0, 24) } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: r.container, image: r.image, ...(r.command ? { command: r.command } : {}), ...(r.args ? { args: r.args } : {}), ...(env.length ? { env } : {}), ...(envFrom.length ? { envFrom } : {}) },
          ],
        },
      },
    },
  };
}

export function recallCost(copies: number, reps: number, log: (s: string) => void): PartResult {
  if (!fs.existsSync(CLI)) return { title: TITLE, rows: [{ figure: "pinpoint-inject", value: "not built", baseline: "–", target: `≤ ${TIME_TARGET}×`, verdict: "MISS" }], notes: [] };
  const corpus = parse(fs.readFileSync(path.join(ROOT, "test", "fixtures", "jvm-recall-corpus.yaml"), "utf8")) as { rows: CorpusRow[] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-recall-"));
  try {
    const docs: string[] = [];
    for (let i = 0; i < copies; i++) for (const r of corpus.rows) docs.push(stringify(deployment(r, i), { version: "1.1", lineWidth: 0 }));
    const file = path.join(dir, "corpus.yaml");
    fs.writeFileSync(file, docs.join("---\n"));
    log(`part 8: ${docs.length} documents (${(fs.statSync(file).size / 1e6).toFixed(2)} MB), ${reps} pairs`);
    const { a: cli, b: floor } = interleave(
      reps,
      () => runChild(CLI, ["-f", file, "--image", IMAGE], { stdoutFile: path.join(dir, "cli.yaml") }),
      () => runChild(worker("yamlFloor"), [file], { stdoutFile: path.join(dir, "floor.yaml") }),
      (i) => log(`  pair ${i}/${reps}`),
    );
    // The CLI must have done the work being timed: it instruments the corpus's JVMs and unknowns.
    const injected = (fs.readFileSync(path.join(dir, "cli.yaml"), "utf8").match(/name: init-pinpoint$/gm) ?? []).length;
    if (injected === 0) throw new Error("pinpoint-inject instrumented nothing in the corpus");
    const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));
    const cpuRatio = ratio(cli.map((r) => r.cpuMs), floor.map((r) => r.cpuMs));
    return {
      title: TITLE,
      rows: [
        {
          figure: `pinpoint-inject, ${docs.length.toLocaleString("en-US")} corpus Deployments: wall time`,
          value: fmtMs(median(cli.map((r) => r.wallMs))),
          baseline: `parse + write ${fmtMs(median(floor.map((r) => r.wallMs)))}`,
          ratio: ratio(cli.map((r) => r.wallMs), floor.map((r) => r.wallMs)),
          cpuRatio,
          target: `≤ ${TIME_TARGET.toFixed(2)}×`,
          verdict: cpuRatio <= TIME_TARGET ? "PASS" : "MISS",
        },
      ],
      notes: [
        `${docs.length} documents, ${copies} copies of the ${corpus.rows.length} corpus containers, ${injected} instrumented: pinpoint-inject ${spread(cli.map((r) => r.wallMs), fmtMs)}, CPU ${fmtMs(median(cli.map((r) => r.cpuMs)))}; floor ${spread(floor.map((r) => r.wallMs), fmtMs)}, CPU ${fmtMs(median(floor.map((r) => r.cpuMs)))}.`,
      ],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
