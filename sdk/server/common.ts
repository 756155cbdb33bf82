/**
 * Helpers every part of the server shares: image names, labels, metadata,
 * secret references, volume claims. Each part module reads as a short recipe.
 */
import type { Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec } from "kubernetes-types/apps/v1";
import type { EnvVar, PersistentVolumeClaim, PodSpec, PodTemplateSpec, Probe, Service, ServiceSpec } from "kubernetes-types/core/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { ANNOTATION_INJECT } from "../inject/constants";
import type { ServerSettings } from "./config";
import {
  APP_NAME,
  DOCKER_HUB,
  LABEL_COMPONENT,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_PART_OF,
  LABEL_VERSION,
  MANAGED_BY,
  JVM_OPTIONS,
  MYSQL_DATABASE,
  MYSQL_USER,
  NAMES,
  Part,
  PINPOINT_IMAGE_REPOSITORY,
  PORTS,
  SECRET_KEYS,
  SPRING_PROFILE,
} from "./constants";

/** `<registry or docker.io>/<path>`: the same path under a proxy-cache prefix. */
export function imageRef(s: ServerSettings, path: string): string {
  return `${s.registry || DOCKER_HUB}/${path}`;
}

/** `pinpointdocker/pinpoint-<component>:<version>`, pinned to the release. */
export function pinpointImage(s: ServerSettings, component: "hbase" | "collector" | "web" | "batch"): string {
  return imageRef(s, `${PINPOINT_IMAGE_REPOSITORY}/pinpoint-${component}:${s.version}`);
}

export function selectorLabels(part: Part): Record<string, string> {
  return { [LABEL_NAME]: APP_NAME, [LABEL_COMPONENT]: part };
}

/** Labels of objects that belong to the whole server (namespace, secret). */
export function serverLabels(s: ServerSettings): Record<string, string> {
  return { [LABEL_NAME]: APP_NAME, [LABEL_VERSION]: s.version, [LABEL_PART_OF]: APP_NAME, [LABEL_MANAGED_BY]: MANAGED_BY };
}

export function labels(s: ServerSettings, part: Part): Record<string, string> {
  return { ...serverLabels(s), ...selectorLabels(part) };
}

/**
 * Metadata of an object in the server's namespace. Workloads carry the opt-out
 * annotation: the stack-wide transform must not put an agent into Pinpoint itself.
 */
export function metadata(s: ServerSettings, name: string, part: Part, workload = false): ObjectMeta {
  return {
    name,
    namespace: s.namespace,
    labels: labels(s, part),
    ...(workload ? { annotations: { [ANNOTATION_INJECT]: "false" } } : {}),
  };
}

/** A Service in front of one part: it selects the part's pods. */
export function partService(s: ServerSettings, name: string, part: Part, spec: Omit<ServiceSpec, "selector">): Service {
  return { apiVersion: "v1", kind: "Service", metadata: metadata(s, name, part), spec: { ...spec, selector: selectorLabels(part) } };
}

/**
 * Without them the kubelet puts `<SERVICE>_PORT=tcp://<ip>:<port>` and friends for
 * every Service of the namespace into each container: for ours that is
 * PINPOINT_ZOOKEEPER_PORT, PINPOINT_COLLECTOR_PORT, PINPOINT_REDIS_PORT…, names
 * Spring's relaxed binding reads as pinpoint.* properties. The parts find each
 * other by DNS only.
 */
export const SERVICE_LINKS = { enableServiceLinks: false } as const;

/** The pod template of one part, labelled so that its selector and Service find it. */
function partTemplate(s: ServerSettings, part: Part, pod: PodSpec): PodTemplateSpec {
  return { metadata: { labels: labels(s, part) }, spec: { ...SERVICE_LINKS, ...pod } };
}

/** A Deployment of one part; `spec` holds what differs (replicas, strategy). */
export function partDeployment(s: ServerSettings, name: string, part: Part, spec: Omit<DeploymentSpec, "selector" | "template">, pod: PodSpec): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(s, name, part, true),
    spec: { ...spec, selector: { matchLabels: selectorLabels(part) }, template: partTemplate(s, part, pod) },
  };
}

/** A StatefulSet of one part; `spec` holds what differs (serviceName, volume claims). */
export function partStatefulSet(s: ServerSettings, name: string, part: Part, spec: Omit<StatefulSetSpec, "selector" | "template">, pod: PodSpec): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: metadata(s, name, part, true),
    spec: { ...spec, selector: { matchLabels: selectorLabels(part) }, template: partTemplate(s, part, pod) },
  };
}

