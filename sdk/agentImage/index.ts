/**
 * The pp_agent init image: build context, build and push, digest-pinned reference.
 */
import "./config";
export { AgentImage, resolveAgentImageSettings } from "./agentImage";
export type { AgentImageArgs, AgentImageSettings, BuildSettings } from "./agentImage";
export { prepareBuildContext, dockerfileText, tagFor, AgentSourceError } from "./buildContext";
export type { BuildContext, BuildContextOptions } from "./buildContext";
export { pinnedReference, imageName, needsCredentials, dockerConfigJson, registryProblem, repositoryProblem, tagOf } from "./reference";
export { DEFAULT_BASE_IMAGE, DEFAULT_IMAGE_REPOSITORY, DEFAULT_CONTEXT_ROOT, PULL_SECRET_NAME } from "./constants";
