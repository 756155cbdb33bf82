/**
 * PinpointApm: the one component a stack creates. Read the seed's three steps
 * here: the agent image, the server, and the instrumentation of workloads.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { argOr, checkUnknownKeys, CONFIG_NAMESPACE, ConfigError, ConfigReader, declareConfigKeys, warnPlainSecrets } from "./config";
import {
  AGENT_DELIVERIES,
  AGENT_ID_SOURCES,
  ALL_WORKLOAD_KINDS,
  imageVolumeSupport,
  OptionError,
  SELECT_MODES,
  UNKNOWN_POLICIES,
  SelectMode,
  supportsAgentName,
  VALUE_FROM_POLICIES,
  WorkloadKind,
} from "./inject";
import { hostPortProblem, unknownKeysProblem } from "./inject/grammar";

/** The pinpoint:* key of each core option whose key has another name. */
const CONFIG_KEY_OF_OPTION: Record<string, string> = {
  image: "agentImage",
  "collectorPorts.agent": "collectorAgentPort",
  "collectorPorts.stat": "collectorStatPort",
  "collectorPorts.span": "collectorSpanPort",
};

/** What pinpoint:initResources may hold. */
const INIT_RESOURCES_CONFIG_SHAPE = { requests: { cpu: null, memory: null }, limits: { cpu: null, memory: null } };
import * as k8s from "@pulumi/kubernetes";
import { pinpointTransform, PinpointTransformOptions } from "./transform";
import { reportInstrumentationOff } from "./injectionReport";
import { agentImageTransform, AgentImageApmArgs, AgentImageWiring, wireAgentImage } from "./agentImage/apmWiring";
import { requireCollector, ServerApmArgs, wireServer } from "./server/apmWiring";
import { STATUS_OUTPUTS_SCHEMA, StatusOutputs } from "./status/outputs";

declareConfigKeys({
  enabled: "boolean, default false: instrument the stack's workloads; false leaves every workload as declared",
  agentImage: "string: the pp_agent image reference to use (skips the build)",
  applicationNamePrefix: "string, default `<stack>-`: put before each workload name to make the Pinpoint applicationName",
  optionsEnv: "string, default auto: the variable that carries the JVM flags; auto gives Tomcat CATALINA_OPTS and other JVMs JAVA_TOOL_OPTIONS",
  select: `one of ${SELECT_MODES.join(", ")}, default auto: auto instruments the first JVM container of each workload; all the first container of every workload`,
  readImages: "boolean, default true: read each image's config from its registry at preview to tell JVMs apart (falls back to the manifest)",
  imageConfigFiles: "list: image configs from files, [IMAGE=]PATH each (docker inspect, skopeo inspect --config or crane config JSON, an OCI layout folder), used before any registry read",
  registryCaFile: "string: PEM file of a private CA (a company Harbor's) to trust when reading images, besides the system's and NODE_EXTRA_CA_CERTS",
  registryPlainHttp: "list: registry hosts (host[:port]) read over plain HTTP, as Docker's insecure-registries; loopback ones need none",
  collectorHost: "string: the collector host the agents report to",
  collectorAgentPort: "integer, default 9991: collector gRPC agent/metadata port",
  collectorStatPort: "integer, default 9992: collector gRPC stat port",
  collectorSpanPort: "integer, default 9993: collector gRPC span port",
  namespaces: "list, default all: instrument only workloads in these namespaces",
  kinds: `list, default Deployment: workload kinds to instrument (${ALL_WORKLOAD_KINDS.join(", ")})`,
  imagePullSecret: "string: a docker-registry Secret named in the instrumented pods' imagePullSecrets",
  agentIdSource: `one of ${AGENT_ID_SOURCES.join(", ")}, default podIP: where the agentId comes from (generated for IPv6 clusters)`,
  agentName: "boolean, default true (false when pinpoint:agentVersion is below 2.3): add -Dpinpoint.agentName=<pod name>",
  profile: "string, default release: the agent profile (-Dpinpoint.profiler.profiles.active)",
  quickStart: "boolean, default false: add -XX:TieredStopAtLevel=1 (C1 only) beside the agent's flags: a quicker start (bench part 7), slower steady-state code; a container that chooses its own JIT keeps it",
  onValueFrom: `one of ${VALUE_FROM_POLICIES.join(", ")}, default error: a container whose options variable comes from valueFrom fails, or is skipped with a warning`,
  unknownContainers: `one of ${UNKNOWN_POLICIES.join(", ")}, default instrument: a container with no JVM evidence either way (an in-house image, no command) gets the agent in JAVA_TOOL_OPTIONS, which only a JVM reads; skip leaves it alone`,
  strict: "boolean, default false: a workload the rules reject, an envFrom source not declared in the stack before the workload, or two workloads with one applicationName fails the preview; otherwise such a workload is left as declared with a warning",
  initResources: 'JSON object: the init container\'s resources, e.g. {"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"200m","memory":"64Mi"}}',
  initRunAsUser: "integer, default 65532: the init container's non-root uid",
  volumeSizeLimit: "quantity, default 256Mi: sizeLimit of the agent emptyDir (with imageVolume: of the logs emptyDir)",
  agentDelivery: `one of ${AGENT_DELIVERIES.join(", ")}, default copy: an init container copies the agent into an emptyDir, or the agent image is mounted read-only as an image volume (Kubernetes 1.31+)`,
  kubernetesVersion: "string, e.g. 1.33: the target cluster's version; with agentDelivery imageVolume, below 1.31 fails the preview and below 1.35 warns about the ImageVolume feature gate",
});

