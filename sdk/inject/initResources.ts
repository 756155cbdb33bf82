/**
 * The init container's resources (issue 20: a partial value used to mean
 * something else than it says). A partial value is merged with the defaults
 * field by field, as a JSON merge patch (RFC 7386): `{"limits":{"memory":"128Mi"}}`
 * raises the memory limit and keeps the other three defaults; `null` removes a
 * default (`{"limits":{"cpu":null}}`: no CPU limit). Every caller (the stack
 * config, PinpointApm's args, the transform, the CLI) gets these semantics here.
 */
import type { ResourceRequirements } from "kubernetes-types/core/v1";
import { DEFAULT_INIT_RESOURCES } from "./constants";
import { requestsWithinLimitsProblem, unknownKeysProblem } from "./grammar";
import { OptionError } from "./optionError";

const OPTION = "initResources";
const PARTS = ["requests", "limits"] as const;
type Part = (typeof PARTS)[number];
/** The parts an init container's resources may have. */
const RESOURCES_SHAPE = { requests: null, limits: null, claims: null };
const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
const EXAMPLE = `{"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"200m","memory":"64Mi"}}`;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? "a list" : v === null ? "null" : `${typeof v} ${JSON.stringify(v)}`;
}

/** The resources to give the init container: the defaults, with what `given` sets (or removes with null) field by field. */
export function resolveInitResources(given: unknown): ResourceRequirements {
  if (given === undefined) return structuredClone(DEFAULT_INIT_RESOURCES);
  if (!isPlainObject(given)) throw new OptionError(OPTION, `is ${describe(given)}, not an object: write it as ${EXAMPLE} (any part left out keeps its default)`);
  const shapeProblem = unknownKeysProblem(given, RESOURCES_SHAPE);
  if (shapeProblem) throw new OptionError(OPTION, shapeProblem);
  const out: ResourceRequirements = {};
  const defaulted = new Set<string>();
  for (const part of PARTS) {
    const g = given[part];
    if (g === null) continue; // no requests (limits) at all
    if (g !== undefined && !isPlainObject(g)) {
      throw new OptionError(`${OPTION}.${part}`, `is ${describe(g)}: give an object of quantities, e.g. {"cpu":"10m","memory":"16Mi"}`);
    }
    const merged: Record<string, string> = { ...DEFAULT_INIT_RESOURCES[part] };
    for (const res of Object.keys(merged)) if (!g || !(res in g)) defaulted.add(`${part}.${res}`);
    for (const [res, q] of Object.entries(g ?? {})) {
      if (q === null) {
        delete merged[res];
        continue;
      }
      if (typeof q !== "string") throw new OptionError(`${OPTION}.${part}.${res}`, `is ${describe(q)}: a quantity is written as a string, e.g. "100m" or "64Mi"`);
      if (!QUANTITY.test(q)) throw new OptionError(`${OPTION}.${part}.${res}`, `"${q}" is not a Kubernetes quantity (e.g. 256Mi, 100m)`);
      merged[res] = q;
    }
    if (Object.keys(merged).length > 0) out[part as Part] = merged;
  }
  if (given.claims !== undefined) out.claims = given.claims as ResourceRequirements["claims"];
  const overLimit = requestsWithinLimitsProblem(out as Parameters<typeof requestsWithinLimitsProblem>[0]);
  if (overLimit) {
    const res = /^requests\.(\S+)/.exec(overLimit)?.[1];
    const fromDefault = res !== undefined && defaulted.has(`limits.${res}`);
    throw new OptionError(
      OPTION,
      fromDefault
        ? `${overLimit} (limits.${res} is the default: a partial ${OPTION} keeps the default of every field it leaves out; set limits.${res} too, or null for no limit)`
        : overLimit,
    );
  }
  return out;
}
