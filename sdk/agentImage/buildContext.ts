/**
 * Prepares the pp_agent build context: a Dockerfile and the agent files laid
 * out so the image holds them directly under /var/lib/pp_agent/ with
 * pinpoint-bootstrap.jar at the top, whichever layout the user hands over.
 * Pure file work, no Pulumi: the component, the CLI and the tests share it.
 *
 * Deterministic: the same agent gives the same bytes, modes and mtimes, hence the
 * same content hash and tag, so an unchanged agent changes no resource.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  AGENT_FOLDER_PATTERN,
  AGENT_SOURCE_DIR,
  ARCHIVE_PATTERN,
  BOOTSTRAP_JAR,
  BOOTSTRAP_JAR_PATTERN,
  CONTEXT_AGENT_DIR,
  CONTEXT_MTIME,
  DEFAULT_BASE_IMAGE,
  DIR_MODE,
  DOCKERFILE_NAME,
  EXECUTABLE_MODE,
  FILE_MODE,
  TAG_HASH_LENGTH,
  UNVERSIONED_TAG_PREFIX,
} from "./constants";
import { AGENT_LOG_DIR } from "../inject/constants";
import { agentVersionProblem } from "../inject/grammar";

export interface BuildContextOptions {
  /** The agent: `pinpoint-agent-<ver>.tar.gz`, a flat `pp_agent.tgz`, or an unpacked folder. */
  source: string;
  /** The folder to write; its previous content is replaced. */
  contextDir: string;
  /** `FROM` of the Dockerfile. Default busybox. */
  baseImage?: string;
  /** The agent version; checked against a versioned bootstrap jar, used in the tag. */
  agentVersion?: string;
}

export interface BuildContext {
  contextDir: string;
  /** The Dockerfile: `<contextDir>/Dockerfile`, relative to the working directory when contextDir is (as docker.Image reads it). */
  dockerfile: string;
  /** Given, or read from `pinpoint-bootstrap-<ver>.jar` / `pinpoint-agent-<ver>/`. */
  agentVersion?: string;
  /** sha256 (hex) over the Dockerfile and every agent file's path, mode and bytes. */
  contentHash: string;
  /** `<version>-<hash>`: changes exactly when the context does. */
  tag: string;
  /** The agent files, relative to /var/lib/pp_agent/, sorted. */
  files: string[];
}

/** A problem with the agent input; the message names it and the fix. */
export class AgentSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentSourceError";
  }
}

/**
 * Limits on what an agent archive may unpack to: the 3.x agent is about 60 MiB
 * in about a thousand files, so these leave room for any real agent and stop
 * an archive that would fill the disk before it is unpacked.
 */
export const ARCHIVE_MAX_BYTES = 1024 * 1024 * 1024;
export const ARCHIVE_MAX_FILES = 20_000;

