/**
 * A small client of the OCI distribution API, enough to read an image's config:
 * the manifest (an index or list resolved to one platform), then the config
 * blob. Token auth (a `Bearer realm=…` challenge) and basic auth, with the
 * stack's registry credentials or a pull secret's. Every request is bounded by
 * a timeout, so a registry that does not answer costs at most that.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as tls from "tls";
import { Dispatcher, EnvHttpProxyAgent, fetch as undiciFetch } from "undici";
import { DOCKER_HUB_API_HOST, DOCKER_HUB_REGISTRY, ImageConfig, ImageReference } from "../inject";

export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
] as const;
/** The platform a cluster's nodes most often run; an index without it falls back to its first entry. */
export const DEFAULT_PLATFORM = { os: "linux", architecture: "amd64" } as const;
/** Loopback registries: HTTPS first, plain HTTP when they do not speak TLS, as Docker treats them. */
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;
/** TLS errors that mean "no TLS here" (a plain HTTP server answered the handshake), not "untrusted". */
const NOT_TLS = /^(EPROTO|ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG|ECONNRESET)$/;
/** Certificate errors: the registry speaks TLS with a certificate this process does not trust. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/;

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Per request, in milliseconds. */
  timeoutMs: number;
  /** Credentials by registry host as references name it (`harbor.59iedu.com`, `docker.io`). */
  credentials?: Readonly<Record<string, RegistryCredentials>>;
  platform?: { os: string; architecture: string };
  /**
   * PEM file of the CA that signed private registries' certificates (a company CA), trusted
   * besides the system's and NODE_EXTRA_CA_CERTS. Node also honours NODE_EXTRA_CA_CERTS alone.
   */
  caFile?: string;
  /** Registry hosts (`host[:port]` as references name them) spoken to over plain HTTP only, as Docker's insecure-registries. */
  plainHttpHosts?: readonly string[];
}

