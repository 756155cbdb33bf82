/**
 * Small helpers over container env lists (OTel's helper.go, in TypeScript).
 */
import type { Container, EnvVar } from "kubernetes-types/core/v1";

export function indexOfEnv(env: readonly EnvVar[] | undefined, name: string): number {
  return env ? env.findIndex((e) => e.name === name) : -1;
}

/** Is this the variable `fieldRef: <fieldPath>` and nothing else? */
export function isFieldRef(e: EnvVar, fieldPath: string): boolean {
  return e.value === undefined && e.valueFrom?.fieldRef?.fieldPath === fieldPath && Object.keys(e.valueFrom).length === 1;
}

export function fieldRefEnv(name: string, fieldPath: string): EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

export function containerNames(containers: readonly Container[]): string[] {
  return containers.map((c) => c.name);
}
