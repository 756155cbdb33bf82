/**
 * Part 6: what the real Pinpoint agent costs a JVM app, measured with the
 * released archive the end to end uses (test/e2e/pinpoint/maven/pom.xml pins
 * it; run `npm run e2e` or the Maven step of .ci/run first). Three apps: the
 * plain JVM app of the end to end (JAVA_TOOL_OPTIONS), Tomcat 9 with a
 * one-page webapp, and Tomcat 9 with a page that reads a row from a local
 * MariaDB over JDBC and fetches a page over HTTP (both CATALINA_OPTS). Each
 * app's Deployment is rendered by inject(): the environment the rendered
 * container gets (the agent's flags, $(POD_IP) resolved as the kubelet would)
 * is what the app runs with, under the rendered CPU and memory limits as a
 * control group. Each app runs with the agent and without, in alternating
 * pairs. Unless told not to (--agent-collector off), a real collector runs on
 * 127.0.0.1 (lib/collector.ts) and the part reads back from its HBase what
 * each app's agents sent: an app whose agents left no trace there is marked.
 * Needs root (control groups), java, javac, mariadbd and busybox.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Container, EnvVar } from "kubernetes-types/core/v1";
import type * as Pkg from "../bin";
import { AGENT_ARCHIVE, releasedArtifact, RESOLVE_HINT, TOMCAT_ARCHIVE } from "./lib/artifacts";
import { freePort, interleave, runChild } from "./lib/child";
import { countsAdded, LocalCollector, receivedCheck, startCollector, TableCounts } from "./lib/collector";
import { ROOT, requireBuilt, worker } from "./lib/paths";
import { PartResult, Row } from "./lib/report";
import { fmtMs, fmtUs, median, withCI } from "./lib/stats";
import type { JvmResult } from "./workers/jvm";

export interface AppSetup {
  command: string[];
  port: number;
  path: string;
  envOn: Record<string, string>;
  envOff: Record<string, string>;
}

export interface JvmSetup {
  apps: Record<string, AppSetup>;
  limits: { cpu?: number; memory?: number };
  warmup: number;
  requests: number;
  concurrency: number;
}

export interface AgentCostOptions {
  /**
   * Pairs per app: the shop app's requests are slower, so a run that must end in time may give it fewer.
   * c1: the plain app with the agent, the quickStart option (-XX:TieredStopAtLevel=1, C1 only) against as rendered, under the
   * same load: the steady-state price of the quickStart option (0: not run).
   */
  pairs: Record<AppName, number>;
  warmup: number;
  requests: number;
  concurrency: number;
  /** Where the raw results of each app go as they finish (evidence, and the figures' source). */
  evidenceDir: string;
  /** Run a real collector on 127.0.0.1 for the agents to report to (default); false: none listens, as before issue 22. */
  collector: boolean;
}

/** The pod the bench plays: its IP and name, as the kubelet fills $(POD_IP) and $(POD_NAME). */
const POD = { ip: "10.244.1.20", name: "bench-5d7c9f8b6-k2x7q" };
/** The limits of the rendered Deployments: one core and 1 GiB, a common dev-cluster size for a Java service. */
const LIMITS = { cpu: "1", memory: "1Gi" };
const APPS = ["plain", "tomcat", "shop", "c1"] as const;
export type AppName = (typeof APPS)[number];
const APP_TITLE: Record<AppName, string> = {
  plain: "plain JVM app (JAVA_TOOL_OPTIONS)",
  tomcat: "Tomcat 9, one-page webapp (CATALINA_OPTS)",
  shop: "Tomcat 9, page with a JDBC query and an HTTP call",
  c1: "plain JVM app with the agent, quickStart (C1 only) vs as rendered",
};
/** What the two sides of an app's pairs are, as its cells name them. */
const SIDES: Record<AppName, [on: string, off: string]> = {
  plain: ["agent", "none"],
  tomcat: ["agent", "none"],
  shop: ["agent", "none"],
  c1: ["quickStart", "as rendered"],
};


function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** The container's env as the kubelet resolves it: fieldRefs of the pod, then $(VAR) from earlier entries. */
function resolveEnv(env: readonly EnvVar[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (field) {
      out[e.name] = field === "status.podIP" ? POD.ip : field === "metadata.name" ? POD.name : "";
      continue;
    }
    out[e.name] = (e.value ?? "").replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => out[v] ?? m);
  }
  return out;
}

