/**
 * The render's summary: one row per workload, read back from the rendered
 * object itself (its injection record), so the table cannot disagree with the files.
 */
import { describeInjection, isWorkloadKind, Workload } from "../inject";
import type { RenderedObject } from "./objects";

/** Shown when the agent's own pinpoint.config decides where it reports. */
export const COLLECTOR_FROM_AGENT_CONFIG = "(agent config)";
const NONE = "-";
const YES = "yes";
const NO = "no";
const HEADERS = ["WORKLOAD", "INSTRUMENTED", "APPLICATION NAME", "AGENT IMAGE", "COLLECTOR", "FILE"] as const;
/** Columns are separated by at least this many spaces, so a reader can split on the header's offsets. */
const GAP = 3;

export interface WorkloadRow {
  workload: string;
  instrumented: boolean;
  applicationName?: string;
  agentImage?: string;
  collector?: string;
  file: string;
}

export function workloadRows(objects: readonly RenderedObject[]): WorkloadRow[] {
  return objects
    .filter((o) => isWorkloadKind(o.object.kind))
    .map((o) => {
      const meta = o.object.metadata ?? {};
      const workload = `${o.object.kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? o.resource.name}`;
      const summary = describeInjection(o.object as unknown as Workload);
      if (!summary) return { workload, instrumented: false, file: o.file };
      return {
        workload,
        instrumented: true,
        applicationName: summary.applicationName,
        agentImage: summary.image,
        collector: summary.collectorHost ?? COLLECTOR_FROM_AGENT_CONFIG,
        file: o.file,
      };
    });
}

/** A plain-text table: a header, then one line per workload. */
export function formatTable(rows: readonly WorkloadRow[]): string {
  const cells = rows.map((r) => [
    r.workload,
    r.instrumented ? YES : NO,
    r.applicationName ?? NONE,
    r.agentImage ?? NONE,
    r.collector ?? NONE,
    r.file,
  ]);
  const all: string[][] = [[...HEADERS], ...cells];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] + GAP))).join("").trimEnd() + "\n").join("");
}
