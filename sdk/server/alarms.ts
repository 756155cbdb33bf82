/**
 * Threshold alarms: pinpoint-batch evaluates the rules users set in the web UI
 * and notifies by mail or webhook; rules, users and the batch's job state live
 * in MySQL, whose schema the migration Job (migrations.ts) applies.
 */
import type { Deployment, StatefulSet } from "kubernetes-types/apps/v1";
import type { Container, EnvVar, Service } from "kubernetes-types/core/v1";
import { env, imageRef, jdbcEnv, partDeployment, partService, partStatefulSet, pinpointImage, pinpointServerEnv, secretEnv, startupTcpProbe, tcpProbe, volumeClaim } from "./common";
import type { AlarmSettings, ServerSettings } from "./config";
import { MYSQL_DATA_DIR, MYSQL_DATABASE, MYSQL_IMAGE, MYSQL_USER, NAMES, PORTS, SECRET_KEYS } from "./constants";
import { webUrl } from "./web";

const DATA_VOLUME = "data";
/** A fresh ext4 volume holds lost+found, which MySQL refuses as a data folder: use a folder inside it. */
const DATA_SUBPATH = "mysql";
const BATCH_STARTUP_SECONDS = 300;

export function mysqlObjects(s: ServerSettings, a: AlarmSettings): { service: Service; statefulSet: StatefulSet } {
  const service = partService(s, NAMES.mysql, "mysql", { ports: [{ name: "mysql", port: PORTS.mysql, targetPort: "mysql" }] });
  const statefulSet = partStatefulSet(s, NAMES.mysql, "mysql", {
    serviceName: NAMES.mysql,
    replicas: 1,
    volumeClaimTemplates: [volumeClaim(s, DATA_VOLUME, a.mysqlStorageSize)],
  }, {
    containers: [
      {
        name: "mysql",
        image: imageRef(s, MYSQL_IMAGE),
        ports: [{ name: "mysql", containerPort: PORTS.mysql }],
        env: [
          ...env({ MYSQL_DATABASE, MYSQL_USER }),
          secretEnv("MYSQL_PASSWORD", SECRET_KEYS.mysqlPassword),
          secretEnv("MYSQL_ROOT_PASSWORD", SECRET_KEYS.mysqlPassword),
        ],
        volumeMounts: [{ name: DATA_VOLUME, mountPath: MYSQL_DATA_DIR, subPath: DATA_SUBPATH }],
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
  });
  return { service, statefulSet };
}

/** Mail settings under the names the release reads: `alarm.mail.*` in 2.5, Spring's `spring.mail.*` in 3.x. */
function mailEnv(s: ServerSettings, a: AlarmSettings): EnvVar[] {
  const m = a.mail;
  if (!m) return [];
  const auth = m.username !== undefined;
  if (s.release.properties === "2.5") {
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
    });
    if (auth) out.push(...env({ ALARM_MAIL_SERVER_USERNAME: m.username as string }), secretEnv("ALARM_MAIL_SERVER_PASSWORD", SECRET_KEYS.mailPassword));
    return out;
  }
  const out = env({
    SPRING_MAIL_HOST: m.host,
    SPRING_MAIL_PORT: m.port,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_PORT: m.port,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_FROM: m.from,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_AUTH: auth,
    SPRING_MAIL_PROPERTIES_MAIL_SMTP_STARTTLS_ENABLE: m.startTls,
  });
  if (auth) out.push(...env({ SPRING_MAIL_USERNAME: m.username as string }), secretEnv("SPRING_MAIL_PASSWORD", SECRET_KEYS.mailPassword));
  return out;
}

/** The web UI's address for the links in alarm messages: `pinpoint.url` in 2.5, `spring.mail.pinpoint-url` in 3.x. */
export const PINPOINT_URL_ENV = { "2.5": "PINPOINT_URL", "3.x": "SPRING_MAIL_PINPOINTURL" } as const;

/**
 * Probes for what batch offers: 2.5's embedded web server port, else none (3.x
 * batch starts no web server; a dead JVM ends the container, which restarts).
 */
function batchProbes(port: number | undefined): Pick<Container, "ports" | "startupProbe" | "readinessProbe" | "livenessProbe"> {
  if (port === undefined) return {};
  return {
    ports: [{ name: "http", containerPort: port }],
    startupProbe: startupTcpProbe(port, BATCH_STARTUP_SECONDS),
    readinessProbe: tcpProbe(port, 0, 10, 3),
    livenessProbe: tcpProbe(port, 0, 20, 6),
  };
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
        env: [
          ...pinpointServerEnv(s, "batch"),
          ...env({ [PINPOINT_URL_ENV[s.release.properties]]: webUrl(s), WEBHOOK_ENABLE: a.webhook }),
          ...jdbcEnv(s),
          ...mailEnv(s, a),
        ],
        ...batchProbes(s.release.batchPort),
        resources: s.resources.batch,
      },
    ],
  });
  return { deployment };
}
