/**
 * Registries as operators run them, read by the image-config reader: a real
 * docker-registry serving HTTPS with a certificate from a private CA (made here
 * with openssl), read without the CA (refused, the reason naming the fix), with
 * pinpoint:registryCaFile's file and with NODE_EXTRA_CA_CERTS; a plain-HTTP
 * registry under a name that is not loopback, allowed by name; and both reached
 * through a proxy the test runs (HTTP_PROXY, HTTPS_PROXY's CONNECT tunnel,
 * NO_PROXY). The names *.invalid resolve nowhere: only the proxy can reach them.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";
import { ImageConfigReader } from "../../sdk/imageConfig";
import { compiled } from "../support/compiled";
import { Registry, startRegistry } from "./registry";

const TLS_NAME = "harbor.invalid";
const PLAIN_NAME = "plain.invalid:5000";
const ENV_OF_IMAGE = ["JAVA_HOME=/opt/java/openjdk", "CATALINA_HOME=/usr/local/tomcat"];
const PROXY_VARS = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"];

const missing = (cmd: string) => spawnSync(cmd, ["--help"], { stdio: "ignore" }).error !== undefined;

/** A one-layer-less image: a config blob and a manifest naming it, pushed with the registry API. */
async function pushImage(base: string, repository: string, ca: string | undefined): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Env: ENV_OF_IMAGE }, rootfs: { type: "layers", diff_ids: [] } }));
  const digest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
  const send = (method: string, url: string, body: Buffer | undefined, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; location?: string }>((resolve, reject) => {
      const mod = url.startsWith("https:") ? https : http;
      const req = mod.request(url, { method, headers: { ...headers, ...(body ? { "content-length": String(body.length) } : {}) }, ...(ca ? { ca } : {}) }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const start = await send("POST", `${base}/v2/${repository}/blobs/uploads/`, undefined);
  assert.strictEqual(start.status, 202, "upload not started");
  const upload = new URL(start.location!, base);
  upload.searchParams.set("digest", digest);
  assert.strictEqual((await send("PUT", upload.toString(), config, { "content-type": "application/octet-stream" })).status, 201);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest, size: config.length },
      layers: [],
    }),
  );
  const put = await send("PUT", `${base}/v2/${repository}/manifests/1`, manifest, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
  assert.strictEqual(put.status, 201, "manifest not stored");
}

