/**
 * How PinpointApm uses PinpointServer: with `deployServer` it creates the server
 * as its child and points the agents at the collector Service; without it, the
 * agents need `pinpoint:collectorHost`. Kept here so pinpointApm.ts only calls in.
 */
import * as pulumi from "@pulumi/pulumi";
import { argOr, CONFIG_NAMESPACE, ConfigError, ConfigReader, declareConfigKeys } from "../config";
import { checkApmVersions, VersionPairArgs } from "./compatibility";
import type { PinpointServerArgs } from "./config";
import { PinpointServer } from "./pinpointServer";

declareConfigKeys({
  deployServer: "boolean, default false: deploy the Pinpoint server (PinpointServer) as a child of PinpointApm; the agents then report to its collector",
});

/** PinpointApm's arguments for the server. */
export interface ServerApmArgs {
  /** Deploy the Pinpoint server. Default: `pinpoint:deployServer`, else false. */
  deployServer?: pulumi.Input<boolean>;
  /** Its namespace. Default: `pinpoint:serverNamespace`, else `pinpoint`. */
  serverNamespace?: pulumi.Input<string>;
  /** Its release. Default: `pinpoint:version`, else the newest supported. */
  version?: pulumi.Input<string>;
  /** The release of a collector this stack does not deploy (`pinpoint:collectorVersion`), checked against the agent's. */
  collectorVersion?: pulumi.Input<string>;
  /** Every other server setting (namespace and version above win over the ones here). */
  server?: PinpointServerArgs;
}

/** The collector settings of PinpointApm's instrumentation inputs, which the server fills in. */
export interface CollectorInputs {
  collectorHost: pulumi.Input<string> | undefined;
  collectorAgentPort: pulumi.Input<number> | undefined;
  collectorStatPort: pulumi.Input<number> | undefined;
  collectorSpanPort: pulumi.Input<number> | undefined;
}

const COLLECTOR_KEYS = ["collectorHost", "collectorAgentPort", "collectorStatPort", "collectorSpanPort"] as const;

/**
 * Creates the server when asked and writes its collector address into `inputs`.
 * A collector setting given as well would send the agents elsewhere: an error.
 */
export function wireServer(
  name: string,
  args: ServerApmArgs & VersionPairArgs,
  c: ConfigReader,
  inputs: CollectorInputs,
  parent: pulumi.Resource,
): PinpointServer | undefined {
  const deploy = argOr(args.deployServer, c.boolean("deployServer"));
  if (pulumi.Output.isInstance(deploy) || deploy instanceof Promise) {
    throw new ConfigError("deployServer", "must be known at preview", "pass a plain boolean, not an Output");
  }
  // An agent/collector pair upstream's table rules out fails here, naming both keys, before anything is created.
  checkApmVersions(args, c, deploy === true);
  if (!deploy) return undefined;
  for (const key of COLLECTOR_KEYS) {
    const v = inputs[key];
    if (v !== undefined && v !== "") {
      throw new ConfigError(
        key,
        `is set, and ${CONFIG_NAMESPACE}:deployServer is true (the agents report to the deployed collector)`,
        `remove it (\`pulumi config rm ${CONFIG_NAMESPACE}:${key}\`), or set ${CONFIG_NAMESPACE}:deployServer false to use that collector`,
      );
    }
  }
  const server = new PinpointServer(
    `${name}-server`,
    { ...args.server, namespace: args.serverNamespace ?? args.server?.namespace, version: args.version ?? args.server?.version },
    { parent },
  );
  inputs.collectorHost = server.collector.host;
  inputs.collectorAgentPort = server.collector.agentPort;
  inputs.collectorStatPort = server.collector.statPort;
  inputs.collectorSpanPort = server.collector.spanPort;
  return server;
}

/** Instrumentation without a collector would send nowhere: fail the preview naming the keys to set. */
export function requireCollector(enabled: boolean, collectorHost: string | undefined): void {
  if (!enabled || (collectorHost !== undefined && collectorHost !== "")) return;
  throw new ConfigError(
    "collectorHost",
    "is not set, and instrumentation is on with no Pinpoint server deployed",
    `set where the collector is (\`pulumi config set ${CONFIG_NAMESPACE}:collectorHost <host>\`), or deploy one (\`pulumi config set ${CONFIG_NAMESPACE}:deployServer true\`)`,
  );
}
