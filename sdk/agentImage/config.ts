/**
 * The `pinpoint:*` keys of the agent image. Args win over them.
 */
import { declareConfigKeys } from "../config";
import { DEFAULT_BASE_IMAGE, DEFAULT_IMAGE_REPOSITORY } from "./constants";

declareConfigKeys({
  registry: "string: the registry host the pp_agent image is pushed to, e.g. harbor.example.com",
  registryUsername: "string: the registry user (a Harbor robot account) that pushes the image; also pulls it unless registryPullUsername is set",
  registryPassword: "secret string: that user's password; set it with `pulumi config set --secret`",
  registryPullUsername: "string: a pull-only registry user (a Harbor robot account with pull permission) for the pull Secret in each instrumented namespace",
  registryPullPassword: "secret string: that pull user's password; set it with `pulumi config set --secret`",
  imageRepository: `string, default ${DEFAULT_IMAGE_REPOSITORY}: the repository (Harbor project/name) of the image`,
  agentArchive: "path: the agent to build the image from: pinpoint-agent-<ver>.tar.gz, a flat pp_agent.tgz, or a folder",
  agentVersion: "string: the agent version, checked against the archive and used in the image tag",
  baseImage: `string, default ${DEFAULT_BASE_IMAGE}: the image the agent files are added to (e.g. a Harbor proxy-cache path)`,
});

/** Config keys, as named in error messages. */
export const KEYS = {
  registry: "registry",
  registryUsername: "registryUsername",
  registryPassword: "registryPassword",
  registryPullUsername: "registryPullUsername",
  registryPullPassword: "registryPullPassword",
  imageRepository: "imageRepository",
  agentArchive: "agentArchive",
  agentVersion: "agentVersion",
  baseImage: "baseImage",
} as const;
