/**
 * The image-volume delivery (KEP-4639): the pp_agent image mounted read-only
 * as a volume, so a pod starts with no init container, no copy and no agent
 * bytes on the node's disk beyond the image the kubelet already keeps.
 *
 * An image volume mounts the image's whole root filesystem at the mount path
 * (the merged layers, read-only, on Linux usually noexec). The pp_agent image
 * keeps the agent under /var/lib/pp_agent, so the agent home is that folder
 * inside the mount. We mount the whole image rather than a subPath: subPath on
 * image volumes needs Kubernetes 1.33, the whole-image mount works from 1.31,
 * and one layout keeps the workloads the same whichever version runs them.
 *
 * The agent writes at run time only into `<agent home>/logs/<agentId>/`
 * (agent 3.0.1: the bootstrap sets `pinpoint.log` to that folder itself and
 * overrides any -Dpinpoint.log, so no config key can move it). A small
 * emptyDir is mounted on that folder, inside the read-only image mount; the
 * image must hold an empty `logs/` folder as the mount point (AgentImage adds it).
 */
import type { Volume, VolumeMount } from "kubernetes-types/core/v1";
import { AGENT_LOG_DIR, AGENT_SOURCE_DIR, VOLUME_NAME } from "./constants";
import { imagePullPolicy } from "./javaagent";
import type { ResolvedOptions } from "./options";

/** Where the image's root filesystem is mounted in the app containers. */
export const IMAGE_MOUNT_PATH = "/var/init/pinpoint-image";
/** The agent home inside that mount: the folder the pp_agent image keeps the agent in. */
export const IMAGE_AGENT_HOME = `${IMAGE_MOUNT_PATH}${AGENT_SOURCE_DIR}`;
/** The writable emptyDir for the agent's logs, mounted over the image's empty `logs/` folder. */
export const LOGS_VOLUME_NAME = "pp-agent-logs";
export const LOGS_MOUNT_PATH = `${IMAGE_AGENT_HOME}/${AGENT_LOG_DIR}`;

/** Kubernetes versions of the feature (feature gate `ImageVolume`). */
export const IMAGE_VOLUME_SINCE = { major: 1, minor: 31 }; // alpha, gate off by default
export const IMAGE_VOLUME_ON_BY_DEFAULT_SINCE = { major: 1, minor: 35 }; // beta, gate on by default (GA in 1.36)

export function imageVolumes(o: ResolvedOptions): Volume[] {
  return [
    { name: VOLUME_NAME, image: { reference: o.image, pullPolicy: imagePullPolicy(o.image) } },
    { name: LOGS_VOLUME_NAME, emptyDir: { sizeLimit: o.volumeSizeLimit } },
  ] as Volume[]; // kubernetes-types 1.30 predates `image`; the schema test checks the shape against 1.31+
}

/** The image read-only first, then the logs folder inside it: parents before nested mounts. */
export function imageVolumeMounts(): VolumeMount[] {
  return [
    { name: VOLUME_NAME, mountPath: IMAGE_MOUNT_PATH, readOnly: true },
    { name: LOGS_VOLUME_NAME, mountPath: LOGS_MOUNT_PATH },
  ];
}

/** A Kubernetes version as written by a user: `1.33`, `v1.33.2`, `1.33.1-eks-…`. */
const KUBERNETES_VERSION = /^v?(\d+)\.(\d+)(\.\d+)?([-+][0-9A-Za-z.+-]*)?$/;

export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** Parses a Kubernetes version; throws naming `what` (the key or flag) and the expected form. */
export function parseKubernetesVersion(version: string, what: string): KubernetesVersion {
  const m = KUBERNETES_VERSION.exec(version.trim());
  if (!m) throw new Error(`${what} "${version}" is not a Kubernetes version: write it as 1.33 or v1.33.2 (kubectl version shows the server's)`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function atLeast(v: KubernetesVersion, since: KubernetesVersion): boolean {
  return v.major > since.major || (v.major === since.major && v.minor >= since.minor);
}

/** `error`: the cluster has no image volumes; `warning`: it may, if the feature gate is on; `ok`: on by default. */
export type ImageVolumeSupport = { level: "ok" } | { level: "warning" | "error"; message: string };

/** How the caller's user wrote the two settings: options, `pinpoint:` config keys or CLI flags. */
export interface SettingNames {
  version: string;
  delivery: string;
}

const OPTION_NAMES: SettingNames = { version: "kubernetesVersion", delivery: "agentDelivery" };

/**
 * Whether a cluster of this version runs image volumes. Undefined version: a
 * warning, since nothing here can read the cluster's version for itself.
 */
export function imageVolumeSupport(version: string | undefined, names: SettingNames = OPTION_NAMES): ImageVolumeSupport {
  const since = (s: KubernetesVersion) => `${s.major}.${s.minor}`;
  const useCopy = `set ${names.delivery} to copy`;
  if (version === undefined) {
    return {
      level: "warning",
      message: `${names.delivery} imageVolume needs Kubernetes ${since(IMAGE_VOLUME_ON_BY_DEFAULT_SINCE)}+ (or ${since(IMAGE_VOLUME_SINCE)}+ with the ImageVolume feature gate on) and a runtime that supports it (containerd 2.1+, CRI-O 1.31+); set ${names.version} to the cluster's version to have it checked`,
    };
  }
  const v = parseKubernetesVersion(version, names.version);
  if (!atLeast(v, IMAGE_VOLUME_SINCE)) {
    return {
      level: "error",
      message: `${names.version} is ${version}, and image volumes exist only from Kubernetes ${since(IMAGE_VOLUME_SINCE)}: ${useCopy} for this cluster`,
    };
  }
  if (!atLeast(v, IMAGE_VOLUME_ON_BY_DEFAULT_SINCE)) {
    return {
      level: "warning",
      message: `${names.version} is ${version}, where the ImageVolume feature gate is off by default (on from ${since(IMAGE_VOLUME_ON_BY_DEFAULT_SINCE)}): make sure the API server and the kubelets run with --feature-gates=ImageVolume=true, or ${useCopy}`,
    };
  }
  return { level: "ok" };
}
