/**
 * Image configs from files (sdk/imageConfig/files.ts) and the per-workload
 * --containers grammar (sdk/cli/containersFlag.ts), one table row per case:
 * which file shapes are read and how they are named and matched, and which
 * mistakes are refused with the fix.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DNS_LABEL } from "../sdk/inject";
import { lookupsFromFiles, readImageConfigFile } from "../sdk/imageConfig";
import { parseContainersFlag } from "../sdk/cli/containersFlag";

const JAVA = { Env: ["JAVA_HOME=/opt/java/openjdk"], Entrypoint: ["java", "-jar", "/app.jar"] };

describe("image configs from files", () => {
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-imgcfg-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
    return f;
  };

  interface Row {
    name: string;
    /** The --image-config argument, given the scratch folder's writer. */
    arg: (w: typeof write) => string;
    /** Container images and whether each finds a config. */
    match?: Record<string, boolean>;
    error?: RegExp;
  }
  const rows: Row[] = [
    { name: "docker inspect: matched by a RepoTag, Docker Hub names normalised", arg: (w) => w("a.json", [{ RepoTags: ["shop/orders:1.4"], Config: JAVA }]), match: { "shop/orders:1.4": true, "docker.io/shop/orders:1.4": true, "shop/orders:1.5": false, "other.io/shop/orders:1.4": false } },
    { name: "docker inspect: an image without a tag is :latest", arg: (w) => w("b.json", [{ RepoTags: ["redis:latest"], Config: {} }]), match: { redis: true, "redis:7": false } },
    { name: "docker inspect: a digest matches only that digest", arg: (w) => w("c.json", [{ RepoDigests: [`r.io/a@sha256:${"1".repeat(64)}`], Config: JAVA }]), match: { [`r.io/a@sha256:${"1".repeat(64)}`]: true, [`r.io/a@sha256:${"2".repeat(64)}`]: false, "r.io/a:latest": false } },
    { name: "crane config named IMAGE=PATH", arg: (w) => `r.io/b:2=${w("d.json", { config: JAVA })}`, match: { "r.io/b:2": true } },
    { name: "a config blob without a name", arg: (w) => w("e.json", { config: JAVA }), error: /names no image: give it as IMAGE=/ },
    { name: "docker inspect of an image with no names", arg: (w) => w("f.json", [{ Config: JAVA }]), error: /entry 1 names no image .*give it as IMAGE=/ },
    { name: "not JSON", arg: (w) => w("g.json", "FROM x"), error: /is not JSON .*docker inspect, skopeo inspect --config or crane config output/ },
    { name: "JSON of something else", arg: (w) => w("h.json", { kind: "Deployment" }), error: /not an image config/ },
    { name: "a folder that is no OCI layout", arg: () => tmp, error: /index\.json: no such file or folder/ },
    { name: "a missing file", arg: () => path.join(tmp, "nope.json"), error: /nope\.json: no such file or folder/ },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const arg = row.arg(write);
      if (row.error) {
        assert.throws(() => readImageConfigFile(arg), row.error);
        return;
      }
      const lookups = lookupsFromFiles(Object.keys(row.match!), readImageConfigFile(arg));
      for (const [image, found] of Object.entries(row.match!)) assert.strictEqual(lookups[image] !== undefined, found, image);
    });
  }
});

describe("--containers: for every workload, or KIND/[NAMESPACE/]NAME=CONTAINER", () => {
  const rows: Array<{ value: string; kind?: string; ns?: string; name?: string; want?: string[] | undefined; defaults?: string[]; error?: RegExp }> = [
    { value: "app,worker", defaults: ["app", "worker"], kind: "Deployment", name: "x", want: undefined },
    { value: "deploy/orders=app", kind: "Deployment", name: "orders", want: ["app"] },
    { value: "deploy/orders=app,deploy/orders=sidecar", kind: "Deployment", name: "orders", want: ["app", "sidecar"] },
    { value: "sts/dev/db=main", kind: "StatefulSet", ns: "dev", name: "db", want: ["main"] },
    { value: "sts/dev/db=main", kind: "StatefulSet", ns: "qa", name: "db", want: undefined },
    { value: "Deployments/orders=app", kind: "Deployment", name: "orders", want: ["app"] },
    { value: "deploy/orders=app", kind: "StatefulSet", name: "orders", want: undefined },
    { value: "pod/x=app", error: /has unknown kind "pod"/ },
    { value: "orders=app", error: /does not name a workload: write KIND\/NAME=CONTAINER/ },
    { value: "deploy/orders=App", error: /names "App", which is not a valid container name/ },
  ];
  for (const row of rows) {
    it(`${row.value} → ${row.error ?? `${row.kind} ${row.ns ?? ""}/${row.name}: ${row.want?.join("+") ?? "detection"}`}`, () => {
      if (row.error) {
        assert.throws(() => parseContainersFlag(row.value, DNS_LABEL), row.error);
        return;
      }
      const parsed = parseContainersFlag(row.value, DNS_LABEL);
      assert.deepStrictEqual(parsed.defaults, row.defaults ?? []);
      assert.deepStrictEqual(parsed.containersFor(row.kind!, row.ns, row.name), row.want);
    });
  }
  it("an entry that matched no workload is reported", () => {
    const parsed = parseContainersFlag("deploy/a=x,deploy/b=y", DNS_LABEL);
    parsed.containersFor("Deployment", undefined, "a");
    assert.deepStrictEqual(parsed.unused(), ["deploy/b=y"]);
  });
});
