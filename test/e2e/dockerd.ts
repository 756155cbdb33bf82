/**
 * A Docker daemon of the test's own (Debian's `docker.io`), started and stopped
 * by pid, and the few Docker Engine API calls the Pulumi Docker provider's
 * `docker.Image` makes, spoken over the daemon's unix socket with no CLI in
 * between: `POST /build`, `POST /images/{name}/push` with an `X-Registry-Auth`
 * header, `GET /images/{name}/json` (whose `RepoDigests[0]` the provider reports
 * as `repoDigest`); plus import, pull and a container run to look inside.
 *
 * Image names go into paths unescaped, as the Docker client sends them.
 *
 * The daemon keeps everything under the test's folder: its socket, data root,
 * exec root and pid file; vfs storage (no overlay needed), no bridge and no
 * iptables (it touches no network of the machine's); containers run with
 * network "none".
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

/** The daemon's flags, besides its own paths and the insecure registries. */
export const DOCKERD_FLAGS: readonly string[] = ["--storage-driver=vfs", "--bridge=none", "--iptables=false", "--ip6tables=false"];

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/** What the test needs, with the Debian package of each (what .ci/run installs). */
export const DOCKER_TOOLS: readonly { command: string; debianPackage: string }[] = [
  { command: "dockerd", debianPackage: "docker.io" },
  { command: "containerd", debianPackage: "containerd (a dependency of docker.io)" },
  { command: "runc", debianPackage: "runc (a dependency of docker.io)" },
  { command: "docker-registry", debianPackage: "docker-registry" },
  { command: "htpasswd", debianPackage: "apache2-utils" },
  { command: "tar", debianPackage: "tar" },
];

/** A registry's credentials as the Engine API takes them (Go's `registry.AuthConfig`, JSON). */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** One line of a JSON message stream (build, push, pull). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

/** An error the daemon reported, in the stream or as an HTTP status. */
export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly messages: JsonMessage[] = [],
    /** The stream's `errorDetail.code`, when it gave one. */
    readonly code?: number,
  ) {
    super(message);
    this.name = "DockerApiError";
  }
}

export class Dockerd {
  private exited: number | null = null;

  private constructor(
    private readonly child: ChildProcess,
    /** The daemon's unix socket. */
    readonly socket: string,
    readonly pid: number,
    private readonly log: string,
  ) {
    child.on("exit", (code, signal) => (this.exited = code ?? (signal ? 128 : -1)));
  }

