/**
 * Image-aware injection against a real registry: images built by buildah with
 * the ENV, ENTRYPOINT and CMD a Java team's Dockerfile sets, pushed to Debian's
 * docker-registry (open, with htpasswd basic auth, and with token auth), read back by
 * ImageConfigReader, and handed to inject(). Also: an index resolved to
 * linux/amd64, the digest cache on disk, and registries that refuse, are
 * absent or never answer.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Container } from "kubernetes-types/core/v1";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { pinpointTransform } from "../../sdk";
import { ImageConfigReader, credentialsFromDockerConfigJson } from "../../sdk/imageConfig";
import { spawnSync } from "child_process";
import { ofType, runProgram } from "../harness/pulumiProgram";
import { compiled } from "../support/compiled";
import { inject, InjectResult, ImageLookups, podTemplateOf } from "../../sdk/inject";
import { Buildah } from "./buildah";
import { Registry, startRegistry } from "./registry";
import { startTokenService } from "./tokenService";
import { missingPrerequisites, run } from "./tools";
import { deploymentOf } from "../support/workloads";

const AGENT_IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
const USER = "robot";
const PASSWORD = "e2e-only-password";

function deployment(image: string, patch: Partial<Container> = {}): Deployment {
  return deploymentOf("orders", [{ name: "app", image, ...patch }]);
}

const envOf = (r: InjectResult, name: string) => podTemplateOf(r.workload)!.spec!.containers[0].env?.find((e) => e.name === name)?.value;

interface ImageRow {
  name: string;
  /** Repository under the registry; the manifest names it with no hint of Java. */
  repository: string;
  config: { env?: string[]; entrypoint?: string[]; cmd?: string[] };
  /** Manifest rules alone (no image config). */
  manifestOnly: { injected: boolean };
  /** With the image config read. */
  imageAware: { injected: true; optionsEnv: string; reason: RegExp } | { injected: false; reason: RegExp } | { error: RegExp };
}

