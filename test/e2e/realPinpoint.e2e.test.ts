/**
 * Real Pinpoint, end to end, with released artifacts only (see README "Real
 * Pinpoint end to end"): the agent archive from Maven Central built into the
 * agent image by AgentImage's context, buildah and docker-registry; the org's
 * stack rendered; ZooKeeper, HBase, collector, web and Redis run from the
 * rendered PinpointServer pods (stand-ins for the images: pinpoint/standIns.ts)
 * on a cluster network of their own, every probe executed, with alarms' MySQL
 * (MariaDB) and schema Job before the web, and an alarm rule stored through the
 * web's API (batch has no runnable jar: its env is checked, not run); the seed Tomcat and
 * a plain JVM app started from their rendered, instrumented Deployments; and
 * the web's HTTP API (what its UI calls) showing both applications, their
 * agents and stored transactions. Then the bad paths: pinpoint:enabled false,
 * and a collector that is down.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Deployment, StatefulSet } from "kubernetes-types/apps/v1";
import type { Job } from "kubernetes-types/batch/v1";
import type { ConfigMap, Container as K8sContainer, Secret, Service } from "kubernetes-types/core/v1";
import type { Ingress } from "kubernetes-types/networking/v1";
import { AgentImage, INIT_CONTAINER_NAME, MOUNT_PATH } from "../../sdk";
import type { KubernetesObject } from "../../sdk/render/objects";
import { ofType, runProgram } from "../harness/pulumiProgram";
import { Buildah } from "./buildah";
import { removeMountPoints } from "./cluster/container";
import { READINESS_BOUND_SECONDS, runPod, RunningPod, PodEnvironment } from "./cluster/kubelet";
import { answerWithin, ClusterDns } from "./cluster/dns";
import { ClusterNetwork } from "./cluster/network";
import { serviceLinkEnv } from "./cluster/serviceLinks";
import type { ProbeRecord } from "./cluster/probes";
import { Artifacts, resolveArtifacts } from "./pinpoint/artifacts";
import { E2E_ALARMS, E2E_MYSQL_PASSWORD, findObject, MAIL_SINK, MAIL_SINK_HOST, mailSinkObjects, PLAIN_APP, PLAIN_APP_PORT, RenderInput, renderStack, renderStackRun, SEED_APP, serverReleaseFor, STACK } from "./pinpoint/manifests";
import { curlTransport, normaliseReport, podEvidence, readmeReport, recorder, runStatusCli, silentAppDeployment, SILENT_APP } from "./pinpoint/status";
import { COLLECTOR_UNREACHABLE, coverageReport, exitCodeOf, findStatusOutputs, formatReport, webUrlOf } from "../../sdk/status";
import { stringify as stringifyYaml } from "yaml";
import { HBASE_INSPECT_TABLES, StandIns } from "./pinpoint/standIns";
import { upstreamRegions, upstreamTables } from "../support/upstreamHbase";
import { HBASE_MAX_PRESPLIT_REGIONS, MYSQL_DATABASE, MYSQL_SCHEMA_FILES, MYSQL_USER, NAMES } from "../../sdk/server/constants";
import { JAR_SQL_DIR, schemaJobName } from "../../sdk/server/migrations";
import { PINPOINT_URL_ENV } from "../../sdk/server/alarms";
import { sunkMails } from "./pinpoint/mailSink";
import { BATCH_MAIL_HANDED } from "./pinpoint/batchStandIn";
import { ALARM_GROUP, ALARM_USER, createAlarmRule, createdTables, storedRuleQuery } from "./pinpoint/alarmRule";
import { batchFactProblems, BATCH_STAND_IN } from "../support/batchFacts";
import { checkRunVersions } from "./pinpoint/versionPair";
import { containerEvidence, Evidence, EVIDENCE_FILE, runArtifacts, writeEvidence } from "./pinpoint/evidence";
import { callRecords, formatCallTree, ScatterAnswer, scatterDots, TransactionInfoAnswer } from "./pinpoint/callTree";
import { missingChromium, uiDate, WebBrowser } from "./pinpoint/browser";
import { runInitContainer } from "./pod";
import { manifestDigest, Registry, startRegistry } from "./registry";
import { BUSYBOX, missingPrerequisites, run } from "./tools";

const REPOSITORY = "fjhb/pp_agent";
/** Tools this test needs beyond the agent image test's, and the Debian package of each. */
const MORE_TOOLS: Array<[string, string]> = [
  ["mvn", "maven"],
  ["curl", "curl"],
  ["ip", "iproute2"],
  ["nsenter", "util-linux"],
  ["unzip", "unzip"],
  ["redis-server", "redis-server"],
  ["redis-cli", "redis-tools"],
  ["dnsmasq", "dnsmasq-base"],
];
/** Requests per app: the agent samples 1 in 20 by default (profiler.sampling.counting.sampling-rate). */
const REQUESTS = 60;
const WEB_WAIT_MS = 180000;
/** What only a loaded agent prints (PinpointStarter, on the container's output): Tomcat echoes its -javaagent argument, but never this. */
const AGENT_STARTED = /pinpoint agent started normally\./;
/** Where the evidence file, the web's answers and the screenshots go. */
const OUT_DIR = path.dirname(EVIDENCE_FILE);
/** Messages the agent's IdValidator and AgentId write when they reject an id or a name. */
const ID_REJECTION = /invalid Id|can only contain|length of agent(Id|Name)|cannot be greater than/i;

