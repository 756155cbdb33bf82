/**
 * Part 6: what the real Pinpoint agent costs a JVM app, measured with the
 * released archive the end to end uses (test/e2e/pinpoint/maven/pom.xml pins
 * it; run `npm run e2e` or the Maven step of .ci/run first). Two apps: the
 * plain JVM app of the end to end (agent through JAVA_TOOL_OPTIONS) and Tomcat
 * 9 with a one-page webapp (`catalina.sh run`, agent through CATALINA_OPTS),
 * each started with the agent and without, side by side. The agent gets the
 * flags injection writes and a collector address where nothing listens: the
 * cost measured is the agent's own work in the JVM, not the network.
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { AGENT_ARCHIVE, releasedArtifact, RESOLVE_HINT, TOMCAT_ARCHIVE } from "./lib/artifacts";
import { interleave, runChild } from "./lib/child";
import { ROOT, worker } from "./lib/paths";
import { PartResult, Row } from "./lib/report";
import { fmtMs, fmtUs, median, spread } from "./lib/stats";
import type { JvmResult } from "./workers/jvm";

export interface JvmSetup {
  agentOptions: string;
  /** The plain app's own option, as its Deployment in the end to end sets it: its traced entry point (no plugin covers the JDK's HTTP server). */
  plainOptions: string;
  tomcatHome: string;
  tomcatPort: number;
  plainClasses: string;
  plainPort: number;
  warmup: number;
  requests: number;
}

const pairRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));

/** A port free now (the apps bind 127.0.0.1 or all addresses on it right after). */
function freePort(): number {
  const out = execFileSync(process.execPath, ["-e", "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: "utf8" });
  return Number(out.trim());
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

export function agentCost(reps: number, log: (s: string) => void): PartResult {
  const agentArchive = releasedArtifact(AGENT_ARCHIVE);
  const tomcatArchive = releasedArtifact(TOMCAT_ARCHIVE);
  if (!agentArchive || !tomcatArchive) throw new Error(`part 6 needs the released agent and Tomcat: ${RESOLVE_HINT}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinpoint-bench-agent-"));
  try {
    // The agent as the init container leaves it: the archive's top folder's files.
    const agentRoot = path.join(dir, "agent");
    fs.mkdirSync(agentRoot);
    sh("tar", ["xzf", agentArchive, "-C", agentRoot, "--strip-components=1"]);
    const files = sh("find", [agentRoot, "-type", "f"]).trim().split("\n");
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const archiveBytes = fs.statSync(agentArchive).size;
    const version = /pinpoint-agent-(.*)\.tar\.gz$/.exec(agentArchive)![1];

    const tomcatHome = path.join(dir, "tomcat");
    fs.mkdirSync(tomcatHome);
    sh("tar", ["xzf", tomcatArchive, "-C", tomcatHome, "--strip-components=1"]);
    const webapps = path.join(tomcatHome, "webapps");
    for (const a of fs.readdirSync(webapps)) fs.rmSync(path.join(webapps, a), { recursive: true, force: true });
    fs.mkdirSync(path.join(webapps, "ROOT"), { recursive: true });
    fs.writeFileSync(path.join(webapps, "ROOT", "index.jsp"), '<%@ page contentType="text/plain" %>tomcat-zffw: <%= request.getRequestURI() %>\n');
    const tomcatPort = freePort();
    const serverXml = path.join(tomcatHome, "conf", "server.xml");
    fs.writeFileSync(serverXml, fs.readFileSync(serverXml, "utf8").replace('port="8080"', `port="${tomcatPort}" address="127.0.0.1"`).replace('port="8005"', 'port="-1"'));
    const plainClasses = path.join(dir, "plain");
    sh("javac", ["-d", plainClasses, path.join(ROOT, "test", "e2e", "pinpoint", "java", "PlainApp.java")]);

    const noCollector = freePort();
    const setup: JvmSetup = {
      // What injection writes, with the pod's values filled in; the collector's ports are closed.
      agentOptions: [
        `-javaagent:${agentRoot}/pinpoint-bootstrap.jar`,
        "-Dpinpoint.agentId=10.244.1.20",
        "-Dpinpoint.applicationName=dev-bench",
        "-Dpinpoint.agentName=bench-5d7c9f8b6-k2x7q",
        "-Dpinpoint.container",
        "-Dpinpoint.profiler.profiles.active=release",
        "-Dprofiler.transport.grpc.collector.ip=127.0.0.1",
        ...["agent", "metadata", "stat", "span"].map((k) => `-Dprofiler.transport.grpc.${k}.collector.port=${noCollector}`),
      ].join(" "),
      plainOptions: "-Dprofiler.entrypoint=e2e.PlainApp.handle",
      tomcatHome,
      tomcatPort,
      plainClasses,
      plainPort: freePort(),
      warmup: 100,
      requests: 500,
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
    const notes: string[] = [`agent ${version} from ${path.basename(agentArchive)}; Tomcat from ${path.basename(tomcatArchive)}; ${reps} pairs per app, alternating order; ${setup.requests} sequential requests after ${setup.warmup} warm-up ones per run`];
    for (const app of ["plain", "tomcat"] as const) {
      log(`part 6: ${app} with and without the agent, ${reps} pairs`);
      const { a: on, b: off } = interleave(
        reps,
        () => runChild<JvmResult>(script, [setupFile, app, "on"]).result,
        () => runChild<JvmResult>(script, [setupFile, app, "off"]).result,
      );
      const name = app === "plain" ? "plain JVM app (JAVA_TOOL_OPTIONS)" : "Tomcat 9 (CATALINA_OPTS)";
      const start = (rs: JvmResult[]) => rs.map((r) => r.startMs);
      const lat = (rs: JvmResult[]) => rs.map((r) => r.medianUs);
      const p95 = (rs: JvmResult[]) => rs.map((r) => r.p95Us);
      rows.push(
        { figure: `${name}: start to first response, agent / none`, value: `${fmtMs(median(start(on)))} agent`, baseline: `${fmtMs(median(start(off)))} none`, ratio: pairRatio(start(on), start(off)), target: "–", verdict: "info" },
        { figure: `${name}: request latency (median), agent / none`, value: `${fmtUs(median(lat(on)))} agent`, baseline: `${fmtUs(median(lat(off)))} none`, ratio: pairRatio(lat(on), lat(off)), target: "–", verdict: "info" },
        { figure: `${name}: request latency (p95), agent / none`, value: `${fmtUs(median(p95(on)))} agent`, baseline: `${fmtUs(median(p95(off)))} none`, ratio: pairRatio(p95(on), p95(off)), target: "–", verdict: "info" },
      );
      notes.push(
        `${name}: start agent ${spread(start(on), fmtMs)}, none ${spread(start(off), fmtMs)}; median latency agent ${spread(lat(on), fmtUs)}, none ${spread(lat(off), fmtUs)}`,
      );
    }
    notes.push(
      "Start is spawn to the first HTTP 200 (Tomcat: catalina.sh run, JSP compiled on that first request either way). Latency is a client on the same machine over loopback, one request at a time, so it is the app's time plus the agent's per-request work; the agent samples 1 in 20 transactions by default (profiler.sampling.counting.sampling-rate), and without a collector its sampled spans are dropped after serialisation. Verdicts are info: these are the agent's costs, not ours to meet.",
    );
    return { title: "6. The real Pinpoint agent in the JVM", rows, notes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
