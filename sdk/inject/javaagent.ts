/**
 * The Java agent recipe: the JVM flags, the init container, the volume, and the
 * change to one app container. Short steps in the seed's order.
 */
import * as path from "path";
import type { Container, EnvVar, Volume, VolumeMount } from "kubernetes-types/core/v1";
import {
  BOOTSTRAP_JAR,
  INIT_COMMAND,
  INIT_CONTAINER_NAME,
  MOUNT_PATH,
  POD_IP_ENV,
  POD_NAME_ENV,
  VOLUME_NAME,
} from "./constants";
import { fieldRefEnv, indexOfEnv, isFieldRef } from "./env";
import type { ResolvedOptions } from "./options";
import type { ContainerStatus } from "./status";

/** Which pod of several instrumented containers this is: 0 for the first. */
export interface AgentIdentity {
  applicationName: string;
  index: number;
  containerName: string;
  multiple: boolean;
}

/**
 * The agent flags. `$(POD_IP)` and `$(POD_NAME)` are expanded by Kubernetes (the
 * variables are placed before the options variable), so the same value works for
 * catalina.sh and for a JVM that reads JAVA_TOOL_OPTIONS with no shell between.
 */
export function agentFlags(o: ResolvedOptions, id: AgentIdentity, agentHome = MOUNT_PATH): string {
  const suffix = id.index === 0 ? "" : `-${id.index + 1}`;
  const flags = [`-javaagent:${agentHome}/${BOOTSTRAP_JAR}`];
  // An IPv4 address is at most 15 characters, "-9" keeps it within Pinpoint's 24.
  if (o.agentIdSource === "podIP") flags.push(`-Dpinpoint.agentId=$(${POD_IP_ENV})${suffix}`);
  flags.push(`-Dpinpoint.applicationName=${id.applicationName}`);
  if (o.agentName) flags.push(`-Dpinpoint.agentName=$(${POD_NAME_ENV})${id.multiple ? `-${id.containerName}` : ""}`);
  flags.push("-Dpinpoint.container");
  flags.push(`-Dpinpoint.profiler.profiles.active=${o.profile}`);
  if (o.collectorHost) flags.push(`-Dprofiler.transport.grpc.collector.ip=${o.collectorHost}`);
  const ports = o.collectorPorts;
  if (ports.agent !== undefined) {
    flags.push(`-Dprofiler.transport.grpc.agent.collector.port=${ports.agent}`);
    flags.push(`-Dprofiler.transport.grpc.metadata.collector.port=${ports.agent}`);
  }
  if (ports.stat !== undefined) flags.push(`-Dprofiler.transport.grpc.stat.collector.port=${ports.stat}`);
  if (ports.span !== undefined) flags.push(`-Dprofiler.transport.grpc.span.collector.port=${ports.span}`);
  return flags.join(" ");
}

/** `-Dpinpoint.agentName` exists since agent 2.3; older agents ignore it but users expect no surprises. */
const AGENT_NAME_SINCE = [2, 3];

/** Whether an agent version (`2.5.4`, `3.0.1`, `2.2.3-p1`) knows agentName; unknown shapes count as recent. */
export function supportsAgentName(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > AGENT_NAME_SINCE[0] || (major === AGENT_NAME_SINCE[0] && minor >= AGENT_NAME_SINCE[1]);
}

export function agentVolume(o: ResolvedOptions): Volume {
  return { name: VOLUME_NAME, emptyDir: { sizeLimit: o.volumeSizeLimit } };
}

export function isPinnedByDigest(image: string): boolean {
  return /@sha256:[0-9a-f]{64}$/.test(image);
}

/** A digest never changes; a tag may (the seed pushed :latest), so pull it each time. */
export function imagePullPolicy(image: string): "IfNotPresent" | "Always" {
  return isPinnedByDigest(image) ? "IfNotPresent" : "Always";
}

export function initContainer(o: ResolvedOptions): Container {
  return {
    name: INIT_CONTAINER_NAME,
    image: o.image,
    imagePullPolicy: imagePullPolicy(o.image),
    command: [...INIT_COMMAND],
    resources: structuredClone(o.initResources),
    // Passes the "restricted" Pod Security profile.
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: o.initRunAsUser,
      runAsGroup: o.initRunAsUser,
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [{ name: VOLUME_NAME, mountPath: MOUNT_PATH }],
  };
}

