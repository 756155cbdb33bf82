/**
 * HBase from the pinpoint-hbase image: master and regionserver in one pod, the
 * data on a volume, the Pinpoint tables created on first start.
 *
 * What the image does by itself (pinpoint-docker, pinpoint-hbase/): its
 * hbase-site.xml names ZooKeeper `zoo1,zoo2,zoo3`; its CMD runs start-hbase.sh,
 * configure-hbase.sh (writes the *_TTL env values into hbase-create.hbase) and
 * check-table.sh (sleeps 15 s, then creates the tables unless
 * HostApplicationMap_Ver2 exists), then `tail -f /dev/null`. Three things make
 * that unfit for Kubernetes, so our start script replaces the CMD: the quorum
 * must be ours; tables created blind after 15 s are lost when the master is
 * slower (it answers "Master is initializing"); and the container stays up with
 * HBase dead. The script keeps the image's own files (HBASE_HOME, BASE_DIR,
 * hbase-create.hbase), so it holds for every release. It does not run
 * configure-hbase.sh: that script's TTL variables differ per release and touch
 * only new tables; ours writes the retention keys' TTLs into the create
 * statements and alters the tables that already exist (an upgrade's new tables
 * are created beside the old ones, which stay as they are).
 */
import { createHash } from "crypto";
import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { ConfigMap, Service } from "kubernetes-types/core/v1";
import { env, metadata, partService, partStatefulSet, pinpointImage, startupTcpProbe, tcpProbe, volumeClaim } from "./common";
import type { ServerSettings } from "./config";
import { retentionFile } from "./retention";
import {
  HBASE_CONFIG_DIR,
  HBASE_DATA_DIR,
  HBASE_HEAP_SIZE,
  HBASE_MAX_PRESPLIT_REGIONS,
  HBASE_TABLES_READY_FILE,
  HBASE_ZNODE_PARENT,
  NAMES,
  PORTS,
} from "./constants";

const VOLUME = "data";
const CONFIG_VOLUME = "config";
const SITE_FILE = "hbase-site.xml";
const START_FILE = "start.sh";
/** `<table> <seconds>` lines (retention.ts). */
const RETENTION_FILE = "retention";
/** On the pod template: a change of the ConfigMap's content restarts HBase, which applies it (TTLs). */
export const CONFIG_HASH_ANNOTATION = "pinpoint.apm/config-hash";
/** Names the daemons' pid and log files. */
const IDENT = "pinpoint";
const PID_DIR = "/tmp/hbase-pids";
/** Regionserver flush and master stop on shutdown take a while. */
const TERMINATION_GRACE_SECONDS = 120;
/** First start creates some hundred pre-split regions; allow it. */
const STARTUP_SECONDS = 600;

