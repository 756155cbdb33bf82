/**
 * A container's environment as the kubelet builds it: entries in order,
 * `valueFrom.fieldRef` from the pod, `secretKeyRef`/`configMapKeyRef` from the
 * objects given, and `$(VAR)` in a value expanded from the entries before it
 * (`$$` escapes; an unknown reference stays as written).
 */
import type { ConfigMap, EnvVar, Secret } from "kubernetes-types/core/v1";

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

export function resolveEnv(env: readonly EnvVar[] | undefined, pod: PodFields | Readonly<Record<string, string>>, sources: EnvSources = {}): Map<string, string> {
  const vars = new Map<string, string>();
  for (const e of env ?? []) {
    if (e.valueFrom) {
      vars.set(e.name, valueFrom(e, pod, sources));
    } else {
      vars.set(e.name, expand(e.value ?? "", vars));
    }
  }
  return vars;
}
