/**
 * Part 9: what instrumentation costs a `pulumi preview` under the REAL engine (issue 18, point 7).
 * The Pulumi CLI and Kubernetes provider that test/e2e/engine/setup.sh built, a kube-apiserver
 * (+ etcd, kube-controller-manager) on 127.0.0.1 started by the engine suite's own harness, and one
 * Automation API inline program: PinpointApm, a Namespace and N Deployments shaped like the seed's
 * Tomcat app, previewed with `pinpoint:enabled` true and false in alternating pairs.
 *
 * Wall time is the whole `stack.preview()` as the Automation API runs it. CPU time is this process
 * (the inline program: the language runtime) plus the CLI and everything it starts (the provider),
 * read from a cgroup the CLI enters through a small wrapper (root), else from this process's
 * reaped-children times. The API server's own CPU is not counted (it serves both sides alike).
 *
 * Before the timed pairs, one preview each way checks the program: on, every Deployment is
 * instrumented in the inputs the engine received; off, none.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Pkg from "../bin";
import { ROOT, requireBuilt } from "./lib/paths";
import { PartResult, Row } from "./lib/report";
import { fmtMs, fmtRatio, median, spread } from "./lib/stats";
import { COLLECTOR, deployment, IMAGE, PREFIX } from "./lib/workloads";

export const ENGINE_RATIO_TARGET = 1.05;
const ENGINE_DIR = path.join(ROOT, "test", "e2e", "engine");
const STATUS_ANNOTATION = "pinpoint.fjhb.cn/status";
const CGROUP_NAME = `pp-bench-engine-${process.pid}`;
/** In the wrapper's folder: the --profiling prefix for the CLI, while it holds one. */
const PROFILE_PREFIX_FILE = "profile-prefix";

export interface EnginePlan {
  workloads: number;
  pairs: number;
  /** Run one extra preview each way with the CLI's Go CPU profile and this process's V8 profile, kept under this folder. */
  profileDir?: string;
  /**
   * Rounds of a third variant beside on and off: off plus a stack transform that changes nothing, i.e. what
   * any stack transform costs (the engine calls the program back for every resource). 0: none.
   */
  diagnoseRounds?: number;
}

/* The parts of the engine suite's harness used here (test/e2e/engine/*.ts), typed by hand: bench/ compiles on its own. */
interface EngineParts {
  root: string;
  pulumi: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  pulumiHome: string;
}
interface PreviewEvent {
  resourcePreEvent?: { metadata: { type: string; urn: string; new?: { inputs?: Record<string, any> } } };
  diagnosticEvent?: { severity: string; message: string };
}
interface BenchStack {
  setConfig(key: string, value: { value: string }): Promise<void>;
  setAllConfig(config: Record<string, { value: string }>): Promise<void>;
  preview(opts?: { color?: string; onEvent?: (e: PreviewEvent) => void }): Promise<{ stdout: string; stderr: string }>;
}
interface Harness {
  engine: {
    engineParts(): { parts: EngineParts; missing: string[] };
    inlineStack(parts: EngineParts, dir: string, project: string, stack: string, program: () => Promise<void>, kubeconfig: string): Promise<BenchStack>;
  };
  controlPlane: { startControlPlane(dir: string, bin: EngineParts): Promise<{ kubeconfig: string; version: string; stop(): Promise<void> }> };
}

