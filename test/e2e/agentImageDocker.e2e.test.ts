/**
 * The agent image through a real Docker daemon, the way `docker.Image` makes it.
 *
 * The Pulumi Docker provider cannot run here (its Go module is not served, so
 * no `pulumi-resource-docker` can be built), so this suite plays the provider's
 * part against the daemon it would drive, with the same Engine API calls
 * (pulumi-docker `provider/image.go`, `dockerBuild`):
 *
 * 1. `AgentImage` runs under the mock runtime with the released
 *    `pinpoint-agent-3.0.1.tar.gz` (Maven Central) and writes its build context;
 *    the `docker.Image` it declares gives the image name, context, Dockerfile and
 *    registry credentials, used as declared;
 * 2. the context goes to dockerd as a tarball with root-owned entries and the
 *    Dockerfile's path relative to the context (`POST /build`, `t=<imageName>`,
 *    `version=2`: BuildKit, the provider's default builder, since AgentImage sets
 *    no `builderVersion`);
 * 3. pushed with `POST /images/<repo>/push` and `X-Registry-Auth` (base64url of
 *    `{username, password, serveraddress}`) to a docker-registry on 127.0.0.1
 *    that asks for basic auth (htpasswd);
 * 4. `GET /images/<name>/json`'s `RepoDigests[0]` is what the provider reports as
 *    `repoDigest`; given back to the component, it forms `imageRef`.
 *
 * Then the image is pulled back by `imageRef` and the init container the
 * injection core declares runs in it (`POST /containers/create`), and a wrong
 * password is refused. The daemon's base image `busybox` is imported from
 * busybox-static: there is no Docker Hub here, and the seed's `FROM busybox`
 * is kept as is.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Container } from "kubernetes-types/core/v1";
import { AgentImage, AGENT_SOURCE_DIR, BOOTSTRAP_JAR, inject, INIT_CONTAINER_NAME, MOUNT_PATH } from "../../sdk";
import { DEFAULT_IMAGE_REPOSITORY } from "../../sdk/agentImage/constants";
import { AGENT_LOG_DIR } from "../../sdk/inject/constants";
import { ofType, runProgram } from "../harness/pulumiProgram";
import { BUSYBOX_APPLETS } from "./buildah";
import { DOCKERD_FLAGS, Dockerd, DockerApiError, missingDockerPrerequisites, RegistryAuth } from "./dockerd";
import { makeEmptyDir } from "./pod";
import { readVersions, resolveArtifacts } from "./pinpoint/artifacts";
import { manifestDigest, Registry, startRegistry } from "./registry";
import { BUSYBOX, run } from "./tools";

const REPO_ROOT = path.join(__dirname, "..", "..");
const OUT = path.join(REPO_ROOT, "out", "e2e-agent-image");
const USER = "robot$pp-push";
const PASSWORD = "e2e-push-password";
const DOCKER_IMAGE_TYPE = "docker:index/image:Image";
/** docker.Image's default builder (pulumi-docker `defaultBuilder = "2"`): AgentImage sets no builderVersion. */
const BUILDER_VERSION = "2";

interface Evidence {
  suite: string;
  dockerProviderRun: false;
  whyNotTheProvider: string;
  docker: Record<string, unknown>;
  registry: Record<string, unknown>;
  agent: Record<string, unknown>;
  apiCalls: string[];
  image: Record<string, unknown>;
  proved: string[];
  durationsMs: Record<string, number>;
}

const evidence: Evidence = {
  suite: "test/e2e/agentImageDocker.e2e.test.ts",
  dockerProviderRun: false,
  whyNotTheProvider:
    "the Pulumi Docker provider's Go module (github.com/pulumi/pulumi-docker/provider) is not served by the module proxy here, so pulumi-resource-docker cannot be built; the suite makes the provider's Engine API calls itself",
  docker: {},
  registry: {},
  agent: {},
  apiCalls: [],
  image: {},
  proved: [],
  durationsMs: {},
};

async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await f();
  } finally {
    evidence.durationsMs[what] = Date.now() - started;
  }
}

