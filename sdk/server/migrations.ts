/**
 * MySQL's schema, from the release itself and kept current across upgrades.
 *
 * The web jar of every release carries its schema (`sql/` in its classes), so
 * a Job takes the files out of the web image (no internet needed) and applies
 * them to the bundled MySQL, idempotently: missing tables are created, columns
 * a newer release declares wider are widened, and a Spring Batch job
 * repository of another layout (2.5 runs Spring Batch 4, 3.x runs 5) is
 * dropped and recreated: it holds only the batch's run history. The Job's name
 * carries the version, so a version change runs it again; web and batch wait
 * for it.
 */
import type { Job } from "kubernetes-types/batch/v1";
import type { EnvVar } from "kubernetes-types/core/v1";
import { env, metadata, pinpointImage, secretEnv, serviceHost } from "./common";
import type { ServerSettings } from "./config";
import { MYSQL_DATABASE, MYSQL_IMAGE, MYSQL_SCHEMA_FILES, MYSQL_USER, NAMES, PinpointRelease, PORTS, SECRET_KEYS } from "./constants";
import { imageRef, serverLabels } from "./common";
import { LABEL_COMPONENT } from "./constants";

/** The Job's pods are labelled apart from MySQL's, so the mysql Service never selects them. */
const JOB_COMPONENT = "mysql-schema";

/** Where the extracted files meet the mysql client (an emptyDir). */
export const SCHEMA_DIR = "/schema";
const SCHEMA_VOLUME = "schema";
/** The Spring Batch tables, children first, so they drop in an order their foreign keys allow. */
export const BATCH_TABLES = [
  "BATCH_STEP_EXECUTION_CONTEXT",
  "BATCH_JOB_EXECUTION_CONTEXT",
  "BATCH_STEP_EXECUTION",
  "BATCH_JOB_EXECUTION_PARAMS",
  "BATCH_JOB_EXECUTION",
  "BATCH_JOB_INSTANCE",
  "BATCH_STEP_EXECUTION_SEQ",
  "BATCH_JOB_EXECUTION_SEQ",
  "BATCH_JOB_SEQ",
] as const;
/** MySQL may still be starting (first start initialises its data folder). */
const WAIT_SECONDS = 600;
const JOB_RESOURCES = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
/** Layertools extraction runs a JVM. */
const EXTRACT_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };
const BACKOFF_LIMIT = 6;

