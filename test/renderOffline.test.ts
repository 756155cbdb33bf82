/**
 * The offline render contacts nothing unless asked: a registry the test runs
 * counts the requests each render makes, for every way of asking (the flag, the
 * stack file) and not asking; and a render in an empty network namespace
 * (root) writes the same table and files as one with the network.
 */
import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { withImageReading, READ_IMAGES_KEY } from "../sdk/render/imageReading";
import { compiled } from "./support/compiled";

const ROOT = path.join(__dirname, "..");
const PROGRAM = path.join(__dirname, "fixtures", "cli", "render-offline");
const SCRATCH = path.join(ROOT, "node_modules", ".cache");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The compiled render in a child process, asynchronously: the test's registry must answer meanwhile. */
function render(args: string[], env: Record<string, string> = {}, wrap: string[] = []): Promise<Run> {
  const start = Date.now();
  const argv = [...wrap, process.execPath, compiled("cli/render.js"), ...args];
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr, ms: Date.now() - start });
    });
  });
}

describe("offline render: image reading only when asked", function () {
  this.timeout(180_000);

  describe("which config the program sees", () => {
    const rows: { name: string; config: Record<string, string>; flag?: boolean; want: string }[] = [
      { name: "stack silent, no flag: off", config: {}, want: "false" },
      { name: "stack silent, flag: on", config: {}, flag: true, want: "true" },
      { name: "stack true, no flag: on", config: { [READ_IMAGES_KEY]: "true" }, want: "true" },
      { name: "stack false, no flag: off", config: { [READ_IMAGES_KEY]: "false" }, want: "false" },
      { name: "stack false, flag: on (the flag is the later word)", config: { [READ_IMAGES_KEY]: "false" }, flag: true, want: "true" },
    ];
    for (const r of rows) {
      it(r.name, () => {
        const before = JSON.stringify(r.config);
        assert.strictEqual(withImageReading(r.config, r.flag)[READ_IMAGES_KEY], r.want);
        assert.strictEqual(JSON.stringify(r.config), before, "the stack's config was changed in place");
      });
    }
  });

  describe("requests a registry gets from one render", () => {
    let server: http.Server;
    let requests: string[] = [];
    let registry: string;
    let scratch: string;

    before(async () => {
      server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      fs.mkdirSync(SCRATCH, { recursive: true });
      scratch = fs.mkdtempSync(path.join(SCRATCH, "render-offline-"));
    });
    after(() => {
      server?.close();
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });
    beforeEach(() => (requests = []));

    const rows: { stack: string; flag: boolean; reads: boolean }[] = [
      { stack: "default", flag: false, reads: false },
      { stack: "default", flag: true, reads: true },
      { stack: "reads", flag: false, reads: true },
      { stack: "noread", flag: false, reads: false },
      { stack: "noread", flag: true, reads: true },
    ];
    for (const r of rows) {
      it(`stack ${r.stack}${r.flag ? " with --read-images" : ""}: ${r.reads ? "reads, and WHY and the log say the read failed" : "contacts nothing"}`, async () => {
        const out = path.join(scratch, `${r.stack}-${r.flag}`);
        const args = ["--program", PROGRAM, "--stack", r.stack, "--out", out, ...(r.flag ? ["--read-images"] : [])];
        const run = await render(args, { PP_TEST_REGISTRY: registry, XDG_CACHE_HOME: path.join(scratch, "cache") });
        assert.strictEqual(run.code, 0, run.stderr);
        const row = run.stdout.split("\n").find((l) => l.startsWith("Deployment shop/cart"));
        assert.ok(row, run.stdout);
        assert.match(row, /\byes\b/, "cart runs java: instrumented either way");
        const note = `image config not read (registry ${registry} 404 for the manifest)`;
        const table = run.stdout.replace(/\n {20,}/g, " ");
        if (r.reads) {
          assert.ok(requests.some((q) => q.startsWith("GET /v2/shop/cart/manifests/1")), `no manifest request: ${requests.join(", ")}`);
          assert.ok(table.includes(note), `WHY does not say the read failed:\n${run.stdout}`);
          assert.ok(run.stderr.includes(note), `the Pulumi log does not say the read failed:\n${run.stderr}`);
        } else {
          assert.deepStrictEqual(requests, [], "the render contacted the registry unasked");
          assert.ok(!table.includes("image config not read (registry"), run.stdout);
          assert.ok(!run.stderr.includes("image config not read (registry"), run.stderr);
        }
      });
    }
  });

  describe("in an empty network namespace (root)", () => {
    let scratch: string;
    before(function () {
      const root = process.getuid?.() === 0;
      const unshare = spawnSync("unshare", ["--version"]).status === 0 && spawnSync("ip", ["-V"]).status === 0;
      if (!root || !unshare) {
        if (process.env.CI === "true") assert.fail(`needs root and unshare (util-linux) and ip (iproute2): root ${root}, tools ${unshare}`);
        this.skip();
      }
      fs.mkdirSync(SCRATCH, { recursive: true });
      scratch = fs.mkdtempSync(path.join(SCRATCH, "render-netns-"));
    });
    after(() => {
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    // Only loopback, brought up: the Pulumi mock runtime talks to itself over 127.0.0.1.
    const noNetwork = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"];

    it("renders stacks/ dev with the same table and files as with the network, and --read-images says the registry is unreachable", async () => {
      const online = await render(["--out", path.join(scratch, "online")]);
      const offline = await render(["--out", path.join(scratch, "offline")], {}, noNetwork);
      const reading = await render(["--read-images", "--out", path.join(scratch, "reading")], {}, noNetwork);
      for (const r of [online, offline, reading]) assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(offline.stdout, online.stdout);
      const files = (d: string) => fs.readdirSync(path.join(scratch, d)).map((f) => [f, fs.readFileSync(path.join(scratch, d, f), "utf8")]);
      assert.deepStrictEqual(files("offline"), files("online"));
      assert.match(reading.stdout.replace(/\n {20,}/g, " "), /tomcat-zffw: [^\n]*image config not read \(registry harbor\.59iedu\.com unreachable: \S+\)/);
      // For the record (the machine is shared, so no bound is asserted): a render that contacts nothing waits on nothing.
      console.error(`      render with network ${online.ms} ms, without ${offline.ms} ms, without and --read-images ${reading.ms} ms`);
    });
  });
});
