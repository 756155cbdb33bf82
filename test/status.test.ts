/**
 * pinpoint-status (sdk/status, sdk/cli/status.ts). The web's answers are the
 * real Pinpoint web 3.0.1's, recorded by the real-Pinpoint end to end
 * (test/fixtures/status/web-3.0.1), with the three app Deployments it rendered
 * and the evidence of their pods (trimmed logs). The agent log lines are the
 * released 3.0.1 agent's own: started with a too-long applicationName
 * (agent-rejected.log) and with no collector to reach (agent-unreachable.log).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { main, EXIT_SILENT, EXIT_USAGE, PASSWORD_ENV } from "../sdk/cli/status";
import { PinpointApm } from "../sdk";
import { runProgram } from "./harness/pulumiProgram";
import {
  buildReport,
  coverageReport,
  Evidence,
  exitCodeOf,
  expectedWorkloads,
  findStatusOutputs,
  formatReport,
  HttpRequest,
  HttpResponse,
  KubectlRunner,
  LOG_TAIL_LINES,
  objectsOfStackExport,
  PinpointWebClient,
  PodEvidence,
  STATUS_OUTPUTS_SCHEMA,
  StatusOutputs,
  Transport,
  webUrlOf,
} from "../sdk/status";

const FIXTURES = path.join(__dirname, "fixtures", "status");
const WEB = "http://pinpoint-web.pinpoint.svc.cluster.local:8080";
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const yamlObjects = (file: string) => parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
const workloads = () => yamlObjects(path.join(FIXTURES, "workloads.yaml"));
const realEvidence = (): Evidence => JSON.parse(read("evidence.json"));
const NOW = Date.parse("2026-12-04T11:49:32Z");

/** The recorded web: each endpoint answers what the real 3.0.1 web answered. */
function recordedWeb(path_: string): HttpResponse {
  const u = new URL(path_, "http://x");
  if (u.pathname === "/api/applications") return { status: 200, headers: {}, body: read("web-3.0.1/applications.json") };
  if (u.pathname === "/api/agents/search-application") {
    const file = path.join(FIXTURES, "web-3.0.1", `agents-${u.searchParams.get("application")}.json`);
    return fs.existsSync(file) ? { status: 200, headers: {}, body: fs.readFileSync(file, "utf8") } : { status: 200, headers: {}, body: "[]" };
  }
  return { status: 404, headers: {}, body: "" };
}
const replay: Transport = async (r: HttpRequest) => recordedWeb(r.url.slice(WEB.length));

function withPod(e: Evidence, workload: string, change: Partial<PodEvidence>): Evidence {
  return { pods: e.pods.map((p) => (p.workload === `dev/${workload}` ? { ...p, ...change } : p)) };
}

describe("pinpoint-status: expected workloads are read from the objects' injection records", () => {
  const stackExport = { deployment: { resources: workloads().map((o) => ({ type: "kubernetes:apps/v1:Deployment", urn: `urn:${o.metadata.name}`, outputs: o })).concat([{ type: "pulumi:pulumi:Stack", urn: "s", outputs: {} as any }]) } };
  const scaled = workloads().map((o) => (o.metadata.name === "silent-jvm" ? { ...o, spec: { ...o.spec, replicas: 0 } } : o));
  const rows: Array<{ name: string; objects: unknown[]; expected: Array<[string, string, string, string, boolean]> }> = [
    {
      name: "the e2e's three app Deployments",
      objects: workloads(),
      expected: [
        ["dev/plain-jvm", "dev-plain-jvm", "JAVA_TOOL_OPTIONS", "podIP", false],
        ["dev/silent-jvm", "dev-silent-jvm", "CATALINA_OPTS", "podIP", false],
        ["dev/tomcat-zffw", "dev-tomcat-zffw", "CATALINA_OPTS", "podIP", false],
      ],
    },
    { name: "the seed instrumented", objects: yamlObjects(path.join(__dirname, "fixtures", "seed-instrumented.yaml")), expected: [["dev/tomcat-zffw", "dev-tomcat-zffw", "CATALINA_OPTS", "podIP", false]] },
    { name: "the seed as written: nothing instrumented, nothing expected", objects: yamlObjects(path.join(__dirname, "fixtures", "seed-deployment.yaml")), expected: [] },
    { name: "a pulumi stack export's Kubernetes resources", objects: objectsOfStackExport(stackExport), expected: expectedWorkloads(workloads()).map((e) => [`${e.namespace}/${e.name}`, e.applicationName, e.containers[0].optionsVariable, e.agentIdSource, false]) },
    { name: "a workload scaled to 0", objects: scaled, expected: [["dev/plain-jvm", "dev-plain-jvm", "JAVA_TOOL_OPTIONS", "podIP", false], ["dev/silent-jvm", "dev-silent-jvm", "CATALINA_OPTS", "podIP", true], ["dev/tomcat-zffw", "dev-tomcat-zffw", "CATALINA_OPTS", "podIP", false]] },
    { name: "non-objects and other kinds are skipped", objects: [null, 3, "x", { kind: "Service", metadata: { name: "s" } }, { kind: "Deployment" }], expected: [] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const got = expectedWorkloads(row.objects).map((e) => [`${e.namespace}/${e.name}`, e.applicationName, e.containers[0].optionsVariable, e.agentIdSource, e.scaledToZero]);
      assert.deepStrictEqual(got, row.expected);
    });
  }
  it("a status annotation this version did not write is an error naming the workload", () => {
    const [d] = workloads();
    d.spec.template.metadata.annotations["pinpoint.fjhb.cn/status"] = "{oops";
    assert.throws(() => expectedWorkloads([d]), /Deployment dev\/plain-jvm: annotation pinpoint\.fjhb\.cn\/status is not a status this version wrote/);
  });
});

