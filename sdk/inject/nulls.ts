/**
 * Fields written as `key:` with no value (Helm renders many: `env:`,
 * `volumes:`, `annotations:`) read as null. Injection fills such a field as
 * if it were absent; the record names it, so uninject gives the null back
 * rather than dropping the key, and the manifest comes back as it was.
 */

/** The keys of `obj`, among `keys`, whose value is null. */
export function nullKeys(obj: object | null | undefined, keys: readonly string[]): string[] {
  if (!obj) return [];
  return keys.filter((k) => (obj as Record<string, unknown>)[k] === null);
}

/** A field injection created: back to null when it was null, else removed. */
export function dropCreated(obj: Record<string, unknown>, key: string, nulls: readonly string[] | undefined): void {
  if (nulls?.includes(key)) obj[key] = null;
  else delete obj[key];
}