/** The Job's name: one per release, so that a version change runs a new one. */
export function schemaJobName(version: string): string {
  return `${NAMES.mysql}-schema-${version.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
}

/**
 * Copies the release's schema files out of the web image into SCHEMA_DIR:
 * from WEB_SQL_DIR when the image keeps them there, else from the boot jar
 * WEB_JAR, through Spring Boot's layertools (the jar's own extractor: the
 * image has Java, and no unzip).
 */
export function schemaExtractScript(): string {
  const copies = MYSQL_SCHEMA_FILES.map((f) => `cp "$src/${f}" "${SCHEMA_DIR}/${f}"`);
  return [
    "set -eu",
    'if [ -n "${WEB_SQL_DIR:-}" ]; then',
    '  src="$WEB_SQL_DIR"',
    "else",
    '  out="$(mktemp -d)"',
    '  (cd "$out" && java -Djarmode=layertools -jar "$WEB_JAR" extract >/dev/null)',
    '  src="$out/application/BOOT-INF/classes/sql"',
    "fi",
    ...copies,
    `echo "schema taken from $src"`,
  ].join("\n");
}

/**
 * Applies the schema idempotently (see the module comment). Reads the server
 * with the mysql client's own env: MYSQL_HOST, MYSQL_PWD; the rest from env
 * set by schemaJobEnv.
 */
export function schemaApplyScript(): string {
  const files = MYSQL_SCHEMA_FILES.map((f) => `"${SCHEMA_DIR}/${f}"`).join(" ");
  return `set -eu
sql() { mysql --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -N -B "$MYSQL_DATABASE" "$@"; }
deadline=$(( $(date +%s) + ${WAIT_SECONDS} ))
until sql -e 'SELECT 1' >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "MySQL at $MYSQL_HOST did not answer" >&2; exit 1; fi
  sleep 5
done
column_exists() {
  [ "$(sql -e "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='$1' AND COLUMN_NAME='$2'")" != 0 ]
}
table_exists() {
  [ "$(sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='$1'")" != 0 ]
}
# A job repository of the other Spring Batch layout: run history only, so dropped and made anew.
if table_exists BATCH_JOB_EXECUTION_PARAMS && ! column_exists BATCH_JOB_EXECUTION_PARAMS "$BATCH_SCHEMA_MARKER"; then
  echo "dropping the Spring Batch job repository of another layout"
  sql -e "SET FOREIGN_KEY_CHECKS=0; DROP TABLE IF EXISTS $BATCH_TABLES; SET FOREIGN_KEY_CHECKS=1;"
fi
# The release's own files, every CREATE TABLE made conditional (their INSERTs already are).
for f in ${files}; do
  sed -e '/^[[:space:]]*--/d' -e 's/CREATE TABLE[[:space:]]\\{1,\\}\\(IF NOT EXISTS[[:space:]]\\{1,\\}\\)\\{0,1\\}/CREATE TABLE IF NOT EXISTS /I' "$f" | sql
done
# Columns this release declares wider than an earlier one did.
for spec in $WIDEN_COLUMNS; do
  table=\${spec%%.*}; rest=\${spec#*.}; column=\${rest%%:*}; length=\${rest#*:}
  have=$(sql -e "SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='$table' AND COLUMN_NAME='$column'")
  if [ -n "$have" ] && [ "$have" -lt "$length" ]; then
    echo "widening $table.$column to $length"
    sql -e "ALTER TABLE \\\`$table\\\` MODIFY \\\`$column\\\` VARCHAR($length) NULL"
  fi
done
echo "schema of Pinpoint $PINPOINT_VERSION applied"
`;
}

/** Env of the apply step: where MySQL is, and what this release's schema looks like. */
export function schemaJobEnv(s: ServerSettings, release: PinpointRelease = s.release): EnvVar[] {
  return [
    ...env({
      MYSQL_HOST: serviceHost(s, NAMES.mysql),
      MYSQL_PORT: PORTS.mysql,
      MYSQL_USER,
      MYSQL_DATABASE,
      PINPOINT_VERSION: s.version,
      BATCH_SCHEMA_MARKER: release.batchSchemaMarker,
      BATCH_TABLES: BATCH_TABLES.join(", "),
      WIDEN_COLUMNS: release.widenColumns.map((w) => `${w.table}.${w.column}:${w.length}`).join(" "),
    }),
    secretEnv("MYSQL_PWD", SECRET_KEYS.mysqlPassword),
  ];
}

/** Where the web image keeps its SQL, as the extract script's env. */
export function webSqlEnv(release: PinpointRelease): EnvVar[] {
  return "dir" in release.webSql ? env({ WEB_SQL_DIR: release.webSql.dir }) : env({ WEB_JAR: release.webSql.jar });
}

export function schemaJob(s: ServerSettings): Job {
  const name = schemaJobName(s.version);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(s, name, "mysql", true),
    spec: {
      backoffLimit: BACKOFF_LIMIT,
      template: {
        metadata: { labels: { ...serverLabels(s), [LABEL_COMPONENT]: JOB_COMPONENT }, annotations: metadata(s, name, "mysql", true).annotations },
        spec: {
          restartPolicy: "OnFailure",
          initContainers: [
            {
              name: "extract-schema",
              image: pinpointImage(s, "web"),
              command: ["/bin/bash", "-c", schemaExtractScript()],
              env: webSqlEnv(s.release),
              volumeMounts: [{ name: SCHEMA_VOLUME, mountPath: SCHEMA_DIR }],
              resources: EXTRACT_RESOURCES,
            },
          ],
          containers: [
            {
              name: "apply-schema",
              image: imageRef(s, MYSQL_IMAGE),
              command: ["bash", "-c", schemaApplyScript()],
              env: schemaJobEnv(s),
              volumeMounts: [{ name: SCHEMA_VOLUME, mountPath: SCHEMA_DIR, readOnly: true }],
              resources: JOB_RESOURCES,
            },
          ],
          volumes: [{ name: SCHEMA_VOLUME, emptyDir: {} }],
        },
      },
    },
  };
}
