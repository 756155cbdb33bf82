/**
 * Part 7: where the agent's start-up goes, and what a deployer can change
 * without touching the image. The plain JVM app of part 6, started only (no
 * load), under the same rendered limits, in rounds that run every variant
 * once in turn: no agent; the agent as rendered; the agent with a JVM option a
 * Deployment can add beside it (C1 only); the agent with its own options
 * (sampling off; the plugins for frameworks this app does not use turned off
 * with profiler.plugin.disable, checked in the agent's own log before the
 * rounds). Then one profiled start each of the agent as rendered and with the
 * plugins off (-Xlog:class+load, outside the measured rounds): where the
 * premain's time goes by what it loads. With a collector (the default) the
 * agents report to a real one, as in part 6. A dynamic AppCDS archive was
 * tried: see the notes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AppSetup, JvmSetup } from "./agent";
import { AGENT_ARCHIVE, releasedArtifact, RESOLVE_HINT } from "./lib/artifacts";
import { CLASS_CATEGORIES, disabledPlugins, loadedPlugins, manifestAttribute, startProfile, StartProfile } from "./lib/agentProfile";
import { freePort, runChild } from "./lib/child";
import { countsAdded, LocalCollector, receivedCheck, startCollector } from "./lib/collector";
import { ROOT, requireBuilt, worker } from "./lib/paths";
import type * as Pkg from "../bin";
import { PartResult, Row } from "./lib/report";
import { fmtMs, median, withCI } from "./lib/stats";
import type { JvmResult } from "./workers/jvm";

const POD = { ip: "10.244.1.20", name: "bench-5d7c9f8b6-k2x7q" };

interface Variant {
  name: string;
  /** Added to JAVA_TOOL_OPTIONS after the rendered flags; undefined: no agent. */
  extra?: string;
}

export interface AgentStartupOptions {
  rounds: number;
  /** A real collector on 127.0.0.1 for the agents (lib/collector.ts); false: none listens. */
  collector: boolean;
}

/**
 * The plugins a plain JVM app (the JDK's HTTP server, traced by
 * profiler.entrypoint, and the JDK's HTTP clients) can use: every other plugin
 * of the archive is for a framework or library it does not have.
 */
const PLAIN_APP_PLUGINS = ["user", "jdk-http", "jdk-httpclient", "thread", "jdk-completable-future"].map((p) => `com.navercorp.pinpoint:pinpoint-${p}-plugin`);
const PLAIN_MAIN = "e2e.PlainApp";

/** The Pinpoint-Plugin-Id of every plugin jar in the agent's plugin/ folder. */
function pluginIds(agentRoot: string): string[] {
  const dir = path.join(agentRoot, "plugin");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jar"))
    .map((f) => manifestAttribute(execFileSync("unzip", ["-p", path.join(dir, f), "META-INF/MANIFEST.MF"], { encoding: "utf8" }), "Pinpoint-Plugin-Id"))
    .filter((id): id is string => id !== undefined)
    .sort();
}

/** The agent's own log of the runs since the last call (logs/<agentId>/pinpoint.log), emptied for the next. */
function takeAgentLog(agentRoot: string): string {
  const logs = path.join(agentRoot, "logs");
  if (!fs.existsSync(logs)) return "";
  const text = fs
    .readdirSync(logs)
    .map((id) => path.join(logs, id, "pinpoint.log"))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, "utf8"))
    .join("\n");
  fs.rmSync(logs, { recursive: true, force: true });
  return text;
}

const fmtProfileMs = (x: number) => `${(x / 1000).toFixed(2)} s`;

/** What quickStart makes of a start with the agent, for sdk/inject/agentStartCost.ts (probe budget). */
export interface QuickStartFactor {
  wall: number;
  cpu: number;
  rounds: number;
  measured: string;
}

