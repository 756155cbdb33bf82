/**
 * agentDelivery imageVolume with the real Pinpoint agent (3.0.1, the release
 * this machine's Maven mirror serves): the pod rendered by the core is played
 * without a kubelet. The image volume is the pp_agent image's file system (the
 * folder AgentImage's build context COPYs to /var/lib/pp_agent, which is what
 * the image's layer unpacks to) bind-mounted read-only at the volume's mount
 * path, the logs emptyDir a fresh 0777 folder mounted inside it, and the JVM
 * runs as a non-root uid with the env the kubelet would build. The agent must
 * start from the read-only folder and write its logs into the emptyDir only.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Container, PodSpec, Volume } from "kubernetes-types/core/v1";
import { AGENT_SOURCE_DIR, inject, prepareBuildContext } from "../../sdk";
import { resolveEnv } from "./kubeEnv";
import { makeEmptyDir } from "./pod";
import { exec, run } from "./tools";
import { fixture } from "../support/validate";
import { resolveArtifacts } from "./pinpoint/artifacts";

/** The released agent archive, resolved from the version pinned in pinpoint/maven/pom.xml; PINPOINT_AGENT_ARCHIVE overrides. */
let ARCHIVE: string;
const POD = { "status.podIP": "10.244.3.17", "metadata.name": "tomcat-zffw-6d8f7c9b5-k2x7q", "metadata.namespace": "dev" };
const APP_UID = 1001;
const APP_MAIN = "e2e.App";
/** The app's JVM flags go through JAVA_TOOL_OPTIONS: any JVM reads it, no shell in between. */
const OPTIONS_ENV = "JAVA_TOOL_OPTIONS";
/** No collector runs here: the agent starts, logs, and retries in the background. */
const COLLECTOR = "127.0.0.1";
const TOOLS = ["java", "javac", "unshare", "setpriv", "mount", "tar"];

/** What a mount is backed by on this machine: the image's file system or an emptyDir folder. */
interface Backing {
  source: string;
  readOnly: boolean;
}

/**
 * Runs `command` as the app container would: its mounts in declared order (a
 * parent before what is mounted inside it), read-only where the mount or the
 * volume says so, as `uid`, with exactly `env`. A tmpfs on /var inside the
 * private namespace gives the mount points without touching this machine's /var.
 */
function runContainer(c: Container, backing: Map<string, Backing>, env: Map<string, string>, command: string[]): { stdout: string; stderr: string; status: number } {
  const steps = ["set -e", "mount -t tmpfs tmpfs /var"];
  const args: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    const b = backing.get(m.name);
    if (!b) continue;
    if (!m.mountPath.startsWith("/var/")) throw new Error(`test: mount path ${m.mountPath} is outside the namespace's /var`);
    args.push(b.source, m.mountPath);
    const [s, p] = [`"$${args.length - 1}"`, `"$${args.length}"`];
    // A mount point inside a read-only image must already exist there: no mkdir on a read-only file system.
    steps.push(`[ -d ${p} ] || mkdir -p ${p}`, `mount --bind ${s} ${p}`);
    if (m.readOnly || b.readOnly) steps.push(`mount -o remount,bind,ro ${p}`);
  }
  steps.push(`shift ${args.length}`, `exec setpriv --reuid=${APP_UID} --regid=${APP_UID} --clear-groups -- "$@"`);
  const vars: NodeJS.ProcessEnv = { PATH: "/usr/local/bin:/usr/bin:/bin" };
  for (const [k, v] of env) vars[k] = v;
  try {
    const out = exec("unshare", ["--mount", "--propagation", "private", "sh", "-c", steps.join("\n"), "pod", ...args, ...command], { env: vars, cwd: "/" });
    return { ...out, status: 0 };
  } catch (e) {
    return { stdout: "", stderr: (e as Error).message, status: 1 };
  }
}

/** The seed's own Deployment rendered with the image volume; its other volumes (ConfigMap, hostPath, PVC) are not played here. */
function renderSeed(quickStart: boolean): PodSpec {
  const r = inject(fixture("seed-deployment.yaml"), {
    image: "harbor.59iedu.com/fjhb/pp_agent:3.0.1",
    applicationNamePrefix: "dev-",
    collectorHost: COLLECTOR,
    optionsEnv: OPTIONS_ENV,
    agentDelivery: "imageVolume",
    quickStart,
  });
  assert.ok(r.injected);
  return (r.workload as any).spec.template.spec;
}

