/**
 * The render's summary: one row per workload, read back from the rendered
 * object itself (its injection record), so the table cannot disagree with the
 * files; why a workload was left alone comes from the transforms' own reasons.
 * Components the render cannot expand (Helm charts) get a row too.
 */
import { describeInjection, isWorkloadKind, Workload } from "../inject";
import type { InjectionReport } from "../injectionReport";
import type { RegisteredResource } from "./mockEngine";
import type { RenderedObject } from "./objects";

/** Shown when the agent's own pinpoint.config decides where it reports. */
export const COLLECTOR_FROM_AGENT_CONFIG = "(agent config)";
/** The INSTRUMENTED cell of a component whose objects were not rendered. */
export const NOT_RENDERED = "not rendered";
/** Pulumi types whose children the render cannot produce offline: Helm runs only in the provider. */
export const HELM_CHART_TYPES = ["kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];
export const HELM_NOT_RENDERED = "Helm chart: the render does not run Helm";
/** A workload no transform saw, with a PinpointApm whose instrumentation is off. */
export const INSTRUMENTATION_OFF = "instrumentation is off (enabled: false)";
/** A workload no transform saw, and no PinpointApm said it was off. */
export const NO_TRANSFORM = "no Pinpoint transform registered before it";
/** The tables a terminal shows without wrapping. */
export const MAX_WIDTH = 120;
/** Hex digits of a sha256 digest kept in the table; the files have the whole reference. */
const DIGEST_SHOWN = 12;
const DIGEST = /@sha256:([0-9a-f]{64})/;
const ELLIPSIS = "…";
const NONE = "-";
const YES = "yes";
const NO = "no";
const HEADERS = ["WORKLOAD", "INSTRUMENTED", "APPLICATION NAME", "WHY"] as const;
/** Columns are separated by at least this many spaces, so a reader can split on the header's offsets. */
const GAP = 3;
/** WHY gets at least this many columns before the others are cut. */
const WHY_MIN = 32;
/** No column is cut below this (the header's own width wins when wider). */
const MIN_COLUMN = 12;

export interface WorkloadRow {
  /** `<Kind> <namespace>/<name>`. */
  workload: string;
  /** undefined: not rendered (a Helm chart's workloads). */
  instrumented: boolean | undefined;
  applicationName?: string;
  agentImage?: string;
  collector?: string;
  /** Why it is or is not instrumented: the containers instrumented, or the reason it was left alone. */
  why: string;
  /** The rendered file; undefined when not rendered. */
  file?: string;
}

/** The rows: every rendered workload, then every component the render could not expand. */
export function workloadRows(objects: readonly RenderedObject[], report: InjectionReport, resources: readonly RegisteredResource[] = []): WorkloadRow[] {
  const reasons = new Map<string, string[]>();
  for (const d of report.decisions) {
    const key = `${d.type}::${d.name}`;
    const list = reasons.get(key) ?? [];
    if (!list.includes(d.reason)) list.push(d.reason);
    reasons.set(key, list);
  }
  const imageNotes = new Map<string, string[]>();
  for (const n of report.imageNotes ?? []) imageNotes.set(`${n.type}::${n.name}`, [...(imageNotes.get(`${n.type}::${n.name}`) ?? []), n.reason]);
  const rows: WorkloadRow[] = objects
    .filter((o) => isWorkloadKind(o.object.kind))
    .map((o) => {
      const meta = o.object.metadata ?? {};
      const workload = `${o.object.kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? o.resource.name}`;
      const summary = describeInjection(o.object as unknown as Workload);
      if (!summary) {
        const why = reasons.get(`${o.resource.type}::${o.resource.name}`)?.join("; ") ?? (report.off.length > 0 ? INSTRUMENTATION_OFF : NO_TRANSFORM);
        return { workload, instrumented: false, why, file: o.file };
      }
      return {
        workload,
        instrumented: true,
        applicationName: summary.applicationName,
        agentImage: summary.image,
        collector: summary.collectorHost ?? COLLECTOR_FROM_AGENT_CONFIG,
        why: [`containers ${summary.containers.join(",")}`, ...(imageNotes.get(`${o.resource.type}::${o.resource.name}`) ?? [])].join("; "),
        file: o.file,
      };
    });
  for (const r of resources.filter((x) => HELM_CHART_TYPES.includes(x.type))) {
    const namespace = typeof r.inputs.namespace === "string" ? `${r.inputs.namespace}/` : "";
    rows.push({ workload: `Chart ${namespace}${r.name}`, instrumented: undefined, why: HELM_NOT_RENDERED });
  }
  return rows;
}

/** `…@sha256:0123456789ab…`: enough to tell digests apart at a glance. */
export function shortenDigest(reference: string): string {
  return reference.replace(DIGEST, (_, hex: string) => `@sha256:${hex.slice(0, DIGEST_SHOWN)}${ELLIPSIS}`);
}

/** Cuts the middle out of a cell to fit a width. */
function fit(cell: string, width: number): string {
  if (cell.length <= width) return cell;
  const head = Math.ceil((width - 1) / 2);
  return `${cell.slice(0, head)}${ELLIPSIS}${cell.slice(cell.length - (width - 1 - head))}`;
}

/** Words of a cell on lines of at most `width` (a longer word is cut). */
function wrap(cell: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of cell.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => fit(l, width));
}

