/**
 * Image configs from files, for an air-gapped CI that cannot reach a registry
 * but can export what it built: `docker inspect` output (a JSON array of
 * images, named by their RepoTags/RepoDigests), `skopeo inspect --config` or
 * `crane config` output (the OCI config blob, which names no image: give it as
 * IMAGE=PATH), or an OCI image layout folder (index.json, blobs/sha256/…),
 * named by its ref annotations or IMAGE=PATH. Matched to containers by
 * registry, repository and tag or digest, as the runtime resolves them.
 */
import * as fs from "fs";
import * as path from "path";
import { ImageConfig, ImageLookups, parseImageReference } from "../inject";

/** One config from a file, with the image names it answers to. */
export interface FileConfig {
  names: string[];
  config: ImageConfig;
  /** The file (and entry) it came from, for reasons. */
  from: string;
}

export class ImageConfigFileError extends Error {}

const OCI_REF_NAME = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME = "io.containerd.image.name";
/** Layout index and manifest-list media types that point at more manifests. */
const INDEX_TYPES = /image\.index|manifest\.list/;

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ImageConfigFileError(`${what}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or folder" : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ImageConfigFileError(`${what}: is not JSON (${(e as Error).message}); give docker inspect, skopeo inspect --config or crane config output, or an OCI layout folder`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The parts the rules read, from a config object (`Config` of docker inspect, `config` of an OCI config blob). */
function pick(c: unknown): ImageConfig {
  const o = isObject(c) ? c : {};
  const list = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
  const labels = isObject(o.Labels) ? (o.Labels as Record<string, string>) : undefined;
  return { Env: list(o.Env), Entrypoint: list(o.Entrypoint), Cmd: list(o.Cmd), ...(labels ? { Labels: labels } : {}) };
}

function blob(layout: string, digest: string, what: string): unknown {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new ImageConfigFileError(`${what}: digest "${digest}" is not sha256`);
  return readJson(path.join(layout, "blobs", "sha256", m[1]), `${what}: blob ${digest}`);
}

/** Every image of an OCI layout: follow index.json (and nested indexes) to manifests, then to their config blobs. */
function fromLayout(dir: string, given: string | undefined): FileConfig[] {
  const index = readJson(path.join(dir, "index.json"), `${dir}/index.json`);
  const out: FileConfig[] = [];
  const walk = (manifests: unknown, names: string[]) => {
    for (const m of Array.isArray(manifests) ? manifests : []) {
      if (!isObject(m) || typeof m.digest !== "string") continue;
      const ann = isObject(m.annotations) ? (m.annotations as Record<string, string>) : {};
      const here = [...names, ...[ann[CONTAINERD_NAME], ann[OCI_REF_NAME]].filter((n): n is string => typeof n === "string" && /[/:]/.test(n))];
      const doc = blob(dir, m.digest, dir);
      if (typeof m.mediaType === "string" && INDEX_TYPES.test(m.mediaType)) {
        walk(isObject(doc) ? doc.manifests : undefined, here);
        continue;
      }
      const cfg = isObject(doc) && isObject(doc.config) && typeof doc.config.digest === "string" ? blob(dir, doc.config.digest, dir) : undefined;
      if (cfg === undefined) continue;
      out.push({ names: given ? [given] : here, config: pick(isObject(cfg) ? cfg.config : undefined), from: `${dir} (${m.digest.slice(0, 19)})` });
    }
  };
  walk(isObject(index) ? index.manifests : undefined, []);
  return out;
}

/**
 * Reads one `--image-config` argument: `PATH` or `IMAGE=PATH`. A file of
 * docker inspect output names its images itself; a bare config blob needs IMAGE.
 */
export function readImageConfigFile(arg: string): FileConfig[] {
  const eq = arg.indexOf("=");
  // An image reference has no '=', a path may: only split when the left side looks like a reference.
  const given = eq > 0 && /^[a-z0-9][a-z0-9._\-/:@]*$/i.test(arg.slice(0, eq)) ? arg.slice(0, eq) : undefined;
  const file = given ? arg.slice(eq + 1) : arg;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ImageConfigFileError(`--image-config ${arg}: ${file}: no such file or folder`);
  }
  if (stat.isDirectory()) {
    const found = fromLayout(file, given);
    if (found.length === 0) throw new ImageConfigFileError(`--image-config ${arg}: ${file} is a folder but no OCI image layout (index.json naming image manifests)`);
    if (found.some((f) => f.names.length === 0)) throw new ImageConfigFileError(`--image-config ${arg}: the OCI layout names no image (no ${OCI_REF_NAME} or ${CONTAINERD_NAME} annotation): give it as IMAGE=${file}`);
    return found;
  }
  const doc = readJson(file, `--image-config ${arg}`);
  // docker inspect: an array of images, each with Config and its names.
  if (Array.isArray(doc)) {
    return doc.map((img, i) => {
      const o = isObject(img) ? img : {};
      const names = [...(Array.isArray(o.RepoTags) ? o.RepoTags : []), ...(Array.isArray(o.RepoDigests) ? o.RepoDigests : []), ...(given ? [given] : [])].filter(
        (n): n is string => typeof n === "string",
      );
      if (!isObject(o.Config)) throw new ImageConfigFileError(`--image-config ${arg}: entry ${i + 1} has no Config: is this docker inspect output of an image?`);
      if (names.length === 0) throw new ImageConfigFileError(`--image-config ${arg}: entry ${i + 1} names no image (no RepoTags or RepoDigests): give it as IMAGE=${file}`);
      return { names, config: pick(o.Config), from: `${file} (entry ${i + 1})` };
    });
  }
  // skopeo inspect --config, crane config: the config blob, `config` inside.
  if (isObject(doc) && (isObject(doc.config) || isObject(doc.Config))) {
    if (!given) throw new ImageConfigFileError(`--image-config ${arg}: an image config blob names no image: give it as IMAGE=${file}`);
    return [{ names: [given], config: pick(doc.config ?? doc.Config), from: file }];
  }
  throw new ImageConfigFileError(`--image-config ${arg}: not an image config: give docker inspect, skopeo inspect --config or crane config output, or an OCI layout folder`);
}

/** `registry/repository`, and the tag and digest, as a runtime resolves a reference. */
function refKey(image: string): { repo: string; tag?: string; digest?: string } {
  const r = parseImageReference(image);
  return { repo: `${r.registry}/${r.repository}`, tag: r.tag, digest: r.digest };
}

/** The configs for the given container images: a digest match first, then repository and tag. */
export function lookupsFromFiles(images: readonly string[], files: readonly FileConfig[]): ImageLookups {
  const out: Record<string, { config: ImageConfig; digest?: string }> = {};
  for (const image of images) {
    const want = refKey(image);
    const candidates = files.flatMap((f) => f.names.map((n) => ({ f, k: refKey(n) }))).filter((x) => x.k.repo === want.repo);
    const hit = (want.digest ? candidates.find((x) => x.k.digest === want.digest) : undefined) ?? (want.digest ? undefined : candidates.find((x) => x.k.tag === want.tag && !x.k.digest));
    if (hit) out[image] = { config: hit.f.config, ...(want.digest ? { digest: want.digest } : {}) };
  }
  return out;
}
