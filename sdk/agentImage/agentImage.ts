/**
 * AgentImage: step 1 of the seed. Prepares the pp_agent build context, builds
 * and pushes it with @pulumi/docker, and yields the reference pinned by digest
 * that the init containers use. Given an existing image reference, it builds nothing.
 */
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { argOr, ConfigError, ConfigReader } from "../config";
import { AgentSourceError, prepareBuildContext } from "./buildContext";
import { KEYS } from "./config";
import { DEFAULT_CONTEXT_ROOT, DEFAULT_IMAGE_REPOSITORY } from "./constants";
import { imageName, needsCredentials, pinnedReference, registryProblem, repositoryProblem, tagOf } from "./reference";

/**
 * Arguments of AgentImage. Every one is optional: what is not given is read
 * from the `pinpoint:*` stack config. The values that shape the build context
 * (archive, version, base image, registry, repository, context folder) must be
 * known at preview: the context is written while the program runs.
 */
export interface AgentImageArgs {
  /** An existing pp_agent image reference (best pinned by digest): no build. Not together with agentArchive. */
  image?: pulumi.Input<string>;
  /** The agent: pinpoint-agent-<ver>.tar.gz, a flat pp_agent.tgz, or a folder. Default `pinpoint:agentArchive`. */
  agentArchive?: pulumi.Input<string>;
  /** Checked against the archive's bootstrap jar; used in the tag. Default `pinpoint:agentVersion`, else read from the archive. */
  agentVersion?: pulumi.Input<string>;
  /** The base image. Default `pinpoint:baseImage`, else busybox. */
  baseImage?: pulumi.Input<string>;
  /** Registry host[:port] to push to. Default `pinpoint:registry`. */
  registry?: pulumi.Input<string>;
  /** Default `pinpoint:registryUsername`. */
  registryUsername?: pulumi.Input<string>;
  /** Kept secret whatever its source. Default `pinpoint:registryPassword`. */
  registryPassword?: pulumi.Input<string>;
  /** Default `pinpoint:imageRepository`, else fjhb/pp_agent. */
  imageRepository?: pulumi.Input<string>;
  /** Build platform, e.g. linux/amd64. Default: the Docker host's. */
  platform?: pulumi.Input<string>;
  /** Where the build context is written. Default `.pinpoint/agent-image/<name>` under the program's folder. */
  contextDir?: pulumi.Input<string>;
}

export class AgentImage extends pulumi.ComponentResource {
  /** `<registry>/<repository>@sha256:…` after the push (unknown at preview), or the given reference. */
  readonly imageRef: pulumi.Output<string>;
  /** The tag pushed, `<agent version>-<content hash>`; for a given reference, its tag if any. */
  readonly tag: pulumi.Output<string | undefined>;
  /** The build context folder; undefined when no build. */
  readonly contextDir: pulumi.Output<string | undefined>;
  /** The registry the image lives in (for pull Secrets); undefined for a given reference. */
  readonly registry: pulumi.Output<string | undefined>;
  /** The docker.Image that builds and pushes; undefined when no build. Depend on it to roll with the agent. */
  readonly image: docker.Image | undefined;

  constructor(name: string, args: AgentImageArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("pinpoint:index:AgentImage", name, {}, opts);
    const settings = resolveAgentImageSettings(args, new ConfigReader());

    if (settings.image !== undefined) {
      this.image = undefined;
      this.imageRef = pulumi.output(settings.image);
      this.tag = pulumi.output(settings.image).apply(tagOf);
      this.contextDir = pulumi.output(undefined as string | undefined);
      this.registry = pulumi.output(undefined as string | undefined);
    } else {
      const b = settings.build;
      let context;
      try {
        context = prepareBuildContext({
          source: b.agentArchive,
          contextDir: b.contextDir ?? path.join(DEFAULT_CONTEXT_ROOT, name),
          baseImage: b.baseImage,
          agentVersion: b.agentVersion,
        });
      } catch (e) {
        if (e instanceof AgentSourceError) throw new ConfigError(KEYS.agentArchive, `is unusable: ${e.message}`);
        throw e;
      }
      this.image = new docker.Image(
        `${name}-image`,
        {
          imageName: imageName(b.registry, b.repository, context.tag),
          build: { context: context.contextDir, dockerfile: context.dockerfile, platform: args.platform },
          registry: {
            server: b.registry,
            username: b.username,
            // A secret whatever its source: never in plain text in the state or the logs.
            password: b.password === undefined ? undefined : pulumi.secret(b.password),
          },
        },
        { parent: this },
      );
      this.imageRef = this.image.repoDigest.apply((d) => pinnedReference(b.registry, b.repository, d));
      this.tag = pulumi.output(context.tag);
      this.contextDir = pulumi.output(context.contextDir);
      this.registry = pulumi.output(b.registry);
    }
    this.registerOutputs({ imageRef: this.imageRef, tag: this.tag, contextDir: this.contextDir, registry: this.registry });
  }
}

