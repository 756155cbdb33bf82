/**
 * Reads back what inject() left on a workload, from its status record: for
 * reports and the render's table, without a second copy of the rules.
 */
import { deliveredImage } from "./delivery";
import { indexOfEnv } from "./env";
import { readStatus } from "./status";
import { describeWorkload, podTemplateOf, Workload } from "./workload";

/** The flag agentFlags() writes for the collector host (javaagent.ts). */
export const COLLECTOR_HOST_FLAG = "-Dprofiler.transport.grpc.collector.ip=";

export interface InjectionSummary {
  applicationName: string;
  /** The instrumented containers. */
  containers: string[];
  /** The agent image (the init container's, or the image volume's); undefined if someone removed it. */
  image?: string;
  /** From the first instrumented container's flags; undefined: the agent's own config decides. */
  collectorHost?: string;
}

/** What injection added to the workload, or undefined when it carries no injection. */
export function describeInjection(workload: Workload): InjectionSummary | undefined {
  const template = podTemplateOf(workload);
  const status = readStatus(template, describeWorkload(workload));
  if (!status) return undefined;
  const spec = template?.spec;
  const containers = Object.keys(status.containers);
  const first = spec?.containers?.find((c) => c.name === containers[0]);
  const options = first?.env?.[indexOfEnv(first.env, status.containers[containers[0]]?.options.name ?? "")]?.value ?? "";
  const flag = options.split(/\s+/).find((f) => f.startsWith(COLLECTOR_HOST_FLAG));
  return {
    applicationName: status.applicationName,
    containers,
    image: deliveredImage(spec),
    collectorHost: flag?.slice(COLLECTOR_HOST_FLAG.length),
  };
}
