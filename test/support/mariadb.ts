/**
 * A throwaway MariaDB server (Debian's mariadb-server) on a free 127.0.0.1
 * port with its data in a temp folder, for running the schema Job's SQL for
 * real. Grant tables are skipped: any user and password get in, as the Job's
 * `pinpoint` user does in the cluster.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../e2e/registry";

export interface Mariadb {
  port: number;
  /** Runs SQL as root on the given database; returns the tab-separated rows. */
  query(sql: string, database?: string): string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startMariadb(dir: string): Promise<Mariadb> {
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { recursive: true });
  execFileSync("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "ignore" });
  const port = await freePort();
  const server: ChildProcess = spawn(
    "mariadbd",
    ["--no-defaults", `--datadir=${data}`, "--user=root", `--port=${port}`, "--bind-address=127.0.0.1", `--socket=${path.join(dir, "sock")}`, "--skip-grant-tables", `--pid-file=${path.join(dir, "pid")}`],
    { stdio: ["ignore", "ignore", fs.openSync(path.join(dir, "server.log"), "a")] },
  );
  const query = (sql: string, database?: string) =>
    execFileSync("mariadb", ["--protocol=tcp", "-h", "127.0.0.1", "-P", String(port), "-u", "root", "-N", "-B", ...(database ? [database] : []), "-e", sql], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  };
  // Up when it answers; the data folder is fresh, so this takes a few seconds.
  for (let i = 0; ; i++) {
    try {
      query("SELECT 1");
      return { port, query, stop };
    } catch (e) {
      if (server.exitCode !== null || i > 120) {
        await stop();
        throw new Error(`mariadbd did not start: ${fs.readFileSync(path.join(dir, "server.log"), "utf8").slice(-2000)}`);
      }
      await sleep(250);
    }
  }
}
