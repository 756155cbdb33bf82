/**
 * A container's environment as the kubelet builds it: entries in order,
 * `valueFrom.fieldRef` from the pod, and `$(VAR)` in a value expanded from the
 * entries before it (`$$` escapes; an unknown reference stays as written).
 */
import type { EnvVar } from "kubernetes-types/core/v1";

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

export function resolveEnv(env: readonly EnvVar[] | undefined, pod: PodFields): Map<string, string> {
  const vars = new Map<string, string>();
  for (const e of env ?? []) {
    if (e.valueFrom) {
      const field = e.valueFrom.fieldRef?.fieldPath;
      if (!field || !(field in pod)) throw new Error(`env ${e.name}: only fieldRef ${Object.keys(pod).join(", ")} are resolved here`);
      vars.set(e.name, pod[field as keyof PodFields]);
    } else {
      vars.set(e.name, expand(e.value ?? "", vars));
    }
  }
  return vars;
}
