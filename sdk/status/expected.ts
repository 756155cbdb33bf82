/**
 * Which workloads should report, read back from the objects themselves: the
 * injection's status record and the agent flags it wrote. The same objects a
 * cluster holds (render output, `kubectl get -o yaml`, a stack's state), so the
 * report needs no second copy of the injection rules.
 */
import type { Container } from "kubernetes-types/core/v1";
import { ANNOTATION_STATUS } from "../inject/constants";
import { indexOfEnv } from "../inject/env";
import { readStatus } from "../inject/status";
import { isWorkloadKind, podTemplateOf, Workload } from "../inject/workload";

/** A workload the injection instrumented: it is expected to show in the web. */
export interface ExpectedWorkload {
  kind: string;
  namespace: string;
  name: string;
  applicationName: string;
  /** The instrumented containers and the variable each carries the agent flags in. */
  containers: Array<{ name: string; optionsVariable: string }>;
  /** `podIP`: the agentId is the pod's IP (`$(POD_IP)`); `generated`: the agent makes one. */
  agentIdSource: "podIP" | "generated";
  /** `$(POD_NAME)` as agentName: each agent names its pod. */
  agentNameIsPodName: boolean;
  /** The agent's folder in the container (from -javaagent), where its logs/ are. */
  agentHome?: string;
  /** The pod selector's matchLabels, to find the workload's pods. */
  selector: Record<string, string>;
  /** `spec.replicas` 0: nothing runs, so nothing is expected to report. */
  scaledToZero: boolean;
}

const AGENT_ID_FROM_POD_IP = /(^|\s)-Dpinpoint\.agentId=\$\(POD_IP\)/;
const AGENT_NAME_FROM_POD_NAME = /(^|\s)-Dpinpoint\.agentName=\$\(POD_NAME\)/;

/** The instrumented workloads among `objects`, in input order; objects of other kinds are skipped. */
export function expectedWorkloads(objects: readonly unknown[]): ExpectedWorkload[] {
  const out: ExpectedWorkload[] = [];
  for (const o of objects.flatMap(unwrapList)) {
    if (!o || typeof o !== "object" || !isWorkloadKind((o as { kind?: unknown }).kind)) continue;
    const w = o as Workload;
    const template = podTemplateOf(w);
    if (template?.metadata?.annotations?.[ANNOTATION_STATUS] === undefined) continue;
    const where = `${w.kind} ${w.metadata?.namespace ?? "default"}/${w.metadata?.name ?? "?"}`;
    const status = readStatus(template, where)!;
    const specs = (template?.spec?.containers ?? []) as Container[];
    const containers = Object.entries(status.containers).map(([name, c]) => ({ name, optionsVariable: c.options.name }));
    const first = specs.find((c) => c.name === containers[0]?.name);
    const flags = first?.env?.[indexOfEnv(first.env, containers[0]?.optionsVariable ?? "")]?.value ?? "";
    out.push({
      kind: w.kind!,
      namespace: w.metadata?.namespace ?? "default",
      name: w.metadata?.name ?? "",
      applicationName: status.applicationName,
      containers,
      agentIdSource: AGENT_ID_FROM_POD_IP.test(flags) ? "podIP" : "generated",
      agentNameIsPodName: AGENT_NAME_FROM_POD_NAME.test(flags),
      agentHome: /(?:^|\s)-javaagent:(\S+)\/[^/\s]+\.jar/.exec(flags)?.[1],
      selector: ((w.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {}) as Record<string, string>,
      scaledToZero: (w.spec as { replicas?: number } | undefined)?.replicas === 0,
    });
  }
  return out;
}

/** `kubectl get -o yaml` of several objects is one List (or DeploymentList…) holding them as items. */
function unwrapList(o: unknown): unknown[] {
  const items = (o as { kind?: unknown; items?: unknown })?.items;
  return typeof (o as { kind?: unknown })?.kind === "string" && /List$/.test((o as { kind: string }).kind) && Array.isArray(items) ? items : [o];
}

/**
 * Kubernetes objects out of a `pulumi stack export` checkpoint: each
 * kubernetes resource's outputs are the object as the cluster returned it.
 */
export function objectsOfStackExport(exported: unknown): unknown[] {
  const resources = (exported as { deployment?: { resources?: unknown[] } })?.deployment?.resources;
  if (!Array.isArray(resources)) return [];
  return resources
    .filter((r): r is { type: string; outputs?: Record<string, unknown> } => typeof (r as { type?: unknown })?.type === "string")
    .filter((r) => r.type.startsWith("kubernetes:") && r.outputs && typeof r.outputs.kind === "string")
    .map((r) => r.outputs!);
}
