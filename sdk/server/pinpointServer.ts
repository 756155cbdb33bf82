/**
 * PinpointServer: the Pinpoint server stack in its own namespace. ZooKeeper and
 * HBase store the traces, the collector is where the agents report, the web UI
 * shows them, and for threshold alarms pinpoint-batch evaluates rules kept in
 * MySQL, whose schema a Job applies from the release's web image. Redis only
 * with the 3.x realtime module, which upstream ships switched off.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { batchObjects, mysqlObjects } from "./alarms";
import { collectorAddress, CollectorAddress, collectorObjects } from "./collector";
import { serverLabels } from "./common";
import { PinpointServerArgs, resolveServerSettings, ServerSettings } from "./config";
import { NAMES, SECRET_KEYS } from "./constants";
import { hbaseObjects } from "./hbase";
import { schemaJob } from "./migrations";
import { WEB_LOGIN_USER, webLoginOn, webLoginSecretData } from "./webLogin";
import { redisObjects } from "./redis";
import { webClusterUrl, webIngressUrl, webObjects, webUrl } from "./web";
import { zookeeperObjects } from "./zookeeper";

/** First starts take longer than the provider's 10 minutes: HBase creates its tables and regions, MySQL initialises its data folder before the schema Job gets in. */
const FIRST_START_TIMEOUT = "20m";

/** kubernetes-types objects are what the provider takes; its generated input types differ only in spelling. */
function asArgs<T>(obj: object): T {
  return obj as unknown as T;
}

export class PinpointServer extends pulumi.ComponentResource {
  /** The namespace everything runs in. */
  readonly namespace: pulumi.Output<string>;
  /** The release deployed. */
  readonly version: pulumi.Output<string>;
  /** The collector Service's cluster DNS name, e.g. `pinpoint-collector.pinpoint.svc.cluster.local`. */
  readonly collectorHost: pulumi.Output<string>;
  readonly collectorAgentPort: pulumi.Output<number>;
  readonly collectorStatPort: pulumi.Output<number>;
  readonly collectorSpanPort: pulumi.Output<number>;
  /** Where the web UI is: the Ingress host, or the Service inside the cluster. */
  readonly webUrl: pulumi.Output<string>;
  /** The web's Service inside the cluster. */
  readonly webClusterUrl: pulumi.Output<string>;
  /** The web through its Ingress (undefined without webIngressHost). */
  readonly webIngressUrl: pulumi.Output<string | undefined>;
  /** The web's login user when its login is on (with an Ingress), else undefined. */
  readonly webLoginUser: pulumi.Output<string | undefined>;
  /** The collector address as plain values, known before deployment (for wiring the agents). */
  readonly collector: CollectorAddress;

