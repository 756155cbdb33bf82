/**
 * PinpointServer under the SDK's mock runtime: what it creates, that it is
 * valid Kubernetes, that the agents are given the ports the collector Service
 * exposes, that namespace and version reach every place, that passwords stay
 * secret, and that bad input fails naming its key.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { PinpointApm, PinpointServer } from "../sdk";
import { HBASE_START_SCRIPT, hbaseSite } from "../sdk/server/hbase";
import { ProgramRun, runProgram } from "./harness/pulumiProgram";
import { validateObject } from "./support/validate";

const PASSWORD = "mysql-pw-0123456789";
const BASE = { mysqlPassword: PASSWORD };
/** A published UI turns the login on, which needs the admin password. */
const INGRESS = { webIngressHost: "pinpoint.dev.example.com", webAdminPassword: "admin-pw-12345" };
const SECRET_KEYS = ["mysqlPassword", "alarmMailPassword", "webAdminPassword"];
/** How the SDK serialises a secret value on its way to the engine (and so to the mocks). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface K8sObject {
  type: string;
  name: string;
  obj: any;
  /** Dotted paths of values that reached the engine as secrets. */
  secrets: string[];
}

/** Inputs with serialised secrets unwrapped, noting where they were. */
function unwrapSecrets(value: any, at: string, found: string[]): any {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
  if (value && typeof value === "object") {
    if (value[SECRET_SIG_KEY] === SECRET_SIG) {
      found.push(at);
      return unwrapSecrets(value.value, at, found);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, found)]));
  }
  return value;
}

function k8sObjects(run: ProgramRun): K8sObject[] {
  return run.resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
    .map((r) => {
      const secrets = [...r.secretPaths];
      const obj = unwrapSecrets(r.inputs, "", secrets);
      return { type: r.type, name: r.name, obj, secrets };
    });
}

async function server(config: Record<string, string> = BASE, program?: () => unknown): Promise<{ run: ProgramRun; objects: K8sObject[] }> {
  const run = await runProgram(
    program ??
      (() => {
        const s = new PinpointServer("pp");
        return { namespace: s.namespace, collectorHost: s.collectorHost, agentPort: s.collectorAgentPort, statPort: s.collectorStatPort, spanPort: s.collectorSpanPort, webUrl: s.webUrl };
      }),
    { config, secretKeys: SECRET_KEYS },
  );
  return { run, objects: k8sObjects(run) };
}

const kindOf = (o: K8sObject) => o.obj.kind as string;
const named = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => kindOf(o) === kind && o.obj.metadata.name === name);
  assert.ok(found, `${kind} ${name} must exist; have: ${objects.map((o) => `${kindOf(o)}/${o.obj.metadata.name}`).join(", ")}`);
  return found.obj;
};
const podSpec = (obj: any) => obj.spec.template.spec;
const containersOf = (obj: any): any[] => [...(podSpec(obj).initContainers ?? []), ...podSpec(obj).containers];
const workloads = (objects: K8sObject[]) => objects.filter((o) => ["Deployment", "StatefulSet"].includes(kindOf(o)));
const envOf = (container: any, name: string) => container.env?.find((e: any) => e.name === name);

