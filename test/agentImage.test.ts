/**
 * The agent image: the build context from each archive layout (pure), and the
 * AgentImage and PinpointApm wiring under the Pulumi mock runtime.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { AgentImage, PinpointApm, prepareBuildContext } from "../sdk";
import { dockerConfigJson, needsCredentials, pinnedReference, tagOf } from "../sdk/agentImage/reference";
import { registryOf } from "../sdk/agentImage/apmWiring";
import { Layout, makeAgent } from "./e2e/agentArchive";
import { ofType, ProgramRun, runProgram } from "./harness/pulumiProgram";
import { fixture, validateObject } from "./support/validate";

const VERSION = "2.5.4";
const JAR = Buffer.from("PK\u0003\u0004 not a real jar");
const DOCKER_IMAGE = "docker:index/image:Image";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SECRET = "kubernetes:core/v1:Secret";
const REGISTRY = "harbor.59iedu.com";
const DIGEST = `sha256:${"c0".repeat(32)}`;
const PASSWORD = "s3cret-Harbor-pw";
const COLLECTOR = "pinpoint-collector.pinpoint";

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-agent-image-test-"));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
const fresh = (label: string) => path.join(tmp, `${label}-${++counter}`);

/** Every file under dir, relative, with its mode and mtime. */
function tree(dir: string): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = fs.statSync(path.join(dir, r));
      out.push([r, (st.mode & 0o777).toString(8), st.mtimeMs]);
      if (e.isDirectory()) walk(r);
    }
  };
  walk("");
  return out;
}

