/**
 * Whether the kubelet starts a pod's container again after it ended, by the
 * pod's restartPolicy, as pkg/kubelet/container/helpers.go's
 * ShouldContainerBeRestarted decides for a dead container: Never, no;
 * OnFailure, only when it did not exit 0; Always, yes. The API server defaults
 * an unset restartPolicy to Always (every Deployment and StatefulSet pod); a
 * Job's template must say Never or OnFailure. When the restart may happen is
 * cluster/backoff.ts's.
 *
 * Not modelled: init containers with their own restartPolicy (sidecars) and
 * per-container restart rules; init containers run once, as cluster/kubelet.ts
 * runs them.
 */
import type { PodTemplateSpec } from "kubernetes-types/core/v1";

export type RestartPolicy = "Always" | "OnFailure" | "Never";

/** The API server's default for an unset spec.restartPolicy. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = "Always";

/** The pod's restartPolicy, defaulted; refuses a value Kubernetes would refuse. */
export function podRestartPolicy(template: PodTemplateSpec): RestartPolicy {
  const policy = template.spec?.restartPolicy ?? DEFAULT_RESTART_POLICY;
  if (policy !== "Always" && policy !== "OnFailure" && policy !== "Never") throw new Error(`restartPolicy ${policy}: Kubernetes accepts Always, OnFailure or Never`);
  return policy;
}

/**
 * Whether a container that ended with `exitCode` is started again. A process
 * ended by a signal (null or negative here) counts as a failure, as the
 * kubelet's 128 + signal exit code does.
 */
export function shouldRestart(policy: RestartPolicy, exitCode: number | null | undefined): boolean {
  if (policy === "Never") return false;
  if (policy === "OnFailure") return exitCode !== 0;
  return true;
}

/** Whether a container the kubelet killed (a failed liveness or startup probe) is started again: unless Never, whatever its exit code (pkg/kubelet/kuberuntime/kuberuntime_manager.go, shouldRestartOnFailure). */
export function restartsAfterKill(policy: RestartPolicy): boolean {
  return policy !== "Never";
}
