/**
 * What each image in the rendered manifests would run, played with released
 * jars from Maven Central (artifacts.ts) and Debian packages. This is the one
 * place where the end to end departs from the images; each departure is
 * written here with its reason:
 *
 * - library/zookeeper: the image's entrypoint (zoo.cfg from the ZOO_* env,
 *   myid, `zkServer.sh start-foreground`) and the `zkServer.sh status` its
 *   readiness probe runs, as short scripts over the ZooKeeper jar.
 * - pinpointdocker/pinpoint-hbase: the rendered start script runs unchanged;
 *   the image's HBASE_HOME is played by `hbase-daemon.sh` and `hbase shell`
 *   stand-ins over the HBase jars (master and regionserver as two JVMs, as in
 *   the image), and its hbase-create.hbase is generated from the web jar's own
 *   table list (PinpointTables.java) in upstream's form, with upstream's TTLs
 *   and pre-splits from our fact table; the shell stand-in applies TTL,
 *   VERSIONS, SPLITS and NUMREGIONS and answers `describe`/`alter` through the
 *   Admin API, so the start script's sed, split cap and TTL alters meet real
 *   tables. `tools/inspect-tables` (not in the image) lets the test read them.
 * - pinpointdocker/pinpoint-collector: no 3.x collector is on Maven Central,
 *   so the 2.5.x collector runs (`CollectorApp` from its jars). Its HBase 1.x
 *   client would refuse HBase 2's version, so its own switch
 *   `hbase.client.compatibility-check` is turned off (image env).
 * - pinpointdocker/pinpoint-web: `java -jar` of the exec jar, as the image does.
 *   The 3.x image keeps the jar exploded under /workspace (a Paketo build); of
 *   that, the stand-in carries what the schema Job's init container reads:
 *   the web jar's BOOT-INF/classes/sql, unzipped from the released jar.
 * - pinpointdocker/pinpoint-batch: no runnable batch is on Maven Central; its
 *   alarm path runs from upstream's classes in the web jar, with our own rule
 *   loop and TOTAL COUNT checker (batchStandIn.ts, java/BatchAlarmStandIn.java).
 * - library/mysql: Debian's MariaDB behind the image's entrypoint (mysqlStandIn.ts).
 * - library/redis: Debian's redis-server, protected mode off as the image has it.
 * - e2e/mail-sink (the test cluster's mail relay, not rendered): mailSink.ts under Node.
 * - the apps: Tomcat's full distribution as an app image built FROM tomcat
 *   (`catalina.sh run`, a tiny webapp), and a plain JVM app, both as uid 1001.
 *
 * Server JVMs get -XX:TieredStopAtLevel=1 (start-up on two cores) and the
 * --add-opens HBase needs on Java 17: flags on the stand-in's command line,
 * never in the manifest's env.
 */
import * as fs from "fs";
import * as path from "path";
import type { Container as K8sContainer } from "kubernetes-types/core/v1";
import type { ImageStandIn } from "../cluster/kubelet";
import { run } from "../tools";
import type { Artifacts } from "./artifacts";
import { MAIL_SINK, PLAIN_APP_MAIN, PLAIN_APP_PORT, REPO_ROOT } from "./manifests";
import { mysqlStandIn } from "./mysqlStandIn";
import { BatchStandIn } from "./batchStandIn";
import { JAR_SQL_DIR } from "../../../sdk/server/migrations";
import { upstreamCreate, upstreamTables } from "../../support/upstreamHbase";
import { COLLECTOR_ENV, collectorCommand, compilePinpointTables, JAVA17_OPENS, releaseTableStatements, SERVER_FAST_START as FAST_START } from "../../support/pinpointJars";