describe("agent image build context", () => {
  const expectedFiles = [
    `boot/pinpoint-commons-${VERSION}.jar`,
    `lib/pinpoint-profiler-${VERSION}.jar`,
    `pinpoint-bootstrap-${VERSION}.jar`,
    "pinpoint-bootstrap.jar",
    "pinpoint-root.config",
    `plugin/pinpoint-tomcat-plugin-${VERSION}.jar`,
    "profiles/local/pinpoint.config",
    "profiles/release/pinpoint.config",
  ];
  const layouts: Array<{ layout: Layout; what: string }> = [
    { layout: "official", what: "the official pinpoint-agent-<ver>.tar.gz (top folder, versioned and unversioned jar)" },
    { layout: "official-versioned-only", what: "an official archive with only the versioned jar (the unversioned copy is made)" },
    { layout: "flat", what: "a flat pp_agent.tgz like the seed's" },
    { layout: "folder", what: "an unpacked folder" },
  ];
  for (const { layout, what } of layouts) {
    it(`normalises ${what}`, () => {
      const source = makeAgent(fresh("src"), layout, { version: VERSION, jar: JAR });
      const contextDir = fresh("ctx");
      const ctx = prepareBuildContext({ source, contextDir });
      assert.deepStrictEqual(ctx.files, expectedFiles);
      assert.strictEqual(ctx.agentVersion, VERSION, "read from the bootstrap jar name");
      assert.match(ctx.tag, new RegExp(`^${VERSION.replace(/\./g, "\\.")}-[0-9a-f]{12}$`));
      assert.strictEqual(ctx.dockerfile, path.join(contextDir, "Dockerfile"));
      const dockerfile = fs.readFileSync(ctx.dockerfile, "utf8");
      assert.match(dockerfile, /^FROM busybox$/m);
      assert.match(dockerfile, /^COPY pp_agent\/ \/var\/lib\/pp_agent\/$/m);
      assert.deepStrictEqual(fs.readFileSync(path.join(contextDir, "pp_agent", "pinpoint-bootstrap.jar")), JAR);
      // The mount point of the logs emptyDir when the image is an image volume (read-only, so it must exist).
      assert.deepStrictEqual(fs.readdirSync(path.join(contextDir, "pp_agent", "logs")), []);
      for (const [rel, mode] of tree(path.join(contextDir, "pp_agent"))) {
        const isDir = fs.statSync(path.join(contextDir, "pp_agent", rel)).isDirectory();
        assert.strictEqual(mode, isDir ? "755" : "644", `${rel} must be world-readable`);
      }
    });
  }

  it("gives the same bytes, modes, mtimes and tag for the same agent, whatever the archive's own timestamps", () => {
    const a = prepareBuildContext({ source: makeAgent(fresh("a"), "official", { version: VERSION, jar: JAR }, new Date("2021-01-01")), contextDir: fresh("ctx") });
    const b = prepareBuildContext({ source: makeAgent(fresh("b"), "official", { version: VERSION, jar: JAR }, new Date("2024-06-30")), contextDir: fresh("ctx") });
    assert.strictEqual(a.contentHash, b.contentHash);
    assert.strictEqual(a.tag, b.tag);
    assert.deepStrictEqual(tree(a.contextDir), tree(b.contextDir));
    for (const [rel] of tree(a.contextDir)) {
      if (fs.statSync(path.join(a.contextDir, rel)).isFile()) {
        assert.deepStrictEqual(fs.readFileSync(path.join(a.contextDir, rel)), fs.readFileSync(path.join(b.contextDir, rel)), rel);
      }
    }
    // Preparing again into the same folder changes nothing either.
    const again = prepareBuildContext({ source: makeAgent(fresh("c"), "flat", { version: VERSION, jar: JAR }), contextDir: a.contextDir });
    assert.strictEqual(again.contentHash, a.contentHash);
  });

  it("changes the tag when the agent changes, and when the base image does", () => {
    const base = prepareBuildContext({ source: makeAgent(fresh("s"), "official", { version: VERSION, jar: JAR }), contextDir: fresh("ctx") });
    const otherJar = prepareBuildContext({
      source: makeAgent(fresh("s"), "official", { version: VERSION, jar: Buffer.from("another agent build") }),
      contextDir: fresh("ctx"),
    });
    const proxied = prepareBuildContext({
      source: makeAgent(fresh("s"), "official", { version: VERSION, jar: JAR }),
      contextDir: fresh("ctx"),
      baseImage: `${REGISTRY}/dockerhub/library/busybox:1.36`,
    });
    assert.notStrictEqual(otherJar.tag, base.tag);
    assert.notStrictEqual(proxied.tag, base.tag);
    assert.match(fs.readFileSync(proxied.dockerfile, "utf8"), /^FROM harbor\.59iedu\.com\/dockerhub\/library\/busybox:1\.36$/m);
  });

  const errors: Array<{ name: string; source: () => string; agentVersion?: string; message: RegExp }> = [
    { name: "a missing archive", source: () => path.join(tmp, "nope", "pinpoint-agent-3.0.1.tar.gz"), message: /does not exist: download pinpoint-agent-<version>\.tar\.gz from https:\/\/github\.com\/pinpoint-apm\/pinpoint\/releases/ },
    {
      name: "an unreadable (corrupt) archive",
      source: () => {
        const p = path.join(fresh("bad"), "pinpoint-agent-3.0.1.tar.gz");
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, "this is not gzip");
        return p;
      },
      message: /cannot be read/,
    },
    {
      name: "a file that is no archive",
      source: () => {
        const p = path.join(fresh("zip"), "pinpoint-agent.zip");
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, "zip");
        return p;
      },
      message: /is not a \.tar\.gz, \.tgz or \.tar file/,
    },
    {
      name: "an archive without a pinpoint-bootstrap*.jar",
      source: () => {
        const dir = fresh("nojar");
        fs.mkdirSync(path.join(dir, "pinpoint-agent-3.0.1"), { recursive: true });
        fs.writeFileSync(path.join(dir, "pinpoint-agent-3.0.1", "pinpoint-root.config"), "x");
        return dir;
      },
      message: /holds no pinpoint-bootstrap\*\.jar/,
    },
    {
      name: "an agentVersion that is not the archive's",
      source: () => makeAgent(fresh("v"), "official", { version: VERSION, jar: JAR }),
      agentVersion: "3.0.1",
      message: /agentVersion is 3\.0\.1 but .* holds the agent 2\.5\.4/,
    },
  ];
  for (const e of errors) {
    it(`refuses ${e.name}`, () => {
      assert.throws(() => prepareBuildContext({ source: e.source(), contextDir: fresh("ctx"), agentVersion: e.agentVersion }), e.message);
    });
  }
});

