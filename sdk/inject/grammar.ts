/**
 * The grammars of the values a user hands the core, each a function that says
 * what is wrong and how to fix it, or undefined when the value is good. Pure:
 * the transform, the CLI and the config reader all check with these.
 */
import { isIPv6 } from "net";
import { ANNOTATION_PREFIX } from "./constants";

// ---- image references (the distribution/reference grammar)

/** A domain component: letters, digits and inner hyphens. */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
/** A repository path component: lower-case letters and digits, joined by `.`, `_`, `__` or dashes. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/;
/** Hex digits a digest of each registered algorithm has. */
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const NAME_MAX_LENGTH = 255;
const PLACEHOLDER = /…|\.\.\.|<[^>]*>/;

/** Why an image reference is not one a registry and a kubelet accept, or undefined. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref.trim() === "") return "is empty: give the image reference, e.g. harbor.example.com/fjhb/pp_agent@sha256:<64 hex digits>";
  if (/\s/.test(ref)) return "contains white space";
  if (PLACEHOLDER.test(ref)) return "still holds a placeholder (… or <…>) copied from an example: give the real tag or digest";
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(ref)) return "starts with a scheme (https://): give the reference without it, e.g. harbor.example.com/fjhb/pp_agent:1.0";
  const at = ref.indexOf("@");
  const namePart = at >= 0 ? ref.slice(0, at) : ref;
  if (at >= 0) {
    const digest = ref.slice(at + 1);
    const [algorithm, hex, extra] = digest.split(":");
    if (extra !== undefined || hex === undefined || !DIGEST_ALGORITHM.test(algorithm)) return `has digest "${digest}", not <algorithm>:<hex>, e.g. sha256:<64 hex digits>`;
    if (!/^[0-9a-f]+$/.test(hex)) return `has digest "${digest}" with characters other than lower-case hex digits`;
    const want = DIGEST_LENGTHS[algorithm];
    if (want === undefined) return `has digest algorithm "${algorithm}": use sha256`;
    if (hex.length !== want) return `has a ${algorithm} digest of ${hex.length} hex digits; it needs ${want}: copy the whole digest`;
  }
  const parts = namePart.split("/");
  const last = parts[parts.length - 1];
  const colons = last.split(":");
  if (colons.length > 2) return `has more than one tag ("${last}"): keep one, e.g. pp_agent:1.0`;
  const tag = colons.length === 2 ? colons[1] : undefined;
  if (tag !== undefined && !TAG.test(tag)) return `has tag "${tag}", which may hold only letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')`;
  parts[parts.length - 1] = colons[0];
  // The first part is the registry when it looks like a host: a dot, a port, or localhost.
  const hasDomain = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost" || parts[0].startsWith("["));
  if (hasDomain && !DOMAIN.test(parts[0])) return `has registry "${parts[0]}", which is not a host[:port]`;
  const repository = hasDomain ? parts.slice(1) : parts;
  for (const component of repository) {
    if (component === "") return "has an empty path part (\"//\" or a trailing \"/\")";
    if (!PATH_COMPONENT.test(component)) {
      return component.toLowerCase() !== component
        ? `has repository part "${component}" with upper-case letters: repository names are lower-case (${component.toLowerCase()})`
        : `has repository part "${component}", which may hold only lower-case letters, digits and single '.', '_', '__' or '-' between them`;
    }
  }
  if (namePart.length - (tag !== undefined ? tag.length + 1 : 0) > NAME_MAX_LENGTH) return `has a name longer than ${NAME_MAX_LENGTH} characters`;
  return undefined;
}

// ---- the options variable

/** A name a shell and a JVM launcher script can read: a C identifier. */
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables that steer the process or the injection itself: never the agent's flags. */
const RESERVED_ENV = new Set([
  "PATH",
  "HOME",
  "USER",
  "SHELL",
  "HOSTNAME",
  "PWD",
  "TMPDIR",
  "LANG",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
  "JAVA_HOME",
  "CLASSPATH",
  "POD_IP",
  "POD_NAME",
]);
/** Variables JVM launchers read, for the "did you mean" of a mistyped one. */
export const KNOWN_JVM_OPTIONS_ENV: readonly string[] = ["CATALINA_OPTS", "JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JVM_OPTS"];

