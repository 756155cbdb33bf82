/**
 * The injection contract: every literal the mutation writes, in one place, so a
 * reader sees what lands in a workload before reading any code. Defaults are the
 * seed's (shared/seed): volume `pp-agent`, init container `init-pinpoint`, the
 * agent copied from `/var/lib/pp_agent` to `/var/init/pinpoint`, `CATALINA_OPTS`.
 */

/** Prefix of every annotation this package reads or writes. */
export const ANNOTATION_PREFIX = "pinpoint.fjhb.cn/";
/** `"false"` opts a workload out of injection. */
export const ANNOTATION_INJECT = `${ANNOTATION_PREFIX}inject`;
/** Comma-separated names of the containers to instrument (default: the first). */
export const ANNOTATION_CONTAINERS = `${ANNOTATION_PREFIX}containers`;
/** The full Pinpoint applicationName for this workload (no prefix is added). */
export const ANNOTATION_APPLICATION_NAME = `${ANNOTATION_PREFIX}application-name`;
/** The environment variable that carries the JVM flags for this workload. */
export const ANNOTATION_OPTIONS_ENV = `${ANNOTATION_PREFIX}options-env`;
/** Written on the pod template: what injection added, so re-injection and uninject are exact. */
export const ANNOTATION_STATUS = `${ANNOTATION_PREFIX}status`;

/** The emptyDir the agent is copied into. */
export const VOLUME_NAME = "pp-agent";
/** Default `sizeLimit` of that emptyDir: the 3.x agent unpacks to about 60 MiB, plus its logs. */
export const DEFAULT_VOLUME_SIZE_LIMIT = "256Mi";
/** Where the volume is mounted in the init container and in the app containers. */
export const MOUNT_PATH = "/var/init/pinpoint";
/** Where the pp_agent image holds the agent files. */
export const AGENT_SOURCE_DIR = "/var/lib/pp_agent";
/** The agent jar, without a version so an agent upgrade changes no workload flag. */
export const BOOTSTRAP_JAR = "pinpoint-bootstrap.jar";
/** The agent's log folder under its home, made writable for an app running as another user. */
export const AGENT_LOG_DIR = "logs";

export const INIT_CONTAINER_NAME = "init-pinpoint";
/**
 * The seed ran `cp -rp /var/lib/pp_agent/* /var/init/pinpoint` as root. We copy the
 * same files (dot-files too) without `-p`: the init container runs as non-root, so
 * ownership cannot be preserved and modes fall back to world-readable 644/755.
 * The log folder gets mode 1777 so an app container with any uid can write its logs.
 */
export const INIT_COMMAND: readonly string[] = [
  "sh",
  "-c",
  `cp -R ${AGENT_SOURCE_DIR}/. ${MOUNT_PATH}/ && mkdir -p ${MOUNT_PATH}/${AGENT_LOG_DIR} && chmod 1777 ${MOUNT_PATH}/${AGENT_LOG_DIR}`,
];
/** A uid no distribution assigns (the "nonroot" of distroless images). */
export const DEFAULT_INIT_RUN_AS_USER = 65532;
/** Small but non-zero so a namespace with a ResourceQuota admits the pod. */
export const DEFAULT_INIT_RESOURCES = {
  requests: { cpu: "10m", memory: "16Mi" },
  limits: { cpu: "200m", memory: "64Mi" },
};

export const POD_IP_ENV = "POD_IP";
export const POD_NAME_ENV = "POD_NAME";
/** `optionsEnv` value that lets each container's launcher decide (optionsVariable.ts). */
export const OPTIONS_ENV_AUTO = "auto";
/** Tomcat gets CATALINA_OPTS (the seed's), other JVMs JAVA_TOOL_OPTIONS. */
export const DEFAULT_OPTIONS_ENV = OPTIONS_ENV_AUTO;
export const DEFAULT_PROFILE = "release";

/** Pinpoint rejects longer applicationNames and agentIds, or other characters. */
export const PINPOINT_ID_MAX_LENGTH = 24;
export const PINPOINT_ID_PATTERN = /^[a-zA-Z0-9._-]+$/;

/** Collector gRPC ports (Pinpoint defaults). */
export const DEFAULT_COLLECTOR_PORTS = { agent: 9991, stat: 9992, span: 9993 } as const;

/** Every annotation key under the prefix that this package reads or writes; any other is a typo. */
export const KNOWN_ANNOTATIONS: readonly string[] = [
  ANNOTATION_INJECT,
  ANNOTATION_CONTAINERS,
  ANNOTATION_APPLICATION_NAME,
  ANNOTATION_OPTIONS_ENV,
  ANNOTATION_STATUS,
];
