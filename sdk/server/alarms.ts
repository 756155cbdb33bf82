/**
 * Threshold alarms: pinpoint-batch evaluates the rules users set in the web UI
 * and notifies by mail or webhook; rules, users and the batch's job state live
 * in MySQL.
 *
 * The schema is loaded the way pinpoint-docker's MySQL image and compose file
 * load it: the two SQL files of the release's tag, fetched into the official
 * image's /docker-entrypoint-initdb.d, which runs them on an empty data folder.
 * Here an init container does the fetch, and only before the first start.
 */
import type { Deployment, StatefulSet } from "kubernetes-types/apps/v1";
import type { EnvVar, Service } from "kubernetes-types/core/v1";
import { env, imageRef, jdbcEnv, partDeployment, partService, partStatefulSet, pinpointImage, pinpointServerEnv, secretEnv, startupTcpProbe, tcpProbe, volumeClaim } from "./common";
import type { AlarmSettings, ServerSettings } from "./config";
import { MYSQL_DATA_DIR, MYSQL_DATABASE, MYSQL_IMAGE, MYSQL_INITDB_DIR, MYSQL_SCHEMA_FILES, MYSQL_USER, NAMES, PORTS, SECRET_KEYS } from "./constants";
import { webUrl } from "./web";

const DATA_VOLUME = "data";
const INITDB_VOLUME = "initdb";
/** A fresh ext4 volume holds lost+found, which MySQL refuses as a data folder: use a folder inside it. */
const DATA_SUBPATH = "mysql";
const BATCH_STARTUP_SECONDS = 300;
const SCHEMA_FETCH_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/** Fetches the schema unless the data folder is already initialised; fails (and is retried) on any download error. */
export function schemaFetchScript(): string {
  const fetches = MYSQL_SCHEMA_FILES.map(
    (f) => `curl -fsSL --retry 5 "$SCHEMA_URL/${f.source}" | sed '/^--/d' > "${MYSQL_INITDB_DIR}/${f.target}"`,
  );
  return [
    "set -euo pipefail",
    `if [ -d "${MYSQL_DATA_DIR}/mysql" ]; then echo "MySQL already initialised"; exit 0; fi`,
    ...fetches,
    `echo "schema fetched from $SCHEMA_URL"`,
  ].join("\n");
}

export function mysqlObjects(s: ServerSettings, a: AlarmSettings): { service: Service; statefulSet: StatefulSet } {
  const service = partService(s, NAMES.mysql, "mysql", { ports: [{ name: "mysql", port: PORTS.mysql, targetPort: "mysql" }] });
  const image = imageRef(s, MYSQL_IMAGE);
  const statefulSet = partStatefulSet(s, NAMES.mysql, "mysql", {
    serviceName: NAMES.mysql,
    replicas: 1,
    volumeClaimTemplates: [volumeClaim(s, DATA_VOLUME, a.mysqlStorageSize)],
  }, {
    initContainers: [
      {
        name: "fetch-schema",
        image,
        command: ["bash", "-c", schemaFetchScript()],
        env: env({ SCHEMA_URL: a.schemaUrl }),
        volumeMounts: [
          { name: DATA_VOLUME, mountPath: MYSQL_DATA_DIR, subPath: DATA_SUBPATH, readOnly: true },
          { name: INITDB_VOLUME, mountPath: MYSQL_INITDB_DIR },
        ],
        resources: SCHEMA_FETCH_RESOURCES,
      },
    ],
    containers: [
      {
        name: "mysql",
        image,
        ports: [{ name: "mysql", containerPort: PORTS.mysql }],
        env: [
          ...env({ MYSQL_DATABASE, MYSQL_USER }),
          secretEnv("MYSQL_PASSWORD", SECRET_KEYS.mysqlPassword),
          secretEnv("MYSQL_ROOT_PASSWORD", SECRET_KEYS.mysqlPassword),
        ],
        volumeMounts: [
          { name: DATA_VOLUME, mountPath: MYSQL_DATA_DIR, subPath: DATA_SUBPATH },
          { name: INITDB_VOLUME, mountPath: MYSQL_INITDB_DIR, readOnly: true },
        ],
        // `mysqladmin ping` succeeds whenever the server answers, even without credentials, so
        // no password is needed. Ready only over TCP: the first-start init runs without networking.
        readinessProbe: {
          exec: { command: ["mysqladmin", "ping", "-h", "127.0.0.1", "--protocol=tcp"] },
          initialDelaySeconds: 10,
          periodSeconds: 10,
          timeoutSeconds: 5,
          failureThreshold: 3,
        },
        livenessProbe: {
          exec: { command: ["mysqladmin", "ping"] },
          initialDelaySeconds: 60,
          periodSeconds: 20,
          timeoutSeconds: 5,
          failureThreshold: 6,
        },
        resources: s.resources.mysql,
      },
    ],
    volumes: [{ name: INITDB_VOLUME, emptyDir: {} }],
  });
  return { service, statefulSet };
}

/** Mail settings under the 2.5 names (ALARM_MAIL_*) and the 3.x ones (Spring's spring.mail.*). */
function mailEnv(a: AlarmSettings): EnvVar[] {
  const m = a.mail;
  if (!m) return [];
  const auth = m.username !== undefined;
  const out = env({
    ALARM_MAIL_SERVER_URL: m.host,
    ALARM_MAIL_SERVER_PORT: m.port,
    ALARM_MAIL_SENDER_ADDRESS: m.from,
    ALARM_MAIL_TRANSPORT_PROTOCOL: "smtp",
    ALARM_MAIL_SMTP_PORT: m.port,
    ALARM_MAIL_SMTP_AUTH: auth,
    ALARM_MAIL_SMTP_STARTTLS_ENABLE: m.startTls,
    ALARM_MAIL_SMTP_STARTTLS_REQUIRED: false,
    ALARM_MAIL_DEBUG: false,
    SPRING_MAIL_HOST: m.host,
    SPRING_MAIL_PORT: m.port,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_FROM: m.from,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_AUTH: auth,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_STARTTLS_ENABLE: m.startTls,
  });
  if (auth) {
    out.push(
      ...env({ ALARM_MAIL_SERVER_USERNAME: m.username as string, SPRING_MAIL_USERNAME: m.username as string }),
      secretEnv("ALARM_MAIL_SERVER_PASSWORD", SECRET_KEYS.mailPassword),
      secretEnv("SPRING_MAIL_PASSWORD", SECRET_KEYS.mailPassword),
    );
  }
  return out;
}

export function batchObjects(s: ServerSettings, a: AlarmSettings): { deployment: Deployment } {
  const deployment = partDeployment(s, NAMES.batch, "batch", {
    // One evaluator: two would send every alarm twice.
    replicas: 1,
    strategy: { type: "Recreate" },
  }, {
    containers: [
      {
        name: "batch",
        image: pinpointImage(s, "batch"),
        ports: [{ name: "http", containerPort: PORTS.batch }],
        env: [
          ...pinpointServerEnv(s),
          // Links in alarm messages point at the web UI.
          ...env({ BATCH_SERVER_PORT: PORTS.batch, PINPOINT_URL: webUrl(s), WEBHOOK_ENABLE: a.webhook }),
          ...jdbcEnv(s),
          ...mailEnv(a),
        ],
        startupProbe: startupTcpProbe(PORTS.batch, BATCH_STARTUP_SECONDS),
        readinessProbe: tcpProbe(PORTS.batch, 0, 10, 3),
        livenessProbe: tcpProbe(PORTS.batch, 0, 20, 6),
        resources: s.resources.batch,
      },
    ],
  });
  return { deployment };
}