/** The app images' user. */
export const APP_UID = 1001;
const ZOOKEEPER_HOME = "/apache-zookeeper-bin";
const HBASE_BASE = "/opt/hbase";
/** In the HBase pod (test only): prints `table regions family=ttl …` per live table. */
export const HBASE_INSPECT_TABLES = `${HBASE_BASE}/tools/inspect-tables`;
const TOMCAT_HOME = "/usr/local/tomcat";
/** Where the 3.x web image keeps its exploded jar. */
const WEB_WORKSPACE = "/workspace";
const APP_DIR = "/app";
/** Where the mail sink's image has this checkout. */
const REPO_IN_IMAGE = "/e2e-repo";
/** The apps' tiny webapp: Tomcat serves it as the root context. */
export const WEBAPP_PATH = "/";

/**
 * The Tomcat app's one page. With `?call=<url>` (the test names the plain app's
 * URL) it first makes an HTTP request with the JDK's HttpURLConnection, so a
 * traced transaction holds a client call (the agent's jdk-http plugin).
 */
const TOMCAT_INDEX_JSP = `<%@ page contentType="text/plain" import="java.io.InputStream,java.net.HttpURLConnection,java.net.URL" %><%
String call = request.getParameter("call");
String downstream = "";
if (call != null) {
  HttpURLConnection c = (HttpURLConnection) new URL(call).openConnection();
  c.setConnectTimeout(5000);
  c.setReadTimeout(5000);
  try (InputStream in = c.getInputStream()) { while (in.read() != -1) { } }
  downstream = " (called " + call + ": " + c.getResponseCode() + ")";
}
%>tomcat-zffw: <%= request.getRequestURI() %><%= downstream %>
`;

const LOG4J = [
  "log4j.rootLogger=INFO,console",
  "log4j.appender.console=org.apache.log4j.ConsoleAppender",
  "log4j.appender.console.layout=org.apache.log4j.PatternLayout",
  "log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{2}: %m%n",
  "",
].join("\n");

