/**
 * PinpointServer's inputs: its args, else the `pinpoint:*` stack config, checked
 * once in the constructor so every bad value fails the preview naming its key.
 */
import * as pulumi from "@pulumi/pulumi";
import { argOr, CONFIG_NAMESPACE, ConfigError, ConfigReader, declareConfigKeys } from "../config";
import { hostPortProblem } from "../inject/grammar";
import {
  ALARM_CHANNELS,
  AlarmChannel,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_MAIL_PORT,
  DEFAULT_NAMESPACE,
  DEFAULT_REPLICAS,
  DEFAULT_RESOURCES,
  DEFAULT_STORAGE,
  DEFAULT_VERSION,
  NAMES,
  Part,
  PARTS,
  PinpointRelease,
  RELEASES,
  Resources,
} from "./constants";
import { resolveRetention, Retention, RetentionArgs } from "./retention";
import { requireLoginPassword } from "./webLogin";

declareConfigKeys({
  serverNamespace: `string, default ${DEFAULT_NAMESPACE}: the namespace the Pinpoint server is deployed in (created by the component)`,
  version: `one of ${Object.keys(RELEASES).join(", ")}, default ${DEFAULT_VERSION}: the Pinpoint server release`,
  serverImageRegistry: "string: registry prefix put before every server image (e.g. a Harbor proxy cache project `harbor.example.com/dockerhub`); default docker.io",
  hbaseStorageClass: "string, default the cluster's default class: storage class of the server's volumes (HBase, ZooKeeper, MySQL)",
  hbaseStorageSize: `quantity, default ${DEFAULT_STORAGE.hbase}: size of HBase's volume`,
  zookeeperStorageSize: `quantity, default ${DEFAULT_STORAGE.zookeeper}: size of ZooKeeper's volume`,
  mysqlStorageSize: `quantity, default ${DEFAULT_STORAGE.mysql}: size of MySQL's volume`,
  webIngressHost: "string: expose the web UI through an Ingress with this host",
  webIngressClassName: "string: ingressClassName of that Ingress",
  webAdminPassword: "secret: the web's password: of the admin API (`/api/admin/**`; the image's default is `admin`) and, when webIngressHost publishes the UI, of the login (user admin); required then",
  alarms: "boolean, default true: deploy pinpoint-batch and MySQL so threshold alarms are evaluated",
  alarmNotify: `list of ${ALARM_CHANNELS.join(", ")}, default none: how alarms notify (mail needs alarmMailHost and alarmMailFrom; webhook receivers are registered in the web UI)`,
  alarmMailHost: "string: SMTP server for alarm mail",
  alarmMailPort: `integer, default ${DEFAULT_MAIL_PORT}: SMTP port`,
  alarmMailUsername: "string: SMTP user (alarmMailPassword then required)",
  alarmMailPassword: "secret: SMTP password",
  alarmMailFrom: "string: sender address of alarm mail",
  alarmMailStartTls: "boolean, default true: use STARTTLS for SMTP",
  mysqlPassword: "secret: password of the bundled MySQL (required when alarms are on)",
  realtime: "boolean, default false (as upstream's images): turn on the 3.x realtime module (active-thread charts through Redis) and deploy the Redis it needs",
  externalZookeeper: "list of host[:port]: use this ZooKeeper instead of deploying one",
  externalHbase: "boolean, default false: use the existing HBase behind externalZookeeper instead of deploying one",
  collectorReplicas: `integer, default ${DEFAULT_REPLICAS.collector}: collector replicas`,
  webReplicas: `integer, default ${DEFAULT_REPLICAS.web}: web replicas`,
  clusterDomain: `string, default ${DEFAULT_CLUSTER_DOMAIN}: the cluster's DNS domain, for the collector's address`,
  serverResources: 'JSON object: requests/limits per part, over the defaults, e.g. {"hbase":{"limits":{"memory":"4Gi"}}}',
});

