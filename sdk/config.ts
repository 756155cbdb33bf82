/**
 * Typed, checked reads of the `pinpoint:*` stack config. Each domain module
 * declares the keys it reads, so a typo in a stack file fails the preview with
 * the list of keys that exist, and every bad value names its key and the fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { similarKey } from "./inject";

export const CONFIG_NAMESPACE = "pinpoint";

const declared = new Map<string, string>();

/** A meaning that starts so marks a key whose value must be a Pulumi secret. */
const SECRET_MEANING = /^secret\b/;

/**
 * Declares the keys a module reads (without the `pinpoint:` prefix), with what
 * each means. A meaning starting with "secret" marks a password-like key.
 */
export function declareConfigKeys(keys: Record<string, string>): void {
  for (const [key, meaning] of Object.entries(keys)) declared.set(key, meaning);
}

/** Every declared key and its meaning, for docs and tests. */
export function declaredConfigKeys(): ReadonlyMap<string, string> {
  return declared;
}

export class ConfigError extends Error {
  constructor(key: string, problem: string, fix?: string) {
    super(`${CONFIG_NAMESPACE}:${key} ${problem}${fix ? `; ${fix}` : ""}`);
    this.name = "ConfigError";
  }
}

/** Fails on `pinpoint:*` keys that no module reads (typos), naming the ones that exist. */
export function checkUnknownKeys(): void {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const unknown = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .filter((k) => !declared.has(k));
  if (unknown.length > 0) {
    const known = [...declared.keys()].sort();
    const guess = similarKey(unknown[0], known);
    throw new ConfigError(
      unknown[0],
      `is not a key this package reads${guess ? `; did you mean ${prefix}${guess}?` : ""}`,
      `${guess ? "rename it, or " : ""}remove it with \`pulumi config rm ${prefix}${unknown[0]}\`; known keys: ${known.join(", ")}`,
    );
  }
}

/** The SDK's own test for a secret config value; internal to the SDK but stable, and not in its typings. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** The declared password-like keys that are set in plain text, not with `pulumi config set --secret`. */
export function plainSecretKeys(): string[] {
  const config = pulumi.runtime.allConfig();
  return [...declared]
    .filter(([, meaning]) => SECRET_MEANING.test(meaning))
    .map(([key]) => key)
    .filter((key) => config[`${CONFIG_NAMESPACE}:${key}`] !== undefined && !runtimeConfig.isConfigSecret(`${CONFIG_NAMESPACE}:${key}`))
    .sort();
}

/**
 * Warns about each password given as plain config: it works, but it sits in
 * clear in the stack file and in the state. The fix is named.
 */
export function warnPlainSecrets(resource?: pulumi.Resource): void {
  for (const key of plainSecretKeys()) {
    const name = `${CONFIG_NAMESPACE}:${key}`;
    pulumi.log.warn(
      `${name} is set as plain text, so it is stored in clear in the stack file; make it a secret: \`pulumi config set --secret ${name} <value>\``,
      resource,
    );
  }
}

/** Reads `pinpoint:*` values with the type each key must have. */
export class ConfigReader {
  private readonly config = new pulumi.Config(CONFIG_NAMESPACE);

  private raw(key: string): string | undefined {
    if (!declared.has(key)) throw new Error(`internal: config key ${CONFIG_NAMESPACE}:${key} read but never declared`);
    return this.config.get(key);
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    return v === undefined || v === "" ? undefined : v;
  }

  /** A string where "" is a value of its own (an empty prefix), not "unset". */
  stringOrEmpty(key: string): string | undefined {
    return this.raw(key);
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || v === "") return undefined;
    if (v === "true") return true;
    if (v === "false") return false;
    throw new ConfigError(key, `is "${v}", not a boolean`, `use \`pulumi config set ${CONFIG_NAMESPACE}:${key} true\` or false`);
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) {
      // 9992.0, 0x2708, 1e4: a number in another notation is refused, not read as the integer it may equal.
      const meant = v.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
      const fix = `write it in decimal digits only${meant !== undefined ? `: \`pulumi config set ${CONFIG_NAMESPACE}:${key} ${meant}\`` : ""}`;
      throw new ConfigError(key, `is "${v}", not a whole number from ${min} to ${max}`, fix);
    }
    return n;
  }

  /** One of the allowed values. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ConfigError(key, `is "${v}"`, `use one of: ${allowed.join(", ")}`);
    }
    return v as T;
  }

  /** A list, written as a JSON array (`["a","b"]`, as `pulumi config set --path` makes) or as `a,b`. */
  list(key: string): string[] | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const t = v.trim();
    if (t.startsWith("[")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch {
        throw new ConfigError(key, `is not a valid JSON list: ${v}`, `write it as ["a","b"] or a,b`);
      }
      if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
        throw new ConfigError(key, `must be a list of strings, not ${v}`);
      }
      return parsed.map((x: string) => x.trim()).filter((x) => x !== "");
    }
    return t.split(",").map((x) => x.trim()).filter((x) => x !== "");
  }

  /** A JSON object, e.g. resources `{"requests":{"cpu":"10m"}}`. */
  object<T extends object>(key: string): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new ConfigError(key, `is not valid JSON: ${v}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new ConfigError(key, `must be a JSON object, not ${v}`);
    }
    return parsed as T;
  }

  /** A value that must be kept secret; a plain-text value still works but stays a secret Output. */
  secret(key: string): pulumi.Output<string> | undefined {
    this.raw(key);
    return this.config.getSecret(key);
  }
}

/** The arg when given, else the config value: args win, config fills the rest. */
export function argOr<T>(arg: pulumi.Input<T> | undefined, fromConfig: T | undefined): pulumi.Input<T> | undefined {
  return arg !== undefined ? arg : fromConfig;
}
