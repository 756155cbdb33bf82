/**
 * PinpointServer per release (2.5.4, 3.0.1, 3.1.0): what each rendered object
 * asks of the real process must be what that release offers and reads. One
 * table row per release; each test fails if its item of issue 11 regresses.
 */
import * as assert from "assert";
import { PinpointApm, PinpointServer } from "../sdk";
import { HBASE_START_SCRIPT } from "../sdk/server/hbase";
import { ProgramRun, runProgram } from "./harness/pulumiProgram";
import { batchFactProblems, batchFacts, relaxedEnvName } from "./support/batchFacts";

const SECRET_KEYS = ["mysqlPassword", "alarmMailPassword", "webAdminPassword"];
const PASSWORD = "mysql-pw-0123456789";
const ADMIN = "admin-pw-12345";
const MAIL = { alarmNotify: "mail,webhook", alarmMailHost: "smtp.example.com", alarmMailFrom: "apm@example.com" };

interface Release {
  version: string;
  /** batch's port, or none. */
  batchPort?: number;
  layout: "2.5" | "3.x";
  /** Parts that read cluster.enable. */
  cluster: string[];
  webSql: [string, string];
  batchMarker: string;
  widen: string;
}
const RELEASES: Release[] = [
  { version: "2.5.4", batchPort: 8090, layout: "2.5", cluster: ["collector", "web"], webSql: ["WEB_JAR", "/pinpoint/pinpoint-web-boot.jar"], batchMarker: "TYPE_CD", widen: "" },
  { version: "3.0.1", layout: "3.x", cluster: ["web"], webSql: ["WEB_SQL_DIR", "/workspace/BOOT-INF/classes/sql"], batchMarker: "PARAMETER_NAME", widen: "" },
  {
    version: "3.1.0",
    layout: "3.x",
    cluster: [],
    webSql: ["WEB_SQL_DIR", "/app/resources/sql"],
    batchMarker: "PARAMETER_NAME",
    widen: "webhook.application_id:127 webhook.service_name:127",
  },
];

async function render(config: Record<string, string>, program?: () => unknown): Promise<ProgramRun> {
  return runProgram(program ?? (() => new PinpointServer("pp")), { config, secretKeys: SECRET_KEYS });
}
const k8s = (run: ProgramRun) => run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
const obj = (run: ProgramRun, kind: string, name: string) => {
  const r = k8s(run).find((x) => x.inputs.kind === kind && x.inputs.metadata?.name === name);
  assert.ok(r, `${kind}/${name} must exist; have ${k8s(run).map((x) => `${x.inputs.kind}/${x.inputs.metadata?.name}`).join(", ")}`);
  return r;
};
const container = (run: ProgramRun, kind: string, name: string) => obj(run, kind, name).inputs.spec.template.spec.containers[0];
const envNames = (c: any): string[] => (c.env ?? []).map((e: any) => e.name);
const envValue = (c: any, name: string) => c.env?.find((e: any) => e.name === name)?.value;
const envRef = (c: any, name: string) => c.env?.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef?.key;
/** Every probe of every container, with the port it targets. */
const probes = (run: ProgramRun) =>
  k8s(run).flatMap((r) =>
    (r.inputs.spec?.template?.spec?.containers ?? []).flatMap((c: any) =>
      ["startupProbe", "readinessProbe", "livenessProbe"].filter((p) => c[p]).map((p) => ({ where: `${r.inputs.metadata.name}/${c.name}/${p}`, c, probe: c[p] })),
    ),
  );

