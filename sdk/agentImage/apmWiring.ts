/**
 * How PinpointApm uses the agent image: build it as a child when an archive is
 * given and no image is, make the instrumented workloads wait for (and roll
 * with) the pushed image, and give each instrumented namespace a pull Secret
 * when registry credentials are given.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { argOr, ConfigError, ConfigReader } from "../config";
import { inProgramContext } from "../programContext";
import { pinpointTransform, PinpointTransformOptions, toArray } from "../transform";
import { AgentImage } from "./agentImage";
import { KEYS } from "./config";
import { PULL_SECRET_KEY, PULL_SECRET_NAME, PULL_SECRET_TYPE } from "./constants";
import { dockerConfigJson } from "./reference";

/** The PinpointApm args that concern the image; the same names as AgentImage's and the config keys. */
export interface AgentImageApmArgs {
  registry?: pulumi.Input<string>;
  registryUsername?: pulumi.Input<string>;
  registryPassword?: pulumi.Input<string>;
  /** A pull-only user for the pods' pull Secret; default: registryUsername. */
  registryPullUsername?: pulumi.Input<string>;
  registryPullPassword?: pulumi.Input<string>;
  imageRepository?: pulumi.Input<string>;
  agentArchive?: pulumi.Input<string>;
  agentVersion?: pulumi.Input<string>;
  baseImage?: pulumi.Input<string>;
}

export interface PullCredentials {
  registry: string;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
  /** These are the credentials that push the built image: worth a warning when copied into namespaces. */
  pushCredentials: boolean;
}

export interface AgentImageWiring {
  /** The image the init containers get: the built one's digest-pinned reference, or the given one. */
  imageRef: pulumi.Input<string> | undefined;
  /** The child that builds, when one does. */
  agentImage?: AgentImage;
  /** Registry and credentials for the pull Secrets, when credentials are given. */
  pullSecret?: PullCredentials;
  /** One Secret per namespace, created the first time a workload there is instrumented. */
  secrets: Map<string, k8s.core.v1.Secret>;
  name: string;
  parent: pulumi.Resource;
}

/**
 * Decides the image: the given reference, or an AgentImage child built from the
 * archive. Both given is an error at preview.
 */
export function wireAgentImage(
  name: string,
  args: AgentImageApmArgs,
  agentImage: pulumi.Input<string> | undefined,
  parent: pulumi.Resource,
): AgentImageWiring {
  const c = new ConfigReader();
  const archive = argOr(args.agentArchive, c.string(KEYS.agentArchive));
  const hasImage = agentImage !== undefined && agentImage !== "";
  if (hasImage && archive !== undefined) {
    throw new ConfigError(KEYS.agentArchive, "and agentImage are both set", "give one: agentImage to use an existing image, agentArchive to build one");
  }
  const wiring: AgentImageWiring = { imageRef: agentImage, secrets: new Map(), name, parent };
  if (!hasImage && archive !== undefined) {
    const { registry, registryUsername, registryPassword, imageRepository, agentVersion, baseImage } = args;
    wiring.agentImage = new AgentImage(
      `${name}-agent`,
      { agentArchive: archive, registry, registryUsername, registryPassword, imageRepository, agentVersion, baseImage },
      { parent },
    );
    wiring.imageRef = wiring.agentImage.imageRef;
  }

  const registryValue = argOr(args.registry, c.string(KEYS.registry));
  const registry = typeof registryValue === "string" ? registryValue : typeof agentImage === "string" ? registryOf(agentImage) : undefined;
  const credentials = pullCredentials(args, c, wiring.agentImage !== undefined);
  if (credentials && registry !== undefined) wiring.pullSecret = { registry, ...credentials };
  return wiring;
}

/**
 * The pods' pull credentials: the pull-only user when given (both keys or
 * neither), else the registry user, which pushes too when the image is built here.
 */
function pullCredentials(args: AgentImageApmArgs, c: ConfigReader, built: boolean): Omit<PullCredentials, "registry"> | undefined {
  const pullUser = argOr(args.registryPullUsername, c.string(KEYS.registryPullUsername));
  const pullPassword = args.registryPullPassword !== undefined ? args.registryPullPassword : c.secret(KEYS.registryPullPassword);
  if ((pullUser === undefined) !== (pullPassword === undefined)) {
    const missing = pullUser === undefined ? KEYS.registryPullUsername : KEYS.registryPullPassword;
    throw new ConfigError(
      missing,
      "is not set, though the other pull credential is",
      `set both: \`pulumi config set pinpoint:${KEYS.registryPullUsername} <robot account>\` and \`pulumi config set --secret pinpoint:${KEYS.registryPullPassword} <its secret>\``,
    );
  }
  if (pullUser !== undefined && pullPassword !== undefined) return { username: pullUser, password: pullPassword, pushCredentials: false };
  const username = argOr(args.registryUsername, c.string(KEYS.registryUsername));
  const password = args.registryPassword !== undefined ? args.registryPassword : c.secret(KEYS.registryPassword);
  if (username === undefined || password === undefined) return undefined;
  return { username, password, pushCredentials: built };
}

