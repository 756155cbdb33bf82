/**
 * The Pulumi side of instrumentation: a resource transform that hands every
 * matching workload to the injection core. Thin by design: resolve inputs,
 * call inject(), put the (possibly not yet known) image back as an Output.
 */
import * as pulumi from "@pulumi/pulumi";
import { credentialsFromDockerConfigJson, ImageConfigReader, ImageConfigReaderOptions, imagesOf, RegistryCredentials } from "./imageConfig";
import {
  describeWorkload,
  inject,
  INIT_CONTAINER_NAME,
  InjectOptions,
  isPinnedByDigest,
  kindOfPulumiType,
  podTemplateOf,
  resolveOptions,
  ResolvedOptions,
  VOLUME_NAME,
  InjectResult,
  Workload,
  WORKLOAD_KINDS,
} from "./inject";
import { reportDecision } from "./injectionReport";

/** Options of the transform: the core's options, with the image as a Pulumi input. */
export interface PinpointTransformOptions extends Omit<InjectOptions, "image" | "defaultName" | "images"> {
  /** The pp_agent image reference, e.g. an AgentImage's digest-pinned `imageRef`. */
  image: pulumi.Input<string>;
  /** Only workloads in these namespaces (a workload without one counts as `default`). Default: all. */
  namespaces?: readonly string[];
  /** Resources the instrumented workloads must wait for (the agent image build). */
  dependsOn?: pulumi.Resource[];
  /**
   * Read each workload's image configs from the registry at preview, so the JVM
   * rules see the image's Env, Entrypoint and Cmd (sdk/imageConfig). The
   * transform is then async. Default: off; PinpointApm turns it on (pinpoint:readImages).
   */
  readImages?: boolean | ImageConfigReaderOptions;
}

/** Where a workload without a namespace lands. */
const DEFAULT_NAMESPACE = "default";
/** Report wording for a skip the core gave no reason for. */
const NOT_INJECTED = "not injected";

const namespaceNotSelected = (namespace: string, selected: ReadonlySet<string>) =>
  `namespace ${namespace} not in namespaces (${[...selected].join(", ")})`;

/** Stands in for the image inside the core while the real reference may still be unknown (preview). */
const IMAGE_PENDING = "pp-agent-image-pending";

/**
 * A transform for `pulumi.runtime.registerResourceTransform` (every workload of
 * the stack registered after it) or for one resource's `transforms` option.
 */
export function pinpointTransform(options: PinpointTransformOptions): pulumi.ResourceTransform {
  const image = pulumi.output(options.image);
  // Validate everything but the image now, so a bad option fails at preview even with no workload.
  const resolved = resolveOptions({ ...options, image: IMAGE_PENDING });
  if (typeof options.image === "string") resolveOptions({ ...options, image: options.image });
  // An empty list must not quietly mean its opposite (every namespace).
  if (options.namespaces && options.namespaces.length === 0) {
    throw new Error("namespaces (pinpoint:namespaces) is an empty list: name the namespaces to instrument, or leave it out to instrument every namespace");
  }
  const namespaces = options.namespaces ? new Set(options.namespaces) : undefined;
  // Made on the first instrumented workload, then shared: Outputs per workload cost more than inject() itself,
  // and made eagerly, a bad image would reject with no resource to report it.
  let initImage: InitImage | undefined;

  const reader = options.readImages ? new ImageConfigReader(options.readImages === true ? {} : options.readImages) : undefined;
  const skipped = (args: pulumi.ResourceTransformArgs, reason: string) => {
    reportDecision({ type: args.type, name: args.name, reason });
    return undefined;
  };

  const apply = (args: pulumi.ResourceTransformArgs, workload: Workload, result: InjectResult): pulumi.ResourceTransformResult | undefined => {
    const props = args.props as Workload;
    for (const warning of result.warnings) pulumi.log.warn(warning);
    // Say why, per workload: which container got the agent in which variable, or why none did.
    pulumi.log.info(`pinpoint: ${describeWorkload(workload, args.name)} ${result.injected ? "instrumented" : "left alone"}: ${result.reason ?? ""}`);
    if (!result.injected) return skipped(args, result.reason ?? NOT_INJECTED);

    const out = result.workload as Workload & Record<string, unknown>;
    if (props.kind === undefined) delete out.kind;
    if (props.apiVersion === undefined) delete out.apiVersion;
    initImage ??= initImageOf(image);
    setImage(out, initImage);
    const dependsOn = [...toArray(args.opts.dependsOn), ...(options.dependsOn ?? [])];
    return {
      props: out as unknown as pulumi.Inputs,
      opts: dependsOn.length > 0 ? { ...args.opts, dependsOn } : args.opts,
    };
  };

  return (args: pulumi.ResourceTransformArgs) => {
    if (reader && args.type === SECRET_TYPE) reader.addCredentials(pullSecretCredentials(args.props));
    const kind = kindOfPulumiType(args.type);
    if (!kind) return undefined;
    const props = args.props as Workload;
    const namespace = props.metadata?.namespace ?? DEFAULT_NAMESPACE;
    // A kind not enabled is the core's to decide (and say why), like every other skip.
    const enabled = resolved.kinds.includes(kind);
    if (enabled && namespaces && !namespaces.has(namespace)) return skipped(args, namespaceNotSelected(namespace, namespaces));

    const workload = { ...props, kind, apiVersion: props.apiVersion ?? WORKLOAD_KINDS[kind] } as Workload;
    if (!reader || !enabled) return apply(args, workload, inject(workload, { ...resolved, defaultName: args.name }));
    // Image references still unknown (Outputs at preview) are left to the manifest rules.
    return reader
      .readAll(imagesOf(podTemplateOf(workload)?.spec?.containers))
      .then((images) => apply(args, workload, inject(workload, { ...resolved, images, defaultName: args.name })));
  };
}

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson";
const DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson";

