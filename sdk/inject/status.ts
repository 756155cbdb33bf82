/**
 * The record injection leaves on the pod template (Istio's approach): exactly
 * what was added, so injecting again first strips the old parts and uninject
 * removes those and nothing else.
 */
import { ANNOTATION_STATUS } from "./constants";
import type { AgentDelivery } from "./delivery";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";

export interface ContainerStatus {
  /** Variables added for `$(…)` references (POD_IP, POD_NAME); reused ones are not listed. */
  env: string[];
  volumeMounts: string[];
  /**
   * The options variable: created by injection with `value`, or `appended` to
   * the user's value. The text is kept so it can be taken out again even after
   * the user added flags of their own to the variable.
   */
  options: { name: string; appended?: string; valueWasUnset?: boolean; value?: string };
  /** Fields that did not exist before injection (`env`, `volumeMounts`). */
  created: string[];
  /** Of those, the ones that were there with no value (null), and go back to it (nulls.ts). */
  nulls?: string[];
}

export interface InjectionStatus {
  version: 1;
  applicationName: string;
  /** How the agent was delivered; absent for the default, `copy`. */
  agentDelivery?: AgentDelivery;
  initContainers: string[];
  volumes: string[];
  imagePullSecrets: string[];
  /** Pod-level fields that did not exist before injection. */
  created: string[];
  /** Of those, the ones that were there with no value (null), and go back to it (nulls.ts). */
  nulls?: string[];
  containers: Record<string, ContainerStatus>;
  /**
   * Fingerprint of each part added (fingerprint.ts), by partKey: a part whose
   * fingerprint differs, or a record without them, proves nothing and is kept.
   */
  fingerprints?: Record<string, string>;
}

export function readStatus(template: PodTemplateSpec | undefined, where: string): InjectionStatus | undefined {
  const raw = template?.metadata?.annotations?.[ANNOTATION_STATUS];
  if (raw === undefined) return undefined;
  let future: number | undefined;
  try {
    const status = JSON.parse(raw) as InjectionStatus;
    if (status && status.version === 1 && typeof status.containers === "object" && status.containers !== null && !Array.isArray(status.containers)) return status;
    // A newer release wrote it: that release knows how to take its parts out.
    if (status && typeof status.version === "number" && status.version > 1) future = status.version;
  } catch {
    // fall through to the error below
  }
  if (future !== undefined) {
    throw new Error(
      `${where}: annotation ${ANNOTATION_STATUS} was written by a newer version of @fjhb/pulumi-pinpoint (record version ${future}; this one reads 1): upgrade the package (or pinpoint-inject) to change or remove this injection`,
    );
  }
  throw new Error(
    `${where}: annotation ${ANNOTATION_STATUS} is not a status this version wrote; remove the annotation and the injected parts by hand, then inject again`,
  );
}

export function writeStatus(template: PodTemplateSpec, status: InjectionStatus): void {
  template.metadata!.annotations![ANNOTATION_STATUS] = JSON.stringify(status);
}