/**
 * The instrumentation transform with the image wired in: workloads depend on
 * the image build, and, when PinpointApm owns the pull Secret (credentials
 * given, no imagePullSecret of the user's), name it and get one per namespace.
 */
export function agentImageTransform(options: PinpointTransformOptions, w: AgentImageWiring): pulumi.ResourceTransform {
  const ownSecret = w.pullSecret !== undefined && (options.imagePullSecret === undefined || options.imagePullSecret === "");
  const built = w.agentImage?.image;
  const transform = pinpointTransform({
    ...options,
    readImages: withRegistryCredentials(options.readImages, w),
    imagePullSecret: ownSecret ? PULL_SECRET_NAME : options.imagePullSecret,
    // A changed agent means a new image: the workloads roll after it is pushed, never before.
    dependsOn: [...(options.dependsOn ?? []), ...(built ? [built] : [])],
  });
  if (!ownSecret) return transform;
  // The Secret is made while the engine calls back: in the program's context, or an inline program never sends it (programContext.ts).
  return inProgramContext(async (a: pulumi.ResourceTransformArgs) => {
    const r = await transform(a);
    if (!r) return r;
    const secret = pullSecretFor(w, namespaceOf(a), a.opts);
    const dependsOn = [...toArray(r.opts.dependsOn), secret];
    return { props: r.props, opts: { ...r.opts, dependsOn } };
  });
}

/** The stack's registry credentials, for reading app images from the same registry (Harbor) at preview. */
function withRegistryCredentials(readImages: PinpointTransformOptions["readImages"], w: AgentImageWiring): PinpointTransformOptions["readImages"] {
  const p = w.pullSecret;
  if (!readImages || !p) return readImages;
  // Output's own promise: a value unknown at preview means no credentials, never a wait.
  const both = pulumi.all([p.username, p.password]) as unknown as { isKnown: Promise<boolean>; promise(): Promise<[string, string]> };
  const credentials = both.isKnown.then(async (known) => {
    if (!known) return {};
    const [username, password] = await both.promise();
    return { [p.registry]: { username, password } };
  });
  return { ...(readImages === true ? {} : readImages), credentials };
}

function pullSecretFor(w: AgentImageWiring, namespace: string | undefined, opts: pulumi.ResourceOptions): k8s.core.v1.Secret {
  const key = namespace ?? "";
  const existing = w.secrets.get(key);
  if (existing) return existing;
  const p = w.pullSecret!;
  if (p.pushCredentials && w.secrets.size === 0) {
    pulumi.log.warn(
      `the registry user that pushes the agent image (pinpoint:${KEYS.registryUsername}) is copied into the pull Secret of every instrumented namespace; give the pods a pull-only robot account instead: \`pulumi config set pinpoint:${KEYS.registryPullUsername} <robot>\` and \`pulumi config set --secret pinpoint:${KEYS.registryPullPassword} <secret>\``,
      w.parent,
    );
  }
  const config = pulumi.all([p.username, p.password]).apply(([u, pw]) => dockerConfigJson(p.registry, u, pw));
  const secret = new k8s.core.v1.Secret(
    `${w.name}-pull-${namespace ?? "default"}`,
    {
      metadata: { name: PULL_SECRET_NAME, namespace },
      type: PULL_SECRET_TYPE,
      stringData: { [PULL_SECRET_KEY]: pulumi.secret(config) },
    },
    // The workload's own provider (cluster), and what it waits for (its Namespace, say).
    { parent: w.parent, provider: opts.provider, dependsOn: opts.dependsOn },
  );
  w.secrets.set(key, secret);
  return secret;
}

function namespaceOf(a: pulumi.ResourceTransformArgs): string | undefined {
  const ns = (a.props as { metadata?: { namespace?: unknown } }).metadata?.namespace;
  if (ns === undefined || ns === null || ns === "") return undefined;
  if (typeof ns !== "string") {
    throw new Error(`pinpoint: ${a.name}: its namespace is not known while the program runs, so no pull Secret can be placed there; give the namespace as a plain string`);
  }
  return ns;
}

/** The registry host of a reference (`harbor.example.com/fjhb/pp_agent@…`), or undefined (Docker Hub). */
export function registryOf(reference: string): string | undefined {
  const first = reference.split("/")[0];
  return reference.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : undefined;
}
