/**
 * Every field of a workload the core reads, checked for its type before it
 * is read, so wrong input gets a message naming the field path (never a
 * JavaScript TypeError such as `x.map is not a function`). A value that is
 * not plain data (a Pulumi Output in a transform's props) is not known yet
 * and passes. YAML 1.1 turns unquoted yes/no/on/off/true/false into booleans,
 * and digits into numbers: where a string is needed, the message says to quote.
 */
import type { Workload } from "./workload";

type Check = (v: unknown, at: string) => string | undefined;

const isPlain = (v: unknown): boolean => v !== null && typeof v === "object" && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);
const isMapping = (v: unknown): v is Record<string, unknown> => isPlain(v) && !Array.isArray(v);

/** What a value is, as a YAML author wrote it. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "boolean") return `the boolean ${v} (YAML reads unquoted yes, no, on, off, true, false so)`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return "a mapping";
}

// null (`key:` with no value) decodes as an empty string in the API server: accepted.
const string: Check = (v, at) =>
  typeof v === "string" || v === null || !isPlainValue(v)
    ? undefined
    : `${at} is ${describe(v)}, not a string: ${typeof v === "boolean" ? `quote the value as you wrote it (e.g. "no", "${String(v)}")` : typeof v === "number" ? `quote it as you wrote it (e.g. "${String(v)}")` : "give a string"}`;

/** Primitives and plain containers are data; anything else is not known yet. */
const isPlainValue = (v: unknown) => v === null || typeof v !== "object" || isPlain(v);

function mapping(fields: Record<string, Check> = {}, values?: Check): Check {
  return (v, at) => {
    if (v === undefined || v === null) return undefined;
    if (!isPlainValue(v)) return undefined;
    if (!isMapping(v)) return `${at} is ${describe(v)}, not a mapping (key: value lines)`;
    for (const [key, check] of Object.entries(fields)) {
      if (v[key] === undefined || v[key] === null) continue;
      const p = check(v[key], `${at}.${key}`);
      if (p) return p;
    }
    if (values) {
      for (const [key, x] of Object.entries(v)) {
        const p = values(x, `${at}.${key.includes(".") || key.includes("/") ? `"${key}"` : key}`);
        if (p) return p;
      }
    }
    return undefined;
  };
}

function list(item: Check): Check {
  return (v, at) => {
    if (v === undefined || v === null || !isPlainValue(v)) return undefined;
    if (!Array.isArray(v)) return `${at} is ${describe(v)}, not a list (lines starting with "- ")`;
    for (let i = 0; i < v.length; i++) {
      const p = item(v[i], `${at}[${i}]`);
      if (p) return p;
    }
    return undefined;
  };
}

/** An item of a list the core looks things up in by name: a mapping with a string name. */
function named(fields: Record<string, Check> = {}): Check {
  const m = mapping({ name: string, ...fields });
  return (v, at) => (v === null ? `${at} is null, not a mapping with a name` : m(v, at));
}

const metadata = mapping({ name: string, namespace: string, annotations: mapping({}, string), labels: mapping({}, string) });
const container = named({
  image: string,
  command: list(string),
  args: list(string),
  env: list(named({ value: string })),
  envFrom: list(mapping()),
  volumeMounts: list(named({ mountPath: string })),
});
const podSpec = mapping({
  containers: list(container),
  initContainers: list(container),
  volumes: list(named()),
  imagePullSecrets: list(named()),
  nodeSelector: mapping({}, string),
  os: mapping({ name: string }),
  affinity: mapping(),
});
const template = mapping({ metadata, spec: podSpec });

/** The first field of the workload whose type the core cannot read, as a message; undefined when all are fine. */
export function fieldTypeProblem(w: Workload): string | undefined {
  const o = w as unknown as Record<string, unknown>;
  const spec =
    w.kind === "CronJob"
      ? mapping({ jobTemplate: mapping({ metadata, spec: mapping({ template }) }) })
      : mapping({ template, volumeClaimTemplates: list(mapping({ metadata })) });
  return metadata(o.metadata, "metadata") ?? spec(o.spec, "spec");
}