export function prepareBuildContext(o: BuildContextOptions): BuildContext {
  const baseImage = o.baseImage ?? DEFAULT_BASE_IMAGE;
  const versionProblem = o.agentVersion ? agentVersionProblem(o.agentVersion) : undefined;
  if (versionProblem) throw new AgentSourceError(`agentVersion ${versionProblem}`);
  if (baseImage.trim() === "" || /\s/.test(baseImage)) throw new AgentSourceError(`baseImage "${baseImage}" is not an image reference`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "pp-agent-src-"));
  try {
    const unpacked = unpack(o.source, staging);
    const root = agentRoot(unpacked);
    const jars = fs.readdirSync(root).filter((f) => BOOTSTRAP_JAR_PATTERN.test(f));
    if (jars.length === 0) {
      throw new AgentSourceError(
        `${o.source} holds no pinpoint-bootstrap*.jar at its top (or in its single top folder): give the official pinpoint-agent-<version>.tar.gz from https://github.com/pinpoint-apm/pinpoint/releases`,
      );
    }
    const agentVersion = versionOf(o.source, root, jars, o.agentVersion);
    const files = listFiles(root, o.source);

    // Built aside and renamed into place: a failure leaves the previous context, never half a new one.
    const building = `${o.contextDir}.partial-${process.pid}`;
    fs.rmSync(building, { recursive: true, force: true });
    const agentDir = path.join(building, CONTEXT_AGENT_DIR);
    fs.mkdirSync(agentDir, { recursive: true });
    for (const f of files) copyNormalised(path.join(root, f.path), path.join(agentDir, f.path), f.executable);
    if (!files.some((f) => f.path === BOOTSTRAP_JAR)) {
      // Only the versioned jar: the flags name the unversioned one so an upgrade changes no workload.
      const versioned = jars.filter((j) => j !== BOOTSTRAP_JAR);
      if (versioned.length > 1) {
        throw new AgentSourceError(`${o.source} holds several bootstrap jars (${versioned.join(", ")}): keep one agent version per archive`);
      }
      copyNormalised(path.join(root, versioned[0]), path.join(agentDir, BOOTSTRAP_JAR), false);
      files.push({ path: BOOTSTRAP_JAR, executable: false });
    }
    // The agent's logs folder, empty, in every image: with agentDelivery imageVolume the image is
    // mounted read-only and a writable emptyDir is mounted on this folder, which must exist to be a mount point.
    fs.mkdirSync(path.join(agentDir, AGENT_LOG_DIR), { recursive: true });
    fs.writeFileSync(path.join(building, DOCKERFILE_NAME), dockerfileText(baseImage, agentVersion));
    fixTimes(building);
    fs.rmSync(o.contextDir, { recursive: true, force: true });
    fs.renameSync(building, o.contextDir);
    const dockerfile = path.join(o.contextDir, DOCKERFILE_NAME);

    const sorted = files.map((f) => f.path).sort();
    const contentHash = hashContext(o.contextDir, sorted);
    return {
      contextDir: o.contextDir,
      dockerfile,
      agentVersion,
      contentHash,
      tag: tagFor(agentVersion, contentHash),
      files: sorted,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(`${o.contextDir}.partial-${process.pid}`, { recursive: true, force: true });
  }
}

/** The Dockerfile: the seed's `FROM busybox` + `ADD pp_agent.tgz /var/lib/pp_agent/`, with the files already normalised. */
export function dockerfileText(baseImage: string, agentVersion: string | undefined): string {
  return [
    "# Generated by @fjhb/pulumi-pinpoint AgentImage: the Pinpoint agent for the init-pinpoint container.",
    `FROM ${baseImage}`,
    ...(agentVersion ? [`LABEL org.opencontainers.image.version="${agentVersion}"`] : []),
    // COPY keeps the context's modes (world-readable) and mtimes (fixed); the trailing slash copies the contents.
    `COPY ${CONTEXT_AGENT_DIR}/ ${AGENT_SOURCE_DIR}/`,
    "",
  ].join("\n");
}

/** `<version>-<first hash characters>`, within the tag grammar `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function tagFor(agentVersion: string | undefined, contentHash: string): string {
  const version = (agentVersion ?? UNVERSIONED_TAG_PREFIX).replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[.-]/, "_").slice(0, 100);
  return `${version}-${contentHash.slice(0, TAG_HASH_LENGTH)}`;
}

/** Unpacks an archive into staging and returns the folder to read from; a folder is read in place. */
function unpack(source: string, staging: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new AgentSourceError(
      `agent archive ${source} does not exist: download pinpoint-agent-<version>.tar.gz from https://github.com/pinpoint-apm/pinpoint/releases and give its path`,
    );
  }
  if (stat.isDirectory()) return source;
  if (!ARCHIVE_PATTERN.test(source)) {
    throw new AgentSourceError(`agent archive ${source} is not a .tar.gz, .tgz or .tar file, nor a folder`);
  }
  checkArchiveSize(source);
  try {
    fs.accessSync(source, fs.constants.R_OK);
    // GNU tar detects the compression, drops leading "/" and refuses "..": the archive cannot write outside staging.
    execFileSync("tar", ["-xf", source, "-C", staging, "--no-same-owner", "--no-same-permissions"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new AgentSourceError(`agent archive ${source} cannot be read: ${stderr || (e as Error).message}`);
  }
  return staging;
}

/** Refuses, before unpacking, an archive that would unpack to more files or bytes than any agent has. */
function checkArchiveSize(source: string): void {
  let listing: string;
  try {
    listing = execFileSync("tar", ["-tvf", source], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }).toString();
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new AgentSourceError(`agent archive ${source} cannot be read: ${stderr || (e as Error).message}`);
  }
  let files = 0;
  let bytes = 0;
  for (const line of listing.split("\n")) {
    // GNU tar -tv: mode owner/group size date time name
    const size = /^\S+\s+\S+\s+(\d+)\s/.exec(line)?.[1];
    if (size === undefined) continue;
    files++;
    bytes += Number(size);
    if (files > ARCHIVE_MAX_FILES) {
      throw new AgentSourceError(`agent archive ${source} holds more than ${ARCHIVE_MAX_FILES} entries; a Pinpoint agent has about a thousand: give the agent archive itself`);
    }
    if (bytes > ARCHIVE_MAX_BYTES) {
      throw new AgentSourceError(
        `agent archive ${source} unpacks to more than ${ARCHIVE_MAX_BYTES / 1024 / 1024} MiB; a Pinpoint agent is about 60 MiB: give the agent archive itself`,
      );
    }
  }
}

