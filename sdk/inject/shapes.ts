/**
 * Workload shapes the plain recipe would get wrong, found before anything is
 * changed: a Windows pod, a pod on the host's network, an options variable
 * defined twice, an annotation key under our prefix that is none we read.
 */
import type { Container, PodSpec } from "kubernetes-types/core/v1";
import { KNOWN_ANNOTATIONS } from "./constants";
import { annotationKeyProblem } from "./grammar";
import { podTemplateOf, Workload } from "./workload";

/** The node label and pod field that put a pod on Windows nodes. */
const OS_LABEL = "kubernetes.io/os";
const WINDOWS = "windows";

/**
 * Why the pod runs on Windows, or undefined. Such a pod is skipped, not
 * refused: the init image is Linux busybox and the restricted securityContext
 * sets Linux-only fields, so the pod could not start; and a stack-wide
 * transform must not fail a preview over a workload it cannot serve.
 */
export function windowsReason(spec: PodSpec): string | undefined {
  if (spec.os?.name === WINDOWS) return `a Windows pod (spec.os.name: ${WINDOWS}): the agent's init container is a Linux image, so it is not instrumented`;
  if (spec.nodeSelector?.[OS_LABEL] === WINDOWS) {
    return `a Windows pod (nodeSelector ${OS_LABEL}: ${WINDOWS}): the agent's init container is a Linux image, so it is not instrumented`;
  }
  if (requiresWindows(spec)) {
    return `a Windows pod (required nodeAffinity on ${OS_LABEL}: ${WINDOWS}): the agent's init container is a Linux image, so it is not instrumented`;
  }
  return undefined;
}

/**
 * Required node affinity that admits only Windows nodes: the terms are ORed,
 * so every term must hold an expression on the OS label that only Windows
 * satisfies (`In [windows]`, or `NotIn` with linux).
 */
function requiresWindows(spec: PodSpec): boolean {
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms) || terms.length === 0) return false;
  return terms.every((t) =>
    (Array.isArray(t?.matchExpressions) ? t.matchExpressions : []).some(
      (e) =>
        e?.key === OS_LABEL &&
        Array.isArray(e.values) &&
        ((e.operator === "In" && e.values.length > 0 && e.values.every((v) => v === WINDOWS)) || (e.operator === "NotIn" && e.values.includes("linux"))),
    ),
  );
}

/**
 * A hostNetwork pod's IP is its node's: replicas on one node would share an
 * agentId taken from the pod IP, and Pinpoint would merge their data. Such a
 * pod gets no agentId flag, so the agent generates a unique one; its
 * agentName ($(POD_NAME)) still tells the pods apart in the web UI.
 */
export function usesHostNetwork(spec: PodSpec): boolean {
  return spec.hostNetwork === true;
}

/**
 * Kubernetes uses the last of two entries with one name; flags added to
 * either would surprise someone, and server-side apply rejects the list. So
 * a container that defines the options variable twice is refused.
 */
export function duplicateEnvProblem(c: Container, optionsEnv: string): string | undefined {
  const count = (c.env ?? []).filter((e) => e.name === optionsEnv).length;
  if (count < 2) return undefined;
  return `container "${c.name}" defines ${optionsEnv} ${count} times (Kubernetes uses only the last): keep one entry, then inject again`;
}

/** The first annotation key under our prefix, on the workload or its pod template, that is none we read. */
export function unknownAnnotationProblem(w: Workload): string | undefined {
  const keys = [...Object.keys(w.metadata?.annotations ?? {}), ...Object.keys(podTemplateOf(w)?.metadata?.annotations ?? {})];
  for (const key of keys) {
    const problem = annotationKeyProblem(key, KNOWN_ANNOTATIONS);
    if (problem) return problem;
  }
  return undefined;
}
