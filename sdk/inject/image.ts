/**
 * Image references and image configs as plain data. The core never reads a
 * registry: a caller that did (sdk/imageConfig) hands the result in, keyed by
 * the image string exactly as the container names it.
 */

/** Docker Hub, where a reference without a registry host points. */
export const DOCKER_HUB_REGISTRY = "docker.io";
/** The host Docker Hub's registry API answers on. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
/** Single-name Docker Hub images live under this namespace (`redis` is `library/redis`). */
const DOCKER_HUB_LIBRARY = "library";
const DEFAULT_TAG = "latest";

export interface ImageReference {
  /** `docker.io`, `harbor.59iedu.com`, `127.0.0.1:5000`. */
  registry: string;
  /** `library/redis`, `dev/fjhb6-ability-order-pay`. */
  repository: string;
  /** The tag, `latest` when neither tag nor digest is given. */
  tag?: string;
  digest?: string;
}

/** Parsed references by string: the JVM rules ask for the same image's parts several times per container. */
const PARSED = new Map<string, Readonly<ImageReference>>();
const PARSED_MAX = 4096;

/** The parts of a reference, normalised as container runtimes do (a shared, frozen result). */
export function parseImageReference(image: string): ImageReference {
  let ref = PARSED.get(image);
  if (!ref) {
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    ref = Object.freeze(parse(image));
    PARSED.set(image, ref);
  }
  return ref;
}

function parse(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  // The first part names a registry when it looks like a host (a dot, a port, or localhost).
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : DOCKER_HUB_REGISTRY;
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes("/")) repository = `${DOCKER_HUB_LIBRARY}/${repository}`;
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { registry, repository, tag, digest };
}

/** The last path part of the repository: `eclipse-temurin`, `fjhb6-ability-order-pay`. */
export function imageName(image: string): string {
  const repo = parseImageReference(image).repository;
  return repo.slice(repo.lastIndexOf("/") + 1);
}

/** The part of an OCI image config the rules read (the `config` object of the config blob). */
export interface ImageConfig {
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Labels?: Record<string, string> | null;
  WorkingDir?: string;
}

/** What a registry lookup gave for one image: its config, or why there is none. */
export type ImageLookup =
  | { config: ImageConfig; digest?: string; error?: undefined }
  | { error: string; config?: undefined };

/** Lookups keyed by the image string as containers name it. */
export type ImageLookups = Readonly<Record<string, ImageLookup | undefined>>;

/** The image's environment as a map (a later entry wins, as in a Dockerfile). */
export function imageEnv(config: ImageConfig | undefined): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of config?.Env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}