/**
 * Arguments of PinpointServer. Each is optional; what is not given is read from
 * the `pinpoint:*` config key of the same name (`namespace` ← `serverNamespace`,
 * `imageRegistry` ← `serverImageRegistry`, `resources` ← `serverResources`).
 * Values that shape the deployment must be known at preview (plain values).
 */
export interface PinpointServerArgs extends RetentionArgs {
  namespace?: pulumi.Input<string>;
  version?: pulumi.Input<string>;
  imageRegistry?: pulumi.Input<string>;
  hbaseStorageClass?: pulumi.Input<string>;
  hbaseStorageSize?: pulumi.Input<string>;
  zookeeperStorageSize?: pulumi.Input<string>;
  mysqlStorageSize?: pulumi.Input<string>;
  webIngressHost?: pulumi.Input<string>;
  webIngressClassName?: pulumi.Input<string>;
  webAdminPassword?: pulumi.Input<string>;
  alarms?: pulumi.Input<boolean>;
  alarmNotify?: pulumi.Input<pulumi.Input<string>[]>;
  alarmMailHost?: pulumi.Input<string>;
  alarmMailPort?: pulumi.Input<number>;
  alarmMailUsername?: pulumi.Input<string>;
  alarmMailPassword?: pulumi.Input<string>;
  alarmMailFrom?: pulumi.Input<string>;
  alarmMailStartTls?: pulumi.Input<boolean>;
  mysqlPassword?: pulumi.Input<string>;
  realtime?: pulumi.Input<boolean>;
  externalZookeeper?: pulumi.Input<pulumi.Input<string>[]>;
  externalHbase?: pulumi.Input<boolean>;
  collectorReplicas?: pulumi.Input<number>;
  webReplicas?: pulumi.Input<number>;
  clusterDomain?: pulumi.Input<string>;
  /** Requests/limits per part (zookeeper, hbase, collector, web, batch, mysql, redis), over the defaults. */
  resources?: pulumi.Input<{ [part: string]: pulumi.Input<PartResourcesArgs> }>;
}

/** CPU and memory quantities, e.g. `{ cpu: "500m", memory: "1Gi" }`. */
export interface QuantitiesArgs {
  cpu?: string;
  memory?: string;
}

/** Requests and limits of one server part; a named interface so Pulumi's schema inference accepts it. */
export interface PartResourcesArgs {
  requests?: QuantitiesArgs;
  limits?: QuantitiesArgs;
}

export interface MailSettings {
  host: string;
  port: number;
  from: string;
  username?: string;
  /** Secret; set only with a username. */
  password?: pulumi.Output<string>;
  startTls: boolean;
}

export interface AlarmSettings {
  mysqlPassword: pulumi.Output<string>;
  mysqlStorageSize: string;
  mail?: MailSettings;
  webhook: boolean;
}

/** Everything the parts need, checked. */
export interface ServerSettings {
  namespace: string;
  version: string;
  release: PinpointRelease;
  /** Prefix with no trailing slash. */
  registry: string;
  clusterDomain: string;
  /** The ZooKeeper connect string everything uses (bundled or external). */
  zookeeperAddress: string;
  /** Deploy ZooKeeper (false with externalZookeeper). */
  bundledZookeeper: boolean;
  /** Deploy HBase (false with externalHbase). */
  bundledHbase: boolean;
  storageClass?: string;
  storage: { hbase: string; zookeeper: string };
  replicas: { collector: number; web: number };
  ingress?: { host: string; className?: string };
  webAdminPassword?: pulumi.Output<string>;
  alarms?: AlarmSettings;
  /** The 3.x realtime module, with Redis. */
  realtime: boolean;
  /** HBase TTLs in seconds. */
  retention: Retention;
  resources: Record<Part, Resources>;
}

/** RFC 1123 label: what a namespace name must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A storage quantity: a positive number with an optional binary or decimal suffix. */
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CPU_OR_MEMORY = /^(\d+(\.\d+)?|\.\d+)(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const HOST_PORT = /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:\d{1,5})?$/;