  /** Starts dockerd with everything under dir; resolves once `GET /_ping` answers OK. */
  static async start(dir: string, options: { insecureRegistries?: string[] } = {}): Promise<Dockerd> {
    fs.mkdirSync(dir, { recursive: true });
    const socket = path.join(dir, "docker.sock");
    const log = path.join(dir, "dockerd.log");
    const args = [
      ...DOCKERD_FLAGS,
      `--host=unix://${socket}`,
      `--data-root=${path.join(dir, "data")}`,
      `--exec-root=${path.join(dir, "exec")}`,
      `--pidfile=${path.join(dir, "dockerd.pid")}`,
      ...(options.insecureRegistries ?? []).map((r) => `--insecure-registry=${r}`),
    ];
    const out = fs.openSync(log, "a");
    const child = spawn("dockerd", args, { stdio: ["ignore", out, out] });
    fs.closeSync(out);
    if (child.pid === undefined) throw new Error("dockerd could not start");
    const d = new Dockerd(child, socket, child.pid, log);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (d.exited !== null) throw new Error(`dockerd exited with ${d.exited}:\n${d.logTail()}`);
      try {
        if ((await d.request("GET", "/_ping")).status === 200) return d;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await d.stop();
        throw new Error(`dockerd did not answer on ${socket} within ${START_TIMEOUT_MS} ms:\n${d.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGTERM to the daemon's pid (it stops its own containerd), SIGKILL if it has not exited in time. */
  async stop(): Promise<void> {
    if (this.exited !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    process.kill(this.pid, "SIGTERM");
    const timer = setTimeout(() => this.exited === null && process.kill(this.pid, "SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  logTail(lines = 30): string {
    return fs.existsSync(this.log) ? fs.readFileSync(this.log, "utf8").trim().split("\n").slice(-lines).join("\n") : "";
  }

  /** One Engine API call; the body a Buffer or a file streamed as is. */
  request(
    method: string,
    apiPath: string,
    options: { body?: Buffer | { file: string }; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const body = options.body;
      if (Buffer.isBuffer(body)) headers["Content-Length"] = String(body.length);
      else if (body) headers["Content-Length"] = String(fs.statSync(body.file).size);
      const req = http.request({ socketPath: this.socket, method, path: apiPath, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      if (Buffer.isBuffer(body) || body === undefined) req.end(body);
      else fs.createReadStream(body.file).on("error", reject).pipe(req);
    });
  }

  /** A call answering JSON; a status of 300 or more is an error carrying the daemon's message. */
  async json<T>(method: string, apiPath: string, options: Parameters<Dockerd["request"]>[2] = {}): Promise<T> {
    const r = await this.request(method, apiPath, options);
    const text = r.body.toString("utf8");
    if (r.status >= 300) throw new DockerApiError(`${method} ${apiPath}: ${r.status} ${messageOf(text)}`, r.status);
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /**
   * A call answering a JSON message stream (build, push, pull), read to its end,
   * as the provider reads it: a message with `error` fails the call with that message.
   */
  async stream(method: string, apiPath: string, options: Parameters<Dockerd["request"]>[2] = {}): Promise<JsonMessage[]> {
    const r = await this.request(method, apiPath, options);
    const text = r.body.toString("utf8");
    if (r.status >= 300) throw new DockerApiError(`${method} ${apiPath}: ${r.status} ${messageOf(text)}`, r.status);
    const messages = text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as JsonMessage);
    const failed = messages.find((m) => m.error !== undefined || m.errorDetail !== undefined);
    if (failed) throw new DockerApiError(failed.errorDetail?.message ?? failed.error ?? "unknown error", r.status, messages, failed.errorDetail?.code);
    return messages;
  }

  version(): Promise<{ Version: string; ApiVersion: string; Os: string; Arch: string; KernelVersion: string }> {
    return this.json("GET", "/version");
  }

  info(): Promise<{ Driver: string; ServerVersion: string; CgroupVersion?: string }> {
    return this.json("GET", "/info");
  }

  /** `docker import`: an image from a root file system tarball, with Dockerfile-style changes (ENV, CMD). */
  async importImage(rootfsTar: string, repo: string, tag: string, changes: string[] = []): Promise<void> {
    const q = new URLSearchParams({ fromSrc: "-", repo, tag });
    for (const c of changes) q.append("changes", c);
    await this.stream("POST", `/images/create?${q}`, { body: { file: rootfsTar }, headers: { "Content-Type": "application/x-tar" } });
  }

  /**
   * `POST /build` with the context as a tarball, as the provider's `ImageBuild`
   * sends it: the Dockerfile's path relative to the context, the image name as
   * the only tag, the builder version (`2` BuildKit, the provider's default;
   * `1` the classic builder), the platform when given. Returns the image id.
   */
  async build(contextTar: string, o: { dockerfile: string; tag: string; version: "1" | "2"; platform?: string }): Promise<{ id: string; messages: JsonMessage[] }> {
    const q = new URLSearchParams({ dockerfile: o.dockerfile, t: o.tag, version: o.version, rm: "1" });
    if (o.platform) q.set("platform", o.platform);
    const messages = await this.stream("POST", `/build?${q}`, { body: { file: contextTar }, headers: { "Content-Type": "application/x-tar" } });
    // BuildKit reports the image as `moby.image.id`, the classic builder as a bare aux ID.
    const id = messages.map((m) => m.aux?.ID).find((v): v is string => typeof v === "string");
    if (!id) throw new DockerApiError(`the build of ${o.tag} reported no image id`, 200, messages);
    return { id, messages };
  }

  /**
   * `POST /images/{repo}/push?tag=…` with `X-Registry-Auth` (base64url of the
   * auth JSON), as the provider's `ImagePush` sends it. Returns the digest the
   * push reports (its final `aux` message).
   */
  async push(name: string, auth: RegistryAuth | undefined): Promise<{ digest: string; messages: JsonMessage[] }> {
    const { repo, tag } = splitTag(name);
    const headers = auth ? { "X-Registry-Auth": registryAuthHeader(auth) } : undefined;
    const messages = await this.stream("POST", `/images/${repo}/push?tag=${encodeURIComponent(tag)}`, { headers });
    const digest = messages.map((m) => m.aux?.Digest).find((v): v is string => typeof v === "string");
    if (!digest) throw new DockerApiError(`the push of ${name} reported no digest`, 200, messages);
    return { digest, messages };
  }

  /** `POST /images/create?fromImage=…` (docker pull), by tag or by digest. */
  async pull(reference: string, auth: RegistryAuth | undefined): Promise<void> {
    const at = reference.indexOf("@");
    const [repo, tag] = at >= 0 ? [reference.slice(0, at), reference.slice(at + 1)] : [splitTag(reference).repo, splitTag(reference).tag];
    const headers = auth ? { "X-Registry-Auth": registryAuthHeader(auth) } : undefined;
    await this.stream("POST", `/images/create?${new URLSearchParams({ fromImage: repo, tag })}`, { headers });
  }

  inspectImage(name: string): Promise<{ Id: string; RepoTags: string[]; RepoDigests: string[]; Config: { Env?: string[]; Labels?: Record<string, string> } }> {
    return this.json("GET", `/images/${name}/json`);
  }

  async tagImage(name: string, repo: string, tag: string): Promise<void> {
    await this.json("POST", `/images/${name}/tag?${new URLSearchParams({ repo, tag })}`);
  }

  async removeImage(name: string): Promise<void> {
    await this.json("DELETE", `/images/${name}?force=1`);
  }

  /**
   * Runs a container to completion (`docker run --rm`): network none, and what
   * the caller gives of a securityContext. Returns its exit code and output.
   */
  async run(o: {
    image: string;
    cmd: string[];
    user?: string;
    binds?: string[];
    readonlyRootfs?: boolean;
    capDrop?: string[];
    noNewPrivileges?: boolean;
  }): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const created = await this.json<{ Id: string }>("POST", "/containers/create", {
      headers: { "Content-Type": "application/json" },
      body: Buffer.from(
        JSON.stringify({
          Image: o.image,
          Cmd: o.cmd,
          User: o.user,
          HostConfig: {
            NetworkMode: "none",
            Binds: o.binds,
            ReadonlyRootfs: o.readonlyRootfs ?? false,
            CapDrop: o.capDrop,
            SecurityOpt: o.noNewPrivileges ? ["no-new-privileges"] : undefined,
          },
        }),
      ),
    });
    try {
      await this.json("POST", `/containers/${created.Id}/start`);
      const waited = await this.json<{ StatusCode: number }>("POST", `/containers/${created.Id}/wait`);
      const logs = await this.request("GET", `/containers/${created.Id}/logs?stdout=1&stderr=1`);
      return { exitCode: waited.StatusCode, ...demultiplex(logs.body) };
    } finally {
      await this.json("DELETE", `/containers/${created.Id}?force=1`);
    }
  }
}

/**
 * What the provider puts in `X-Registry-Auth`: Go's `base64.URLEncoding` of the
 * auth JSON, which is padded. Node's "base64url" is not, and dockerd 20.10 reads
 * an unpadded header as no credentials at all for some lengths ("no basic auth
 * credentials"), silently.
 */
export function registryAuthHeader(auth: RegistryAuth): string {
  return Buffer.from(JSON.stringify(auth)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** `host:port/repo:tag` → repo and tag (a port's colon is not a tag's). */
function splitTag(name: string): { repo: string; tag: string } {
  const i = name.lastIndexOf(":");
  if (i < 0 || name.slice(i).includes("/")) return { repo: name, tag: "latest" };
  return { repo: name.slice(0, i), tag: name.slice(i + 1) };
}

function messageOf(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}

/** A container's log stream without a TTY: frames of [stream, 0, 0, 0, size (big-endian u32), payload]. */
function demultiplex(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** What is missing to run the Docker suite, each naming its Debian package; empty when all is there. */
export function missingDockerPrerequisites(busybox: { path: string; debianPackage: string }): string[] {
  const problems: string[] = [];
  const packages = new Set<string>();
  for (const t of DOCKER_TOOLS) {
    if (spawnSync("sh", ["-c", `command -v ${t.command}`], { stdio: "ignore" }).status !== 0) {
      problems.push(`${t.command} (Debian package ${t.debianPackage})`);
      packages.add(t.debianPackage.split(" ")[0]);
    }
  }
  const staticBusybox =
    spawnSync("test", ["-x", busybox.path]).status === 0 && spawnSync("ldd", [busybox.path], { stdio: "ignore" }).status !== 0;
  if (!staticBusybox) {
    problems.push(`a static ${busybox.path} (Debian package ${busybox.debianPackage})`);
    packages.add(busybox.debianPackage);
  }
  if (process.getuid?.() !== 0) problems.push("root: dockerd runs as root here");
  if (packages.size > 0) problems.push(`install with: apt-get install ${[...packages].join(" ")}`);
  return problems;
}