describe("pinpoint-status: the report over the real web's answers, reasons in order of evidence", () => {
  const rows: Array<{ name: string; objects?: unknown[]; evidence: Evidence | undefined; coverage: Record<string, string>; reasons?: Record<string, RegExp[]>; exit: number }> = [
    {
      name: "as recorded: Tomcat and the plain app report; the app whose launcher ignores CATALINA_OPTS is silent, agent never loaded",
      evidence: realEvidence(),
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "reporting" },
      reasons: { "silent-jvm": [/^the agent never loaded in silent-jvm-5d7c9f8b6-h9w7d: .*does not read CATALINA_OPTS: point the pinpoint\.fjhb\.cn\/options-env annotation/, /^the web lists no application dev-silent-jvm$/] },
      exit: EXIT_SILENT,
    },
    {
      name: "no evidence given: silent, saying where to look",
      evidence: undefined,
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "reporting" },
      reasons: { "silent-jvm": [/^the web lists no application dev-silent-jvm$/, /^no evidence about its pods/] },
      exit: EXIT_SILENT,
    },
    {
      name: "its pod is Pending: no pod running comes first",
      evidence: withPod(realEvidence(), "silent-jvm", { phase: "Pending" }),
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "reporting" },
      reasons: { "silent-jvm": [/^no pod running \(silent-jvm-5d7c9f8b6-h9w7d Pending\)$/, /lists no application/] },
      exit: EXIT_SILENT,
    },
    {
      name: "no pod at all",
      evidence: { pods: realEvidence().pods.filter((p) => p.workload !== "dev/silent-jvm") },
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "reporting" },
      reasons: { "silent-jvm": [/^no pod of the workload exists$/, /lists no application/] },
      exit: EXIT_SILENT,
    },
    {
      name: "the agent rejected the applicationName (the 3.0.1 agent's own words)",
      evidence: withPod(realEvidence(), "silent-jvm", { containerLog: read("agent-rejected.log") }),
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "reporting" },
      reasons: { "silent-jvm": [/^the agent rejected an id or name in silent-jvm-5d7c9f8b6-h9w7d: ".*invalid Id\. SystemProperties\(-D\) applicationName can only contain/, /lists no application/] },
      exit: EXIT_SILENT,
    },
    {
      name: "the collector is unreachable (the 3.0.1 agent's gRPC log)",
      evidence: withPod(realEvidence(), "silent-jvm", { agentLog: read("agent-unreachable.log") }),
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "reporting" },
      reasons: { "silent-jvm": [/^the agent in silent-jvm-5d7c9f8b6-h9w7d cannot reach the collector: ".*UNAVAILABLE/, /lists no application/] },
      exit: EXIT_SILENT,
    },
    {
      name: "Tomcat's pod was replaced: the listed agent (the old pod's IP) does not count",
      evidence: withPod(realEvidence(), "tomcat-zffw", { ip: "10.244.1.99", pod: "tomcat-zffw-5d7c9f8b6-new00" }),
      coverage: { "plain-jvm": "reporting", "silent-jvm": "silent", "tomcat-zffw": "silent" },
      reasons: { "tomcat-zffw": [/^no running agent has the IP of a running pod \(10\.244\.1\.99\): the agents listed \(10\.244\.1\.15\) are of other pods$/] },
      exit: EXIT_SILENT,
    },
    {
      name: "the silent app scaled to 0: not expected, everything else reports, exit 0",
      objects: workloads().map((o) => (o.metadata.name === "silent-jvm" ? { ...o, spec: { ...o.spec, replicas: 0 } } : o)),
      evidence: realEvidence(),
      coverage: { "plain-jvm": "reporting", "silent-jvm": "not expected", "tomcat-zffw": "reporting" },
      exit: 0,
    },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const report = await coverageReport({ url: WEB, objects: row.objects ?? workloads(), evidence: row.evidence, transport: replay, now: () => NOW });
      assert.deepStrictEqual(Object.fromEntries(report.workloads.map((w) => [w.workload.split("/")[1], w.coverage])), row.coverage);
      for (const [name, patterns] of Object.entries(row.reasons ?? {})) {
        const w = report.workloads.find((x) => x.workload.endsWith(`/${name}`))!;
        assert.strictEqual(w.reasons.length, patterns.length, JSON.stringify(w.reasons));
        patterns.forEach((p, i) => assert.match(w.reasons[i], p));
      }
      assert.strictEqual(exitCodeOf(report), row.exit);
    });
  }

  it("lists each reporting workload's agents as the web knows them: agentId = pod IP, agentName = pod name, version, start, state", async () => {
    const report = await coverageReport({ url: WEB, objects: workloads(), evidence: realEvidence(), transport: replay, now: () => NOW });
    const tomcat = report.workloads.find((w) => w.workload === "Deployment dev/tomcat-zffw")!;
    assert.deepStrictEqual(tomcat.agents, [
      { agentId: "10.244.1.15", agentName: "tomcat-zffw-5d7c9f8b6-7g0ra", agentVersion: "3.0.1", hostName: "tomcat-zffw-5d7c9f8b6-7g0ra", ip: "10.244.1.15", startTimestamp: tomcat.agents[0].startTimestamp, state: "RUNNING", stateTimestamp: tomcat.agents[0].stateTimestamp },
    ]);
    assert.strictEqual(tomcat.serviceType, "TOMCAT");
    const text = formatReport(report);
    assert.match(text, /^2 of 3 instrumented workloads report to http:\/\/pinpoint-web\.pinpoint\.svc\.cluster\.local:8080 \(checked 2026-12-04T11:49:32Z\)\n/);
    assert.match(text, /\nSILENT +Deployment dev\/silent-jvm  applicationName dev-silent-jvm \(not listed\)\n +why: the agent never loaded/);
    assert.match(text, /\nreporting +Deployment dev\/tomcat-zffw  applicationName dev-tomcat-zffw \(TOMCAT\)\n +agent 10\.244\.1\.15 \(tomcat-zffw-5d7c9f8b6-7g0ra\) 3\.0\.1, started 2026-12-04T11:48:42Z, RUNNING since /);
  });

  it("an agent the web shows as not running does not count", () => {
    const expected = expectedWorkloads(workloads()).filter((e) => e.name === "tomcat-zffw");
    const report = buildReport(WEB, NOW, expected, { applications: [{ applicationName: "dev-tomcat-zffw", serviceType: "TOMCAT" }], agents: { "dev-tomcat-zffw": [{ agentId: "10.244.1.15", state: "UNEXPECTED_SHUTDOWN" }] } });
    assert.strictEqual(report.workloads[0].coverage, "silent");
    assert.match(report.workloads[0].reasons[0], /^its agents are not running: 10\.244\.1\.15 UNEXPECTED_SHUTDOWN$/);
  });
});