  constructor(name: string, args: PinpointServerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("pinpoint:index:PinpointServer", name, {}, opts);
    const s = resolveServerSettings(args);
    this.collector = collectorAddress(s);

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: s.namespace, labels: serverLabels(s) } },
      { parent: this },
    );
    const inNamespace = (dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({ parent: this, dependsOn: [namespace, ...dependsOn] });
    const secret = this.secret(name, s, inNamespace());
    const withSecret = secret ? [secret] : [];

    const storage: pulumi.Resource[] = [];
    if (s.bundledZookeeper) {
      const zk = zookeeperObjects(s);
      new k8s.core.v1.Service(`${name}-zookeeper`, asArgs(zk.service), inNamespace());
      storage.push(new k8s.apps.v1.StatefulSet(`${name}-zookeeper`, asArgs(zk.statefulSet), inNamespace()));
    }
    if (s.bundledHbase) {
      const hb = hbaseObjects(s);
      const config = new k8s.core.v1.ConfigMap(`${name}-hbase-config`, asArgs(hb.configMap), inNamespace());
      new k8s.core.v1.Service(`${name}-hbase`, asArgs(hb.service), inNamespace());
      storage.push(
        new k8s.apps.v1.StatefulSet(`${name}-hbase`, asArgs(hb.statefulSet), {
          ...inNamespace([config, ...storage]),
          customTimeouts: { create: FIRST_START_TIMEOUT, update: FIRST_START_TIMEOUT },
        }),
      );
    }
    if (s.realtime) {
      const redis = redisObjects(s);
      new k8s.core.v1.Service(`${name}-redis`, asArgs(redis.service), inNamespace());
      storage.push(new k8s.apps.v1.Deployment(`${name}-redis`, asArgs(redis.deployment), inNamespace()));
    }

    const collector = collectorObjects(s);
    new k8s.core.v1.Service(`${name}-collector`, asArgs(collector.service), inNamespace());
    new k8s.apps.v1.Deployment(`${name}-collector`, asArgs(collector.deployment), inNamespace(storage));

    const alarmStorage: pulumi.Resource[] = [];
    if (s.alarms) {
      const mysql = mysqlObjects(s, s.alarms);
      new k8s.core.v1.Service(`${name}-mysql`, asArgs(mysql.service), inNamespace());
      const mysqlSet = new k8s.apps.v1.StatefulSet(`${name}-mysql`, asArgs(mysql.statefulSet), inNamespace(withSecret));
      // Waited for (the provider awaits a Job's completion): web and batch start on a current schema.
      alarmStorage.push(new k8s.batch.v1.Job(`${name}-mysql-schema`, asArgs(schemaJob(s)), {
        ...inNamespace([mysqlSet, ...withSecret]),
        deleteBeforeReplace: true,
        // MySQL's first start initialises its data folder before the Job can connect.
        customTimeouts: { create: FIRST_START_TIMEOUT, update: FIRST_START_TIMEOUT },
      }));
      const batch = batchObjects(s, s.alarms);
      new k8s.apps.v1.Deployment(`${name}-batch`, asArgs(batch.deployment), inNamespace([...storage, ...alarmStorage, ...withSecret]));
    }

    const web = webObjects(s);
    const webService = new k8s.core.v1.Service(`${name}-web`, asArgs(web.service), inNamespace());
    new k8s.apps.v1.Deployment(`${name}-web`, asArgs(web.deployment), inNamespace([...storage, ...alarmStorage, ...withSecret]));
    if (web.ingress) new k8s.networking.v1.Ingress(`${name}-web`, asArgs(web.ingress), inNamespace([webService]));

    this.namespace = namespace.metadata.name;
    this.version = pulumi.output(s.version);
    this.collectorHost = pulumi.output(this.collector.host);
    this.collectorAgentPort = pulumi.output(this.collector.agentPort);
    this.collectorStatPort = pulumi.output(this.collector.statPort);
    this.collectorSpanPort = pulumi.output(this.collector.spanPort);
    this.webUrl = pulumi.output(webUrl(s));
    this.webClusterUrl = pulumi.output(webClusterUrl(s));
    this.webIngressUrl = pulumi.output(webIngressUrl(s));
    this.webLoginUser = pulumi.output(webLoginOn(s) ? WEB_LOGIN_USER : undefined);
    this.registerOutputs({
      webClusterUrl: this.webClusterUrl,
      webIngressUrl: this.webIngressUrl,
      webLoginUser: this.webLoginUser,
      namespace: this.namespace,
      version: this.version,
      collectorHost: this.collectorHost,
      collectorAgentPort: this.collectorAgentPort,
      collectorStatPort: this.collectorStatPort,
      collectorSpanPort: this.collectorSpanPort,
      webUrl: this.webUrl,
    });
  }

  /** One Secret with every password the server needs; containers read it through secretKeyRef only. */
  private secret(name: string, s: ServerSettings, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret | undefined {
    const data: Record<string, pulumi.Output<string>> = {};
    if (s.alarms) data[SECRET_KEYS.mysqlPassword] = s.alarms.mysqlPassword;
    if (s.alarms?.mail?.password) data[SECRET_KEYS.mailPassword] = s.alarms.mail.password;
    if (s.webAdminPassword) data[SECRET_KEYS.adminPassword] = s.webAdminPassword;
    if (s.webAdminPassword && webLoginOn(s)) Object.assign(data, webLoginSecretData(s.webAdminPassword));
    if (Object.keys(data).length === 0) return undefined;
    return new k8s.core.v1.Secret(
      `${name}-secrets`,
      {
        metadata: { name: NAMES.secret, namespace: s.namespace, labels: serverLabels(s) },
        type: "Opaque",
        // Secret Outputs: Pulumi keeps them encrypted in state and masked in previews.
        stringData: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, pulumi.secret(v)])),
      },
      opts,
    );
  }
}