describe("PinpointServer: what it deploys", () => {
  it("creates the whole stack in namespace pinpoint, every object valid for its Kubernetes schema", async () => {
    const { run, objects } = await server();
    assert.deepStrictEqual(run.errors, []);
    const names = objects.map((o) => `${kindOf(o)}/${o.obj.metadata.name}`).sort();
    assert.deepStrictEqual(names, [
      "ConfigMap/pinpoint-hbase-config",
      "Deployment/pinpoint-batch",
      "Deployment/pinpoint-collector",
      "Deployment/pinpoint-web",
      "Job/pinpoint-mysql-schema-3-1-0",
      "Namespace/pinpoint",
      "Secret/pinpoint-server-secrets",
      "Service/pinpoint-collector",
      "Service/pinpoint-hbase",
      "Service/pinpoint-mysql",
      "Service/pinpoint-web",
      "Service/pinpoint-zookeeper",
      "StatefulSet/pinpoint-hbase",
      "StatefulSet/pinpoint-mysql",
      "StatefulSet/pinpoint-zookeeper",
    ]);
    for (const o of objects) {
      validateObject(o.obj);
      if (kindOf(o) !== "Namespace") assert.strictEqual(o.obj.metadata.namespace, "pinpoint", `${o.name} must be in the server's namespace`);
    }
    // Pulumi names are the component's, one per part.
    assert.ok(run.resources.some((r) => r.type === "pinpoint:index:PinpointServer" && r.name === "pp"));
    assert.ok(objects.every((o) => o.name.startsWith("pp-")));
    assert.deepStrictEqual(run.outputs, {
      namespace: "pinpoint",
      collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local",
      agentPort: 9991,
      statPort: 9992,
      spanPort: 9993,
      webUrl: "http://pinpoint-web.pinpoint.svc.cluster.local:8080",
    });
  });

  it("gives every container probes, requests and limits, and a pinned image; opts every workload out of injection", async () => {
    const { objects } = await server({ ...BASE, alarmNotify: "mail", alarmMailHost: "smtp.example.com", alarmMailFrom: "apm@example.com" });
    assert.strictEqual(workloads(objects).length, 6);
    for (const w of [...workloads(objects), ...objects.filter((o) => kindOf(o) === "Job")]) {
      assert.strictEqual(w.obj.metadata.annotations?.["pinpoint.fjhb.cn/inject"], "false", `${w.name} must opt out of the agent`);
      // 3.x batch opens no port: nothing to probe (serverReleases.test.ts checks each release); a Job runs to completion.
      const probed = kindOf(w) !== "Job" && w.obj.metadata.name !== "pinpoint-batch";
      for (const c of probed ? podSpec(w.obj).containers : []) {
        assert.ok(c.readinessProbe, `${w.name}/${c.name} needs a readiness probe`);
        assert.ok(c.livenessProbe, `${w.name}/${c.name} needs a liveness probe`);
      }
      for (const c of containersOf(w.obj)) {
        for (const kind of ["requests", "limits"]) {
          assert.ok(c.resources?.[kind]?.cpu && c.resources?.[kind]?.memory, `${w.name}/${c.name} needs cpu and memory ${kind}`);
        }
        assert.match(c.image, /^docker\.io\/[a-z0-9-]+\/[a-z0-9-]+:\d+\.\d+\.\d+$/, `${w.name}/${c.name}: image ${c.image} must be pinned`);
      }
    }
    for (const [workload, image] of [
      ["pinpoint-hbase", "pinpoint-hbase"],
      ["pinpoint-collector", "pinpoint-collector"],
      ["pinpoint-web", "pinpoint-web"],
      ["pinpoint-batch", "pinpoint-batch"],
    ]) {
      const w = objects.find((o) => o.obj.metadata.name === workload && ["Deployment", "StatefulSet"].includes(kindOf(o)))!;
      assert.strictEqual(podSpec(w.obj).containers[0].image, `docker.io/pinpointdocker/${image}:3.1.0`);
    }
  });

  it("turns service-link variables off in every pod it runs, so that no PINPOINT_*_PORT=tcp://… reaches Spring", async () => {
    const { objects } = await server({ ...BASE, alarmNotify: "mail", alarmMailHost: "smtp.example.com", alarmMailFrom: "apm@example.com" });
    const pods = [...workloads(objects), ...objects.filter((o) => kindOf(o) === "Job")];
    // Six workloads (alarms on) and the schema Job.
    assert.strictEqual(pods.length, 7);
    for (const w of pods) assert.strictEqual(podSpec(w.obj).enableServiceLinks, false, `${kindOf(w)} ${w.name}`);
  });

  it("gives the collector Service the gRPC agent, stat and span ports its pods listen on", async () => {
    const { objects } = await server();
    const service = named(objects, "Service", "pinpoint-collector");
    const pods = podSpec(named(objects, "Deployment", "pinpoint-collector")).containers[0];
    const byName = Object.fromEntries(service.spec.ports.map((p: any) => [p.name, p]));
    assert.deepStrictEqual(
      ["grpc-agent", "grpc-stat", "grpc-span"].map((n) => byName[n].port),
      [9991, 9992, 9993],
    );
    for (const p of service.spec.ports) {
      const target = pods.ports.find((c: any) => c.name === p.targetPort);
      assert.ok(target, `Service port ${p.name} must target a container port`);
      assert.strictEqual(target.containerPort, p.port);
    }
    // The selector reaches the collector pods.
    const labels = named(objects, "Deployment", "pinpoint-collector").spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) assert.strictEqual(labels[k], v);
  });

  it("points HBase at its own ZooKeeper, not zoo1,zoo2,zoo3, and runs its start script", async () => {
    const { objects } = await server();
    const site = named(objects, "ConfigMap", "pinpoint-hbase-config").data["hbase-site.xml"];
    assert.match(site, /<name>hbase\.zookeeper\.quorum<\/name>\s*<value>pinpoint-zookeeper\.pinpoint\.svc\.cluster\.local<\/value>/);
    assert.doesNotMatch(site, /zoo1|zoo2|zoo3/);
    const hbase = named(objects, "StatefulSet", "pinpoint-hbase");
    assert.deepStrictEqual(podSpec(hbase).containers[0].command, ["/bin/bash", "/etc/pinpoint-hbase/start.sh"]);
    assert.strictEqual(hbase.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "20Gi");
    const zk = podSpec(named(objects, "StatefulSet", "pinpoint-zookeeper")).containers[0];
    assert.strictEqual(envOf(zk, "ZOO_SERVERS"), undefined, "one ZooKeeper runs standalone");
    for (const name of ["pinpoint-collector", "pinpoint-web", "pinpoint-batch"]) {
      const c = podSpec(named(objects, "Deployment", name)).containers[0];
      assert.strictEqual(envOf(c, "PINPOINT_ZOOKEEPER_ADDRESS").value, "pinpoint-zookeeper.pinpoint.svc.cluster.local");
      // Upstream ships the realtime module off; so is Redis, unless pinpoint:realtime.
      assert.strictEqual(envOf(c, "SPRING_DATA_REDIS_HOST"), undefined);
    }
  });

  it("uses the storage class and sizes it is given", async () => {
    const { objects } = await server({ ...BASE, hbaseStorageClass: "fast-ssd", hbaseStorageSize: "100Gi", mysqlStorageSize: "5Gi" });
    for (const o of objects.filter((o) => kindOf(o) === "StatefulSet")) {
      assert.strictEqual(o.obj.spec.volumeClaimTemplates[0].spec.storageClassName, "fast-ssd");
    }
    assert.strictEqual(named(objects, "StatefulSet", "pinpoint-hbase").spec.volumeClaimTemplates[0].spec.resources.requests.storage, "100Gi");
    assert.strictEqual(named(objects, "StatefulSet", "pinpoint-mysql").spec.volumeClaimTemplates[0].spec.resources.requests.storage, "5Gi");
  });

  it("changing the namespace changes every namespace, DNS name and output", async () => {
    const { run, objects } = await server({ ...BASE, ...INGRESS, serverNamespace: "apm-dev" });
    assert.deepStrictEqual(run.errors, []);
    named(objects, "Namespace", "apm-dev");
    for (const o of objects) {
      if (kindOf(o) !== "Namespace") assert.strictEqual(o.obj.metadata.namespace, "apm-dev", o.name);
      const text = JSON.stringify(o.obj);
      assert.doesNotMatch(text, /\.pinpoint\.svc/, `${o.name} still names the default namespace`);
    }
    assert.match(JSON.stringify(objects.map((o) => o.obj)), /pinpoint-zookeeper\.apm-dev\.svc\.cluster\.local/);
    assert.strictEqual(run.outputs.namespace, "apm-dev");
    assert.strictEqual(run.outputs.collectorHost, "pinpoint-collector.apm-dev.svc.cluster.local");
    assert.strictEqual(run.outputs.webUrl, "http://pinpoint.dev.example.com");
    const ingress = named(objects, "Ingress", "pinpoint-web");
    assert.strictEqual(ingress.spec.rules[0].host, "pinpoint.dev.example.com");
  });

  it("changing the version changes every image and version label, and what the release needs", async () => {
    const { run, objects } = await server({ ...BASE, version: "2.5.4" });
    assert.deepStrictEqual(run.errors, []);
    const text = JSON.stringify(objects.map((o) => o.obj));
    assert.doesNotMatch(text, /3\.1\.0/);
    for (const o of objects) assert.strictEqual(o.obj.metadata.labels?.["app.kubernetes.io/version"], "2.5.4", o.name);
    for (const w of workloads(objects)) {
      for (const c of containersOf(w.obj)) {
        if (c.image.includes("pinpointdocker/")) assert.match(c.image, /:2\.5\.4$/);
      }
    }
    // 2.5 has no Redis and still the Thrift receivers; 3.x the reverse.
    assert.ok(!objects.some((o) => o.obj.metadata.name === "pinpoint-redis"));
    const collector = podSpec(named(objects, "Deployment", "pinpoint-collector")).containers[0];
    assert.strictEqual(envOf(collector, "SPRING_DATA_REDIS_HOST"), undefined);
    const ports = named(objects, "Service", "pinpoint-collector").spec.ports.map((p: any) => `${p.port}/${p.protocol}`);
    assert.deepStrictEqual(ports, ["9991/TCP", "9992/TCP", "9993/TCP", "9994/TCP", "9995/UDP", "9996/UDP"]);
    // The schema comes out of the release's own web image, by its boot jar.
    const job = named(objects, "Job", "pinpoint-mysql-schema-2-5-4");
    assert.strictEqual(envOf(podSpec(job).initContainers[0], "WEB_JAR").value, "/pinpoint/pinpoint-web-boot.jar");
  });

  it("puts the registry prefix before every image, so they can come from a Harbor proxy cache", async () => {
    const { objects } = await server({ ...BASE, serverImageRegistry: "harbor.59iedu.com/dockerhub/" });
    const images = [...workloads(objects), ...objects.filter((o) => kindOf(o) === "Job")].flatMap((w) => containersOf(w.obj).map((c) => c.image as string));
    assert.ok(images.length >= 8);
    for (const image of images) assert.ok(image.startsWith("harbor.59iedu.com/dockerhub/"), image);
    assert.ok(images.includes("harbor.59iedu.com/dockerhub/library/mysql:8.0.36"));
    assert.ok(images.includes("harbor.59iedu.com/dockerhub/pinpointdocker/pinpoint-collector:3.1.0"));
  });

  it("without alarms deploys neither batch nor MySQL and needs no password", async () => {
    const { run, objects } = await server({ alarms: "false" });
    assert.deepStrictEqual(run.errors, []);
    for (const name of ["pinpoint-batch", "pinpoint-mysql", "pinpoint-server-secrets"]) {
      assert.ok(!objects.some((o) => o.obj.metadata.name === name), `${name} must not exist`);
    }
    const web = podSpec(named(objects, "Deployment", "pinpoint-web")).containers[0];
    assert.strictEqual(envOf(web, "JDBC_URL"), undefined);
  });

  it("uses an external ZooKeeper and HBase instead of deploying them", async () => {
    const { run, objects } = await server({ ...BASE, externalZookeeper: "zk1.infra:2181,zk2.infra:2181", externalHbase: "true" });
    assert.deepStrictEqual(run.errors, []);
    for (const name of ["pinpoint-zookeeper", "pinpoint-hbase", "pinpoint-hbase-config"]) {
      assert.ok(!objects.some((o) => o.obj.metadata.name === name), `${name} must not exist`);
    }
    for (const name of ["pinpoint-collector", "pinpoint-web", "pinpoint-batch"]) {
      const c = podSpec(named(objects, "Deployment", name)).containers[0];
      assert.strictEqual(envOf(c, "PINPOINT_ZOOKEEPER_ADDRESS").value, "zk1.infra:2181,zk2.infra:2181");
      assert.strictEqual(envOf(c, "HBASE_CLIENT_HOST").value, "zk1.infra:2181,zk2.infra:2181");
    }
  });

  it("an external ZooKeeper alone still gets the bundled HBase, pointed at it", async () => {
    const { objects } = await server({ ...BASE, externalZookeeper: '["zk1.infra"]' });
    assert.match(named(objects, "ConfigMap", "pinpoint-hbase-config").data["hbase-site.xml"], /<value>zk1\.infra<\/value>/);
    assert.ok(!objects.some((o) => o.obj.metadata.name === "pinpoint-zookeeper"));
  });

  it("sets the replica counts of collector and web", async () => {
    const { objects } = await server({ ...BASE, collectorReplicas: "3", webReplicas: "2" });
    assert.strictEqual(named(objects, "Deployment", "pinpoint-collector").spec.replicas, 3);
    assert.strictEqual(named(objects, "Deployment", "pinpoint-web").spec.replicas, 2);
    assert.strictEqual(named(objects, "Deployment", "pinpoint-batch").spec.replicas, 1, "one alarm evaluator");
  });

  for (const [label, config] of [
    ["2.5.4 with Thrift ports", { ...BASE, version: "2.5.4" }],
    ["3.0.5", { ...BASE, version: "3.0.5" }],
    ["an Ingress", { ...BASE, ...INGRESS, webIngressClassName: "nginx" }],
    ["external ZooKeeper and HBase, no alarms", { alarms: "false", externalZookeeper: "zk1:2181", externalHbase: "true" }],
    ["mail and webhook alarms", { ...BASE, alarmNotify: "mail,webhook", alarmMailHost: "smtp.example.com", alarmMailFrom: "a@example.com" }],
  ] as Array<[string, Record<string, string>]>) {
    it(`every object is valid for its Kubernetes schema with ${label}`, async () => {
      const { run, objects } = await server(config);
      assert.deepStrictEqual(run.errors, []);
      assert.ok(objects.length >= 5, `${objects.length} objects`);
      for (const o of objects) validateObject(o.obj);
    });
  }

  it("takes resources per part over the defaults", async () => {
    const { objects } = await server({ ...BASE, serverResources: '{"hbase":{"limits":{"memory":"6Gi"}}}' });
    const hbase = podSpec(named(objects, "StatefulSet", "pinpoint-hbase")).containers[0];
    assert.deepStrictEqual(hbase.resources, { requests: { cpu: "500m", memory: "2560Mi" }, limits: { cpu: "2", memory: "6Gi" } });
  });
});