/** The app team's Deployment the init container is declared for. */
function appDeployment(): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "order-pay", namespace: "dev" },
    spec: {
      selector: { matchLabels: { app: "order-pay" } },
      template: {
        metadata: { labels: { app: "order-pay" } },
        spec: { containers: [{ name: "order-pay", image: "harbor.59iedu.com/dev/order-pay:1.22.0", env: [{ name: "CATALINA_OPTS", value: "-Xmx64m" }] }] },
      },
    },
  };
}

/** Every file under dir (dot-files too), relative, with the sha256 of its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else out[r] = createHash("sha256").update(fs.readFileSync(path.join(dir, r))).digest("hex");
    }
  };
  walk("");
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The context as the provider sends it (`archive.TarWithOptions` with root as
 * owner): the context folder's entries under their relative names.
 */
function contextTarball(contextDir: string, out: string): string {
  const entries = fs.readdirSync(contextDir).sort();
  run("tar", ["-C", contextDir, "--owner=0", "--group=0", "--numeric-owner", "-cf", out, ...entries]);
  return out;
}

describe("agent image through a real Docker daemon: dockerd, docker-registry with basic auth, the released agent", function () {
  this.timeout(300_000);
  let tmp: string;
  let registry: Registry | undefined;
  let dockerd: Dockerd | undefined;
  let archive: string;
  let contextDir: string;
  let imageName: string;
  let auth: RegistryAuth;
  let pushedDigest: string;
  let imageRef: string | undefined;

  before(async function () {
    const missing = missingDockerPrerequisites(BUSYBOX);
    let artifactProblem: string | undefined;
    if (missing.length === 0) {
      try {
        archive = process.env.PINPOINT_AGENT_ARCHIVE ?? resolveArtifacts().agentArchive;
        if (!fs.existsSync(archive)) artifactProblem = `no agent archive at ${archive}`;
      } catch (e) {
        artifactProblem = `the agent archive could not be resolved with Maven (Debian package maven): ${(e as Error).message.split("\n")[0]}`;
      }
    }
    if (missing.length > 0 || artifactProblem) {
      const message = missing.length > 0 ? `the Docker agent image test needs: ${missing.join("; ")}` : `${artifactProblem}; run the mvn step of .ci/run or set PINPOINT_AGENT_ARCHIVE`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-agent-docker-e2e-"));
    const versions = readVersions();
    evidence.agent = {
      archive: path.basename(archive),
      from: process.env.PINPOINT_AGENT_ARCHIVE ? "PINPOINT_AGENT_ARCHIVE" : `Maven Central com.navercorp.pinpoint:pinpoint-agent:${versions.agent}:tar.gz`,
    };

    // The registry first, so the daemon can be told it is reached over plain HTTP.
    const htpasswd = path.join(tmp, "htpasswd");
    run("htpasswd", ["-Bbc", htpasswd, USER, PASSWORD]);
    registry = await startRegistry(path.join(tmp, "registry"), { htpasswd });
    evidence.registry = {
      host: registry.host,
      server: run("docker-registry", ["--version"]).trim(),
      auth: "htpasswd (bcrypt) basic auth",
    };

    dockerd = await timed("dockerdStart", () => Dockerd.start(path.join(tmp, "dockerd"), { insecureRegistries: [registry!.host] }));
    const version = await dockerd.version();
    const info = await dockerd.info();
    evidence.docker = {
      daemon: `dockerd ${version.Version} (Debian docker.io)`,
      apiVersion: version.ApiVersion,
      storageDriver: info.Driver,
      flags: [...DOCKERD_FLAGS, `--insecure-registry=${registry.host}`],
      platform: `${version.Os}/${version.Arch}`,
      kernel: version.KernelVersion,
    };

    // `busybox` in the daemon's image store, from busybox-static: what the seed's `FROM busybox` resolves to.
    const rootfs = path.join(tmp, "busybox-rootfs");
    fs.mkdirSync(path.join(rootfs, "bin"), { recursive: true });
    fs.copyFileSync(BUSYBOX.path, path.join(rootfs, "bin", "busybox"));
    fs.chmodSync(path.join(rootfs, "bin", "busybox"), 0o755);
    for (const applet of BUSYBOX_APPLETS) fs.symlinkSync("busybox", path.join(rootfs, "bin", applet));
    const rootfsTar = path.join(tmp, "busybox-rootfs.tar");
    run("tar", ["-C", rootfs, "--owner=0", "--group=0", "--numeric-owner", "-cf", rootfsTar, "bin"]);
    await dockerd.importImage(rootfsTar, "busybox", "latest", ["ENV PATH=/bin", 'CMD ["sh"]']);
    evidence.docker.baseImage = "busybox:latest, `POST /images/create?fromSrc=-` (docker import) of busybox-static";
  });

  after(async () => {
    await dockerd?.stop();
    await registry?.stop();
    if (tmp && process.env.E2E_KEEP !== "true") fs.rmSync(tmp, { recursive: true, force: true });
    if (evidence.docker.daemon) {
      fs.mkdirSync(OUT, { recursive: true });
      fs.writeFileSync(path.join(OUT, "evidence.json"), JSON.stringify(evidence, null, 2) + "\n");
      console.log("\n  Evidence (agent image through dockerd), out/e2e-agent-image/evidence.json");
      console.log(`    ${evidence.docker.daemon}, API ${evidence.docker.apiVersion}, ${evidence.docker.storageDriver}; ${evidence.registry.server}, ${evidence.registry.auth}`);
      console.log(`    agent: ${evidence.agent.archive} (${evidence.agent.from})`);
      if (evidence.image.imageRef) console.log(`    imageRef: ${evidence.image.imageRef}`);
      for (const p of evidence.proved) console.log(`    proved: ${p}`);
      console.log("    not run: the Docker provider itself (its Go module is not served); its Engine API calls were made by the test");
    }
  });

  it("builds the context AgentImage writes with dockerd, pushes it with basic auth, and the push's digest is the registry's and imageRef's", async () => {
    assert.ok(dockerd && registry);
    contextDir = path.join(tmp, "context");
    const program = () => {
      const image = new AgentImage("pp", { contextDir, registry: registry!.host });
      return { imageRef: image.imageRef, tag: image.tag };
    };
    const config = { agentArchive: archive, registryUsername: USER, registryPassword: PASSWORD };

    // Preview: the component writes the context and declares the docker.Image.
    const preview = await runProgram(program, { config, secretKeys: ["registryPassword"], preview: true, secret: (v) => v });
    assert.deepStrictEqual(preview.errors, []);
    const [declared] = ofType(preview, DOCKER_IMAGE_TYPE);
    assert.ok(
      declared.secretPaths.some((p) => p === "registry" || p === "registry.password"),
      `the registry password reaches docker.Image as a secret (secret: ${declared.secretPaths.join(", ")})`,
    );
    const inputs = declared.inputs as {
      imageName: string;
      build: { context: string; dockerfile: string; platform?: string; builderVersion?: string };
      registry: { server: string; username: string; password: string };
    };
    imageName = inputs.imageName;
    const tag = imageName.slice(imageName.lastIndexOf(":") + 1);
    assert.strictEqual(imageName, `${registry.host}/${DEFAULT_IMAGE_REPOSITORY}:${tag}`);
    assert.strictEqual(inputs.build.builderVersion, undefined, "AgentImage leaves the builder to the provider's default (BuildKit)");
    assert.match(fs.readFileSync(inputs.build.dockerfile, "utf8"), /^FROM busybox$/m, "the seed's base image, unchanged");
    evidence.agent.contextFiles = Object.keys(tree(path.join(contextDir, "pp_agent"))).length;

    // The provider: Dockerfile relative to the context, the context as a root-owned tarball.
    const dockerfile = path.relative(path.resolve(inputs.build.context), path.resolve(inputs.build.dockerfile));
    assert.ok(!dockerfile.startsWith(".."), "the Dockerfile is inside the context");
    const tarball = contextTarball(inputs.build.context, path.join(tmp, "context.tar"));
    const built = await timed("build", () => dockerd!.build(tarball, { dockerfile, tag: imageName, version: BUILDER_VERSION, platform: inputs.build.platform }));
    evidence.apiCalls.push(`POST /build?dockerfile=${dockerfile}&t=${imageName}&version=${BUILDER_VERSION} (context tarball, ${fs.statSync(tarball).size} bytes)`);

    // Push with the credentials as declared: server, username and the (secret) password.
    auth = { username: inputs.registry.username, password: inputs.registry.password, serveraddress: inputs.registry.server };
    assert.deepStrictEqual({ username: auth.username, password: auth.password, serveraddress: auth.serveraddress }, { username: USER, password: PASSWORD, serveraddress: registry.host });
    const pushed = await timed("push", () => dockerd!.push(imageName, auth));
    pushedDigest = pushed.digest;
    evidence.apiCalls.push(`POST /images/${registry.host}/${DEFAULT_IMAGE_REPOSITORY}/push?tag=${tag} (X-Registry-Auth: basic credentials of ${USER})`);

    // (a) The push's digest is the registry's manifest digest for the tag.
    const registryDigest = await manifestDigest(registry.host, DEFAULT_IMAGE_REPOSITORY, tag, auth);
    assert.strictEqual(pushedDigest, registryDigest);

    // What the provider reports: RepoDigests[0] of the pushed image.
    const inspected = await dockerd.inspectImage(imageName);
    evidence.apiCalls.push(`GET /images/${imageName}/json (RepoDigests[0] → repoDigest)`);
    assert.strictEqual(inspected.Id, built.id);
    const repoDigest = inspected.RepoDigests[0];
    assert.strictEqual(repoDigest, `${registry.host}/${DEFAULT_IMAGE_REPOSITORY}@${pushedDigest}`);

    // (b) `up`: the component turns that repoDigest into imageRef.
    const up = await runProgram(program, { config, secretKeys: ["registryPassword"], state: (type) => (type === DOCKER_IMAGE_TYPE ? { repoDigest } : undefined) });
    assert.deepStrictEqual(up.errors, []);
    assert.strictEqual(up.outputs.tag, tag, "the same agent gives the same context and tag");
    imageRef = up.outputs.imageRef as string;
    assert.strictEqual(imageRef, `${registry.host}/${DEFAULT_IMAGE_REPOSITORY}@${registryDigest}`);

    evidence.image = { imageName, tag, builder: "BuildKit (version=2, docker.Image's default)", pushDigest: pushedDigest, registryDigest, repoDigest, imageRef, imageId: built.id };
    evidence.proved.push("the context AgentImage writes builds in dockerd (POST /build, BuildKit) and pushes with basic auth");
    evidence.proved.push("the push's digest = the registry's manifest digest = RepoDigests[0] = the digest in the component's imageRef");
  });

  it("pulled back by imageRef, the image holds the agent at /var/lib/pp_agent and the declared init container copies it into the emptyDir", async () => {
    assert.ok(dockerd && imageRef, "needs the pushed image");
    // Nothing local: what runs is what the registry serves for the pinned reference.
    await dockerd.removeImage(imageName);
    await assert.rejects(dockerd.inspectImage(imageRef), /No such image/i);
    await timed("pullByDigest", () => dockerd!.pull(imageRef!, auth));
    evidence.apiCalls.push(`POST /images/create?fromImage=${registry!.host}/${DEFAULT_IMAGE_REPOSITORY}&tag=${pushedDigest} (X-Registry-Auth)`);

    const listing = await dockerd.run({ image: imageRef, cmd: ["ls", "-a", AGENT_SOURCE_DIR] });
    assert.strictEqual(listing.exitCode, 0, listing.stderr);
    const top = listing.stdout.split(/\s+/).filter(Boolean);
    for (const f of [BOOTSTRAP_JAR, "pinpoint-root.config", "profiles", "lib", "plugin", "boot", AGENT_LOG_DIR]) assert.ok(top.includes(f), `${AGENT_SOURCE_DIR}/${f} is missing: ${top.join(" ")}`);

    // The init container exactly as the injection core declares it for this image.
    const result = inject(appDeployment(), { image: imageRef, applicationNamePrefix: "dev-", collectorHost: "pinpoint-collector.pinpoint.svc", optionsEnv: "CATALINA_OPTS" });
    assert.ok(result.injected);
    const init = result.workload.spec!.template.spec!.initContainers!.find((c) => c.name === INIT_CONTAINER_NAME) as Container;
    assert.strictEqual(init.image, imageRef);
    const sc = init.securityContext!;
    const mount = init.volumeMounts![0];
    assert.strictEqual(mount.mountPath, MOUNT_PATH);
    const emptyDir = makeEmptyDir(tmp, "pp-agent-emptydir");
    const copy = await timed("initContainer", () =>
      dockerd!.run({
        image: imageRef!,
        cmd: [...init.command!, ...(init.args ?? [])],
        user: `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`,
        binds: [`${emptyDir}:${mount.mountPath}`],
        readonlyRootfs: sc.readOnlyRootFilesystem === true,
        capDrop: sc.capabilities?.drop,
        noNewPrivileges: sc.allowPrivilegeEscalation === false,
      }),
    );
    assert.strictEqual(copy.exitCode, 0, `init container failed: ${copy.stderr}`);
    evidence.apiCalls.push(`POST /containers/create (${INIT_CONTAINER_NAME}: its command, user ${sc.runAsUser}, read-only root, caps dropped, emptyDir bound at ${MOUNT_PATH})`);

    // Every file of the context's agent folder, dot-files included, byte for byte, as the init container's uid.
    const copied = tree(emptyDir);
    assert.deepStrictEqual(copied, tree(path.join(contextDir, "pp_agent")));
    const version = readVersions().agent;
    const releasedJar = execFileSync("tar", ["-xzOf", archive, `pinpoint-agent-${version}/pinpoint-bootstrap-${version}.jar`], { maxBuffer: 64 * 1024 * 1024 });
    assert.ok(fs.readFileSync(path.join(emptyDir, BOOTSTRAP_JAR)).equals(releasedJar), "pinpoint-bootstrap.jar is the released agent's bootstrap jar");
    assert.strictEqual(fs.statSync(path.join(emptyDir, BOOTSTRAP_JAR)).uid, sc.runAsUser, "copied by the init container's uid");
    assert.strictEqual(fs.statSync(path.join(emptyDir, AGENT_LOG_DIR)).mode & 0o7777, 0o1777);
    evidence.image.filesCopiedByInitContainer = Object.keys(copied).length;
    evidence.proved.push(
      `pulled by imageRef with the credentials, ${AGENT_SOURCE_DIR} holds ${BOOTSTRAP_JAR}; the declared init container (uid ${sc.runAsUser}, read-only root) copied all ${Object.keys(copied).length} agent files into the emptyDir`,
    );
  });

  it("a wrong password is refused by the registry, dockerd says so, and nothing is stored", async () => {
    assert.ok(dockerd && registry && imageRef, "needs the pushed image");
    const repo = `${registry.host}/${DEFAULT_IMAGE_REPOSITORY}`;
    await dockerd.tagImage(imageRef, repo, "refused");
    const wrong = { ...auth, password: "not-the-password" };
    const refusal = await dockerd.push(`${repo}:refused`, wrong).then(
      () => assert.fail("the push with a wrong password succeeded"),
      (e: unknown) => e,
    );
    assert.ok(refusal instanceof DockerApiError, String(refusal));
    assert.match(refusal.message, /^unauthorized: authentication required$/);
    // What `pulumi up` would fail with: the provider's processLogLine says "authentication is
    // required" for an errorDetail with code 401, else the stream's message as is.
    const providerSays = refusal.code === 401 ? "authentication is required" : refusal.message;
    // The password was sent and refused by the registry (a missing one is logged differently).
    const registryLog = fs.readFileSync(path.join(tmp, "registry", "registry.log"), "utf8");
    assert.ok(registryLog.includes(`error authenticating user \\"${USER}\\": authentication failure`), `the registry logged no refused password:\n${registryLog.slice(-2000)}`);
    await assert.rejects(manifestDigest(registry.host, DEFAULT_IMAGE_REPOSITORY, "refused", auth), /registry answered 404/, "a refused push stored the tag");
    // Control: the same push with the declared password goes through.
    assert.strictEqual((await dockerd.push(`${repo}:refused`, auth)).digest, pushedDigest);
    evidence.image.wrongPassword = { daemonSays: refusal.message, errorCode: refusal.code ?? null, providerWouldSay: providerSays, registryLogged: `error authenticating user "${USER}": authentication failure`, tagStored: false, samePushWithThePassword: "stored, same digest" };
    evidence.proved.push(`a push with a wrong password is refused: the registry logs the failed user, dockerd fails it with "${refusal.message}" (the provider would say "${providerSays}"), no tag is stored; the same push with the password goes through`);
  });
});