/**
 * Arguments of PinpointApm. Every one is optional: what is not given here is
 * read from the `pinpoint:*` stack config. Plain inputs, no unions, no
 * functions, so other Pulumi languages can use the component.
 */
export interface PinpointApmArgs extends AgentImageApmArgs, ServerApmArgs {
  /** Instrument the stack's workloads. Default: `pinpoint:enabled`, else false. */
  enabled?: pulumi.Input<boolean>;
  /** The pp_agent image reference (best pinned by digest). */
  agentImage?: pulumi.Input<string>;
  /** Put before the workload name to make the applicationName. Default `<stack>-`. */
  applicationNamePrefix?: pulumi.Input<string>;
  /** The variable for the JVM flags. Default `auto`: Tomcat CATALINA_OPTS, other JVMs JAVA_TOOL_OPTIONS. */
  optionsEnv?: pulumi.Input<string>;
  /** `auto` (default): the first JVM container of each workload; `all`: the first container of every workload. */
  select?: pulumi.Input<string>;
  /** Read image configs from their registries at preview. Default true. */
  readImages?: pulumi.Input<boolean>;
  /** PEM file of a private registry CA, for reading images (pinpoint:registryCaFile). */
  registryCaFile?: pulumi.Input<string>;
  /** Registry hosts read over plain HTTP (pinpoint:registryPlainHttp). */
  registryPlainHttp?: pulumi.Input<string[]>;
  /** The collector host the agents report to. */
  collectorHost?: pulumi.Input<string>;
  collectorAgentPort?: pulumi.Input<number>;
  collectorStatPort?: pulumi.Input<number>;
  collectorSpanPort?: pulumi.Input<number>;
  /** Instrument only these namespaces. Default: all. */
  namespaces?: pulumi.Input<pulumi.Input<string>[]>;
  /** Workload kinds to instrument. Default: Deployment. */
  kinds?: pulumi.Input<pulumi.Input<string>[]>;
  /** A docker-registry Secret for the pods' imagePullSecrets. */
  imagePullSecret?: pulumi.Input<string>;
  /** `podIP` (default) or `generated`. */
  agentIdSource?: pulumi.Input<string>;
  /** Add `-Dpinpoint.agentName=<pod name>`. Default true. */
  agentName?: pulumi.Input<boolean>;
  /** Agent profile. Default release. */
  profile?: pulumi.Input<string>;
  /** Add `-XX:TieredStopAtLevel=1` (C1 only) beside the agent's flags for a quicker start. Default false. */
  quickStart?: pulumi.Input<boolean>;
  /** `error` (default) or `skip`. */
  onValueFrom?: pulumi.Input<string>;
  /** Image configs from files, `[IMAGE=]PATH` each, used before any registry read. */
  imageConfigFiles?: pulumi.Input<string[]>;
  /** `instrument` (default) or `skip`: containers with no JVM evidence either way. */
  unknownContainers?: pulumi.Input<string>;
  /** Fail on a rejected workload, an unseen envFrom source or an applicationName clash. Default false. */
  strict?: pulumi.Input<boolean>;
  /** Init container CPU request, e.g. 10m. */
  initCpuRequest?: pulumi.Input<string>;
  initMemoryRequest?: pulumi.Input<string>;
  initCpuLimit?: pulumi.Input<string>;
  initMemoryLimit?: pulumi.Input<string>;
  /** The init container's non-root uid. Default 65532. */
  initRunAsUser?: pulumi.Input<number>;
  /** sizeLimit of the agent emptyDir (with imageVolume: of the logs emptyDir). Default 256Mi. */
  volumeSizeLimit?: pulumi.Input<string>;
  /** `copy` (default: init container and emptyDir) or `imageVolume` (the agent image mounted read-only, Kubernetes 1.31+). */
  agentDelivery?: pulumi.Input<string>;
  /** The target cluster's Kubernetes version, e.g. `1.33`: checked against what agentDelivery needs. */
  kubernetesVersion?: pulumi.Input<string>;
  /**
   * Kubernetes manifests (multi-document YAML text) to deploy instrumented, as a
   * child ConfigGroup. For programs in other languages, whose own resources a
   * TypeScript transform may not reach: read your files and pass them here.
   */
  manifests?: pulumi.Input<string>;
}

