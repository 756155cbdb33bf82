/**
 * The keys of ConfigMaps and Secrets the caller could see (the CLI's input, the
 * stack's resources so far), so an `envFrom` source is looked up instead of
 * assumed to set the agent's variable. Plain data, keyed by kind, namespace and
 * name; a source not listed is one the caller could not see.
 */
import type { ConfigMap, Secret } from "kubernetes-types/core/v1";

export type EnvSourceKind = "ConfigMap" | "Secret";

/** `ConfigMap/<namespace>/<name>` → the keys it defines; namespace "" when the object names none. */
export type EnvSources = Readonly<Record<string, readonly string[]>>;

export function envSourceKey(kind: EnvSourceKind, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

/**
 * The keys of a source as a workload in `namespace` sees it: the same namespace
 * first, then one that names no namespace (both land in the namespace they are
 * applied to). Undefined: not visible.
 */
export function lookUpSource(sources: EnvSources | undefined, kind: EnvSourceKind, name: string, namespace: string | undefined): readonly string[] | undefined {
  if (!sources) return undefined;
  return sources[envSourceKey(kind, namespace, name)] ?? (namespace ? sources[envSourceKey(kind, undefined, name)] : undefined);
}

/** The keys a ConfigMap or Secret object defines (data, binaryData, stringData); undefined for any other object. */
export function keysOf(obj: unknown): { key: string; keys: string[] } | undefined {
  if (obj === null || typeof obj !== "object") return undefined;
  const o = obj as Partial<ConfigMap & Secret> & { kind?: unknown; apiVersion?: unknown };
  if ((o.kind !== "ConfigMap" && o.kind !== "Secret") || o.apiVersion !== "v1" || typeof o.metadata?.name !== "string") return undefined;
  const parts = o.kind === "ConfigMap" ? [o.data, o.binaryData] : [o.data, o.stringData];
  // A part not yet known (a Pulumi Output) could hold any key: then the source is not visible.
  if (parts.some((p) => p !== undefined && p !== null && Object.getPrototypeOf(p) !== Object.prototype)) return undefined;
  const keys = parts.flatMap((p) => (p ? Object.keys(p) : []));
  return { key: envSourceKey(o.kind, o.metadata.namespace, o.metadata.name), keys };
}
