/**
 * "The render's object is what the engine created": every field the render
 * writes must be in the live object with the same meaning. The live object has
 * more (server defaults, status, managed fields, Pulumi's managed-by label):
 * those are the server's, not ours, so the check is containment, not equality.
 * Two things the API server rewrites without changing the meaning are compared
 * by meaning: resource quantities (`2000m` is stored as `2`) and a Secret's
 * `stringData` (stored base64-encoded under `data`). A zero value (0, false, "")
 * the server leaves out (Go's omitempty) counts as given. A value Pulumi keeps
 * encrypted in its state cannot be compared there and is skipped, by path.
 */

/** The key Pulumi marks a secret value with in its state (an encrypted envelope). */
export const PULUMI_SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A Kubernetes quantity in base units, or undefined when the string is not one. */
export function quantityValue(s: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(s);
  if (!m) return undefined;
  const scale: Record<string, number> = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  return Number(m[1]) * scale[m[2] ?? ""];
}

function sameScalar(expected: unknown, actual: unknown, underResources: boolean): boolean {
  if (expected === actual) return true;
  if (underResources && typeof expected === "string" && typeof actual === "string") {
    const a = quantityValue(expected);
    const b = quantityValue(actual);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  }
  return false;
}

/** Paths where `actual` lacks or contradicts a field of `expected`; empty when expected ⊆ actual. */
export function containmentDifferences(expected: unknown, actual: unknown, at = "", underResources = false): string[] {
  if (actual !== null && typeof actual === "object" && PULUMI_SECRET_SIG in (actual as object)) return [];
  if (actual === undefined && (expected === 0 || expected === false || expected === "")) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected a list, found ${JSON.stringify(actual)}`];
    if (expected.length !== actual.length) return [`${at}: ${expected.length} items expected, ${actual.length} found`];
    return expected.flatMap((e, i) => containmentDifferences(e, actual[i], `${at}[${i}]`, underResources));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return [`${at}: expected an object, found ${JSON.stringify(actual)}`];
    const out: string[] = [];
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      const inResources = underResources || ["resources", "limits", "requests", "hard", "capacity"].includes(k);
      out.push(...containmentDifferences(v, (actual as Record<string, unknown>)[k], `${at}.${k}`, inResources));
    }
    return out;
  }
  return sameScalar(expected, actual, underResources) ? [] : [`${at}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
}

/** A rendered Secret as the API server stores it: `stringData` folded into base64 `data`. */
export function asStored(object: Record<string, any>): Record<string, any> {
  if (object.kind !== "Secret" || !object.stringData) return object;
  const { stringData, ...rest } = object;
  const data: Record<string, string> = { ...(rest.data ?? {}) };
  for (const [k, v] of Object.entries(stringData as Record<string, string>)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
  return { ...rest, data };
}