/** The engine suite's harness, loaded from its TypeScript source (ts-node, a dev dependency, as the suite runs it). */
function loadHarness(): Harness {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engine = require(path.join(ENGINE_DIR, "engine.ts"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const controlPlane = require(path.join(ENGINE_DIR, "controlPlane.ts"));
  return { engine, controlPlane };
}

/** Why the part cannot run here, or undefined. */
export function engineBenchUnavailable(): string | undefined {
  const { missing } = loadHarness().engine.engineParts();
  if (missing.length > 0) return `engine parts not built (bash test/e2e/engine/setup.sh builds them, ~30 min cold): ${missing.join(", ")}`;
  return undefined;
}

/** CPU of the CLI and what it starts. */
interface ChildCpu {
  how: string;
  ms(): number;
  remove(): void;
}

/**
 * A cgroup (v1 cpuacct or v2) the CLI enters through a wrapper script that PulumiCommand runs as
 * `pulumi`; the provider it starts inherits it. Without root: this process's reaped children.
 */
function childCpu(parts: EngineParts, wrapperRoot: string): { cpu: ChildCpu; commandRoot: string } {
  const group = makeGroup();
  fs.mkdirSync(path.join(wrapperRoot, "bin"), { recursive: true });
  // The profiled preview (--profile) asks for the CLI's own profile through a file: the Automation API passes no extra flags.
  const profiling = path.join(wrapperRoot, PROFILE_PREFIX_FILE);
  fs.writeFileSync(
    path.join(wrapperRoot, "bin", "pulumi"),
    "#!/bin/sh\n" +
      (group ? `echo $$ > '${path.join(group.dir, "cgroup.procs")}'\n` : "") +
      `if [ -s '${profiling}' ]; then exec '${parts.pulumi}' --profiling "$(cat '${profiling}')" "$@"; fi\nexec '${parts.pulumi}' "$@"\n`,
    { mode: 0o755 },
  );
  if (!group) {
    return {
      cpu: {
        how: "the reaped-children CPU times of this process (cutime + cstime; no cgroup writable)",
        ms: () => {
          const f = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
          return ((Number(f[13]) + Number(f[14])) * 1000) / 100; // fields 16, 17, in clock ticks of 1/100 s
        },
        remove: () => undefined,
      },
      commandRoot: wrapperRoot,
    };
  }
  return {
    cpu: {
      how: `a cgroup the CLI enters (${group.dir}): the CLI and the provider`,
      ms: group.usageMs,
      remove: () => {
        // A group empties a moment after its last process is reaped.
        for (let i = 0; i < 50; i++) {
          try {
            fs.rmdirSync(group.dir);
            return;
          } catch {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
          }
        }
      },
    },
    commandRoot: wrapperRoot,
  };
}

/** A CPU-accounting cgroup beside this process's own, or undefined (not root, no cgroup fs). */
function makeGroup(): { dir: string; usageMs: () => number } | undefined {
  const lines = fs.readFileSync("/proc/self/cgroup", "utf8").trim().split("\n").map((l) => l.split(":"));
  try {
    if (fs.existsSync("/sys/fs/cgroup/cpuacct/cgroup.procs")) {
      const own = lines.find(([, c]) => c.split(",").includes("cpuacct"))?.[2] ?? "/";
      const dir = path.join("/sys/fs/cgroup/cpuacct", own, CGROUP_NAME);
      fs.mkdirSync(dir);
      return { dir, usageMs: () => Number(fs.readFileSync(path.join(dir, "cpuacct.usage"), "utf8")) / 1e6 };
    }
    const own = lines.find(([id]) => id === "0")?.[2] ?? "/";
    const dir = path.join("/sys/fs/cgroup", own, CGROUP_NAME);
    fs.mkdirSync(dir);
    return { dir, usageMs: () => Number(/usage_usec (\d+)/.exec(fs.readFileSync(path.join(dir, "cpu.stat"), "utf8"))![1]) / 1000 };
  } catch {
    return undefined;
  }
}

function program(pkg: typeof Pkg, workloads: number, variant: { noopTransform: boolean }): () => Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require(path.join(ROOT, "node_modules", "@pulumi", "kubernetes")) as typeof import("@pulumi/kubernetes");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pulumi = require(path.join(ROOT, "node_modules", "@pulumi", "pulumi")) as typeof import("@pulumi/pulumi");
  return async () => {
    new pkg.PinpointApm("pinpoint");
    if (variant.noopTransform) pulumi.runtime.registerResourceTransform(() => undefined);
    // No kubelet: a Deployment would wait for a rollout that never comes (as the engine suite's test program does).
    const skipAwait = { "pulumi.com/skipAwait": "true" };
    const ns = new k8s.core.v1.Namespace("dev", { metadata: { name: "dev", annotations: skipAwait } });
    for (let i = 0; i < workloads; i++) {
      const d = deployment(i);
      d.metadata.annotations = { ...d.metadata.annotations, ...skipAwait };
      new k8s.apps.v1.Deployment(d.metadata.name, d as import("@pulumi/kubernetes").apps.v1.DeploymentArgs, { dependsOn: [ns] });
    }
  };
}

/** Deployments the engine received, and how many of them instrumented (the status annotation on the pod template). */
function countInstrumented(events: PreviewEvent[]): { deployments: number; instrumented: number; diagnostics: number } {
  let deployments = 0;
  let instrumented = 0;
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (m?.type !== "kubernetes:apps/v1:Deployment") continue;
    deployments++;
    if (m.new?.inputs?.spec?.template?.metadata?.annotations?.[STATUS_ANNOTATION] !== undefined) instrumented++;
  }
  // The transform's own lines (one per workload, or one per burst): the SDK's own debug lines are diagnostics too, on both sides.
  const diagnostics = events.filter((e) => e.diagnosticEvent && /(^|\n)pinpoint: /.test(e.diagnosticEvent.message)).length;
  return { deployments, instrumented, diagnostics };
}

