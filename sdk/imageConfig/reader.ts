/**
 * Reads image configs for the injection core, at preview: each image once per
 * run, config blobs cached by digest in memory and on disk, a registry that
 * failed to answer skipped for the rest of the run. Never throws: a failure is
 * an `{ error }` lookup, and the core falls back to the manifest rules and says so.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ImageConfig, ImageLookup, parseImageReference } from "../inject";
import { RegistryClient, RegistryClientOptions, RegistryCredentials, RegistryError } from "./registry";

/** Short: the whole point is never to hold up a preview. */
export const DEFAULT_TIMEOUT_MS = 3000;
/** Under the user's cache folder (XDG), shared by every stack of the machine: blobs are content-addressed. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "pulumi-pinpoint", "image-configs");
}

export interface ImageConfigReaderOptions {
  timeoutMs?: number;
  /** Folder for cached configs; `false`: memory only. Default: defaultCacheDir(). */
  cacheDir?: string | false;
  /** By registry host; a promise when they are known only later (a Pulumi secret). */
  credentials?: Readonly<Record<string, RegistryCredentials>> | Promise<Readonly<Record<string, RegistryCredentials>>>;
  platform?: RegistryClientOptions["platform"];
  /** A private CA's PEM file (pinpoint:registryCaFile). */
  caFile?: string;
  /** Hosts read over plain HTTP only (pinpoint:registryPlainHttp). */
  plainHttpHosts?: readonly string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class ImageConfigReader {
  private client: Promise<RegistryClient>;
  private readonly lookups = new Map<string, Promise<ImageLookup>>();
  private readonly configs = new Map<string, ImageConfig>();
  private readonly down = new Map<string, string>();
  private readonly cacheDir: string | false;

  constructor(options: ImageConfigReaderOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = Promise.resolve(options.credentials)
      .catch(() => undefined) // credentials that fail to resolve: read anonymously
      .then((credentials) => new RegistryClient({ timeoutMs, credentials, platform: options.platform, caFile: options.caFile, plainHttpHosts: options.plainHttpHosts }));
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
  }

  /**
   * Credentials found later, e.g. in a dockerconfigjson Secret the stack declares;
   * images read after they resolve use them.
   */
  addCredentials(credentials: Promise<Readonly<Record<string, RegistryCredentials>>>): void {
    const client = this.client;
    this.client = credentials
      .catch(() => ({}))
      .then(async (c) => {
        const ready = await client;
        ready.addCredentials(c);
        return ready;
      });
  }

  /** The config of one image, or why there is none. */
  read(image: string): Promise<ImageLookup> {
    let lookup = this.lookups.get(image);
    if (!lookup) {
      lookup = this.lookup(image);
      this.lookups.set(image, lookup);
    }
    return lookup;
  }

  /** Several images at once, keyed by the image string. */
  async readAll(images: Iterable<string>): Promise<Record<string, ImageLookup>> {
    const unique = [...new Set(images)];
    const results = await Promise.all(unique.map((i) => this.read(i)));
    return Object.fromEntries(unique.map((i, n) => [i, results[n]]));
  }

  private async lookup(image: string): Promise<ImageLookup> {
    const ref = parseImageReference(image);
    const skipped = this.down.get(ref.registry);
    if (skipped) return { error: `registry ${ref.registry} ${skipped}` };
    try {
      const client = await this.client;
      // A digest reference names its manifest for good: its config may be on disk already.
      const pinned = ref.digest ? this.cached(`manifest-${ref.digest}`) : undefined;
      const info = pinned ? { manifestDigest: ref.digest, configDigest: String(pinned.configDigest) } : await client.manifest(ref);
      let config = this.configs.get(info.configDigest) ?? (this.cached(info.configDigest) as ImageConfig | undefined);
      if (!config) {
        config = (await client.config(ref, info.configDigest)).config;
        this.store(info.configDigest, config);
      }
      this.configs.set(info.configDigest, config);
      if (ref.digest) this.store(`manifest-${ref.digest}`, { configDigest: info.configDigest });
      return { config, digest: info.manifestDigest };
    } catch (e) {
      const err = e as Error;
      if (err instanceof RegistryError && err.unreachable) this.down.set(ref.registry, err.message);
      return { error: `registry ${ref.registry} ${err.message}` };
    }
  }

  private file(key: string): string | undefined {
    const digest = key.replace(/^manifest-/, "");
    if (!this.cacheDir || !DIGEST.test(digest)) return undefined;
    return path.join(this.cacheDir, `${key.replace(/:/g, "-")}.json`);
  }

  private cached(key: string): Record<string, unknown> | undefined {
    const file = this.file(key);
    if (!file) return undefined;
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      return undefined; // absent or damaged: read it again
    }
  }

  private store(key: string, value: object): void {
    const file = this.file(key);
    if (!file) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Write then rename, so a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(value));
      fs.renameSync(tmp, file);
    } catch {
      // A cache that cannot be written only costs a later read.
    }
  }
}

/** Every container image of a pod spec (init containers too: their images are read only when asked). */
export function imagesOf(containers: ReadonlyArray<{ image?: unknown }> | undefined): string[] {
  return (containers ?? []).map((c) => c.image).filter((i): i is string => typeof i === "string" && i !== "");
}

export type { RegistryCredentials };
