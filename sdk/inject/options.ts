/**
 * What a caller may set, and the defaults that reproduce the seed.
 */
import type { ResourceRequirements } from "kubernetes-types/core/v1";
import {
  DEFAULT_COLLECTOR_PORTS,
  DEFAULT_INIT_RUN_AS_USER,
  DEFAULT_OPTIONS_ENV,
  DEFAULT_PROFILE,
  DEFAULT_VOLUME_SIZE_LIMIT,
  OPTIONS_ENV_AUTO,
  PINPOINT_ID_MAX_LENGTH,
} from "./constants";
import { AGENT_DELIVERIES, AgentDelivery, DEFAULT_AGENT_DELIVERY } from "./delivery";
import { imageVolumeSupport, parseKubernetesVersion } from "./imageVolume";
import type { ImageLookups } from "./image";
import { DEFAULT_SELECT, DEFAULT_UNKNOWN_POLICY, SELECT_MODES, SelectMode, UNKNOWN_POLICIES, UnknownPolicy } from "./selection";
import type { EnvSources } from "./envSources";
import { hostProblem, imageReferenceProblem, optionsEnvProblem, portProblem } from "./grammar";
import { resolveInitResources } from "./initResources";
import { OptionError } from "./optionError";

export { OptionError };
import { ALL_WORKLOAD_KINDS, DEFAULT_KINDS, isWorkloadKind, WorkloadKind } from "./workload";

/** Where the agentId comes from. */
export type AgentIdSource =
  /** `$(POD_IP)`, as the seed: readable and unique per pod; IPv4 only (an IPv6 address is too long). */
  | "podIP"
  /** No `-Dpinpoint.agentId`: the agent generates a unique id itself (IPv6 clusters). */
  | "generated";
export const AGENT_ID_SOURCES: readonly AgentIdSource[] = ["podIP", "generated"];

/** What to do with a container whose options variable comes from `valueFrom`. */
export type ValueFromPolicy = "error" | "skip";
export const VALUE_FROM_POLICIES: readonly ValueFromPolicy[] = ["error", "skip"];

export interface CollectorPorts {
  agent?: number;
  stat?: number;
  span?: number;
}