function onPath(command: string): boolean {
  return require("child_process").spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** A Deployment's pod name as the ReplicaSet controller makes it. */
function deploymentPodName(name: string): string {
  return `${name}-5d7c9f8b6-${Math.random().toString(36).slice(2, 7)}`;
}

/** What the run proved, printed once every suite is done, so that it ends the output. */
const evidence: string[] = [];
const probes: ProbeRecord[] = [];
/** Every pod the suite started (the suite's own list is inside its describe). */
const startedPods: RunningPod[] = [];
/** The same, and more, as out/e2e-pinpoint/evidence.json (pinpoint/evidence.ts). */
let evidenceJson: Evidence | undefined;

after(() => {
  if (evidence.length === 0 && probes.length === 0) return;
  if (evidenceJson) {
    const file = writeEvidence({ ...evidenceJson, probes: probes.map((p) => ({ ...p, result: "passed" as const })), containers: containerEvidence(startedPods), lines: evidence });
    evidence.push(`evidence file: ${path.relative(process.cwd(), file)}`);
  }
  console.log("\n  Evidence (real Pinpoint end to end)");
  for (const line of evidence) console.log(`    ${line}`);
  console.log(`    probes passed: ${probes.length} (${probes.map((p) => `${p.pod.replace(/-[0-9a-f]{9}-[a-z0-9]{5}$/, "")}/${p.kind.replace("Probe", "")} ${p.handler}`).join("; ")})`);
});

describe("real Pinpoint end to end: released agent, collector, web; Tomcat and a plain JVM report", function () {
  this.timeout(30 * 60 * 1000);
  let tmp: string;
  let artifacts: Artifacts;
  let registry: Registry | undefined;
  let buildah: Buildah;
  let network: ClusterNetwork | undefined;
  let dns: ClusterDns | undefined;
  let standIns: StandIns;
  let imageRef: string;
  let objects: KubernetesObject[];
  /** When the alarm rule was created (the mail test measures from it). */
  let ruleCreatedAt = 0;
  const pods: RunningPod[] = [];
  const buildahContainers: string[] = [];

  function podEnvironment(objs: readonly KubernetesObject[]): PodEnvironment {
    return {
      network: network!,
      dns: dns!,
      workDir: path.join(tmp, "pods"),
      secrets: objs.filter((o) => o.kind === "Secret") as Secret[],
      configMaps: objs.filter((o) => o.kind === "ConfigMap") as ConfigMap[],
      image: (c) => standIns.image(c, path.join(tmp, "images", `${c.name}-${pods.length}`)),
      runInit: (init, volumes) => {
        const { container, rootfs } = buildah.mountImage(init.image!);
        try {
          runInitContainer(init, rootfs, buildah.imageConfig(init.image!).Env ?? [], volumes.get(init.volumeMounts![0].name)!);
        } finally {
          buildah.run("rm", container);
        }
      },
      initImage: (c) => (standIns.runsAsProcess(c) ? standIns.image(c, path.join(tmp, "images", `${c.name}-${pods.length}`)) : undefined),
      serviceLinks: (namespace) => serviceLinkEnv(objs.filter((o) => o.kind === "Service") as Service[], namespace, (svc) => dns!.addressOf(svc)),
      imageRoot: (reference) => {
        const { container, rootfs } = buildah.mountImage(reference);
        buildahContainers.push(container);
        return rootfs;
      },
    };
  }

  /** The org's stack as this run renders it: the test registry, the pushed agent image, the web jar's release; `extra` over that. */
  function runInput(extra: Partial<RenderInput> = {}): RenderInput {
    return { registry: registry!.host, agentImage: imageRef!, agentVersion: artifacts.versions.agent, serverVersion: serverReleaseFor(artifacts.versions.web), enabled: true, ...extra };
  }

  /** Applies the render's Services to the cluster DNS and starts a workload's pod. */
  async function startWorkload(kind: "Deployment" | "StatefulSet", name: string, objs: readonly KubernetesObject[], skipProbes = false): Promise<RunningPod> {
    const w = findObject<Deployment | StatefulSet>(objs, kind, name);
    dns!.applyServices(objs.filter((o) => o.kind === "Service") as Service[]);
    const namespace = w.metadata!.namespace!;
    const sts = kind === "StatefulSet" ? (w as StatefulSet).spec! : undefined;
    const pod = await runPod(
      {
        name: sts ? `${name}-0` : deploymentPodName(name),
        namespace,
        template: w.spec!.template,
        claims: sts?.volumeClaimTemplates?.map((c) => c.metadata!.name!),
        subdomain: sts?.serviceName,
        skipProbes,
      },
      podEnvironment(objs),
    );
    pods.push(pod);
    startedPods.push(pod);
    probes.push(...pod.probes);
    checkServicePorts(objs, pod, w.spec!.template.metadata?.labels ?? {});
    return pod;
  }

  /** Runs a rendered Job's pod as its controller would (init containers, then the containers), to completion; fails unless every container exits 0. */
  async function runJob(name: string, objs: readonly KubernetesObject[]): Promise<{ pod: RunningPod; seconds: number }> {
    const job = findObject<Job>(objs, "Job", name);
    const startedAt = Date.now();
    const pod = await runPod({ name: `${name}-${Math.random().toString(36).slice(2, 7)}`, namespace: job.metadata!.namespace!, template: job.spec!.template }, podEnvironment(objs));
    pods.push(pod);
    startedPods.push(pod);
    await Promise.all(pod.containers.map((c) => c.process.wait()));
    for (const c of pod.containers) assert.strictEqual(c.process.exitCode, 0, `Job ${name}: ${c.spec.name} exited ${c.process.exitCode}:\n${c.process.log().slice(-3000)}`);
    return { pod, seconds: Math.round((Date.now() - startedAt) / 1000) };
  }

  /** SQL as the rendered MySQL user, inside the MySQL pod; tab-separated rows. */
  function mysqlQuery(mysql: RunningPod, sql: string): string[] {
    const r = mysql.containers[0].process.exec(["mysql", "--protocol=tcp", "-h", "127.0.0.1", "-u", MYSQL_USER, `-p${E2E_MYSQL_PASSWORD}`, "-N", "-B", MYSQL_DATABASE, "-e", sql], 30_000);
    assert.strictEqual(r.code, 0, `mysql -e "${sql}": ${r.output}`);
    return r.output.split("\n").filter(Boolean);
  }

  /** Every Service whose selector picks the pod's labels must target the containers' ports by the same number (no kube-proxy here). */
  function checkServicePorts(objs: readonly KubernetesObject[], pod: RunningPod, labels: Record<string, string>): void {
    for (const svc of objs.filter((o) => o.kind === "Service") as Service[]) {
      const selector = svc.spec?.selector ?? {};
      if (svc.metadata?.namespace !== pod.namespace || Object.keys(selector).length === 0) continue;
      if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
      const ports = pod.containers.flatMap((c) => c.spec.ports ?? []);
      for (const p of svc.spec?.ports ?? []) {
        const target = typeof p.targetPort === "string" ? ports.find((cp) => cp.name === p.targetPort)?.containerPort : (p.targetPort ?? p.port);
        assert.strictEqual(target, p.port, `Service ${svc.metadata!.name} port ${p.name}: targets ${p.targetPort}, which the pod does not declare as port ${p.port}`);
      }
    }
  }

  /** The first address getaddrinfo gives for `name` inside the pod's first container (its resolv.conf), or undefined. */
  function resolveIn(pod: RunningPod, name: string): string | undefined {
    const r = pod.containers[0].process.exec(["getent", "ahostsv4", name], 10_000);
    return r.code === 0 ? r.output.split(/\s+/)[0] : undefined;
  }

  /** `java -XshowSettings:system` in the pod's first container: the limits a JVM there sees. */
  function jvmSystemView(pod: RunningPod): string {
    return pod.containers[0].process.exec(["java", "-XshowSettings:system", "-version"], 60_000).output;
  }

  function http(url: string, timeoutSeconds = 10, post?: unknown): { status: number; body: string } {
    const send = post === undefined ? [] : ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", JSON.stringify(post)];
    const out = network!.inNode(["curl", "-s", "--max-time", String(timeoutSeconds), ...send, "-w", "\n%{http_code}", url]).stdout;
    const i = out.lastIndexOf("\n");
    return { status: Number(out.slice(i + 1)), body: out.slice(0, i) };
  }

  /** The first web pod started (the server's; a later test starts one with login on). */
  function webPod(): RunningPod {
    return pods.find((p) => p.name.startsWith("pinpoint-web-"))!;
  }

  function webApi<T>(pathAndQuery: string, post?: unknown): T {
    const web = webPod();
    const r = http(`http://${web.ip}:8080${pathAndQuery}`, 10, post);
    assert.strictEqual(r.status, 200, `web ${pathAndQuery} answered ${r.status}: ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body) as T;
  }

  async function until<T>(what: string, fn: () => T | undefined, timeoutMs = WEB_WAIT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = fn();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s${last ? `: ${String(last)}` : ""}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }

  /** The stored transactions (scatter dots) of an application accepted from `from` on. */
  function transactionsSince(application: string, from: number) {
    const to = Date.now() + 60000;
    return scatterDots(webApi<ScatterAnswer>(`/api/getScatterData?application=${application}&from=${from}&to=${to}&limit=5000&xGroupUnit=1&yGroupUnit=1&backwardDirection=true`)).filter((d) => d.acceptedTime >= from);
  }

  function serve(pod: RunningPod, port: number, requests: number): void {
    for (let i = 0; i < requests; i++) {
      const r = http(`http://${pod.ip}:${port}/?order=${i}`);
      assert.strictEqual(r.status, 200, `${pod.name} answered ${r.status}`);
    }
  }

  /** Waits until the app answers on its port (it has no probe of its own). */
  async function awaitServing(pod: RunningPod, port: number): Promise<void> {
    await until(`${pod.name} serving on :${port}`, () => {
      assert.ok(pod.containers[0].process.running, `${pod.name} exited:\n${pod.containers[0].process.log().slice(-3000)}`);
      return http(`http://${pod.ip}:${port}/`, 3).status === 200 ? true : undefined;
    }, 120000);
  }

  function agentLogs(pod: RunningPod): string {
    const dir = pod.volumes.get("pp-agent");
    const files = dir && fs.existsSync(path.join(dir, "logs")) ? run("find", [path.join(dir, "logs"), "-name", "*.log"]).split("\n").filter(Boolean) : [];
    return [pod.containers[0].process.log(), ...files.map((f) => fs.readFileSync(f, "utf8"))].join("\n");
  }

  before(async function () {
    const missing = missingPrerequisites();
    for (const [command, pkg] of MORE_TOOLS) if (!onPath(command)) missing.push(`${command} (Debian package ${pkg})`);
    if (missing.length > 0) {
      const message = `the real-Pinpoint end to end needs: ${missing.join("; ")}`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-real-e2e-"));
    fs.chmodSync(tmp, 0o755);
    artifacts = resolveArtifacts();
    evidenceJson = { startedAt: new Date().toISOString(), run: runArtifacts(artifacts.versions), probes: [], applications: [], lines: [] };
    standIns = new StandIns(artifacts, path.join(tmp, "stand-ins"));
    registry = await startRegistry(path.join(tmp, "registry"));
    buildah = new Buildah(path.join(tmp, "buildah"));
    network = await ClusterNetwork.create();
    dns = await ClusterDns.start(network, path.join(tmp, "dns"));
  });

  after(async function () {
    // All at once: each gets the kubelet's grace period, then SIGKILL.
    await Promise.all(pods.map((pod) => pod.stop().catch(() => undefined)));
    dns?.stop();
    network?.stop();
    if (registry) await registry.stop();
    if (buildah) {
      try {
        buildah.run("rm", "--all");
      } catch {
        // nothing mounted
      }
    }
    removeMountPoints();
    if (tmp && process.env.E2E_KEEP !== "true") fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("builds the agent image from the released archive with AgentImage's context, pushes it, and the digest is the pinned reference's", async () => {
    const contextDir = path.join(tmp, "context");
    const baseImage = buildah.busyboxBase(registry!.host, BUSYBOX.path);
    const program = () => {
      const image = new AgentImage("pp", { contextDir, registry: registry!.host, baseImage });
      return { imageRef: image.imageRef };
    };
    const config = { agentArchive: artifacts.agentArchive };
    const preview = await runProgram(program, { config, preview: true });
    assert.deepStrictEqual(preview.errors, []);
    const [declared] = ofType(preview, "docker:index/image:Image");
    const imageName = declared.inputs.imageName as string;
    const tag = imageName.slice(imageName.lastIndexOf(":") + 1);
    assert.ok(tag.startsWith(`${artifacts.versions.agent}-`), `tag ${tag} names the archive's version`);
    buildah.bud(declared.inputs.build.context, declared.inputs.build.dockerfile, imageName);
    const pushed = buildah.push(imageName);
    assert.strictEqual(pushed, await manifestDigest(registry!.host, REPOSITORY, tag));
    const up = await runProgram(program, { config, state: (type) => (type === "docker:index/image:Image" ? { repoDigest: `${imageName.replace(/:[^:/]+$/, "")}@${pushed}` } : undefined) });
    assert.deepStrictEqual(up.errors, []);
    imageRef = up.outputs.imageRef;
    assert.strictEqual(imageRef, `${registry!.host}/${REPOSITORY}@${pushed}`);

    // The image holds the archive's files directly under /var/lib/pp_agent.
    const unpacked = path.join(tmp, "archive");
    fs.mkdirSync(unpacked);
    run("tar", ["xzf", artifacts.agentArchive, "-C", unpacked]);
    const [top] = fs.readdirSync(unpacked);
    const { container, rootfs } = buildah.mountImage(imageRef);
    try {
      const home = path.join(rootfs, "var", "lib", "pp_agent");
      assert.deepStrictEqual(fs.readFileSync(path.join(home, "pinpoint-bootstrap.jar")), fs.readFileSync(path.join(unpacked, top, "pinpoint-bootstrap.jar")));
      const files = run("find", [home, "-type", "f"]).split("\n").filter(Boolean).length;
      assert.strictEqual(files, run("find", [path.join(unpacked, top), "-type", "f"]).split("\n").filter(Boolean).length);
      evidence.push(`agent image ${imageRef} (agent ${artifacts.versions.agent}, ${files} files)`);
    } finally {
      buildah.run("rm", container);
    }
  });

  /** The schema Job's two steps ran as rendered, and MySQL holds every table the release's SQL files create (read from the released jar, not from the Job). */
  function checkSchema(mysql: RunningPod, job: RunningPod): string[] {
    assert.deepStrictEqual(job.initContainers.map((i) => [i.name, i.exitCode]), [["extract-schema", 0]]);
    assert.match(job.initContainers[0].log, /schema of the web image copied to/);
    assert.match(job.containers[0].process.log(), new RegExp(`schema of Pinpoint ${serverReleaseFor(artifacts.versions.web).replace(/\./g, "\\.")} applied`));
    const live = mysqlQuery(mysql, "SHOW TABLES");
    const want = MYSQL_SCHEMA_FILES.flatMap((f) => createdTables(run("unzip", ["-p", artifacts.webJar, `${JAR_SQL_DIR}/${f}`])));
    assert.deepStrictEqual(want.filter((t) => !live.includes(t)), [], `tables the release's SQL creates, missing in MySQL (it has ${live.join(", ")})`);
    return live.sort();
  }

  /** What runs of alarms: MySQL (played by MariaDB), the schema Job, web wired to MySQL; and why batch does not run. */
  function alarmsEvidence(mysql: RunningPod, job: { pod: RunningPod; seconds: number }, tables: string[]): void {
    const web = webPod();
    const jdbcUrl = web.containers[0].env.get("SPRING_DATASOURCE_HIKARI_JDBCURL");
    assert.match(jdbcUrl ?? "", new RegExp(`^jdbc:mysql://${NAMES.mysql}\\.pinpoint\\.svc\\.cluster\\.local:3306/${MYSQL_DATABASE}\\?`), "web reads MySQL through the rendered Service name");
    const batch = findObject<Deployment>(objects, "Deployment", NAMES.batch).spec!.template.spec!.containers[0];
    const collector = pods.find((p) => p.name.startsWith("pinpoint-collector-"))!;
    const want = {
      mysqlHost: `${NAMES.mysql}.pinpoint.svc.cluster.local`,
      zookeeper: collector.containers[0].env.get("PINPOINT_ZOOKEEPER_ADDRESS")!,
      webUrl: `http://${NAMES.web}.pinpoint.svc.cluster.local:8080`,
      webhook: false,
      mail: { host: E2E_ALARMS["pinpoint:alarmMailHost"], port: Number(E2E_ALARMS["pinpoint:alarmMailPort"]), from: E2E_ALARMS["pinpoint:alarmMailFrom"], startTls: false },
    };
    assert.deepStrictEqual(batchFactProblems(serverReleaseFor(artifacts.versions.web), batch.env ?? [], want), [], "the rendered batch env against upstream's batch property keys");
    const version = run("mariadbd", ["--version"]).trim();
    evidenceJson!.alarms = {
      mysql: { rendered: mysql.containers[0].spec.image!, playedBy: version.replace(/^mariadbd\s+/, ""), pod: mysql.name, probes: mysql.probes.map((p) => `${p.kind} ${p.handler}`) },
      schemaJob: { name: job.pod.name, initContainer: "extract-schema (the web image's /workspace: the released web jar's SQL)", completed: true, seconds: job.seconds },
      tables,
      webJdbcUrl: jdbcUrl!,
      batch: BATCH_STAND_IN,
    };
    evidence.push(`alarms: MySQL (${mysql.containers[0].spec.image} played by MariaDB ${version.split(/\s+/)[2]}) ready through its rendered probes; schema Job ${job.pod.name} completed in ${job.seconds} s, ${tables.length} tables; web started after it, wired to ${jdbcUrl!.replace(/\?.*$/, "")}; batch: ${BATCH_STAND_IN}`);
  }

  it("runs ZooKeeper, HBase, collector and web (and Redis where rendered) from the rendered PinpointServer, and every probe they declare passes", async () => {
    assert.ok(imageRef, "needs the pushed image");
    const serverVersion = serverReleaseFor(artifacts.versions.web);
    // The test cluster's mail relay beside what the stack renders.
    objects = [...(await renderStack(runInput())), ...mailSinkObjects()];
    // The pair really run, against the release rendered and upstream's table: fails, or names the one declared exception.
    const exception = checkRunVersions(serverVersion, artifacts.versions);
    if (exception) evidence.push(exception);
    evidenceJson!.renderedRelease = serverVersion;
    evidenceJson!.versionException = exception;
    // Coordination and storage first (no restarts here to paper over an order), then the readers and writers.
    // Redis only where the rendered server has it (the 3.x realtime module, off by default).
    const redis = objects.some((o) => o.kind === "Deployment" && o.metadata?.name === "pinpoint-redis");
    // MySQL (alarms) with them: the schema Job runs while HBase starts, and web waits for it, as Pulumi awaits the Job.
    const [zookeeper, mysql] = await Promise.all([startWorkload("StatefulSet", "pinpoint-zookeeper", objects), startWorkload("StatefulSet", NAMES.mysql, objects), ...(redis ? [startWorkload("Deployment", "pinpoint-redis", objects)] : [])]);
    const schema = runJob(schemaJobName(serverVersion), objects);
    schema.catch(() => undefined);
    // The HBase pod's name, asked from the ZooKeeper pod while HBase starts: its headless Service publishes it before it is ready.
    const hbasePodName = `${NAMES.hbase}-0.${NAMES.hbase}.pinpoint.svc.cluster.local`;
    let hbaseStarting = true;
    const seenBeforeReady = (async () => {
      for (; hbaseStarting; await new Promise((r) => setTimeout(r, 1000))) {
        const answer = resolveIn(zookeeper, hbasePodName);
        if (answer) return { answer, podReady: dns!.isReady(`${NAMES.hbase}-0`) };
      }
      return undefined;
    })();
    const hbase = await startWorkload("StatefulSet", "pinpoint-hbase", objects);
    hbaseStarting = false;
    const early = await seenBeforeReady;
    assert.ok(early && early.answer === hbase.ip && !early.podReady, `${hbasePodName} resolved from the ZooKeeper pod before HBase was ready (publishNotReadyAddresses): ${JSON.stringify(early)}`);
    // Real tables: the rendered start script ran the image's (upstream-form) create statements through its sed and split
    // cap, and altered what it did not create; HBase itself says what each table got.
    const live = new Map(
      hbase.containers[0].process.exec([HBASE_INSPECT_TABLES], 120_000).output.split("\n").filter((l) => /^\S+ \d+( \S+=\S+)+$/.test(l)).map((l) => {
        const [table, regions, ...families] = l.split(" ");
        return [table, { regions: Number(regions), ttl: Object.fromEntries(families.map((f) => f.split("="))) as Record<string, string> }];
      }),
    );
    const retention = findObject<ConfigMap>(objects, "ConfigMap", NAMES.hbaseConfig).data!.retention.split("\n").filter(Boolean).map((l) => l.split(" "));
    const ttlOf = (t: string) => (retention.find(([name]) => name === t) ?? retention.find(([name]) => name === "*"))![1];
    const facts = upstreamTables();
    const tableProblems: string[] = [];
    for (const t of hbase.containers[0].process.exec(["sed", "-n", "s/^create '\\([^']*\\)'.*/\\1/p", "/opt/hbase/hbase-create.hbase"], 10_000).output.split("\n").filter(Boolean)) {
      const got = live.get(t);
      if (!got) { tableProblems.push(`${t}: not created`); continue; }
      const regions = Math.min(upstreamRegions(facts[t]), HBASE_MAX_PRESPLIT_REGIONS);
      if (got.regions !== regions) tableProblems.push(`${t}: ${got.regions} regions, want ${regions}`);
      for (const [family, ttl] of Object.entries(got.ttl)) if (ttl !== ttlOf(t)) tableProblems.push(`${t}:${family}: TTL ${ttl}, want ${ttlOf(t)}`);
    }
    evidenceJson!.tables = Object.fromEntries(live);
    assert.ok(live.size >= 10, `only ${live.size} tables live`);
    assert.deepStrictEqual(tableProblems, []);
    // The defaults, read independently of the rendered file: traces 7 days, agent lists 30 days, one 63-key table at the cap.
    assert.strictEqual(live.get("AgentInfo")?.ttl.Info, String(30 * 86400));
    if (live.has("AgentStatV2")) assert.strictEqual(live.get("AgentStatV2")!.regions, HBASE_MAX_PRESPLIT_REGIONS);
    evidence.push(`HBase tables: ${live.size} live, TTLs from the retention keys, pre-splits capped at ${HBASE_MAX_PRESPLIT_REGIONS} regions (${[...live].filter(([, v]) => v.regions > 1).map(([k, v]) => `${k} ${v.regions}`).join(", ")})`);
    const job = await schema;
    const tables = checkSchema(mysql, job.pod);
    await Promise.all([startWorkload("Deployment", "pinpoint-collector", objects), startWorkload("Deployment", "pinpoint-web", objects), startWorkload("Deployment", MAIL_SINK.name, objects)]);
    // Batch last, as it reads the web for histograms; 3.x batch declares no probes.
    await startWorkload("Deployment", NAMES.batch, objects);
    alarmsEvidence(mysql, job, tables);
    const server = objects.filter((o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && o.metadata?.namespace === "pinpoint") as Array<Deployment | StatefulSet>;
    const declared = server.flatMap((w) => (w.spec!.template.spec!.containers as K8sContainer[]).flatMap((c) => ["startupProbe", "readinessProbe", "livenessProbe"].filter((k) => (c as any)[k]).map((k) => `${w.metadata!.name}/${k}`)));
    assert.deepStrictEqual(probes.map((p) => `${p.pod.replace(/-(0|[0-9a-f]{9}-[a-z0-9]{5})$/, "")}/${p.kind}`).sort(), declared.sort(), "every probe of every server container was run and passed");
    // Probes at their declared period: no two attempts of a probe closer than periodSeconds (the kubelet's ticker), none dropped for longer than two periods.
    const serverPods = pods.filter((p) => p.namespace === "pinpoint");
    const offPeriod = serverPods.flatMap((p) => p.containers.flatMap((c) => c.workers.flatMap((w) => {
      const period = (w.probe.periodSeconds ?? 10) * 1000;
      const times = w.attempts.map((a) => Date.parse(a.at));
      return times.slice(1).map((t, i) => t - times[i]).filter((gap) => gap < period - 50 || gap > 2 * period + 5000).map((gap) => `${p.name}/${w.kind} ${gap} ms (period ${period} ms)`);
    })));
    assert.deepStrictEqual(offPeriod, [], "probe attempts at their declared period");
    assert.deepStrictEqual(serverPods.flatMap((p) => p.containers.filter((c) => c.restartCount > 0).map((c) => `${p.name}/${c.spec.name}: ${JSON.stringify(c.events)}`)), [], "no server container was restarted");
    // enableServiceLinks: false on every server pod: the kubelet stand-in gave them no <SERVICE>_PORT=tcp://… variables.
    const linked = pods.filter((p) => p.namespace === "pinpoint").flatMap((p) => p.containers.flatMap((c) => [...c.env.keys()].filter((k) => /_SERVICE_HOST$|_PORT_\d+_TCP$/.test(k)).map((k) => `${p.name}/${k}`)));
    assert.deepStrictEqual(linked, [], "server containers must get no service-link variables");
    // Names as CoreDNS answers them, asked by getaddrinfo in the collector pod; the collector's JVM asked the same server for HBase's pod.
    const collector = pods.find((p) => p.name.startsWith("pinpoint-collector-"))!;
    // What the collector pod asked before the test's own getent below: its JVM's lookups (A and AAAA, through the search list).
    const jvmQueries = dns!.queryLog().split("\n").filter((l) => l.includes(` from ${collector.ip}`) && /query\[A+\] /.test(l)).map((l) => l.replace(/^.*query\[(A+)\] (\S+) from.*$/, "$1 $2"));
    assert.ok(jvmQueries.includes(`AAAA ${hbasePodName}`), `the collector's JVM asked the cluster DNS for ${hbasePodName}: ${jvmQueries.join(", ")}`);
    const zkFqdn = `${NAMES.zookeeper}.pinpoint.svc.cluster.local`;
    // Names that must resolve are asked until they do (answerWithin); names that must not, once.
    const answers: Record<string, string | null> = {};
    for (const n of [NAMES.zookeeper, `${NAMES.zookeeper}.pinpoint`, zkFqdn]) answers[n] = (await answerWithin(() => resolveIn(collector, n))) ?? null;
    for (const n of ["pinpoint-nosuch", `${NAMES.hbase}-0`]) answers[n] = resolveIn(collector, n) ?? null;
    assert.deepStrictEqual(answers, { [NAMES.zookeeper]: zookeeper.ip, [`${NAMES.zookeeper}.pinpoint`]: zookeeper.ip, [zkFqdn]: zookeeper.ip, "pinpoint-nosuch": null, [`${NAMES.hbase}-0`]: null });
    // resources.limits as the container's control group: a JVM in the collector's container sees its quota and memory limit.
    const limits = collector.containers[0].limits;
    const jvmView = jvmSystemView(collector);
    assert.match(jvmView, new RegExp(`CPU Quota: ${Math.round(limits.cpu! * 100000)}us`), jvmView);
    const gib = limits.memory! / 2 ** 30;
    assert.match(jvmView, new RegExp(`Memory Limit: ${gib >= 1 ? `${gib.toFixed(2)}G` : `${(limits.memory! / 2 ** 20).toFixed(2)}M`}`), jvmView);
    evidenceJson!.cgroups = { collector: { limits, jvm: jvmView.split("\n").filter((l) => /Provider|CPU Quota|CPU Period|Effective CPU Count|Memory Limit/.test(l)).map((l) => l.trim()) } };
    evidenceJson!.dns = { server: `dnsmasq on ${network!.nodeIp}`, hbasePodBeforeReady: { name: hbasePodName, answer: early.answer, askedFrom: zookeeper.name }, fromCollectorPod: answers, collectorJvmQueries: [...new Set(jvmQueries)] };
    evidence.push(`cluster DNS (dnsmasq, per-pod resolv.conf): ${hbasePodName} answered before HBase was ready (publishNotReadyAddresses); from the collector pod ${NAMES.zookeeper}, .pinpoint and the FQDN → ${zookeeper.ip}, pinpoint-nosuch and a bare pod name unknown; the collector's JVM asked it ${new Set(jvmQueries).size} names, ${hbasePodName} among them`);
    evidence.push(`server: PinpointServer ${serverVersion} rendered; collector ${artifacts.versions.collector} and web ${artifacts.versions.web} jars, HBase ${artifacts.versions.hbase}, ZooKeeper ${artifacts.versions.zookeeper}`);
  });

  it("starts the seed Tomcat and the plain JVM app from their instrumented Deployments; the web lists both with their pod IP and pod name, and stores their transactions", async () => {
    assert.ok(objects, "needs the server");
    const tomcatDeployment = findObject<Deployment>(objects, "Deployment", SEED_APP);
    const init = tomcatDeployment.spec!.template.spec!.initContainers!.find((c) => c.name === INIT_CONTAINER_NAME)!;
    assert.strictEqual(init.image, imageRef);
    const tomcat = await startWorkload("Deployment", SEED_APP, objects);
    const plain = await startWorkload("Deployment", PLAIN_APP, objects);
    // Service links as a kubelet gives them: the plain app (no enableServiceLinks: false) started after Tomcat's Service had its pod.
    assert.strictEqual(plain.containers[0].env.get("TOMCAT_ZFFW_SERVICE_HOST"), tomcat.ip);
    assert.strictEqual(plain.containers[0].env.get("TOMCAT_ZFFW_PORT"), `tcp://${tomcat.ip}:8080`);

    // The init container copied the agent as its own uid into the emptyDir the app mounts at the agent path.
    const agentDir = tomcat.volumes.get("pp-agent")!;
    assert.strictEqual(fs.statSync(path.join(agentDir, "pinpoint-bootstrap.jar")).uid, init.securityContext!.runAsUser);
    assert.ok(tomcat.containers[0].spec.volumeMounts!.some((m) => m.mountPath === MOUNT_PATH));
    // The kubelet's env: $(POD_IP) and $(POD_NAME) expanded from the fieldRefs before them.
    assert.match(tomcat.containers[0].env.get("CATALINA_OPTS")!, new RegExp(`-Dpinpoint\\.agentId=${tomcat.ip.replace(/\./g, "\\.")} .*-Dpinpoint\\.agentName=${tomcat.name}`));

    await awaitServing(tomcat, 8080);
    await awaitServing(plain, PLAIN_APP_PORT);
    serve(tomcat, 8080, REQUESTS);
    serve(plain, PLAIN_APP_PORT, REQUESTS);

    const expected = [
      { pod: tomcat, application: `${STACK}-${SEED_APP}`, serviceType: "TOMCAT" },
      { pod: plain, application: `${STACK}-${PLAIN_APP}`, serviceType: "STAND_ALONE" },
    ];
    const applications = await until("both applications listed by the web", () => {
      const apps = webApi<Array<{ applicationName: string; serviceType: string }>>("/api/applications");
      return expected.every((e) => apps.some((a) => a.applicationName === e.application)) ? apps : undefined;
    });
    for (const e of expected) {
      assert.ok(applications.some((a) => a.applicationName === e.application && a.serviceType === e.serviceType), `${e.application} as ${e.serviceType}: ${JSON.stringify(applications)}`);
      const groups = webApi<Array<{ instancesList: Array<{ agentId: string; agentName: string; agentVersion: string }> }>>(`/api/agents/search-application?application=${e.application}`);
      const agents = groups.flatMap((g) => g.instancesList);
      assert.deepStrictEqual(agents.map((a) => ({ agentId: a.agentId, agentName: a.agentName })), [{ agentId: e.pod.ip, agentName: e.pod.name }]);
      const dots = await until(`a stored transaction of ${e.application}`, () => {
        const to = Date.now();
        const scatter = webApi<{ scatter: { dotList: unknown[] } }>(`/api/getScatterData?application=${e.application}&from=${to - 3600000}&to=${to}&limit=5000&xGroupUnit=1&yGroupUnit=1&backwardDirection=true`);
        return scatter.scatter.dotList.length > 0 ? scatter.scatter.dotList.length : undefined;
      });
      const logs = agentLogs(e.pod);
      assert.doesNotMatch(logs, ID_REJECTION, `${e.application}: the agent rejected an id or a name`);
      evidenceJson!.applications.push({ application: e.application, serviceType: e.serviceType, agentId: agents[0].agentId, agentName: agents[0].agentName, agentVersion: agents[0].agentVersion, transactions: dots });
      evidence.push(`application ${e.application} (${e.serviceType}): agentId ${e.pod.ip} = pod IP, agentName ${e.pod.name} = pod name, agent ${agents[0].agentVersion}, ${dots} transactions stored of ${REQUESTS} requests (1 in 20 sampled)`);
    }
  });

  it("an alarm rule for dev-tomcat-zffw, set through the real web's API as the UI sets it (user with mail, user group, TOTAL COUNT rule), is stored in MySQL and read back from both", async () => {
    assert.ok(evidenceJson?.alarms, "needs the server with MySQL");
    const application = `${STACK}-${SEED_APP}`;
    const listed = webApi<Array<{ applicationName: string; serviceType: string }>>("/api/applications").find((a) => a.applicationName === application);
    assert.ok(listed, `${application} listed by the web`);
    ruleCreatedAt = Date.now();
    const { rule, checkers } = createAlarmRule({ get: (p) => webApi(p), post: (p, body) => webApi(p, body) }, application, listed.serviceType);
    const mysql = pods.find((p) => p.name === `${NAMES.mysql}-0`)!;
    const [row] = mysqlQuery(mysql, storedRuleQuery(rule.ruleId)).map((l) => l.split("\t"));
    assert.deepStrictEqual(row, [String(rule.ruleId), application, listed.serviceType, rule.checkerName, String(rule.threshold), ALARM_GROUP, "1", ALARM_USER.email]);
    evidenceJson!.alarms!.rule = {
      ruleId: String(rule.ruleId),
      applicationId: rule.applicationId,
      serviceType: rule.serviceType,
      checker: rule.checkerName,
      threshold: rule.threshold,
      userGroupId: rule.userGroupId,
      emailSend: rule.emailSend,
      memberEmail: ALARM_USER.email,
      mysqlRow: row,
      checkersOffered: checkers,
    };
    evidence.push(`alarm rule ${rule.ruleId}: ${rule.checkerName} > ${rule.threshold} on ${application} (${listed.serviceType}) for group ${ALARM_GROUP} (member ${ALARM_USER.userId}, ${ALARM_USER.email}), created with the web's API and read back from it and from MySQL's alarm_rule`);
  });

  it("a Tomcat transaction's call tree, read through the web's API, holds the Tomcat span and its HTTP client call to the plain app", async () => {
    const tomcat = pods.find((p) => p.name.startsWith(`${SEED_APP}-`) && p.containers[0].process.running);
    const plain = pods.find((p) => p.name.startsWith(`${PLAIN_APP}-`) && p.containers[0].process.running);
    assert.ok(tomcat && plain, "needs both apps reporting");
    const application = `${STACK}-${SEED_APP}`;
    const since = Date.now() - 1000;
    const downstream = `http://${plain.ip}:${PLAIN_APP_PORT}/from-tomcat`;
    // 40 requests: 1 in 20 is sampled, so at least two traced transactions make the call.
    for (let i = 0; i < 40; i++) {
      const r = http(`http://${tomcat.ip}:8080/?call=${encodeURIComponent(downstream)}&order=${i}`);
      assert.strictEqual(r.status, 200, `${tomcat.name} answered ${r.status}: ${r.body.slice(0, 300)}`);
      assert.match(r.body, /called .*: 200\)/, "the page made its client call");
    }
    const found = await until("a stored Tomcat transaction whose call tree has the client call", () => {
      for (const dot of transactionsSince(application, since)) {
        const info = webApi<TransactionInfoAnswer>(`/api/transactionInfo?traceId=${encodeURIComponent(dot.transactionId)}&focusTimestamp=${dot.acceptedTime}&agentId=${encodeURIComponent(dot.agentId)}`);
        const records = callRecords(info);
        if (records.some((r) => r.arguments.includes(`${plain.ip}:${PLAIN_APP_PORT}`))) return { dot, info, records };
      }
      return undefined;
    });
    fs.mkdirSync(OUT_DIR, { recursive: true });
    fs.writeFileSync(path.join(OUT_DIR, "transactionInfo.json"), JSON.stringify(found.info, null, 2));
    const { dot, records } = found;
    assert.strictEqual(dot.agentId, tomcat.ip, "the transaction is the Tomcat agent's");
    const tree = formatCallTree(records).join("\n");
    // The span root: Tomcat's record of the request, on the Tomcat agent, for the URI served.
    const root = records[0];
    assert.deepStrictEqual([root.depth, root.application, root.agent, root.apiType, root.arguments], [0, application, tomcat.ip, "TOMCAT", "/"], `the span root is Tomcat's:\n${tree}`);
    // The page (JSP) under it, and in the page the JDK's HttpURLConnection connecting to the plain app.
    const jsp = records.find((r) => r.isMethod && r.apiType === "JSP" && r.arguments === "index.jsp");
    assert.ok(jsp && jsp.depth > root.depth, `the JSP inside the Tomcat span:\n${tree}`);
    const client = records.find((r) => r.isMethod && r.className === "HttpURLConnection" && r.apiType === "JDK_HTTPCONNECTOR" && r.arguments === `${plain.ip}:${PLAIN_APP_PORT}`);
    assert.ok(client && client.depth > jsp.depth && client.application === application && client.agent === tomcat.ip, `the HTTP client call inside the JSP:\n${tree}`);
    evidenceJson!.callTree = { application, transactionId: dot.transactionId, agentId: dot.agentId, downstream, records };
    evidence.push(`call tree of ${dot.transactionId} (${records.length} rows, /api/transactionInfo; out/e2e-pinpoint/transactionInfo.json):`);
    for (const line of formatCallTree(records.filter((r) => r.isMethod), 12)) evidence.push(`  ${line}`);
  });

  it("batch's alarm path sends the rule's mail: upstream's sender (from the web jar) under the rendered env reaches the cluster's relay, from the rendered sender, to the group's member, linking to the rendered web URL", async () => {
    const rule = evidenceJson?.alarms?.rule;
    assert.ok(rule, "needs the alarm rule");
    const sink = pods.find((p) => p.namespace === MAIL_SINK.namespace && p.name.startsWith(`${MAIL_SINK.name}-`))!;
    const batch = pods.find((p) => p.name.startsWith(`${NAMES.batch}-`))!;
    // The stand-in checks every 10 s; the apps' requests of the tests before are within the five minutes it counts.
    const mail = await until("the alarm mail at the relay", () => sunkMails(sink.containers[0].process.log()).find((m) => m.subject.includes(rule.applicationId)), 120_000).catch((e: Error) => {
      throw new Error(`${e.message}\nrelay (restarts ${sink.containers[0].restartCount}):\n${sink.containers[0].process.log().slice(-1500)}\nbatch:\n${batch.containers[0].process.log().slice(-3000)}`);
    });
    const secondsAfterRule = Math.round((Date.now() - ruleCreatedAt) / 1000);
    const batchLog = batch.containers[0].process.log();
    assert.match(batchLog, BATCH_MAIL_HANDED, "the stand-in handed the rule to SpringSmtpMailSender");
    // Spring Boot bound the rendered env over batch-root.properties' defaults: the relay's name and port, SMTP, the rendered sender.
    assert.ok(batchLog.includes(`mail via ${MAIL_SINK_HOST}:${MAIL_SINK.port} (smtp, from ${E2E_ALARMS["pinpoint:alarmMailFrom"]})`), `batch's mail settings:\n${batchLog.slice(-2000)}`);
    assert.deepStrictEqual(mail.envelope, { from: E2E_ALARMS["pinpoint:alarmMailFrom"], to: [ALARM_USER.email] }, "sent from the rendered sender to the group's member, read from MySQL");
    assert.strictEqual(mail.subject, `[PINPOINT-release] ${rule.checker} Alarm for ${rule.applicationId} Service. #1`);
    const webUrl = batch.containers[0].env.get(PINPOINT_URL_ENV["3.x"]);
    assert.ok(webUrl, `the batch pod has ${PINPOINT_URL_ENV["3.x"]}`);
    const links = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    assert.strictEqual(links[0], webUrl, "the mail's first link is the rendered web URL");
    assert.ok(links[1]?.startsWith(`${webUrl}/serverMap/${rule.applicationId}@${rule.serviceType}?from=`), `the server map link: ${links[1]}`);
    // The web answers that link: the UI's page for the application.
    const page = http(links[1].replace(webUrl, `http://${webPod().ip}:8080`));
    assert.strictEqual(page.status, 200, `the web answers the mail's server map link: ${page.status}`);
    const detected = Number(/(\d+) responses in the past 5 minutes/.exec(mail.text)?.[1]);
    assert.ok(detected >= rule.threshold, `the mail's count ${detected} reaches the threshold ${rule.threshold}`);
    evidenceJson!.alarms!.mail = { relay: `${MAIL_SINK_HOST}:${MAIL_SINK.port}`, envelope: mail.envelope, subject: mail.subject, links, detected, secondsAfterRule };
    evidence.push(`alarm mail: "${mail.subject}" from ${mail.envelope.from} to ${mail.envelope.to.join(", ")} via ${MAIL_SINK_HOST}:${MAIL_SINK.port}, ${secondsAfterRule} s after the rule; ${detected} calls >= ${rule.threshold}; links ${links.join(" ")}`);
  });

  it("in Chromium: logs in through the web's login at the Ingress host (login on), opens dev-tomcat-zffw's server map and transaction list, and the pages show the application and its transactions", async function () {
    const missing = missingChromium();
    if (missing) {
      const message = `the browser test needs ${missing}`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`    skipped: ${message}`);
      this.skip();
    }
    const tomcat = pods.find((p) => p.name.startsWith(`${SEED_APP}-`) && p.containers[0].process.running);
    assert.ok(objects && tomcat, "needs Tomcat reporting");
    const password = "e2e-browser-pw-6789";
    const login = await renderStackRun(runInput({ config: { "pinpoint:webIngressHost": "pinpoint.dev.example.com", "pinpoint:webAdminPassword": password } }));
    const outputs = findStatusOutputs(login.outputs)!;
    const host = new URL(outputs.webIngressUrl!).hostname;
    // The Ingress routes the host to the web Service's http port, which is the pod's 8080: Chromium is pointed there.
    const ingress = login.objects.find((o) => o.kind === "Ingress") as unknown as Ingress;
    assert.strictEqual(ingress.spec!.rules![0].host, host);
    assert.strictEqual(ingress.spec!.rules![0].http!.paths[0].backend.service!.name, "pinpoint-web");
    const web = await startWorkload("Deployment", "pinpoint-web", login.objects);
    const browser = await WebBrowser.launch({ network: network!, host, podIp: web.ip, port: 8080, tmpDir: tmp, outDir: OUT_DIR });
    try {
      const application = `${STACK}-${SEED_APP}`;
      const { loginPage, landed, cookie } = await browser.logIn(outputs.webLoginUser!, password);
      assert.match(loginPage.url, /\/login/, "the web sent the browser to its login form");
      assert.strictEqual(cookie, "pinpointJwt", `logged in (landed on ${landed})`);
      const to = Date.now() + 60000;
      const from = to - 30 * 60000;
      const range = `from=${uiDate(from)}&to=${uiDate(to)}`;
      // The server map: the application in the header and the side panel; the scatter's legend counts its dots ("Success 6").
      const map = await browser.open("server-map", `/serverMap/${application}@TOMCAT?${range}`, /getServerMapData/, [application, "Success"]);
      assert.ok(map.text.split(application).length > 2, `the server map page names ${application} (selector and panel):\n${map.text.slice(0, 1500)}`);
      const dots = Number(/Success\s*(\d+)/.exec(map.text)?.[1] ?? 0);
      assert.ok(dots > 0, `the scatter on the server map shows dots ("Success N"):\n${map.text.slice(0, 1500)}`);
      // The map itself is a canvas: its call count ("6 (397 ms)" on the USER link) is read from the answer the page drew it from.
      const mapData = Object.entries(map.answers).find(([k]) => /getServerMapData/.test(k))?.[1] as { applicationMapData?: { linkDataArray: Array<{ to: string; totalCount: number }> } } | undefined;
      const calls = mapData?.applicationMapData?.linkDataArray.filter((l) => l.to === `${application}^TOMCAT`).reduce((n, l) => n + l.totalCount, 0) ?? 0;
      assert.ok(calls > 0, `the server map the page drew has calls into ${application}: ${JSON.stringify(mapData).slice(0, 500)}`);
      // The transaction list: one row per stored transaction, each with the Tomcat agent's id and its transaction id.
      const dragInfo = encodeURIComponent(JSON.stringify({ x1: from, x2: to, y1: 0, y2: 100000, agentId: "", dotStatus: ["success", "fail"] }));
      const list = await browser.open("transaction-list", `/transactionList/${application}@TOMCAT?${range}&dragInfo=${dragInfo}`, /transactionmetadata/, [`${tomcat.ip}^`]);
      assert.ok(list.text.includes(application), `the transaction list names ${application}:\n${list.text.slice(0, 1500)}`);
      const rows = list.text.match(new RegExp(`${tomcat.ip.replace(/\./g, "\\.")}\\^\\d+\\^\\d+`, "g")) ?? [];
      assert.ok(rows.length > 0, `the transaction list shows transactions of the agent ${tomcat.ip}:\n${list.text.slice(0, 3000)}`);
      const pages = [
        { name: "login", seen: loginPage, shown: { form: "Please sign in", landedAfterLogin: landed } },
        { name: "server-map", seen: map, shown: { application, scatterDots: dots, callsIntoApplication: calls } },
        { name: "transaction-list", seen: list, shown: { application, transactionRows: rows.length, first: rows[0] } },
      ];
      evidenceJson!.browser = {
        chromium: await browser.version(),
        url: `${browser.base}/`,
        loggedInAs: outputs.webLoginUser!,
        pages: pages.map((p) => ({ name: p.name, url: p.seen.url, screenshot: path.relative(path.resolve(__dirname, "..", ".."), p.seen.screenshot), shown: p.shown })),
      };
      evidence.push(`browser: ${evidenceJson!.browser.chromium} logged in at ${browser.base} (login form, user ${outputs.webLoginUser}); server map of ${application}: ${dots} scatter dots, ${calls} calls drawn; transaction list: ${rows.length} transactions of agent ${tomcat.ip}; screenshots out/e2e-pinpoint/browser-*.png`);
    } finally {
      await browser.close();
      await web.stop();
    }
  });

  // ---- issue 23: coverage report (pinpoint-status); helpers in pinpoint/status.ts ----
  const statusOut = path.resolve(__dirname, "..", "..", "out", "status-e2e");
  const statusEvidence: Record<string, unknown> = {};

  /** Render (objects and stack outputs), evidence of the apps' pods, the in-cluster web URL from the outputs. */
  async function statusInputs(extraWorkloads?: (namespace: string) => void) {
    const run = await renderStackRun(runInput({ extraWorkloads }));
    const outputs = findStatusOutputs(run.outputs);
    assert.ok(outputs, `the stack exports PinpointApm's status: ${JSON.stringify(run.outputs)}`);
    const url = webUrlOf(outputs, true)!;
    const webService = findObject<Service>(run.objects, "Service", "pinpoint-web");
    assert.strictEqual(url, `http://${webService.metadata!.name}.${webService.metadata!.namespace}.svc.cluster.local:${webService.spec!.ports![0].port}`);
    const evidencePods = [SEED_APP, PLAIN_APP, SILENT_APP].flatMap((w) => pods.filter((p) => p.name.startsWith(`${w}-`) && p.containers[0].process.running).map((p) => podEvidence(p, w)));
    return { objects: run.objects, outputs, url, evidence: { pods: evidencePods } };
  }

  function writeStatusFiles(name: string, objs: readonly KubernetesObject[], outputs: unknown, evidence: unknown): string[] {
    const dir = path.join(statusOut, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "objects.yaml"), objs.map((o) => stringifyYaml(o)).join("---\n"));
    fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify({ pinpointStatus: outputs }, null, 2));
    fs.writeFileSync(path.join(dir, "evidence.json"), JSON.stringify(evidence, null, 2));
    return ["-f", path.join(dir, "objects.yaml"), "--stack-outputs", path.join(dir, "outputs.json"), "--in-cluster", "--evidence", path.join(dir, "evidence.json")];
  }

  it("pinpoint-status lists Tomcat and the plain app as reporting, from the stack outputs (in process) and from the CLI (a process in the cluster network), exit 0", async () => {
    assert.ok(objects && pods.some((p) => p.name.startsWith(`${PLAIN_APP}-`)), "needs the apps reporting");
    const { objects: objs, outputs, url, evidence: podFacts } = await statusInputs();
    const report = await coverageReport({ url, objects: objs, evidence: podFacts, transport: curlTransport(network!, dns!), record: recorder(path.join(statusOut, "web-reporting")) });
    assert.deepStrictEqual(report.workloads.map((w) => [w.workload, w.applicationName, w.coverage]).sort(), [
      [`Deployment ${STACK}/${PLAIN_APP}`, `${STACK}-${PLAIN_APP}`, "reporting"],
      [`Deployment ${STACK}/${SEED_APP}`, `${STACK}-${SEED_APP}`, "reporting"],
    ]);
    for (const w of report.workloads) {
      const pod = pods.find((p) => p.name.startsWith(`${w.workload.split("/")[1]}-`))!;
      assert.ok(w.agents.some((a) => a.agentId === pod.ip && a.agentName === pod.name && a.state === "RUNNING" && a.agentVersion === artifacts.versions.agent), `${w.workload}: ${JSON.stringify(w.agents)}`);
    }
    assert.strictEqual(exitCodeOf(report), 0);

    const args = writeStatusFiles("reporting", objs, outputs, podFacts);
    const cli = runStatusCli(network!, dns!, args);
    assert.strictEqual(cli.status, 0, `pinpoint-status exited ${cli.status}:\n${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, new RegExp(`^2 of 2 instrumented workloads report to ${url.replace(/\./g, "\\.")}`));
    const json = runStatusCli(network!, dns!, [...args, "--json"]);
    assert.deepStrictEqual((JSON.parse(json.stdout).workloads as Array<{ coverage: string }>).map((w) => w.coverage), ["reporting", "reporting"]);
    fs.writeFileSync(path.join(statusOut, "reporting", "report.txt"), cli.stdout);
    // README shows this run's output: the same but for times, IPs and pod names.
    assert.strictEqual(normaliseReport(readmeReport("2 of 2 instrumented") ?? "(README has no such report)"), normaliseReport(cli.stdout), "README pinpoint-status: the reporting example");
    statusEvidence.reporting = { url, exitCode: cli.status, report: JSON.parse(json.stdout) };
    evidence.push(`pinpoint-status: ${report.reporting} of 2 reporting (stack outputs in process, and the CLI in the cluster network, exit 0) from ${url}`);
  });

  it("pinpoint-status flags an app whose launcher ignores the variable (plain java, CATALINA_OPTS) as silent, agent never loaded, exit 1", async () => {
    assert.ok(objects, "needs the server");
    const silentObjects = (await renderStackRun(runInput({ extraWorkloads: silentAppDeployment }))).objects;
    const silent = await startWorkload("Deployment", SILENT_APP, silentObjects);
    await awaitServing(silent, PLAIN_APP_PORT);
    serve(silent, PLAIN_APP_PORT, REQUESTS);
    // As long as the reporting apps took at most to be listed after serving: the web sees an agent within seconds of its start.
    await new Promise((r) => setTimeout(r, 30000));
    const { objects: objs, outputs, url, evidence: podFacts } = await statusInputs(silentAppDeployment);
    const report = await coverageReport({ url, objects: objs, evidence: podFacts, transport: curlTransport(network!, dns!), record: recorder(path.join(statusOut, "web-silent")) });
    const byName = Object.fromEntries(report.workloads.map((w) => [w.workload, w]));
    const s = byName[`Deployment ${STACK}/${SILENT_APP}`];
    assert.strictEqual(s.coverage, "silent");
    assert.strictEqual(s.listed, false);
    assert.match(s.reasons[0], new RegExp(`the agent never loaded in ${silent.name}.*does not read CATALINA_OPTS`));
    assert.strictEqual(byName[`Deployment ${STACK}/${SEED_APP}`].coverage, "reporting");
    assert.strictEqual(exitCodeOf(report), 1);

    const args = writeStatusFiles("silent", objs, outputs, podFacts);
    const cli = runStatusCli(network!, dns!, args);
    assert.strictEqual(cli.status, 1, `pinpoint-status exited ${cli.status}:\n${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /^2 of 3 instrumented workloads report/);
    assert.match(cli.stdout, new RegExp(`SILENT +Deployment ${STACK}/${SILENT_APP}[^\n]*\n(.*\n)*? +why: the agent never loaded`));
    fs.writeFileSync(path.join(statusOut, "silent", "report.txt"), cli.stdout);
    assert.strictEqual(normaliseReport(readmeReport("2 of 3 instrumented") ?? "(README has no such report)"), normaliseReport(cli.stdout), "README pinpoint-status: the silent example");
    const json = runStatusCli(network!, dns!, [...args, "--json"]);
    statusEvidence.silent = { url, exitCode: cli.status, report: JSON.parse(json.stdout) };
    fs.writeFileSync(path.join(statusOut, "evidence.json"), JSON.stringify({ agent: artifacts.versions.agent, web: artifacts.versions.web, ...statusEvidence }, null, 2));
    await silent.stop();
    evidence.push(`pinpoint-status: ${SILENT_APP} (plain java, flags in CATALINA_OPTS) SILENT, reason "${s.reasons[0].slice(0, 60)}…", exit 1; evidence in out/status-e2e/`);
  });
  it("pinpoint-status logs in to a web with login on (the Ingress setting), with the user the stack outputs name, and sees both apps", async () => {
    assert.ok(objects && pods.some((p) => p.name.startsWith(`${PLAIN_APP}-`)), "needs the apps reporting");
    const password = "e2e-admin-pw-2345";
    const login = await renderStackRun(runInput({ config: { "pinpoint:webIngressHost": "pinpoint.dev.example.com", "pinpoint:webAdminPassword": password } }));
    const outputs = findStatusOutputs(login.outputs)!;
    assert.deepStrictEqual([outputs.webIngressUrl, outputs.webLoginUser], ["http://pinpoint.dev.example.com", "admin"]);
    const firstWeb = webPod();
    // A second web, login on, over the same HBase: its readiness probe is the login page.
    const web = await startWorkload("Deployment", "pinpoint-web", login.objects);
    assert.deepStrictEqual(dns!.lookup(`pinpoint-web.pinpoint.svc.cluster.local`), [firstWeb.ip], "a second ready web does not move the Service's address");
    try {
      const url = `http://${web.ip}:8080`;
      const transport = curlTransport(network!, dns!);
      const open = await coverageReport({ url, objects, transport }).then(() => "answered", (e: Error) => e.message);
      assert.match(open, /asks for a login; give --web-user and PINPOINT_WEB_PASSWORD/);
      const report = await coverageReport({ url, objects, transport, user: outputs.webLoginUser!, password, record: recorder(path.join(statusOut, "web-login")) });
      assert.deepStrictEqual(report.workloads.map((w) => w.coverage), ["reporting", "reporting"]);
      const wrong = await coverageReport({ url, objects, transport, user: "admin", password: "not-it" }).then(() => "answered", (e: Error) => e.message);
      assert.match(wrong, /login to .* as "admin" failed/);
      evidence.push(`pinpoint-status: web with login on: refused without a login, both apps reporting when logged in as ${outputs.webLoginUser}, a wrong password refused`);
    } finally {
      // The Service stays on the first web, the earliest ready pod behind it (cluster/dnsRecords.ts).
      await web.stop();
    }
  });
  // ---- end issue 23 ----

  it("with pinpoint:agentDelivery imageVolume, the same Tomcat loads the agent read-only from the image's root and reports", async () => {
    assert.ok(objects, "needs the server");
    const ivObjects = await renderStack(runInput({ agentDelivery: "imageVolume" }));
    const d = findObject<Deployment>(ivObjects, "Deployment", SEED_APP);
    const spec = d.spec!.template.spec!;
    assert.strictEqual(spec.initContainers, undefined, "no init container, no copy");
    const volume = spec.volumes!.find((v) => v.name === "pp-agent") as { image?: { reference?: string } };
    assert.strictEqual(volume.image?.reference, imageRef);
    const tomcat = await startWorkload("Deployment", SEED_APP, ivObjects);
    await awaitServing(tomcat, 8080);
    serve(tomcat, 8080, REQUESTS);
    const application = `${STACK}-${SEED_APP}`;
    const agents = await until(`the image-volume Tomcat's agent under ${application}`, () => {
      const groups = webApi<Array<{ instancesList: Array<{ agentId: string; agentName: string }> }>>(`/api/agents/search-application?application=${application}`);
      const found = groups.flatMap((g) => g.instancesList).filter((a) => a.agentId === tomcat.ip);
      return found.length > 0 ? found : undefined;
    });
    assert.deepStrictEqual(agents.map((a) => a.agentName), [tomcat.name]);
    // The agent wrote only into the logs emptyDir: the image root stays as pushed.
    const logsDir = tomcat.volumes.get("pp-agent-logs")!;
    const logs = run("find", [logsDir, "-name", "*.log"]).split("\n").filter(Boolean);
    assert.ok(logs.length > 0, "the agent logged into the pp-agent-logs emptyDir");
    assert.doesNotMatch(logs.map((f) => fs.readFileSync(f, "utf8")).join("\n"), ID_REJECTION);
    await tomcat.stop();
    evidence.push(`agentDelivery imageVolume: tomcat-zffw with the agent mounted read-only from ${imageRef.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+$/, "@sha256:$1…")}, no init container; agentId ${tomcat.ip} = pod IP listed under ${application}; logs only in the emptyDir`);
  });

  it("with pinpoint:enabled false, the same Tomcat starts with no agent", async () => {
    assert.ok(imageRef, "needs the pushed image");
    const plainObjects = await renderStack(runInput({ enabled: false }));
    const d = findObject<Deployment>(plainObjects, "Deployment", SEED_APP);
    assert.strictEqual(d.spec!.template.spec!.initContainers, undefined);
    const tomcat = await startWorkload("Deployment", SEED_APP, plainObjects);
    await awaitServing(tomcat, 8080);
    const log = tomcat.containers[0].process.log();
    assert.doesNotMatch(log, /javaagent|pinpoint/i, "no agent in the JVM");
    await tomcat.stop();
    evidence.push("pinpoint:enabled false: tomcat-zffw started and served with no agent");
  });

  let collectorStoppedAt: number | undefined;
  const servedWhileDown: Record<string, number> = {};
  let agentStartedLine = "";

  it("with the collector down, the apps that reported keep serving, and an instrumented Tomcat still starts (its agent loaded) and serves", async () => {
    assert.ok(objects, "needs the server");
    const collector = pods.find((p) => p.name.startsWith("pinpoint-collector-"))!;
    const reporting = [SEED_APP, PLAIN_APP].map((w) => pods.find((p) => p.name.startsWith(`${w}-`) && p.containers[0].process.running)!);
    // The collector's container stops; its pod keeps its IP (restartCollector below starts the container in it again).
    await Promise.all(collector.containers.map((c) => c.stop()));
    collectorStoppedAt = Date.now();
    for (const pod of reporting) {
      const port = pod.name.startsWith(PLAIN_APP) ? PLAIN_APP_PORT : 8080;
      serve(pod, port, 20);
      servedWhileDown[pod.name] = 20;
    }
    const tomcat = await startWorkload("Deployment", SEED_APP, objects);
    await awaitServing(tomcat, 8080);
    serve(tomcat, 8080, 5);
    servedWhileDown[tomcat.name] = 5;
    // Only a loaded agent prints this; Tomcat's own log echoes the -javaagent flag whether or not the agent starts.
    agentStartedLine = await until("the agent's own start-up line", () => tomcat.containers[0].process.log().split("\n").find((l) => AGENT_STARTED.test(l)), 60000);
    evidence.push(`collector down: ${reporting.map((p) => p.name).join(" and ")} kept serving (20 requests each); a new tomcat-zffw started and served, its agent loaded (its own log line "${AGENT_STARTED.exec(agentStartedLine)![0]}")`);
  });

  // ---- issue 23 (2): the report names an unreachable collector (after the collector-down test) ----
  it("pinpoint-status names the unreachable collector for the Tomcat started while it is down, exit 1", async () => {
    const collector = pods.find((p) => p.name.startsWith("pinpoint-collector-"));
    assert.ok(objects && collector && !collector.containers[0].process.running, "needs the collector-down test before it");
    const tomcats = pods.filter((p) => p.name.startsWith(`${SEED_APP}-`) && p.containers[0].process.running);
    const latest = tomcats[tomcats.length - 1];
    // A rollout replaces the earlier pods: stop them as the ReplicaSet controller would, so only the new one runs.
    for (const p of tomcats.slice(0, -1)) await p.stop();
    const seen = await until("the agent logging that the collector is unreachable", () => {
      const e = podEvidence(latest, SEED_APP);
      return COLLECTOR_UNREACHABLE.test(`${e.agentLog}\n${e.containerLog}`) ? e : undefined;
    }, 90000);
    const { url } = await statusInputs();
    const report = await coverageReport({ url, objects: [findObject<Deployment>(objects, "Deployment", SEED_APP)], evidence: { pods: [seen] }, transport: curlTransport(network!, dns!) });
    const [w] = report.workloads;
    assert.strictEqual(w.coverage, "silent", JSON.stringify(w));
    assert.match(w.reasons[0], new RegExp(`^the agent in ${latest.name} cannot reach the collector: ".*(UNAVAILABLE|Connection refused)`));
    assert.strictEqual(exitCodeOf(report), 1);
    fs.mkdirSync(path.join(statusOut, "collector-down"), { recursive: true });
    fs.writeFileSync(path.join(statusOut, "collector-down", "report.txt"), formatReport(report));
    evidence.push(`pinpoint-status: collector down, the new tomcat-zffw pod SILENT, reason "${w.reasons[0].slice(0, 70)}…", exit 1`);
  });
  // ---- end issue 23 (2) ----

  it("with the collector started again, the agents report again: a new transaction from the plain app that kept serving and from the Tomcat started while it was down", async () => {
    assert.ok(objects && collectorStoppedAt, "needs the collector-down test before it");
    const plain = pods.find((p) => p.name.startsWith(`${PLAIN_APP}-`) && p.containers[0].process.running)!;
    const tomcats = pods.filter((p) => p.name.startsWith(`${SEED_APP}-`) && p.containers[0].process.running);
    const tomcat = tomcats[tomcats.length - 1];
    assert.ok(plain && tomcat, "needs the plain app and the Tomcat started while the collector was down");
    const collector = pods.find((p) => p.name.startsWith("pinpoint-collector-"))!;
    const startedAt = Date.now();
    // Started again at the address the agents know. A real cluster gives that too when a new pod replaces it: the
    // Service's ClusterIP stays. This stand-in has no ClusterIPs (a name resolves to the pod IP), so the container
    // restarts in its pod, as the kubelet restarts a container, and its probes must pass again.
    for (const c of collector.containers) c.start();
    const again = await Promise.all(collector.containers.map((c) => c.awaitProbesPassed(READINESS_BOUND_SECONDS * 1000)));
    probes.push(...again.flat());
    const watched = [
      { pod: plain, port: PLAIN_APP_PORT, application: `${STACK}-${PLAIN_APP}` },
      { pod: tomcat, port: 8080, application: `${STACK}-${SEED_APP}` },
    ];
    const reported = await until("a new transaction of each agent after the collector started again", () => {
      for (const w of watched) serve(w.pod, w.port, 20);
      const firsts = watched.map((w) => {
        const mine = transactionsSince(w.application, startedAt).filter((d) => d.agentId === w.pod.ip);
        return mine.length === 0 ? undefined : { w, dot: mine.sort((a, b) => a.acceptedTime - b.acceptedTime)[0] };
      });
      return firsts.every((f) => f !== undefined) ? firsts.map((f) => f!) : undefined;
    }, 300000);
    evidenceJson!.reconnection = {
      collectorStoppedAt: new Date(collectorStoppedAt).toISOString(),
      servedWhileDown,
      agentStartedLine: agentStartedLine.trim(),
      collectorStartedAt: new Date(startedAt).toISOString(),
      collectorPodIp: collector.ip,
      reportedAgain: reported.map(({ w, dot }) => ({ application: w.application, agentId: dot.agentId, transactionId: dot.transactionId, acceptedAt: new Date(dot.acceptedTime).toISOString(), secondsAfterStart: Math.round((dot.acceptedTime - startedAt) / 1000) })),
    };
    evidence.push(`collector started again (its container, in its pod ${collector.ip}; probes passed): ${reported.map(({ w, dot }) => `${w.application} agent ${dot.agentId} reported ${dot.transactionId} ${Math.round((dot.acceptedTime - startedAt) / 1000)} s after`).join("; ")}`);
  });
});