const ROWS: ImageRow[] = [
  {
    name: "ENTRYPOINT java -jar on a JDK 17 base: JAVA_TOOL_OPTIONS",
    repository: "apps/orders",
    config: { env: ["JAVA_HOME=/opt/java/openjdk", "JAVA_VERSION=jdk-17.0.9+9"], entrypoint: ["java", "-jar", "/app/orders.jar"] },
    manifestOnly: { injected: false },
    imageAware: { injected: true, optionsEnv: "JAVA_TOOL_OPTIONS", reason: /JVM: command runs java → JAVA_TOOL_OPTIONS/ },
  },
  {
    name: "the image sets JAVA_TOOL_OPTIONS on JDK 17: JDK_JAVA_OPTIONS, the image's value untouched",
    repository: "apps/billing",
    config: { env: ["JAVA_VERSION=17.0.2", "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75"], cmd: ["java", "-cp", "/app", "billing.Main"] },
    manifestOnly: { injected: false },
    imageAware: { injected: true, optionsEnv: "JDK_JAVA_OPTIONS", reason: /→ JDK_JAVA_OPTIONS/ },
  },
  {
    name: "the image sets JAVA_TOOL_OPTIONS on Java 8: refused, naming the fix",
    repository: "apps/legacy",
    config: { env: ["JAVA_VERSION=8u392", "JAVA_TOOL_OPTIONS=-Xss1m"], entrypoint: ["java", "-jar", "/legacy.jar"] },
    manifestOnly: { injected: false },
    imageAware: { error: /the agent flags would go in JAVA_TOOL_OPTIONS, but the image sets JAVA_TOOL_OPTIONS.*declare JAVA_TOOL_OPTIONS in the container's env yourself/ },
  },
  {
    name: "the image bakes in the OpenTelemetry agent: an error naming it",
    repository: "apps/traced",
    config: { env: ["JAVA_VERSION=21.0.1", "JAVA_TOOL_OPTIONS=-javaagent:/otel/opentelemetry-javaagent.jar"], entrypoint: ["java", "-jar", "/app.jar"] },
    manifestOnly: { injected: false },
    imageAware: { error: /already loads the OpenTelemetry Java agent \(-javaagent:\/otel\/opentelemetry-javaagent\.jar in the image's Env JAVA_TOOL_OPTIONS\)/ },
  },
  {
    name: "CATALINA_HOME and catalina.sh run: Tomcat, CATALINA_OPTS",
    repository: "apps/portal",
    config: { env: ["CATALINA_HOME=/usr/local/tomcat", "JAVA_VERSION=11.0.21"], cmd: ["catalina.sh", "run"] },
    manifestOnly: { injected: false },
    imageAware: { injected: true, optionsEnv: "CATALINA_OPTS", reason: /Tomcat: command runs catalina\.sh → CATALINA_OPTS/ },
  },
  {
    name: "a Go binary: not a JVM, said from the image",
    repository: "apps/gateway",
    config: { env: ["PATH=/usr/local/bin"], entrypoint: ["/usr/local/bin/gateway"], cmd: ["--port=8080"] },
    manifestOnly: { injected: false },
    imageAware: { injected: false, reason: /not a JVM: image config read: runs gateway, no Java in its Env, Entrypoint or Cmd/ },
  },
];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("image-aware injection against a real registry (buildah, docker-registry)", function () {
  this.timeout(180000);
  let tmp: string;
  let open: Registry | undefined;
  let locked: Registry | undefined;
  let buildah: Buildah;
  const refs = new Map<string, string>();

  before(async function () {
    const missing = missingPrerequisites();
    if (spawnMissing("htpasswd")) missing.push("htpasswd (Debian package apache2-utils)");
    if (spawnMissing("openssl")) missing.push("openssl (Debian package openssl)");
    if (missing.length > 0) {
      const message = `the image-aware test needs: ${missing.join("; ")}`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-imagecfg-e2e-"));
    open = await startRegistry(path.join(tmp, "open"));
    const htpasswd = path.join(tmp, "htpasswd");
    run("htpasswd", ["-Bbc", htpasswd, USER, PASSWORD]);
    locked = await startRegistry(path.join(tmp, "locked"), { htpasswd });
    buildah = new Buildah(path.join(tmp, "buildah"));
    for (const row of ROWS) {
      const ref = `${open.host}/${row.repository}:1`;
      buildah.configOnly(ref, row.config);
      buildah.push(ref);
      refs.set(row.repository, ref);
    }
  });

  after(async () => {
    if (open) await open.stop();
    if (locked) await locked.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const image = refs.get(row.repository)!;
      // The rules alone (unknownContainers skip): what the manifest shows, before the image is read.
      const manifestOnly = inject(deployment(image), { image: AGENT_IMAGE, unknownContainers: "skip" });
      assert.strictEqual(manifestOnly.injected, row.manifestOnly.injected, manifestOnly.reason);

      const reader = new ImageConfigReader({ cacheDir: false });
      const images = await reader.readAll([image]);
      assert.ok(images[image]?.config, JSON.stringify(images[image]));
      const expected = row.imageAware;
      if ("error" in expected) {
        assert.throws(() => inject(deployment(image), { image: AGENT_IMAGE, images }), expected.error);
        return;
      }
      const r = inject(deployment(image), { image: AGENT_IMAGE, images });
      assert.strictEqual(r.injected, expected.injected, r.reason);
      assert.match(r.containerReasons[0].reason, expected.reason);
      assert.strictEqual(r.containerReasons[0].evidence, "image");
      if (expected.injected) {
        assert.match(envOf(r, expected.optionsEnv)!, /^-javaagent:\/var\/init\/pinpoint\/pinpoint-bootstrap\.jar /);
        // Never clobber: no entry for a variable the image sets.
        const imageVars = (row.config.env ?? []).map((e) => e.slice(0, e.indexOf("=")));
        for (const name of imageVars) assert.strictEqual(envOf(r, name), undefined, `${name} is the image's`);
      }
    });
  }

  it("the stack transform reads the images at preview (async): the image's JVM is instrumented, the Go binary is not", async () => {
    const java = refs.get("apps/orders")!;
    const go = refs.get("apps/gateway")!;
    const program = (readImages: boolean) => () => {
      // unknownContainers skip: only what the image config shows gets the agent.
      const transform = pinpointTransform({ image: AGENT_IMAGE, readImages: readImages ? { cacheDir: false } : false, unknownContainers: "skip" });
      for (const [name, image] of [["orders", java], ["gateway", go]]) {
        const d = deployment(image);
        new k8s.apps.v1.Deployment(name, { metadata: { name, namespace: "dev" }, spec: d.spec as k8s.types.input.apps.v1.DeploymentSpec }, { transforms: [transform] });
      }
    };
    const instrumented = async (readImages: boolean) => {
      const run = await runProgram(program(readImages));
      assert.deepStrictEqual(run.errors, []);
      return ofType(run, "kubernetes:apps/v1:Deployment")
        .filter((d) => (d.inputs.spec.template.spec.initContainers ?? []).length > 0)
        .map((d) => d.name);
    };
    assert.deepStrictEqual(await instrumented(true), ["orders"]);
    // The manifest alone says nothing of Java for either.
    assert.deepStrictEqual(await instrumented(false), []);
  });

  it("pinpoint-inject --read-images: the image decides, the reason says so; without the flag the manifest does", () => {
    const cli = compiled("cli/inject.js");
    const manifest = path.join(tmp, "orders.yaml");
    fs.writeFileSync(manifest, JSON.stringify(deployment(refs.get("apps/orders")!)));
    const cache = path.join(tmp, "cli-cache");
    const inject = (...flags: string[]) => spawnSync(process.execPath, [cli, "-f", manifest, "--image", AGENT_IMAGE, ...flags], { encoding: "utf8" });
    const read = inject("--read-images", "--image-timeout", "2000", "--image-cache", cache);
    assert.strictEqual(read.status, 0, read.stderr);
    assert.match(read.stdout, /JAVA_TOOL_OPTIONS/);
    assert.match(read.stderr, /container app: JVM: command runs java → JAVA_TOOL_OPTIONS \(the first JVM container\)/);
    assert.ok(fs.readdirSync(cache).some((f) => f.startsWith("sha256-")), "the config is cached by digest");
    // Offline the manifest says nothing of Java: unknown, instrumented by default, the reason saying no config was read.
    const offline = inject();
    assert.strictEqual(offline.status, 0, offline.stderr);
    assert.match(offline.stdout, /init-pinpoint/);
    assert.match(offline.stderr, /container app: unknown: no JVM evidence in the manifest \(image 127\.0\.0\.1:\d+\/apps\/orders:1, no command\); image config not read \(none asked for/);
    const skipping = inject("--unknown-containers", "skip");
    assert.doesNotMatch(skipping.stdout, /init-pinpoint/);
    assert.match(skipping.stderr, /skipped +Deployment dev\/orders .*: no JVM container\n +container app: unknown: .*not instrumented \(unknownContainers: skip\)/);
    const bad = inject("--read-images", "--image-timeout", "soon");
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stderr, /--image-timeout "soon" is not a positive whole number of milliseconds/);
  });

  it("resolves an image index to its linux/amd64 manifest", async () => {
    const list = `${open!.host}/apps/multi:1`;
    const arm = `${open!.host}/apps/multi:arm64`;
    const amd = `${open!.host}/apps/multi:amd64`;
    buildah.configOnly(arm, { env: ["BUILT_FOR=arm64"], entrypoint: ["/bin/app"], arch: "arm64" });
    buildah.configOnly(amd, { env: ["BUILT_FOR=amd64", "JAVA_HOME=/opt/java"], entrypoint: ["java", "-jar", "/app.jar"], arch: "amd64" });
    buildah.run("manifest", "create", list);
    buildah.run("manifest", "add", list, arm);
    buildah.run("manifest", "add", list, amd);
    buildah.run("manifest", "push", "--all", "--tls-verify=false", list, `docker://${list}`);
    const lookup = await new ImageConfigReader({ cacheDir: false }).read(list);
    assert.ok(lookup.config, JSON.stringify(lookup));
    assert.ok(lookup.config.Env?.includes("BUILT_FOR=amd64"), JSON.stringify(lookup.config.Env));
    const r = inject(deployment(list), { image: AGENT_IMAGE, images: { [list]: lookup } });
    assert.deepStrictEqual(r.containers, ["app"]);
  });

  it("caches configs by digest on disk: a pinned image reads with the registry gone", async () => {
    const ref = refs.get("apps/orders")!;
    const cacheDir = path.join(tmp, "cache");
    const first = await new ImageConfigReader({ cacheDir }).read(ref);
    assert.ok(first.config && first.digest, JSON.stringify(first));
    const pinned = `${ref.replace(/:1$/, "")}@${first.digest}`;
    const pinnedFirst = await new ImageConfigReader({ cacheDir }).read(pinned);
    assert.deepStrictEqual(pinnedFirst.config, first.config);
    const files = fs.readdirSync(cacheDir);
    assert.ok(files.some((f) => f.startsWith("sha256-")) && files.some((f) => f.startsWith("manifest-sha256-")), files.join(", "));

    // A registry on a port where nothing listens: only the cache can answer.
    const gone = pinned.replace(open!.host, `127.0.0.1:${await freePort()}`);
    const offline = new ImageConfigReader({ cacheDir, timeoutMs: 500 });
    const fromCache = await offline.read(gone);
    assert.deepStrictEqual(fromCache.config, first.config);
    // The same reader asked again answers from memory (the same promise).
    assert.strictEqual(offline.read(gone), offline.read(gone));
  });

  it("basic auth: refused without credentials (manifest rules, saying so), read with them or with a pull secret's", async () => {
    const ref = `${locked!.host}/apps/secured:1`;
    buildah.configOnly(ref, { env: ["JAVA_HOME=/opt/java"], entrypoint: ["java", "-jar", "/app.jar"] });
    buildah.push(ref, `${USER}:${PASSWORD}`);

    const anonymous = await new ImageConfigReader({ cacheDir: false }).read(ref);
    assert.match(anonymous.error ?? "", /401 \(needs credentials/);
    const fallback = inject(deployment(ref), { image: AGENT_IMAGE, images: { [ref]: anonymous }, unknownContainers: "skip" });
    assert.strictEqual(fallback.injected, false);
    assert.match(fallback.containerReasons[0].reason, /unknown: .*image config not read \(registry 127\.0\.0\.1:\d+ 401 \(needs credentials/);

    const wrong = await new ImageConfigReader({ cacheDir: false, credentials: { [locked!.host]: { username: USER, password: "nope" } } }).read(ref);
    assert.match(wrong.error ?? "", /credentials refused/);

    const withCreds = await new ImageConfigReader({ cacheDir: false, credentials: { [locked!.host]: { username: USER, password: PASSWORD } } }).read(ref);
    assert.ok(withCreds.config?.Env?.includes("JAVA_HOME=/opt/java"), JSON.stringify(withCreds));

    const dockerConfigJson = JSON.stringify({ auths: { [locked!.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } } });
    const fromSecret = await new ImageConfigReader({ cacheDir: false, credentials: credentialsFromDockerConfigJson(dockerConfigJson) }).read(ref);
    assert.deepStrictEqual(fromSecret.config, withCreds.config);
    const r = inject(deployment(ref), { image: AGENT_IMAGE, images: { [ref]: fromSecret } });
    assert.deepStrictEqual(r.containers, ["app"]);
  });

  it("the stack transform reads a locked registry with a dockerconfigjson Secret its workloads depend on", async () => {
    const ref = `${locked!.host}/apps/secured:1`; // pushed by the basic-auth test above
    const dockerConfigJson = JSON.stringify({ auths: { [locked!.host]: { username: USER, password: PASSWORD } } });
    const program = (withSecret: boolean) => () => {
      const transform = pinpointTransform({ image: AGENT_IMAGE, readImages: { cacheDir: false }, unknownContainers: "skip" });
      pulumi.runtime.registerResourceTransform(transform);
      const secret = withSecret
        ? [new k8s.core.v1.Secret("pull", { metadata: { name: "pull", namespace: "dev" }, type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": dockerConfigJson } })]
        : [];
      const d = deployment(ref);
      // dependsOn: the Deployment registers, and so is transformed, after the Secret.
      new k8s.apps.v1.Deployment("secured", { metadata: { name: "secured", namespace: "dev" }, spec: d.spec as k8s.types.input.apps.v1.DeploymentSpec }, { dependsOn: secret });
    };
    for (const withSecret of [true, false]) {
      const run = await runProgram(program(withSecret));
      assert.deepStrictEqual(run.errors, []);
      const d = ofType(run, "kubernetes:apps/v1:Deployment")[0];
      assert.strictEqual((d.inputs.spec.template.spec.initContainers ?? []).length > 0, withSecret, `with the Secret: ${withSecret}`);
    }
  });

  it("token auth (a Bearer realm challenge, as Docker Hub and Harbor answer): anonymous pull tokens, and tokens for the user", async () => {
    const tokens = await startTokenService(path.join(tmp, "token"), { username: USER, password: PASSWORD });
    let tokened: Registry | undefined;
    try {
      tokened = await startRegistry(path.join(tmp, "tokened"), { token: tokens });
      const ref = `${tokened.host}/apps/public:1`;
      buildah.configOnly(ref, { env: ["JAVA_VERSION=17.0.9"], entrypoint: ["java", "-jar", "/app.jar"] });
      await buildah.pushAsync(ref, `${USER}:${PASSWORD}`);

      const anonymous = await new ImageConfigReader({ cacheDir: false }).read(ref);
      assert.ok(anonymous.config?.Env?.includes("JAVA_VERSION=17.0.9"), JSON.stringify(anonymous));
      assert.ok(tokens.issued.includes("anonymous"), tokens.issued.join(", "));

      const before = tokens.issued.filter((w) => w === USER).length;
      const asUser = await new ImageConfigReader({ cacheDir: false, credentials: { [tokened.host]: { username: USER, password: PASSWORD } } }).read(ref);
      assert.deepStrictEqual(asUser.config, anonymous.config);
      assert.ok(tokens.issued.filter((w) => w === USER).length > before, "the reader asked for a token as the user");

      const refused = await new ImageConfigReader({ cacheDir: false, credentials: { [tokened.host]: { username: USER, password: "nope" } } }).read(ref);
      assert.match(refused.error ?? "", /token service answered 401 \(credentials refused\)/);
    } finally {
      if (tokened) await tokened.stop();
      await tokens.stop();
    }
  });

  it("a registry that never answers costs one timeout, then its other images are skipped at once", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const reader = new ImageConfigReader({ cacheDir: false, timeoutMs: 300 });
      const first = await reader.read(`${host}/apps/a:1`);
      assert.match(first.error ?? "", /timeout after 300 ms/);
      const accepted = sockets.length;
      const second = await reader.read(`${host}/apps/b:1`);
      assert.match(second.error ?? "", /timeout after 300 ms/);
      assert.strictEqual(sockets.length, accepted, "the second image must not dial the silent registry again");
      const images: ImageLookups = { [`${host}/apps/a:1`]: first };
      const r = inject(deployment(`${host}/apps/a:1`, { command: ["java", "-jar", "/app.jar"] }), { image: AGENT_IMAGE, images });
      // The manifest decided (a java command); the reason still says the read asked for failed, since the verdict rests on the manifest alone.
      assert.match(r.containerReasons[0].reason, /JVM: command runs java; image config not read \(registry 127\.0\.0\.1:\d+ timeout after 300 ms\) → JAVA_TOOL_OPTIONS/);
      assert.strictEqual(r.containerReasons[0].evidence, "manifest");
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it("a registry where nothing listens: refused at once, the reason says so", async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const lookup = await new ImageConfigReader({ cacheDir: false, timeoutMs: 2000 }).read(`${host}/apps/a:1`);
    assert.match(lookup.error ?? "", /unreachable: ECONNREFUSED/);
  });
});

function spawnMissing(command: string): boolean {
  try {
    run("sh", ["-c", `command -v ${command}`]);
    return false;
  } catch {
    return true;
  }
}