/** Every path under dir with its size and mtime: to show nothing was written there. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe("agentDelivery imageVolume end to end: the real Pinpoint agent from a read-only image", function () {
  this.timeout(180000);
  let tmp: string;
  let rootfs: string;
  let appClasses: string;
  let spec: PodSpec;
  let app: Container;

  before(function () {
    const missing = TOOLS.filter((t) => run("sh", ["-c", `command -v ${t} || true`]).trim() === "");
    if (process.getuid?.() !== 0) missing.push("root (for the bind mounts)");
    if (missing.length > 0) {
      const message = `the image volume end-to-end test needs: ${missing.join(", ")} (apt-get install openjdk-17-jdk-headless util-linux mount)`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    ARCHIVE = process.env.PINPOINT_AGENT_ARCHIVE ?? resolveArtifacts().agentArchive;
    if (!fs.existsSync(ARCHIVE)) {
      // The archive comes from Maven Central (com.navercorp.pinpoint:pinpoint-agent:3.0.1:tar.gz); .ci/run fetches it.
      const message = `no agent archive at ${ARCHIVE}; run the mvn step of .ci/run or set PINPOINT_AGENT_ARCHIVE`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-imagevolume-e2e-"));
    fs.chmodSync(tmp, 0o755);

    // The image's file system: what AgentImage's Dockerfile COPYs, at the same path.
    const ctx = prepareBuildContext({ source: ARCHIVE, contextDir: path.join(tmp, "context") });
    rootfs = path.join(tmp, "rootfs");
    fs.mkdirSync(path.dirname(path.join(rootfs, AGENT_SOURCE_DIR)), { recursive: true, mode: 0o755 });
    fs.renameSync(path.join(ctx.contextDir, "pp_agent"), path.join(rootfs, AGENT_SOURCE_DIR));
    run("chmod", ["-R", "a+rX", rootfs]);

    const classes = path.join(tmp, "classes");
    run("javac", ["-d", classes, path.join(__dirname, "agent", "App.java")]);
    appClasses = classes;
    run("chmod", ["-R", "a+rX", classes]);

    spec = renderSeed(false);
    app = spec.containers[0];
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The pod's volumes backed by folders here: the image volume by the image's file system, each emptyDir by a fresh folder. */
  function backings(): { backing: Map<string, Backing>; emptyDirs: Map<string, string> } {
    const backing = new Map<string, Backing>();
    const emptyDirs = new Map<string, string>();
    for (const v of spec.volumes as Array<Volume & { image?: unknown }>) {
      if (v.image) backing.set(v.name, { source: rootfs, readOnly: true }); // image volumes are always read-only
      else if (v.emptyDir) {
        const dir = makeEmptyDir(fs.mkdtempSync(path.join(tmp, "pod-")), v.name);
        backing.set(v.name, { source: dir, readOnly: false });
        emptyDirs.set(v.name, dir);
      }
    }
    return { backing, emptyDirs };
  }

  it("starts the agent from the read-only image and logs into the logs emptyDir only", () => {
    assert.strictEqual(spec.initContainers, undefined, "no init container");
    const { backing, emptyDirs } = backings();
    const before = snapshot(rootfs);
    const out = runContainer(app, backing, resolveEnv(app.env, POD), ["java", "-cp", appClasses, APP_MAIN]);
    assert.strictEqual(out.status, 0, out.stderr);
    const all = `${out.stdout}\n${out.stderr}`;
    assert.match(all, /app started/);
    assert.match(all, /pinpoint agent started normally/);
    assert.match(all, /logPath:\/var\/init\/pinpoint-image\/var\/lib\/pp_agent\/logs\b/);
    assert.doesNotMatch(all, /Unable to create file|Could not create directory/);

    const logs = path.join(emptyDirs.get("pp-agent-logs")!, POD["status.podIP"]);
    const log = path.join(logs, "pinpoint.log");
    assert.ok(fs.statSync(log).size > 0, "the agent wrote its log");
    assert.strictEqual(fs.statSync(log).uid, APP_UID, "as the app's uid");
    assert.match(fs.readFileSync(log, "utf8"), /dev-tomcat-zffw/, "the applicationName from the flags");
    assert.deepStrictEqual(snapshot(rootfs), before, "nothing written into the image");
  });

  it("with quickStart the JVM compiles with C1 only (-XX:TieredStopAtLevel=1 from the options variable), and the agent still starts", () => {
    const quick = renderSeed(true).containers[0];
    const { backing } = backings();
    // PrintFlagsFinal shows each flag's value and where it came from: the options variable is "environment".
    const out = runContainer(quick, backing, resolveEnv(quick.env, POD), ["java", "-XX:+PrintFlagsFinal", "-cp", appClasses, APP_MAIN]);
    assert.strictEqual(out.status, 0, out.stderr);
    const all = `${out.stdout}\n${out.stderr}`;
    assert.match(all, /^\s*intx TieredStopAtLevel\s+= 1\s.*\{environment\}/m);
    assert.match(all, /pinpoint agent started normally/);
    assert.match(all, /app started/);
  });

  it("without the logs emptyDir the agent cannot write its logs (why the emptyDir is there)", () => {
    const { backing } = backings();
    backing.delete("pp-agent-logs");
    const out = runContainer(app, backing, resolveEnv(app.env, POD), ["java", "-cp", appClasses, APP_MAIN]);
    assert.strictEqual(out.status, 0, out.stderr);
    assert.match(`${out.stdout}\n${out.stderr}`, /Could not create directory \/var\/init\/pinpoint-image\/var\/lib\/pp_agent\/logs\/10\.244\.3\.17/);
  });
});