/** Settings of instrumentation, once every input is known. */
interface Instrumentation {
  enabled: boolean;
  options: PinpointTransformOptions;
}

export class PinpointApm extends pulumi.ComponentResource {
  /** Whether the stack's workloads are instrumented. */
  readonly enabled: pulumi.Output<boolean>;
  /** The agent image the workloads get (undefined when instrumentation is off and no image is set). */
  readonly agentImage: pulumi.Output<string | undefined>;
  /** The applicationName prefix in use. */
  readonly applicationNamePrefix: pulumi.Output<string>;
  /** Where the agents report to, if set. */
  readonly collectorHost: pulumi.Output<string | undefined>;
  /** The deployed server's namespace (undefined unless deployServer). */
  readonly serverNamespace: pulumi.Output<string | undefined>;
  /** The deployed server's web UI address. */
  readonly webUrl: pulumi.Output<string | undefined>;
  /** What `pinpoint-status --stack-outputs` needs: export it (`export const pinpointStatus = apm.status`). */
  readonly status: pulumi.Output<StatusOutputs>;

  constructor(name: string, args: PinpointApmArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("pinpoint:index:PinpointApm", name, {}, opts);
    checkUnknownKeys();
    warnPlainSecrets(this);
    const config = new ConfigReader();
    const inputs = instrumentationInputs(args, config);
    // The server, when deployed, fills in the collector the agents report to.
    const server = wireServer(name, args, config, inputs, this);
    // The given image, or one built from the agent archive; an Output, since a digest is known only after the push.
    const image: AgentImageWiring = wireAgentImage(name, args, argOr(args.agentImage, config.string("agentImage")), this);

    const settings = settle(inputs, (v) => toInstrumentation(v, image.imageRef));
    let transform: pulumi.ResourceTransform | undefined;
    if (!(settings instanceof Promise)) {
      // Known now: bad input has failed the preview above, and off means no transform at all.
      if (settings.enabled) transform = agentImageTransform(settings.options, image);
      else reportInstrumentationOff(name);
    } else {
      // Some input is an Output: decide once it resolves, and apply that to every resource.
      const ready = settings.then((s) => {
        if (s.enabled) return agentImageTransform(s.options, image);
        reportInstrumentationOff(name);
        return undefined;
      });
      ready.catch(() => undefined); // the error reaches each resource and the outputs; not also as unhandled
      transform = async (t) => (await ready)?.(t);
    }
    if (transform) pulumi.runtime.registerResourceTransform(transform);
    if (args.manifests !== undefined) {
      new k8s.yaml.v2.ConfigGroup(`${name}-manifests`, { yaml: args.manifests }, { parent: this, transforms: transform ? [transform] : [] });
    }

    const known = Promise.resolve(settings);
    this.enabled = pulumi.output(known.then((s) => s.enabled));
    this.agentImage = pulumi.output(image.imageRef);
    this.applicationNamePrefix = pulumi.output(known.then((s) => s.options.applicationNamePrefix ?? ""));
    this.collectorHost = pulumi.output(inputs.collectorHost);
    this.serverNamespace = server ? server.namespace : pulumi.output(undefined);
    this.webUrl = server ? server.webUrl : pulumi.output(undefined);
    this.status = pulumi
      .all([known, server?.webClusterUrl, server?.webIngressUrl, server?.webLoginUser])
      .apply(([s, cluster, ingress, user]): StatusOutputs => ({
        schema: STATUS_OUTPUTS_SCHEMA,
        enabled: s.enabled,
        applicationNamePrefix: s.options.applicationNamePrefix ?? "",
        agentIdSource: s.options.agentIdSource ?? "podIP",
        ...(cluster ? { webClusterUrl: cluster } : {}),
        ...(ingress ? { webIngressUrl: ingress } : {}),
        ...(user ? { webLoginUser: user } : {}),
      }));
    this.registerOutputs({
      status: this.status,
      enabled: this.enabled,
      agentImage: this.agentImage,
      applicationNamePrefix: this.applicationNamePrefix,
      collectorHost: this.collectorHost,
      serverNamespace: this.serverNamespace,
      webUrl: this.webUrl,
    });
  }
}

