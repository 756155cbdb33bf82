/**
 * The mock engine: runs a Pulumi program under the SDK's mock runtime (no Pulumi
 * CLI, no cluster) and plays the engine's part that mocks leave out: registered transforms are applied to every resource
 * (stack transforms, then resource-option transforms inherited from parents),
 * and `kubernetes:yaml/v2` ConfigGroup/ConfigFile are expanded into child
 * resources the way the Kubernetes provider registers them, so transforms reach
 * workloads declared in YAML too. The offline render and the tests share it.
 *
 * Known difference from the real engine (test/e2e/engine holds it): a `dependsOn`
 * that a stack transform adds is recorded here, while Pulumi 3.276.0 keeps
 * dependencies from transforms only for resources with their own `transforms`
 * option. Creation order is the same in both: the transform answers once the
 * resources it names have URNs, which the engine gives after creating them.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";

/** Kubernetes reads manifests as YAML 1.1 (`0644` is octal, `yes` a boolean); so does the engine. */
const KUBERNETES_YAML_VERSION = "1.1";
/** What `new pulumi.StackReference(...)` registers (a read of the referenced stack). */
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
/**
 * Never transformed by the engine: the root stack (registered before any
 * transform) and a StackReference (a read, not a registration).
 */
const UNTRANSFORMED_TYPES = ["pulumi:pulumi:Stack", STACK_REFERENCE_TYPE];
// Internal but stable: drains the SDK's RPC queue, as `disconnect` does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

/** The SDK's registration request, as far as we read it. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }) => void): void };
}

/**
 * The explicit `dependsOn` of each registration, by type and name. The mocks get no
 * resource options, but the engine hands a transform the resource's dependsOn, so a
 * transform that passes it on (to a pull Secret, say) must see it here too.
 */
const declaredDependsOn = new Map<string, string[]>();
{
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: Record<string, unknown> } };
  const original = MockMonitor.prototype.registerResource as (req: RegisterRequest, cb: unknown) => Promise<void>;
  MockMonitor.prototype.registerResource = function (req: RegisterRequest, cb: unknown) {
    // The request's dependencies are dependsOn plus the inputs' own; keep dependsOn alone.
    const fromInputs = new Set<string>();
    req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((u) => fromInputs.add(u)));
    declaredDependsOn.set(`${req.getType()}::${req.getName()}`, req.getDependenciesList().filter((u) => !fromInputs.has(u)));
    return original.call(this, req, cb);
  };
}

/**
 * Program order, as the engine sees it: a stack transform applies only to
 * resources registered after it. The mocks hand both over asynchronously, in
 * no such order, so the order is taken where the program makes the calls.
 */
let programSequence = 0;
const resourceSequence = new Map<string, number>();
const transformSequence = new WeakMap<pulumi.ResourceTransform, number>();
{
  type Register = (...args: unknown[]) => unknown;
  // Internal but stable: every resource constructor calls runtime/resource's registerResource(res, parent, type, name, …).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const resourceModule = require("@pulumi/pulumi/runtime/resource") as { registerResource: Register };
  const register = resourceModule.registerResource;
  resourceModule.registerResource = function (this: unknown, ...args: unknown[]) {
    resourceSequence.set(`${String(args[2])}::${String(args[3])}`, ++programSequence);
    return register.apply(this, args);
  };
  // pulumi.runtime holds its own copy of the function, so both places are wrapped.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const holder of [pulumi.runtime, require("@pulumi/pulumi/runtime/stack")] as { registerResourceTransform: (t: pulumi.ResourceTransform) => void }[]) {
    const registerTransform = holder.registerResourceTransform;
    holder.registerResourceTransform = (t: pulumi.ResourceTransform) => {
      if (!transformSequence.has(t)) transformSequence.set(t, ++programSequence);
      return registerTransform(t);
    };
  }
}

