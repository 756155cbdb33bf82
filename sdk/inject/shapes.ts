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
  return undefined;
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