/**
 * A plain-text table, at most MAX_WIDTH columns: a header, one line per
 * workload (a long WHY goes on under itself), then the agent image and
 * collector the instrumented ones use (one line each when all share them,
 * else one per value with its workloads).
 */
export function formatTable(rows: readonly WorkloadRow[]): string {
  const cells = rows.map((r) => [
    r.workload,
    r.instrumented === undefined ? NOT_RENDERED : r.instrumented ? YES : NO,
    r.applicationName ?? NONE,
    r.why,
  ]);
  const all: string[][] = [[...HEADERS], ...cells];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const why = HEADERS.length - 1;
  const others = () => widths.slice(0, why).reduce((a, w) => a + w + GAP, 0);
  // Narrow the widest other column while WHY would get less than WHY_MIN; WHY itself wraps.
  while (MAX_WIDTH - others() < WHY_MIN) {
    const widest = widths.indexOf(Math.max(...widths.slice(0, why)));
    const floor = Math.max(MIN_COLUMN, HEADERS[widest].length);
    if (widths[widest] <= floor) break;
    widths[widest] = Math.max(floor, widths[widest] - (WHY_MIN - (MAX_WIDTH - others())));
  }
  widths[why] = Math.min(widths[why], MAX_WIDTH - others());
  const lines: string[] = [];
  for (const row of all) {
    const [first, ...rest] = wrap(row[why], widths[why]);
    lines.push((row.slice(0, why).map((c, i) => fit(c, widths[i]).padEnd(widths[i] + GAP)).join("") + first).trimEnd());
    for (const more of rest) lines.push(" ".repeat(others()) + more);
  }
  lines.push(...legend("agent image", rows, (r) => r.agentImage), ...legend("collector", rows, (r) => r.collector));
  return lines.map((l) => `${fit(l, MAX_WIDTH)}\n`).join("");
}

/** `agent image: <ref>` for the instrumented rows, grouped by value. */
function legend(label: string, rows: readonly WorkloadRow[], value: (r: WorkloadRow) => string | undefined): string[] {
  const groups = new Map<string, string[]>();
  for (const r of rows.filter((x) => x.instrumented)) {
    const v = shortenDigest(value(r) ?? NONE);
    groups.set(v, [...(groups.get(v) ?? []), r.workload]);
  }
  if (groups.size <= 1) return [...groups.keys()].map((v) => `${label}: ${v}`);
  return [...groups].map(([v, workloads]) => `${label}: ${v} (${workloads.join(", ")})`);
}