describe("PinpointServer: secrets", () => {
  const MAIL_PASSWORD = "smtp-pw-abcdef";
  const ADMIN_PASSWORD = "admin-pw-xyz987";
  const config = {
    ...BASE,
    alarmNotify: "mail,webhook",
    alarmMailHost: "smtp.example.com",
    alarmMailPort: "465",
    alarmMailUsername: "apm",
    alarmMailPassword: MAIL_PASSWORD,
    alarmMailFrom: "apm@example.com",
    webAdminPassword: ADMIN_PASSWORD,
  };

  it("keeps every password in one Secret as Pulumi secrets, and nowhere else in plain text", async () => {
    const { run, objects } = await server(config);
    assert.deepStrictEqual(run.errors, []);
    const secret = objects.find((o) => kindOf(o) === "Secret")!;
    assert.deepStrictEqual(secret.obj.stringData, {
      "mysql-password": PASSWORD,
      "alarm-mail-password": MAIL_PASSWORD,
      "web-admin-password": ADMIN_PASSWORD,
    });
    for (const key of ["mysql-password", "alarm-mail-password", "web-admin-password"]) {
      assert.ok(
        secret.secrets.some((p) => p === "stringData" || p === `stringData.${key}`),
        `stringData.${key} must be a Pulumi secret; secret paths: ${secret.secrets.join(", ")}`,
      );
    }
    for (const o of objects.filter((o) => o !== secret)) {
      const text = JSON.stringify(o.obj);
      for (const pw of [PASSWORD, MAIL_PASSWORD, ADMIN_PASSWORD]) assert.ok(!text.includes(pw), `${o.name} holds a password in plain text`);
    }
  });

  it("hands passwords to containers only through secretKeyRef", async () => {
    const { objects } = await server(config);
    const refs: string[] = [];
    for (const w of [...workloads(objects), ...objects.filter((o) => kindOf(o) === "Job")]) {
      for (const c of containersOf(w.obj)) {
        for (const e of c.env ?? []) {
          if (/PASSWORD|PWD/.test(e.name)) {
            assert.strictEqual(e.value, undefined, `${w.name}/${c.name} ${e.name} must not be a literal`);
            assert.strictEqual(e.valueFrom.secretKeyRef.name, "pinpoint-server-secrets");
            refs.push(`${c.name}:${e.name}=${e.valueFrom.secretKeyRef.key}`);
          }
        }
      }
    }
    for (const want of [
      "mysql:MYSQL_PASSWORD=mysql-password",
      "mysql:MYSQL_ROOT_PASSWORD=mysql-password",
      "web:ADMIN_PASSWORD=web-admin-password",
      "web:SPRING_DATASOURCE_HIKARI_PASSWORD=mysql-password",
      "batch:SPRING_DATASOURCE_HIKARI_PASSWORD=mysql-password",
      "batch:SPRING_MAIL_PASSWORD=alarm-mail-password",
      "apply-schema:MYSQL_PWD=mysql-password",
    ]) {
      assert.ok(refs.includes(want), `missing ${want}; have ${refs.join(", ")}`);
    }
    const batch = podSpec(named(objects, "Deployment", "pinpoint-batch")).containers[0];
    // 3.x batch reads Spring's mail properties (2.5's alarm.mail.* in serverReleases.test.ts).
    assert.strictEqual(envOf(batch, "SPRING_MAIL_HOST").value, "smtp.example.com");
    assert.strictEqual(envOf(batch, "SPRING_MAIL_PORT").value, "465");
    assert.strictEqual(envOf(batch, "SPRING_MAIL_PROPERTIES_MAIL_SMTP_FROM").value, "apm@example.com");
    assert.strictEqual(envOf(batch, "ALARM_MAIL_SERVER_URL"), undefined);
    assert.strictEqual(envOf(batch, "WEBHOOK_ENABLE").value, "true");
    // 3.x reads the alarm links' base from spring.mail.pinpoint-url.
    assert.strictEqual(envOf(batch, "SPRING_MAIL_PINPOINTURL").value, "http://pinpoint-web.pinpoint.svc.cluster.local:8080");
  });

  it("makes a password given as a plain argument a secret too", async () => {
    const { objects } = await server({}, () => new PinpointServer("pp", { mysqlPassword: PASSWORD }));
    const secret = objects.find((o) => kindOf(o) === "Secret")!;
    assert.strictEqual(secret.obj.stringData["mysql-password"], PASSWORD);
    assert.ok(secret.secrets.some((p) => p.startsWith("stringData")), `secret paths: ${secret.secrets.join(", ")}`);
  });
});