/** Whether a stack transform was registered before the resource (unknown order: as the mocks deliver it). */
function registeredBefore(t: pulumi.ResourceTransform, resourceKey: string): boolean {
  const transformAt = transformSequence.get(t);
  const resourceAt = resourceSequence.get(resourceKey);
  return transformAt === undefined || resourceAt === undefined || transformAt < resourceAt;
}

export interface RegisteredResource {
  type: string;
  name: string;
  /** Inputs after every transform, with Outputs resolved to plain values. */
  inputs: Record<string, any>;
  /** Inputs as the program declared them, before any transform. */
  declared: Record<string, any>;
  /** Names of the resources it depends on, from its options (after transforms). */
  dependsOn: string[];
  custom: boolean;
  /** Secret values found in the inputs, by dotted path. */
  secretPaths: string[];
  /** Values not known until a real deployment (preview), by dotted path. */
  unknownPaths: string[];
  /** Set for children of a ConfigGroup/ConfigFile: the group's name. */
  group?: string;
}

export interface ProgramRun {
  resources: RegisteredResource[];
  /** Messages of errors raised while registering resources (transform failures). */
  errors: string[];
  /** Stack outputs returned by the program (through the `unknown` and `secret` hooks when given). */
  outputs: Record<string, any>;
  /** Stack outputs that are secret, wholly or in part. */
  secretOutputNames: string[];
  transformsRegistered: number;
}

export interface RunOptions {
  project?: string;
  stack?: string;
  /** `pinpoint:enabled` → "true"; keys without a namespace get `pinpoint:`. */
  config?: Record<string, string>;
  secretKeys?: string[];
  preview?: boolean;
  /** Extra output state for a resource (e.g. a docker.Image's repoDigest); merged over its inputs. */
  state?: (type: string, name: string, inputs: Record<string, any>) => Record<string, any> | undefined;
  /** Folder that relative `files` of a ConfigGroup are read from. */
  cwd?: string;
  /**
   * What an unknown value (preview) becomes in `inputs`, given its dotted path.
   * Default: an unknown Output is left out, the SDK's unknown marker kept.
   */
  unknown?: (path: string) => unknown;
  /** What a secret value becomes in `inputs` (a mask). Default: kept, in the SDK's wire form when it came that way. */
  secret?: (value: unknown, path: string) => unknown;
  /**
   * The outputs of a referenced stack (`pulumi.StackReference`), given its
   * name. Without it a StackReference has no outputs, as under plain mocks.
   */
  stackReference?: (name: string) => Promise<StackOutputs>;
}

/** A stack's outputs as a StackReference reads them. */
export interface StackOutputs {
  outputs: Record<string, unknown>;
  /** These outputs reach the program as secrets. */
  secretOutputNames: string[];
}

/** How resolveDeep treats unknown and secret values. */
export interface ResolveHooks {
  unknown?: (path: string) => unknown;
  secret?: (value: unknown, path: string) => unknown;
}

