/**
 * Fingerprints of the parts injection adds: a short hash of each part as it
 * was written, kept in the status record. Uninject removes a part only when
 * the part still has its fingerprint, so a record copied from another object
 * or edited by hand never costs the user a container, a volume or a variable.
 */
import { createHash } from "crypto";
import type { PodSpec } from "kubernetes-types/core/v1";
import type { InjectionStatus } from "./status";

/** Hex digits kept of the SHA-256: enough to tell parts apart, short enough for an annotation. */
const FINGERPRINT_LENGTH = 12;

/**
 * Fields the API server fills in on a live object (`kubectl get -o yaml`)
 * that injection leaves to it, with their default values: a part read back
 * from a cluster still has the fingerprint it was written with.
 */
const SERVER_DEFAULTS: ReadonlyArray<[string, unknown]> = [
  ["terminationMessagePath", "/dev/termination-log"],
  ["terminationMessagePolicy", "File"],
  ["apiVersion", "v1"], // fieldRef.apiVersion
];

/** Where a part sits, as the key of its fingerprint in the record. */
export const partKey = {
  initContainer: (name: string) => `initContainers/${name}`,
  volume: (name: string) => `volumes/${name}`,
  imagePullSecret: (name: string) => `imagePullSecrets/${name}`,
  env: (container: string, name: string) => `containers/${container}/env/${name}`,
  volumeMount: (container: string, name: string) => `containers/${container}/volumeMounts/${name}`,
};

const SERVER_DEFAULT_OF = new Map(SERVER_DEFAULTS);
const isServerDefault = (key: string, value: unknown) => SERVER_DEFAULT_OF.has(key) && SERVER_DEFAULT_OF.get(key) === value;

/** JSON with sorted keys and no server defaults, written directly (this runs for every part of every workload). */
function canonicalJson(v: unknown, skip?: readonly string[]): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined && !isServerDefault(k, o[k]) && !skip?.includes(k))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** The fingerprint of one part: key order and server defaults do not change it. */
export function fingerprint(part: unknown, skip?: readonly string[]): string {
  const text = canonicalJson(part, skip);
  // Most workloads of a stack get the same parts: hash each distinct one once.
  let print = printCache.get(text);
  if (print === undefined) {
    print = createHash("sha256").update(text).digest("hex").slice(0, FINGERPRINT_LENGTH);
    if (printCache.size >= PRINT_CACHE_MAX) printCache.clear();
    printCache.set(text, print);
  }
  return print;
}

const printCache = new Map<string, string>();
const PRINT_CACHE_MAX = 1024;

/**
 * Fields a part's fingerprint leaves out: the init container's image and pull
 * policy, and an image volume's source (agentDelivery imageVolume), come from the options (a new agent build changes them, and the stack
 * transform sets them after the core, when the pushed digest is known). Its
 * name, command, mounts and securityContext are what prove it injection's.
 */
const UNPRINTED: Record<string, readonly string[]> = { initContainers: ["image", "imagePullPolicy"], volumes: ["image"] };

/** The fingerprint of the part stored under `key` (a partKey). */
export function fingerprintOf(key: string, part: unknown): string {
  return fingerprint(part, UNPRINTED[key.slice(0, key.indexOf("/"))]);
}

/** Fingerprints of every part the record lists, taken from the pod as injection left it. */
export function fingerprintParts(spec: PodSpec, status: InjectionStatus): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (key: string, part: unknown) => {
    if (part !== undefined) out[key] = fingerprintOf(key, part);
  };
  for (const n of status.initContainers) take(partKey.initContainer(n), spec.initContainers?.find((c) => c.name === n));
  for (const n of status.volumes) take(partKey.volume(n), spec.volumes?.find((v) => v.name === n));
  for (const n of status.imagePullSecrets) take(partKey.imagePullSecret(n), spec.imagePullSecrets?.find((s) => s.name === n));
  for (const [cname, cs] of Object.entries(status.containers)) {
    const c = spec.containers.find((x) => x.name === cname);
    for (const n of cs.env) take(partKey.env(cname, n), c?.env?.find((e) => e.name === n));
    if (cs.options.appended === undefined) take(partKey.env(cname, cs.options.name), c?.env?.find((e) => e.name === cs.options.name));
    for (const n of cs.volumeMounts) take(partKey.volumeMount(cname, n), c?.volumeMounts?.find((m) => m.name === n));
  }
  return out;
}