/** The value when it is plain; an Output or promise cannot steer the deployment's shape. */
function known<T>(value: pulumi.Input<T> | undefined, key: string): T | undefined {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) {
    throw new ConfigError(key, "must be known at preview", "pass a plain value, not an Output");
  }
  if (Array.isArray(value) && value.some((v) => pulumi.Output.isInstance(v) || v instanceof Promise)) {
    throw new ConfigError(key, "must be known at preview", "pass a list of plain values, not Outputs");
  }
  return value as T | undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function quantity(value: string | undefined, key: string, fallback: string): string {
  const v = nonEmpty(value) ?? fallback;
  if (!QUANTITY.test(v) || Number.parseFloat(v) <= 0) {
    throw new ConfigError(key, `is "${v}", not a storage size Kubernetes understands`, "write it like 20Gi, 500Mi or 1Ti");
  }
  return v;
}

function replicas(value: number | undefined, key: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > 20) throw new ConfigError(key, `is ${v}, not a whole number from 1 to 20`);
  return v;
}

/** The secret arg or config value, as a secret Output (a plain arg becomes secret too). */
function secretOf(arg: pulumi.Input<string> | undefined, c: ConfigReader, key: string): pulumi.Output<string> | undefined {
  if (arg !== undefined) return pulumi.secret(arg);
  return c.secret(key);
}

function mergeResources(overrides: Record<string, PartResourcesArgs> | undefined, key: string): Record<Part, Resources> {
  const out = JSON.parse(JSON.stringify(DEFAULT_RESOURCES)) as Record<Part, Resources>;
  for (const [part, r] of Object.entries(overrides ?? {})) {
    if (!(PARTS as readonly string[]).includes(part)) {
      throw new ConfigError(key, `names "${part}", which is not a part of the server`, `use any of: ${PARTS.join(", ")}`);
    }
    for (const kind of ["requests", "limits"] as const) {
      for (const res of ["cpu", "memory"] as const) {
        const v = r?.[kind]?.[res];
        if (v === undefined) continue;
        if (typeof v !== "string" || !CPU_OR_MEMORY.test(v)) {
          throw new ConfigError(key, `has ${part}.${kind}.${res} "${v}", which is not a Kubernetes quantity`, 'write e.g. "500m" or "2Gi"');
        }
        out[part as Part][kind][res] = v;
      }
    }
  }
  return out;
}

