/** The rows every part returns, and the table they are printed as. */
import { fmtRatio } from "./stats";

export type Verdict = "PASS" | "MISS" | "info";

export interface Row {
  figure: string;
  value: string;
  baseline: string;
  /** Wall-time (or memory) ratio, value / baseline: median of the side-by-side pairs. */
  ratio?: number;
  /** The same on CPU time (user + system); the verdict uses it where it is set. */
  cpuRatio?: number;
  target: string;
  verdict: Verdict;
  /** A configuration to rerun under --cpu-prof when this row misses. */
  profile?: { script: string; args: string[]; stdoutFile?: string };
}

export interface PartResult {
  title: string;
  rows: Row[];
  /** How the part measured and checked, and what limits it: printed under the table. */
  notes: string[];
}

export function verdictOf(pass: boolean): Verdict {
  return pass ? "PASS" : "MISS";
}

const HEADERS = ["figure", "value", "floor / baseline", "ratio (wall)", "ratio (CPU)", "target", "result"];

function cells(r: Row): string[] {
  return [r.figure, r.value, r.baseline, r.ratio === undefined ? "–" : fmtRatio(r.ratio), r.cpuRatio === undefined ? "–" : fmtRatio(r.cpuRatio), r.target, r.verdict];
}

/** A fixed-width table for the terminal. */
export function textTable(parts: readonly PartResult[]): string {
  const rows: string[][] = [];
  for (const p of parts) for (const r of p.rows) rows.push(cells(r));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd();
  const out = [line(HEADERS), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const p of parts) {
    out.push(`[${p.title}]`);
    for (const r of p.rows) out.push(line(cells(r)));
  }
  return out.join("\n");
}

export function markdownTable(parts: readonly PartResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const out = [`| ${HEADERS.join(" | ")} |`, `|${HEADERS.map(() => "---").join("|")}|`];
  for (const p of parts) {
    out.push(`| **${esc(p.title)}** |${" |".repeat(HEADERS.length - 1)}`);
    for (const r of p.rows) out.push(`| ${cells(r).map(esc).join(" | ")} |`);
  }
  return out.join("\n");
}
