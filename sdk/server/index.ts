/** The Pinpoint server stack (issue: deploy the Pinpoint server and wire the agents to it). */
export { PinpointServer } from "./pinpointServer";
export type { PinpointServerArgs, PartResourcesArgs, QuantitiesArgs } from "./config";
export type { PinpointRelease } from "./constants";
export type { CollectorAddress } from "./collector";
export { RELEASES as PINPOINT_SERVER_RELEASES, DEFAULT_VERSION as DEFAULT_PINPOINT_SERVER_VERSION } from "./constants";
export type { ServerApmArgs } from "./apmWiring";
export type { RetentionArgs } from "./retention";