/** Why a name cannot carry the agent flags, or undefined. */
export function optionsEnvProblem(name: string): string | undefined {
  if (!C_IDENTIFIER.test(name)) {
    return `"${name}" is not a variable a JVM launcher can read: use letters, digits and '_' (not starting with a digit), e.g. CATALINA_OPTS or JAVA_TOOL_OPTIONS`;
  }
  if (RESERVED_ENV.has(name)) {
    return `"${name}" is a variable the process or the agent injection itself needs, not one a JVM reads flags from: use CATALINA_OPTS (Tomcat) or JAVA_TOOL_OPTIONS (any JVM)`;
  }
  const known = KNOWN_JVM_OPTIONS_ENV.find((k) => k.toLowerCase() === name.toLowerCase());
  if (known && known !== name) return `"${name}" is not ${known}: environment variables are case-sensitive and JVM launchers read ${known}`;
  if (name === name.toLowerCase()) return `"${name}" is lower-case; JVM launchers read upper-case variables such as CATALINA_OPTS or JAVA_TOOL_OPTIONS`;
  return undefined;
}

// ---- hosts and ports

const DNS_LABEL_1123 = /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const HOSTNAME_MAX_LENGTH = 253;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_LOOKALIKE = /^[0-9a-fA-F:.]+$/;
export const PORT_MIN = 1;
export const PORT_MAX = 65535;

/** Why a value is not a host name (RFC 1123) or an IP address, or undefined. */
export function hostProblem(host: string): string | undefined {
  if (host === "") return "is empty";
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(host)) return `"${host}" has a scheme: give the host only, e.g. pinpoint-collector.pinpoint`;
  const bracketed = /^\[(.*)\]$/.exec(host)?.[1];
  // IPv6 by its full grammar (`::::` and `1:2:3` are not addresses), not by its characters.
  if (bracketed !== undefined) return isIPv6(bracketed) ? undefined : `"${host}" is not an IPv6 address`;
  if (isIPv6(host)) return undefined;
  // Hex digits and colons with two or more colons were meant as IPv6; one colon is a host with a port.
  if (IPV6_LOOKALIKE.test(host) && /:.*:/.test(host)) return `"${host}" is not an IPv6 address`;
  if (host.includes(":")) return `"${host}" holds a ':': give the host alone, and the ports as collector ports`;
  if (/^[\d.]+$/.test(host)) return IPV4.test(host) ? undefined : `"${host}" is not an IPv4 address`;
  if (host.length > HOSTNAME_MAX_LENGTH) return `"${host}" is longer than ${HOSTNAME_MAX_LENGTH} characters`;
  const labels = host.replace(/\.$/, "").split(".");
  const bad = labels.find((l) => !DNS_LABEL_1123.test(l));
  if (bad !== undefined) {
    return bad === ""
      ? `"${host}" has an empty label (two dots in a row, or a leading dot)`
      : `"${host}" has label "${bad}": a host name label is 1 to 63 letters, digits and inner '-'`;
  }
  return undefined;
}

/** Why `host[:port]` is not a host name or address with an optional port from 1 to 65535, or undefined. */
export function hostPortProblem(value: string): string | undefined {
  // A port in another notation (9992.0, 0x2708, +80) is named as a port, not taken for part of the host.
  const odd = /^([^:\[\]]+|\[[^\]]*\]):([^:]*)$/.exec(value);
  if (odd && !/^\d+$/.test(odd[2]) && !hostProblem(odd[1])) {
    return `has port "${odd[2]}": a port is a whole number from ${PORT_MIN} to ${PORT_MAX} in decimal digits (e.g. ${odd[1]}:5000)`;
  }
  const m = /^(.*?)(?::(\d+))?$/.exec(value) as RegExpExecArray;
  const [host, port] = [m[1], m[2]];
  const h = hostProblem(host);
  if (h) return h;
  return port === undefined ? undefined : portProblem(Number(port))?.replace(/^is /, `has port `);
}