/** A forward proxy: absolute-URI requests (HTTP_PROXY) and CONNECT tunnels (HTTPS_PROXY), *.invalid mapped to the test's registries. */
function startProxy(route: (host: string) => string | undefined): Promise<{ server: http.Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? "/");
    const to = route(target.host);
    if (!to) return void res.writeHead(502).end();
    const up = http.request(`http://${to}${target.pathname}${target.search}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const to = route(req.url ?? "");
    if (!to) return void socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
    const [h, p] = to.split(":");
    const up = net.connect(Number(p), h, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen })));
}

/** The reader with these proxy variables only (the dispatcher reads them when made). */
async function readWith(env: Record<string, string>, image: string, options: ConstructorParameters<typeof ImageConfigReader>[0] = {}) {
  const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await new ImageConfigReader({ cacheDir: false, timeoutMs: 5000, ...options }).read(image);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe("registries as operators run them: private CA, plain HTTP by name, proxies (docker-registry, openssl)", function () {
  this.timeout(120_000);
  let tmp: string;
  let secure: Registry | undefined;
  let plain: Registry | undefined;
  let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
  let caFile: string;
  let ca: string;

  before(async function () {
    const lacking = ["docker-registry", "openssl"].filter(missing);
    if (lacking.length > 0) {
      const message = `needs ${lacking.join(", ")} (Debian packages docker-registry, openssl)`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-registry-access-"));
    const f = (n: string) => path.join(tmp, n);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
    // A company CA, and a server certificate it signs for the registry's IP and name.
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pulumi-pinpoint test CA", "-keyout", f("ca.key"), "-out", f("ca.pem"));
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${TLS_NAME}`, "-keyout", f("server.key"), "-out", f("server.csr"));
    fs.writeFileSync(f("san.ext"), `subjectAltName=IP:127.0.0.1,DNS:${TLS_NAME}\n`);
    openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("san.ext"), "-out", f("server.pem"));
    caFile = f("ca.pem");
    ca = fs.readFileSync(caFile, "utf8");
    secure = await startRegistry(f("secure"), { tls: { certificate: f("server.pem"), key: f("server.key") } });
    plain = await startRegistry(f("plain"));
    await pushImage(`https://${secure.host}`, "fjhb/tomcat-zffw", ca);
    await pushImage(`http://${plain.host}`, "fjhb/tomcat-zffw", undefined);
    proxy = await startProxy((host) => (host === `${TLS_NAME}:443` ? secure!.host : host === PLAIN_NAME ? plain!.host : undefined));
  });

  after(async () => {
    proxy?.server.close();
    await secure?.stop();
    await plain?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => proxy && (proxy.seen.length = 0));

  const env = (l: { config?: { Env?: string[] | null } }) => l.config?.Env;

  it("HTTPS with a private CA, CA not configured: not read, the reason names the fix", async () => {
    const l = await readWith({}, `${secure!.host}/fjhb/tomcat-zffw:1`);
    assert.strictEqual(l.config, undefined);
    assert.match(l.error ?? "", /TLS certificate not trusted \(\w+.*\); trust its CA with pinpoint:registryCaFile or NODE_EXTRA_CA_CERTS/);
  });

  it("HTTPS with a private CA, registryCaFile given: read", async () => {
    const l = await readWith({}, `${secure!.host}/fjhb/tomcat-zffw:1`, { caFile });
    assert.deepStrictEqual(env(l), ENV_OF_IMAGE, l.error);
  });

  it("HTTPS with a private CA, NODE_EXTRA_CA_CERTS (read at process start, so in a child): read", () => {
    const script = `const { ImageConfigReader } = require(${JSON.stringify(compiled("index.js"))});
      new ImageConfigReader({ cacheDir: false }).read(process.argv[1]).then((l) => process.stdout.write(JSON.stringify(l)));`;
    const run = (extra: Record<string, string>) => {
      const r = spawnSync(process.execPath, ["-e", script, `${secure!.host}/fjhb/tomcat-zffw:1`], { encoding: "utf8", env: { ...process.env, ...extra } });
      assert.strictEqual(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { config?: { Env?: string[] }; error?: string };
    };
    assert.match(run({ NODE_EXTRA_CA_CERTS: "" }).error ?? "", /TLS certificate not trusted/);
    assert.deepStrictEqual(env(run({ NODE_EXTRA_CA_CERTS: caFile })), ENV_OF_IMAGE);
  });

  it("pinpoint-inject --read-images: untrusted without --registry-ca-file, read with it; a file that is no PEM is refused naming the flag", () => {
    const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: zffw, namespace: dev}\nspec:\n  selector: {matchLabels: {app: zffw}}\n  template:\n    metadata: {labels: {app: zffw}}\n    spec:\n      containers: [{name: zffw, image: "${secure!.host}/fjhb/tomcat-zffw:1"}]\n`;
    const inject = (...flags: string[]) =>
      spawnSync(process.execPath, [compiled("cli/inject.js"), "-f", "-", "--image", "harbor.example.com/fjhb/pp_agent:1", "--read-images", "--image-cache", path.join(tmp, "cache"), ...flags], {
        input: manifest,
        encoding: "utf8",
      });
    const without = inject();
    assert.match(without.stderr, /image config not read \(registry 127\.0\.0\.1:\d+ TLS certificate not trusted/);
    const withCa = inject("--registry-ca-file", caFile);
    assert.strictEqual(withCa.status, 0, withCa.stderr);
    assert.doesNotMatch(withCa.stderr, /image config not read \(registry/);
    assert.match(withCa.stderr, /Tomcat/, "the image's CATALINA_HOME made it a Tomcat");
    const bad = inject("--registry-ca-file", __filename);
    assert.notStrictEqual(bad.status, 0);
    assert.match(bad.stderr, /--registry-ca-file ".*" holds no PEM certificate/);
  });

  it("a loopback registry without TLS: read over plain HTTP with nothing configured, as before", async () => {
    const l = await readWith({}, `${plain!.host}/fjhb/tomcat-zffw:1`);
    assert.deepStrictEqual(env(l), ENV_OF_IMAGE, l.error);
  });

  it("plain HTTP under a name, through HTTP_PROXY: read only when the host is allowed by name", async () => {
    const denied = await readWith({ HTTP_PROXY: proxy!.url, HTTPS_PROXY: proxy!.url }, `${PLAIN_NAME}/fjhb/tomcat-zffw:1`);
    // Not allowed: HTTPS is spoken to a server that has none, and that is all.
    assert.strictEqual(denied.config, undefined, "read over plain HTTP without being allowed");
    assert.match(denied.error ?? "", /^registry plain\.invalid:5000 unreachable: \S+ \(no TLS there; if it serves plain HTTP, allow it by name with pinpoint:registryPlainHttp\)$/);
    proxy!.seen.length = 0;
    const l = await readWith({ HTTP_PROXY: proxy!.url }, `${PLAIN_NAME}/fjhb/tomcat-zffw:1`, { plainHttpHosts: [PLAIN_NAME] });
    assert.deepStrictEqual(env(l), ENV_OF_IMAGE, l.error);
    // undici sends plain HTTP through a proxy in a CONNECT tunnel too; either way it went through the proxy.
    assert.ok(proxy!.seen.some((s) => s === `CONNECT ${PLAIN_NAME}` || s.startsWith(`GET http://${PLAIN_NAME}/`)), proxy!.seen.join(", "));
  });

  it("HTTPS through HTTPS_PROXY (a CONNECT tunnel) with the private CA: read; NO_PROXY sends it direct, where the name resolves nowhere", async () => {
    const image = `${TLS_NAME}/fjhb/tomcat-zffw:1`;
    const l = await readWith({ HTTPS_PROXY: proxy!.url }, image, { caFile });
    assert.deepStrictEqual(env(l), ENV_OF_IMAGE, l.error);
    assert.ok(proxy!.seen.includes(`CONNECT ${TLS_NAME}:443`), proxy!.seen.join(", "));
    proxy!.seen.length = 0;
    const direct = await readWith({ HTTPS_PROXY: proxy!.url, NO_PROXY: TLS_NAME }, image, { caFile });
    assert.match(direct.error ?? "", /unreachable: (ENOTFOUND|EAI_AGAIN)/);
    assert.deepStrictEqual(proxy!.seen, [], "NO_PROXY's host went through the proxy");
  });
});