for (const rel of RELEASES) {
  describe(`PinpointServer ${rel.version}`, () => {
    const base = { version: rel.version, mysqlPassword: PASSWORD };

    it(rel.batchPort ? `probes batch on ${rel.batchPort}, the port its embedded server opens` : "gives batch no probe and no port: it opens none", async () => {
      const run = await render(base);
      assert.deepStrictEqual(run.errors, []);
      const batch = container(run, "Deployment", "pinpoint-batch");
      if (rel.batchPort) {
        assert.deepStrictEqual(batch.ports, [{ name: "http", containerPort: rel.batchPort }]);
        for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) assert.strictEqual(batch[p].tcpSocket.port, rel.batchPort, p);
      } else {
        assert.strictEqual(batch.ports, undefined);
        for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) assert.strictEqual(batch[p], undefined, p);
      }
      // Every probe targets a port its own container declares (or runs a command).
      for (const { where, c, probe } of probes(run)) {
        const port = probe.tcpSocket?.port ?? probe.httpGet?.port;
        if (port === undefined) continue;
        const declared = (c.ports ?? []).flatMap((p: any) => [p.containerPort, p.name]);
        assert.ok(declared.includes(port), `${where} probes ${port}, which the container does not open`);
      }
    });

    it("sets only the env names the release reads: JDBC, mail, cluster, OTLP", async () => {
      const run = await render({ ...base, ...MAIL });
      const web = container(run, "Deployment", "pinpoint-web");
      const batch = container(run, "Deployment", "pinpoint-batch");
      const collector = container(run, "Deployment", "pinpoint-collector");
      const all = [web, batch, collector].flatMap(envNames);
      for (const gone of ["WEB_SERVER_PORT", "BATCH_SERVER_PORT", "JDBC_DRIVERCLASSNAME", "MANAGEMENT_METRICS_EXPORT_OTLP_ENABLED", "SCHEMA_URL"]) {
        assert.ok(!all.includes(gone), `${gone} is read by no release`);
      }
      if (rel.layout === "2.5") {
        assert.ok(envNames(web).includes("JDBC_URL") && !envNames(web).includes("SPRING_DATASOURCE_HIKARI_JDBCURL"));
        assert.strictEqual(envValue(batch, "ALARM_MAIL_SERVER_URL"), "smtp.example.com");
        assert.ok(!envNames(batch).some((n) => n.startsWith("SPRING_MAIL_")));
        assert.ok(!all.includes("PINPOINT_MODULES_REALTIME_ENABLED") && !all.includes("MANAGEMENT_OTLP_METRICS_EXPORT_ENABLED"));
      } else {
        assert.ok(envNames(web).includes("SPRING_DATASOURCE_HIKARI_JDBCURL") && !envNames(web).includes("JDBC_URL"));
        assert.strictEqual(envValue(batch, "SPRING_MAIL_HOST"), "smtp.example.com");
        assert.ok(!envNames(batch).some((n) => n.startsWith("ALARM_MAIL_")));
        assert.strictEqual(envValue(collector, "PINPOINT_MODULES_REALTIME_ENABLED"), "false");
        assert.strictEqual(envValue(collector, "MANAGEMENT_OTLP_METRICS_EXPORT_ENABLED"), "false");
      }
      assert.strictEqual(envValue(collector, "CLUSTER_ENABLE"), rel.cluster.includes("collector") ? "true" : undefined);
      assert.strictEqual(envValue(web, "CLUSTER_ENABLE"), rel.cluster.includes("web") ? "true" : undefined);
      assert.ok(!envNames(batch).includes("CLUSTER_ENABLE"), "batch reads no cluster.enable");
    });

    // Batch cannot run here (no runnable jar on Maven Central): its env is held against upstream's batch property keys.
    it("gives batch every property key upstream's batch of this release reads, and nothing else (test/fixtures/server/upstream-batch.facts.yaml)", async () => {
      const cases = [
        { name: "no mail", config: {}, mail: undefined },
        { name: "mail and webhook", config: { ...MAIL, alarmMailPort: "2525", alarmMailStartTls: "false" }, mail: { host: "smtp.example.com", port: 2525, from: "apm@example.com", startTls: false } },
        {
          name: "mail with an SMTP user",
          config: { ...MAIL, alarmMailUsername: "apm@example.com", alarmMailPassword: "smtp-pw-0123" },
          mail: { host: "smtp.example.com", port: 587, from: "apm@example.com", startTls: true, username: "apm@example.com" },
        },
      ];
      for (const c of cases) {
        const run = await render({ ...base, webIngressHost: "pinpoint.dev.example.com", webAdminPassword: ADMIN, ...c.config });
        const batch = container(run, "Deployment", "pinpoint-batch");
        const want = {
          mysqlHost: "pinpoint-mysql.pinpoint.svc.cluster.local",
          zookeeper: "pinpoint-zookeeper.pinpoint.svc.cluster.local",
          webUrl: "http://pinpoint.dev.example.com",
          webhook: "alarmNotify" in c.config,
          mail: c.mail,
        };
        assert.deepStrictEqual(batchFactProblems(rel.version, batch.env, want), [], c.name);
      }
      // The relaxed-binding names of keys with dashes, as Spring Boot documents them.
      const keys = batchFacts(rel.version).map((f) => f.key);
      if (rel.layout === "3.x") {
        assert.strictEqual(relaxedEnvName("spring.mail.pinpoint-url"), "SPRING_MAIL_PINPOINTURL");
        assert.ok(keys.includes("spring.meta-datasource.hikari.jdbc-url") && relaxedEnvName("spring.meta-datasource.hikari.jdbc-url") === "SPRING_METADATASOURCE_HIKARI_JDBCURL");
      } else {
        assert.ok(keys.includes("pinpoint.url") && keys.includes("jdbc.url"));
      }
    });

    it("points the links in alarm messages at the web UI, under the name the batch reads", async () => {
      const run = await render({ ...base, webIngressHost: "pinpoint.dev.example.com", webAdminPassword: ADMIN });
      const batch = container(run, "Deployment", "pinpoint-batch");
      const [name, other] = rel.layout === "2.5" ? ["PINPOINT_URL", "SPRING_MAIL_PINPOINTURL"] : ["SPRING_MAIL_PINPOINTURL", "PINPOINT_URL"];
      assert.strictEqual(envValue(batch, name), "http://pinpoint.dev.example.com");
      assert.strictEqual(envValue(batch, other), undefined);
    });

    it("turns the web's basic login on when an Ingress publishes the UI, with the Secret's credentials", async () => {
      const run = await render({ ...base, webIngressHost: "pinpoint.dev.example.com", webAdminPassword: ADMIN });
      assert.deepStrictEqual(run.errors, []);
      const web = container(run, "Deployment", "pinpoint-web");
      if (rel.layout === "2.5") {
        assert.strictEqual(envValue(web, "SPRING_PROFILES_ACTIVE"), "release,basicLogin");
        assert.ok(!envNames(web).includes("PINPOINT_MODULES_WEB_LOGIN"));
      } else {
        assert.strictEqual(envValue(web, "SPRING_PROFILES_ACTIVE"), "release");
        assert.strictEqual(envValue(web, "PINPOINT_MODULES_WEB_LOGIN"), "basicLogin");
      }
      // The login page answers anyone; `/` may be a 401 to the probe.
      assert.strictEqual(web.readinessProbe.httpGet.path, "/login");
      assert.strictEqual(envRef(web, "WEB_SECURITY_AUTH_ADMIN"), "web-login-admin");
      assert.strictEqual(envRef(web, "WEB_SECURITY_AUTH_JWT_SECRETKEY"), "web-login-jwt-secret");
      const secret = JSON.stringify(obj(run, "Secret", "pinpoint-server-secrets").inputs.stringData);
      assert.ok(secret.includes(`"web-login-admin":"admin:${ADMIN}"`), secret);
      assert.match(secret, /"web-login-jwt-secret":"[0-9a-f]{64}"/);

      const inside = await render(base);
      const plain = container(inside, "Deployment", "pinpoint-web");
      for (const n of ["PINPOINT_MODULES_WEB_LOGIN", "WEB_SECURITY_AUTH_ADMIN", "WEB_SECURITY_AUTH_JWT_SECRETKEY"]) assert.ok(!envNames(plain).includes(n), n);
      assert.strictEqual(envValue(plain, "SPRING_PROFILES_ACTIVE"), "release");
      assert.strictEqual(plain.readinessProbe.httpGet.path, "/");
    });

    it("keeps traces 7 days by default and follows the retention keys; a change restarts HBase to apply it", async () => {
      const dflt = await render(base);
      const config = obj(dflt, "ConfigMap", "pinpoint-hbase-config").inputs.data;
      assert.match(config.retention, /^AgentInfo 2592000$/m);
      assert.match(config.retention, /^ApiMetaData 2592000$/m);
      assert.match(config.retention, /^\* 604800$/m);
      const changed = await render({ ...base, traceRetention: "3d", metadataRetention: "90d" });
      const data = obj(changed, "ConfigMap", "pinpoint-hbase-config").inputs.data;
      assert.match(data.retention, /^\* 259200$/m);
      assert.match(data.retention, /^SqlMetaData_Ver2 7776000$/m);
      const hash = (run: ProgramRun) => obj(run, "StatefulSet", "pinpoint-hbase").inputs.spec.template.metadata.annotations["pinpoint.apm/config-hash"];
      assert.ok(hash(dflt) && hash(changed) && hash(dflt) !== hash(changed), "the pod template must change with the retention");
    });

    it("loads MySQL's schema from the release's own web image by a Job named for the version, which web and batch wait for", async () => {
      const run = await render(base);
      const jobName = `pinpoint-mysql-schema-${rel.version.replace(/\./g, "-")}`;
      const job = obj(run, "Job", jobName);
      const spec = job.inputs.spec.template.spec;
      assert.strictEqual(spec.initContainers[0].image, `docker.io/pinpointdocker/pinpoint-web:${rel.version}`);
      assert.strictEqual(envValue(spec.initContainers[0], rel.webSql[0]), rel.webSql[1]);
      assert.strictEqual(envValue(spec.containers[0], "BATCH_SCHEMA_MARKER"), rel.batchMarker);
      assert.strictEqual(envValue(spec.containers[0], "WIDEN_COLUMNS"), rel.widen);
      // The Job's pods are not MySQL's: the mysql Service must not select them.
      assert.notStrictEqual(job.inputs.spec.template.metadata.labels["app.kubernetes.io/component"], "mysql");
      for (const part of ["pinpoint-web", "pinpoint-batch"]) {
        assert.ok(obj(run, "Deployment", part).dependsOn.some((d) => d.includes("pp-mysql-schema")), `${part} waits for the schema Job`);
      }
    });

    it("fetches nothing from the internet at run time", async () => {
      const run = await render({ ...base, webIngressHost: "pinpoint.dev.example.com", webAdminPassword: ADMIN, ...MAIL });
      const text = JSON.stringify(k8s(run).map((r) => r.inputs));
      assert.doesNotMatch(text, /github|curl|wget|https?:\/\/(?!pinpoint[.-])/);
    });

    it("deploys no Redis unless the realtime module is asked for", async () => {
      const run = await render(base);
      assert.ok(!k8s(run).some((r) => r.inputs.metadata?.name === "pinpoint-redis"));
      const on = await render({ ...base, realtime: "true" });
      if (rel.layout === "2.5") {
        assert.match(on.errors[0] ?? "", /^pinpoint:realtime is true, and the 2\.5 release has no realtime module/);
      } else {
        assert.deepStrictEqual(on.errors, []);
        obj(on, "Deployment", "pinpoint-redis");
        const collector = container(on, "Deployment", "pinpoint-collector");
        assert.strictEqual(envValue(collector, "PINPOINT_MODULES_REALTIME_ENABLED"), "true");
        assert.strictEqual(envValue(collector, "SPRING_DATA_REDIS_HOST"), "pinpoint-redis.pinpoint.svc.cluster.local");
      }
    });
  });
}