/** Reads and checks every input; throws a ConfigError naming the key on the first bad one. */
export function resolveServerSettings(args: PinpointServerArgs, c: ConfigReader = new ConfigReader()): ServerSettings {
  const namespace = nonEmpty(known(argOr(args.namespace, c.string("serverNamespace")), "serverNamespace")) ?? DEFAULT_NAMESPACE;
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new ConfigError(
      "serverNamespace",
      `is "${namespace}", not a valid namespace name`,
      "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit",
    );
  }

  const version = nonEmpty(known(argOr(args.version, c.string("version")), "version")) ?? DEFAULT_VERSION;
  const release = RELEASES[version];
  if (!release) {
    throw new ConfigError("version", `is "${version}", a Pinpoint release this package cannot deploy`, `use one of: ${Object.keys(RELEASES).join(", ")}`);
  }

  const registry = (nonEmpty(known(argOr(args.imageRegistry, c.string("serverImageRegistry")), "serverImageRegistry")) ?? "").replace(/\/+$/, "");
  if (registry !== "" && !/^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(registry)) {
    throw new ConfigError("serverImageRegistry", `is "${registry}", not a registry prefix`, "write it like harbor.example.com/dockerhub");
  }

  const clusterDomain = nonEmpty(known(argOr(args.clusterDomain, c.string("clusterDomain")), "clusterDomain")) ?? DEFAULT_CLUSTER_DOMAIN;
  if (!DNS_NAME.test(clusterDomain)) throw new ConfigError("clusterDomain", `is "${clusterDomain}", not a DNS domain`);

  const external = known(argOr(args.externalZookeeper, c.list("externalZookeeper")), "externalZookeeper") as string[] | undefined;
  const externalZk = (external ?? []).map((h) => h.trim()).filter((h) => h !== "");
  for (const h of externalZk) {
    const problem = hostPortProblem(h) ?? (HOST_PORT.test(h) ? undefined : `is not a host or host:port`);
    if (problem) throw new ConfigError("externalZookeeper", `has "${h}", which ${problem.replace(/^"[^"]*" /, "")}`);
  }
  const externalHbase = known(argOr(args.externalHbase, c.boolean("externalHbase")), "externalHbase") ?? false;
  if (externalHbase && externalZk.length === 0) {
    throw new ConfigError(
      "externalZookeeper",
      "is not set, and pinpoint:externalHbase is true",
      "name the ZooKeeper quorum of the existing HBase (`pulumi config set pinpoint:externalZookeeper zk1:2181,zk2:2181`)",
    );
  }
  const bundledZookeeper = externalZk.length === 0;
  // The bundled one by its Service's name: every client's default port is ZooKeeper's 2181.
  const zookeeperAddress = bundledZookeeper ? `${NAMES.zookeeper}.${namespace}.svc.${clusterDomain}` : externalZk.join(",");

  const storageClass = nonEmpty(known(argOr(args.hbaseStorageClass, c.string("hbaseStorageClass")), "hbaseStorageClass"));
  if (storageClass !== undefined && !DNS_NAME.test(storageClass)) {
    throw new ConfigError("hbaseStorageClass", `is "${storageClass}", not a storage class name`);
  }
  const storage = {
    hbase: quantity(known(argOr(args.hbaseStorageSize, c.string("hbaseStorageSize")), "hbaseStorageSize"), "hbaseStorageSize", DEFAULT_STORAGE.hbase),
    zookeeper: quantity(
      known(argOr(args.zookeeperStorageSize, c.string("zookeeperStorageSize")), "zookeeperStorageSize"),
      "zookeeperStorageSize",
      DEFAULT_STORAGE.zookeeper,
    ),
  };

  const replicaCounts = {
    collector: replicas(known(argOr(args.collectorReplicas, c.integer("collectorReplicas", 1, 20)), "collectorReplicas"), "collectorReplicas", DEFAULT_REPLICAS.collector),
    web: replicas(known(argOr(args.webReplicas, c.integer("webReplicas", 1, 20)), "webReplicas"), "webReplicas", DEFAULT_REPLICAS.web),
  };

  const ingressHost = nonEmpty(known(argOr(args.webIngressHost, c.string("webIngressHost")), "webIngressHost"));
  if (ingressHost !== undefined && (ingressHost.length > 253 || !DNS_NAME.test(ingressHost))) {
    throw new ConfigError("webIngressHost", `is "${ingressHost}", not a host name`, "write it like pinpoint.dev.example.com");
  }
  const ingressClass = nonEmpty(known(argOr(args.webIngressClassName, c.string("webIngressClassName")), "webIngressClassName"));

  const resources = mergeResources(
    known(argOr(args.resources as pulumi.Input<Record<string, PartResourcesArgs>> | undefined, c.object<Record<string, PartResourcesArgs>>("serverResources")), "serverResources"),
    "serverResources",
  );

  return {
    namespace,
    version,
    release,
    registry,
    clusterDomain,
    zookeeperAddress,
    bundledZookeeper,
    bundledHbase: !externalHbase,
    storageClass,
    storage,
    replicas: replicaCounts,
    ingress: ingressHost ? { host: ingressHost, className: ingressClass } : undefined,
    webAdminPassword: requireLoginPassword(ingressHost, secretOf(args.webAdminPassword, c, "webAdminPassword")),
    alarms: resolveAlarms(args, c),
    realtime: resolveRealtime(args, c, release),
    retention: resolveRetention(args, c),
    resources,
  };
}

