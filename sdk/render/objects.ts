/**
 * Which registered resources are Kubernetes objects, what each looks like on
 * the cluster, and the file it is written to. File names sort by kind (in the
 * order objects are applied: namespaces first, workloads after their config)
 * and then by namespace and name.
 */
import { fittingFileName } from "./safeNames";
import type { RegisteredResource } from "./mockEngine";

/** Every Kubernetes type token starts so: `kubernetes:apps/v1:Deployment`. */
const KUBERNETES_TYPE = /^kubernetes:([^:]+):([^:]+)$/;
/**
 * Provider modules that are not Kubernetes API groups: components and groups
 * (`yaml/v2` ConfigGroup, `helm.sh/v4` Chart, kustomize) whose children are the objects.
 */
const NOT_API_GROUPS = /^(yaml|helm\.sh|kustomize)(\/|$)/;
/** The `core` group has no prefix in apiVersion. */
const CORE_GROUP = "core";
/** Helm's install order, roughly: what others refer to comes first. */
const KIND_ORDER: readonly string[] = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "Ingress",
];
/** Kinds not in the list go last. */
const UNKNOWN_KIND_ORDER = KIND_ORDER.length;
const ORDER_STEP = 10;
const ORDER_DIGITS = 3;
/** Characters kept in file names; others become `_`. */
const FILE_NAME_UNSAFE = /[^A-Za-z0-9._-]/g;
/** What a Secret's data shows instead of its values: the provider treats them as secret whatever the program says. */
const SECRET_KINDS_DATA = ["data", "stringData"];

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface RenderedObject {
  /** File name under out/<stack>/. */
  file: string;
  object: KubernetesObject;
  /** The Pulumi resource it came from. */
  resource: RegisteredResource;
}

/** `kubernetes:apps/v1:Deployment` → `apps/v1` and `Deployment`; undefined for components and non-Kubernetes types. */
export function apiVersionOf(type: string): { apiVersion: string; kind: string } | undefined {
  const m = KUBERNETES_TYPE.exec(type);
  if (!m || NOT_API_GROUPS.test(m[1])) return undefined;
  const [group, version] = m[1].split("/");
  if (!version) return undefined;
  return { apiVersion: group === CORE_GROUP ? version : `${group}/${version}`, kind: m[2] };
}

/**
 * The Kubernetes objects of a run, file names assigned. `mask` replaces each
 * value of a Secret's data.
 */
export function kubernetesObjects(resources: readonly RegisteredResource[], mask: (v: unknown) => unknown): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const r of resources) {
    const api = apiVersionOf(r.type);
    if (!api || !r.custom) continue;
    // apiVersion and kind first, as kubectl writes them; the resource's inputs are the object.
    const object: KubernetesObject = { apiVersion: api.apiVersion, kind: api.kind, ...r.inputs } as KubernetesObject;
    object.apiVersion = api.apiVersion;
    object.kind = api.kind;
    if (api.kind === "Secret") {
      for (const key of SECRET_KINDS_DATA) if (object[key] !== undefined) object[key] = mask(object[key]);
    }
    out.push({ file: "", object, resource: r });
  }
  const named = out.map((o) => ({ o, base: baseName(o.object, o.resource.name) }));
  named.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const seen = new Map<string, number>();
  for (const { o, base } of named) {
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    // Names at their valid maximum (253 characters, and a namespace) are longer than a file name may be.
    o.file = fittingFileName(`${base}${n > 1 ? `-${n}` : ""}`, ".yaml");
  }
  return named.map(({ o }) => o);
}

/** `020-Deployment-dev-tomcat-zffw`: order, kind, namespace (if any), name (the resource's when unnamed). */
function baseName(o: KubernetesObject, resourceName: string): string {
  const index = KIND_ORDER.indexOf(o.kind);
  const order = String((index >= 0 ? index : UNKNOWN_KIND_ORDER) * ORDER_STEP).padStart(ORDER_DIGITS, "0");
  const parts = [order, o.kind, o.metadata?.namespace, o.metadata?.name ?? resourceName].filter((p): p is string => typeof p === "string" && p !== "");
  return parts.map((p) => p.replace(FILE_NAME_UNSAFE, "_")).join("-");
}