export async function enginePreviewCost(plan: EnginePlan, log: (s: string) => void): Promise<PartResult> {
  const { engine, controlPlane } = loadHarness();
  const { parts, missing } = engine.engineParts();
  if (missing.length > 0) throw new Error(`bench part 9: engine parts not built: ${missing.join(", ")}`);
  const pkg = requireBuilt<typeof Pkg>();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-bench-engine-"));
  const plane = await controlPlane.startControlPlane(path.join(tmp, "cluster"), parts);
  const { cpu: children, commandRoot } = childCpu(parts, path.join(tmp, "wrapper"));
  const variant = { noopTransform: false };
  try {
    const stack = await engine.inlineStack({ ...parts, root: commandRoot }, path.join(tmp, "stack"), "pp-bench-engine", "bench", program(pkg, plan.workloads, variant), plane.kubeconfig);
    await stack.setAllConfig({
      "pinpoint:agentImage": { value: IMAGE },
      "pinpoint:collectorHost": { value: COLLECTOR },
      "pinpoint:applicationNamePrefix": { value: PREFIX },
      "pinpoint:readImages": { value: "false" },
    });
    const setEnabled = (on: boolean) => stack.setConfig("pinpoint:enabled", { value: String(on) });

    // The program checked, untimed: on instruments every Deployment, off none; how many pinpoint diagnostics each sends.
    const checked: Record<string, ReturnType<typeof countInstrumented>> = {};
    for (const on of [true, false]) {
      await setEnabled(on);
      const events: PreviewEvent[] = [];
      await stack.preview({ color: "never", onEvent: (e) => events.push(e) });
      const c = countInstrumented(events);
      if (process.env.PP_BENCH_VERBOSE) for (const e of events) if (e.diagnosticEvent) log(`part 9 (${on ? "on" : "off"}) diagnostic ${e.diagnosticEvent.severity}: ${e.diagnosticEvent.message.trim()}`);
      const want = on ? plan.workloads : 0;
      if (c.deployments !== plan.workloads || c.instrumented !== want) {
        throw new Error(`bench part 9 (${on ? "on" : "off"}): ${c.instrumented} of ${c.deployments} Deployments instrumented, want ${want} of ${plan.workloads}`);
      }
      checked[on ? "on" : "off"] = c;
    }

    type Side = "on" | "off" | "noop";
    const wall: Record<Side, number[]> = { on: [], off: [], noop: [] };
    const cpu: Record<Side, number[]> = { on: [], off: [], noop: [] };
    const programCpu: Record<Side, number[]> = { on: [], off: [], noop: [] };
    const measure = async (side: Side): Promise<number> => {
      await setEnabled(side === "on");
      variant.noopTransform = side === "noop";
      const c0 = process.cpuUsage();
      const k0 = children.ms();
      const t0 = performance.now();
      await stack.preview({ color: "never" });
      const t = performance.now() - t0;
      const c = process.cpuUsage(c0);
      wall[side].push(t);
      programCpu[side].push((c.user + c.system) / 1000);
      cpu[side].push((c.user + c.system) / 1000 + (children.ms() - k0));
      return t;
    };
    const previewOnce = (on: boolean) => measure(on ? "on" : "off");
    for (let i = 0; i < plan.pairs; i++) {
      // Alternate which side goes first, so drift in the machine's speed lands on both.
      const first = i % 2 === 0;
      const a = await previewOnce(first);
      const b = await previewOnce(!first);
      log(`part 9: pair ${i + 1}/${plan.pairs}: ${first ? "on" : "off"} ${fmtMs(a)}, ${first ? "off" : "on"} ${fmtMs(b)}; load ${os.loadavg()[0].toFixed(2)}`);
    }
    // Kept apart from the pairs above, so the verdict's samples are the same with or without --diagnose.
    const triples: Array<Record<Side, number>> = [];
    for (let i = 0; i < (plan.diagnoseRounds ?? 0); i++) {
      const order: Side[] = (["off", "noop", "on"] as Side[]).map((_, j, a) => a[(i + j) % 3]);
      for (const side of order) await measure(side);
      const last = (side: Side) => cpu[side][cpu[side].length - 1];
      triples.push({ off: last("off"), noop: last("noop"), on: last("on") });
      log(`part 9: diagnose round ${i + 1}/${plan.diagnoseRounds}: CPU off ${fmtMs(last("off"))}, no-op transform ${fmtMs(last("noop"))}, on ${fmtMs(last("on"))}`);
    }
    if (plan.profileDir) await profileOnce(stack, plan.profileDir, path.join(commandRoot, PROFILE_PREFIX_FILE), setEnabled, log);

    const pairs = plan.pairs;
    const ratio = median(wall.on.slice(0, pairs).map((x, i) => x / wall.off[i]));
    const cpuRatio = median(cpu.on.slice(0, pairs).map((x, i) => x / cpu.off[i]));
    const programRatio = median(programCpu.on.slice(0, pairs).map((x, i) => x / programCpu.off[i]));
    const pairsOf = (xs: number[]) => xs.slice(0, pairs);
    const perWorkload = (median(pairsOf(cpu.on)) - median(pairsOf(cpu.off))) / plan.workloads;
    const diagnoseRows: Row[] =
      triples.length === 0
        ? []
        : [
            {
              figure: `diagnose: any stack transform (one that changes nothing) / off, CPU (${triples.length} rounds)`,
              value: `${fmtMs(median(triples.map((t) => t.noop)))} no-op transform`,
              baseline: `${fmtMs(median(triples.map((t) => t.off)))} off`,
              ratio: median(triples.map((t) => t.noop / t.off)),
              target: "–",
              verdict: "info",
            },
            {
              figure: "diagnose: instrumentation / the no-op transform, CPU",
              value: `${fmtMs(median(triples.map((t) => t.on)))} on`,
              baseline: `${fmtMs(median(triples.map((t) => t.noop)))} no-op transform`,
              ratio: median(triples.map((t) => t.on / t.noop)),
              target: "–",
              verdict: "info",
            },
          ];
    return {
      title: `9. pulumi preview with the real engine, ${plan.workloads} Deployments`,
      rows: [
        {
          figure: `preview: time, instrumentation on / off (${plan.pairs} pairs)`,
          value: `${fmtMs(median(pairsOf(wall.on)))} on`,
          baseline: `${fmtMs(median(pairsOf(wall.off)))} off`,
          ratio,
          cpuRatio,
          target: `≤ ${fmtRatio(ENGINE_RATIO_TARGET)}`,
          verdict: cpuRatio <= ENGINE_RATIO_TARGET ? "PASS" : "MISS",
        },
        {
          figure: "preview: CPU time (program + CLI + provider), on / off",
          value: `${fmtMs(median(pairsOf(cpu.on)))} on`,
          baseline: `${fmtMs(median(pairsOf(cpu.off)))} off`,
          ratio: cpuRatio,
          target: "–",
          verdict: "info",
        },
        {
          figure: "preview: CPU time of the program alone (the language runtime), on / off",
          value: `${fmtMs(median(pairsOf(programCpu.on)))} on`,
          baseline: `${fmtMs(median(pairsOf(programCpu.off)))} off`,
          ratio: programRatio,
          target: "–",
          verdict: "info",
        },
        {
          figure: "preview: CPU time instrumentation adds per Deployment",
          value: `${perWorkload >= 1 ? fmtMs(perWorkload) : `${(perWorkload * 1000).toFixed(0)} µs`}`,
          baseline: `pinpoint diagnostics per preview: ${checked.on.diagnostics} on, ${checked.off.diagnostics} off`,
          target: "–",
          verdict: "info",
        },
        ...diagnoseRows,
      ],
      notes: [
        `The Pulumi CLI and Kubernetes provider from test/e2e/engine/setup.sh (${fs.readFileSync(`${parts.pulumi}.version`, "utf8").trim()}; provider ${fs.readFileSync(path.join(path.dirname(parts.pulumi), "pulumi-resource-kubernetes.version"), "utf8").trim().split(" ")[0]}), kube-apiserver ${plane.version} on 127.0.0.1 (the engine suite's controlPlane.ts); one Automation API inline program (PinpointApm, a Namespace, ${plan.workloads} Deployments shaped like the seed's Tomcat app, pulumi.com/skipAwait), local file backend.`,
        `Checked before timing: with enabled true the engine received ${checked.on.instrumented} of ${checked.on.deployments} Deployments instrumented; with false, ${checked.off.instrumented}.`,
        `${plan.pairs} pairs of previews, alternating which side goes first; ratios are medians of the pairwise ratios; the verdict uses CPU. Wall on ${spread(pairsOf(wall.on), fmtMs)}, off ${spread(pairsOf(wall.off), fmtMs)}; CPU on ${spread(pairsOf(cpu.on), fmtMs)}, off ${spread(pairsOf(cpu.off), fmtMs)}.`,
        ...(triples.length > 0
          ? [`Diagnose: ${triples.length} rounds of off, off plus a stack transform that returns undefined for every resource, and on, in rotated order; ratios are medians of the per-round ratios of CPU time.`]
          : []),
        `CPU is this process (the inline program, i.e. the language runtime, and the Automation API reading the engine's events) plus ${children.how}. With enabled false PinpointApm registers no transform at all, so "off" is a stack without Pinpoint.`,
      ],
    };
  } finally {
    await plane.stop();
    children.remove();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * One more `on` preview, profiled: the CLI with --profiling (Go pprof CPU profile, read with
 * `go tool pprof`), this process with the V8 inspector's CPU profiler (a .cpuprofile file).
 */
async function profileOnce(stack: BenchStack, dir: string, prefixFile: string, setEnabled: (on: boolean) => Promise<void>, log: (s: string) => void): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require("inspector") as typeof import("inspector");
  for (const on of [true, false]) {
    await setEnabled(on);
    const side = on ? "on" : "off";
    const session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 500 });
    await post("Profiler.start");
    fs.writeFileSync(prefixFile, path.join(dir, `cli-${side}`));
    const t0 = performance.now();
    await stack.preview({ color: "never" });
    log(`part 9: profiled ${side} preview ${fmtMs(performance.now() - t0)}`);
    fs.rmSync(prefixFile);
    const { profile } = await post("Profiler.stop");
    fs.writeFileSync(path.join(dir, `program-${side}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
    log(`part 9: profiles of one ${side} preview in ${dir}`);
  }
}

// `npm run bench:engine [-- <workloads> <pairs> [--profile DIR] [--diagnose ROUNDS]]`: part 9 alone, the table on stdout.
if (require.main === module) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--profile");
  const profileDir = at >= 0 ? path.resolve(argv.splice(at, 2)[1]) : undefined;
  const d = argv.indexOf("--diagnose");
  const diagnoseRounds = d >= 0 ? Number(argv.splice(d, 2)[1]) : 0;
  const [n, pairs] = argv.map(Number);
  void (async () => {
    const { textTable } = await import("./lib/report");
    const why = engineBenchUnavailable();
    if (why) {
      console.log(`part 9 skipped: ${why}`);
      return;
    }
    console.error(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(", ")}`);
    const part = await enginePreviewCost({ workloads: n || 100, pairs: pairs || 5, profileDir, diagnoseRounds }, (s) => console.error(s));
    console.log(textTable([part]));
    for (const note of part.notes) console.log(`  - ${note}`);
    console.error(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(", ")}`);
  })().catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exitCode = 1;
  });
}
