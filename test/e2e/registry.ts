/**
 * A real CNCF distribution registry (Debian's docker-registry, what Harbor is
 * built on) on a free 127.0.0.1 port, storing under a temp folder.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";

/** Manifest types the registry may hold; asked for all, it answers with the stored one's digest. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

const START_TIMEOUT_MS = 15000;

export interface Registry {
  /** host:port, as image references name it. */
  host: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function request(method: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

export interface RegistryOptions {
  /** An htpasswd file (bcrypt): the registry then asks for basic auth. */
  htpasswd?: string;
  /** Token auth: the registry sends a `Bearer realm=…` challenge and trusts tokens signed by this certificate's key. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Serve HTTPS with this certificate and key (PEM files), as a Harbor with a company CA does. */
  tls?: { certificate: string; key: string };
}

/** `docker-registry serve <config.yml>` with storage under dir; resolves once /v2/ answers. */
export async function startRegistry(dir: string, options: RegistryOptions = {}): Promise<Registry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const storage = path.join(dir, "storage");
  fs.mkdirSync(storage, { recursive: true });
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storage}`,
      "http:",
      `  addr: ${host}`,
      "  secret: e2e-only-upload-state-secret",
      ...(options.tls ? ["  tls:", `    certificate: ${options.tls.certificate}`, `    key: ${options.tls.key}`] : []),
      ...(options.htpasswd ? ["auth:", "  htpasswd:", "    realm: e2e", `    path: ${options.htpasswd}`] : []),
      ...(options.token
        ? [
            "auth:",
            "  token:",
            `    realm: ${options.token.realm}`,
            `    service: ${options.token.service}`,
            `    issuer: ${options.token.issuer}`,
            `    rootcertbundle: ${options.token.rootCertBundle}`,
          ]
        : []),
      "",
    ].join("\n"),
  );
  const log = fs.openSync(path.join(dir, "registry.log"), "a");
  const child: ChildProcess = spawn("docker-registry", ["serve", config], { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? -1));

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) throw new Error(`docker-registry exited with ${exited}: ${fs.readFileSync(path.join(dir, "registry.log"), "utf8")}`);
    try {
      // 401: up, and asking for the credentials it was configured with.
      // Over TLS it answers a plain request with 400 ("an HTTP request to an HTTPS server"): up as well.
      if ([200, 401, ...(options.tls ? [400] : [])].includes((await request("GET", `http://${host}/v2/`)).status)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`docker-registry did not answer on ${host} within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * The digest the registry reports for a tag: `HEAD /v2/<repo>/manifests/<tag>`, header Docker-Content-Digest;
 * with basic auth for a registry started with an htpasswd file.
 */
export async function manifestDigest(host: string, repository: string, tag: string, auth?: { username: string; password: string }): Promise<string> {
  const headers: Record<string, string> = { Accept: MANIFEST_ACCEPT };
  if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  const r = await request("HEAD", `http://${host}/v2/${repository}/manifests/${tag}`, headers);
  if (r.status !== 200) throw new Error(`registry answered ${r.status} for ${repository}:${tag}`);
  const digest = r.headers["docker-content-digest"];
  if (typeof digest !== "string") throw new Error(`registry sent no Docker-Content-Digest for ${repository}:${tag}`);
  return digest;
}