describe("image references", () => {
  const cases: Array<[string, string]> = [
    [`${REGISTRY}/fjhb/pp_agent@${DIGEST}`, `${REGISTRY}/fjhb/pp_agent@${DIGEST}`],
    [`fjhb/pp_agent@${DIGEST}`, `${REGISTRY}/fjhb/pp_agent@${DIGEST}`],
    [DIGEST, `${REGISTRY}/fjhb/pp_agent@${DIGEST}`],
  ];
  for (const [repoDigest, expected] of cases) {
    it(`pins ${repoDigest.slice(0, 40)}… to the configured registry and repository`, () => {
      assert.strictEqual(pinnedReference(REGISTRY, "fjhb/pp_agent", repoDigest), expected);
    });
  }
  it("refuses a repoDigest without a digest", () => assert.throws(() => pinnedReference(REGISTRY, "fjhb/pp_agent", "fjhb/pp_agent:latest"), /no sha256 digest/));
  it("knows which registries need credentials", () => {
    assert.deepStrictEqual(
      ["localhost:5000", "127.0.0.1:41234", REGISTRY, "registry.example.com:5000"].map(needsCredentials),
      [false, false, true, true],
    );
  });
  it("reads tags and registries of references", () => {
    assert.strictEqual(tagOf(`${REGISTRY}:443/fjhb/pp_agent:2.5.4-abc`), "2.5.4-abc");
    assert.strictEqual(tagOf(`${REGISTRY}/fjhb/pp_agent@${DIGEST}`), undefined);
    assert.strictEqual(registryOf(`${REGISTRY}/fjhb/pp_agent@${DIGEST}`), REGISTRY);
    assert.strictEqual(registryOf("busybox:1.36"), undefined);
  });
  it("writes a .dockerconfigjson Kubernetes and Docker read", () => {
    const json = JSON.parse(dockerConfigJson(REGISTRY, "robot$ci", PASSWORD));
    assert.deepStrictEqual(json.auths[REGISTRY].auth, Buffer.from(`robot$ci:${PASSWORD}`).toString("base64"));
  });
});

/** The mocked docker.Image reports a repoDigest as the Docker provider does after a push. */
const pushed = (type: string, _name: string, inputs: Record<string, any>) =>
  type === DOCKER_IMAGE ? { repoDigest: `${String(inputs.imageName).replace(/:[^:/]+$/, "")}@${DIGEST}` } : undefined;

function buildConfig(archive: string, extra: Record<string, string> = {}): Record<string, string> {
  return { agentArchive: archive, registry: REGISTRY, registryUsername: "robot$ci", registryPassword: PASSWORD, ...extra };
}

/** The SDK's wire form of a secret; the mock runtime lifts a secret field to its enclosing object. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
function secretValue(v: any): { secret: boolean; value: any } {
  return v && typeof v === "object" && v[SECRET_SIG_KEY] === SECRET_SIG ? { secret: true, value: v.value } : { secret: false, value: v };
}

/** Runs in a fresh program folder: the default build context is written relative to it. */
async function inFolder<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  fs.mkdirSync(dir, { recursive: true });
  process.chdir(dir);
  try {
    return await f();
  } finally {
    process.chdir(cwd);
  }
}

/** Fails with every error the program hit. */
function ok(run: ProgramRun): void {
  assert.deepStrictEqual(run.errors, []);
}

