/**
 * A real Pinpoint collector on 127.0.0.1 for the bench's agents to report to:
 * the released collector jars the end to end runs (2.5.x: Maven Central serves
 * no 3.x collector; agent 3.0.1 registers and sends spans through it, as the
 * end to end proves), over HBase in standalone mode (master, regionserver and
 * ZooKeeper in one JVM, data in a temporary folder) with the tables of the
 * web release created by PinpointTables, as the end to end creates them.
 * Every port is a free one on 127.0.0.1; the agent is pointed at the
 * collector's gRPC ports with -D flags beside the rendered ones.
 * Started and stopped by pid; what arrived is read back from HBase (counts()).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  COLLECTOR_ENV,
  collectorCommand,
  compilePinpointTables,
  hbaseMasterCommand,
  parseTableCounts,
  pinpointTablesCommand,
  releaseTableStatements,
} from "../../test/support/pinpointJars";
import { releasedArtifact, releasedClasspath, RESOLVE_HINT, WEB_JAR } from "./artifacts";
import { freePort, sleepMs } from "./child";
import { ROOT } from "./paths";

/** The tables whose rows say that an agent reported: one AgentInfo row per agent start, one TraceV2 row per stored transaction (its cells: spans and span chunks), one ApplicationIndex row per application. */
export const EVIDENCE_TABLES = ["AgentInfo", "ApplicationIndex", "TraceV2"] as const;
export type TableCounts = Record<(typeof EVIDENCE_TABLES)[number], { rows: number; cells: number }>;

export interface LocalCollector {
  version: string;
  /** Maven coordinate of the collector jar that runs. */
  coordinate: string;
  ports: { agent: number; stat: number; span: number };
  /** -D flags that point the agent at this collector's ports (its host, 127.0.0.1, is the rendered one). */
  agentFlags: string;
  /** Rows and cells of the evidence tables now (a scan through HBase's client; a few seconds). */
  counts(): TableCounts;
  /** Counts once the collector's writes have settled (two reads in a row agree, or maxWaitMs passed). */
  settledCounts(maxWaitMs?: number): TableCounts;
  stop(): void;
}

const START_TIMEOUT_MS = 300_000;
const PINPOINT_TABLES_SOURCE = path.join(ROOT, "test", "e2e", "pinpoint", "java", "PinpointTables.java");

/** Why a collector cannot be started here, or undefined when it can. */
export function collectorUnavailable(): string | undefined {
  if (!releasedClasspath("collector") || !releasedClasspath("hbase") || !releasedArtifact(WEB_JAR)) return `the collector, HBase and web jars are not resolved: ${RESOLVE_HINT}`;
  return undefined;
}

function site(properties: Record<string, string | number>): string {
  const body = Object.entries(properties)
    .map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`)
    .join("\n");
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/** Waits until `file` holds a line matching `ready`; throws when the process died or the time ran out. */
function awaitLog(what: string, file: string, ready: RegExp, child: ChildProcess): void {
  const t0 = Date.now();
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (ready.test(text)) return;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready; its log ${file}:\n${text.slice(-3000)}`);
    if (Date.now() - t0 > START_TIMEOUT_MS) throw new Error(`${what} not ready within ${START_TIMEOUT_MS / 1000} s; its log ${file}:\n${text.slice(-3000)}`);
    sleepMs(500);
  }
}

function stopProcess(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill("SIGKILL");
}

