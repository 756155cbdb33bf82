/**
 * inject() and uninject(): a workload in, a new workload out. No Pulumi here,
 * so the stack transform, the CLI and the tests share these two functions.
 */
import type { Container, PodSpec, PodTemplateSpec } from "kubernetes-types/core/v1";
import {
  ANNOTATION_APPLICATION_NAME,
  ANNOTATION_CONTAINERS,
  ANNOTATION_INJECT,
  ANNOTATION_OPTIONS_ENV,
  ANNOTATION_STATUS,
  OPTIONS_ENV_AUTO,
} from "./constants";
import { DEFAULT_AGENT_DELIVERY, DeliveryParts, deliveryParts } from "./delivery";
import { agentFlags, containerProblem, instrumentContainer } from "./javaagent";
import { QUICK_START_FLAG, userJitChoice } from "./quickStart";
import { deriveApplicationName, pinpointNameProblem } from "./naming";
import { checkEnvName, InjectOptions, ResolvedOptions, resolveOptions } from "./options";
import { hiddenProblem, JVM_OPTIONS_ENV } from "./optionsVariable";
import { otherAgentProblem, otherAgents } from "./otherAgents";
import { ContainerReason, planContainers, summarise } from "./selection";
import { fieldTypeProblem } from "./fieldTypes";
import { fingerprintParts } from "./fingerprint";
import { probeBudgetWarnings } from "./probeBudget";
import { InjectionStatus, readStatus, writeStatus } from "./status";
import { stripInjected } from "./strip";
import { dropCreated, nullKeys } from "./nulls";
import { duplicateEnvProblem, unknownAnnotationProblem, usesHostNetwork, windowsReason } from "./shapes";
import { annotationOf, describeWorkload, isWorkloadKind, podTemplateOf, unsupportedKindReason, Workload } from "./workload";

/** A workload the rules reject; the message names the workload, the problem and the fix. */
export class InjectionError extends Error {
  constructor(
    readonly workload: string,
    readonly problem: string,
  ) {
    super(`${workload}: ${problem}`);
    this.name = "InjectionError";
  }
}

export interface InjectResult<W extends Workload = Workload> {
  /** A new object; the input is never changed. */
  workload: W;
  injected: boolean;
  /** One line: why nothing was injected, or which containers were and why. */
  reason?: string;
  /** For every container of the pod: instrumented or not, the variable, and why. */
  containerReasons: ContainerReason[];
  applicationName?: string;
  containers: string[];
  /** Containers skipped by the `onValueFrom: "skip"` policy, with why. */
  warnings: string[];
}

/**
 * A deep copy of plain objects and arrays. Anything else (a Pulumi Output in a
 * transform's props, say) is shared, not cloned, which structuredClone refuses.
 */
export function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}

/**
 * Instruments the workload's Java containers with the Pinpoint agent. Options
 * may be resolved once with resolveOptions() and passed for many workloads.
 */