/** Each input: the arg when given, else the stack config. */
function instrumentationInputs(args: PinpointApmArgs, c: ConfigReader) {
  const resources = c.object<{ requests?: Record<string, string> | null; limits?: Record<string, string> | null }>("initResources");
  const shapeProblem = unknownKeysProblem(resources, INIT_RESOURCES_CONFIG_SHAPE);
  if (shapeProblem) throw new ConfigError("initResources", shapeProblem, `write it as {"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"200m","memory":"64Mi"}}`);
  for (const part of ["requests", "limits"] as const) {
    const p: unknown = resources?.[part];
    if (p !== undefined && p !== null && (typeof p !== "object" || Array.isArray(p))) {
      throw new ConfigError("initResources", `has ${part} ${JSON.stringify(p)}, not an object of quantities`, `write it as {"${part}":{"cpu":"…","memory":"…"}}; a field left out keeps its default, null removes it`);
    }
  }
  return {
    enabled: argOr(args.enabled, c.boolean("enabled")),
    // "" is a prefix of its own: no prefix, not the default <stack>-.
    applicationNamePrefix: argOr(args.applicationNamePrefix, c.stringOrEmpty("applicationNamePrefix")),
    optionsEnv: argOr(args.optionsEnv, c.string("optionsEnv")),
    select: argOr(args.select, c.oneOf("select", SELECT_MODES)),
    readImages: argOr(args.readImages, c.boolean("readImages")),
    imageConfigFiles: argOr(args.imageConfigFiles, c.list("imageConfigFiles")),
    registryCaFile: argOr(args.registryCaFile, c.string("registryCaFile")),
    registryPlainHttp: argOr(args.registryPlainHttp, c.list("registryPlainHttp")),
    collectorHost: argOr(args.collectorHost, c.string("collectorHost")),
    collectorAgentPort: argOr(args.collectorAgentPort, c.integer("collectorAgentPort", 1, 65535)),
    collectorStatPort: argOr(args.collectorStatPort, c.integer("collectorStatPort", 1, 65535)),
    collectorSpanPort: argOr(args.collectorSpanPort, c.integer("collectorSpanPort", 1, 65535)),
    namespaces: argOr(args.namespaces, c.list("namespaces")),
    kinds: argOr(args.kinds, c.list("kinds")),
    imagePullSecret: argOr(args.imagePullSecret, c.string("imagePullSecret")),
    agentIdSource: argOr(args.agentIdSource, c.oneOf("agentIdSource", AGENT_ID_SOURCES)),
    agentName: argOr(args.agentName, c.boolean("agentName")),
    agentVersion: argOr(args.agentVersion, c.string("agentVersion")),
    profile: argOr(args.profile, c.string("profile")),
    quickStart: argOr(args.quickStart, c.boolean("quickStart")),
    onValueFrom: argOr(args.onValueFrom, c.oneOf("onValueFrom", VALUE_FROM_POLICIES)),
    unknownContainers: argOr(args.unknownContainers, c.oneOf("unknownContainers", UNKNOWN_POLICIES)),
    strict: argOr(args.strict, c.boolean("strict")),
    // Each field on its own: what neither sets keeps its default, null removes it (sdk/inject/initResources.ts).
    initCpuRequest: argOr<string | null>(args.initCpuRequest, fieldOf(resources, "requests", "cpu")),
    initMemoryRequest: argOr<string | null>(args.initMemoryRequest, fieldOf(resources, "requests", "memory")),
    initCpuLimit: argOr<string | null>(args.initCpuLimit, fieldOf(resources, "limits", "cpu")),
    initMemoryLimit: argOr<string | null>(args.initMemoryLimit, fieldOf(resources, "limits", "memory")),
    initRunAsUser: argOr(args.initRunAsUser, c.integer("initRunAsUser", 1, 2147483647)),
    volumeSizeLimit: argOr(args.volumeSizeLimit, c.string("volumeSizeLimit")),
    agentDelivery: argOr(args.agentDelivery, c.oneOf("agentDelivery", AGENT_DELIVERIES)),
    kubernetesVersion: argOr(args.kubernetesVersion, c.string("kubernetesVersion")),
  };
}