describe("PinpointServer: bad input names its key", () => {
  const cases: Array<{ name: string; config: Record<string, string>; error: RegExp }> = [
    { name: "unknown version", config: { ...BASE, version: "9.9.9" }, error: /^pinpoint:version is "9\.9\.9".*use one of: 2\.5\.4, 3\.0\.1, 3\.0\.4, 3\.0\.5, 3\.1\.0/ },
    { name: "namespace with capitals", config: { ...BASE, serverNamespace: "Pinpoint_APM" }, error: /^pinpoint:serverNamespace is "Pinpoint_APM", not a valid namespace name/ },
    { name: "namespace too long", config: { ...BASE, serverNamespace: "a".repeat(64) }, error: /^pinpoint:serverNamespace is "a{64}", not a valid namespace name/ },
    { name: "storage size that does not parse", config: { ...BASE, hbaseStorageSize: "20 gigs" }, error: /^pinpoint:hbaseStorageSize is "20 gigs", not a storage size/ },
    { name: "zero storage size", config: { ...BASE, zookeeperStorageSize: "0Gi" }, error: /^pinpoint:zookeeperStorageSize is "0Gi"/ },
    { name: "MySQL size with a wrong suffix", config: { ...BASE, mysqlStorageSize: "5GB" }, error: /^pinpoint:mysqlStorageSize is "5GB"/ },
    { name: "alarms on without a MySQL password", config: {}, error: /^pinpoint:mysqlPassword is not set, and alarms are on.*pulumi config set --secret pinpoint:mysqlPassword/ },
    { name: "mail asked for without a host", config: { ...BASE, alarmNotify: "mail", alarmMailFrom: "a@example.com" }, error: /^pinpoint:alarmMailHost is not set, and pinpoint:alarmNotify asks for mail/ },
    { name: "mail asked for without a sender", config: { ...BASE, alarmNotify: "mail", alarmMailHost: "smtp.example.com" }, error: /^pinpoint:alarmMailFrom is not set, and pinpoint:alarmNotify asks for mail/ },
    {
      name: "mail user without a password",
      config: { ...BASE, alarmNotify: "mail", alarmMailHost: "smtp.example.com", alarmMailFrom: "a@example.com", alarmMailUsername: "apm" },
      error: /^pinpoint:alarmMailPassword is not set, and pinpoint:alarmMailUsername is/,
    },
    { name: "unknown channel", config: { ...BASE, alarmNotify: "sms" }, error: /^pinpoint:alarmNotify names "sms".*use any of: mail, webhook/ },
    { name: "notifications with alarms off", config: { alarms: "false", alarmNotify: "webhook" }, error: /^pinpoint:alarmNotify asks for webhook notifications, and pinpoint:alarms is false/ },
    { name: "external HBase without its ZooKeeper", config: { ...BASE, externalHbase: "true" }, error: /^pinpoint:externalZookeeper is not set, and pinpoint:externalHbase is true/ },
    { name: "external ZooKeeper with a bad entry", config: { ...BASE, externalZookeeper: "zk1:2181,http://zk2" }, error: /^pinpoint:externalZookeeper has "http:\/\/zk2"/ },
    { name: "external ZooKeeper with port 99999", config: { ...BASE, externalZookeeper: "zk1:99999" }, error: /^pinpoint:externalZookeeper has "zk1:99999", which has port 99999: a port is a whole number from 1 to 65535/ },
    { name: "external ZooKeeper host a..b", config: { ...BASE, externalZookeeper: "a..b:2181" }, error: /^pinpoint:externalZookeeper has "a\.\.b:2181", which has an empty label/ },
    { name: "ingress host with a scheme", config: { ...BASE, webIngressHost: "https://pinpoint.example.com" }, error: /^pinpoint:webIngressHost is "https:\/\/pinpoint\.example\.com", not a host name/ },
    { name: "zero replicas", config: { ...BASE, collectorReplicas: "0" }, error: /^pinpoint:collectorReplicas is "0", not a whole number from 1 to 20/ },
    { name: "unknown part in resources", config: { ...BASE, serverResources: '{"kafka":{}}' }, error: /^pinpoint:serverResources names "kafka"/ },
    { name: "bad quantity in resources", config: { ...BASE, serverResources: '{"web":{"limits":{"memory":"lots"}}}' }, error: /^pinpoint:serverResources has web\.limits\.memory "lots"/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { run } = await server(c.config);
      assert.strictEqual(run.errors.length, 1, `want one error, got: ${JSON.stringify(run.errors)}`);
      assert.match(run.errors[0], c.error);
      assert.ok(!run.resources.some((r) => r.type.startsWith("kubernetes:")), "nothing is deployed");
    });
  }

  it("an argument that is an Output cannot shape the deployment", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { run } = await server({}, () => new PinpointServer("pp", { version: pulumi.output("3.1.0"), mysqlPassword: "x" }));
    assert.match(run.errors[0] ?? "", /^pinpoint:version must be known at preview/);
  });
});