export interface InjectOptions {
  /** The pp_agent init image, best pinned by digest (`…/pp_agent@sha256:…`). Required. */
  image: string;
  /** Put before the workload name to make the applicationName, e.g. `dev-`. Default: none. */
  applicationNamePrefix?: string;
  /** The variable that carries the JVM flags: `auto` (default: Tomcat CATALINA_OPTS, other JVMs JAVA_TOOL_OPTIONS), or a name. */
  optionsEnv?: string;
  /** Which containers: `auto` (default) the first JVM container; `all` every workload's first container. */
  select?: SelectMode;
  /** Image configs read from the registry, keyed by the image string as containers name it. */
  images?: ImageLookups;
  /** Containers with no JVM evidence either way: `instrument` (default) or `skip`. */
  unknownContainers?: UnknownPolicy;
  /** Keys of the ConfigMaps and Secrets the caller can see, for envFrom look-ups (envSources.ts). */
  envSources?: EnvSources;
  /** An envFrom source that cannot be seen is an error (default: that container is skipped with a warning). */
  strict?: boolean;
  /** Collector host the agent reports to; omitted: the agent's own config decides. */
  collectorHost?: string;
  /** Collector gRPC ports, emitted only when given. */
  collectorPorts?: CollectorPorts;
  /** Kinds to instrument. Default: Deployment only. */
  kinds?: readonly WorkloadKind[];
  /** A docker-registry Secret added to the pod's imagePullSecrets. */
  imagePullSecret?: string;
  /** `-Dpinpoint.agentName=$(POD_NAME)` (agent 2.3+). Default true. */
  agentName?: boolean;
  /** Default `podIP`. */
  agentIdSource?: AgentIdSource;
  /** `-Dpinpoint.profiler.profiles.active`. Default `release`. */
  profile?: string;
  /** Add `-XX:TieredStopAtLevel=1` (C1 only) beside the agent's flags, for a quicker start (quickStart.ts). Default false. */
  quickStart?: boolean;
  /** Default `error`. */
  onValueFrom?: ValueFromPolicy;
  /**
   * Requests and limits of the init container, merged with the defaults field
   * by field (a JSON merge patch): what is left out keeps its default, `null`
   * removes one (initResources.ts).
   */
  initResources?: ResourceRequirements;
  /** Non-root uid of the init container. Default 65532. */
  initRunAsUser?: number;
  /** `sizeLimit` of the agent emptyDir. Default 256Mi. */
  volumeSizeLimit?: string;
  /** Name to derive the applicationName from when the object has no metadata.name (Pulumi autonaming). */
  defaultName?: string;
  /** Containers to instrument in workloads without the containers annotation. Default: the first container. */
  defaultContainers?: readonly string[];
  /** `copy` (default: init container and emptyDir) or `imageVolume` (the image mounted read-only, Kubernetes 1.31+). */
  agentDelivery?: AgentDelivery;
  /** The target cluster's version (`1.33`), checked against what the delivery needs. */
  kubernetesVersion?: string;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  /** Marks options that went through resolveOptions(). */
  readonly resolved: true;
  image: string;
  applicationNamePrefix: string;
  optionsEnv: string;
  select: SelectMode;
  images?: ImageLookups;
  unknownContainers: UnknownPolicy;
  envSources?: EnvSources;
  strict: boolean;
  collectorHost?: string;
  collectorPorts: CollectorPorts;
  kinds: readonly WorkloadKind[];
  imagePullSecret?: string;
  agentName: boolean;
  agentIdSource: AgentIdSource;
  profile: string;
  quickStart: boolean;
  onValueFrom: ValueFromPolicy;
  initResources: ResourceRequirements;
  initRunAsUser: number;
  volumeSizeLimit: string;
  defaultName?: string;
  /** Empty: the first container. */
  defaultContainers: readonly string[];
  agentDelivery: AgentDelivery;
  kubernetesVersion?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** The longest prefix that leaves a shortened applicationName at least one character of the workload's name. */
const MAX_PREFIX_LENGTH = 16;


/** Checks the options and fills in defaults; throws an Error that names the option and the fix. */
export function resolveOptions(options: InjectOptions): ResolvedOptions {
  const o = options;
  if (typeof o.image !== "string" || o.image.trim() === "") {
    throw new Error("the agent image is required: give the pp_agent image reference (image, pinpoint:agentImage or --image)");
  }
  const imageProblem = imageReferenceProblem(o.image);
  if (imageProblem) throw new OptionError("image", `"${o.image}" ${imageProblem}`);
  const optionsEnv = o.optionsEnv ?? DEFAULT_OPTIONS_ENV;
  if (optionsEnv !== OPTIONS_ENV_AUTO) checkEnvName(optionsEnv, "optionsEnv");
  const select = o.select ?? DEFAULT_SELECT;
  if (!SELECT_MODES.includes(select)) throw new OptionError("select", `"${select}" is unknown: use one of ${SELECT_MODES.join(", ")}`);
  const unknownContainers = o.unknownContainers ?? DEFAULT_UNKNOWN_POLICY;
  if (!UNKNOWN_POLICIES.includes(unknownContainers)) {
    throw new OptionError("unknownContainers", `"${unknownContainers}" is unknown: use one of ${UNKNOWN_POLICIES.join(", ")}`);
  }
  const host = o.collectorHost === undefined ? undefined : hostProblem(o.collectorHost);
  if (host) throw new OptionError("collectorHost", `${host}`);
  for (const [key, port] of Object.entries(o.collectorPorts ?? {})) {
    const problem = port === undefined ? undefined : portProblem(port);
    if (problem) throw new OptionError(`collectorPorts.${key}`, problem);
  }
  const kinds = o.kinds ?? DEFAULT_KINDS;
  for (const kind of kinds) {
    if (!isWorkloadKind(kind)) {
      throw new OptionError("kinds", `has unknown workload kind "${kind}": use one of ${ALL_WORKLOAD_KINDS.join(", ")}`);
    }
  }
  if (o.imagePullSecret !== undefined && !DNS_SUBDOMAIN.test(o.imagePullSecret)) {
    throw new OptionError("imagePullSecret", `"${o.imagePullSecret}" is not a valid Secret name (lower-case DNS subdomain)`);
  }
  const agentIdSource = o.agentIdSource ?? "podIP";
  if (!AGENT_ID_SOURCES.includes(agentIdSource)) {
    throw new OptionError("agentIdSource", `"${agentIdSource}" is unknown: use one of ${AGENT_ID_SOURCES.join(", ")}`);
  }
  const onValueFrom = o.onValueFrom ?? "error";
  if (!VALUE_FROM_POLICIES.includes(onValueFrom)) {
    throw new OptionError("onValueFrom", `"${onValueFrom}" is unknown: use one of ${VALUE_FROM_POLICIES.join(", ")}`);
  }
  const profile = o.profile ?? DEFAULT_PROFILE;
  if (!/^[a-zA-Z0-9._-]+$/.test(profile)) throw new OptionError("profile", `"${profile}" is not a Pinpoint profile name (release, local, …)`);
  const initRunAsUser = o.initRunAsUser ?? DEFAULT_INIT_RUN_AS_USER;
  if (!Number.isInteger(initRunAsUser) || initRunAsUser <= 0) {
    throw new OptionError("initRunAsUser", `must be a positive integer (a non-root uid), not ${initRunAsUser}`);
  }
  const volumeSizeLimit = o.volumeSizeLimit ?? DEFAULT_VOLUME_SIZE_LIMIT;
  checkQuantity(volumeSizeLimit, "volumeSizeLimit");
  const initResources = resolveInitResources(o.initResources);
  const prefix = o.applicationNamePrefix ?? "";
  if (prefix !== "" && !/^[a-zA-Z0-9._-]+$/.test(prefix)) {
    throw new OptionError("applicationNamePrefix", `"${prefix}" may hold only letters, digits, '.', '_' and '-'`);
  }
  // A derived name keeps its first 17 characters before the hash (naming.ts): a prefix that long leaves none of the workload's name.
  if (prefix.length > MAX_PREFIX_LENGTH) {
    throw new OptionError(
      "applicationNamePrefix",
      `"${prefix}" has ${prefix.length} characters: Pinpoint allows ${PINPOINT_ID_MAX_LENGTH} in an applicationName, so every name would be the prefix and a hash, with nothing of the workload's name; use at most ${MAX_PREFIX_LENGTH}`,
    );
  }
  const defaultContainers = [...new Set((o.defaultContainers ?? []).map((n) => n.trim()).filter((n) => n !== ""))];
  for (const name of defaultContainers) {
    if (!DNS_LABEL.test(name)) throw new OptionError("defaultContainers", `names "${name}", which is not a valid container name (lower-case DNS label)`);
  }
  const agentDelivery = o.agentDelivery ?? DEFAULT_AGENT_DELIVERY;
  if (!AGENT_DELIVERIES.includes(agentDelivery)) {
    throw new OptionError("agentDelivery", `"${agentDelivery}" is unknown: use one of ${AGENT_DELIVERIES.join(", ")}`);
  }
  if (o.kubernetesVersion !== undefined) parseKubernetesVersion(o.kubernetesVersion, "kubernetesVersion");
  if (agentDelivery === "imageVolume") {
    const support = imageVolumeSupport(o.kubernetesVersion);
    if (support.level === "error") throw new Error(support.message);
  }
  return {
    resolved: true,
    image: o.image,
    applicationNamePrefix: prefix,
    optionsEnv,
    select,
    images: o.images,
    unknownContainers,
    envSources: o.envSources,
    strict: o.strict ?? false,
    collectorHost: o.collectorHost,
    collectorPorts: { ...(o.collectorPorts ?? {}) },
    kinds,
    imagePullSecret: o.imagePullSecret,
    agentName: o.agentName ?? true,
    agentIdSource,
    profile,
    quickStart: o.quickStart ?? false,
    onValueFrom,
    initResources,
    initRunAsUser,
    volumeSizeLimit,
    defaultName: o.defaultName,
    defaultContainers,
    agentDelivery,
    kubernetesVersion: o.kubernetesVersion,
  };
}

export function checkEnvName(name: string, what: string): void {
  const problem = optionsEnvProblem(name);
  if (problem) throw new OptionError(what, problem);
}

function checkQuantity(q: string, what: string): void {
  if (!QUANTITY.test(q)) throw new OptionError(what, `"${q}" is not a Kubernetes quantity (e.g. 256Mi, 100m)`);
}

export { DNS_LABEL, DEFAULT_COLLECTOR_PORTS };
