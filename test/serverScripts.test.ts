/**
 * The scripts PinpointServer runs in containers, run here for real: the HBase
 * start script's table logic against a stand-in `hbase` shell (tables missing
 * created with our TTLs and pre-split cap, existing ones altered, a second run
 * changes nothing), the schema extraction against the released pinpoint-web
 * 3.0.1 jar (launch script and all), and the schema Job's SQL twice against a
 * real MariaDB, from a Spring Batch 4 repository through a widening upgrade.
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HBASE_START_SCRIPT } from "../sdk/server/hbase";
import { BATCH_TABLES, schemaApplyScript, schemaExtractScript, schemaJobEnv } from "../sdk/server/migrations";
import { RELEASES, HBASE_MAX_PRESPLIT_REGIONS } from "../sdk/server/constants";
import { retentionFile, Retention } from "../sdk/server/retention";
import { fakeHbaseHome, Tables } from "./support/fakeHbase";
import { upstreamCreate, upstreamRegions, upstreamTables } from "./support/upstreamHbase";
import { Mariadb, startMariadb } from "./support/mariadb";
import { resolveArtifacts } from "./e2e/pinpoint/artifacts";
import { RETENTION_TABLES } from "../sdk/server/retention";

const FIXTURES = path.join(__dirname, "fixtures", "server");
/** The released web jar, resolved from the version pinned in test/e2e/pinpoint/maven/pom.xml (.ci/run fetches it). */
const webJar = (): string => process.env.PINPOINT_WEB_JAR ?? resolveArtifacts().webJar;
const DAY = 86400;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the start script in its own process group until the tables are ready, then stops it. */
async function runStartScript(dir: string, retention: Retention, env: Record<string, string>): Promise<string> {
  const config = path.join(dir, "config");
  fs.mkdirSync(config, { recursive: true });
  fs.writeFileSync(path.join(config, "retention"), retentionFile(retention));
  fs.writeFileSync(path.join(config, "hbase-site.xml"), "<configuration/>\n");
  const work = path.join(dir, "tmp");
  fs.mkdirSync(work, { recursive: true });
  // Work files first: the temp folders given for both are themselves under /tmp.
  const script = HBASE_START_SCRIPT.replace(/\/tmp\//g, `${work}/`).replace(/\/etc\/pinpoint-hbase/g, config);
  const ready = path.join(work, "pinpoint-tables-ready");
  fs.rmSync(ready, { force: true });
  let out = "";
  const child: ChildProcess = spawn("bash", ["-c", script], {
    env: { ...process.env, BASE_DIR: FIXTURES, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  try {
    for (let i = 0; !fs.existsSync(ready); i++) {
      if (child.exitCode !== null || i > 600) throw new Error(`the start script ended or hung before the tables were ready:\n${out}`);
      await sleep(100);
    }
  } finally {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
    for (const f of fs.readdirSync(path.join(work, "hbase-pids"), { withFileTypes: true })) {
      const pid = Number(fs.readFileSync(path.join(work, "hbase-pids", f.name), "utf8"));
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  return out;
}

describe("HBase start script: tables and retention", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-hbase-"));
    // The fixture's create file under the name the script reads.
    fs.copyFileSync(path.join(FIXTURES, "hbase-create.retention.hbase"), path.join(dir, "hbase-create.hbase"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates only the missing tables, with the retention TTLs and the pre-split cap, and alters the existing ones", async () => {
    // ApiMetaData exists with upstream's year; TraceIndex and AgentInfo are missing.
    const home = fakeHbaseHome(path.join(dir, "run1"), { ApiMetaData: { Api: 365 * DAY } } as Tables);
    const out = await runStartScript(path.join(dir, "run1"), { traces: 7 * DAY, agentInfo: 30 * DAY, metadata: 30 * DAY }, { ...home.env, BASE_DIR: dir });
    const log = fs.readFileSync(home.log, "utf8");
    const created = log.split("\n").filter((l) => l.startsWith("create"));
    assert.deepStrictEqual(created.map((l) => /create '([^']+)'/.exec(l)?.[1]), ["TraceIndex", "AgentInfo"], out);
    assert.match(created[0], /NAME => 'I', TTL => 604800 .*NAME => 'M', TTL => 604800 .*NUMREGIONS => 16,/);
    assert.strictEqual(HBASE_MAX_PRESPLIT_REGIONS, 16);
    assert.match(created[1], /TTL => 2592000/);
    assert.match(log, /alter 'ApiMetaData', \{ NAME => 'Api', TTL => 2592000 \}/);
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(home.state, "utf8")), {
      ApiMetaData: { Api: 30 * DAY },
      TraceIndex: { I: 7 * DAY, M: 7 * DAY },
      AgentInfo: { Info: 30 * DAY },
    });
  });

  it("on a later start creates nothing, and alters exactly the tables whose retention changed", async () => {
    const tables: Tables = { ApiMetaData: { Api: 30 * DAY }, TraceIndex: { I: 7 * DAY, M: 7 * DAY }, AgentInfo: { Info: 30 * DAY } };
    const same = fakeHbaseHome(path.join(dir, "run2"), tables);
    await runStartScript(path.join(dir, "run2"), { traces: 7 * DAY, agentInfo: 30 * DAY, metadata: 30 * DAY }, { ...same.env, BASE_DIR: dir });
    assert.strictEqual(fs.readFileSync(same.log, "utf8"), "", "nothing to create or alter");

    const changed = fakeHbaseHome(path.join(dir, "run3"), tables);
    await runStartScript(path.join(dir, "run3"), { traces: 3 * DAY, agentInfo: 30 * DAY, metadata: 30 * DAY }, { ...changed.env, BASE_DIR: dir });
    const alters = fs.readFileSync(changed.log, "utf8").split("\n").filter((l) => l.startsWith("alter"));
    assert.deepStrictEqual(alters, ["alter 'TraceIndex', { NAME => 'I', TTL => 259200 }", "alter 'TraceIndex', { NAME => 'M', TTL => 259200 }"]);
  });
});

describe("HBase start script: upstream's own create statements", () => {
  const facts = { tables: upstreamTables() };
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-hbase-up-"));
    const body = Object.entries(facts.tables).map(([n, t]) => upstreamCreate(n, t));
    fs.writeFileSync(path.join(dir, "hbase-create.hbase"), `${body.join("\n\n")}\n\nlist\n\nexit\n`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("caps every table's pre-split (SPLITS arrays and NUMREGIONS) and sets every family's TTL from the retention keys", async () => {
    const retention: Retention = { traces: 3 * DAY, agentInfo: 20 * DAY, metadata: 10 * DAY };
    const home = fakeHbaseHome(path.join(dir, "run"), {});
    const out = await runStartScript(path.join(dir, "run"), retention, { ...home.env, BASE_DIR: dir });
    const created = fs.readFileSync(home.log, "utf8").split("\n").filter((l) => l.startsWith("create"));
    const byTable = new Map(created.map((l) => [/create '([^']+)'/.exec(l)![1], l]));
    assert.deepStrictEqual([...byTable.keys()].sort(), Object.keys(facts.tables).sort(), out);
    for (const [name, t] of Object.entries(facts.tables)) {
      const line = byTable.get(name)!;
      const cls = RETENTION_TABLES.agentInfo.includes(name) ? "agentInfo" : RETENTION_TABLES.metadata.includes(name) ? "metadata" : "traces";
      const ttls = [...line.matchAll(/TTL => (\d+)/g)].map((m) => Number(m[1]));
      assert.deepStrictEqual(ttls, Object.keys(t.families).map(() => retention[cls]), `${name}: ${line.slice(0, 200)}`);
      const keys = /SPLITS=>\[([^\]]*)\]/.exec(line)?.[1].split(",") ?? [];
      const regions = t.numRegions ? Number(/NUMREGIONS => (\d+)/.exec(line)![1]) : keys.length + 1;
      assert.strictEqual(regions, Math.min(upstreamRegions(t), HBASE_MAX_PRESPLIT_REGIONS), `${name}: regions`);
      // Kept keys are upstream's own, in order: the regions stay aligned with the salt byte.
      const upstreamKeys = /SPLITS=>\[([^\]]*)\]/.exec(upstreamCreate(name, t))?.[1].split(",") ?? [];
      let at = -1;
      for (const k of keys) {
        const next = upstreamKeys.indexOf(k, at + 1);
        assert.ok(next > at, `${name}: split key ${k} is not one of upstream's, in order`);
        at = next;
      }
    }
    // The 63-key tables: every 4th key, 16 even regions.
    assert.match(byTable.get("AgentStatV2")!, /SPLITS=>\["\\x04(\\x00){15}","\\x08/);
  });
});

describe("Schema Job: the SQL out of the web image", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-schema-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const extract = (env: Record<string, string>) => {
    const script = schemaExtractScript().replace(/\/schema/g, dir);
    return execFileSync("bash", ["-c", script], { env: { ...process.env, ...env }, encoding: "utf8" });
  };

  it("reads both files out of the released pinpoint-web 3.0.1 jar, launch script in front, byte for byte", () => {
    assert.ok(fs.existsSync(webJar()), `${webJar()} is missing: .ci/run fetches it from Maven Central (or set PINPOINT_WEB_JAR)`);
    extract({ WEB_JAR: webJar() });
    for (const f of ["CreateTableStatement-mysql.sql", "SpringBatchJobRepositorySchema-mysql.sql"]) {
      const want = execFileSync("unzip", ["-p", webJar(), `BOOT-INF/classes/sql/${f}`]);
      assert.ok(fs.readFileSync(path.join(dir, f)).equals(want), `${f} differs from the jar's entry`);
    }
    assert.match(fs.readFileSync(path.join(dir, "CreateTableStatement-mysql.sql"), "utf8"), /CREATE TABLE `puser`/);
  });

  it("copies them from the image's folder when the image keeps the jar exploded (3.x)", () => {
    const sql = path.join(dir, "exploded");
    fs.mkdirSync(sql);
    fs.writeFileSync(path.join(sql, "CreateTableStatement-mysql.sql"), "CREATE TABLE a (id int);\n");
    fs.writeFileSync(path.join(sql, "SpringBatchJobRepositorySchema-mysql.sql"), "CREATE TABLE b (id int);\n");
    extract({ WEB_SQL_DIR: sql });
    assert.strictEqual(fs.readFileSync(path.join(dir, "SpringBatchJobRepositorySchema-mysql.sql"), "utf8"), "CREATE TABLE b (id int);\n");
  });

  it("fails, naming the file, when the jar lacks it", () => {
    const jar = path.join(dir, "empty.jar");
    fs.writeFileSync(jar, "not a zip");
    assert.throws(() => extract({ WEB_JAR: jar }), /holds no BOOT-INF\/classes\/sql\/CreateTableStatement-mysql\.sql/);
  });
});

describe("Schema Job: the SQL applied to a real MariaDB, twice", function () {
  this.timeout(180000);
  let dir: string;
  let db: Mariadb;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-mariadb-"));
    db = await startMariadb(path.join(dir, "db"));
    db.query("CREATE DATABASE pinpoint");
    // The schema files of the released jar, where the Job's extract step leaves them.
    const script = schemaExtractScript().replace(/\/schema/g, path.join(dir, "schema"));
    fs.mkdirSync(path.join(dir, "schema"));
    execFileSync("bash", ["-c", script], { env: { ...process.env, WEB_JAR: webJar() } });
  });
  after(async () => {
    await db?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The Job's apply step with the env the Job gives it for this release. */
  const apply = (version: string) => {
    const env: Record<string, string> = {};
    const settings = { version, namespace: "pinpoint", clusterDomain: "cluster.local", release: RELEASES[version] } as any;
    for (const e of schemaJobEnv(settings)) if (e.value !== undefined) env[e.name] = e.value;
    Object.assign(env, { MYSQL_HOST: "127.0.0.1", MYSQL_PORT: String(db.port), MYSQL_PWD: "any" });
    const script = schemaApplyScript().replace(/\/schema/g, path.join(dir, "schema"));
    return execFileSync("bash", ["-c", script], { env: { ...process.env, ...env }, encoding: "utf8" });
  };
  const columns = (table: string) => db.query(`SELECT COLUMN_NAME, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='pinpoint' AND TABLE_NAME='${table}' ORDER BY ORDINAL_POSITION`).trim();

  it("upgrading from 2.5: replaces the Spring Batch 4 job repository and creates every Pinpoint table", () => {
    // A job repository of Spring Batch 4's layout (2.5), written for this test: the columns that tell the layouts apart.
    db.query(
      "CREATE TABLE BATCH_JOB_INSTANCE (JOB_INSTANCE_ID BIGINT PRIMARY KEY);" +
        "CREATE TABLE BATCH_JOB_EXECUTION (JOB_EXECUTION_ID BIGINT PRIMARY KEY, JOB_INSTANCE_ID BIGINT, JOB_CONFIGURATION_LOCATION VARCHAR(2500), FOREIGN KEY (JOB_INSTANCE_ID) REFERENCES BATCH_JOB_INSTANCE(JOB_INSTANCE_ID));" +
        "CREATE TABLE BATCH_JOB_EXECUTION_PARAMS (JOB_EXECUTION_ID BIGINT, TYPE_CD VARCHAR(6), KEY_NAME VARCHAR(100), FOREIGN KEY (JOB_EXECUTION_ID) REFERENCES BATCH_JOB_EXECUTION(JOB_EXECUTION_ID));" +
        "INSERT INTO BATCH_JOB_INSTANCE VALUES (1); INSERT INTO BATCH_JOB_EXECUTION VALUES (1, 1, NULL); INSERT INTO BATCH_JOB_EXECUTION_PARAMS VALUES (1, 'LONG', 'schedule');",
      "pinpoint",
    );
    const out = apply("3.0.1");
    assert.match(out, /dropping the Spring Batch job repository of another layout/);
    assert.match(columns("BATCH_JOB_EXECUTION_PARAMS"), /PARAMETER_NAME/);
    assert.doesNotMatch(columns("BATCH_JOB_EXECUTION_PARAMS"), /TYPE_CD/);
    const tables = db.query("SHOW TABLES", "pinpoint").trim().split("\n").sort();
    assert.deepStrictEqual(tables, [...BATCH_TABLES, "agent_statistics", "alarm_history", "alarm_rule", "puser", "user_group", "user_group_member", "webhook", "webhook_send"].sort());
    assert.strictEqual(db.query("SELECT COUNT(*) FROM BATCH_JOB_SEQ", "pinpoint").trim(), "1");
  });

  it("applied again changes nothing and keeps the data", () => {
    db.query("INSERT INTO puser (user_id, name, department) VALUES ('dev1', 'Dev One', 'apm')", "pinpoint");
    const before = db.query("SHOW CREATE TABLE puser", "pinpoint");
    const out = apply("3.0.1");
    assert.doesNotMatch(out, /creating|dropping|widening/);
    assert.strictEqual(db.query("SHOW CREATE TABLE puser", "pinpoint"), before);
    assert.strictEqual(db.query("SELECT user_id FROM puser", "pinpoint").trim(), "dev1");
    assert.strictEqual(db.query("SELECT COUNT(*) FROM BATCH_JOB_SEQ", "pinpoint").trim(), "1");
  });

  it("upgrading 3.0 to 3.1 widens the webhook columns, once", () => {
    assert.match(columns("webhook"), /application_id\t45/);
    assert.match(apply("3.1.0"), /widening webhook\.application_id to 127/);
    assert.match(columns("webhook"), /application_id\t127\nservice_name\t127/);
    assert.doesNotMatch(apply("3.1.0"), /widening/);
    assert.strictEqual(db.query("SELECT user_id FROM puser", "pinpoint").trim(), "dev1");
  });
});