describe("PinpointServer: sizing and bad input of issue 11's keys", () => {
  it("caps the pre-split regions per table in the HBase start script", () => {
    assert.match(HBASE_START_SCRIPT, /s\/NUMREGIONS \*=> \*\[0-9\]\+\/NUMREGIONS => 16\/g/);
  });

  const cases: Array<{ config: Record<string, string>; error: RegExp }> = [
    { config: { traceRetention: "a week" }, error: /^pinpoint:traceRetention is "a week", not a duration from 1m to 3650d/ },
    { config: { metadataRetention: "10s" }, error: /^pinpoint:metadataRetention is "10s", not a duration/ },
    { config: { webIngressHost: "pinpoint.dev.example.com" }, error: /^pinpoint:webAdminPassword is not set, and pinpoint:webIngressHost publishes the web UI/ },
  ];
  for (const c of cases) {
    it(`fails naming the key: ${Object.keys(c.config).join(", ")} = ${Object.values(c.config).join(", ")}`, async () => {
      const run = await render({ mysqlPassword: PASSWORD, ...c.config });
      assert.match(run.errors.join("\n"), c.error);
    });
  }
});

describe("PinpointServer: the login password", () => {
  it("refuses a password the web's user list cannot hold, naming the key", async () => {
    const { checkLoginPassword } = await import("../sdk/server/webLogin");
    for (const bad of ["short", "has:colon-inside", "has,comma-inside", "has space inside"]) {
      assert.throws(() => checkLoginPassword(bad), /^ConfigError: pinpoint:webAdminPassword must be at least 8 characters with no comma, colon or space/, bad);
    }
    assert.strictEqual(checkLoginPassword(ADMIN), ADMIN);
  });
});