function xmlEscape(v: string): string {
  return v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** hbase-site.xml: the image's settings, with our ZooKeeper instead of zoo1,zoo2,zoo3. */
export function hbaseSite(s: ServerSettings): string {
  const properties: Array<[string, string]> = [
    ["hbase.rootdir", `file://${HBASE_DATA_DIR}`],
    ["hbase.cluster.distributed", "true"],
    ["hbase.zookeeper.quorum", s.zookeeperAddress],
    ["hbase.zookeeper.property.clientPort", String(PORTS.zookeeper)],
    ["zookeeper.znode.parent", HBASE_ZNODE_PARENT],
    ["hbase.master.port", String(PORTS.hbaseMaster)],
    ["hbase.regionserver.port", String(PORTS.hbaseRegionServer)],
    // A long first start must not lose the ZooKeeper session.
    ["zookeeper.session.timeout", "120000"],
    // HBase 2 refuses a local-filesystem WAL without this (the 3.x images); HBase 1 ignores it.
    ["hbase.unsafe.stream.capability.enforce", "false"],
  ];
  const body = properties
    .map(([name, value]) => `  <property>\n    <name>${name}</name>\n    <value>${xmlEscape(value)}</value>\n  </property>`)
    .join("\n");
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/** Replaces the image's CMD: see the module comment. */
export const HBASE_START_SCRIPT = `#!/bin/bash
# Runs the pinpoint-hbase image's master and regionserver with our hbase-site.xml,
# creates the tables of the image's hbase-create.hbase that are missing (with our
# TTLs and pre-split cap), sets our TTLs on the tables that exist, and exits when
# a daemon dies so that Kubernetes restarts the container.
set -u
BASE_DIR="\${BASE_DIR:-/opt/hbase}"
CREATE="$BASE_DIR/hbase-create.hbase"
RETENTION=${HBASE_CONFIG_DIR}/${RETENTION_FILE}
HBASE="$HBASE_HOME/bin/hbase"
export HBASE_PID_DIR=${PID_DIR} HBASE_IDENT_STRING=${IDENT}
mkdir -p "$HBASE_PID_DIR"
rm -f ${HBASE_TABLES_READY_FILE}
cp ${HBASE_CONFIG_DIR}/${SITE_FILE} "$HBASE_HOME/conf/hbase-site.xml"

stop() {
  "$HBASE_HOME/bin/hbase-daemon.sh" stop regionserver
  "$HBASE_HOME/bin/hbase-daemon.sh" stop master
  exit 0
}
trap stop TERM INT

"$HBASE_HOME/bin/hbase-daemon.sh" start master
"$HBASE_HOME/bin/hbase-daemon.sh" start regionserver
tail -n +1 -F "$HBASE_HOME/logs/hbase-${IDENT}-master-$HOSTNAME.log" "$HBASE_HOME/logs/hbase-${IDENT}-regionserver-$HOSTNAME.log" 2>/dev/null &

TABLES=$(sed -n "s/^ *create *'\\([^']*\\)'.*/\\1/p" "$CREATE")
WANT=$(printf '%s\\n' "$TABLES" | grep -c .)
if [ "$WANT" -eq 0 ]; then
  echo "no create statement found in $CREATE" >&2
  exit 1
fi
# The TTL in seconds of a table: its line in the retention file, else the "*" line.
ttl_of() {
  awk -v t="$1" '$1 == t { print $2; found = 1; exit } $1 == "*" { d = $2 } END { if (!found) print d }' "$RETENTION"
}
# Explicit SPLITS=>[k1,k2,...] arrays (most tables of 3.x scripts, up to 63 keys)
# thinned to every step-th key, so that at most ${HBASE_MAX_PRESPLIT_REGIONS} regions remain, evenly spread.
cap_splits() {
  awk -v max=${HBASE_MAX_PRESPLIT_REGIONS} '{
    if (match($0, /SPLITS *=> *\\[[^]]*\\]/)) {
      pre = substr($0, 1, RSTART - 1); post = substr($0, RSTART + RLENGTH)
      inner = substr($0, RSTART, RLENGTH); sub(/^SPLITS *=> *\\[/, "", inner); sub(/\\]$/, "", inner)
      n = split(inner, keys, ",")
      if (n > max - 1) {
        step = int((n + max) / max)
        kept = ""
        for (i = step; i <= n; i += step) kept = kept (kept == "" ? "" : ",") keys[i]
        $0 = pre "SPLITS=>[" kept "]" post
      }
    }
    print
  }'
}
# The image's create statements with our TTLs and at most ${HBASE_MAX_PRESPLIT_REGIONS} pre-split regions per table.
render_create() {
  for t in $TABLES; do
    grep -E "^ *create *'$t'" "$CREATE" | sed -E \\
      -e "s/TTL *=> *[0-9]+/TTL => $(ttl_of "$t")/g" \\
      -e "s/NUMREGIONS *=> *[0-9]+/NUMREGIONS => ${HBASE_MAX_PRESPLIT_REGIONS}/g" | cap_splits
  done
}
existing() {
  for t in $TABLES; do echo "exists '$t'"; done | "$HBASE" shell 2>/dev/null | sed -n "s/^Table \\([^ ]*\\) does exist.*/\\1/p"
}
# "table family ttl" for every column family of the given tables (ttl: seconds or FOREVER).
family_ttls() {
  for t in $1; do echo "describe '$t'"; done | "$HBASE" shell 2>/dev/null | while IFS= read -r line; do
    case "$line" in
      "Table "*" is ENABLED"* | "Table "*" is DISABLED"*) table=\${line#Table }; table=\${table%% *} ;;
      *"NAME => '"*) echo "$table $(printf '%s' "$line" | sed -E "s/.*NAME => '([^']*)'.*TTL => '([0-9]+|FOREVER).*/\\1 \\2/")" ;;
    esac
  done
}
(
  # Retried until every table exists: a master still initializing rejects DDL.
  attempt=0
  while :; do
    [ "$attempt" -eq 0 ] || sleep 10
    attempt=$((attempt + 1))
    HAVE=$(existing)
    MISSING=$(for t in $TABLES; do printf '%s\\n' "$HAVE" | grep -qx "$t" || echo "$t"; done)
    [ -z "$MISSING" ] && break
    echo "creating the Pinpoint tables:" $MISSING
    { TABLES="$MISSING" render_create; echo exit; } > /tmp/hbase-create-missing.hbase
    "$HBASE" shell /tmp/hbase-create-missing.hbase </dev/null >/tmp/hbase-create.log 2>&1
  done
  # Tables created by an earlier start (or release) keep their TTLs until altered.
  family_ttls "$TABLES" | while read -r table family ttl; do
    want=$(ttl_of "$table")
    [ "$ttl" = "$want" ] || echo "alter '$table', { NAME => '$family', TTL => $want }"
  done > /tmp/hbase-alter-ttl.hbase
  if [ -s /tmp/hbase-alter-ttl.hbase ]; then
    echo "setting table TTLs:"; cat /tmp/hbase-alter-ttl.hbase
    echo exit >> /tmp/hbase-alter-ttl.hbase
    "$HBASE" shell /tmp/hbase-alter-ttl.hbase </dev/null >/tmp/hbase-alter.log 2>&1
  fi
  touch ${HBASE_TABLES_READY_FILE}
  echo "all $WANT Pinpoint tables exist"
) &

while sleep 15; do
  for daemon in master regionserver; do
    pid=$(cat "$HBASE_PID_DIR/hbase-${IDENT}-$daemon.pid" 2>/dev/null)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "HBase $daemon is not running; exiting so the container restarts" >&2
      exit 1
    fi
  done
done
`;

export function hbaseObjects(s: ServerSettings): { configMap: ConfigMap; service: Service; statefulSet: StatefulSet } {
  const configMap: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(s, NAMES.hbaseConfig, "hbase"),
    data: { [SITE_FILE]: hbaseSite(s), [START_FILE]: HBASE_START_SCRIPT, [RETENTION_FILE]: retentionFile(s.retention) },
  };
  const configHash = createHash("sha256").update(JSON.stringify(configMap.data)).digest("hex").slice(0, 16);
  // Headless, and listing pods before they are ready: clients reach the regionserver
  // by the host name it registers in ZooKeeper (the pod's name under this Service).
  const service = partService(s, NAMES.hbase, "hbase", {
    clusterIP: "None",
    publishNotReadyAddresses: true,
    ports: [
      { name: "master", port: PORTS.hbaseMaster, targetPort: "master" },
      { name: "master-ui", port: PORTS.hbaseMasterUi, targetPort: "master-ui" },
      { name: "regionserver", port: PORTS.hbaseRegionServer, targetPort: "regionserver" },
      { name: "regionserver-ui", port: PORTS.hbaseRegionServerUi, targetPort: "regionserver-ui" },
    ],
  });
  const statefulSet = partStatefulSet(s, NAMES.hbase, "hbase", {
    serviceName: NAMES.hbase,
    replicas: 1,
    volumeClaimTemplates: [volumeClaim(s, VOLUME, s.storage.hbase)],
  }, {
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    containers: [
      {
        name: "hbase",
        image: pinpointImage(s, "hbase"),
        command: ["/bin/bash", `${HBASE_CONFIG_DIR}/${START_FILE}`],
        ports: [
          { name: "master", containerPort: PORTS.hbaseMaster },
          { name: "master-ui", containerPort: PORTS.hbaseMasterUi },
          { name: "regionserver", containerPort: PORTS.hbaseRegionServer },
          { name: "regionserver-ui", containerPort: PORTS.hbaseRegionServerUi },
        ],
        env: env({ HBASE_HEAPSIZE: HBASE_HEAP_SIZE, HBASE_MANAGES_ZK: false }),
        volumeMounts: [
          { name: VOLUME, mountPath: HBASE_DATA_DIR },
          { name: CONFIG_VOLUME, mountPath: HBASE_CONFIG_DIR, readOnly: true },
        ],
        startupProbe: startupTcpProbe(PORTS.hbaseMasterUi, STARTUP_SECONDS),
        readinessProbe: { exec: { command: ["test", "-f", HBASE_TABLES_READY_FILE] }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: tcpProbe(PORTS.hbaseMasterUi, 0, 20, 6),
        resources: s.resources.hbase,
      },
    ],
    volumes: [{ name: CONFIG_VOLUME, configMap: { name: NAMES.hbaseConfig, defaultMode: 0o755 } }],
  });
  const template = statefulSet.spec?.template;
  if (template?.metadata) template.metadata.annotations = { [CONFIG_HASH_ANNOTATION]: configHash };
  return { configMap, service, statefulSet };
}
