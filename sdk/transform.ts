/**
 * The Pulumi side of instrumentation: a resource transform that hands every
 * matching workload to the injection core. Thin by design: resolve inputs,
 * call inject(), put the (possibly not yet known) image back as an Output.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  credentialsFromDockerConfigJson,
  ImageConfigReader,
  ImageConfigReaderOptions,
  imagesOf,
  lookupsFromFiles,
  readImageConfigFile,
  RegistryCredentials,
} from "./imageConfig";
import {
  ANNOTATION_APPLICATION_NAME,
  describeWorkload,
  InjectionError,
  keysOf,
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
import { logDecision } from "./decisionLog";
import { reportDecision } from "./injectionReport";
import { inProgramContext } from "./programContext";

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
  /**
   * Image configs from files (`[IMAGE=]PATH`: docker inspect, skopeo inspect --config or
   * crane config output, an OCI layout folder), used before any registry read: an
   * air-gapped preview or render can be exact. Paths are relative to the working directory.
   */
  imageConfigFiles?: readonly string[];
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
  const fileConfigs = options.imageConfigFiles?.flatMap((f) => {
    try {
      return readImageConfigFile(f);
    } catch (e) {
      // Named as the stack config key: the CLI's flag wording would mislead here.
      throw new Error(`pinpoint:imageConfigFiles: ${(e as Error).message.replace(/^--image-config /, "")}`);
    }
  });
  // ConfigMaps and Secrets declared so far, for envFrom look-ups; filled as they are registered.
  const envSources: Record<string, string[]> = {};
  const withSources: ResolvedOptions = { ...resolved, envSources };
  // applicationName → the workloads given it: two would show as one service in Pinpoint.
  const applicationNames = new Map<string, string>();
  const skipped = (args: pulumi.ResourceTransformArgs, reason: string) => {
    reportDecision({ type: args.type, name: args.name, reason });
    return undefined;
  };

  /** inject(), with a workload the rules reject left as declared (a warning) unless strict. */
  const injectOne = (workload: Workload, o: ResolvedOptions): InjectResult => {
    try {
      return inject(workload, o);
    } catch (e) {
      if (o.strict || !(e instanceof InjectionError)) throw e;
      return { workload, injected: false, reason: `rejected: ${e.problem}`, containerReasons: [], containers: [], warnings: [`${e.message} (left as declared; pinpoint:strict makes this an error)`] };
    }
  };

  const apply = (args: pulumi.ResourceTransformArgs, workload: Workload, result: InjectResult): pulumi.ResourceTransformResult | undefined => {
    const props = args.props as Workload;
    for (const warning of result.warnings) pulumi.log.warn(warning);
    if (result.injected) {
      const who = describeWorkload(workload, args.name);
      const other = applicationNames.get(result.applicationName!);
      if (other !== undefined && other !== who) {
        const clash =
          `applicationName ${result.applicationName} is given to ${other} and ${who}, which Pinpoint would show as one service: ` +
          `give each its own with the ${ANNOTATION_APPLICATION_NAME} annotation, or instrument one namespace per stack with its own pinpoint:applicationNamePrefix`;
        if (resolved.strict) throw new Error(clash);
        pulumi.log.warn(clash);
      }
      applicationNames.set(result.applicationName!, who);
    }
    // Say why, per workload: which container got the agent in which variable, or why none did (one diagnostic per burst).
    logDecision({ workload: describeWorkload(workload, args.name), injected: result.injected, reason: result.reason ?? "" });
    if (!result.injected) return skipped(args, result.reason ?? NOT_INJECTED);
    // Instrumented on no evidence (unknownContainers: instrument), or with an image config asked for and not read:
    // the render table says so, and why.
    if (result.containerReasons.some((r) => r.instrumented && (r.verdict.startsWith("unknown:") || r.note))) {
      reportDecision({ type: args.type, name: args.name, reason: result.reason ?? "" });
    }

    const out = result.workload as Workload & Record<string, unknown>;
    if (props.kind === undefined) delete out.kind;
    if (props.apiVersion === undefined) delete out.apiVersion;
    initImage ??= initImageOf(options.image, image);
    setImage(out, initImage);
    const dependsOn = [...toArray(args.opts.dependsOn), ...(options.dependsOn ?? [])];
    return {
      props: out as unknown as pulumi.Inputs,
      opts: dependsOn.length > 0 ? { ...args.opts, dependsOn } : args.opts,
    };
  };

  // Bound to the program's context: under an inline program the engine calls back outside it (programContext.ts).
  return inProgramContext((args: pulumi.ResourceTransformArgs) => {
    if (reader && args.type === SECRET_TYPE) reader.addCredentials(pullSecretCredentials(args.props));
    if (args.type === SECRET_TYPE || args.type === CONFIG_MAP_TYPE) recordEnvSource(envSources, args.type === SECRET_TYPE ? "Secret" : "ConfigMap", args.props);
    const kind = kindOfPulumiType(args.type);
    if (!kind) return undefined;
    const props = args.props as Workload;
    const namespace = props.metadata?.namespace ?? DEFAULT_NAMESPACE;
    // A kind not enabled is the core's to decide (and say why), like every other skip.
    const enabled = resolved.kinds.includes(kind);
    if (enabled && namespaces && !namespaces.has(namespace)) return skipped(args, namespaceNotSelected(namespace, namespaces));

    const workload = { ...props, kind, apiVersion: props.apiVersion ?? WORKLOAD_KINDS[kind] } as Workload;
    const wanted = imagesOf(podTemplateOf(workload)?.spec?.containers);
    const fromFiles = fileConfigs && enabled ? lookupsFromFiles(wanted, fileConfigs) : undefined;
    if (!reader || !enabled) return apply(args, workload, injectOne(workload, { ...withSources, images: fromFiles, defaultName: args.name }));
    // Image references still unknown (Outputs at preview) are left to the manifest rules.
    return reader
      .readAll(wanted.filter((i) => !fromFiles?.[i]))
      .then((read) => apply(args, workload, injectOne(workload, { ...withSources, images: { ...read, ...fromFiles }, defaultName: args.name })));
  });
}

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const CONFIG_MAP_TYPE = "kubernetes:core/v1:ConfigMap";