export async function runProgram(program: () => unknown, options: RunOptions = {}): Promise<ProgramRun> {
  const stackTransforms: pulumi.ResourceTransform[] = [];
  const resources: RegisteredResource[] = [];
  const errors: string[] = [];
  const groupTransforms = new Map<string, pulumi.ResourceTransform[]>();

  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.config ?? {})) config[k.includes(":") ? k : `pinpoint:${k}`] = v;
  const secretKeys = (options.secretKeys ?? []).map((k) => (k.includes(":") ? k : `pinpoint:${k}`));
  pulumi.runtime.setAllConfig(config, secretKeys);

  const applyTransforms = async (
    type: string,
    name: string,
    custom: boolean,
    props: Record<string, any>,
    opts: pulumi.ResourceOptions,
    own: pulumi.ResourceTransform[],
    orderKey: string,
  ) => {
    let current = { props, opts };
    // The mocks may see these after a transform is registered; applying it anyway would
    // also deadlock an async transform that waits on a StackReference's outputs.
    if (UNTRANSFORMED_TYPES.includes(type)) return current;
    for (const t of [...own, ...stackTransforms.filter((st) => registeredBefore(st, orderKey))]) {
      const r = await t({ type, name, custom, props: current.props, opts: current.opts });
      if (r) current = { props: r.props as Record<string, any>, opts: r.opts };
    }
    return current;
  };

  /** `group`: the ConfigGroup/ConfigFile a child comes from; the child is registered when it is. */
  const record = async (type: string, name: string, custom: boolean, declared: Record<string, any>, own: pulumi.ResourceTransform[], group?: { type: string; name: string }) => {
    try {
      const declaredDeps = declaredDependsOn.get(`${type}::${name}`) ?? [];
      const opts: pulumi.ResourceOptions = declaredDeps.length > 0 ? { dependsOn: declaredDeps.map((urn) => new pulumi.DependencyResource(urn)) } : {};
      const t = await applyTransforms(type, name, custom, declared, opts, own, group ? `${group.type}::${group.name}` : `${type}::${name}`);
      const { value, secretPaths, unknownPaths } = await resolveDeep(t.props, "", options);
      const deps = await dependencyNames(t.opts.dependsOn);
      resources.push({ type, name, inputs: value, declared, dependsOn: deps, custom, secretPaths, unknownPaths, group: group?.name });
      return value;
    } catch (e) {
      errors.push((e as Error).message);
      throw e;
    }
  };

  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        if (args.type === STACK_REFERENCE_TYPE && options.stackReference) {
          // Errors raised here would only reject the reference's outputs: report them as the program's.
          const state = await stackReferenceState(String(args.inputs.name ?? args.id), options.stackReference).catch((e: Error) => {
            errors.push(e.message);
            throw e;
          });
          await record(args.type, args.name, true, args.inputs, []);
          return { id: args.id, state };
        }
        const own = args.transforms ?? [];
        const inputs = await record(args.type, args.name, args.custom ?? false, args.inputs, own);
        if (args.type === "kubernetes:yaml/v2:ConfigGroup" || args.type === "kubernetes:yaml/v2:ConfigFile") {
          groupTransforms.set(args.name, own);
          await expandGroup(args.type, args.name, args.inputs, own, options.cwd ?? process.cwd(), record);
        }
        const extra = options.state?.(args.type, args.name, inputs) ?? {};
        return { id: args.custom ? `${args.name}-id` : undefined, state: { ...inputs, ...extra } };
      },
      call: (args) => args.inputs,
      registerTransform: (t) => {
        stackTransforms.push(t);
      },
    },
    options.project ?? "pinpoint-test",
    options.stack ?? "dev",
    options.preview ?? false,
  );

  let outputs: Record<string, any> = {};
  let secretOutputNames: string[] = [];
  try {
    // What the program returned, not what the stack resolves it to: that would lose which outputs are secret or unknown.
    let returned: unknown;
    await pulumi.runtime.runInPulumiStack(async () => (returned = await program()));
    const resolved = await resolveDeep(returned ?? {}, "", options);
    outputs = (resolved.value ?? {}) as Record<string, any>;
    secretOutputNames = [...new Set(resolved.secretPaths.map((p) => p.split(/[.[]/)[0]))];
  } catch (e) {
    errors.push((e as Error).message);
  }
  await settings.waitForRPCs().catch((e: Error) => errors.push(e.message));
  return { resources, errors: [...new Set(errors)], outputs, secretOutputNames, transformsRegistered: stackTransforms.length };
}

/**
 * The state the engine gives a StackReference: `outputs`, the secret ones in the
 * SDK's secret wire form, so `getOutput`/`requireOutput` hand them out as secrets.
 */
async function stackReferenceState(name: string, lookup: (name: string) => Promise<StackOutputs>): Promise<Record<string, unknown>> {
  const { outputs, secretOutputNames } = await lookup(name);
  const secret = new Set(secretOutputNames);
  const wire = Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => [k, secret.has(k) ? { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: v } : v]),
  );
  return { name, outputs: wire, secretOutputNames: [...secret] };
}

