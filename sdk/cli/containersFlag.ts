/**
 * `--containers`: names for every workload (`app,worker`), and per workload
 * (`deploy/orders=app`, `statefulset/dev/db=main`), so one workload of a
 * multi-document file can be targeted without failing the others.
 */
import { ALL_WORKLOAD_KINDS, WorkloadKind } from "../inject";

/** kubectl's names for the kinds: singular, plural and short. */
const KIND_NAMES: Record<string, WorkloadKind> = {
  deploy: "Deployment",
  deployment: "Deployment",
  deployments: "Deployment",
  sts: "StatefulSet",
  statefulset: "StatefulSet",
  statefulsets: "StatefulSet",
  ds: "DaemonSet",
  daemonset: "DaemonSet",
  daemonsets: "DaemonSet",
  rs: "ReplicaSet",
  replicaset: "ReplicaSet",
  replicasets: "ReplicaSet",
  job: "Job",
  jobs: "Job",
  cj: "CronJob",
  cronjob: "CronJob",
  cronjobs: "CronJob",
};

interface Entry {
  text: string;
  kind: WorkloadKind;
  namespace?: string;
  name: string;
  containers: string[];
  used: boolean;
}

export class PerWorkloadContainers {
  constructor(
    /** Names for workloads no entry names. */
    readonly defaults: string[],
    private readonly entries: Entry[],
  ) {}

  /** The containers named for this workload, or undefined (then the defaults and detection decide). */
  containersFor(kind: string, namespace: string | undefined, name: string | undefined): string[] | undefined {
    const hits = this.entries.filter((e) => e.kind === kind && e.name === name && (e.namespace === undefined || e.namespace === (namespace ?? "")));
    for (const h of hits) h.used = true;
    return hits.length > 0 ? [...new Set(hits.flatMap((h) => h.containers))] : undefined;
  }

  /** Entries that named no workload of the input: a typo the user must hear about. */
  unused(): string[] {
    return this.entries.filter((e) => !e.used).map((e) => e.text);
  }
}

/** Parses the flag's value; throws naming the entry and the fix. */
export function parseContainersFlag(value: string | undefined, dnsLabel: RegExp): PerWorkloadContainers {
  const defaults: string[] = [];
  const entries: Entry[] = [];
  for (const raw of (value ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = raw.indexOf("=");
    if (eq < 0) {
      defaults.push(raw);
      continue;
    }
    const target = raw.slice(0, eq).split("/");
    const container = raw.slice(eq + 1).trim();
    const bad = (why: string): never => {
      throw new Error(`--containers "${raw}" ${why}: write KIND/NAME=CONTAINER or KIND/NAMESPACE/NAME=CONTAINER, e.g. deploy/orders=app`);
    };
    if (target.length < 2 || target.length > 3) bad("does not name a workload");
    const kind = KIND_NAMES[target[0].toLowerCase()] ?? bad(`has unknown kind "${target[0]}" (one of ${ALL_WORKLOAD_KINDS.join(", ")}, or deploy, sts, ds, rs, job, cj)`);
    if (!dnsLabel.test(container)) bad(`names "${container}", which is not a valid container name (lower-case DNS label)`);
    entries.push({ text: raw, kind, namespace: target.length === 3 ? target[1] : undefined, name: target[target.length - 1], containers: [container], used: false });
  }
  return new PerWorkloadContainers(defaults, entries);
}
