/**
 * A container's environment as the kubelet builds it: `envFrom` sources first
 * (in order, a later one winning, each key under its prefix), then `env`
 * entries in order, `valueFrom.fieldRef` from the pod,
 * `secretKeyRef`/`configMapKeyRef` from the objects given, and `$(VAR)` in a
 * value expanded from what is defined before it: the envFrom keys, the service
 * links and the earlier entries (`$$` escapes; an unknown reference stays as
 * written).
 */
import type { ConfigMap, EnvFromSource, EnvVar, Secret } from "kubernetes-types/core/v1";

export interface PodFields {
  "status.podIP": string;
  "metadata.name": string;
  "metadata.namespace": string;
}

/** Kubernetes' expansion (third_party/forked/golang/expansion): $(NAME), $$ → $, anything else literal. */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const end = input.indexOf(")", i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name) : `$(${name})`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** The Secrets and ConfigMaps of the pod's namespace, for secretKeyRef and configMapKeyRef. */
export interface EnvSources {
  secrets?: readonly Secret[];
  configMaps?: readonly ConfigMap[];
}

/** A key of a Secret: `stringData` (as written) or base64 `data` (as stored). */
function secretValue(sources: EnvSources, name: string, key: string): string | undefined {
  const secret = sources.secrets?.find((s) => s.metadata?.name === name);
  if (!secret) return undefined;
  if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
  const data = secret.data?.[key];
  return data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8");
}

function valueFrom(e: EnvVar, pod: PodFields | Readonly<Record<string, string>>, sources: EnvSources): string {
  const from = e.valueFrom!;
  if (from.fieldRef) {
    const field = from.fieldRef.fieldPath;
    if (!(field in pod)) throw new Error(`env ${e.name}: fieldRef ${field} is not given (given: ${Object.keys(pod).join(", ")})`);
    return (pod as Record<string, string>)[field];
  }
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const value = from.secretKeyRef
      ? secretValue(sources, ref.name!, ref.key)
      : sources.configMaps?.find((c) => c.metadata?.name === ref.name)?.data?.[ref.key];
    if (value === undefined) throw new Error(`env ${e.name}: ${from.secretKeyRef ? "Secret" : "ConfigMap"} ${ref.name} has no key ${ref.key}`);
    return value;
  }
  throw new Error(`env ${e.name}: only fieldRef, secretKeyRef and configMapKeyRef are resolved here`);
}

/**
 * `envFrom` as the kubelet of Kubernetes 1.36 reads it (pkg/kubelet/kubelet_pods.go): a
 * missing ConfigMap or Secret is an error unless `optional`; every key is taken under its
 * prefix, whatever its characters (that kubelet no longer skips names it once called
 * invalid); a Secret's values decoded (stringData as written, data from base64).
 */
export function resolveEnvFrom(envFrom: readonly EnvFromSource[] | undefined, sources: EnvSources = {}): Map<string, string> {
  const vars = new Map<string, string>();
  for (const from of envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? "ConfigMap" : "Secret";
    const values = from.configMapRef ? configMapValues(sources, ref.name!) : secretValues(sources, ref.name!);
    if (!values) {
      if (ref.optional) continue;
      throw new Error(`envFrom: ${kind} ${ref.name} not found (the kubelet would not start the container: CreateContainerConfigError)`);
    }
    for (const [key, value] of Object.entries(values)) {
      vars.set(`${from.prefix ?? ""}${key}`, value);
    }
  }
  return vars;
}

function configMapValues(sources: EnvSources, name: string): Record<string, string> | undefined {
  return sources.configMaps?.find((c) => c.metadata?.name === name)?.data ?? (sources.configMaps?.some((c) => c.metadata?.name === name) ? {} : undefined);
}

function secretValues(sources: EnvSources, name: string): Record<string, string> | undefined {
  const secret = sources.secrets?.find((s) => s.metadata?.name === name);
  if (!secret) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, "base64").toString("utf8");
  return { ...out, ...(secret.stringData ?? {}) };
}

/** `defined`: what the container has before its `env` (envFrom, service links), for `$(VAR)`; returned with the entries over it. */
export function resolveEnv(
  env: readonly EnvVar[] | undefined,
  pod: PodFields | Readonly<Record<string, string>>,
  sources: EnvSources = {},
  defined: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const vars = new Map<string, string>(defined);
  for (const e of env ?? []) {
    if (e.valueFrom) {
      vars.set(e.name, valueFrom(e, pod, sources));
    } else {
      vars.set(e.name, expand(e.value ?? "", vars));
    }
  }
  return vars;
}