/** The variables the flags reference, with the field each must come from. */
function referencedEnv(o: ResolvedOptions): Array<[string, string]> {
  const refs: Array<[string, string]> = [];
  if (o.agentIdSource === "podIP") refs.push([POD_IP_ENV, "status.podIP"]);
  if (o.agentName) refs.push([POD_NAME_ENV, "metadata.name"]);
  return refs;
}

/**
 * Instruments one app container in place and returns what it added. Throws a
 * plain Error (the caller names the workload) when a user's env conflicts.
 */
export function instrumentContainer(c: Container, o: ResolvedOptions, optionsEnv: string, flags: string, mounts: readonly VolumeMount[]): ContainerStatus {
  const status: ContainerStatus = { env: [], volumeMounts: [], options: { name: optionsEnv }, created: [] };
  if (!c.env) {
    c.env = [];
    status.created.push("env");
  }
  const env = c.env;
  let optIdx = indexOfEnv(env, optionsEnv);

  // Each referenced variable must be defined before the options variable for $(…) to expand.
  for (const [name, fieldPath] of referencedEnv(o)) {
    const idx = indexOfEnv(env, name);
    if (idx >= 0) {
      if (!isFieldRef(env[idx], fieldPath)) {
        throw new Error(
          `container "${c.name}" already defines ${name} other than as fieldRef ${fieldPath}; the agent flags need ${name} to be that field: rename your variable`,
        );
      }
      if (optIdx >= 0 && idx > optIdx) {
        throw new Error(
          `container "${c.name}" defines ${name} after ${optionsEnv}, so Kubernetes would not expand $(${name}) in it: move ${name} before ${optionsEnv}`,
        );
      }
      continue; // the user's own, identical variable: reuse it, leave it alone
    }
    const added = fieldRefEnv(name, fieldPath);
    if (optIdx >= 0) env.splice(optIdx++, 0, added);
    else env.push(added);
    status.env.push(name);
  }

  if (optIdx >= 0) {
    const existing: EnvVar = env[optIdx];
    const before = existing.value;
    status.options.appended = before ? ` ${flags}` : flags;
    if (before === undefined) status.options.valueWasUnset = true;
    existing.value = `${before ?? ""}${status.options.appended}`;
  } else {
    env.push({ name: optionsEnv, value: flags });
    status.options.value = flags;
  }

  if (!c.volumeMounts) {
    c.volumeMounts = [];
    status.created.push("volumeMounts");
  }
  for (const m of mounts) {
    c.volumeMounts.push({ ...m });
    status.volumeMounts.push(m.name);
  }
  return status;
}

/** Two absolute paths naming one folder: doubled and trailing slashes, `.` and `..` resolved. */
export function samePath(a: unknown, b: string): boolean {
  if (typeof a !== "string") return false;
  const norm = (p: string) => path.posix.normalize(p).replace(/(.)\/+$/, "$1");
  return norm(a) === norm(b);
}

/** Reasons a container cannot take the agent as it stands; undefined when it can. */
export function containerProblem(c: Container, optionsEnv: string, mounts: readonly VolumeMount[]): { problem: string; valueFrom: boolean } | undefined {
  const opt = c.env?.[indexOfEnv(c.env, optionsEnv)];
  if (opt?.valueFrom) {
    return {
      valueFrom: true,
      problem: `container "${c.name}" takes ${optionsEnv} from valueFrom, which the agent flags cannot be appended to: make it a literal value, name another variable with the pinpoint.fjhb.cn/options-env annotation, skip such containers with the onValueFrom policy skip (--on-value-from skip, or stack config pinpoint:onValueFrom: skip), or opt out with pinpoint.fjhb.cn/inject: "false"`,
    };
  }
  if (opt?.value?.includes("pinpoint-bootstrap")) {
    return {
      valueFrom: false,
      problem: `container "${c.name}" already loads a Pinpoint agent through ${optionsEnv} (instrumented by hand?): remove the -javaagent and -Dpinpoint flags from it, or opt out with pinpoint.fjhb.cn/inject: "false"`,
    };
  }
  for (const ours of mounts) {
    // Paths compared by meaning: `/var/init/pinpoint/` and `/var/init//pinpoint` are the same folder to the kubelet.
    const mount = c.volumeMounts?.find((m) => m.name === ours.name || samePath(m.mountPath, ours.mountPath));
    if (mount) {
      return {
        valueFrom: false,
        problem: `container "${c.name}" already mounts ${mount.name} at ${mount.mountPath}, which the agent needs (volume ${ours.name} at ${ours.mountPath}): rename or move your mount, or opt out with pinpoint.fjhb.cn/inject: "false"`,
      };
    }
  }
  return undefined;
}
