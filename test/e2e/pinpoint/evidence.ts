/**
 * out/e2e-pinpoint/evidence.json: what the real-Pinpoint end to end ran and
 * proved, for a reader who was not watching (README "Real Pinpoint end to end").
 * Filled as the suites go; written once at the end, also after a failure, so
 * the file says how far the run got.
 */
import * as fs from "fs";
import * as path from "path";
import type { RunningPod } from "../cluster/kubelet";
import type { RuntimeEvent } from "../cluster/containerRuntime";
import type { ProbeAttempt, ProbeRecord } from "../cluster/probes";
import type { Versions } from "./artifacts";
import type { CallRecord } from "./callTree";

export const EVIDENCE_FILE = path.resolve(__dirname, "..", "..", "..", "out", "e2e-pinpoint", "evidence.json");

/** One released artifact the run used, and the Maven coordinate it came from (test/e2e/pinpoint/maven/). */
export interface RunArtifact {
  version: string;
  coordinate: string;
}

export interface Evidence {
  startedAt: string;
  finishedAt?: string;
  renderedRelease?: string;
  run: Record<"agent" | "collector" | "web" | "batch" | "hbase" | "zookeeper" | "tomcat", RunArtifact>;
  /** The declared version exception, when it applied (versionPair.ts). */
  versionException?: string;
  probes: Array<ProbeRecord & { result: "passed" }>;
  /** Every container the kubelet stand-in ran: its restarts, its lifecycle (started, ready, killed…) and each probe's attempts with their times, at the declared period. */
  containers?: ContainerEvidence[];
  /** The cluster DNS (cluster/dns.ts): HBase's pod name answered before it was ready, names asked from the collector pod, the names its JVM asked. */
  dns?: {
    server: string;
    hbasePodBeforeReady: { name: string; answer: string; askedFrom: string };
    fromCollectorPod: Record<string, string | null>;
    collectorJvmQueries: string[];
  };
  /** resources.limits as control groups: what a JVM in the collector's container sees. */
  cgroups?: Record<string, { limits: { cpu?: number; memory?: number }; jvm: string[] }>;
  /** Each live table as HBase has it after the rendered start script ran: regions and each family's TTL (seconds, or FOREVER). */
  tables?: Record<string, { regions: number; ttl: Record<string, string> }>;
  applications: Array<{ application: string; serviceType: string; agentId: string; agentName: string; agentVersion: string; transactions: number }>;
  /** A Tomcat transaction's call tree as the web's API gave it (callTree.ts): its rows, span roots and method calls. */
  callTree?: { application: string; transactionId: string; agentId: string; downstream: string; records: CallRecord[] };
  /** The collector stopped and started again: what kept serving, and the first transaction each agent reported after. */
  reconnection?: {
    collectorStoppedAt: string;
    servedWhileDown: Record<string, number>;
    agentStartedLine: string;
    collectorStartedAt: string;
    collectorPodIp: string;
    reportedAgain: Array<{ application: string; agentId: string; transactionId: string; acceptedAt: string; secondsAfterStart: number }>;
  };
  /** The web UI in Chromium (browser.ts): where it went, what the pages showed, the screenshots. */
  browser?: {
    chromium: string;
    url: string;
    loggedInAs: string;
    pages: Array<{ name: string; url: string; screenshot: string; shown: Record<string, unknown> }>;
  };
  /** Alarms as far as they run here: MySQL (played by MariaDB) through its rendered probes, the schema Job, the web wired to MySQL, a rule stored through the web's API; why batch does not run. */
  alarms?: {
    mysql: { rendered: string; playedBy: string; pod: string; probes: string[] };
    schemaJob: { name: string; initContainer: string; completed: boolean; seconds: number };
    /** SHOW TABLES in the pinpoint database after the Job. */
    tables: string[];
    webJdbcUrl: string;
    rule?: {
      ruleId: string;
      applicationId: string;
      serviceType: string;
      checker: string;
      threshold: number;
      userGroupId: string;
      emailSend: boolean;
      memberEmail: string;
      /** The row MySQL holds: rule_id, application_id, service_type, checker_name, threshold, user_group_id, email_send, the member's email. */
      mysqlRow: string[];
      checkersOffered: string[];
    };
    batch: string;
    /** The alarm mail as the cluster's relay received it. */
    mail?: {
      relay: string;
      envelope: { from: string; to: string[] };
      subject: string;
      /** The links in the body, in order: the web, then the application's server map over the checked minutes. */
      links: string[];
      /** The count the checker saw (the body's line). */
      detected: number;
      /** Seconds from the rule's creation to the mail. */
      secondsAfterRule: number;
    };
  };
  /** Every summary line the run printed. */
  lines: string[];
}

export interface ContainerEvidence {
  pod: string;
  container: string;
  restartCount: number;
  events: RuntimeEvent[];
  probes: Array<{ kind: string; handler: string; declared: { initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number; successThreshold?: number }; attempts: Array<Pick<ProbeAttempt, "at" | "ok">> }>;
}

export function containerEvidence(pods: readonly RunningPod[]): ContainerEvidence[] {
  return pods.flatMap((p) =>
    p.containers.map((c) => ({
      pod: p.name,
      container: c.spec.name,
      restartCount: c.restartCount,
      events: c.events,
      probes: c.workers.map((w) => {
        const { initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold, successThreshold } = w.probe;
        return { kind: w.kind, handler: w.handler, declared: { initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold, successThreshold }, attempts: w.attempts.map(({ at, ok }) => ({ at, ok })) };
      }),
    })),
  );
}

/** The coordinates of the dist, collector, hbase, zookeeper and batch modules of the pom. */
export function runArtifacts(v: Versions): Evidence["run"] {
  return {
    agent: { version: v.agent, coordinate: `com.navercorp.pinpoint:pinpoint-agent:${v.agent}:tar.gz` },
    collector: { version: v.collector, coordinate: `com.navercorp.pinpoint:pinpoint-collector:${v.collector}` },
    web: { version: v.web, coordinate: `com.navercorp.pinpoint:pinpoint-web:${v.web}:jar:exec` },
    // No batch jar is served: its alarm path from the web jar's libraries, a rule loop of ours (batchStandIn.ts).
    batch: { version: v.web, coordinate: `com.navercorp.pinpoint:pinpoint-web:${v.web}:jar:exec (BOOT-INF/lib: pinpoint-batch-alarmsender, pinpoint-user, pinpoint-datasource) + org.eclipse.angus:angus-mail:${v.angusMail}` },
    hbase: { version: v.hbase, coordinate: `org.apache.hbase:hbase-server:${v.hbase}` },
    zookeeper: { version: v.zookeeper, coordinate: `org.apache.zookeeper:zookeeper:${v.zookeeper}` },
    tomcat: { version: v.tomcat, coordinate: `org.apache.tomcat:tomcat:${v.tomcat}:tar.gz` },
  };
}

export function writeEvidence(e: Evidence, file = EVIDENCE_FILE): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...e, finishedAt: new Date().toISOString() }, null, 2)}\n`);
  return file;
}
