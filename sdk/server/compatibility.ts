/**
 * Agent/collector version pairs, as upstream's compatibility table (README of
 * pinpoint-apm/pinpoint, 3.1.0) has them: agent 2.x reports to collectors 2.x,
 * 3.0.x and 3.1.x; agent 3.0.x needs collector 3.0 or later; agent 3.1.x needs
 * collector 3.1.x (its default span sender is a batched RPC older collectors
 * lack). When both versions are known at preview, a pair that cannot work fails.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { argOr, CONFIG_NAMESPACE, ConfigError, ConfigReader, declareConfigKeys } from "../config";
import { DEFAULT_VERSION } from "./constants";

declareConfigKeys({
  collectorVersion: "string, e.g. 3.0.5: the release of the collector at pinpoint:collectorHost (a collector this stack does not deploy), checked against the agent version",
});

/** A version's release line. */
export interface Line {
  major: number;
  minor: number;
}

export function lineOf(version: string): Line | undefined {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?([-.].*)?$/.exec(version.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

const atLeast = (v: Line, major: number, minor: number) => v.major > major || (v.major === major && v.minor >= minor);

/** Whether an agent of this line can report to a collector of that line. */
export function collectorAccepts(agent: Line, collector: Line): boolean {
  if (agent.major < 3) return true;
  // 3.0.x agents need 3.0 or later; from 3.1 on an agent needs its own line.
  if (agent.major === 3 && agent.minor === 0) return atLeast(collector, 3, 0);
  return collector.major === agent.major && collector.minor === agent.minor;
}

/** A version and the key it came from, for the error message. */
export interface KnownVersion {
  version: string;
  key: string;
}

/** The agent version: `agentVersion`, else the archive's file name (`pinpoint-agent-<version>.tar.gz`). */
export function agentVersionOf(agentVersion: unknown, agentArchive: unknown): KnownVersion | undefined {
  if (typeof agentVersion === "string" && agentVersion.trim() !== "") return { version: agentVersion.trim(), key: "agentVersion" };
  if (typeof agentArchive === "string") {
    const m = /^pinpoint-agent-(\d+\.\d+\.\d+[^/]*?)\.(tar\.gz|tgz|zip)$/.exec(path.basename(agentArchive));
    if (m) return { version: m[1], key: "agentArchive" };
  }
  return undefined;
}

/** Fails when both versions are known and upstream's table says the pair does not work. */
export function checkVersionPair(agent: KnownVersion | undefined, collector: KnownVersion | undefined): void {
  if (!agent || !collector) return;
  const a = lineOf(agent.version);
  const c = lineOf(collector.version);
  if (!a || !c || collectorAccepts(a, c)) return;
  const needs = a.major === 3 && a.minor === 0 ? "3.0 or later" : `${a.major}.${a.minor}.x`;
  throw new ConfigError(
    agent.key,
    `gives agent ${agent.version}, and ${CONFIG_NAMESPACE}:${collector.key} gives collector ${collector.version}: agent ${a.major}.${a.minor}.x reports only to collector ${needs} (upstream's compatibility table)`,
    `use an agent of the collector's line or older (2.x reports to every collector), or a collector of ${needs} (${CONFIG_NAMESPACE}:${collector.key})`,
  );
}

/** PinpointApm's inputs that decide the pair. */
export interface VersionPairArgs {
  agentVersion?: pulumi.Input<string>;
  agentArchive?: pulumi.Input<string>;
  version?: pulumi.Input<string>;
  collectorVersion?: pulumi.Input<string>;
  server?: { version?: pulumi.Input<string> };
}

/**
 * The collector version: the deployed server's release (`version`), or
 * `collectorVersion` for a collector elsewhere; both at once is an error.
 */
export function collectorVersionOf(args: VersionPairArgs, c: ConfigReader, deployServer: boolean): KnownVersion | undefined {
  const external = argOr(args.collectorVersion, c.string("collectorVersion"));
  if (deployServer) {
    if (external !== undefined) {
      throw new ConfigError(
        "collectorVersion",
        "is set, and pinpoint:deployServer is true (the collector is the deployed one, of pinpoint:version)",
        `remove it (\`pulumi config rm ${CONFIG_NAMESPACE}:collectorVersion\`)`,
      );
    }
    const v = args.version ?? args.server?.version ?? c.string("version") ?? DEFAULT_VERSION;
    return typeof v === "string" ? { version: v, key: "version" } : undefined;
  }
  if (typeof external !== "string") return undefined;
  if (!lineOf(external)) throw new ConfigError("collectorVersion", `is "${external}", not a release such as 3.0.5`);
  return { version: external.trim(), key: "collectorVersion" };
}

/** The check PinpointApm runs at preview. */
export function checkApmVersions(args: VersionPairArgs, c: ConfigReader, deployServer: boolean): void {
  const agent = agentVersionOf(argOr(args.agentVersion, c.string("agentVersion")), argOr(args.agentArchive, c.string("agentArchive")));
  checkVersionPair(agent, collectorVersionOf(args, c, deployServer));
}
