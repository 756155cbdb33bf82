/**
 * One JVM app run for part 5: starts the app (plain JVM or Tomcat), with or
 * without the real agent, times spawn → first HTTP 200, then times sequential
 * requests, stops it, and prints the figures as JSON.
 *
 *   node jvm.js <setup.json> plain|tomcat on|off
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { JvmSetup } from "../agent";

export interface JvmResult {
  startMs: number;
  /** Per-request latency, µs: median and 95th percentile of the measured requests. */
  medianUs: number;
  p95Us: number;
}

const START_TIMEOUT_MS = 180000;

function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/?order=1", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(5000, () => req.destroy());
  });
}

async function main(): Promise<void> {
  const [setupFile, app, agent] = process.argv.slice(2);
  const setup = JSON.parse(fs.readFileSync(setupFile, "utf8")) as JvmSetup;
  const options = agent === "on" ? setup.agentOptions : "";
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  let child: ChildProcess;
  const t0 = process.hrtime.bigint();
  if (app === "tomcat") {
    env.CATALINA_OPTS = options;
    child = spawn(`${setup.tomcatHome}/bin/catalina.sh`, ["run"], { env, stdio: "ignore" });
  } else {
    if (options) env.JAVA_TOOL_OPTIONS = `${setup.plainOptions} ${options}`;
    child = spawn("java", ["-cp", setup.plainClasses, "e2e.PlainApp", String(setup.plainPort)], { env, stdio: "ignore" });
  }
  const port = app === "tomcat" ? setup.tomcatPort : setup.plainPort;
  try {
    for (;;) {
      if ((await get(port)) === 200) break;
      if (Number(process.hrtime.bigint() - t0) / 1e6 > START_TIMEOUT_MS) throw new Error(`${app} did not answer within ${START_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
    // Warm-up, then the measured requests.
    for (let i = 0; i < setup.warmup; i++) await get(port);
    const us: number[] = [];
    for (let i = 0; i < setup.requests; i++) {
      const s = process.hrtime.bigint();
      if ((await get(port)) !== 200) throw new Error(`${app} request failed`);
      us.push(Number(process.hrtime.bigint() - s) / 1e3);
    }
    us.sort((a, b) => a - b);
    const result: JvmResult = { startMs, medianUs: us[Math.floor(us.length / 2)], p95Us: us[Math.floor(us.length * 0.95)] };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    child.kill("SIGKILL");
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