/** An env var read from the server's Secret. */
export function secretEnv(name: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: NAMES.secret, key } } };
}

export function env(values: Record<string, string | number | boolean>): EnvVar[] {
  return Object.entries(values).map(([name, value]) => ({ name, value: String(value) }));
}

/** The cluster DNS name of a Service of the server. */
export function serviceHost(s: ServerSettings, service: string): string {
  return `${service}.${s.namespace}.svc.${s.clusterDomain}`;
}

export function volumeClaim(s: ServerSettings, name: string, size: string): PersistentVolumeClaim {
  return {
    metadata: { name },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
      ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
    },
  };
}

export function tcpProbe(port: number, initialDelaySeconds: number, periodSeconds = 10, failureThreshold = 6): Probe {
  return { tcpSocket: { port }, initialDelaySeconds, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

export function execProbe(command: string[], initialDelaySeconds: number, periodSeconds = 10, failureThreshold = 6): Probe {
  return { exec: { command }, initialDelaySeconds, periodSeconds, timeoutSeconds: 10, failureThreshold };
}

/** Starts slow JVMs without a long liveness delay: liveness only counts once this passes. */
export function startupTcpProbe(port: number, maxSeconds: number): Probe {
  return { tcpSocket: { port }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: Math.ceil(maxSeconds / 10) };
}

/**
 * The settings collector, web and batch share (Spring relaxed binding: PINPOINT_ZOOKEEPER_ADDRESS
 * is `pinpoint.zookeeper.address`, HBASE_CLIENT_HOST is `hbase.client.host`, and so on).
 * Only names the part's release reads: see the table in docs/server.md.
 */
export function pinpointServerEnv(s: ServerSettings, part: "collector" | "web" | "batch", profiles: readonly string[] = [SPRING_PROFILE]): EnvVar[] {
  const values: Record<string, string | number | boolean> = {
    SPRING_PROFILES_ACTIVE: profiles.join(","),
    PINPOINT_ZOOKEEPER_ADDRESS: s.zookeeperAddress,
    // HBase is found through its ZooKeeper (bundled or externalZookeeper).
    HBASE_CLIENT_HOST: s.zookeeperAddress,
    HBASE_CLIENT_PORT: PORTS.zookeeper,
    JAVA_TOOL_OPTIONS: JVM_OPTIONS,
  };
  if (part !== "batch" && s.release.cluster.includes(part)) {
    // Collector and web find each other through ZooKeeper (realtime active threads).
    values.CLUSTER_ENABLE = true;
  }
  if (part !== "batch" && s.release.properties === "3.x") {
    // Said explicitly: some 3.x images are built from the starter modules, which turn it on.
    values.PINPOINT_MODULES_REALTIME_ENABLED = s.realtime;
    if (s.realtime) {
      values.SPRING_DATA_REDIS_HOST = serviceHost(s, NAMES.redis);
      values.SPRING_DATA_REDIS_PORT = PORTS.redis;
    }
  }
  if (part !== "batch" && s.release.disableOtlp.includes(part)) {
    values.MANAGEMENT_OTLP_METRICS_EXPORT_ENABLED = false;
  }
  return env(values);
}

/** JDBC settings for web and batch, under the names the release reads (`jdbc.*` in 2.5, Spring's data sources in 3.x). */
export function jdbcEnv(s: ServerSettings): EnvVar[] {
  const url = `jdbc:mysql://${serviceHost(s, NAMES.mysql)}:${PORTS.mysql}/${MYSQL_DATABASE}?characterEncoding=UTF-8&useSSL=false&allowPublicKeyRetrieval=true`;
  const names: string[][] =
    s.release.properties === "2.5"
      ? [["JDBC_URL", "JDBC_USERNAME", "JDBC_PASSWORD"]]
      : [
          ["SPRING_DATASOURCE_HIKARI_JDBCURL", "SPRING_DATASOURCE_HIKARI_USERNAME", "SPRING_DATASOURCE_HIKARI_PASSWORD"],
          ["SPRING_METADATASOURCE_HIKARI_JDBCURL", "SPRING_METADATASOURCE_HIKARI_USERNAME", "SPRING_METADATASOURCE_HIKARI_PASSWORD"],
        ];
  return names.flatMap(([urlVar, userVar, passwordVar]) => [
    { name: urlVar, value: url },
    { name: userVar, value: MYSQL_USER },
    secretEnv(passwordVar, SECRET_KEYS.mysqlPassword),
  ]);
}
