/**
 * How the agent reaches the pod: the parts each delivery adds, so inject()
 * adds, checks and records them the same way whichever was chosen.
 *
 * - `copy` (the seed's): an init container copies the agent from the pp_agent
 *   image into an emptyDir that the app containers mount.
 * - `imageVolume` (Kubernetes 1.31+, KEP-4639): the pp_agent image itself is the
 *   volume, read-only; a small emptyDir takes the agent's logs (imageVolume.ts).
 */
import type { Container, PodSpec, Volume, VolumeMount } from "kubernetes-types/core/v1";
import { INIT_CONTAINER_NAME, MOUNT_PATH, VOLUME_NAME } from "./constants";
import { IMAGE_AGENT_HOME, imageVolumeMounts, imageVolumes } from "./imageVolume";
import { agentVolume, initContainer } from "./javaagent";
import type { ResolvedOptions } from "./options";

export type AgentDelivery = "copy" | "imageVolume";
export const AGENT_DELIVERIES: readonly AgentDelivery[] = ["copy", "imageVolume"];
export const DEFAULT_AGENT_DELIVERY: AgentDelivery = "copy";

/** What one delivery adds to a pod. */
export interface DeliveryParts {
  /** The folder holding pinpoint-bootstrap.jar, as the app containers see it. */
  agentHome: string;
  volumes: Volume[];
  initContainers: Container[];
  /** Added to every instrumented container. */
  mounts: VolumeMount[];
}

export function deliveryParts(o: ResolvedOptions): DeliveryParts {
  if (o.agentDelivery === "imageVolume") {
    return { agentHome: IMAGE_AGENT_HOME, volumes: imageVolumes(o), initContainers: [], mounts: imageVolumeMounts() };
  }
  return {
    agentHome: MOUNT_PATH,
    volumes: [agentVolume(o)],
    initContainers: [initContainer(o)],
    mounts: [{ name: VOLUME_NAME, mountPath: MOUNT_PATH }],
  };
}

/** The agent image a pod gets, whichever delivery put it there (undefined when none did). */
export function deliveredImage(spec: PodSpec | undefined): string | undefined {
  const init = spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME)?.image;
  if (init !== undefined) return init;
  const volume = spec?.volumes?.find((v) => v.name === VOLUME_NAME) as { image?: { reference?: string } } | undefined;
  return volume?.image?.reference;
}