export function inject<W extends Workload>(workload: W, options: InjectOptions | ResolvedOptions): InjectResult<W> {
  const o = isResolved(options) ? options : resolveOptions(options);
  const where = describeWorkload(workload, o.defaultName);
  const skip = (w: W, reason: string, containerReasons: ContainerReason[] = []): InjectResult<W> => ({
    workload: w,
    injected: false,
    reason,
    containers: [],
    warnings: [],
    containerReasons,
  });

  if (!isWorkloadKind(workload.kind)) return skip(workload, unsupportedKindReason(workload));
  if (!o.kinds.includes(workload.kind)) return skip(workload, `kind ${workload.kind} is not enabled (kinds: ${o.kinds.join(", ")})`);
  const typeProblem = fieldTypeProblem(workload);
  if (typeProblem) throw new InjectionError(where, typeProblem);

  // Strip an earlier injection first: injecting twice equals injecting once.
  const stripped = uninject(workload);
  const out = stripped.workload;
  const template = podTemplateOf(out);
  const spec = template?.spec;
  if (!template || !spec || !Array.isArray(spec.containers) || spec.containers.length === 0) {
    throw new InjectionError(where, "has no pod template with containers to instrument");
  }

  const fail = (problem: string): never => {
    throw new InjectionError(where, problem);
  };
  // A misspelt key (`injection: "false"`) must not instrument a workload its user opted out.
  const annotationProblem = unknownAnnotationProblem(out);
  if (annotationProblem) fail(annotationProblem);
  const optOut = annotationOf(out, ANNOTATION_INJECT);
  if (optOut !== undefined && optOut !== "true" && optOut !== "false") {
    fail(`annotation ${ANNOTATION_INJECT} is "${optOut}"; use "true" or "false"`);
  }
  if (optOut === "false") return skip(out, `opted out by ${ANNOTATION_INJECT}: "false"`);
  const windows = windowsReason(spec);
  // Also a warning: a stack-wide transform reports skips only through warnings.
  if (windows) return { ...skip(out, windows), warnings: [`${where}: not instrumented: ${windows}`] };
  // On the host's network the pod IP is the node's: let the agent generate the agentId.
  const wo: ResolvedOptions = usesHostNetwork(spec) && o.agentIdSource === "podIP" ? { ...o, agentIdSource: "generated" } : o;

  const optionsEnv = annotationOf(out, ANNOTATION_OPTIONS_ENV) ?? o.optionsEnv;
  try {
    if (optionsEnv !== OPTIONS_ENV_AUTO) checkEnvName(optionsEnv, `annotation ${ANNOTATION_OPTIONS_ENV}`);
  } catch (e) {
    fail((e as Error).message);
  }
  const named = namedContainers(out, spec, o.defaultContainers, fail);
  const plan = planContainers({
    spec,
    mode: o.select,
    named,
    forced: optOut === "true",
    optionsEnv,
    images: o.images,
    unknown: o.unknownContainers,
    envSources: o.envSources,
    namespace: out.metadata?.namespace,
  });
  if (plan.selected.length === 0) return skip(out, summarise(plan.reasons), plan.reasons);
  const applicationName = applicationNameOf(out, o, fail);

  // Clashes with the user's own parts are errors, never silent merges.
  const parts = deliveryParts(o);
  for (const { name } of parts.volumes) {
    if (spec.volumes?.some((v) => v.name === name)) {
      fail(`already has a volume named "${name}", which the agent needs: rename your volume, or opt out with ${ANNOTATION_INJECT}: "false"`);
    }
  }
  // A StatefulSet's claim template of that name takes the volume's place in every pod: the agent would be copied into the user's persistent volume.
  const claims = (out as { spec?: { volumeClaimTemplates?: unknown } }).spec?.volumeClaimTemplates;
  for (const { name } of parts.volumes) {
    if (Array.isArray(claims) && claims.some((t) => (t as { metadata?: { name?: unknown } } | null)?.metadata?.name === name)) {
      fail(`has a volumeClaimTemplates entry named "${name}", which the agent's volume needs (the claim would take its place, and the agent would be copied into your persistent volume): rename the claim, or opt out with ${ANNOTATION_INJECT}: "false"`);
    }
  }
  for (const { name } of parts.initContainers) {
    if ([...(spec.initContainers ?? []), ...spec.containers].some((c) => c.name === name)) {
      fail(`already has a container named "${name}", which the agent needs: rename yours, or opt out with ${ANNOTATION_INJECT}: "false"`);
    }
  }
  const warnings: string[] = [...stripped.kept];
  const optOutHint = `${ANNOTATION_INJECT}: "false"`;
  const skipContainer = (c: Container, problem: string): false => {
    warnings.push(`${where}: container "${c.name}" skipped: ${problem}`);
    const r = plan.reasons.find((x) => x.container === c.name)!;
    Object.assign(r, { instrumented: false, optionsEnv: undefined, reason: `${r.reason}; skipped: ${problem}` });
    return false;
  };
  const selected = plan.selected.filter((s) => {
    const c = s.container;
    // Chosen only by the unknownContainers policy: any doubt leaves it alone rather than failing the workload.
    const byPolicy = s.verdict.outcome === "unknown" && !s.forced && !named && optOut !== "true";
    const duplicate = duplicateEnvProblem(c, s.variable.name);
    if (duplicate) return byPolicy ? skipContainer(c, duplicate) : fail(duplicate);
    const own = containerProblem(c, s.variable.name, parts.mounts);
    // Another agent is the first thing to say: no choice of variable makes two agents work.
    const agent = own && !own.valueFrom ? undefined : otherAgents(c, template, o.images?.[c.image ?? ""]?.config)[0];
    if (agent) return byPolicy ? skipContainer(c, otherAgentProblem(c.name, agent, optOutHint)) : fail(otherAgentProblem(c.name, agent, optOutHint));
    // An envFrom source we cannot see may or may not set the variable: skip this one container, unless strict.
    if (!own && s.variable.unseen && !o.strict) return skipContainer(c, `${hiddenProblem(c.name, s.variable, optOutHint)} (add the source to the input, or --strict / pinpoint:strict to make this an error)`);
    const p = own ?? (s.variable.hides ? { problem: hiddenProblem(c.name, s.variable, optOutHint), valueFrom: true } : undefined);
    // Strict asks for an error on an unseen envFrom source, whoever chose the container.
    if (p && p.valueFrom && (o.onValueFrom === "skip" || (byPolicy && !(o.strict && s.variable.unseen)))) return skipContainer(c, p.problem);
    return p ? fail(p.problem) : true;
  });
  for (const s of selected) {
    // A probe or hook that starts a JVM reads JAVA_TOOL_OPTIONS too: a second agent, same agentId.
    if (s.variable.name === JVM_OPTIONS_ENV && s.verdict.helperJvms) {
      warnings.push(
        `${where}: container "${s.container.name}": ${s.verdict.helperJvms.join(", ")}, a JVM of its own that also reads ${JVM_OPTIONS_ENV} and would start a second agent with the same agentId: ` +
          `name a variable only the main launcher reads with the ${ANNOTATION_OPTIONS_ENV} annotation (CATALINA_OPTS for Tomcat, JDK_JAVA_OPTIONS for \`java\` on JDK 9+, the launcher's own such as JAVA_OPTS)`,
      );
    }
  }
  if (selected.length === 0) {
    return { ...skip(out, `every selected container was skipped (${plan.reasons.filter((r) => r.reason.includes("skipped:")).map((r) => `${r.container}: ${r.reason}`).join("; ")})`, plan.reasons), warnings };
  }

  const status: InjectionStatus = {
    version: 1,
    applicationName,
    // Recorded only when not the default, so records (and manifests) of the copy delivery stay as they were.
    ...(o.agentDelivery !== DEFAULT_AGENT_DELIVERY ? { agentDelivery: o.agentDelivery } : {}),
    initContainers: parts.initContainers.map((c) => c.name),
    volumes: parts.volumes.map((v) => v.name),
    imagePullSecrets: [],
    created: [],
    containers: {},
  };
  // `key:` with no value is filled like an absent key, and named so uninject gives the null back.
  const nulls = [...nullKeys(template, ["metadata"]), ...nullKeys(template.metadata, ["annotations"]), ...nullKeys(spec, POD_LISTS)];
  const containerNulls = new Map(selected.map(({ container: c }) => [c.name, nullKeys(c, CONTAINER_LISTS)]));
  // The user's own JIT choice stays: the JVM would take ours, which comes last.
  const withQuickStart = (flags: string, c: Container): string => {
    if (!wo.quickStart) return flags;
    const own = userJitChoice(c, o.images?.[c.image ?? ""]?.config);
    if (own === undefined) return `${flags} ${QUICK_START_FLAG}`;
    warnings.push(`${where}: container "${c.name}": quickStart not applied: the container already chooses its JIT compiler (${own}), which is kept`);
    return flags;
  };
  selected.forEach(({ container: c, variable }, index) => {
    const agent = withQuickStart(agentFlags(wo, { applicationName, index, containerName: c.name, multiple: selected.length > 1 }, parts.agentHome), c);
    // The envFrom source sets the variable too: `$(NAME)` first keeps its value (Kubernetes expands it from envFrom).
    const flags = variable.keepEnvFrom ? `$(${variable.name}) ${agent}` : agent;
    try {
      status.containers[c.name] = instrumentContainer(c, wo, variable.name, flags, parts.mounts);
    } catch (e) {
      fail((e as Error).message);
    }
  });
  addToPod(spec, o, parts, status);
  if (!template.metadata) {
    template.metadata = {};
    status.created.push("metadata");
  }
  if (!template.metadata.annotations) {
    template.metadata.annotations = {};
    status.created.push("annotations");
  }
  if (nulls.length > 0) status.nulls = nulls;
  for (const [name, n] of containerNulls) if (n.length > 0) status.containers[name].nulls = n;
  status.fingerprints = fingerprintParts(spec, status);
  writeStatus(template, status);
  // A probe tuned for the start without the agent may kill the pod once the agent's start is added.
  warnings.push(...probeBudgetWarnings(out, where));
  return {
    workload: out,
    injected: true,
    reason: summarise(plan.reasons),
    applicationName,
    containers: selected.map((s) => s.container.name),
    warnings,
    containerReasons: plan.reasons,
  };
}

