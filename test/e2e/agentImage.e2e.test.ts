/**
 * The agent image end to end, with real parts (no Docker daemon, no cluster):
 * a docker-registry on 127.0.0.1, a busybox base image from busybox-static,
 * a real Java agent in the official archive layout, the build context
 * AgentImage prepares built with `buildah bud` and pushed, the registry's
 * digest checked against the pinned reference, the init container run as the
 * instrumented Deployment declares it, and `java` started with the app
 * container's env resolved as Kubernetes resolves it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Container } from "kubernetes-types/core/v1";
import { AgentImage, inject, INIT_CONTAINER_NAME, MOUNT_PATH } from "../../sdk";
import { ofType, runProgram } from "../harness/pulumiProgram";
import { makeAgent } from "./agentArchive";
import { Buildah } from "./buildah";
import { resolveEnv } from "./kubeEnv";
import { makeEmptyDir, runApp, runInitContainer } from "./pod";
import { manifestDigest, Registry, startRegistry } from "./registry";
import { BUSYBOX, missingPrerequisites, run } from "./tools";

const AGENT_VERSION = "3.0.1";
const REPOSITORY = "fjhb/pp_agent";
const COLLECTOR = "pinpoint-collector.pinpoint.svc";
const POD = { "status.podIP": "10.244.3.17", "metadata.name": "order-pay-6d8f7c9b5-k2x7q", "metadata.namespace": "dev" };
/** The app runs as a uid other than the init container's (65532), as app images do. */
const APP_UID = 1001;
const AGENT_SOURCES = path.join(__dirname, "agent");
const APP_MAIN = "e2e.App";

/** The app team's Deployment: a Tomcat-style app with JVM options of its own. */
function appDeployment(optionsEnv: string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "order-pay", namespace: "dev" },
    spec: {
      selector: { matchLabels: { app: "order-pay" } },
      template: {
        metadata: { labels: { app: "order-pay" } },
        spec: {
          containers: [
            {
              name: "order-pay",
              image: "harbor.59iedu.com/dev/order-pay:1.22.0",
              env: [
                { name: "JAVA_OPTS", value: "-Xmx64m -Duser.timezone=Asia/Shanghai" },
                { name: optionsEnv, value: "-Dapp.mode=dev" },
              ],
            },
          ],
        },
      },
    },
  };
}

