/**
 * pinpoint-inject on manifests that do not announce their JVMs (issue 19), as
 * a user runs it: the compiled command, fixtures in, standard output and
 * error and exit status checked. envFrom sources looked up in the same input,
 * one workload never failing the whole output without --strict, the
 * unknownContainers and onValueFrom policies, image configs from files
 * (docker inspect, crane/skopeo config, an OCI layout), per-workload
 * --containers, applicationName clashes.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { compiled } from "./support/compiled";

const ROOT = path.join(__dirname, "..");
const RECALL = path.join(__dirname, "fixtures", "recall");
const CLI_FIXTURES = path.join(__dirname, "fixtures", "cli");
const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
let cli: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, "--image", IMAGE, ...args], { encoding: "utf8", cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run): Run {
  assert.strictEqual(r.status, 0, `exit ${r.status}\n${r.stderr}`);
  return r;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const docs = (text: string): any[] => parseAllDocuments(text).map((d) => d.toJS());
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const byName = (out: any[], name: string) => out.find((o) => o.metadata?.name === name);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const envOf = (w: any, name: string): string | undefined => w.spec.template.spec.containers[0].env?.find((e: any) => e.name === name)?.value;

describe("pinpoint-inject: JVM recall", () => {
  let tmp: string;
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/inject.js");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-recall-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("envFrom: a ConfigMap in the input without the variable is no conflict; one with it is kept by $(VAR); a missing one skips that workload only", () => {
    const r = ok(run(["-f", path.join(RECALL, "bank.yaml")]));
    const out = docs(r.stdout);
    assert.strictEqual(out.length, 7);
    assert.match(envOf(byName(out, "balancereader"), "JAVA_TOOL_OPTIONS")!, /^-javaagent:/);
    assert.match(envOf(byName(out, "ledgerwriter"), "JAVA_TOOL_OPTIONS")!, /^\$\(JAVA_TOOL_OPTIONS\) -javaagent:/);
    // The source is not in the input: left as it was, with a warning naming the way out.
    assert.deepStrictEqual(byName(out, "transactionhistory"), docs(fs.readFileSync(path.join(RECALL, "bank.yaml"), "utf8"))[4]);
    assert.match(r.stderr, /warning: Deployment transactionhistory: container "transactionhistory" skipped: .*envFrom ConfigMap ledger-db-config is not in the input.*--strict/);
    // Positive evidence of no JVM: left alone whatever the policy.
    assert.strictEqual(byName(out, "frontend").spec.template.spec.containers[0].env, undefined);
    assert.match(r.stderr, /container front: not a JVM: command runs gunicorn/);
    assert.match(r.stderr, /container postgres: not a JVM: image postgres:16-alpine is a known non-JVM image/);
    assert.match(r.stderr, /container ledgerwriter: unknown: no JVM evidence in the manifest .*image config not read \(none asked for: --read-images or --image-config, or pinpoint:readImages\) → JAVA_TOOL_OPTIONS \(unknownContainers: instrument/);
  });

  it("--strict: the missing envFrom source fails the run, nothing written", () => {
    const r = run(["-f", path.join(RECALL, "bank.yaml"), "--strict"]);
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.stdout, "");
    assert.match(r.stderr, /error: .*Deployment transactionhistory: container "transactionhistory": .*envFrom ConfigMap ledger-db-config is not in the input/);
  });

  it("--unknown-containers skip: unknowns left alone, each report names the annotation, flag and key that would instrument it", () => {
    const r = ok(run(["-f", path.join(RECALL, "bank.yaml"), "--unknown-containers", "skip"]));
    assert.strictEqual(byName(docs(r.stdout), "ledgerwriter").spec.template.spec.containers[0].env, undefined);
    assert.match(r.stderr, /container ledgerwriter: unknown: .*not instrumented \(unknownContainers: skip\): to instrument it, annotate the workload pinpoint\.fjhb\.cn\/inject: "true", or .*--unknown-containers instrument/);
    // JVM_OPTS with a -XX: flag is evidence enough.
    assert.match(envOf(byName(docs(r.stdout), "balancereader"), "JAVA_TOOL_OPTIONS")!, /^-javaagent:/);
  });

  it("a workload the rules reject is written unchanged with a warning; the rest is instrumented (no --strict)", () => {
    const r = ok(run(["-f", path.join(CLI_FIXTURES, "errors", "value-from.yaml"), "-f", path.join(RECALL, "two-namespaces.yaml"), "--options-env", "CATALINA_OPTS"]));
    const out = docs(r.stdout);
    assert.deepStrictEqual(byName(out, "opts-from-secret"), docs(fs.readFileSync(path.join(CLI_FIXTURES, "errors", "value-from.yaml"), "utf8"))[1]);
    assert.match(r.stderr, /^failed +Deployment dev\/opts-from-secret/m);
    assert.match(r.stderr, /warning: Deployment dev\/opts-from-secret .* left unchanged: container "app" takes CATALINA_OPTS from valueFrom.*--on-value-from skip.*\(--strict makes this an error\)/);
    assert.match(envOf(out[2], "CATALINA_OPTS")!, /-javaagent:/);
  });

  it("--on-value-from skip: the container is skipped with a warning, no failure", () => {
    const r = ok(run(["-f", path.join(CLI_FIXTURES, "errors", "value-from.yaml"), "--options-env", "CATALINA_OPTS", "--on-value-from", "skip", "--strict"]));
    assert.match(r.stderr, /warning: Deployment dev\/opts-from-secret: container "app" skipped: container "app" takes CATALINA_OPTS from valueFrom/);
  });

  it("one applicationName for two workloads (orders in dev and qa): a warning naming both and the fix; --strict refuses", () => {
    const r = ok(run(["-f", path.join(RECALL, "two-namespaces.yaml")]));
    assert.match(r.stderr, /warning: applicationName orders is given to 2 workloads \(Deployment dev\/orders; Deployment qa\/orders\), which Pinpoint would show as one service: give each its own with the pinpoint\.fjhb\.cn\/application-name annotation, or .*--app-prefix/);
    const strict = run(["-f", path.join(RECALL, "two-namespaces.yaml"), "--strict"]);
    assert.strictEqual(strict.status, 1);
    assert.strictEqual(strict.stdout, "");
  });

  it("--containers deploy/keycloak=keycloak targets one workload of a multi-document file; the others keep detection", () => {
    const r = ok(run(["-f", path.join(RECALL, "keycloak.yaml"), "--containers", "deploy/keycloak=keycloak"]));
    const out = docs(r.stdout);
    // Keycloak is a packaged server: instrumented only because it was named.
    assert.match(envOf(byName(out, "keycloak"), "JAVA_TOOL_OPTIONS")!, /-javaagent:/);
    assert.match(envOf(byName(out, "cart"), "JAVA_TOOL_OPTIONS")!, /-javaagent:/);
    assert.strictEqual(byName(out, "cache").spec.template.spec.containers[0].env, undefined);
    // Without the flag the server is left alone, and says how to instrument it.
    const plain = ok(run(["-f", path.join(RECALL, "keycloak.yaml")]));
    assert.strictEqual(byName(docs(plain.stdout), "keycloak").spec.template.spec.containers[0].env, undefined);
    assert.match(plain.stderr, /container keycloak: a packaged JVM server: image quay\.io\/keycloak\/keycloak:26\.0; not instrumented \(a packaged server\): to instrument it, annotate the workload pinpoint\.fjhb\.cn\/inject: "true"/);
  });

  describe("--image-config: image configs from files, no registry", () => {
    const goConfig = { architecture: "amd64", os: "linux", config: { Env: ["PATH=/usr/bin"], Entrypoint: ["/app/cart"] } };
    const javaConfig = { architecture: "amd64", os: "linux", config: { Env: ["JAVA_HOME=/opt/java/openjdk", "JAVA_VERSION=jdk-21.0.4+7"], Entrypoint: ["java", "-jar", "/app.jar"] } };

    function manifest(image: string): string {
      return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc\nspec:\n  selector:\n    matchLabels: {app: svc}\n  template:\n    metadata:\n      labels: {app: svc}\n    spec:\n      containers:\n        - name: svc\n          image: ${image}\n`;
    }
    function write(name: string, content: string | object): string {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
      return f;
    }
    /** An OCI image layout, as `skopeo copy … oci:DIR:TAG` or `buildah push … oci:` writes it. */
    function ociLayout(dir: string, refName: string, config: object): string {
      fs.mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
      const put = (o: object) => {
        const bytes = Buffer.from(JSON.stringify(o));
        const digest = crypto.createHash("sha256").update(bytes).digest("hex");
        fs.writeFileSync(path.join(dir, "blobs", "sha256", digest), bytes);
        return { digest: `sha256:${digest}`, size: bytes.length };
      };
      const cfg = put(config);
      const manifest = put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...cfg }, layers: [] });
      fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      fs.writeFileSync(
        path.join(dir, "index.json"),
        JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "io.containerd.image.name": refName, "org.opencontainers.image.ref.name": "1.0" } }] }),
      );
      return dir;
    }

    interface Row {
      name: string;
      image: string;
      files: () => string[];
      /** The variable the container gets, or undefined: left alone. */
      variable?: string;
      report: RegExp;
    }
    const rows: Row[] = [
      {
        name: "docker inspect output names its image by RepoTags: a Go binary is not a JVM",
        image: "registry.local/shop/cart:2",
        files: () => [write("inspect.json", [{ Id: "sha256:1", RepoTags: ["registry.local/shop/cart:2"], RepoDigests: [], Config: goConfig.config }])],
        report: /container svc: not a JVM: image config read: runs cart, no Java in its Env, Entrypoint or Cmd/,
      },
      {
        name: "docker inspect by RepoDigests matches a digest-pinned reference",
        image: `registry.local/shop/orders@sha256:${"a".repeat(64)}`,
        files: () => [write("inspect-digest.json", [{ Id: "sha256:2", RepoTags: [], RepoDigests: [`registry.local/shop/orders@sha256:${"a".repeat(64)}`], Config: javaConfig.config }])],
        variable: "JAVA_TOOL_OPTIONS",
        report: /container svc: JVM: command runs java → JAVA_TOOL_OPTIONS/,
      },
      {
        name: "crane config / skopeo inspect --config output, named as IMAGE=PATH",
        image: "docker.io/shop/orders:1.4",
        files: () => [`shop/orders:1.4=${write("crane.json", javaConfig)}`],
        variable: "JAVA_TOOL_OPTIONS",
        report: /container svc: JVM: command runs java/,
      },
      {
        name: "an OCI layout folder named by its annotations",
        image: "registry.local/shop/cart:1.0",
        files: () => [ociLayout(path.join(tmp, "layout"), "registry.local/shop/cart:1.0", goConfig)],
        report: /container svc: not a JVM: image config read: runs cart/,
      },
      {
        name: "a file for another image: the manifest decides, and the reason says the config was not among those read",
        image: "registry.local/shop/pay:3",
        files: () => [`shop/orders:1.4=${write("crane2.json", javaConfig)}`],
        variable: "JAVA_TOOL_OPTIONS",
        report: /container svc: unknown: .*image config not read \(not among those read\)/,
      },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const input = write(`m-${rows.indexOf(row)}.yaml`, manifest(row.image));
        const r = ok(run(["-f", input, ...row.files().flatMap((f) => ["--image-config", f])]));
        const env = docs(r.stdout)[0].spec.template.spec.containers[0].env;
        if (row.variable) assert.match(env.find((e: { name: string }) => e.name === row.variable).value, /-javaagent:/);
        else assert.strictEqual(env, undefined);
        assert.match(r.stderr, row.report);
      });
    }

    it("a config blob without IMAGE= is refused, naming the fix", () => {
      const r = run(["-f", write("m.yaml", manifest("x:1")), "--image-config", write("blob.json", goConfig)]);
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /--image-config .*blob\.json: an image config blob names no image: give it as IMAGE=/);
    });
  });
});