export async function agentStartup(o: AgentStartupOptions, log: (s: string) => void): Promise<PartResult & { quickStart: QuickStartFactor }> {
  const rounds = o.rounds;
  const agentArchive = releasedArtifact(AGENT_ARCHIVE);
  if (!agentArchive) throw new Error(`part 7 needs the released agent: ${RESOLVE_HINT}`);
  const pkg = requireBuilt<typeof Pkg>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-startup-"));
  let collector: LocalCollector | undefined;
  try {
    if (o.collector) collector = startCollector(path.join(dir, "collector"), log);
    const agentRoot = path.join(dir, "agent");
    fs.mkdirSync(agentRoot);
    execFileSync("tar", ["xzf", agentArchive, "-C", agentRoot, "--strip-components=1"]);
    const classes = path.join(dir, "plain");
    execFileSync("javac", ["-d", classes, path.join(ROOT, "test", "e2e", "pinpoint", "java", "PlainApp.java")]);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "plain-jvm", namespace: "dev" },
      spec: {
        selector: { matchLabels: { app: "plain-jvm" } },
        template: {
          metadata: { labels: { app: "plain-jvm" } },
          spec: { containers: [{ name: "app", image: "eclipse-temurin:17-jre", command: ["java", "-cp", "/app", "e2e.PlainApp", "8090"], resources: { limits: { cpu: "1", memory: "1Gi" } } }] },
        },
      },
    } as unknown as Pkg.Workload;
    const r = pkg.inject(deployment, { image: "harbor.example/fjhb/pp_agent:3.0.1", applicationNamePrefix: "dev-", collectorHost: "127.0.0.1" });
    const env: Record<string, string> = {};
    for (const e of pkg.podTemplateOf(r.workload)!.spec!.containers[0].env ?? []) {
      const f = e.valueFrom?.fieldRef?.fieldPath;
      env[e.name] = f ? (f === "status.podIP" ? POD.ip : POD.name) : (e.value ?? "").replace(/\$\((\w+)\)/g, (m, v: string) => env[v] ?? m).split(pkg.MOUNT_PATH).join(agentRoot);
    }
    const port = freePort();
    const command = ["java", "-cp", classes, PLAIN_MAIN, String(port)];
    const allPlugins = pluginIds(agentRoot);
    const offPlugins = allPlugins.filter((id) => !PLAIN_APP_PLUGINS.includes(id));
    const pluginsOff = `-Dprofiler.plugin.disable=${offPlugins.join(",")}`;
    const variants: Variant[] = [
      { name: "no agent" },
      { name: "agent as rendered", extra: "" },
      { name: `agent + ${pkg.QUICK_START_FLAG} (C1 only, quickStart)`, extra: pkg.QUICK_START_FLAG },
      { name: "agent, sampling off (-Dprofiler.sampling.enable=false)", extra: "-Dprofiler.sampling.enable=false" },
      { name: `agent, ${offPlugins.length} plugins of other frameworks off (-Dprofiler.plugin.disable=…)`, extra: pluginsOff },
    ];
    const RENDERED = 1;
    const PLUGINS_OFF = 4;
    // The profiled starts: -Xlog of every class load with the JVM's uptime, outside the measured rounds.
    const classLog = (name: string) => path.join(dir, `class-load-${name}.log`);
    const profiled = [
      { name: "rendered", extra: `-Xlog:class+load=info:file=${classLog("rendered")}:uptime` },
      { name: "plugins-off", extra: `${pluginsOff} -Xlog:class+load=info:file=${classLog("plugins-off")}:uptime` },
    ];
    const withAgent = (extra: string) => ({ ...env, JAVA_TOOL_OPTIONS: [env.JAVA_TOOL_OPTIONS, collector?.agentFlags, extra].filter(Boolean).join(" ") });
    const apps: Record<string, AppSetup> = {};
    variants.forEach((v, i) => {
      apps[`v${i}`] = { command, port, path: "/", envOn: v.extra === undefined ? {} : withAgent(v.extra), envOff: {} };
    });
    for (const p of profiled) apps[`profile-${p.name}`] = { command, port, path: "/", envOn: withAgent(p.extra), envOff: {} };
    const setup: JvmSetup = { apps, limits: { cpu: 1, memory: 2 ** 30 }, warmup: 0, requests: 1, concurrency: 1 };
    const setupFile = path.join(dir, "setup.json");
    fs.writeFileSync(setupFile, JSON.stringify(setup));
    const countsBefore = collector?.counts();

    // Before measuring: the plugin switch must take effect, as the agent's own log says.
    takeAgentLog(agentRoot);
    runChild<JvmResult>(worker("jvm"), [setupFile, `v${RENDERED}`, "on"]);
    const renderedLog = takeAgentLog(agentRoot);
    runChild<JvmResult>(worker("jvm"), [setupFile, `v${PLUGINS_OFF}`, "on"]);
    const offLog = takeAgentLog(agentRoot);
    const loaded = { rendered: loadedPlugins(renderedLog), off: loadedPlugins(offLog) };
    const disabledSeen = disabledPlugins(offLog);
    log(`  part 7: plugins loaded as rendered ${loaded.rendered.length}, with profiler.plugin.disable ${loaded.off.length} (${loaded.off.join(", ")}); the agent read ${disabledSeen.length} disabled ids`);
    if (loaded.rendered.length === 0) throw new Error(`part 7: the agent's log (${agentRoot}/logs) names no loaded plugin ("Loading plugin:"): the check of profiler.plugin.disable cannot be made`);
    if (disabledSeen.length !== offPlugins.length || loaded.off.length >= loaded.rendered.length) {
      throw new Error(`part 7: profiler.plugin.disable did not take effect: ${loaded.off.length} plugins loaded with it, ${loaded.rendered.length} without; the agent read ${disabledSeen.length} of ${offPlugins.length} ids`);
    }

    const results: JvmResult[][] = variants.map(() => []);
    const load0 = os.loadavg().map((x) => x.toFixed(2)).join(", ");
    for (let round = 0; round < rounds; round++) {
      // Each round in a rotated order, so no variant always runs first.
      for (let k = 0; k < variants.length; k++) {
        const i = (k + round) % variants.length;
        results[i].push(runChild<JvmResult>(worker("jvm"), [setupFile, `v${i}`, "on"]).result);
      }
      log(`  part 7: round ${round + 1}/${rounds}`);
    }
    const load1 = os.loadavg().map((x) => x.toFixed(2)).join(", ");

    // One profiled start each (class loading logged: slower than the measured runs, so apart from them).
    const profiles: Record<string, StartProfile> = {};
    for (const p of profiled) {
      runChild<JvmResult>(worker("jvm"), [setupFile, `profile-${p.name}`, "on"]);
      profiles[p.name] = startProfile(fs.readFileSync(classLog(p.name), "utf8"), agentRoot, PLAIN_MAIN);
    }
    takeAgentLog(agentRoot);
    const received = collector && countsBefore ? countsAdded(countsBefore, collector.settledCounts()) : undefined;
    const agentStarts = (variants.length - 1) * rounds + 2 + profiled.length;

    const base = results[RENDERED];
    const rows: Row[] = variants.map((v, i) => ({
      figure: `plain JVM app start: ${v.name}`,
      value: withCI(results[i].map((x) => x.startMs), fmtMs),
      baseline: `CPU ${withCI(results[i].map((x) => x.startCpuMs), fmtMs)}`,
      ratio: median(results[i].map((x, j) => x.startMs / base[j].startMs)),
      cpuRatio: median(results[i].map((x, j) => x.startCpuMs / base[j].startCpuMs)),
      target: "–",
      verdict: "info",
    }));
    // Where the premain went, as rendered and with the plugins off: one row per kind of class it loaded.
    const pr = profiles.rendered;
    const po = profiles["plugins-off"];
    rows.push({
      figure: "agent premain (first agent class → app main class), one profiled start",
      value: `${fmtProfileMs(pr.premainMs)} as rendered`,
      baseline: `${fmtProfileMs(po.premainMs)} plugins off`,
      ratio: po.premainMs / pr.premainMs,
      target: "–",
      verdict: "info",
    });
    for (const c of CLASS_CATEGORIES) {
      rows.push({
        figure: `  premain: ${c} classes`,
        value: `${pr.categories[c].classes} classes, ${fmtProfileMs(pr.categories[c].ms)}`,
        baseline: `${po.categories[c].classes} classes, ${fmtProfileMs(po.categories[c].ms)}`,
        target: "–",
        verdict: "info",
      });
    }
    if (received) {
      rows.push({
        figure: "plain JVM app: stored by the collector",
        value: `${received.AgentInfo.rows} agent starts, ${received.TraceV2.rows} transactions (${received.TraceV2.cells} span cells)`,
        baseline: `${agentStarts} runs with the agent`,
        target: "every start registered",
        verdict: receivedCheck(agentStarts, received, false) ? "PASS" : "MISS",
      });
    }
    const c1 = variants.findIndex((v) => v.extra === pkg.QUICK_START_FLAG);
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const quickStart: QuickStartFactor = {
      wall: round2(rows[c1].ratio!),
      cpu: round2(rows[c1].cpuRatio!),
      rounds,
      measured: `bench part 7, ${new Date().toISOString().slice(0, 10)}, agent 3.0.1, ${rounds} rounds, load average ${load0.split(", ")[0]} to ${os.loadavg()[0].toFixed(2)}`,
    };
    return {
      quickStart,
      title: "7. Where the agent's start-up goes",
      rows,
      notes: [
        `${rounds} rounds, each variant once per round in rotated order; start is spawn to the first HTTP 200, CPU the control group's (limits.cpu 1, memory 1Gi). Ratios are to "agent as rendered" of the same round. Load average ${load0} before, ${load1} after.`,
        `Plugins off: profiler.plugin.disable (the key of the archive's pinpoint-root.config and profiles/*/pinpoint.config: plugin ids, groupId:artifactId, as each plugin jar's Pinpoint-Plugin-Id names them) set by -D beside the rendered flags to all ${allPlugins.length} plugins of the archive but the ${PLAIN_APP_PLUGINS.length} a plain JDK app can use (${PLAIN_APP_PLUGINS.map((id) => id.split(":")[1]).join(", ")}). ` +
          `Checked in the agent's own log before the rounds: as rendered it loaded ${loaded.rendered.length} plugins, with the switch ${loaded.off.length} (${loaded.off.map((c) => c.split(".").pop()).join(", ")}), having read ${disabledSeen.length} disabled ids.`,
        `Premain profile: one start each of "agent as rendered" and "plugins off" with -Xlog:class+load=info:file=…:uptime, outside the rounds (the logging slows them). The premain runs from the first class loaded from the agent's folder to the app's main class; each gap between two class loads is charged to the kind of class loaded at its end ` +
          "(agent plugins: plugin/*.jar; gRPC, Netty, protobuf: io.grpc, io.netty, com.google.protobuf, io.perfmark; agent core: the rest of the agent's folder; JDK: the runtime image and the CDS archive; generated: hidden classes, whose source is their host class or the JVM, mostly lambdas of the agent's libraries; app: the app's class path). It says in which phase the time went, not what the CPU did within it. " +
          `Classes loaded by the end of the run: ${pr.totalClasses} as rendered, ${po.totalClasses} plugins off.`,
        collector
          ? `Collector connected (${collector.coordinate}, on 127.0.0.1, as in part 6): the agent's flags carry its gRPC ports; the gRPC handshake runs in the agent's background threads, so it is in the CPU figures but the first response need not wait for it.`
          : "No collector (--agent-collector off): the agent's gRPC channels retry in the background.",
        "A dynamic AppCDS archive of the agent's classes was tried and is not a variant: with a -javaagent the JVM (17) refuses to dump one unless -XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent are set, then warns that such an archive is for testing only and not for production; it also refuses a class path with a non-empty directory (this app's), as AppCDS wants jars.",
      ],
    };
  } finally {
    collector?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