function resolveRealtime(args: PinpointServerArgs, c: ConfigReader, release: PinpointRelease): boolean {
  const on = known(argOr(args.realtime, c.boolean("realtime")), "realtime") ?? false;
  if (on && release.properties !== "3.x") {
    throw new ConfigError("realtime", "is true, and the 2.5 release has no realtime module (its active-thread charts work without Redis)", "remove it, or use a 3.x version");
  }
  return on;
}

function resolveAlarms(args: PinpointServerArgs, c: ConfigReader): AlarmSettings | undefined {
  const on = known(argOr(args.alarms, c.boolean("alarms")), "alarms") ?? true;
  const notify = ((known(argOr(args.alarmNotify, c.list("alarmNotify")), "alarmNotify") as string[] | undefined) ?? []).map((n) => n.trim());
  for (const n of notify) {
    if (!(ALARM_CHANNELS as readonly string[]).includes(n)) {
      throw new ConfigError("alarmNotify", `names "${n}", which is not a notification channel`, `use any of: ${ALARM_CHANNELS.join(", ")}`);
    }
  }
  if (!on) {
    if (notify.length > 0) {
      throw new ConfigError("alarmNotify", `asks for ${notify.join(", ")} notifications, and pinpoint:alarms is false`, "turn alarms on or remove pinpoint:alarmNotify");
    }
    return undefined;
  }
  const mysqlPassword = secretOf(args.mysqlPassword, c, "mysqlPassword");
  if (!mysqlPassword) {
    throw new ConfigError(
      "mysqlPassword",
      "is not set, and alarms are on (they need MySQL)",
      `set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:mysqlPassword <password>\`, or turn alarms off with \`pulumi config set ${CONFIG_NAMESPACE}:alarms false\``,
    );
  }
  const channels = new Set(notify as AlarmChannel[]);
  let mail: MailSettings | undefined;
  if (channels.has("mail")) {
    const host = nonEmpty(known(argOr(args.alarmMailHost, c.string("alarmMailHost")), "alarmMailHost"));
    if (!host) {
      throw new ConfigError("alarmMailHost", "is not set, and pinpoint:alarmNotify asks for mail", `set the SMTP server: \`pulumi config set ${CONFIG_NAMESPACE}:alarmMailHost smtp.example.com\``);
    }
    if (!HOST_PORT.test(host) || host.includes(":")) throw new ConfigError("alarmMailHost", `is "${host}", not a host name`);
    const from = nonEmpty(known(argOr(args.alarmMailFrom, c.string("alarmMailFrom")), "alarmMailFrom"));
    if (!from) {
      throw new ConfigError("alarmMailFrom", "is not set, and pinpoint:alarmNotify asks for mail", `set the sender: \`pulumi config set ${CONFIG_NAMESPACE}:alarmMailFrom pinpoint@example.com\``);
    }
    if (!/^[^@\s]+@[^@\s]+$/.test(from)) throw new ConfigError("alarmMailFrom", `is "${from}", not a mail address`);
    const port = known(argOr(args.alarmMailPort, c.integer("alarmMailPort", 1, 65535)), "alarmMailPort") ?? DEFAULT_MAIL_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError("alarmMailPort", `is ${port}, not a port`);
    const username = nonEmpty(known(argOr(args.alarmMailUsername, c.string("alarmMailUsername")), "alarmMailUsername"));
    const password = secretOf(args.alarmMailPassword, c, "alarmMailPassword");
    if (username && !password) {
      throw new ConfigError("alarmMailPassword", "is not set, and pinpoint:alarmMailUsername is", `set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:alarmMailPassword <password>\``);
    }
    const startTls = known(argOr(args.alarmMailStartTls, c.boolean("alarmMailStartTls")), "alarmMailStartTls") ?? true;
    mail = { host, port, from, username, password: username ? password : undefined, startTls };
  }
  return {
    mysqlPassword,
    mysqlStorageSize: quantity(known(argOr(args.mysqlStorageSize, c.string("mysqlStorageSize")), "mysqlStorageSize"), "mysqlStorageSize", DEFAULT_STORAGE.mysql),
    mail,
    webhook: channels.has("webhook"),
  };
}
