/**
 * A stack's config file (`Pulumi.<stack>.yaml`) as the program would see it.
 * `secure:` values are never decrypted (the render has no key): each becomes a
 * placeholder and is passed as a secret, so it is masked wherever it lands.
 * A plain scalar reaches the program as written, as the Pulumi CLI passes it
 * (`9992.0` stays "9992.0" and `0x2708` "0x2708", for the program to refuse as
 * a port; `True` stays "True"), not as the number or boolean YAML reads.
 */
import * as fs from "fs";
import { isMap as isYamlMap, isScalar, parseDocument, Scalar } from "yaml";

/** What a `secure:` value is replaced by. */
export const SECRET_CONFIG_PLACEHOLDER = "[secret: set with pulumi config set --secret]";
const SECURE_KEY = "secure";

export interface StackConfig {
  /** Fully qualified keys (`pinpoint:enabled`), values as the Pulumi engine passes them: strings, JSON for objects. */
  config: Record<string, string>;
  secretKeys: string[];
}

/** Reads a stack file; `project` qualifies keys without a namespace, as Pulumi does. */
export function readStackConfig(file: string, project: string): StackConfig {
  let doc: unknown;
  let parsed: ReturnType<typeof parseDocument>;
  try {
    parsed = parseDocument(fs.readFileSync(file, "utf8"));
    if (parsed.errors.length > 0) throw parsed.errors[0];
    doc = parsed.toJS();
  } catch (e) {
    throw new Error(`${file}: is not valid YAML: ${(e as Error).message}`);
  }
  const written = writtenScalars(parsed);
  const raw = isMap(doc) ? doc.config : undefined;
  if (doc !== null && doc !== undefined && !isMap(doc)) throw new Error(`${file}: must be a mapping with a config: key`);
  if (raw !== undefined && raw !== null && !isMap(raw)) throw new Error(`${file}: config: must be a mapping of key: value`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (isSecure(value)) {
      config[full] = SECRET_CONFIG_PLACEHOLDER;
      secretKeys.push(full);
    } else if (value !== null && typeof value === "object") {
      if (containsSecure(value)) {
        throw new Error(`${file}: ${key} holds a secure: value inside an object, which the render cannot place; make it a top-level secret key`);
      }
      config[full] = JSON.stringify(value); // structured config reaches a program as JSON
    } else {
      config[full] = value === null || value === undefined ? "" : (written.get(key) ?? String(value));
    }
  }
  return { config, secretKeys };
}

/** The text of each plain scalar under config:, by key (quoted ones are strings already). */
function writtenScalars(doc: ReturnType<typeof parseDocument>): Map<string, string> {
  const out = new Map<string, string>();
  const config = doc.get("config", true);
  if (!isYamlMap(config)) return out;
  for (const pair of config.items) {
    const v = pair.value;
    if (isScalar(pair.key) && isScalar(v) && v.type === Scalar.PLAIN && v.value !== null && typeof v.source === "string") out.set(String(pair.key.value), v.source);
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isSecure(v: unknown): boolean {
  return isMap(v) && Object.keys(v).length === 1 && typeof v[SECURE_KEY] === "string";
}

function containsSecure(v: unknown): boolean {
  if (isSecure(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecure);
  return isMap(v) && Object.values(v).some(containsSecure);
}
