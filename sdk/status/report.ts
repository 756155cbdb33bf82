/**
 * The coverage report, pure: the workloads expected to report against what the
 * web lists, with the evidence for the silent ones. Gathering (web, cluster) is
 * the caller's; formatting is here so the CLI and a program print the same.
 */
import type { ExpectedWorkload } from "./expected";
import type { Evidence } from "./evidence";
import { silentReasons } from "./evidence";
import type { WebAgent, WebApplication } from "./web";

export type Coverage = "reporting" | "silent" | "not expected";

export interface WorkloadCoverage {
  /** `Deployment dev/tomcat-zffw`. */
  workload: string;
  applicationName: string;
  /** Whether `/api/applications` lists the applicationName, and as which service type. */
  listed: boolean;
  serviceType?: string;
  agents: WebAgent[];
  coverage: Coverage;
  /** For a silent workload: why, most certain first; for the others, notes. */
  reasons: string[];
}

export interface CoverageReport {
  web: string;
  /** When the web was asked (ms since the epoch). */
  checkedAt: number;
  workloads: WorkloadCoverage[];
  reporting: number;
  silent: number;
}

/** What the web answered: its applications, and the agents of each expected one. */
export interface WebView {
  applications: WebApplication[];
  agents: Record<string, WebAgent[]>;
}

const noEvidence = (agentHome: string | undefined) =>
  `no evidence about its pods was given (pinpoint-status --evidence, or --kubectl); look at the agent's log under ${agentHome ?? "the agent's folder"}/logs in a pod`;

export function buildReport(web: string, checkedAt: number, expected: readonly ExpectedWorkload[], view: WebView, evidence?: Evidence): CoverageReport {
  const workloads = expected.map((e): WorkloadCoverage => {
    const id = `${e.namespace}/${e.name}`;
    const app = view.applications.find((a) => a.applicationName === e.applicationName);
    const agents = view.agents[e.applicationName] ?? [];
    // A workload nobody looked at has no evidence, which is not the same as no pods.
    const examined = evidence !== undefined && (evidence.examined === undefined || evidence.examined.includes(id));
    const pods = examined ? evidence!.pods.filter((p) => p.workload === id) : undefined;
    const base = { workload: `${e.kind} ${id}`, applicationName: e.applicationName, listed: app !== undefined, serviceType: app?.serviceType, agents };
    if (e.scaledToZero) return { ...base, coverage: "not expected", reasons: ["scaled to 0 replicas"] };
    const variables = [...new Set(e.containers.map((c) => c.optionsVariable))];
    // With the agentId taken from the pod IP, an agent of a pod that is gone does not count.
    const runningIps = new Set((pods ?? []).filter((p) => p.phase === "Running" && p.ip).map((p) => p.ip!));
    const current = agents.filter((a) => a.state === undefined || a.state === "RUNNING");
    const ours = e.agentIdSource === "podIP" && runningIps.size > 0 ? current.filter((a) => runningIps.has(a.agentId.replace(/-\d+$/, ""))) : current;
    if (ours.length > 0) return { ...base, coverage: "reporting", reasons: [] };
    const reasons = pods ? silentReasons(pods, variables) : [];
    if (!app) reasons.push(`the web lists no application ${e.applicationName}`);
    else if (agents.length === 0) reasons.push(`the web lists ${e.applicationName} but no agent of it in the window`);
    else if (current.length === 0) reasons.push(`its agents are not running: ${agents.map((a) => `${a.agentId} ${a.state ?? "?"}`).join(", ")}`);
    else reasons.push(`no running agent has the IP of a running pod (${[...runningIps].join(", ")}): the agents listed (${current.map((a) => a.agentId).join(", ")}) are of other pods`);
    if (!pods) reasons.push(noEvidence(e.agentHome));
    return { ...base, coverage: "silent", reasons };
  });
  return {
    web,
    checkedAt,
    workloads,
    reporting: workloads.filter((w) => w.coverage === "reporting").length,
    silent: workloads.filter((w) => w.coverage === "silent").length,
  };
}

/** Exit status: 1 when a workload expected to report is silent. */
export function exitCodeOf(report: CoverageReport): number {
  return report.silent > 0 ? 1 : 0;
}

function time(ms: number | undefined): string {
  return ms === undefined ? "?" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/** The report as text: a summary line, then one block per workload. */
export function formatReport(r: CoverageReport): string {
  const expected = r.workloads.filter((w) => w.coverage !== "not expected").length;
  const lines = [`${r.reporting} of ${expected} instrumented workloads report to ${r.web} (checked ${time(r.checkedAt)})`];
  for (const w of r.workloads) {
    const mark = w.coverage === "reporting" ? "reporting" : w.coverage === "silent" ? "SILENT" : "not expected";
    lines.push(`${mark.padEnd(12)} ${w.workload}  applicationName ${w.applicationName}${w.listed ? ` (${w.serviceType})` : " (not listed)"}`);
    for (const a of w.agents) {
      lines.push(`             agent ${a.agentId}${a.agentName ? ` (${a.agentName})` : ""} ${a.agentVersion ?? "?"}, started ${time(a.startTimestamp)}, ${a.state ?? "state unknown"} since ${time(a.stateTimestamp)}`);
    }
    for (const reason of w.reasons) lines.push(`             why: ${reason}`);
  }
  return `${lines.join("\n")}\n`;
}
