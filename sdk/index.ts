/**
 * @fjhb/pulumi-pinpoint: Pinpoint APM for the Java workloads of a Pulumi stack.
 */
export * from "./inject";
export { pinpointTransform } from "./transform";
export type { PinpointTransformOptions } from "./transform";
export { PinpointApm } from "./pinpointApm";
export type { PinpointApmArgs } from "./pinpointApm";
export { ConfigError, declaredConfigKeys } from "./config";
// Image-aware JVM rules: read image configs to hand to inject() as `images`
export { ImageConfigReader, credentialsFromDockerConfigJson, DEFAULT_TIMEOUT_MS as DEFAULT_IMAGE_TIMEOUT_MS } from "./imageConfig";
export type { ImageConfigReaderOptions, RegistryCredentials } from "./imageConfig";
export {
  AgentImage,
  prepareBuildContext,
  pinnedReference,
  AgentSourceError,
  DEFAULT_BASE_IMAGE,
  DEFAULT_IMAGE_REPOSITORY,
  PULL_SECRET_NAME,
} from "./agentImage";
export type { AgentImageArgs, BuildContext, BuildContextOptions } from "./agentImage";
// Pinpoint server
export { PinpointServer, PINPOINT_SERVER_RELEASES, DEFAULT_PINPOINT_SERVER_VERSION } from "./server";
export type { PinpointServerArgs, PartResourcesArgs, QuantitiesArgs, CollectorAddress, ServerApmArgs, PinpointRelease } from "./server";
// Coverage report (pinpoint-status): which instrumented workloads report to the web
export { coverageReport, expectedWorkloads, buildReport, formatReport, exitCodeOf, PinpointWebClient, findStatusOutputs, STATUS_OUTPUTS_SCHEMA } from "./status";
export type { CoverageReport, WorkloadCoverage, ExpectedWorkload, Evidence, PodEvidence, StatusOutputs } from "./status";
