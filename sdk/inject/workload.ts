/**
 * Workload kinds the injector understands and where each keeps its pod template.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import type { CronJob, Job } from "kubernetes-types/batch/v1";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";

export type Workload = Deployment | StatefulSet | DaemonSet | ReplicaSet | Job | CronJob;

/** apiVersion of each kind the injector can instrument. */
export const WORKLOAD_KINDS = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
} as const;

export type WorkloadKind = keyof typeof WORKLOAD_KINDS;
export const ALL_WORKLOAD_KINDS = Object.keys(WORKLOAD_KINDS) as WorkloadKind[];
/** Only Deployments unless a kind is enabled: the mission instruments Deployments. */
export const DEFAULT_KINDS: readonly WorkloadKind[] = ["Deployment"];

export function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return typeof kind === "string" && Object.prototype.hasOwnProperty.call(WORKLOAD_KINDS, kind);
}

/** The Pulumi type token of a kind, e.g. `kubernetes:apps/v1:Deployment`. */
export function pulumiTypeOf(kind: WorkloadKind): string {
  return `kubernetes:${WORKLOAD_KINDS[kind]}:${kind}`;
}

/** The kind a Pulumi type token names, if it is a workload kind. */
export function kindOfPulumiType(type: string): WorkloadKind | undefined {
  const m = /^kubernetes:(apps|batch)\/v1:(\w+)$/.exec(type);
  return m && isWorkloadKind(m[2]) && WORKLOAD_KINDS[m[2]] === `${m[1]}/v1` ? m[2] : undefined;
}

/** The pod template of a workload, or undefined when the object has none yet. */
export function podTemplateOf(workload: Workload): PodTemplateSpec | undefined {
  if (workload.kind === "CronJob") {
    return (workload as CronJob).spec?.jobTemplate?.spec?.template;
  }
  return (workload as Deployment).spec?.template;
}

/** A readable reference for messages: `Deployment default/tomcat-zffw`. */
export function describeWorkload(workload: Workload, fallbackName?: string): string {
  const meta: ObjectMeta = workload.metadata ?? {};
  const name = meta.name ?? fallbackName ?? "<unnamed>";
  return `${workload.kind ?? "object"} ${meta.namespace ? `${meta.namespace}/` : ""}${name}`;
}

/**
 * A per-workload setting: the pod template's annotation wins over the
 * workload's own, so either place works.
 */
export function annotationOf(workload: Workload, key: string): string | undefined {
  return podTemplateOf(workload)?.metadata?.annotations?.[key] ?? workload.metadata?.annotations?.[key];
}

/**
 * Why an object of a kind the injector does not instrument is left alone.
 * An object that carries containers (a bare Pod, an Argo Rollout, a Knative
 * Service, an OpenKruise CloneSet) hears why it is not supported; anything
 * else is simply not a workload.
 */
export function unsupportedKindReason(obj: { kind?: unknown; apiVersion?: unknown; spec?: unknown }): string {
  const kind = String(obj.kind);
  const spec = obj.spec as { containers?: unknown; template?: { spec?: { containers?: unknown } } } | undefined;
  const supported = `supported kinds: ${ALL_WORKLOAD_KINDS.join(", ")}`;
  if (kind === "Pod" || Array.isArray(spec?.containers)) {
    return `kind ${kind} is not supported: its containers are the pod's own (no pod template), and a running pod's containers cannot be changed; instrument the workload that creates it (${supported})`;
  }
  if (Array.isArray(spec?.template?.spec?.containers)) {
    return `kind ${kind} (${String(obj.apiVersion)}) is not supported: it has a pod template (spec.template), but its controller's rollout, and which fields it reads, are its own, not a Deployment's; ${supported}`;
  }
  return `kind ${kind} is not a workload`;
}