/** The keys a ConfigMap or Secret of the stack defines, when its name and data are known (not Outputs). */
function recordEnvSource(sources: Record<string, string[]>, kind: "ConfigMap" | "Secret", props: pulumi.Inputs): void {
  const plain = (v: unknown) => {
    const u = unsecret(v);
    return u !== null && typeof u === "object" && Object.getPrototypeOf(u) === Object.prototype ? u : u === undefined ? undefined : null;
  };
  const meta = plain(props.metadata) as { name?: unknown; namespace?: unknown } | undefined | null;
  const parts = kind === "ConfigMap" ? [props.data, props.binaryData] : [props.data, props.stringData];
  const unwrapped = parts.map(plain);
  // A name or data not yet known could be anything: such a source stays unseen.
  if (!meta || typeof meta.name !== "string" || unwrapped.some((p) => p === null)) return;
  const found = keysOf({ apiVersion: "v1", kind, metadata: { name: meta.name, namespace: typeof meta.namespace === "string" ? meta.namespace : undefined }, data: unwrapped[0] ?? undefined, ...(kind === "ConfigMap" ? { binaryData: unwrapped[1] ?? undefined } : { stringData: unwrapped[1] ?? undefined }) });
  if (found) sources[found.key] = found.keys;
}
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

/**
 * The init container's image and the pull policy it implies: plain strings when the image was given as
 * one (checked when the transform was made), else Outputs, as a digest is known only after the push.
 * Plain values are cheaper for the engine round trip: an Output is serialised with its dependencies.
 */
interface InitImage {
  image: pulumi.Input<string>;
  pullPolicy: pulumi.Input<string>;
}

function initImageOf(given: pulumi.Input<string>, image: pulumi.Output<string>): InitImage {
  if (typeof given === "string") return { image: given, pullPolicy: isPinnedByDigest(given) ? "IfNotPresent" : "Always" };
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
