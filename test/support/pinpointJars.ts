/**
 * How the Pinpoint server's released jars are run outside their images, shared
 * by the real-Pinpoint end to end (test/e2e/pinpoint/standIns.ts plays the
 * images with them) and bench part 6 (a collector on 127.0.0.1 that the
 * measured agents report to). Node built-ins only, and no path relative to
 * this file: the bench runs it compiled from bench/out.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** HBase (and the collector's HBase client) on Java 17: its bin/hbase adds these for JDK 11+. */
export const JAVA17_OPENS = [
  "java.base/java.lang",
  "java.base/java.lang.reflect",
  "java.base/java.io",
  "java.base/java.nio",
  "java.base/sun.nio.ch",
  "java.base/java.util",
  "java.base/java.util.concurrent",
  "java.base/jdk.internal.misc",
].flatMap((p) => ["--add-opens", `${p}=ALL-UNNAMED`]).concat(["--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true"]);

/** Server JVMs start with C1 only: start-up on two cores matters more than peak speed here. */
export const SERVER_FAST_START = ["-XX:TieredStopAtLevel=1", "-Xshare:auto"];

/** The 2.5.x collector's main class (no 3.x collector is on Maven Central). */
export const COLLECTOR_MAIN = "com.navercorp.pinpoint.collector.CollectorApp";

/**
 * What the collector needs beyond the rendered manifest's env: its HBase 1.x
 * client refuses HBase 2's version unless its own switch turns the check off.
 */
export const COLLECTOR_ENV: Readonly<Record<string, string>> = { HBASE_CLIENT_COMPATIBILITY_CHECK: "false" };

/** The collector's command line over its jars; `properties` become -D flags (Spring reads them first). */
export function collectorCommand(classpath: readonly string[], properties: Readonly<Record<string, string | number>> = {}): string[] {
  const defines = Object.entries(properties).map(([k, v]) => `-D${k}=${v}`);
  return ["java", ...SERVER_FAST_START, ...JAVA17_OPENS, ...defines, "-cp", classpath.join(":"), COLLECTOR_MAIN];
}

/** The HBase master's command line: with `hbase.cluster.distributed` false in the site file it also runs a regionserver and ZooKeeper in the same JVM. */
export function hbaseMasterCommand(confDir: string, classpath: readonly string[], heap = "1G"): string[] {
  return ["java", ...SERVER_FAST_START, ...JAVA17_OPENS, `-Xmx${heap}`, "-cp", [confDir, ...classpath].join(":"), "org.apache.hadoop.hbase.master.HMaster", "start"];
}

/** Compiles PinpointTables.java (test/e2e/pinpoint/java) against the HBase jars into `outDir`. */
export function compilePinpointTables(source: string, hbaseClasspath: readonly string[], outDir: string): string {
  execFileSync("javac", ["-d", outDir, "-cp", hbaseClasspath.join(":"), source], { stdio: ["ignore", "pipe", "pipe"] });
  return outDir;
}

/** The command line of PinpointTables (statements | shell | inspect | count) with HBase's site file from `confDir`. */
export function pinpointTablesCommand(toolsClasses: string, hbaseClasspath: readonly string[], args: readonly string[], confDir?: string): string[] {
  const cp = [toolsClasses, ...(confDir ? [confDir] : []), ...hbaseClasspath].join(":");
  return ["java", ...SERVER_FAST_START, ...JAVA17_OPENS, "-Xmx256m", "-cp", cp, "PinpointTables", ...args];
}

/**
 * `create 't', { NAME => 'f' }, …` for every table of a Pinpoint web release,
 * read from its own jar (the HbaseColumnFamily constants name every table and family).
 */
export function releaseTableStatements(toolsClasses: string, webJar: string, hbaseClasspath: readonly string[], workDir: string): string {
  const lib = path.join(workDir, "web-lib");
  fs.mkdirSync(lib, { recursive: true });
  execFileSync("unzip", ["-o", "-q", "-j", webJar, "BOOT-INF/lib/pinpoint-commons-hbase-*.jar", "BOOT-INF/lib/pinpoint-commons-[0-9]*.jar", "-d", lib]);
  const jars = fs.readdirSync(lib).map((j) => path.join(lib, j));
  const [java, ...args] = pinpointTablesCommand(toolsClasses, [...jars, ...hbaseClasspath], ["statements"]);
  return execFileSync(java, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
}

/** `table rows cells` lines of PinpointTables count, as numbers by table. */
export function parseTableCounts(output: string): Record<string, { rows: number; cells: number }> {
  const out: Record<string, { rows: number; cells: number }> = {};
  for (const m of output.matchAll(/^(\S+) (\d+) (\d+)$/gm)) out[m[1]] = { rows: Number(m[2]), cells: Number(m[3]) };
  return out;
}