export function startCollector(dir: string, log: (s: string) => void): LocalCollector {
  const why = collectorUnavailable();
  if (why) throw new Error(why);
  const collectorJars = releasedClasspath("collector")!;
  const hbaseJars = releasedClasspath("hbase")!;
  const collectorJar = collectorJars.find((j) => /^pinpoint-collector-[\d.]+\.jar$/.test(path.basename(j)));
  if (!collectorJar) throw new Error(`no pinpoint-collector jar among the collector module's jars: ${RESOLVE_HINT}`);
  const version = /^pinpoint-collector-(.*)\.jar$/.exec(path.basename(collectorJar))![1];
  fs.mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, "hbase-conf");
  fs.mkdirSync(conf, { recursive: true });
  const zkPort = freePort();
  fs.writeFileSync(
    path.join(conf, "hbase-site.xml"),
    site({
      "hbase.rootdir": `file://${path.join(dir, "hbase-data")}`,
      "hbase.cluster.distributed": "false",
      "hbase.zookeeper.quorum": "127.0.0.1",
      "hbase.zookeeper.property.clientPort": zkPort,
      "hbase.zookeeper.property.dataDir": path.join(dir, "zookeeper"),
      // As the rendered hbase-site: HBase 2 refuses a local-filesystem WAL without it.
      "hbase.unsafe.stream.capability.enforce": "false",
      "hbase.master.port": 0,
      "hbase.master.info.port": -1,
      "hbase.regionserver.port": 0,
      "hbase.regionserver.info.port": -1,
      "hbase.master.ipc.address": "127.0.0.1",
      "hbase.regionserver.ipc.address": "127.0.0.1",
    }),
  );
  fs.writeFileSync(
    path.join(conf, "log4j.properties"),
    "log4j.rootLogger=INFO,console\nlog4j.appender.console=org.apache.log4j.ConsoleAppender\nlog4j.appender.console.layout=org.apache.log4j.PatternLayout\nlog4j.appender.console.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{2}: %m%n\n",
  );
  const processes: ChildProcess[] = [];
  const stop = () => {
    for (const p of processes.reverse()) stopProcess(p);
  };
  try {
    const hbaseLog = path.join(dir, "hbase.log");
    const [hjava, ...hargs] = hbaseMasterCommand(conf, hbaseJars);
    const hbase = spawn(hjava, hargs, { cwd: dir, stdio: ["ignore", fs.openSync(hbaseLog, "w"), fs.openSync(hbaseLog, "a")] });
    processes.push(hbase);
    log(`  collector: HBase standalone (pid ${hbase.pid}, ZooKeeper on 127.0.0.1:${zkPort}) starting`);
    awaitLog("HBase", hbaseLog, /Master has completed initialization/, hbase);

    const tools = compilePinpointTables(PINPOINT_TABLES_SOURCE, hbaseJars, path.join(dir, "tools-classes"));
    const statements = releaseTableStatements(tools, releasedArtifact(WEB_JAR)!, hbaseJars, dir);
    const run = (args: string[], input?: string) => {
      const [java, ...rest] = pinpointTablesCommand(tools, hbaseJars, args, conf);
      return execFileSync(java, rest, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
    };
    run(["shell"], `${statements}\nexit\n`);
    log(`  collector: ${statements.split("\n").filter((l) => l.startsWith("create ")).length} tables of the web release created`);

    const ports = { agent: freePort(), stat: freePort(), span: freePort() };
    const collectorLog = path.join(dir, "collector.log");
    const [cjava, ...cargs] = collectorCommand(collectorJars, {
      "hbase.client.host": "127.0.0.1",
      "hbase.client.port": zkPort,
      "pinpoint.zookeeper.address": "127.0.0.1",
      // One collector, no web: nothing to find through ZooKeeper.
      "cluster.enable": "false",
      "collector.receiver.grpc.agent.bindaddress.ip": "127.0.0.1",
      "collector.receiver.grpc.agent.bindaddress.port": ports.agent,
      "collector.receiver.grpc.stat.bindaddress.ip": "127.0.0.1",
      "collector.receiver.grpc.stat.bindaddress.port": ports.stat,
      "collector.receiver.grpc.span.bindaddress.ip": "127.0.0.1",
      "collector.receiver.grpc.span.bindaddress.port": ports.span,
      // The 2.5 collector's Thrift receivers (agents before 2.x): on 127.0.0.1 too, on ports of their own.
      "collector.receiver.base.ip": "127.0.0.1",
      "collector.receiver.base.port": freePort(),
      "collector.receiver.stat.udp.ip": "127.0.0.1",
      "collector.receiver.stat.udp.port": freePort(),
      "collector.receiver.stat.tcp.ip": "127.0.0.1",
      "collector.receiver.span.udp.ip": "127.0.0.1",
      "collector.receiver.span.udp.port": freePort(),
      "collector.receiver.span.tcp.ip": "127.0.0.1",
      "server.address": "127.0.0.1",
      "server.port": freePort(),
    });
    const collector = spawn(cjava, cargs, {
      // It writes logs/ under its working folder: the temporary one, not the checkout.
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SPRING_PROFILES_ACTIVE: "release", ...COLLECTOR_ENV },
      stdio: ["ignore", fs.openSync(collectorLog, "w"), fs.openSync(collectorLog, "a")],
    });
    processes.push(collector);
    log(`  collector: ${version} (pid ${collector.pid}) starting, gRPC agent/stat/span on 127.0.0.1:${ports.agent}/${ports.stat}/${ports.span}`);
    awaitLog("collector", collectorLog, /Started CollectorApp/, collector);

    const counts = (): TableCounts => {
      const parsed = parseTableCounts(run(["count", ...EVIDENCE_TABLES]));
      for (const t of EVIDENCE_TABLES) if (!parsed[t]) throw new Error(`PinpointTables count printed no line for ${t}`);
      return parsed as TableCounts;
    };
    return {
      version,
      coordinate: `com.navercorp.pinpoint:pinpoint-collector:${version}`,
      ports,
      agentFlags: [
        `-Dprofiler.transport.grpc.agent.collector.port=${ports.agent}`,
        `-Dprofiler.transport.grpc.metadata.collector.port=${ports.agent}`,
        `-Dprofiler.transport.grpc.stat.collector.port=${ports.stat}`,
        `-Dprofiler.transport.grpc.span.collector.port=${ports.span}`,
      ].join(" "),
      counts,
      settledCounts: (maxWaitMs = 30_000) => {
        const t0 = Date.now();
        let last = counts();
        for (;;) {
          sleepMs(2000);
          const now = counts();
          if (JSON.stringify(now) === JSON.stringify(last) || Date.now() - t0 > maxWaitMs) return now;
          last = now;
        }
      },
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/** What arrived between two counts, by table. */
export function countsAdded(before: TableCounts, after: TableCounts): TableCounts {
  return Object.fromEntries(EVIDENCE_TABLES.map((t) => [t, { rows: after[t].rows - before[t].rows, cells: after[t].cells - before[t].cells }])) as TableCounts;
}

/** Did the collector get it all: an AgentInfo row for every agent start, and (when the runs served sampled requests) at least one stored transaction. */
export function receivedCheck(agentStarts: number, added: TableCounts, spansExpected: boolean): boolean {
  return added.AgentInfo.rows >= agentStarts && (!spansExpected || added.TraceV2.rows > 0);
}
