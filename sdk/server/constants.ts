/**
 * The Pinpoint server's contract: every name, port, image and default the
 * server writes, in one place. Facts about the images come from upstream
 * (pinpoint-apm/pinpoint-docker's docker-compose.yml and .env, the hbase image's
 * Dockerfile and scripts, pinpoint-apm/pinpoint-kubernetes for 3.1.x).
 */

/** Namespace the server lives in unless told otherwise. */
export const DEFAULT_NAMESPACE = "pinpoint";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/** Spring Boot property layouts: 2.5 reads `jdbc.*`, `alarm.mail.*`, `pinpoint.url` and switches login by profile; 3.x reads Spring's own names and a module switch. */
export type PropertyLayout = "2.5" | "3.x";

/**
 * What each release really offers, checked against upstream at its tag (the
 * table in docs/server.md says where each fact comes from).
 */
export interface PinpointRelease {
  /** Which property names the collector, web and batch read. */
  properties: PropertyLayout;
  /** The collector also opens the Thrift receivers (9994 TCP, 9995/9996 UDP) for pre-gRPC agents. */
  thrift: boolean;
  /** Parts that read `cluster.enable` (the ZooKeeper cluster registry): 2.5 both, 3.0 the web only, 3.1 none. */
  cluster: readonly ("collector" | "web")[];
  /** Parts that carry Spring Boot actuator's OTLP metrics export, switched off (nothing receives it). */
  disableOtlp: readonly ("collector" | "web")[];
  /** The port batch's embedded web server listens on (2.5: `server.port` 8090); 3.x batch starts no web server at all. */
  batchPort?: number;
  /** Where the web image keeps its SQL files: a folder, or the boot jar to extract them from. */
  webSql: { dir: string } | { jar: string };
  /** A column of BATCH_JOB_EXECUTION_PARAMS only this release's Spring Batch schema has (4.x: TYPE_CD, 5.x: PARAMETER_NAME). */
  batchSchemaMarker: "TYPE_CD" | "PARAMETER_NAME";
  /** Columns the release declares wider than earlier ones: widened in place on upgrade. */
  widenColumns: readonly { table: string; column: string; length: number }[];
}
const V25: PinpointRelease = {
  properties: "2.5",
  thrift: true,
  cluster: ["collector", "web"],
  disableOtlp: [],
  batchPort: 8090,
  // pinpoint-docker's 2.5.x web image: `java -jar` of this Spring Boot jar.
  webSql: { jar: "/pinpoint/pinpoint-web-boot.jar" },
  batchSchemaMarker: "TYPE_CD",
  widenColumns: [],
};
const V30: PinpointRelease = {
  properties: "3.x",
  thrift: false,
  cluster: ["web"],
  disableOtlp: ["collector"],
  // Built with Spring Boot's build-image (Paketo): the jar exploded under /workspace.
  webSql: { dir: "/workspace/BOOT-INF/classes/sql" },
  batchSchemaMarker: "PARAMETER_NAME",
  widenColumns: [],
};
const V31: PinpointRelease = {
  ...V30,
  cluster: [],
  disableOtlp: ["collector", "web"],
  // Built with Jib: resources under /app/resources.
  webSql: { dir: "/app/resources/sql" },
  widenColumns: [
    { table: "webhook", column: "application_id", length: 127 },
    { table: "webhook", column: "service_name", length: 127 },
  ],
};
export const RELEASES: Readonly<Record<string, PinpointRelease>> = {
  "2.5.4": V25,
  "3.0.1": V30,
  "3.0.4": V30,
  "3.0.5": V30,
  "3.1.0": V31,
};
/** Newest release: its collector takes agents 2.x, 3.0.x and 3.1.x (upstream's compatibility table). */
export const DEFAULT_VERSION = "3.1.0";

/**
 * Images as Docker Hub names them, so a registry prefix such as a Harbor proxy
 * cache project (`harbor.example.com/dockerhub`) can go in front unchanged.
 */
export const DOCKER_HUB = "docker.io";
export const PINPOINT_IMAGE_REPOSITORY = "pinpointdocker";
export const ZOOKEEPER_IMAGE = "library/zookeeper:3.8.4";
export const MYSQL_IMAGE = "library/mysql:8.0.36";
/** The Redis upstream's docker-compose.yml runs beside 3.x; deployed only with the realtime module on. */
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
  /** `admin:<password>`, the basic-login user list. */
  webLoginAdmin: "web-login-admin",
  /** Signs the basic login's JWT cookies. */
  webLoginJwtSecret: "web-login-jwt-secret",
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
/**
 * Regions a table is pre-split into at most. Upstream pre-splits TraceV2 (and in
 * 3.1 six more tables) into 256 regions each, about 1,900 regions in 3.1.0, sized
 * for clusters of regionservers; with this cap a release has 226 to 256 regions
 * on our one regionserver, and HBase splits a region further when it grows.
 */
export const HBASE_MAX_PRESPLIT_REGIONS = 16;

export const ZOOKEEPER_DATA_DIR = "/data";
export const MYSQL_DATA_DIR = "/var/lib/mysql";
export const MYSQL_DATABASE = "pinpoint";
export const MYSQL_USER = "pinpoint";
/** The two schema files of the web's `sql/` folder (the web jar carries them; pinpoint-docker's MySQL image loads the same). */
export const MYSQL_SCHEMA_FILES = ["CreateTableStatement-mysql.sql", "SpringBatchJobRepositorySchema-mysql.sql"] as const;

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