/** One field of pinpoint:initResources: its value, null when it or its part is null (removed), undefined when not set. */
function fieldOf(resources: Record<string, Record<string, string> | null | undefined> | undefined, part: string, field: string): string | null | undefined {
  const p = resources?.[part];
  return p === null ? null : p?.[field];
}

/** The fields given, for the core to merge with the defaults. */
function initResourcesOf(v: { [K in "initCpuRequest" | "initMemoryRequest" | "initCpuLimit" | "initMemoryLimit"]?: string | null }): PinpointTransformOptions["initResources"] {
  const part = (cpu: string | null | undefined, memory: string | null | undefined) => ({ ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) });
  // null (removed) is read by the core's merge, though the Kubernetes type has no room for it.
  return { requests: part(v.initCpuRequest, v.initMemoryRequest), limits: part(v.initCpuLimit, v.initMemoryLimit) } as PinpointTransformOptions["initResources"];
}

type Inputs = ReturnType<typeof instrumentationInputs>;
type Known = { [K in keyof Inputs]: pulumi.Unwrap<Inputs[K]> };

function toInstrumentation(v: Known, agentImage: pulumi.Input<string> | undefined): Instrumentation {
  const enabled = v.enabled ?? false;
  for (const kind of v.kinds ?? []) {
    if (!ALL_WORKLOAD_KINDS.includes(kind as WorkloadKind)) {
      throw new ConfigError("kinds", `names "${kind}", which is not a workload kind`, `use any of: ${ALL_WORKLOAD_KINDS.join(", ")}`);
    }
  }
  if (enabled && (agentImage === undefined || agentImage === "")) {
    throw new ConfigError(
      "agentImage",
      "is not set, and instrumentation is on",
      "give the pp_agent image (`pulumi config set pinpoint:agentImage <registry>/fjhb/pp_agent@sha256:…`) or let PinpointApm build it (`pulumi config set pinpoint:agentArchive pinpoint-agent-<version>.tar.gz`, see docs/agent-image.md)",
    );
  }
  // The agents need a collector: the deployed server's or pinpoint:collectorHost.
  requireCollector(enabled, v.collectorHost);
  if (v.agentDelivery !== undefined && !(AGENT_DELIVERIES as readonly string[]).includes(v.agentDelivery)) {
    throw new ConfigError("agentDelivery", `is "${v.agentDelivery}"`, `use one of: ${AGENT_DELIVERIES.join(", ")}`);
  }
  if (enabled && v.agentDelivery === "imageVolume") checkImageVolumeSupport(v.kubernetesVersion);
  const options: PinpointTransformOptions = {
    image: agentImage ?? "",
    applicationNamePrefix: v.applicationNamePrefix ?? `${pulumi.getStack()}-`,
    optionsEnv: v.optionsEnv,
    select: v.select as SelectMode | undefined,
    // Checked even with reading off: a bad path is a mistake either way.
    readImages: registryAccess(v.registryCaFile, v.registryPlainHttp, v.readImages ?? true),
    imageConfigFiles: v.imageConfigFiles,
    collectorHost: v.collectorHost,
    collectorPorts: { agent: v.collectorAgentPort, stat: v.collectorStatPort, span: v.collectorSpanPort },
    namespaces: v.namespaces,
    kinds: v.kinds as WorkloadKind[] | undefined,
    imagePullSecret: v.imagePullSecret,
    agentIdSource: v.agentIdSource as PinpointTransformOptions["agentIdSource"],
    // Default: on, unless the agent is known to predate agentName (2.3).
    agentName: v.agentName ?? (v.agentVersion !== undefined ? supportsAgentName(v.agentVersion) : undefined),
    profile: v.profile,
    quickStart: v.quickStart,
    onValueFrom: v.onValueFrom as PinpointTransformOptions["onValueFrom"],
    unknownContainers: v.unknownContainers as PinpointTransformOptions["unknownContainers"],
    strict: v.strict,
    initResources: initResourcesOf(v),
    initRunAsUser: v.initRunAsUser,
    volumeSizeLimit: v.volumeSizeLimit,
    agentDelivery: v.agentDelivery as PinpointTransformOptions["agentDelivery"],
    kubernetesVersion: v.kubernetesVersion,
  };
  if (enabled) {
    try {
      pinpointTransform(options); // validates every option now, at preview
    } catch (e) {
      // Name the setting by its pinpoint:* key, as for every other bad value.
      if (e instanceof OptionError) throw new Error(`${CONFIG_NAMESPACE}:${CONFIG_KEY_OF_OPTION[e.option] ?? e.option} ${e.problem}`);
      throw new Error(`pinpoint: ${(e as Error).message}`);
    }
  }
  return { enabled, options };
}