describe("AgentImage under the mock runtime", () => {
  it("builds the prepared context and pushes it with the credentials, the password a secret", async () => {
    const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
    const contextDir = fresh("ctx");
    const run = await runProgram(
      () => {
        const img = new AgentImage("pp", { contextDir });
        return { imageRef: img.imageRef, tag: img.tag, contextDir: img.contextDir };
      },
      { config: buildConfig(archive), secretKeys: ["registryPassword"], state: pushed },
    );
    ok(run);
    const [image] = ofType(run, DOCKER_IMAGE);
    assert.ok(image, "a docker.Image is registered");
    assert.strictEqual(image.name, "pp-image");
    const tag = run.outputs.tag as string;
    assert.match(tag, /^2\.5\.4-[0-9a-f]{12}$/);
    assert.strictEqual(image.inputs.imageName, `${REGISTRY}/fjhb/pp_agent:${tag}`);
    assert.deepStrictEqual(image.inputs.build, { context: contextDir, dockerfile: path.join(contextDir, "Dockerfile") });
    const registry = secretValue(image.inputs.registry);
    assert.ok(registry.secret, "the registry credentials must reach the engine as a secret");
    assert.deepStrictEqual(registry.value, { server: REGISTRY, username: "robot$ci", password: PASSWORD });
    assert.strictEqual(run.outputs.imageRef, `${REGISTRY}/fjhb/pp_agent@${DIGEST}`);
    assert.strictEqual(run.outputs.contextDir, contextDir);
    // The password is never written into the build context.
    for (const [rel] of tree(contextDir)) {
      const p = path.join(contextDir, rel);
      if (fs.statSync(p).isFile()) assert.ok(!fs.readFileSync(p).includes(PASSWORD), `${rel} holds the password`);
    }
  });

  it("takes an existing image reference and builds nothing", async () => {
    const ref = `${REGISTRY}/fjhb/pp_agent:2.5.4@${DIGEST}`;
    const run = await runProgram(() => {
      const img = new AgentImage("pp", { image: ref });
      return { imageRef: img.imageRef, tag: img.tag };
    });
    ok(run);
    assert.deepStrictEqual(ofType(run, DOCKER_IMAGE), []);
    assert.deepStrictEqual(run.outputs, { imageRef: ref, tag: "2.5.4" });
  });

  it("pushes to a loopback registry without credentials", async () => {
    const archive = makeAgent(fresh("src"), "flat", { version: VERSION, jar: JAR });
    const run = await runProgram(() => new AgentImage("pp", { contextDir: fresh("ctx"), registry: "127.0.0.1:5000" }), {
      config: { agentArchive: archive },
      state: pushed,
    });
    ok(run);
    assert.deepStrictEqual(ofType(run, DOCKER_IMAGE)[0].inputs.registry, { server: "127.0.0.1:5000" });
  });

  const bad: Array<{ name: string; config: (archive: string) => Record<string, string>; args?: Record<string, string>; message: RegExp }> = [
    {
      name: "a registry that needs credentials, without them",
      config: (a) => ({ agentArchive: a, registry: REGISTRY }),
      message: /pinpoint:registryUsername is not set, and registry harbor\.59iedu\.com needs credentials to push; set them with `pulumi config set pinpoint:registryUsername <user>` and `pulumi config set --secret pinpoint:registryPassword <password>`/,
    },
    {
      name: "a username without a password",
      config: (a) => ({ agentArchive: a, registry: REGISTRY, registryUsername: "robot$ci" }),
      message: /pinpoint:registryPassword is not set, though the other registry credential is/,
    },
    { name: "no registry", config: (a) => ({ agentArchive: a }), message: /pinpoint:registry is not set/ },
    { name: "a registry with a scheme", config: (a) => buildConfig(a, { registry: "https://harbor.59iedu.com" }), message: /without the scheme/ },
    { name: "a bad repository", config: (a) => buildConfig(a, { imageRepository: "FJHB/PP Agent" }), message: /pinpoint:imageRepository is "FJHB\/PP Agent"/ },
    { name: "no archive and no image", config: () => ({ registry: REGISTRY }), message: /pinpoint:agentArchive is not set, and no agent image is given/ },
    { name: "a missing archive", config: () => buildConfig("/nowhere/pinpoint-agent-3.0.1.tar.gz"), message: /pinpoint:agentArchive is unusable: agent archive \/nowhere\/pinpoint-agent-3\.0\.1\.tar\.gz does not exist/ },
    {
      name: "both an image reference and an archive",
      config: (a) => buildConfig(a),
      args: { image: `${REGISTRY}/fjhb/pp_agent@${DIGEST}` },
      message: /pinpoint:agentArchive and agentImage are both set; give one/,
    },
  ];
  for (const b of bad) {
    it(`fails at preview on ${b.name}`, async () => {
      const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
      const run = await runProgram(() => new AgentImage("pp", { contextDir: fresh("ctx"), ...(b.args ?? {}) }), {
        config: b.config(archive),
        preview: true,
      });
      assert.strictEqual(run.errors.length, 1, `one error, got: ${run.errors.join(" | ")}`);
      assert.match(run.errors[0], b.message);
      assert.deepStrictEqual(ofType(run, DOCKER_IMAGE), []);
    });
  }
});

