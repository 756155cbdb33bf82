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
import { imageRef, serverLabels, SERVICE_LINKS } from "./common";
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
const EXTRACT_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } };
const BACKOFF_LIMIT = 6;

/** The Job's name: one per release, so that a version change runs a new one. */
export function schemaJobName(version: string): string {
  return `${NAMES.mysql}-schema-${version.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
}

/** Where the SQL files sit inside a Spring Boot jar. */
export const JAR_SQL_DIR = "BOOT-INF/classes/sql";

/**
 * Copies the release's schema files out of the web image into SCHEMA_DIR:
 * from WEB_SQL_DIR when the image keeps the jar exploded (3.x), else out of
 * the boot jar WEB_JAR (2.5). The 2.5 image has neither unzip nor a JDK, and
 * its jar starts with a launch script, which Spring Boot's layertools refuse;
 * so the entry is read with what every Debian image has: the zip's central
 * directory gives offset, size and CRC, and gzip inflates the deflate data
 * wrapped in a gzip header and trailer (and checks the CRC).
 */
export function schemaExtractScript(): string {
  const copies = MYSQL_SCHEMA_FILES.map((f) =>
    `if [ -n "\${WEB_SQL_DIR:-}" ]; then cp "$WEB_SQL_DIR/${f}" "${SCHEMA_DIR}/${f}"; else jar_entry "$WEB_JAR" "${JAR_SQL_DIR}/${f}" > "${SCHEMA_DIR}/${f}"; fi`,
  );
  return `set -eu
# One entry of a zip (a jar, launch script in front or not) to stdout.
jar_entry() {
  local jar=$1 name=$2 cen loc method size start
  u16() { od -A n -t u2 -j "$1" -N 2 "$jar" | tr -d ' '; }
  u32() { od -A n -t u4 -j "$1" -N 4 "$jar" | tr -d ' '; }
  hex4() { od -A n -t x1 -j "$1" -N 4 "$jar" | tr -d ' '; }
  bytes() { tail -c +$(( $1 + 1 )) "$jar" | head -c "$2"; }
  # The last occurrence of the name is its central directory entry, 46 bytes after that entry's start.
  cen=$(grep -obaF "$name" "$jar" | tail -n 1 | cut -d: -f1)
  [ -n "$cen" ] || { echo "$jar holds no $name" >&2; return 1; }
  cen=$(( cen - 46 ))
  [ "$(hex4 "$cen")" = 504b0102 ] || { echo "$jar: no central directory entry for $name" >&2; return 1; }
  method=$(u16 $(( cen + 10 ))); size=$(u32 $(( cen + 20 ))); loc=$(u32 $(( cen + 42 )))
  [ "$(hex4 "$loc")" = 504b0304 ] || { echo "$jar: no local header for $name" >&2; return 1; }
  start=$(( loc + 30 + $(u16 $(( loc + 26 ))) + $(u16 $(( loc + 28 ))) ))
  case "$method" in
    0) bytes "$start" "$size" ;;
    8) { printf '\\037\\213\\010\\000\\000\\000\\000\\000\\000\\377'; bytes "$start" "$size"; bytes $(( cen + 16 )) 4; bytes $(( cen + 24 )) 4; } | gzip -dc ;;
    *) echo "$jar: $name uses compression method $method" >&2; return 1 ;;
  esac
}
${copies.join("\n")}
echo "schema of the web image copied to ${SCHEMA_DIR}"
`;
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
# The release's own files, statement by statement: a table's CREATE and ALTERs (its keys) run only
# when the table is missing; the INSERTs (sequence rows) are conditional in the files themselves.
statements_for_missing_tables() {
  local stmt body head kind table
  while IFS= read -r -d ';' stmt || [ -n "\${stmt//[[:space:]]/}" ]; do
    body=$(printf '%s\\n' "$stmt" | sed -e '/^[[:space:]]*--/d')
    [ -n "\${body//[[:space:]]/}" ] || continue
    head=$(printf '%s' "$body" | tr '\\n' ' ' | sed -n -E 's/^[[:space:]]*(CREATE TABLE|ALTER TABLE|INSERT INTO)[[:space:]]+(IF NOT EXISTS[[:space:]]+)?\`?([A-Za-z0-9_]+).*/\\1 \\3/Ip')
    kind=\${head% *}; table=\${head##* }
    case "$kind" in
      [Ii][Nn][Ss][Ee][Rr][Tt]*) printf '%s;\\n' "$body" ;;
      ?*) case " $MISSING " in *" $table "*) printf '%s;\\n' "$body" ;; esac ;;
      *) echo "not applied (neither a table's DDL nor an insert): $body" >&2 ;;
    esac
  done < "$1"
}
for f in ${files}; do
  MISSING=""
  for t in $(sed -n -E 's/^[[:space:]]*CREATE TABLE[[:space:]]+(IF NOT EXISTS[[:space:]]+)?\`?([A-Za-z0-9_]+).*/\\2/Ip' "$f"); do
    table_exists "$t" || MISSING="$MISSING $t"
  done
  [ -z "$MISSING" ] || echo "creating$MISSING"
  statements_for_missing_tables "$f" | sql
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
          ...SERVICE_LINKS,
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