/** The objects a ConfigGroup/ConfigFile declares, registered as the provider would register its children. */
async function expandGroup(
  type: string,
  name: string,
  inputs: Record<string, any>,
  own: pulumi.ResourceTransform[],
  cwd: string,
  record: (type: string, name: string, custom: boolean, props: Record<string, any>, own: pulumi.ResourceTransform[], group?: { type: string; name: string }) => Promise<unknown>,
): Promise<void> {
  const objects: Record<string, any>[] = [];
  const texts: string[] = [];
  const files = type.endsWith("ConfigFile") ? [inputs.file] : toList(inputs.files);
  for (const f of files) texts.push(fs.readFileSync(path.resolve(cwd, f), "utf8"));
  texts.push(...toList(inputs.yaml));
  for (const text of texts) {
    for (const doc of parseAllDocuments(text, { version: KUBERNETES_YAML_VERSION })) {
      const obj = doc.toJS();
      if (obj) objects.push(...(obj.kind === "List" ? obj.items : [obj]));
    }
  }
  objects.push(...toList(inputs.objs));
  const prefix = inputs.resourcePrefix ?? name;
  for (const obj of objects) {
    const [group, version] = String(obj.apiVersion).includes("/") ? String(obj.apiVersion).split("/") : ["core", obj.apiVersion];
    const childType = `kubernetes:${group}/${version}:${obj.kind}`;
    const ns = obj.metadata?.namespace;
    await record(childType, `${prefix}:${ns ? `${ns}/` : ""}${obj.metadata?.name}`, true, obj, own, { type, name });
  }
}

function toList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

async function dependencyNames(dependsOn: pulumi.ResourceOptions["dependsOn"]): Promise<string[]> {
  // Output.promise() is internal but stable: it resolves the dependsOn list without an apply.
  const list = await (pulumi.output(dependsOn as any) as any).promise?.();
  const resources = (Array.isArray(list) ? list : list ? [list] : []) as pulumi.Resource[];
  const names: string[] = [];
  for (const r of resources) {
    const urn = await (r.urn as any).promise();
    names.push(String(urn).split("::").pop() as string);
  }
  return names;
}

/**
 * Resolves Outputs (and promises) anywhere in a value, noting secret and unknown
 * ones, whether Outputs or the SDK's wire forms that the mock runtime hands to
 * `newResource`; `hooks` give what those become.
 */
export async function resolveDeep(
  value: unknown,
  at = "",
  hooks: ResolveHooks = {},
): Promise<{ value: any; secretPaths: string[]; unknownPaths: string[] }> {
  const secretPaths: string[] = [];
  const unknownPaths: string[] = [];
  const walk = async (v: unknown, p: string): Promise<unknown> => {
    if (pulumi.Output.isInstance(v)) {
      const o = v as any;
      const secret = await o.isSecret;
      if (secret) secretPaths.push(p);
      if (!(await o.isKnown)) {
        unknownPaths.push(p);
        return hooks.unknown?.(p);
      }
      const inner = await walk(await o.promise(), p);
      return secret && hooks.secret ? hooks.secret(inner, p) : inner;
    }
    if (pulumi.isUnknown(v)) {
      unknownPaths.push(p);
      return hooks.unknown ? hooks.unknown(p) : v;
    }
    if (pulumi.runtime.isRpcSecret(v)) {
      secretPaths.push(p);
      if (hooks.secret) return hooks.secret(await walk(pulumi.runtime.unwrapRpcSecret(v), p), p);
    }
    if (v instanceof Promise) return walk(await v, p);
    if (Array.isArray(v)) return Promise.all(v.map((x, i) => walk(x, `${p}[${i}]`)));
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const r = await walk(x, p ? `${p}.${k}` : k);
        if (r !== undefined) out[k] = r;
      }
      return out;
    }
    return v;
  };
  const resolved = await walk(value, at);
  return { value: resolved, secretPaths, unknownPaths };
}

/** The registered resources of one type. */
export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}