/** Descends through single top folders (the official `pinpoint-agent-<ver>/`) until the agent files show. */
function agentRoot(dir: string): string {
  let root = dir;
  for (;;) {
    const entries = fs.readdirSync(root, { withFileTypes: true });
    if (entries.some((e) => BOOTSTRAP_JAR_PATTERN.test(e.name))) return root;
    if (entries.length !== 1 || !entries[0].isDirectory()) return root;
    root = path.join(root, entries[0].name);
  }
}

function versionOf(source: string, root: string, jars: string[], given: string | undefined): string | undefined {
  const fromJars = [...new Set(jars.map((j) => BOOTSTRAP_JAR_PATTERN.exec(j)?.[1]).filter((v): v is string => v !== undefined))];
  const fromFolder = AGENT_FOLDER_PATTERN.exec(path.basename(root))?.[1];
  const found = fromJars.length === 1 ? fromJars[0] : fromFolder;
  if (given !== undefined && given !== "") {
    if (found !== undefined && found !== given) {
      throw new AgentSourceError(`agentVersion is ${given} but ${source} holds the agent ${found}: correct agentVersion or give the matching archive`);
    }
    return given;
  }
  return found;
}

interface AgentFile {
  path: string;
  executable: boolean;
}

/** Every regular file under root (symlinks followed when they stay inside it), sorted. */
function listFiles(root: string, source: string): AgentFile[] {
  const out: AgentFile[] = [];
  const realRoot = fs.realpathSync(root);
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      const abs = path.join(root, r);
      let st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) {
        const target = fs.realpathSync(abs);
        if (target !== realRoot && !target.startsWith(realRoot + path.sep)) {
          throw new AgentSourceError(`${source}: ${r} links outside the agent (${target}); give an archive without such links`);
        }
        st = fs.statSync(abs);
      }
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.push({ path: r, executable: (st.mode & 0o111) !== 0 });
    }
  };
  walk("");
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function copyNormalised(from: string, to: string, executable: boolean): void {
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: DIR_MODE });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, executable ? EXECUTABLE_MODE : FILE_MODE);
}

/** Fixed modes and mtimes for every folder and file, deepest first. */
function fixTimes(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      fixTimes(p);
      fs.chmodSync(p, DIR_MODE);
    }
    fs.utimesSync(p, CONTEXT_MTIME, CONTEXT_MTIME);
  }
  fs.utimesSync(dir, CONTEXT_MTIME, CONTEXT_MTIME);
}

function hashContext(contextDir: string, files: string[]): string {
  const h = createHash("sha256");
  const add = (rel: string) => {
    const abs = path.join(contextDir, rel);
    const mode = fs.statSync(abs).mode & 0o777;
    h.update(`${rel}\0${mode.toString(8)}\0`);
    h.update(fs.readFileSync(abs));
    h.update("\0");
  };
  add(DOCKERFILE_NAME);
  for (const f of files) add(`${CONTEXT_AGENT_DIR}/${f}`);
  h.update(`${CONTEXT_AGENT_DIR}/${AGENT_LOG_DIR}/\0`); // the empty logs folder is part of the image too
  return h.digest("hex");
}