/** Why a port number is out of range, or undefined. */
export function portProblem(port: unknown): string | undefined {
  if (typeof port === "number") {
    return Number.isInteger(port) && port >= PORT_MIN && port <= PORT_MAX ? undefined : `is ${String(port)}: a port is a whole number from ${PORT_MIN} to ${PORT_MAX}`;
  }
  // Text ("9992", "9992.0", "0x2708") is not read as the number it may spell: give a number.
  return `is ${typeof port === "string" ? `the string ${JSON.stringify(port)}` : Array.isArray(port) ? "a list" : String(port)}, not a number: a port is a whole number from ${PORT_MIN} to ${PORT_MAX}, written in decimal digits without quotes`;
}

// ---- quantities

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
const SUFFIX_FACTOR: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity (`250m`, `64Mi`, `1e3`), or undefined when it is not one. */
export function quantityValue(q: string | number): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const suffix = m[2] ?? "";
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTOR[suffix];
  return Number(m[1]) * factor;
}

/** Why requests exceed limits (Kubernetes rejects such a pod), or undefined. */
export function requestsWithinLimitsProblem(resources: {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}): string | undefined {
  for (const [name, request] of Object.entries(resources.requests ?? {})) {
    const limit = resources.limits?.[name];
    if (limit === undefined) continue;
    const r = quantityValue(request);
    const l = quantityValue(limit);
    if (r !== undefined && l !== undefined && r > l) {
      return `requests.${name} ${request} is above limits.${name} ${limit}: Kubernetes rejects such a pod; lower the request or raise the limit`;
    }
  }
  return undefined;
}

// ---- annotation keys under our prefix

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length];
}

/** The known key closest to `key`. */
export function closest(key: string, known: readonly string[]): string {
  return [...known].sort((x, y) => distance(key, x) - distance(key, y))[0];
}

/**
 * The known key a mistyped one most likely meant, or undefined when none is close
 * (a few edits, letter case aside): a far-fetched guess misleads more than none.
 */
export function similarKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(key.toLowerCase(), known.map((k) => k.toLowerCase()));
  const within = Math.max(2, Math.floor(key.length / 3));
  return distance(key.toLowerCase(), best) <= within ? known.find((k) => k.toLowerCase() === best) : undefined;
}

/**
 * Why an annotation key under our prefix is none we read, or undefined: a
 * misspelt `pinpoint.fjhb.cn/injection: "false"` must not leave the workload
 * instrumented while the user believes it opted out.
 */
export function annotationKeyProblem(key: string, known: readonly string[]): string | undefined {
  if (!key.startsWith(ANNOTATION_PREFIX) || known.includes(key)) return undefined;
  return `annotation ${key} is not one this package reads; did you mean ${closest(key, known)}? (known: ${known.join(", ")})`;
}

// ---- agent versions

/** A release version as Pinpoint names them: 2.5.4, 3.0.1, 2.2.3-p1; it goes into a Dockerfile LABEL and the image tag. */
const AGENT_VERSION = /^[0-9]+(\.[0-9]+){1,3}([-+][0-9A-Za-z.-]{1,64})?$/;

export function agentVersionProblem(version: string): string | undefined {
  return AGENT_VERSION.test(version)
    ? undefined
    : `"${version.replace(/\n/g, "\\n")}" is not an agent version: give it as the release names it, e.g. 3.0.1 or 2.5.4 (digits and dots, an optional -suffix; no spaces or new lines)`;
}

// ---- JSON config objects

/**
 * Why a JSON object holds keys outside its shape, or undefined; `shape` maps
 * each allowed key to the shape of its value (null: any value).
 */
export interface Shape {
  [key: string]: Shape | null;
}

export function unknownKeysProblem(value: unknown, shape: Shape, path = ""): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const where = path === "" ? k : `${path}.${k}`;
    if (!Object.prototype.hasOwnProperty.call(shape, k)) {
      return `has the key "${where}", which is not one it reads; did you mean "${closest(k, Object.keys(shape))}"? (it reads: ${Object.keys(shape).join(", ")})`;
    }
    const inner = shape[k];
    if (inner !== null) {
      const p = unknownKeysProblem(v, inner, where);
      if (p) return p;
    }
  }
  return undefined;
}
