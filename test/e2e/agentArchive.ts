/**
 * Agent archives in the layouts users hand over, made with the system `tar`:
 * the official `pinpoint-agent-<ver>.tar.gz` (one top folder, versioned jar),
 * a flat `pp_agent.tgz` like the seed's, or an unpacked folder.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export type Layout = "official" | "official-versioned-only" | "flat" | "folder";

export interface AgentTree {
  version: string;
  /** The bootstrap jar's bytes (a real Java agent in the e2e test, any bytes elsewhere). */
  jar: Buffer;
  /** Extra files, relative to the agent home. */
  extra?: Record<string, string>;
}

/** The files of an agent home, as the official archive holds them. */
function agentFiles(t: AgentTree, withUnversioned: boolean): Record<string, Buffer | string> {
  const files: Record<string, Buffer | string> = {
    [`pinpoint-bootstrap-${t.version}.jar`]: t.jar,
    "pinpoint-root.config": "profiler.transport.grpc.collector.ip=127.0.0.1\n",
    "profiles/release/pinpoint.config": "profiler.sampling.rate=20\n",
    "profiles/local/pinpoint.config": "profiler.sampling.rate=1\n",
    [`boot/pinpoint-commons-${t.version}.jar`]: "boot",
    [`lib/pinpoint-profiler-${t.version}.jar`]: "lib",
    [`plugin/pinpoint-tomcat-plugin-${t.version}.jar`]: "plugin",
    ...(t.extra ?? {}),
  };
  if (withUnversioned) files["pinpoint-bootstrap.jar"] = t.jar;
  return files;
}

function writeFiles(dir: string, files: Record<string, Buffer | string>, mtime?: Date): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    if (mtime) fs.utimesSync(p, mtime, mtime);
  }
}

/**
 * Writes the agent in the given layout under `workDir` and returns the path to
 * hand to prepareBuildContext. `mtime` varies the archive bytes, not the agent.
 */
export function makeAgent(workDir: string, layout: Layout, t: AgentTree, mtime?: Date): string {
  fs.mkdirSync(workDir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(workDir, "stage-"));
  if (layout === "flat") {
    writeFiles(stage, agentFiles(t, true), mtime);
    const out = path.join(workDir, "pp_agent.tgz");
    execFileSync("tar", ["-czf", out, "-C", stage, "."]);
    return out;
  }
  const top = `pinpoint-agent-${t.version}`;
  writeFiles(path.join(stage, top), agentFiles(t, layout !== "official-versioned-only"), mtime);
  if (layout === "folder") return path.join(stage, top);
  const out = path.join(workDir, `${top}.tar.gz`);
  execFileSync("tar", ["-czf", out, "-C", stage, top]);
  return out;
}
