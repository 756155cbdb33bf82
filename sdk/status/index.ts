/**
 * pinpoint-status: which instrumented workloads really report to the Pinpoint
 * web. Expected workloads come from the objects (expected.ts), the web's view
 * from its API (web.ts), the verdict and its reasons from report.ts.
 */
import { expectedWorkloads } from "./expected";
import type { Evidence } from "./evidence";
import { kubectlEvidence, KubectlRunner } from "./kubectl";
import { buildReport, CoverageReport, WebView } from "./report";
import { PinpointWebClient, WebClientOptions, WebAgent } from "./web";

export { expectedWorkloads, objectsOfStackExport } from "./expected";
export type { ExpectedWorkload } from "./expected";
export { silentReasons, COLLECTOR_UNREACHABLE, ID_REJECTION } from "./evidence";
export { kubectlEvidence, spawnKubectl, LOG_TAIL_LINES } from "./kubectl";
export type { KubectlRunner } from "./kubectl";
export type { Evidence, PodEvidence } from "./evidence";
export { buildReport, exitCodeOf, formatReport } from "./report";
export type { CoverageReport, WorkloadCoverage, WebView } from "./report";
export { findStatusOutputs, webUrlOf, STATUS_OUTPUTS_SCHEMA } from "./outputs";
export type { StatusOutputs } from "./outputs";
export { PinpointWebClient, WebError, fetchTransport } from "./web";
export type { Transport, HttpRequest, HttpResponse, WebAgent, WebApplication, WebClientOptions } from "./web";

/** How far back the web is asked for agents: Pinpoint's UI default window. */
export const DEFAULT_WINDOW_MS = 20 * 60 * 1000;

export interface CoverageOptions extends WebClientOptions {
  /** The Kubernetes objects: render output, `kubectl get -o yaml`, a stack export's. */
  objects: readonly unknown[];
  evidence?: Evidence;
  /** Gather the evidence with kubectl (this runner), when none is given. */
  kubectl?: { run?: KubectlRunner; context?: string };
  windowMs?: number;
  now?: () => number;
}

/** Asks the web about every instrumented workload among the objects and builds the report. */
export async function coverageReport(o: CoverageOptions): Promise<CoverageReport> {
  const expected = expectedWorkloads(o.objects);
  const client = new PinpointWebClient(o);
  const to = (o.now ?? Date.now)();
  const applications = await client.applications();
  const agents: Record<string, WebAgent[]> = {};
  for (const name of new Set(expected.map((e) => e.applicationName))) {
    // An application the web does not list has no agents to ask for.
    agents[name] = applications.some((a) => a.applicationName === name) ? await client.agents(name, to - (o.windowMs ?? DEFAULT_WINDOW_MS), to) : [];
  }
  const view: WebView = { applications, agents };
  const evidence = o.evidence ?? (o.kubectl ? kubectlEvidence(expected.filter((e) => !e.scaledToZero), o.kubectl.run, o.kubectl.context) : undefined);
  return buildReport(o.url, to, expected, view, evidence);
}
