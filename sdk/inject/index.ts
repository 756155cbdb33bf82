/**
 * The injection core: plain Kubernetes objects in and out, no Pulumi import.
 */
export * from "./constants";
export { inject, uninject, copyPlain, InjectionError } from "./inject";
export type { InjectResult, UninjectResult } from "./inject";
export { resolveOptions, AGENT_ID_SOURCES, VALUE_FROM_POLICIES, OptionError } from "./options";
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
} from "./grammar";
export type { InjectOptions, ResolvedOptions, AgentIdSource, ValueFromPolicy, CollectorPorts } from "./options";
export { deriveApplicationName, pinpointNameProblem } from "./naming";
export { agentFlags, initContainer, isPinnedByDigest, supportsAgentName } from "./javaagent";
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
} from "./workload";
export type { Workload, WorkloadKind } from "./workload";