/** What to build, with every value checked; or the image to use as is. */
export type AgentImageSettings =
  | { image: pulumi.Input<string>; build?: undefined }
  | { image?: undefined; build: BuildSettings };

export interface BuildSettings {
  agentArchive: string;
  agentVersion?: string;
  baseImage?: string;
  registry: string;
  repository: string;
  contextDir?: string;
  username?: pulumi.Input<string>;
  password?: pulumi.Input<string>;
}

/** Args over config, checked: every error names its key and the fix, and fails the preview. */
export function resolveAgentImageSettings(args: AgentImageArgs, c: ConfigReader): AgentImageSettings {
  const archive = plain(KEYS.agentArchive, argOr(args.agentArchive, c.string(KEYS.agentArchive)));
  if (args.image !== undefined && args.image !== "") {
    if (archive !== undefined) {
      throw new ConfigError(KEYS.agentArchive, "and agentImage are both set", "give one: agentImage to use an existing image, agentArchive to build one");
    }
    return { image: args.image };
  }
  if (archive === undefined) {
    throw new ConfigError(
      KEYS.agentArchive,
      "is not set, and no agent image is given",
      "download pinpoint-agent-<version>.tar.gz from https://github.com/pinpoint-apm/pinpoint/releases and `pulumi config set pinpoint:agentArchive <path>`, or give an existing image as agentImage",
    );
  }
  const registry = plain(KEYS.registry, argOr(args.registry, c.string(KEYS.registry)));
  if (registry === undefined) {
    throw new ConfigError(KEYS.registry, "is not set, and the agent image is to be built", "`pulumi config set pinpoint:registry <host>`, e.g. your Harbor");
  }
  const registryIssue = registryProblem(registry);
  if (registryIssue) throw new ConfigError(KEYS.registry, registryIssue);
  const repository = plain(KEYS.imageRepository, argOr(args.imageRepository, c.string(KEYS.imageRepository))) ?? DEFAULT_IMAGE_REPOSITORY;
  const repositoryIssue = repositoryProblem(repository);
  if (repositoryIssue) throw new ConfigError(KEYS.imageRepository, repositoryIssue);

  const username = argOr(args.registryUsername, c.string(KEYS.registryUsername));
  const password = args.registryPassword !== undefined ? args.registryPassword : c.secret(KEYS.registryPassword);
  const credentialsHelp =
    "set them with `pulumi config set pinpoint:registryUsername <user>` and `pulumi config set --secret pinpoint:registryPassword <password>` (or the registryUsername and registryPassword args)";
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? KEYS.registryUsername : KEYS.registryPassword;
    throw new ConfigError(missing, "is not set, though the other registry credential is", credentialsHelp);
  }
  if (username === undefined && needsCredentials(registry)) {
    throw new ConfigError(KEYS.registryUsername, `is not set, and registry ${registry} needs credentials to push`, credentialsHelp);
  }
  return {
    build: {
      agentArchive: archive,
      agentVersion: plain(KEYS.agentVersion, argOr(args.agentVersion, c.string(KEYS.agentVersion))),
      baseImage: plain(KEYS.baseImage, argOr(args.baseImage, c.string(KEYS.baseImage))),
      registry,
      repository,
      contextDir: plain("contextDir", args.contextDir),
      username,
      password,
    },
  };
}

/** The build context is written while the program runs, so these values must be plain, not Outputs. */
function plain(key: string, v: pulumi.Input<string> | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") {
    throw new ConfigError(key, "is an Output or a Promise", "give a plain string known at preview: the build context is prepared while the program runs");
  }
  return v === "" ? undefined : v;
}