/** Pulumi's marker of a serialised secret value (`{ [SECRET_SIG]: SECRET_SIG_VALUE, value }`), as transforms may see one. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function unsecret(v: any): any {
  return v !== null && typeof v === "object" && v[SECRET_SIG] === SECRET_SIG_VALUE ? v.value : v;
}

/**
 * The registry credentials of a dockerconfigjson Secret the stack declares (before its
 * workloads), for reading their images. A value unknown at preview gives none, never a wait.
 */
async function pullSecretCredentials(props: pulumi.Inputs): Promise<Record<string, RegistryCredentials>> {
  if (props.type !== DOCKER_CONFIG_JSON_TYPE) return {};
  const plain = unsecret(unsecret(props.stringData)?.[DOCKER_CONFIG_JSON_KEY]);
  const encoded = unsecret(unsecret(props.data)?.[DOCKER_CONFIG_JSON_KEY]);
  const value = plain ?? encoded;
  if (value === undefined) return {};
  const output = pulumi.output(value) as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
  if (!(await output.isKnown)) return {};
  const text = await output.promise();
  if (typeof text !== "string") return {};
  try {
    return credentialsFromDockerConfigJson(plain !== undefined ? text : Buffer.from(text, "base64").toString("utf8"));
  } catch {
    return {}; // not ours to judge a Secret's content: the Kubernetes API will
  }
}

/** The init container's image and the pull policy it implies, as Outputs: a digest is known only after the push. */
interface InitImage {
  image: pulumi.Output<string>;
  pullPolicy: pulumi.Output<string>;
}

function initImageOf(image: pulumi.Output<string>): InitImage {
  return {
    image: image.apply((ref) => {
      resolveOptions({ image: ref }); // a bad reference from an Output fails here, naming the problem
      return ref;
    }),
    pullPolicy: image.apply((ref) => (isPinnedByDigest(ref) ? "IfNotPresent" : "Always")),
  };
}

/** Puts the real image where the delivery put the stand-in: the init container's image, or the image volume's reference. */
function setImage(workload: Workload, initImage: InitImage): void {
  const spec = podTemplateOf(workload)?.spec;
  const init = spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME);
  if (init) {
    const mutable = init as unknown as Record<string, unknown>;
    mutable.image = initImage.image;
    mutable.imagePullPolicy = initImage.pullPolicy;
  }
  const volume = spec?.volumes?.find((v) => v.name === VOLUME_NAME) as { image?: Record<string, unknown> } | undefined;
  if (volume?.image) {
    volume.image.reference = initImage.image;
    volume.image.pullPolicy = initImage.pullPolicy;
  }
}

/** A `dependsOn` option as a list, whichever form it was given in. */
export function toArray<T>(v: pulumi.Input<pulumi.Input<T>[]> | pulumi.Input<T> | undefined): pulumi.Input<T>[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as pulumi.Input<T>[];
}

export type { ResolvedOptions };