describe("PinpointApm: agent and collector versions, as upstream's compatibility table", () => {
  const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"ab".repeat(32)}`;
  const apm = (config: Record<string, string>) => render({ enabled: "true", agentImage: IMAGE, mysqlPassword: PASSWORD, ...config }, () => new PinpointApm("apm"));
  const rows: Array<{ agent: string; collector: string; ok: boolean }> = [
    { agent: "2.5.4", collector: "2.5.4", ok: true },
    { agent: "2.5.4", collector: "3.0.1", ok: true },
    { agent: "2.5.4", collector: "3.1.0", ok: true },
    { agent: "3.0.1", collector: "2.5.4", ok: false },
    { agent: "3.0.5", collector: "3.0.1", ok: true },
    { agent: "3.0.1", collector: "3.1.0", ok: true },
    { agent: "3.1.0", collector: "2.5.4", ok: false },
    { agent: "3.1.0", collector: "3.0.5", ok: false },
    { agent: "3.1.0", collector: "3.1.0", ok: true },
  ];
  for (const r of rows) {
    it(`agent ${r.agent} with the deployed collector ${r.collector}: ${r.ok ? "accepted" : "a preview error naming both keys"}`, async () => {
      const run = await apm({ deployServer: "true", version: r.collector, agentVersion: r.agent });
      if (r.ok) assert.deepStrictEqual(run.errors, []);
      else {
        assert.match(run.errors[0] ?? "", new RegExp(`^pinpoint:agentVersion gives agent ${r.agent.replace(/\./g, "\\.")}, and pinpoint:version gives collector ${r.collector.replace(/\./g, "\\.")}`));
        assert.ok(!run.resources.some((x) => x.type.startsWith("kubernetes:")), "nothing is deployed");
      }
    });
  }

  it("checks an external collector by pinpoint:collectorVersion, and the agent version read from the archive's name", async () => {
    const run = await apm({ collectorHost: "collector.apm.example.com", collectorVersion: "3.0.5", agentVersion: "3.1.0" });
    assert.match(run.errors[0] ?? "", /^pinpoint:agentVersion gives agent 3\.1\.0, and pinpoint:collectorVersion gives collector 3\.0\.5.*a collector of 3\.1\.x/);
    const { agentVersionOf } = await import("../sdk/server/compatibility");
    assert.deepStrictEqual(agentVersionOf(undefined, "/tmp/pinpoint-agent-3.0.1.tar.gz"), { version: "3.0.1", key: "agentArchive" });
    assert.strictEqual(agentVersionOf(undefined, "pp_agent.tgz"), undefined);
  });

  it("refuses pinpoint:collectorVersion beside deployServer", async () => {
    const run = await apm({ deployServer: "true", collectorVersion: "3.1.0" });
    assert.match(run.errors[0] ?? "", /^pinpoint:collectorVersion is set, and pinpoint:deployServer is true/);
  });
});
