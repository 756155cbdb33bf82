/**
 * The Pinpoint server's contract: every name, port, image and default the
 * server writes, in one place. Facts about the images come from upstream
 * (pinpoint-apm/pinpoint-docker's docker-compose.yml and .env, the hbase image's
 * Dockerfile and scripts, pinpoint-apm/pinpoint-kubernetes for 3.1.x).
 */

/** Namespace the server lives in unless told otherwise. */
export const DEFAULT_NAMESPACE = "pinpoint";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/**
 * Releases whose images (`pinpointdocker/pinpoint-{hbase,collector,web,batch}:<v>`)
 * we checked exist and take the settings below. 3.x collectors and web need Redis
 * (realtime module; default `localhost:6379`) and fail on Spring's OTLP metrics
 * auto-configuration unless it is switched off; 2.5 needs neither.
 */
export interface PinpointRelease {
  /** Deploy Redis and point collector and web at it. */
  redis: boolean;
  /** The collector also opens the Thrift receivers (9994 TCP, 9995/9996 UDP) for pre-gRPC agents. */
  thrift: boolean;
  /** Switch off Spring Boot's OTLP metrics export (missing class in the 3.x images). */
  disableOtlp: boolean;
}
export const RELEASES: Readonly<Record<string, PinpointRelease>> = {
  "2.5.4": { redis: false, thrift: true, disableOtlp: false },
  "3.0.4": { redis: true, thrift: false, disableOtlp: true },
  "3.0.5": { redis: true, thrift: false, disableOtlp: true },
  "3.1.0": { redis: true, thrift: false, disableOtlp: true },
};
/** Newest release: its collector takes spans from agents 2.x and 3.x (3.1 agents send batched spans only 3.1 collectors read). */
export const DEFAULT_VERSION = "3.1.0";

/**
 * Images as Docker Hub names them, so a registry prefix such as a Harbor proxy
 * cache project (`harbor.example.com/dockerhub`) can go in front unchanged.
 */
export const DOCKER_HUB = "docker.io";
export const PINPOINT_IMAGE_REPOSITORY = "pinpointdocker";
export const ZOOKEEPER_IMAGE = "library/zookeeper:3.8.4";
export const MYSQL_IMAGE = "library/mysql:8.0.36";
/** The Redis upstream's docker-compose.yml runs beside 3.x. */
export const REDIS_IMAGE = "library/redis:7.0.14";

/** Kubernetes object names (fixed, so the collector's DNS name is known before deployment). */
export const NAMES = {
  zookeeper: "pinpoint-zookeeper",
  hbase: "pinpoint-hbase",
  hbaseConfig: "pinpoint-hbase-config",
  collector: "pinpoint-collector",
  web: "pinpoint-web",
  batch: "pinpoint-batch",
  mysql: "pinpoint-mysql",
  redis: "pinpoint-redis",
  secret: "pinpoint-server-secrets",
} as const;
export type Part = "zookeeper" | "hbase" | "collector" | "web" | "batch" | "mysql" | "redis";
export const PARTS: readonly Part[] = ["zookeeper", "hbase", "collector", "web", "batch", "mysql", "redis"];

/** Keys in the server's Secret (values only ever reach containers through secretKeyRef). */
export const SECRET_KEYS = {
  mysqlPassword: "mysql-password",
  mailPassword: "alarm-mail-password",
  adminPassword: "web-admin-password",
} as const;

export const PORTS = {
  zookeeper: 2181,
  hbaseMaster: 60000,
  hbaseMasterUi: 16010,
  hbaseRegionServer: 60020,
  hbaseRegionServerUi: 16030,
  /** Collector gRPC receivers (pinpoint-docker .env COLLECTOR_RECEIVER_GRPC_*). */
  collectorAgent: 9991,
  collectorStat: 9992,
  collectorSpan: 9993,
  collectorThriftTcp: 9994,
  collectorThriftStatUdp: 9995,
  collectorThriftSpanUdp: 9996,
  web: 8080,
  /** BATCH_SERVER_PORT of pinpoint-docker's .env. */
  batch: 8079,
  mysql: 3306,
  redis: 6379,
} as const;

/** The hbase image keeps its data here (its VOLUME) and its rootdir points here. */
export const HBASE_DATA_DIR = "/home/pinpoint/hbase";
/** Where our hbase-site.xml and start script are mounted; the start script copies the site file into $HBASE_HOME/conf. */
export const HBASE_CONFIG_DIR = "/etc/pinpoint-hbase";
/** Written by the start script once every Pinpoint table exists; the readiness probe looks for it. */
export const HBASE_TABLES_READY_FILE = "/tmp/pinpoint-tables-ready";
/** HBase's znode root, as the hbase image and the collector/web defaults have it. */
export const HBASE_ZNODE_PARENT = "/hbase";
/** Heap of each HBase daemon (master and regionserver share the container). */
export const HBASE_HEAP_SIZE = "1G";

export const ZOOKEEPER_DATA_DIR = "/data";
export const MYSQL_DATA_DIR = "/var/lib/mysql";
export const MYSQL_INITDB_DIR = "/docker-entrypoint-initdb.d";
export const MYSQL_DATABASE = "pinpoint";
export const MYSQL_USER = "pinpoint";
/** The driver class pinpoint-docker's .env gives web and batch. */
export const JDBC_DRIVER = "com.mysql.jdbc.Driver";
/** The two schema files pinpoint-docker's MySQL image loads, prefixed so initdb runs them in order. */
export const MYSQL_SCHEMA_FILES = [
  { source: "CreateTableStatement-mysql.sql", target: "01-CreateTableStatement-mysql.sql" },
  { source: "SpringBatchJobRepositorySchema-mysql.sql", target: "02-SpringBatchJobRepositorySchema-mysql.sql" },
] as const;
/** Where pinpoint-docker fetches the schema from, pinned to the release tag. */
export const mysqlSchemaUrl = (version: string) =>
  `https://raw.githubusercontent.com/pinpoint-apm/pinpoint/v${version}/web/src/main/resources/sql`;

export const DEFAULT_STORAGE = { hbase: "20Gi", zookeeper: "1Gi", mysql: "2Gi" } as const;
export const DEFAULT_REPLICAS = { collector: 1, web: 1 } as const;
/** Spring profile of every Pinpoint server image. */
export const SPRING_PROFILE = "release";
/** Lets the JVMs size their heap from the container's memory limit. */
export const JVM_OPTIONS = "-XX:MaxRAMPercentage=75.0";
export const ALARM_CHANNELS = ["mail", "webhook"] as const;
export type AlarmChannel = (typeof ALARM_CHANNELS)[number];
export const DEFAULT_MAIL_PORT = 587;

/** Requests and limits sized for a dev/test cluster; `pinpoint:serverResources` overrides any of them. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}
export const DEFAULT_RESOURCES: Readonly<Record<Part, Resources>> = {
  zookeeper: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  // Two JVMs (master and regionserver) of HBASE_HEAP_SIZE each, plus off-heap.
  hbase: { requests: { cpu: "500m", memory: "2560Mi" }, limits: { cpu: "2", memory: "3Gi" } },
  collector: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1536Mi" } },
  web: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1536Mi" } },
  batch: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  mysql: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  redis: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
};

/** Labels: the selector part never holds the version, so an upgrade does not touch immutable selectors. */
export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_COMPONENT = "app.kubernetes.io/component";
export const LABEL_VERSION = "app.kubernetes.io/version";
export const LABEL_PART_OF = "app.kubernetes.io/part-of";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const APP_NAME = "pinpoint";
export const MANAGED_BY = "pulumi";