/** An image reference's repository: no registry host, no tag or digest. */
function repository(image: string): string {
  return image.replace(/^[^/]+\.[^/]+\//, "").replace(/[:@].*$/, "");
}

function writeExecutable(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.chmodSync(file, 0o755);
}

/** The images' files, prepared once per test run under dir. */
export class StandIns {
  readonly tomcatHome: string;
  private readonly toolsClasses: string;
  private readonly appClasses: string;

  constructor(
    private readonly artifacts: Artifacts,
    private readonly dir: string,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    // Our two Java programs: the HBase shell stand-in and the plain app.
    this.toolsClasses = compilePinpointTables(path.join(__dirname, "java", "PinpointTables.java"), artifacts.hbase, path.join(dir, "tools-classes"));
    this.appClasses = path.join(dir, "app-classes");
    run("javac", ["-d", this.appClasses, path.join(__dirname, "java", "PlainApp.java")]);
    run("chmod", ["-R", "a+rX", this.appClasses]);
    this.tomcatHome = this.unpackTomcat();
  }

  /** Tomcat's distribution with the app's tiny webapp as ROOT, owned by the app's uid (catalina.sh writes logs and work there). */
  private unpackTomcat(): string {
    const root = path.join(this.dir, "tomcat");
    fs.mkdirSync(root, { recursive: true });
    run("tar", ["xzf", this.artifacts.tomcatArchive, "-C", root, "--strip-components=1"]);
    const webapps = path.join(root, "webapps");
    for (const app of fs.readdirSync(webapps)) fs.rmSync(path.join(webapps, app), { recursive: true, force: true });
    fs.mkdirSync(path.join(webapps, "ROOT", "WEB-INF"), { recursive: true });
    fs.writeFileSync(path.join(webapps, "ROOT", "index.jsp"), TOMCAT_INDEX_JSP);
    fs.writeFileSync(path.join(webapps, "ROOT", "WEB-INF", "web.xml"), '<?xml version="1.0"?>\n<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="4.0"/>\n');
    run("chown", ["-R", `${APP_UID}:${APP_UID}`, root]);
    return root;
  }

  /** A fresh copy of Tomcat for one pod (its logs and work folders are its own). */
  private tomcatFor(podDir: string): string {
    const copy = path.join(podDir, "tomcat");
    if (!fs.existsSync(copy)) run("cp", ["-a", this.tomcatHome, copy]);
    return copy;
  }

  /** The files of the zookeeper image: entrypoint and zkServer.sh. */
  private zookeeper(podDir: string): ImageStandIn {
    const bin = path.join(podDir, "zookeeper-bin");
    const cp = this.artifacts.zookeeper.join(":");
    writeExecutable(
      path.join(bin, "docker-entrypoint.sh"),
      `#!/bin/bash
# The zookeeper image's entrypoint: zoo.cfg from the ZOO_* env, then the server in the foreground.
set -e
mkdir -p "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" "$ZOO_CONF_DIR"
CONFIG="$ZOO_CONF_DIR/zoo.cfg"
{
  echo "dataDir=$ZOO_DATA_DIR"
  echo "dataLogDir=$ZOO_DATA_LOG_DIR"
  echo "tickTime=\${ZOO_TICK_TIME:-2000}"
  echo "initLimit=\${ZOO_INIT_LIMIT:-5}"
  echo "syncLimit=\${ZOO_SYNC_LIMIT:-2}"
  echo "maxClientCnxns=\${ZOO_MAX_CLIENT_CNXNS:-60}"
  echo "standaloneEnabled=\${ZOO_STANDALONE_ENABLED:-true}"
  echo "admin.enableServer=\${ZOO_ADMINSERVER_ENABLED:-true}"
  echo "4lw.commands.whitelist=\${ZOO_4LW_COMMANDS_WHITELIST:-srvr}"
  echo "clientPort=2181"
} > "$CONFIG"
echo "\${ZOO_MY_ID:-1}" > "$ZOO_DATA_DIR/myid"
exec "$@"
`,
    );
    writeExecutable(
      path.join(bin, "zkServer.sh"),
      `#!/bin/bash
# zkServer.sh start-foreground | status, over the ZooKeeper jar.
CP="${cp}"
case "$1" in
  start-foreground) exec java -Xmx\${ZK_SERVER_HEAP:-1000}m -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZOO_CONF_DIR/zoo.cfg" ;;
  status)
    out=$(java -cp "$CP" org.apache.zookeeper.client.FourLetterWordMain localhost 2181 srvr 2>&1) || { echo "Error contacting service. It is probably not running."; exit 1; }
    mode=$(printf '%s\\n' "$out" | sed -n 's/^Mode: //p')
    [ -n "$mode" ] || { echo "$out"; exit 1; }
    echo "Mode: $mode" ;;
  *) echo "only start-foreground and status are played here" >&2; exit 2 ;;
esac
`,
    );
    const conf = path.join(podDir, "zookeeper-conf");
    fs.mkdirSync(conf, { recursive: true });
    return {
      entrypoint: [`${ZOOKEEPER_HOME}/bin/docker-entrypoint.sh`],
      cmd: ["zkServer.sh", "start-foreground"],
      env: { PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${ZOOKEEPER_HOME}/bin`, ZOO_CONF_DIR: "/conf", ZOO_DATA_DIR: "/data", ZOO_DATA_LOG_DIR: "/datalog" },
      mounts: [
        { hostPath: bin, mountPath: `${ZOOKEEPER_HOME}/bin`, readOnly: true },
        { hostPath: conf, mountPath: "/conf" },
      ],
    };
  }

  /** The hbase image's BASE_DIR: hbase-create.hbase and an HBASE_HOME whose scripts run the HBase jars. */
  private hbase(podDir: string): ImageStandIn {
    const base = path.join(podDir, "hbase-base");
    const home = path.join(base, "hbase");
    fs.mkdirSync(path.join(home, "conf"), { recursive: true });
    fs.mkdirSync(path.join(home, "logs"), { recursive: true });
    fs.writeFileSync(path.join(home, "conf", "log4j.properties"), LOG4J);
    fs.writeFileSync(path.join(base, "hbase-create.hbase"), this.createStatements());
    // The container's /tmp is its own: what the scripts run must be inside the mounted folder.
    run("cp", ["-r", this.toolsClasses, path.join(base, "tools")]);
    const cp = `${HBASE_BASE}/hbase/conf:${this.artifacts.hbase.join(":")}`;
    const java = ["java", ...FAST_START, ...JAVA17_OPENS].join(" ");
    writeExecutable(
      path.join(home, "bin", "hbase-daemon.sh"),
      `#!/bin/bash
# hbase-daemon.sh start|stop master|regionserver: one JVM per daemon, pid and log files named as HBase names them.
set -u
CMD=$1 DAEMON=$2
PID="$HBASE_PID_DIR/hbase-$HBASE_IDENT_STRING-$DAEMON.pid"
LOG="$HBASE_HOME/logs/hbase-$HBASE_IDENT_STRING-$DAEMON-$HOSTNAME.log"
case "$DAEMON" in master) CLASS=org.apache.hadoop.hbase.master.HMaster ;; regionserver) CLASS=org.apache.hadoop.hbase.regionserver.HRegionServer ;; esac
case "$CMD" in
  start) nohup ${java} -Xmx\${HBASE_HEAPSIZE:-1G} -cp "${cp}" $CLASS start >>"$LOG" 2>&1 </dev/null & echo $! >"$PID" ;;
  stop) pid=$(cat "$PID" 2>/dev/null) && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 1; done ;;
esac
`,
    );
    writeExecutable(
      path.join(home, "bin", "hbase"),
      `#!/bin/bash
# hbase shell [FILE]: the statements the Pinpoint scripts use, through the Admin API.
[ "$1" = shell ] || { echo "only 'hbase shell' is played here" >&2; exit 2; }
shift
exec ${java} -Xmx256m -cp "${HBASE_BASE}/tools:${cp}" PinpointTables shell "$@"
`,
    );
    // For the test only: the live tables' regions and TTLs (PinpointTables inspect).
    writeExecutable(
      path.join(base, "tools", "inspect-tables"),
      `#!/bin/bash\nexec ${java} -Xmx256m -cp "${HBASE_BASE}/tools:${cp}" PinpointTables inspect\n`,
    );
    return {
      env: { HBASE_HOME: `${HBASE_BASE}/hbase`, BASE_DIR: HBASE_BASE },
      mounts: [{ hostPath: base, mountPath: HBASE_BASE }],
    };
  }

  private statements: string | undefined;

  /**
   * The image's hbase-create.hbase: every table of the web release, from its own jar, written
   * as upstream's script writes it (TTLs, VERSIONS, SPLITS arrays, NUMREGIONS; our fact table
   * test/fixtures/server/upstream-hbase-create.facts.yaml). A table or family the facts do not
   * name gets no TTL, as an older script would have it: the start script then alters it.
   */
  createStatements(): string {
    const facts = upstreamTables();
    return this.releaseTables()
      .split("\n")
      .filter((l) => l.startsWith("create "))
      .map((line) => {
        const name = /^create '([^']+)'/.exec(line)![1];
        const fact = facts[name];
        const families = Object.fromEntries([...line.matchAll(/NAME => '([^']+)'/g)].map((m) => [m[1], fact?.families[m[1]]]));
        return upstreamCreate(name, { ...fact, families });
      })
      .join("\n") + "\n\nlist\n\nexit\n";
  }

  /** `create 't', { NAME => 'f' }, …` for every table of the web release, from its own jar (PinpointTables statements). */
  private releaseTables(): string {
    if (this.statements === undefined) this.statements = releaseTableStatements(this.toolsClasses, this.artifacts.webJar, this.artifacts.hbase, this.dir);
    return this.statements;
  }

  private workspace: string | undefined;

  /** The web image's /workspace: the released jar's SQL folder, unzipped once. */
  private webWorkspace(): string {
    if (this.workspace === undefined) {
      const dir = path.join(this.dir, "web-workspace");
      run("unzip", ["-q", "-o", this.artifacts.webJar, `${JAR_SQL_DIR}/*`, "-d", dir]);
      run("chmod", ["-R", "a+rX", dir]);
      this.workspace = dir;
    }
    return this.workspace;
  }

  private batchImage: BatchStandIn | undefined;

  /** The batch image's files, prepared on first use (a javac over the web jar's libraries). */
  private batch(): ImageStandIn {
    if (this.batchImage === undefined) this.batchImage = new BatchStandIn(this.artifacts.webJar, this.artifacts.mailProvider, this.dir);
    return this.batchImage.image();
  }

  /**
   * The mail relay: the sink under this Node, with the tests' TypeScript settings. The
   * checkout is bound into the container at a path of its own: it may lie under /tmp,
   * which a container sees as its pod's.
   */
  private mailSink(): ImageStandIn {
    const inImage = (hostPath: string) => path.posix.join(REPO_IN_IMAGE, path.relative(REPO_ROOT, hostPath));
    return {
      entrypoint: [process.execPath, "-r", inImage(require.resolve("ts-node/register/transpile-only")), inImage(path.join(__dirname, "mailSink.ts")), String(MAIL_SINK.port)],
      env: { TS_NODE_PROJECT: inImage(path.join(REPO_ROOT, "test", "tsconfig.json")) },
      mounts: [{ hostPath: REPO_ROOT, mountPath: REPO_IN_IMAGE, readOnly: true }],
    };
  }

  /** Whether an image's stand-in runs as a process in the pod (an init container of a server image), rather than from the pulled image's root. */
  runsAsProcess(c: K8sContainer): boolean {
    return repository(c.image ?? "") === "pinpointdocker/pinpoint-web";
  }

  /** The stand-in for a container's image. */
  image(c: K8sContainer, podDir: string): ImageStandIn {
    fs.mkdirSync(podDir, { recursive: true });
    const image = c.image ?? "";
    switch (repository(image)) {
      case "library/zookeeper":
        return this.zookeeper(podDir);
      case "pinpointdocker/pinpoint-hbase":
        return this.hbase(podDir);
      case "pinpointdocker/pinpoint-collector":
        return {
          entrypoint: collectorCommand(this.artifacts.collector),
          env: { ...COLLECTOR_ENV },
        };
      case "pinpointdocker/pinpoint-web":
        return { entrypoint: ["java", ...FAST_START, ...JAVA17_OPENS, "-jar", this.artifacts.webJar], mounts: [{ hostPath: this.webWorkspace(), mountPath: WEB_WORKSPACE, readOnly: true }] };
      case "pinpointdocker/pinpoint-batch":
        return this.batch();
      case "library/mysql":
        return mysqlStandIn(podDir);
      case "library/redis":
        return { entrypoint: ["redis-server", "--protected-mode", "no"] };
      case "dev/fjhb6-ability-order-pay":
        return {
          entrypoint: [`${TOMCAT_HOME}/bin/catalina.sh`],
          cmd: ["run"],
          env: { CATALINA_HOME: TOMCAT_HOME, PATH: `${TOMCAT_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
          uid: APP_UID,
          mounts: [{ hostPath: this.tomcatFor(podDir), mountPath: TOMCAT_HOME }],
        };
      case "e2e/mail-sink":
        return this.mailSink();
      case "dev/plain-jvm":
        return { entrypoint: ["java", "-cp", APP_DIR, PLAIN_APP_MAIN, String(PLAIN_APP_PORT)], uid: APP_UID, mounts: [{ hostPath: this.appClasses, mountPath: APP_DIR, readOnly: true }] };
      default:
        throw new Error(`no stand-in for image ${image} (container ${c.name}); add one in test/e2e/pinpoint/standIns.ts`);
    }
  }
}