describe("PinpointApm with deployServer", () => {
  const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"ab".repeat(32)}`;
  const ON = { enabled: "true", agentImage: IMAGE, deployServer: "true", mysqlPassword: PASSWORD };
  const app = () =>
    new k8s.apps.v1.Deployment("tomcat", {
      metadata: { name: "tomcat", namespace: "dev" },
      spec: {
        selector: { matchLabels: { app: "tomcat" } },
        template: { metadata: { labels: { app: "tomcat" } }, spec: { containers: [{ name: "tomcat", image: "tomcat:9" }] } },
      },
    });
  const program = (args: Record<string, unknown> = {}) => () => {
    const apm = new PinpointApm("apm", args);
    app();
    return { collectorHost: apm.collectorHost, serverNamespace: apm.serverNamespace, webUrl: apm.webUrl };
  };
  const flags = (run: ProgramRun) => {
    const tomcat = k8sObjects(run).find((o) => o.name === "tomcat")!;
    return podSpec(tomcat.obj).containers[0].env.find((e: any) => e.name === "CATALINA_OPTS").value as string;
  };

  it("points the agents at the collector Service: the same host and ports it exposes", async () => {
    const run = await runProgram(program(), { config: ON, secretKeys: SECRET_KEYS });
    assert.deepStrictEqual(run.errors, []);
    const objects = k8sObjects(run);
    const service = named(objects, "Service", "pinpoint-collector");
    const port = (name: string) => service.spec.ports.find((p: any) => p.name === name).port;
    const opts = flags(run);
    assert.match(opts, new RegExp(`-Dprofiler\\.transport\\.grpc\\.collector\\.ip=${service.metadata.name}\\.${service.metadata.namespace}\\.svc\\.cluster\\.local( |$)`));
    assert.match(opts, new RegExp(`-Dprofiler\\.transport\\.grpc\\.agent\\.collector\\.port=${port("grpc-agent")}( |$)`));
    assert.match(opts, new RegExp(`-Dprofiler\\.transport\\.grpc\\.metadata\\.collector\\.port=${port("grpc-agent")}( |$)`));
    assert.match(opts, new RegExp(`-Dprofiler\\.transport\\.grpc\\.stat\\.collector\\.port=${port("grpc-stat")}( |$)`));
    assert.match(opts, new RegExp(`-Dprofiler\\.transport\\.grpc\\.span\\.collector\\.port=${port("grpc-span")}( |$)`));
    assert.deepStrictEqual(run.outputs, {
      collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local",
      serverNamespace: "pinpoint",
      webUrl: "http://pinpoint-web.pinpoint.svc.cluster.local:8080",
    });
    // The server is PinpointApm's child, and its own workloads get no agent.
    assert.ok(run.resources.some((r) => r.type === "pinpoint:index:PinpointServer" && r.name === "apm-server"));
    for (const w of workloads(objects).filter((o) => o.obj.metadata.namespace === "pinpoint")) {
      assert.ok(!containersOf(w.obj).some((c) => c.name === "init-pinpoint"), `${w.name} must not be instrumented`);
    }
  });

  it("follows serverNamespace and version given as arguments", async () => {
    const run = await runProgram(program({ serverNamespace: "apm", version: "2.5.4" }), { config: ON, secretKeys: SECRET_KEYS });
    assert.deepStrictEqual(run.errors, []);
    assert.match(flags(run), /-Dprofiler\.transport\.grpc\.collector\.ip=pinpoint-collector\.apm\.svc\.cluster\.local /);
    const collector = named(k8sObjects(run), "Deployment", "pinpoint-collector");
    assert.strictEqual(podSpec(collector).containers[0].image, "docker.io/pinpointdocker/pinpoint-collector:2.5.4");
    assert.strictEqual(run.outputs.serverNamespace, "apm");
  });

  it("fails at preview when instrumentation is on with neither a server nor pinpoint:collectorHost", async () => {
    const run = await runProgram(program(), { config: { enabled: "true", agentImage: IMAGE }, preview: true });
    assert.strictEqual(run.errors.length, 1, JSON.stringify(run.errors));
    assert.match(run.errors[0], /^pinpoint:collectorHost is not set, and instrumentation is on with no Pinpoint server deployed; .*pinpoint:deployServer true/);
  });

  it("with pinpoint:collectorHost and no server, reports there and deploys nothing of the server", async () => {
    const run = await runProgram(() => {
      new PinpointApm("apm");
      app();
    }, { config: { enabled: "true", agentImage: IMAGE, collectorHost: "collector.apm.example.com" } });
    assert.deepStrictEqual(run.errors, []);
    assert.match(flags(run), /-Dprofiler\.transport\.grpc\.collector\.ip=collector\.apm\.example\.com/);
    assert.ok(!run.resources.some((r) => r.type === "pinpoint:index:PinpointServer"));
  });

  it("refuses a collector setting beside deployServer, naming the key", async () => {
    for (const key of ["collectorHost", "collectorSpanPort"]) {
      const run = await runProgram(program(), { config: { ...ON, [key]: key === "collectorHost" ? "elsewhere.example.com" : "19993" }, secretKeys: SECRET_KEYS });
      assert.strictEqual(run.errors.length, 1, JSON.stringify(run.errors));
      assert.match(run.errors[0], new RegExp(`^pinpoint:${key} is set, and pinpoint:deployServer is true`));
    }
  });

  it("deploys the server with instrumentation off", async () => {
    const run = await runProgram(program(), { config: { deployServer: "true", alarms: "false" } });
    assert.deepStrictEqual(run.errors, []);
    assert.ok(k8sObjects(run).some((o) => o.obj.metadata.name === "pinpoint-collector"));
    assert.strictEqual(run.outputs.collectorHost, "pinpoint-collector.pinpoint.svc.cluster.local");
  });
});

describe("PinpointServer: the scripts it runs in containers", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-server-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("the HBase start script is valid bash", () => {
    const p = path.join(tmp, "start.sh");
    fs.writeFileSync(p, HBASE_START_SCRIPT);
    execFileSync("bash", ["-n", p]);
  });

  it("the start script reads the table names out of hbase-create.hbase", () => {
    // The script's own table-name extraction, run against a sample in the upstream syntax.
    const line = HBASE_START_SCRIPT.split("\n").find((l) => l.startsWith("TABLES="))!;
    const script = `BASE_DIR=${path.join(__dirname, "fixtures", "server")}\nCREATE="$BASE_DIR/hbase-create.sample.hbase"\n${line}\nprintf '%s\\n' "$TABLES"`;
    const out = execFileSync("bash", ["-c", script], { encoding: "utf8" });
    assert.deepStrictEqual(out.trim().split("\n"), ["AgentInfo", "ApplicationIndex", "HostApplicationMap_Ver2"]);
  });

  it("hbase-site.xml escapes what it writes", () => {
    const site = hbaseSite({ zookeeperAddress: "zk1&zk2" } as any);
    assert.match(site, /<value>zk1&amp;zk2<\/value>/);
  });
});
