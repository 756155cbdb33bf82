/**
 * What PinpointApm exports for the report (its `status` output), and finding
 * it in `pulumi stack output --json`, whatever the program named it.
 */

export const STATUS_OUTPUTS_SCHEMA = "pinpoint-status/v1";

export interface StatusOutputs {
  /** Always STATUS_OUTPUTS_SCHEMA; a plain string, since the schema for other Pulumi languages has no literal types. */
  schema: string;
  enabled: boolean;
  applicationNamePrefix: string;
  /** `podIP` or `generated` (pinpoint:agentIdSource). */
  agentIdSource: string;
  /**
   * The deployed web: its Service inside the cluster, its Ingress, its login user; absent when not deployed here
   * (optional, not `| null`: the schema for other Pulumi languages has no unions; readers also take null).
   */
  webClusterUrl?: string;
  webIngressUrl?: string;
  webLoginUser?: string;
}

/**
 * The status object among a stack's outputs: the one whose `schema` is ours,
 * exported at any key, in `pulumi stack output --json` or under `outputs` in
 * `pinpoint-render --stack-outputs`.
 */
export function findStatusOutputs(outputs: unknown, depth = 2): StatusOutputs | undefined {
  if (!outputs || typeof outputs !== "object") return undefined;
  if ((outputs as { schema?: unknown }).schema === STATUS_OUTPUTS_SCHEMA) return outputs as StatusOutputs;
  if (depth === 0) return undefined;
  for (const v of Object.values(outputs as Record<string, unknown>)) {
    const found = findStatusOutputs(v, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** The URL to ask: the Ingress from outside the cluster, the Service from inside. */
export function webUrlOf(o: StatusOutputs, inCluster: boolean): string | undefined {
  return (inCluster ? o.webClusterUrl ?? o.webIngressUrl : o.webIngressUrl ?? o.webClusterUrl) ?? undefined;
}