/** The CA certificates to trust when a CA file is given: passing any replaces Node's defaults, so they are listed too. */
function trustedCas(caFile: string): string[] {
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, "utf8");
  } catch (e) {
    throw new Error(`registry CA file ${caFile} cannot be read: ${(e as Error).message}`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`registry CA file ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  const extraPem = extra && fs.existsSync(extra) ? [fs.readFileSync(extra, "utf8")] : [];
  return [...tls.rootCertificates, ...extraPem, pem];
}

/**
 * How requests leave: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) as curl and Docker read
 * them, and the extra CA for direct and tunnelled TLS alike.
 */
function dispatcherOf(options: RegistryClientOptions): Dispatcher {
  const ca = options.caFile ? trustedCas(options.caFile) : undefined;
  return new EnvHttpProxyAgent(ca ? { connect: { ca }, requestTls: { ca } } : {});
}

/** A failure worth one short line in a reason: `timeout after 3000 ms`, `401 (needs credentials)`. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** The registry cannot be reached at all: skip its other images this run. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
}

interface Manifest {
  mediaType?: string;
  config?: Descriptor;
  manifests?: Descriptor[];
}

/** The manifest digest read and the config digest it names. */
export interface ManifestInfo {
  manifestDigest?: string;
  configDigest: string;
}

function apiHost(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}

/** `Bearer realm="https://auth…",service="registry",scope="repository:x:pull"` → its parts. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  return { scheme, params };
}

export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private readonly credentials = new Map<string, RegistryCredentials>();

  private readonly dispatcher: Dispatcher;
  /** Loopback registries found to speak plain HTTP. */
  private readonly plain = new Set<string>();

  constructor(private readonly options: RegistryClientOptions) {
    this.addCredentials(options.credentials ?? {});
    this.dispatcher = dispatcherOf(options);
    for (const h of options.plainHttpHosts ?? []) this.plain.add(h);
  }

  /** More credentials by registry host (a pull secret seen later); the first for a host stays. */
  addCredentials(credentials: Readonly<Record<string, RegistryCredentials>>): void {
    for (const [host, c] of Object.entries(credentials)) if (!this.credentials.has(host)) this.credentials.set(host, c);
  }

  private base(registry: string): string {
    const host = apiHost(registry);
    return `${this.plain.has(host) ? "http" : "https"}://${host}`;
  }

  private creds(registry: string): RegistryCredentials | undefined {
    return this.credentials.get(registry);
  }

  private async fetch(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return (await undiciFetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs), redirect: "follow", dispatcher: this.dispatcher })) as unknown as Response;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const code = err.cause?.code ?? "";
      const { host, protocol } = new URL(url);
      if (protocol === "https:" && LOOPBACK_HOST.test(host) && NOT_TLS.test(code)) {
        // A local registry without TLS (Docker's default for localhost): plain HTTP from now on.
        this.plain.add(host);
        return this.fetch(url.replace(/^https:/, "http:"), headers);
      }
      if (err.name === "TimeoutError" || err.name === "AbortError") throw new RegistryError(`timeout after ${this.options.timeoutMs} ms`, true);
      if (protocol === "https:" && code !== "ECONNRESET" && NOT_TLS.test(code)) {
        throw new RegistryError(`unreachable: ${code} (no TLS there; if it serves plain HTTP, allow it by name with pinpoint:registryPlainHttp)`, true);
      }
      if (UNTRUSTED.test(code)) {
        throw new RegistryError(
          `TLS certificate not trusted (${code}: ${err.cause?.message ?? err.message}); trust its CA with pinpoint:registryCaFile or NODE_EXTRA_CA_CERTS`,
          true,
        );
      }
      throw new RegistryError(`unreachable: ${code || err.message}`, true);
    }
  }

  /** GET with auth: anonymous first, then as the challenge asks (token or basic). */
  private async get(ref: ImageReference, path: string, accept: string): Promise<Response> {
    const url = `${this.base(ref.registry)}/v2/${ref.repository}/${path}`;
    const key = `${ref.registry}/${ref.repository}`;
    const headers: Record<string, string> = { Accept: accept };
    const token = this.tokens.get(key);
    if (token) headers.Authorization = token;
    let res = await this.fetch(url, headers);
    if (res.status !== 401) return res;
    const challenge = res.headers.get("www-authenticate");
    await res.body?.cancel();
    if (!challenge) throw new RegistryError("401 without an auth challenge");
    const auth = await this.authorize(ref, parseChallenge(challenge));
    this.tokens.set(key, auth);
    res = await this.fetch(url, { ...headers, Authorization: auth });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryError(`${res.status} (${this.creds(ref.registry) ? "credentials refused" : "needs credentials: a pull secret or the stack's registry credentials"})`);
    }
    return res;
  }

  private async authorize(ref: ImageReference, c: { scheme: string; params: Record<string, string> }): Promise<string> {
    const creds = this.creds(ref.registry);
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}` : undefined;
    if (c.scheme === "basic") {
      if (!basic) throw new RegistryError("401 (needs credentials: a pull secret or the stack's registry credentials)");
      return basic;
    }
    if (c.scheme !== "bearer" || !c.params.realm) throw new RegistryError(`401 with an auth scheme this reader does not speak (${c.scheme})`);
    const url = new URL(c.params.realm);
    if (c.params.service) url.searchParams.set("service", c.params.service);
    url.searchParams.set("scope", c.params.scope ?? `repository:${ref.repository}:pull`);
    const res = await this.fetch(url.toString(), basic ? { Authorization: basic } : {});
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError(`token service answered ${res.status}${creds ? " (credentials refused)" : ""}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError("token service sent no token");
    return `Bearer ${token}`;
  }

  private async json<T>(ref: ImageReference, path: string, accept: string): Promise<{ value: T; digest?: string; bytes: Buffer }> {
    const res = await this.get(ref, path, accept);
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError(`${res.status} for ${path.startsWith("manifests/") ? "the manifest" : "the config blob"}`);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    try {
      return { value: JSON.parse(bytes.toString("utf8")) as T, digest: res.headers.get("docker-content-digest") ?? undefined, bytes };
    } catch {
      throw new RegistryError(`the registry sent invalid JSON for ${path}`);
    }
  }

  /** The image's manifest, resolved through an index to the platform's, and the config digest it names. */
  async manifest(ref: ImageReference): Promise<ManifestInfo> {
    const accept = MANIFEST_MEDIA_TYPES.join(", ");
    const first = await this.json<Manifest>(ref, `manifests/${ref.digest ?? ref.tag}`, accept);
    let manifest = first.value;
    let digest = ref.digest ?? first.digest;
    if (manifest.manifests) {
      const want = this.options.platform ?? DEFAULT_PLATFORM;
      const entry =
        manifest.manifests.find((m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture) ?? manifest.manifests[0];
      if (!entry) throw new RegistryError("an image index with no manifests");
      const one = await this.json<Manifest>(ref, `manifests/${entry.digest}`, accept);
      manifest = one.value;
      digest = entry.digest;
    }
    if (!manifest.config?.digest) throw new RegistryError("a manifest without a config");
    return { manifestDigest: digest, configDigest: manifest.config.digest };
  }

  /** The config blob's `config` object; the bytes are checked against the digest. */
  async config(ref: ImageReference, configDigest: string): Promise<{ config: ImageConfig; bytes: Buffer }> {
    const blob = await this.json<{ config?: ImageConfig }>(ref, `blobs/${configDigest}`, "application/json, */*");
    const actual = `sha256:${createHash("sha256").update(blob.bytes).digest("hex")}`;
    if (configDigest.startsWith("sha256:") && actual !== configDigest) throw new RegistryError(`the config blob does not match its digest ${configDigest}`);
    return { config: blob.value.config ?? {}, bytes: blob.bytes };
  }
}

/** Registry credentials from a `.dockerconfigjson` (a kubernetes.io/dockerconfigjson Secret's content). */
export function credentialsFromDockerConfigJson(json: string): Record<string, RegistryCredentials> {
  const parsed = JSON.parse(json) as { auths?: Record<string, { username?: string; password?: string; auth?: string }> };
  const out: Record<string, RegistryCredentials> = {};
  for (const [key, entry] of Object.entries(parsed.auths ?? {})) {
    let { username, password } = entry;
    if ((username === undefined || password === undefined) && entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    if (username === undefined || password === undefined) continue;
    // Keys may be URLs (`https://index.docker.io/v1/`); references name hosts.
    const host = key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    out[/(^|\.)docker\.io$/.test(host) ? DOCKER_HUB_REGISTRY : host] = { username, password };
  }
  return out;
}