describe("PinpointApm with the agent image", () => {
  const program = (extra: () => void = () => undefined) => () => {
    new PinpointApm("pinpoint");
    const seed = fixture("seed-deployment.yaml");
    new k8s.apps.v1.Deployment("tomcat-zffw", { metadata: seed.metadata, spec: seed.spec });
    new k8s.apps.v1.Deployment("billing", {
      metadata: { name: "billing", namespace: "test" },
      spec: {
        selector: { matchLabels: { app: "billing" } },
        template: { metadata: { labels: { app: "billing" } }, spec: { containers: [{ name: "billing", image: `${REGISTRY}/test/billing:1.0`, command: ["java", "-jar", "/app/billing.jar"] }] } },
      },
    });
    extra();
  };
  const init = (r: { inputs: any }) => r.inputs.spec.template.spec.initContainers.find((c: any) => c.name === "init-pinpoint");

  it("builds from pinpoint:agentArchive, injects the digest-pinned reference, and makes the Deployments wait for the push", async () => {
    const work = fresh("project");
    const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
    const run = await inFolder(work, () =>
      runProgram(program(), {
        config: { enabled: "true", collectorHost: COLLECTOR, ...buildConfig(archive) },
        secretKeys: ["registryPassword"],
        state: pushed,
      }),
    );
    ok(run);
    const [image] = ofType(run, DOCKER_IMAGE);
    assert.strictEqual(image.name, "pinpoint-agent-image");
    assert.strictEqual(image.inputs.build.context, path.join(".pinpoint", "agent-image", "pinpoint-agent"));
    assert.ok(fs.existsSync(path.join(work, ".pinpoint", "agent-image", "pinpoint-agent", "pp_agent", "pinpoint-bootstrap.jar")));

    const deployments = ofType(run, DEPLOYMENT);
    assert.strictEqual(deployments.length, 2);
    const secrets = ofType(run, SECRET);
    assert.deepStrictEqual(secrets.map((s) => s.name).sort(), ["pinpoint-pull-dev", "pinpoint-pull-test"]);
    for (const d of deployments) {
      assert.strictEqual(init(d).image, `${REGISTRY}/fjhb/pp_agent@${DIGEST}`);
      assert.strictEqual(init(d).imagePullPolicy, "IfNotPresent");
      assert.ok(d.dependsOn.includes("pinpoint-agent-image"), `${d.name} depends on ${d.dependsOn}`);
      assert.ok(d.dependsOn.includes(`pinpoint-pull-${d.inputs.metadata.namespace}`), `${d.name} depends on ${d.dependsOn}`);
      assert.deepStrictEqual(d.inputs.spec.template.spec.imagePullSecrets, [{ name: "pp-agent-pull" }]);
      validateObject({ apiVersion: "apps/v1", kind: "Deployment", ...d.inputs });
    }
    for (const s of secrets) {
      assert.strictEqual(s.inputs.metadata.name, "pp-agent-pull");
      assert.strictEqual(s.inputs.type, "kubernetes.io/dockerconfigjson");
      const stringData = secretValue(s.inputs.stringData);
      assert.ok(stringData.secret, "the pull Secret's data must be a secret");
      const auths = JSON.parse(stringData.value[".dockerconfigjson"]).auths;
      assert.deepStrictEqual(Object.keys(auths), [REGISTRY]);
      assert.strictEqual(auths[REGISTRY].password, PASSWORD);
      validateObject({ apiVersion: "v1", kind: "Secret", ...s.inputs, stringData: stringData.value } as { apiVersion: string; kind: string });
    }
  });

  it("keeps the user's own imagePullSecret and makes no Secret of its own", async () => {
    const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
    const run = await inFolder(fresh("project"), () =>
      runProgram(program(), { config: { enabled: "true", collectorHost: COLLECTOR, imagePullSecret: "harbor-robot", ...buildConfig(archive) }, state: pushed }),
    );
    ok(run);
    assert.deepStrictEqual(ofType(run, SECRET), []);
    for (const d of ofType(run, DEPLOYMENT)) assert.deepStrictEqual(d.inputs.spec.template.spec.imagePullSecrets, [{ name: "harbor-robot" }]);
  });

  it("with an existing agentImage and credentials: no build, pull Secrets for the image's registry", async () => {
    const ref = `${REGISTRY}/fjhb/pp_agent@${DIGEST}`;
    const run = await runProgram(program(), {
      config: { enabled: "true", collectorHost: COLLECTOR, agentImage: ref, registryUsername: "robot$ci", registryPassword: PASSWORD },
    });
    ok(run);
    assert.deepStrictEqual(ofType(run, DOCKER_IMAGE), []);
    assert.strictEqual(ofType(run, SECRET).length, 2);
    for (const d of ofType(run, DEPLOYMENT)) {
      assert.strictEqual(init(d).image, ref);
      assert.ok(!d.dependsOn.includes("pinpoint-agent-image"));
    }
  });

  it("a pull Secret waits for what its workload waits for (the namespace it goes in)", async () => {
    const ref = `${REGISTRY}/fjhb/pp_agent@${DIGEST}`;
    const run = await runProgram(
      () => {
        new PinpointApm("pinpoint");
        const ns = new k8s.core.v1.Namespace("qa", { metadata: { name: "qa" } });
        new k8s.apps.v1.Deployment(
          "qa-app",
          {
            metadata: { name: "qa-app", namespace: "qa" },
            spec: {
              selector: { matchLabels: { app: "qa" } },
              template: { metadata: { labels: { app: "qa" } }, spec: { containers: [{ name: "qa", image: "qa:1", command: ["java", "-jar", "/app/qa.jar"] }] } },
            },
          },
          { dependsOn: [ns] },
        );
      },
      { config: { enabled: "true", collectorHost: COLLECTOR, agentImage: ref, registryUsername: "robot$ci", registryPassword: PASSWORD } },
    );
    ok(run);
    const [secret] = ofType(run, SECRET);
    assert.strictEqual(secret.name, "pinpoint-pull-qa");
    assert.ok(secret.dependsOn.includes("qa"), `the pull Secret depends on ${secret.dependsOn}`);
  });

  it("fails at preview when both pinpoint:agentImage and pinpoint:agentArchive are set", async () => {
    const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
    const run = await runProgram(program(), {
      config: { enabled: "true", agentImage: `${REGISTRY}/fjhb/pp_agent@${DIGEST}`, ...buildConfig(archive) },
      preview: true,
    });
    assert.ok(run.errors.some((e) => /pinpoint:agentArchive and agentImage are both set/.test(e)), run.errors.join(" | "));
    assert.deepStrictEqual(ofType(run, DOCKER_IMAGE), []);
  });

  it("names agentArchive in the error when instrumentation is on and there is no image", async () => {
    const run = await runProgram(program(), { config: { enabled: "true" }, preview: true });
    assert.ok(run.errors.some((e) => /pinpoint:agentImage is not set.*pinpoint:agentArchive/.test(e)), run.errors.join(" | "));
  });
});