describe("pinpoint-status: stack outputs", () => {
  const status: StatusOutputs = { schema: STATUS_OUTPUTS_SCHEMA, enabled: true, applicationNamePrefix: "dev-", agentIdSource: "podIP", webClusterUrl: WEB, webIngressUrl: "http://pinpoint.dev.example.com", webLoginUser: "admin" };
  it("finds PinpointApm's status object under whatever key the program exported it", () => {
    assert.deepStrictEqual(findStatusOutputs({ webUrl: "x", anything: status }), status);
    assert.strictEqual(findStatusOutputs({ webUrl: "x" }), undefined);
    // pinpoint-render --stack-outputs wraps them: {"outputs": {...}, "secretOutputNames": [...]}
    assert.deepStrictEqual(findStatusOutputs({ outputs: { webUrl: "x", pinpointStatus: status }, secretOutputNames: [] }), status);
  });
  it("takes the Ingress URL from outside the cluster, the Service from inside", () => {
    assert.strictEqual(webUrlOf(status, false), "http://pinpoint.dev.example.com");
    assert.strictEqual(webUrlOf(status, true), WEB);
    assert.strictEqual(webUrlOf({ ...status, webIngressUrl: undefined }, false), WEB);
  });
});

describe("pinpoint-status: the web client", () => {
  /**
   * Other releases' paths (upstream's controllers at v2.5.4 and v3.1.0) serving
   * the 3.0.1 answers in the shape each release gives them: 2.5 the same groups
   * without /api; 3.1 the agents as one flat list at /api/agents/overview.
   */
  const releases: Array<{ name: string; answer: (path: string) => HttpResponse }> = [
    { name: "2.5.x (no /api prefix)", answer: (p) => (p.startsWith("/api/") ? { status: 404, headers: {}, body: "" } : recordedWeb(`/api${p}`)) },
    {
      name: "3.1.x (/api/agents/overview, a flat list)",
      answer: (p) => {
        if (p.startsWith("/api/agents/search-application")) return { status: 404, headers: {}, body: "" };
        if (!p.startsWith("/api/agents/overview")) return recordedWeb(p);
        const groups = JSON.parse(recordedWeb(p.replace("/overview", "/search-application")).body) as Array<{ instancesList: unknown[] }>;
        return { status: 200, headers: {}, body: JSON.stringify(groups.flatMap((g) => g.instancesList)) };
      },
    },
  ];
  for (const release of releases) {
    it(`${release.name}: the same report as 3.0.1's`, async () => {
      const seen: string[] = [];
      const transport: Transport = async (r) => {
        seen.push(r.url.slice(WEB.length).replace(/\?.*$/, ""));
        return release.answer(r.url.slice(WEB.length));
      };
      const other = await coverageReport({ url: WEB, objects: workloads(), evidence: realEvidence(), transport, now: () => NOW });
      const recorded = await coverageReport({ url: WEB, objects: workloads(), evidence: realEvidence(), transport: replay, now: () => NOW });
      assert.deepStrictEqual(other, recorded);
      assert.ok(seen.length > 3, seen.join(" "));
    });
  }

  it("logs in with the basic-login form and sends the pinpointJwt cookie it sets", async () => {
    const seen: HttpRequest[] = [];
    const transport: Transport = async (r) => {
      seen.push(r);
      if (r.url.endsWith("/login")) return { status: 302, headers: { location: "/", "set-cookie": "JSESSIONID=1; Path=/\npinpointJwt=abc.def; Path=/; HttpOnly" }, body: "" };
      return r.headers.cookie === "pinpointJwt=abc.def" ? recordedWeb("/api/applications") : { status: 302, headers: { location: "http://w/login" }, body: "" };
    };
    const apps = await new PinpointWebClient({ url: WEB, user: "admin", password: "p&ss", transport }).applications();
    assert.deepStrictEqual(apps.map((a) => a.applicationName).sort(), ["dev-plain-jvm", "dev-tomcat-zffw"]);
    assert.deepStrictEqual([seen[0].method, seen[0].body], ["POST", "username=admin&password=p%26ss"]);
  });
  const errors: Array<{ name: string; transport: Transport; url?: string; message: RegExp }> = [
    { name: "a login page instead of data", transport: async () => ({ status: 302, headers: { location: "/login" }, body: "" }), message: /asks for a login; give --web-user and PINPOINT_WEB_PASSWORD/ },
    { name: "an HTML page (not the web's API)", transport: async () => ({ status: 200, headers: {}, body: "<html>" }), message: /answered no JSON .*is the URL the Pinpoint web\?/ },
    { name: "no answer", transport: async () => Promise.reject(new Error("ECONNREFUSED")), message: /cannot reach the Pinpoint web at .*: ECONNREFUSED; from outside the cluster use its Ingress URL or kubectl port-forward/ },
    { name: "a bad URL", transport: replay, url: "pinpoint-web:8080", message: /web URL "pinpoint-web:8080": use http:\/\/ or https:\/\// },
    { name: "not a URL at all", transport: replay, url: "::", message: /web URL "::" is not a URL/ },
  ];
  for (const row of errors) {
    it(`${row.name}: a clear error`, async () => {
      await assert.rejects(async () => new PinpointWebClient({ url: row.url ?? WEB, transport: row.transport }).applications(), row.message);
    });
  }
});

describe("pinpoint-status: the CLI", () => {
  let server: http.Server;
  let url: string;
  let tmp: string;
  before(async () => {
    // The recorded answers served over real HTTP, so the CLI's own fetch transport is what runs.
    server = http.createServer((req, res) => {
      const r = recordedWeb(req.url ?? "/");
      res.writeHead(r.status, { "content-type": "application/json" }).end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "pp-status-"));
    fs.writeFileSync(path.join(tmp, "outputs.json"), JSON.stringify({ pinpointStatus: { schema: STATUS_OUTPUTS_SCHEMA, enabled: true, applicationNamePrefix: "dev-", agentIdSource: "podIP", webClusterUrl: url, webIngressUrl: null, webLoginUser: null } }));
    fs.writeFileSync(path.join(tmp, "login.json"), JSON.stringify({ s: { schema: STATUS_OUTPUTS_SCHEMA, webClusterUrl: url, webIngressUrl: null, webLoginUser: "admin" } }));
    fs.writeFileSync(path.join(tmp, "none.json"), JSON.stringify({ webUrl: url }));
  });
  after(() => {
    server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    let out = "";
    let err = "";
    const code = await main(args, (s) => (out += s), (s) => (err += s), env);
    return { code, out, err };
  }
  const f = () => ["-f", path.join(FIXTURES, "workloads.yaml")];
  const ev = () => ["--evidence", path.join(FIXTURES, "evidence.json")];

  it("text: the summary, each workload, the silent one's reasons; exit 1", async () => {
    const r = await cli([...f(), "--stack-outputs", path.join(tmp, "outputs.json"), ...ev()]);
    assert.strictEqual(r.code, EXIT_SILENT, r.err);
    assert.match(r.out, new RegExp(`^2 of 3 instrumented workloads report to ${url.replace(/\./g, "\\.")} `));
    assert.match(r.out, /SILENT +Deployment dev\/silent-jvm .*\n +why: the agent never loaded/);
  });
  it("JSON: the report as data; only the reporting workloads given, exit 0", async () => {
    const two = yamlObjects(path.join(FIXTURES, "workloads.yaml")).filter((o) => o.metadata.name !== "silent-jvm");
    fs.writeFileSync(path.join(tmp, "two.json"), JSON.stringify({ kind: "List", apiVersion: "v1", items: two }));
    const r = await cli(["-f", path.join(tmp, "two.json"), "--web", url, ...ev(), "--json"]);
    assert.strictEqual(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.deepStrictEqual(report.workloads.map((w: { coverage: string }) => w.coverage), ["reporting", "reporting"]);
  });
  it("--stack-export: the workloads out of `pulumi stack export`, the same report as -f", async () => {
    const resources = workloads().map((o) => ({ urn: `urn:pulumi:dev::p::kubernetes:apps/v1:Deployment::${o.metadata.name}`, type: "kubernetes:apps/v1:Deployment", outputs: o }));
    fs.writeFileSync(path.join(tmp, "export.json"), JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
    const viaExport = await cli(["--stack-export", path.join(tmp, "export.json"), "--web", url, ...ev(), "--json"]);
    const viaFiles = await cli([...f(), "--web", url, ...ev(), "--json"]);
    assert.strictEqual(viaExport.code, EXIT_SILENT, viaExport.err);
    const strip = (t: string) => ({ ...JSON.parse(t), checkedAt: 0 });
    assert.deepStrictEqual(strip(viaExport.out), strip(viaFiles.out));
  });
  const usage: Array<{ name: string; args: () => string[]; env?: NodeJS.ProcessEnv; message: RegExp }> = [
    { name: "no objects", args: () => ["--web", url], message: /give the objects: -f <render output folder or manifests> or --stack-export <file>/ },
    { name: "no web", args: () => f(), message: /give the web: --web <url> or --stack-outputs <file>/ },
    { name: "outputs without the status object", args: () => [...f(), "--stack-outputs", path.join(tmp, "none.json")], message: /no PinpointApm status object among the outputs; export it \(export const pinpointStatus = apm\.status\)/ },
    { name: "a login user and no password", args: () => [...f(), "--stack-outputs", path.join(tmp, "login.json")], message: new RegExp(`the web's login user is admin: set ${PASSWORD_ENV} to its password`) },
    { name: "a bad window", args: () => [...f(), "--web", url, "--window", "soon"], message: /--window soon: give minutes, a positive number/ },
    { name: "evidence that is not JSON", args: () => [...f(), "--web", url, "--evidence", path.join(FIXTURES, "workloads.yaml")], message: /--evidence .*workloads\.yaml: not JSON/ },
    { name: "a missing file", args: () => [...f(), "--stack-outputs", path.join(tmp, "nope.json")], message: /--stack-outputs .*nope\.json: no such file/ },
    { name: "an unknown flag", args: () => ["--webb", url], message: /unknown option '--webb'/ },
  ];
  for (const row of usage) {
    it(`${row.name}: exit ${EXIT_USAGE} with a message naming the flag and the fix`, async () => {
      const r = await cli(row.args(), row.env);
      assert.strictEqual(r.code, EXIT_USAGE);
      assert.match(r.err, row.message);
      assert.strictEqual(r.out, "");
    });
  }
});

describe("pinpoint-status: PinpointApm's status output", () => {
  const IMAGE = "harbor.59iedu.com/fjhb/pp_agent@sha256:" + "0".repeat(64);
  const SERVER = { enabled: "true", agentImage: IMAGE, deployServer: "true", mysqlPassword: "mysql-pw-12345" };
  const program = () => () => ({ pinpointStatus: new PinpointApm("pinpoint").status });
  const rows: Array<{ name: string; config: Record<string, string>; secretKeys?: string[]; status: Partial<StatusOutputs> }> = [
    {
      name: "a deployed server: its Service URL, no Ingress, no login",
      config: SERVER,
      secretKeys: ["mysqlPassword"],
      status: { enabled: true, applicationNamePrefix: "dev-", agentIdSource: "podIP", webClusterUrl: WEB, webIngressUrl: undefined, webLoginUser: undefined },
    },
    {
      name: "published through an Ingress: its URL and the login user (never the password)",
      config: { ...SERVER, webIngressHost: "pinpoint.dev.example.com", webAdminPassword: "admin-pw-12345" },
      secretKeys: ["mysqlPassword", "webAdminPassword"],
      status: { webClusterUrl: WEB, webIngressUrl: "http://pinpoint.dev.example.com", webLoginUser: "admin" },
    },
    {
      name: "a collector elsewhere: no web known here, generated agentIds, the prefix given",
      config: { enabled: "true", agentImage: IMAGE, collectorHost: "collector.apm.example.com", agentIdSource: "generated", applicationNamePrefix: "qa-" },
      status: { applicationNamePrefix: "qa-", agentIdSource: "generated", webClusterUrl: undefined, webIngressUrl: undefined, webLoginUser: undefined },
    },
    { name: "instrumentation off", config: { enabled: "false" }, status: { enabled: false, webClusterUrl: undefined } },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const run = await runProgram(program(), { config: row.config, secretKeys: row.secretKeys, stack: "dev" });
      assert.deepStrictEqual(run.errors, []);
      const status = findStatusOutputs(run.outputs);
      assert.ok(status, JSON.stringify(run.outputs));
      assert.strictEqual(status.schema, STATUS_OUTPUTS_SCHEMA);
      for (const [k, v] of Object.entries(row.status)) assert.deepStrictEqual(status[k as keyof StatusOutputs], v, k);
      assert.doesNotMatch(JSON.stringify(run.outputs), /admin-pw-12345/);
    });
  }
});

describe("pinpoint-status: --kubectl gathers the evidence", () => {
  /**
   * kubectl answering from the pods the e2e ran (names, IPs, logs as recorded):
   * `get pods` as a PodList, `logs` the container's output, `exec` the agent's log files.
   */
  function recordedKubectl(e: Evidence, calls: string[][]): KubectlRunner {
    return (args) => {
      calls.push(args);
      const ns = args[args.indexOf("-n") + 1];
      if (args.includes("get")) {
        const app = args[args.indexOf("-l") + 1].replace(/^app=/, "");
        const items = e.pods.filter((p) => p.workload === `${ns}/${app}`).map((p) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: p.pod, namespace: ns, labels: { app } }, status: { phase: p.phase, podIP: p.ip } }));
        return { status: 0, stdout: JSON.stringify({ apiVersion: "v1", kind: "List", items }), stderr: "" };
      }
      const pod = e.pods.find((p) => p.pod === args[args.indexOf("-n") + 2])!;
      if (args.includes("logs")) return { status: 0, stdout: pod.containerLog ?? "", stderr: "" };
      return pod.agentLog === undefined ? { status: 126, stdout: "", stderr: 'exec: "sh": executable file not found' } : { status: 0, stdout: pod.agentLog, stderr: "" };
    };
  }

  it("finds each workload's pods by its selector, reads logs and the agent's files, and gives the same report as that evidence", async () => {
    const calls: string[][] = [];
    const viaKubectl = await coverageReport({ url: WEB, objects: workloads(), kubectl: { run: recordedKubectl(realEvidence(), calls), context: "dev" }, transport: replay, now: () => NOW });
    const given = await coverageReport({ url: WEB, objects: workloads(), evidence: realEvidence(), transport: replay, now: () => NOW });
    assert.deepStrictEqual(viaKubectl, given);
    assert.deepStrictEqual(calls.slice(0, 3), [
      ["--context", "dev", "get", "pods", "-n", "dev", "-l", "app=plain-jvm", "-o", "json"],
      ["--context", "dev", "logs", "-n", "dev", "plain-jvm-5d7c9f8b6-d7jqg", "-c", "plain-jvm", `--tail=${LOG_TAIL_LINES}`],
      ["--context", "dev", "exec", "-n", "dev", "plain-jvm-5d7c9f8b6-d7jqg", "-c", "plain-jvm", "--", "sh", "-c", `cd '/var/init/pinpoint/logs' 2>/dev/null || exit 0; find . -name '*.log' -exec tail -n ${LOG_TAIL_LINES} {} +`],
    ]);
  });

  it("an image with no shell: the agent's files stay unknown, so no never-loaded claim", async () => {
    const e = withPod(realEvidence(), "silent-jvm", { agentLog: undefined });
    const report = await coverageReport({ url: WEB, objects: workloads(), kubectl: { run: recordedKubectl(e, []) }, transport: replay, now: () => NOW });
    const silent = report.workloads.find((w) => w.workload.endsWith("/silent-jvm"))!;
    assert.deepStrictEqual(silent.reasons, ["the web lists no application dev-silent-jvm"]);
  });

  it("a workload whose selector has no matchLabels is not looked at: no claim about its pods", async () => {
    const objects = workloads().map((o) => (o.metadata.name === "silent-jvm" ? { ...o, spec: { ...o.spec, selector: { matchExpressions: [{ key: "app", operator: "In", values: ["silent-jvm"] }] } } } : o));
    const calls: string[][] = [];
    const report = await coverageReport({ url: WEB, objects, kubectl: { run: recordedKubectl(realEvidence(), calls) }, transport: replay, now: () => NOW });
    assert.ok(!calls.some((c) => c.includes("app=silent-jvm")));
    const silent = report.workloads.find((w) => w.workload.endsWith("/silent-jvm"))!;
    assert.deepStrictEqual(silent.reasons.map((r) => r.replace(/ \(.*$/, "")), ["the web lists no application dev-silent-jvm", "no evidence about its pods was given"]);
  });

  it("kubectl failing is an error that says what failed", async () => {
    const run: KubectlRunner = () => ({ status: 1, stdout: "", stderr: "error: You must be logged in to the server (Unauthorized)\n" });
    await assert.rejects(coverageReport({ url: WEB, objects: workloads(), kubectl: { run }, transport: replay }), /kubectl get pods -n dev -l app=plain-jvm failed: error: You must be logged in to the server \(Unauthorized\)/);
  });

  it("--evidence and --kubectl together, or --kube-context alone, are usage errors", async () => {
    for (const [args, message] of [
      [["--evidence", path.join(FIXTURES, "evidence.json"), "--kubectl"], /--evidence and --kubectl both give the evidence: keep one/],
      [["--kube-context", "dev"], /--kube-context is for --kubectl: add --kubectl/],
    ] as Array<[string[], RegExp]>) {
      let err = "";
      const code = await main(["-f", path.join(FIXTURES, "workloads.yaml"), "--web", WEB, ...args], () => undefined, (s) => (err += s), {});
      assert.strictEqual(code, EXIT_USAGE);
      assert.match(err, message);
    }
  });
});