/** The Deployment a user would write for the app, rendered by inject(); its container's env without and with the agent. */
function renderedEnv(
  pkg: typeof Pkg,
  name: string,
  container: Container,
  agentRoot: string,
  collectorFlags = "",
  options: Partial<Pkg.InjectOptions> = {},
): { on: Record<string, string>; off: Record<string, string>; flags: string } {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "dev" },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ ...container, resources: { limits: LIMITS, requests: LIMITS } }] } },
    },
  } as unknown as Pkg.Workload;
  const r = pkg.inject(deployment, { image: "harbor.example/fjhb/pp_agent:3.0.1", applicationNamePrefix: "dev-", collectorHost: "127.0.0.1", ...options });
  if (!r.injected) throw new Error(`part 6: inject() left ${name} alone: ${r.reason}`);
  const rendered = pkg.podTemplateOf(r.workload)!.spec!.containers[0];
  const on = resolveEnv(rendered.env);
  const variable = r.containerReasons.find((c) => c.instrumented)?.optionsEnv ?? "";
  // The agent files are where the init container would have copied them.
  for (const k of Object.keys(on)) on[k] = on[k].split(pkg.MOUNT_PATH).join(agentRoot);
  // The collector's ports, when one runs here on ports of its own (its host is the rendered one).
  if (collectorFlags) on[variable] = `${on[variable]} ${collectorFlags}`;
  // The notes show where the files were as <agent>: a temporary folder's name says nothing.
  return { on, off: resolveEnv(container.env), flags: `${variable}=${on[variable].split(agentRoot).join("<agent>")}` };
}