describe("agent image end to end: buildah, docker-registry, busybox-static, java", function () {
  this.timeout(180000);
  let tmp: string;
  let registry: Registry | undefined;
  let buildah: Buildah;
  let baseImage: string;
  let archive: string;
  let agentJar: Buffer;
  let appClasses: string;
  let imageRef: string;
  const createdDirs: string[] = [];

  before(async function () {
    const missing = missingPrerequisites();
    if (missing.length > 0) {
      const message = `the end-to-end agent image test needs: ${missing.join("; ")}`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-agent-e2e-"));
    fs.chmodSync(tmp, 0o755); // the app's uid reads its classes from here
    registry = await startRegistry(path.join(tmp, "registry"));
    buildah = new Buildah(path.join(tmp, "buildah"));
    baseImage = buildah.busyboxBase(registry.host, BUSYBOX.path);

    // A real Java agent, packed as the official archive packs pinpoint-bootstrap.
    const classes = path.join(tmp, "classes");
    run("javac", ["-d", classes, path.join(AGENT_SOURCES, "RecordingAgent.java"), path.join(AGENT_SOURCES, "App.java")]);
    const jar = path.join(tmp, `pinpoint-bootstrap-${AGENT_VERSION}.jar`);
    run("jar", ["cfm", jar, path.join(AGENT_SOURCES, "MANIFEST.MF"), "-C", classes, "e2e/RecordingAgent.class"]);
    agentJar = fs.readFileSync(jar);
    appClasses = path.join(tmp, "app");
    fs.mkdirSync(path.join(appClasses, "e2e"), { recursive: true, mode: 0o755 });
    fs.copyFileSync(path.join(classes, "e2e", "App.class"), path.join(appClasses, "e2e", "App.class"));
    run("chmod", ["-R", "a+rX", appClasses]);
    archive = makeAgent(path.join(tmp, "archive"), "official-versioned-only", { version: AGENT_VERSION, jar: agentJar });

    // The app's JVM sees the emptyDir at the mount path, as in the pod: a mount point on this machine.
    for (const dir of [path.dirname(MOUNT_PATH), MOUNT_PATH]) {
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir);
        createdDirs.unshift(dir);
      }
    }
  });

  after(async () => {
    if (registry) await registry.stop();
    if (buildah) {
      try {
        buildah.run("rm", "--all");
      } catch {
        // nothing mounted
      }
    }
    for (const dir of createdDirs) fs.rmdirSync(dir);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("builds the context AgentImage prepares with buildah bud, pushes it, and the registry's digest is the pinned reference's", async () => {
    assert.ok(registry);
    const contextDir = path.join(tmp, "context");
    const program = () => {
      const image = new AgentImage("pp", { contextDir, registry: registry!.host, baseImage });
      return { imageRef: image.imageRef, tag: image.tag };
    };
    // Preview: the component prepares the context and declares the docker.Image; nothing is pushed yet.
    const preview = await runProgram(program, { config: { agentArchive: archive }, preview: true });
    assert.deepStrictEqual(preview.errors, []);
    const [declared] = ofType(preview, "docker:index/image:Image");
    const imageName = declared.inputs.imageName as string;
    const tag = imageName.slice(imageName.lastIndexOf(":") + 1);
    assert.match(tag, /^3\.0\.1-[0-9a-f]{12}$/);
    assert.strictEqual(imageName, `${registry.host}/${REPOSITORY}:${tag}`);

    // What the Docker provider would do on `up`: build the declared context and push the declared name.
    buildah.bud(declared.inputs.build.context, declared.inputs.build.dockerfile, imageName);
    const pushedDigest = buildah.push(imageName);
    const registryDigest = await manifestDigest(registry.host, REPOSITORY, tag);
    assert.strictEqual(pushedDigest, registryDigest);

    // `up`: the provider reports RepoDigests[0]; the component pins the reference with it.
    const repoDigest = `${imageName.replace(/:[^:/]+$/, "")}@${pushedDigest}`;
    const up = await runProgram(program, {
      config: { agentArchive: archive },
      state: (type) => (type === "docker:index/image:Image" ? { repoDigest } : undefined),
    });
    assert.deepStrictEqual(up.errors, []);
    assert.strictEqual(up.outputs.tag, tag, "the same agent gives the same context and tag");
    imageRef = up.outputs.imageRef;
    assert.strictEqual(imageRef, `${registry.host}/${REPOSITORY}@${registryDigest}`);
  });

  it("holds the agent directly under /var/lib/pp_agent, pinpoint-bootstrap.jar at the top, world-readable", () => {
    assert.ok(imageRef, "needs the pushed image");
    const { container, rootfs } = buildah.mountImage(imageRef);
    try {
      const home = path.join(rootfs, "var", "lib", "pp_agent");
      assert.deepStrictEqual(fs.readFileSync(path.join(home, "pinpoint-bootstrap.jar")), agentJar);
      assert.ok(fs.existsSync(path.join(home, `pinpoint-bootstrap-${AGENT_VERSION}.jar`)));
      assert.ok(fs.existsSync(path.join(home, "profiles", "release", "pinpoint.config")));
      assert.strictEqual(fs.statSync(path.join(home, "pinpoint-bootstrap.jar")).mode & 0o777, 0o644);
      assert.strictEqual(fs.statSync(path.join(home, "profiles")).mode & 0o777, 0o755);
    } finally {
      buildah.run("rm", container);
    }
  });

  for (const optionsEnv of ["CATALINA_OPTS", "JAVA_TOOL_OPTIONS"]) {
    it(`runs the init container as the Deployment declares it, then java with ${optionsEnv}, as another uid`, () => {
      assert.ok(imageRef, "needs the pushed image");
      const result = inject(appDeployment(optionsEnv), { image: imageRef, applicationNamePrefix: "dev-", collectorHost: COLLECTOR, optionsEnv });
      assert.ok(result.injected);
      const spec = result.workload.spec!.template.spec!;
      const init = spec.initContainers!.find((c) => c.name === INIT_CONTAINER_NAME) as Container;
      assert.strictEqual(init.image, imageRef, "the init container pulls the pinned reference");
      const app = spec.containers[0];
      const mountPath = app.volumeMounts!.find((m) => m.name === init.volumeMounts![0].name)!.mountPath;
      assert.strictEqual(mountPath, init.volumeMounts![0].mountPath);

      // Init container: pulled by digest, chrooted, read-only root, its non-root uid, the emptyDir mounted.
      const emptyDir = makeEmptyDir(tmp, `empty-${optionsEnv}`);
      const { container, rootfs } = buildah.mountImage(imageRef);
      try {
        runInitContainer(init, rootfs, buildah.imageConfig(imageRef).Env ?? [], emptyDir);
      } finally {
        buildah.run("rm", container);
      }
      const copied = path.join(emptyDir, "pinpoint-bootstrap.jar");
      assert.deepStrictEqual(fs.readFileSync(copied), agentJar);
      assert.strictEqual(fs.statSync(copied).uid, init.securityContext!.runAsUser, "copied by the init container's uid");
      assert.strictEqual(fs.statSync(path.join(emptyDir, "logs")).mode & 0o7777, 0o1777);

      // App container: its env as the kubelet builds it, the JVM started as catalina.sh or a plain JVM does.
      const env = resolveEnv(app.env, POD);
      const command =
        optionsEnv === "CATALINA_OPTS"
          ? // catalina.sh: eval exec "\"$_RUNJAVA\"" ... "$JAVA_OPTS" "$CATALINA_OPTS" ...: word-split and eval'd.
            ["sh", "-c", `eval exec java "$JAVA_OPTS" "$CATALINA_OPTS" -cp ${appClasses} ${APP_MAIN}`]
          : ["java", "-cp", appClasses, APP_MAIN];
      const out = runApp(command, env, emptyDir, mountPath, APP_UID);
      assert.match(out.stdout, /app started/);

      const recordFile = path.join(emptyDir, "logs", "record.properties");
      assert.strictEqual(fs.statSync(recordFile).uid, APP_UID, "the agent wrote under its own folder as the app's uid");
      const record = readProperties(recordFile);
      assert.deepStrictEqual(
        {
          agentJar: record["agent.jar"],
          agentId: record["pinpoint.agentId"],
          applicationName: record["pinpoint.applicationName"],
          agentName: record["pinpoint.agentName"],
          collector: record["profiler.transport.grpc.collector.ip"],
          appMode: record["app.mode"],
        },
        {
          agentJar: `${MOUNT_PATH}/pinpoint-bootstrap.jar`,
          agentId: POD["status.podIP"],
          applicationName: "dev-order-pay",
          agentName: POD["metadata.name"],
          collector: COLLECTOR,
          appMode: "dev",
        },
      );
    });
  }
});

/** A java.util.Properties file of plain keys and values (no escapes beyond \: and \=). */
function readProperties(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("#") || !line.includes("=")) continue;
    const i = line.indexOf("=");
    out[line.slice(0, i).replace(/\\(.)/g, "$1")] = line.slice(i + 1).replace(/\\(.)/g, "$1");
  }
  return out;
}
