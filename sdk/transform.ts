/**
 * The Pulumi side of instrumentation: a resource transform that hands every
 * matching workload to the injection core. Thin by design: resolve inputs,
 * call inject(), put the (possibly not yet known) image back as an Output.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  inject,
  INIT_CONTAINER_NAME,
  InjectOptions,
  isPinnedByDigest,
  kindOfPulumiType,
  podTemplateOf,
  resolveOptions,
  ResolvedOptions,
  Workload,
  WORKLOAD_KINDS,
} from "./inject";
import { reportDecision } from "./injectionReport";

/** Options of the transform: the core's options, with the image as a Pulumi input. */
export interface PinpointTransformOptions extends Omit<InjectOptions, "image" | "defaultName"> {
  /** The pp_agent image reference, e.g. an AgentImage's digest-pinned `imageRef`. */
  image: pulumi.Input<string>;
  /** Only workloads in these namespaces (a workload without one counts as `default`). Default: all. */
  namespaces?: readonly string[];
  /** Resources the instrumented workloads must wait for (the agent image build). */
  dependsOn?: pulumi.Resource[];
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
  const namespaces = options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined;
  // Made on the first instrumented workload, then shared: Outputs per workload cost more than inject() itself,
  // and made eagerly, a bad image would reject with no resource to report it.
  let initImage: InitImage | undefined;

  return (args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined => {
    const kind = kindOfPulumiType(args.type);
    if (!kind) return undefined;
    const skipped = (reason: string) => {
      reportDecision({ type: args.type, name: args.name, reason });
      return undefined;
    };
    const props = args.props as Workload;
    const namespace = props.metadata?.namespace ?? DEFAULT_NAMESPACE;
    // A kind not enabled is the core's to decide (and say why), like every other skip.
    if (resolved.kinds.includes(kind) && namespaces && !namespaces.has(namespace)) return skipped(namespaceNotSelected(namespace, namespaces));

    const workload = { ...props, kind, apiVersion: props.apiVersion ?? WORKLOAD_KINDS[kind] } as Workload;
    const result = inject(workload, { ...resolved, defaultName: args.name });
    for (const warning of result.warnings) pulumi.log.warn(warning);
    if (!result.injected) return skipped(result.reason ?? NOT_INJECTED);

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

function setImage(workload: Workload, initImage: InitImage): void {
  const init = podTemplateOf(workload)?.spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME);
  if (!init) return;
  const mutable = init as unknown as Record<string, unknown>;
  mutable.image = initImage.image;
  mutable.imagePullPolicy = initImage.pullPolicy;
}

/** A `dependsOn` option as a list, whichever form it was given in. */
export function toArray<T>(v: pulumi.Input<pulumi.Input<T>[]> | pulumi.Input<T> | undefined): pulumi.Input<T>[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as pulumi.Input<T>[];
}

export type { ResolvedOptions };