/** What the program logged with pulumi.log.warn (under mocks the SDK writes it to console.warn). */
async function warningsOf<T>(f: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(" "));
  try {
    return { result: await f(), warnings };
  } finally {
    console.warn = original;
  }
}

describe("PinpointApm: the pods' pull credential and passwords in plain config", () => {
  const PULL_USER = "robot$fjhb+pull";
  const PULL_PASSWORD = "pull-only-secret";
  const program = () => {
    new PinpointApm("pinpoint");
    // Two names: the same name in two namespaces would be one Pinpoint service, which is warned about.
    for (const ns of ["dev", "test"]) {
      new k8s.apps.v1.Deployment(`app-${ns}`, {
        metadata: { name: `app-${ns}`, namespace: ns },
        spec: {
          selector: { matchLabels: { app: "app" } },
          template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image: "app:1", command: ["java", "-jar", "/app.jar"] }] } },
        },
      });
    }
  };
  const pullAuth = (run: ProgramRun) =>
    ofType(run, SECRET).map((s) => JSON.parse(secretValue(s.inputs.stringData).value[".dockerconfigjson"]).auths[REGISTRY]);
  const PUSH_WARNING = /pinpoint:registryUsername\) is copied into the pull Secret of every instrumented namespace.*pinpoint:registryPullUsername/;

  it("a pull-only account given: the pull Secrets hold it, never the push account, and nothing warns", async () => {
    const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
    const { result: run, warnings } = await warningsOf(() =>
      inFolder(fresh("project"), () =>
        runProgram(program, {
          config: { enabled: "true", collectorHost: COLLECTOR, ...buildConfig(archive, { registryPullUsername: PULL_USER, registryPullPassword: PULL_PASSWORD }) },
          secretKeys: ["registryPassword", "registryPullPassword"],
          state: pushed,
        }),
      ),
    );
    ok(run);
    const auths = pullAuth(run);
    assert.strictEqual(auths.length, 2);
    for (const a of auths) assert.deepStrictEqual({ username: a.username, password: a.password }, { username: PULL_USER, password: PULL_PASSWORD });
    assert.ok(!JSON.stringify(ofType(run, SECRET).map((s) => s.inputs)).includes(PASSWORD), "the push password reached a pull Secret");
    assert.deepStrictEqual(warnings, []);
  });

  it("no pull-only account while the image is built here: the push account is used, with one warning naming the keys", async () => {
    const archive = makeAgent(fresh("src"), "official", { version: VERSION, jar: JAR });
    const { result: run, warnings } = await warningsOf(() =>
      inFolder(fresh("project"), () =>
        runProgram(program, { config: { enabled: "true", collectorHost: COLLECTOR, ...buildConfig(archive) }, secretKeys: ["registryPassword"], state: pushed }),
      ),
    );
    ok(run);
    assert.deepStrictEqual(pullAuth(run).map((a) => a.username), ["robot$ci", "robot$ci"]);
    assert.strictEqual(warnings.filter((w) => PUSH_WARNING.test(w)).length, 1, warnings.join("\n"));
  });

  it("an existing image and one registry user: that user only pulls, no warning", async () => {
    const ref = `${REGISTRY}/fjhb/pp_agent@${DIGEST}`;
    const { result: run, warnings } = await warningsOf(() =>
      runProgram(program, {
        config: { enabled: "true", collectorHost: COLLECTOR, agentImage: ref, registryUsername: PULL_USER, registryPassword: PULL_PASSWORD },
        secretKeys: ["registryPassword"],
      }),
    );
    ok(run);
    assert.deepStrictEqual(pullAuth(run).map((a) => a.username), [PULL_USER, PULL_USER]);
    assert.deepStrictEqual(warnings, []);
  });

  for (const [given, missing] of [
    ["registryPullUsername", "registryPullPassword"],
    ["registryPullPassword", "registryPullUsername"],
  ]) {
    it(`fails at preview on ${given} without ${missing}, naming both keys`, async () => {
      const run = await runProgram(program, {
        config: { enabled: "true", collectorHost: COLLECTOR, agentImage: `${REGISTRY}/fjhb/pp_agent@${DIGEST}`, [given]: "x" },
        secretKeys: ["registryPullPassword"],
        preview: true,
      });
      const message = new RegExp(`pinpoint:${missing} is not set, though the other pull credential is; set both: .*pinpoint:registryPullUsername.*--secret pinpoint:registryPullPassword`);
      assert.ok(run.errors.some((e) => message.test(e)), run.errors.join(" | "));
    });
  }

  const plainRows: { name: string; config: Record<string, string>; secretKeys: string[]; warned: string[] }[] = [
    { name: "registry password in plain text", config: { registryPassword: PASSWORD, registryUsername: "robot$ci" }, secretKeys: [], warned: ["registryPassword"] },
    { name: "registry password as a secret", config: { registryPassword: PASSWORD, registryUsername: "robot$ci" }, secretKeys: ["registryPassword"], warned: [] },
    {
      name: "pull password and MySQL password in plain text",
      config: { registryPullUsername: PULL_USER, registryPullPassword: PULL_PASSWORD, mysqlPassword: "m" },
      secretKeys: [],
      warned: ["mysqlPassword", "registryPullPassword"],
    },
    { name: "no password at all", config: {}, secretKeys: [], warned: [] },
  ];
  for (const row of plainRows) {
    it(`warns about each password given as plain config: ${row.name}`, async () => {
      const { result: run, warnings } = await warningsOf(() =>
        runProgram(program, {
          config: { enabled: "true", collectorHost: COLLECTOR, agentImage: `${REGISTRY}/fjhb/pp_agent@${DIGEST}`, ...row.config },
          secretKeys: row.secretKeys,
          preview: true,
        }),
      );
      ok(run);
      const warned = warnings.map((w) => /pinpoint:(\w+) is set as plain text, so it is stored in clear in the stack file; make it a secret: `pulumi config set --secret pinpoint:\1 <value>`/.exec(w)?.[1]).filter(Boolean);
      assert.deepStrictEqual(warned, row.warned, warnings.join("\n"));
    });
  }
});