/** The cluster's version against image volumes, at preview: too old fails, a feature gate that may be off warns. */
/** How image reads reach private registries; a CA file that is missing or no PEM fails the preview here, naming its key. */
function registryAccess(caFile: string | undefined, plainHttp: string[] | undefined, read: boolean): boolean | { caFile?: string; plainHttpHosts?: string[] } {
  if (caFile !== undefined) {
    let pem: string;
    try {
      pem = fs.readFileSync(caFile, "utf8");
    } catch (e) {
      throw new ConfigError("registryCaFile", `"${caFile}" cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, "give the path of the CA's PEM file, relative to the program folder");
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError("registryCaFile", `"${caFile}" holds no PEM certificate`, "give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)");
  }
  for (const h of plainHttp ?? []) {
    const problem = hostPortProblem(h);
    if (problem) throw new ConfigError("registryPlainHttp", `has "${h}", which ${problem.replace(/^"[^"]*" /, "")}`, "give registry hosts as host or host:port, e.g. harbor.local:5000");
  }
  if (!read) return false;
  return caFile === undefined && (plainHttp ?? []).length === 0 ? true : { caFile, plainHttpHosts: plainHttp };
}

function checkImageVolumeSupport(kubernetesVersion: string | undefined): void {
  const names = { version: "pinpoint:kubernetesVersion", delivery: "pinpoint:agentDelivery" };
  // The messages name the keys as written in the stack file.
  const support = imageVolumeSupport(kubernetesVersion, names);
  if (support.level === "error") throw new Error(support.message);
  if (support.level === "warning") void pulumi.log.warn(support.message);
}

/**
 * Applies `f` to the inputs right away when all are plain values (so errors
 * surface in the constructor, at preview), or once any Outputs among them resolve.
 */
function settle<T extends Record<string, unknown>, R>(inputs: T, f: (v: { [K in keyof T]: pulumi.Unwrap<T[K]> }) => R): R | Promise<R> {
  const plain = Object.values(inputs).every((v) => !containsOutput(v));
  if (plain) return f(inputs as { [K in keyof T]: pulumi.Unwrap<T[K]> });
  return (async () => {
    // Output's own promise: Known values only; an unknown one (preview) cannot steer injection.
    const all = pulumi.output(inputs) as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
    if (!(await all.isKnown)) {
      throw new Error("pinpoint: a PinpointApm argument that steers injection is not known at preview; pass a value known before deployment");
    }
    return f((await all.promise()) as { [K in keyof T]: pulumi.Unwrap<T[K]> });
  })();
}

function containsOutput(v: unknown): boolean {
  if (pulumi.Output.isInstance(v) || v instanceof Promise) return true;
  if (Array.isArray(v)) return v.some(containsOutput);
  return false;
}