function isResolved(o: InjectOptions | ResolvedOptions): o is ResolvedOptions {
  return (o as ResolvedOptions).resolved === true;
}

function applicationNameOf(w: Workload, o: ResolvedOptions, fail: (p: string) => never): string {
  const explicit = annotationOf(w, ANNOTATION_APPLICATION_NAME);
  if (explicit !== undefined) {
    const problem = pinpointNameProblem(explicit);
    // The user chose this name: tell them rather than change it.
    return problem ? fail(`annotation ${ANNOTATION_APPLICATION_NAME} "${explicit}" is not a valid Pinpoint applicationName: ${problem}`) : explicit;
  }
  const name = w.metadata?.name ?? o.defaultName;
  if (!name) return fail(`has no metadata.name to derive the applicationName from: set one, or the ${ANNOTATION_APPLICATION_NAME} annotation`);
  try {
    return deriveApplicationName(o.applicationNamePrefix, name);
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** The containers the user named (annotation, else the defaultContainers option); undefined: none named. */
function namedContainers(w: Workload, spec: PodSpec, defaults: readonly string[], fail: (p: string) => never): Container[] | undefined {
  const list = annotationOf(w, ANNOTATION_CONTAINERS);
  if (list === undefined && defaults.length > 0) {
    // A default for many workloads: those it names that exist here; none at all is an error, never a silent skip.
    const found = spec.containers.filter((c) => defaults.includes(c.name));
    if (found.length > 0) return found;
    fail(
      `has none of the default containers (${defaults.join(", ")}); it has: ${spec.containers.map((c) => c.name).join(", ")}: name its containers with the ${ANNOTATION_CONTAINERS} annotation, or opt out with ${ANNOTATION_INJECT}: "false"`,
    );
  }
  if (list === undefined) return undefined;
  const names = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) fail(`annotation ${ANNOTATION_CONTAINERS} is empty; name at least one container, or opt out with ${ANNOTATION_INJECT}: "false"`);
  return [...new Set(names)].map((n) => spec.containers.find((c) => c.name === n) ?? fail(
    `annotation ${ANNOTATION_CONTAINERS} names container "${n}", which the pod does not have (it has: ${spec.containers.map((c) => c.name).join(", ")})`,
  ));
}

function addToPod(spec: PodSpec, o: ResolvedOptions, parts: DeliveryParts, status: InjectionStatus): void {
  if (!spec.volumes) {
    spec.volumes = [];
    status.created.push("volumes");
  }
  spec.volumes.push(...parts.volumes);
  if (parts.initContainers.length > 0) {
    if (!spec.initContainers) {
      spec.initContainers = [];
      status.created.push("initContainers");
    }
    // After the user's own init containers, which may prepare what the app needs.
    spec.initContainers.push(...parts.initContainers);
  }
  const secret = o.imagePullSecret;
  if (secret && !spec.imagePullSecrets?.some((s) => s.name === secret)) {
    if (!spec.imagePullSecrets) {
      spec.imagePullSecrets = [];
      status.created.push("imagePullSecrets");
    }
    spec.imagePullSecrets.push({ name: secret });
    status.imagePullSecrets.push(secret);
  }
}

export interface UninjectResult<W extends Workload = Workload> {
  workload: W;
  /** False when the workload carried no injection status. */
  removed: boolean;
  /** Parts the record lists that were kept because the pod does not prove injection added them (strip.ts). */
  kept: string[];
}

/** Removes exactly what inject() added, as far as its status record's fingerprints prove it; a new object. */
export function uninject<W extends Workload>(workload: W): UninjectResult<W> {
  const where = describeWorkload(workload);
  const typeProblem = fieldTypeProblem(workload);
  if (typeProblem) throw new InjectionError(where, typeProblem);
  const status = readStatus(podTemplateOf(workload), where);
  const out = copyPlain(workload);
  if (!status) return { workload: out, removed: false, kept: [] };
  const template = podTemplateOf(out) as PodTemplateSpec;
  const spec = template.spec as PodSpec;
  const pod = spec as unknown as Record<string, unknown>;

  const kept = stripInjected(spec, status, where);
  for (const [name, cs] of Object.entries(status.containers)) {
    const c = spec.containers.find((x) => x.name === name);
    if (c) dropIfCreatedAndEmpty(c as unknown as Record<string, unknown>, cs.created, CONTAINER_LISTS, cs.nulls);
  }
  dropIfCreatedAndEmpty(pod, status.created, POD_LISTS, status.nulls);
  const meta = template.metadata!;
  delete meta.annotations![ANNOTATION_STATUS];
  dropIfCreatedAndEmpty(meta as unknown as Record<string, unknown>, status.created, ["annotations"], status.nulls);
  dropIfCreatedAndEmpty(template as unknown as Record<string, unknown>, status.created, ["metadata"], status.nulls);
  return { workload: out, removed: true, kept };
}

/** The pod's and a container's lists injection adds to. */
const POD_LISTS = ["initContainers", "volumes", "imagePullSecrets"];
const CONTAINER_LISTS = ["env", "volumeMounts"];

function dropIfCreatedAndEmpty(obj: Record<string, unknown>, created: readonly string[], keys: readonly string[], nulls?: readonly string[]): void {
  for (const key of keys) {
    const v = obj[key];
    const empty = v === undefined || (Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && Object.keys(v).length === 0);
    if (created.includes(key) && empty) dropCreated(obj, key, nulls);
    else if (v === undefined) delete obj[key];
  }
}