/** Starts MariaDB (Debian's) on a free port with one table, and busybox httpd with one page; stops them by pid. */
function startBackends(dir: string): { dbPort: number; httpPort: number; stop(): void } {
  const data = path.join(dir, "db");
  fs.mkdirSync(data);
  execFileSync("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "ignore" });
  const dbPort = freePort();
  const db: ChildProcess = spawn(
    "mariadbd",
    ["--no-defaults", `--datadir=${data}`, "--user=root", `--port=${dbPort}`, "--bind-address=127.0.0.1", `--socket=${path.join(dir, "db.sock")}`, "--skip-grant-tables"],
    { stdio: "ignore" },
  );
  const sql = (q: string) =>
    execFileSync("mariadb", ["--protocol=tcp", "-h", "127.0.0.1", "-P", String(dbPort), "-u", "root", "-N", "-B", "-e", q], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  for (let i = 0; ; i++) {
    try {
      sql("SELECT 1");
      break;
    } catch (e) {
      if (i > 300) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  sql("CREATE DATABASE shop; CREATE TABLE shop.item (id INT PRIMARY KEY, name VARCHAR(64), price DECIMAL(10,2)); INSERT INTO shop.item VALUES (1, 'tea', 3.50), (2, 'cake', 4.20);");
  const www = path.join(dir, "www");
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, "stock.txt"), "in stock\n");
  const httpPort = freePort();
  const httpd: ChildProcess = spawn("busybox", ["httpd", "-f", "-p", `127.0.0.1:${httpPort}`, "-h", www], { stdio: "ignore" });
  return {
    dbPort,
    httpPort,
    stop: () => {
      httpd.kill("SIGKILL");
      db.kill("SIGTERM");
    },
  };
}

/** A Tomcat home of its own with one webapp page; its port on 127.0.0.1, no shutdown port. */
function tomcatHome(archive: string, dir: string, page: string, lib?: string): { home: string; port: number } {
  const home = path.join(dir, "tomcat");
  fs.mkdirSync(home, { recursive: true });
  sh("tar", ["xzf", archive, "-C", home, "--strip-components=1"]);
  const webapps = path.join(home, "webapps");
  for (const a of fs.readdirSync(webapps)) fs.rmSync(path.join(webapps, a), { recursive: true, force: true });
  fs.mkdirSync(path.join(webapps, "ROOT", "WEB-INF", "lib"), { recursive: true });
  fs.writeFileSync(path.join(webapps, "ROOT", "index.jsp"), page);
  if (lib) fs.copyFileSync(lib, path.join(webapps, "ROOT", "WEB-INF", "lib", path.basename(lib)));
  const port = freePort();
  const serverXml = path.join(home, "conf", "server.xml");
  fs.writeFileSync(serverXml, fs.readFileSync(serverXml, "utf8").replace('port="8080"', `port="${port}" address="127.0.0.1"`).replace('port="8005"', 'port="-1"'));
  return { home, port };
}

/**
 * The shop page: one row by primary key over a connection kept per Tomcat
 * thread (a pool's effect without a pool library), and a page fetched over HTTP
 * (HttpURLConnection, which keeps connections alive). Settings from the env.
 */
const SHOP_PAGE = `<%@ page contentType="text/plain" import="java.sql.*,java.net.*,java.io.*" %><%!
  static final ThreadLocal<Connection> DB = new ThreadLocal<>();
  static Connection db() throws Exception {
    // A driver in WEB-INF/lib is not seen by DriverManager's own service scan: register it.
    Class.forName("org.mariadb.jdbc.Driver");
    Connection c = DB.get();
    if (c == null || c.isClosed()) { c = DriverManager.getConnection(System.getenv("SHOP_DB_URL"), "root", ""); DB.set(c); }
    return c;
  }
%><%
  String name;
  try (PreparedStatement st = db().prepareStatement("SELECT name, price FROM item WHERE id = ?")) {
    st.setInt(1, 1);
    try (ResultSet rs = st.executeQuery()) { rs.next(); name = rs.getString(1) + " " + rs.getBigDecimal(2); }
  }
  HttpURLConnection http = (HttpURLConnection) new URL(System.getenv("SHOP_STOCK_URL")).openConnection();
  String stock;
  try (InputStream in = http.getInputStream()) { stock = new String(in.readAllBytes(), "UTF-8").trim(); }
%><%= name %>: <%= stock %>
`;

/** The JDBC driver the shop page uses: Debian's libmariadb-java. */
const MARIADB_DRIVER = "/usr/share/java/mariadb-java-client.jar";

const cell = (on: number[], off: number[], fmt: (x: number) => string, [onLabel, offLabel]: [string, string]) => ({
  value: `${withCI(on, fmt)} ${onLabel}`,
  baseline: `${withCI(off, fmt)} ${offLabel}`,
});
const ratios = (on: number[], off: number[]) => on.map((x, i) => x / off[i]);
const diffs = (on: number[], off: number[]) => on.map((x, i) => x - off[i]);
const fmtRate = (x: number) => `${x.toFixed(0)}/s`;
const fmtMiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const fmtN = (x: number) => x.toFixed(0);
const ratioCI = (r: number[]) => withCI(r, (x) => `${x.toFixed(2)}×`);
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(", ");

/** What the probe budget check (sdk/inject/probeBudget.ts) uses, written by --write. */
export interface StartCostFigures {
  measured: string;
  costs: Record<"tomcat" | "plain", { withoutMs: number; withMs: number; addedWallMs: number; addedCpuMs: number; pairs: number }>;
}

export function agentCost(o: AgentCostOptions, log: (s: string) => void): PartResult & { startCost: StartCostFigures } {
  const agentArchive = releasedArtifact(AGENT_ARCHIVE);
  const tomcatArchive = releasedArtifact(TOMCAT_ARCHIVE);
  if (!agentArchive || !tomcatArchive) throw new Error(`part 6 needs the released agent and Tomcat: ${RESOLVE_HINT}`);
  if (!fs.existsSync(MARIADB_DRIVER)) throw new Error(`part 6 needs ${MARIADB_DRIVER}: apt-get install libmariadb-java`);
  const pkg = requireBuilt<typeof Pkg>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-agent-"));
  fs.mkdirSync(o.evidenceDir, { recursive: true });
  const backends = startBackends(dir);
  let collector: LocalCollector | undefined;
  try {
    if (o.collector) collector = startCollector(path.join(dir, "collector"), log);
    const collectorFlags = collector?.agentFlags ?? "";
    // The agent as the init container leaves it: the archive's top folder's files.
    const agentRoot = path.join(dir, "agent");
    fs.mkdirSync(agentRoot);
    sh("tar", ["xzf", agentArchive, "-C", agentRoot, "--strip-components=1"]);
    const files = sh("find", [agentRoot, "-type", "f"]).trim().split("\n");
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const archiveBytes = fs.statSync(agentArchive).size;
    const version = /pinpoint-agent-(.*)\.tar\.gz$/.exec(agentArchive)![1];

    const plainClasses = path.join(dir, "plain");
    sh("javac", ["-d", plainClasses, path.join(ROOT, "test", "e2e", "pinpoint", "java", "PlainApp.java")]);
    const plainPort = freePort();
    const plainContainer: Container = {
      name: "app",
      image: "eclipse-temurin:17-jre",
      // nodelay: the JDK's HTTP server otherwise lets Nagle hold each keep-alive response ~40 ms (its own switch, in both runs).
      command: ["java", "-Dsun.net.httpserver.nodelay=true", "-cp", "/app", "e2e.PlainApp", "8090"],
      // As the e2e's Deployment: the traced entry point (no plugin covers the JDK's HTTP server).
      env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Dprofiler.entrypoint=e2e.PlainApp.handle" }],
    };
    const plain = renderedEnv(pkg, "plain-jvm", plainContainer, agentRoot, collectorFlags);
    // The c1 arm: the same Deployment rendered with the quickStart option (C1 only beside the agent's flags).
    const plainQuick = renderedEnv(pkg, "plain-jvm", plainContainer, agentRoot, collectorFlags, { quickStart: true });
    const tc = tomcatHome(tomcatArchive, path.join(dir, "t1"), '<%@ page contentType="text/plain" %>tomcat-zffw: <%= request.getRequestURI() %>\n');
    const tomcat = renderedEnv(pkg, "tomcat-zffw", { name: "app", image: "tomcat:9.0-jdk17" }, agentRoot, collectorFlags);
    const shopHome = tomcatHome(tomcatArchive, path.join(dir, "t2"), SHOP_PAGE, MARIADB_DRIVER);
    const shopEnv = [
      { name: "SHOP_DB_URL", value: `jdbc:mariadb://127.0.0.1:${backends.dbPort}/shop` },
      { name: "SHOP_STOCK_URL", value: `http://127.0.0.1:${backends.httpPort}/stock.txt` },
    ];
    const shop = renderedEnv(pkg, "shop", { name: "app", image: "tomcat:9.0-jdk17", env: shopEnv }, agentRoot, collectorFlags);
    const limits = { cpu: pkg.quantityValue(LIMITS.cpu), memory: pkg.quantityValue(LIMITS.memory) };
    const setup: JvmSetup = {
      apps: {
        plain: { command: ["java", "-Dsun.net.httpserver.nodelay=true", "-cp", plainClasses, "e2e.PlainApp", String(plainPort)], port: plainPort, path: "/order", envOn: plain.on, envOff: plain.off },
        tomcat: { command: [`${tc.home}/bin/catalina.sh`, "run"], port: tc.port, path: "/?order=1", envOn: tomcat.on, envOff: tomcat.off },
        shop: { command: [`${shopHome.home}/bin/catalina.sh`, "run"], port: shopHome.port, path: "/?item=1", envOn: shop.on, envOff: shop.off },
        // Both sides with the agent: the Deployment rendered with quickStart against as rendered.
        c1: {
          command: ["java", "-Dsun.net.httpserver.nodelay=true", "-cp", plainClasses, "e2e.PlainApp", String(plainPort)],
          port: plainPort,
          path: "/order",
          envOn: plainQuick.on,
          envOff: plain.on,
        },
      },
      limits,
      warmup: o.warmup,
      requests: o.requests,
      concurrency: o.concurrency,
    };
    const setupFile = path.join(dir, "setup.json");
    fs.writeFileSync(setupFile, JSON.stringify(setup));
    const script = worker("jvm");
    const rows: Row[] = [
      {
        figure: `agent ${version}: size unpacked, files`,
        value: `${(bytes / 2 ** 20).toFixed(1)} MiB, ${files.length} files`,
        baseline: `archive ${(archiveBytes / 2 ** 20).toFixed(1)} MiB`,
        ratio: bytes / archiveBytes,
        target: "–",
        verdict: "info",
      },
    ];
    const notes: string[] = [
      `agent ${version} from ${path.basename(agentArchive)}; Tomcat from ${path.basename(tomcatArchive)}; JDBC driver ${path.basename(fs.realpathSync(MARIADB_DRIVER))} (Debian libmariadb-java) against Debian's mariadbd; the shop page's HTTP call goes to busybox httpd.`,
      `Pairs per app: ${APPS.map((a) => `${a} ${o.pairs[a]}`).join(", ")}, alternating which of agent / none (c1: quickStart / as rendered, both with the agent) runs first; each run a fresh JVM in a control group with the rendered limits (limits.cpu ${LIMITS.cpu} → CFS quota, limits.memory ${LIMITS.memory}); ${o.warmup} warm-up requests then ${o.requests} measured ones over ${o.concurrency} keep-alive connections.`,
      `Flags from the rendered Deployments (inject(), collector host 127.0.0.1, $(POD_IP) and $(POD_NAME) resolved as the kubelet would${collector ? "; the collector's gRPC ports appended, as it listens on free ports" : ""}): plain: ${plain.flags}; Tomcat: ${tomcat.flags}; c1 (the plain Deployment rendered with quickStart): ${plainQuick.flags}.`,
      collector
        ? `Collector connected: ${collector.coordinate} (the released jar from Maven Central; no 3.x collector is published there, and agent ${version} registers and sends spans through it, as the real-Pinpoint end to end proves) on 127.0.0.1, gRPC agent/stat/span ports ${collector.ports.agent}/${collector.ports.stat}/${collector.ports.span}, over HBase in standalone mode with the web release's tables; ` +
          "collector and HBase run on this machine outside the app's control group, so their CPU is not in the app's figures but they share the machine's cores while agents send. " +
          "What each app's agents sent is read back from HBase after its pairs (rows added to AgentInfo: one per agent start; to TraceV2: one per stored transaction, its cells the spans); an app with none is marked MISS. " +
          "Figures of runs before issue 22's collector (no collector listening; sampled spans dropped after serialisation) are comparable only for start-up: the steady-state figures now include sending."
        : "No collector (--agent-collector off): the agent's gRPC channels retry in the background and sampled spans are dropped after serialisation, so the cost of sending them is not in these figures.",
      "Figures are medians with a 95% confidence interval of the median in brackets (distribution-free, from the order statistics: binomial ranks); a ratio is the median of the per-pair ratios, with its interval.",
    ];
    const startCost: StartCostFigures = { measured: "", costs: {} as StartCostFigures["costs"] };
    for (const app of APPS) {
      const loadBefore = loadavg();
      const pairs = o.pairs[app];
      if (!pairs) continue;
      const sides = SIDES[app];
      const countsBefore = collector?.counts();
      log(`part 6: ${app}, ${sides[0]} against ${sides[1]}, ${pairs} pairs (load average ${loadBefore})`);
      const { a: on, b: off } = interleave(
        pairs,
        () => runChild<JvmResult>(script, [setupFile, app, "on"]).result,
        () => runChild<JvmResult>(script, [setupFile, app, "off"]).result,
        (i) => log(`  ${app}: pair ${i}/${pairs}`),
      );
      const loadAfter = loadavg();
      const received = collector && countsBefore ? countsAdded(countsBefore, collector.settledCounts()) : undefined;
      fs.writeFileSync(path.join(o.evidenceDir, `${app}.json`), JSON.stringify({ app, loadBefore, loadAfter, setup: setup.apps[app], limits, collector: received, on, off }, null, 2));
      const name = APP_TITLE[app];
      const pick = (k: keyof JvmResult) => [on.map((r) => Number(r[k])), off.map((r) => Number(r[k]))] as const;
      const figure = (label: string, k: keyof JvmResult, fmt: (x: number) => string): Row => {
        const [a, b] = pick(k);
        return { figure: `${name}: ${label}`, ...cell(a, b, fmt, sides), ratio: median(ratios(a, b)), target: "–", verdict: "info" };
      };
      const [startOn, startOff] = pick("startMs");
      const [cpuOn, cpuOff] = pick("startCpuMs");
      rows.push(
        { ...figure("start to first response", "startMs", fmtMs), cpuRatio: median(ratios(cpuOn, cpuOff)) },
        figure("CPU time to first response", "startCpuMs", fmtMs),
        figure("latency p50", "p50Us", fmtUs),
        figure("latency p95", "p95Us", fmtUs),
        figure("latency p99", "p99Us", fmtUs),
        figure(`throughput at ${o.concurrency} connections`, "throughput", fmtRate),
        figure("CPU per request", "cpuPerRequestUs", fmtUs),
        figure("resident memory after the load", "rssKb", (kb) => fmtMiB(kb * 1024)),
        figure("threads", "threads", fmtN),
      );
      if (received) {
        rows.push(receivedRow(APP_TITLE[app], app === "c1" ? 2 * pairs : pairs, received));
        log(`  ${app}: collector received ${rows[rows.length - 1].value}`);
      }
      notes.push(
        `${name} (load average ${loadBefore} before, ${loadAfter} after): start-up added (${sides[0]} − ${sides[1]}), per pair: wall ${withCI(diffs(startOn, startOff), fmtMs)}, CPU ${withCI(diffs(cpuOn, cpuOff), fmtMs)}; ` +
          `start ratio ${ratioCI(ratios(startOn, startOff))}, CPU ratio ${ratioCI(ratios(cpuOn, cpuOff))}; ` +
          `p95 ratio ${ratioCI(ratios(...pick("p95Us")))}; throughput ratio ${ratioCI(ratios(...pick("throughput")))}; ` +
          `agent threads (by name) ${median(on.map((r) => r.agentThreads))} of ${median(on.map((r) => r.threads))}: ${on[0].agentThreadNames.join(", ")}; ` +
          `CFS throttled periods median ${sides[0]} ${median(on.map((r) => r.throttled))}, ${sides[1]} ${median(off.map((r) => r.throttled))}.`,
      );
      if (app === "plain" || app === "tomcat") {
        startCost.costs[app] = {
          withoutMs: Math.round(median(startOff)),
          withMs: Math.round(median(startOn)),
          addedWallMs: Math.round(median(diffs(startOn, startOff))),
          addedCpuMs: Math.round(median(diffs(cpuOn, cpuOff))),
          pairs,
        };
      }
    }
    startCost.measured = `bench part 6, ${new Date().toISOString().slice(0, 10)}, agent ${version}, ${o.pairs.plain}/${o.pairs.tomcat} pairs (plain/Tomcat), limits.cpu ${LIMITS.cpu}, ${os.cpus().length} cores, load average ${loadavg()}`;
    notes.push(
      "Start is spawn to the first HTTP 200 (Tomcat: catalina.sh run, JSP compiled on that first request either way); its CPU time is the control group's (user + system of every thread) at that moment. " +
        "The load generator runs on the same machine, in the bench's process, outside the app's control group. " +
        "The agent samples 1 in 20 transactions by default (profiler.sampling.counting.sampling-rate). " +
        "Verdicts are info: these are the agent's costs, not ours to meet. The machine is shared: the load average beside each app says how busy it was.",
    );
    return { title: "6. The real Pinpoint agent in the JVM", rows, notes, startCost };
  } finally {
    collector?.stop();
    backends.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the collector stored from one app's agent runs: every agent start
 * registered (an AgentInfo row each) and at least one transaction stored, or MISS.
 */
export function receivedRow(app: string, agentRuns: number, added: TableCounts): Row {
  const connected = receivedCheck(agentRuns, added, true);
  return {
    figure: `${app}: stored by the collector`,
    value: `${added.AgentInfo.rows} agent starts, ${added.TraceV2.rows} transactions (${added.TraceV2.cells} span cells)`,
    baseline: `${agentRuns} runs with the agent`,
    target: "every start registered, spans stored",
    verdict: connected ? "PASS" : "MISS",
  };
}

/** sdk/inject/agentStartCost.ts with the measured figures (npm run bench -- --only 6 --write). */
/** The figures file the probe budget reads (sdk/inject/agentStartCost.ts), edited in place; returns its path. */
function rewriteStartCostFile(edit: (text: string) => string): string {
  const file = path.join(ROOT, "sdk", "inject", "agentStartCost.ts");
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8")));
  return file;
}

/** Rewrites QUICK_START_FACTOR from part 7 (the probe budget's quickStart estimate). */
export function writeQuickStartFactor(f: { wall: number; cpu: number; rounds: number; measured: string }): string {
  const line = `export const QUICK_START_FACTOR = { wall: ${f.wall}, cpu: ${f.cpu}, rounds: ${f.rounds}, measured: ${JSON.stringify(f.measured)} };`;
  return rewriteStartCostFile((text) => text.replace(/^export const QUICK_START_FACTOR = .*;$/m, line));
}

export function writeStartCost(figures: StartCostFigures): string {
  const entry = (k: "tomcat" | "plain") => {
    const c = figures.costs[k];
    return `  ${k}: { withoutMs: ${c.withoutMs}, withMs: ${c.withMs}, addedWallMs: ${c.addedWallMs}, addedCpuMs: ${c.addedCpuMs}, pairs: ${c.pairs} },`;
  };
  return rewriteStartCostFile((text) =>
    text
      .replace(/export const AGENT_START_COST_MEASURED = .*;/, `export const AGENT_START_COST_MEASURED = ${JSON.stringify(figures.measured)};`)
      .replace(/^ {2}tomcat: \{.*\},$/m, entry("tomcat"))
      .replace(/^ {2}plain: \{.*\},$/m, entry("plain")),
  );
}
