/**
 * The injection core: plain Kubernetes objects in and out, no Pulumi import.
 */
export * from "./constants";
export { inject, uninject, copyPlain, InjectionError } from "./inject";
export type { InjectResult, UninjectResult } from "./inject";
export { resolveOptions, AGENT_ID_SOURCES, VALUE_FROM_POLICIES, OptionError, DNS_LABEL } from "./options";
export {
  imageReferenceProblem,
  optionsEnvProblem,
  hostProblem,
  portProblem,
  quantityValue,
  requestsWithinLimitsProblem,
  annotationKeyProblem,
  agentVersionProblem,
  unknownKeysProblem,
  similarKey,
} from "./grammar";
export type { InjectOptions, ResolvedOptions, AgentIdSource, ValueFromPolicy, CollectorPorts } from "./options";
export { deriveApplicationName, pinpointNameProblem } from "./naming";
export { agentFlags, initContainer, isPinnedByDigest, supportsAgentName } from "./javaagent";
export { AGENT_DELIVERIES, DEFAULT_AGENT_DELIVERY, deliveredImage, deliveryParts } from "./delivery";
export type { AgentDelivery, DeliveryParts } from "./delivery";
export {
  IMAGE_AGENT_HOME,
  IMAGE_MOUNT_PATH,
  IMAGE_VOLUME_ON_BY_DEFAULT_SINCE,
  IMAGE_VOLUME_SINCE,
  imageVolumeSupport,
  LOGS_MOUNT_PATH,
  LOGS_VOLUME_NAME,
  parseKubernetesVersion,
} from "./imageVolume";
export type { ImageVolumeSupport, SettingNames } from "./imageVolume";
export type { InjectionStatus, ContainerStatus } from "./status";
export type { AgentIdentity } from "./javaagent";
export { describeInjection, COLLECTOR_HOST_FLAG } from "./describe";
export type { InjectionSummary } from "./describe";
export {
  ALL_WORKLOAD_KINDS,
  DEFAULT_KINDS,
  WORKLOAD_KINDS,
  isWorkloadKind,
  kindOfPulumiType,
  podTemplateOf,
  pulumiTypeOf,
  describeWorkload,
  unsupportedKindReason,
} from "./workload";
export type { Workload, WorkloadKind } from "./workload";
export { detectJvm, commandWords, effectiveCommand, helperJvms, jdkMajorOf } from "./jvm";
export type { JvmVerdict, JvmOutcome, Launcher, Evidence } from "./jvm";
export { envSourceKey, keysOf, lookUpSource } from "./envSources";
export type { EnvSources, EnvSourceKind } from "./envSources";
export { KNOWN_AGENTS, otherAgents } from "./otherAgents";
export type { OtherAgent } from "./otherAgents";
export { TOMCAT_OPTIONS_ENV, JVM_OPTIONS_ENV, JDK_OPTIONS_ENV, candidateVariables, chooseVariable, hiddenBy } from "./optionsVariable";
export { SELECT_MODES, DEFAULT_SELECT, NO_JVM_CONTAINER, planContainers, summarise, UNKNOWN_POLICIES, DEFAULT_UNKNOWN_POLICY, UNKNOWN_FIX } from "./selection";
export type { SelectMode, ContainerReason, UnknownPolicy } from "./selection";
export { parseImageReference, imageName, imageEnv, DOCKER_HUB_API_HOST, DOCKER_HUB_REGISTRY } from "./image";
export type { ImageConfig, ImageLookup, ImageLookups, ImageReference } from "./image";
export { QUICK_START_FLAG, userJitChoice } from "./quickStart";
export { PROBE_DEFAULTS, PROBE_HEADROOM, agentStartEstimate, probeBudget, probeBudgetFindings, probeBudgetWarnings } from "./probeBudget";
export type { JvmKind, ProbeBudget, ProbeFinding, RestartProbe } from "./probeBudget";
export { AGENT_START_COST, AGENT_START_COST_MEASURED } from "./agentStartCost";
export type { AgentStartCost } from "./agentStartCost";
