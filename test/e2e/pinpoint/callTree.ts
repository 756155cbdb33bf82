/**
 * Reading stored transactions back through the web's HTTP API, as its UI does
 * (web 3.0.1; shapes read from upstream's pinpoint-web and checked against the
 * exec jar's controllers and serializers):
 *
 * - `GET /api/getScatterData?application=…&from=…&to=…` answers
 *   `{scatter: {metadata, dotList}, from, to}`. A dot is `[acceptedTime,
 *   elapsed, metaId, sequence, status, size]`, its acceptedTime in
 *   milliseconds after the answer's `from` (seen in the run, not in the
 *   serializer); `metadata[metaId]` is `[agentId, transactionAgentId,
 *   transactionAgentStartTime]`, and the transaction id is
 *   `transactionAgentId^transactionAgentStartTime^sequence`. A dot whose
 *   metaId is -1 carries that id as a string in place of the sequence.
 * - `GET /api/transactionInfo?traceId=…&focusTimestamp=…&agentId=…` answers the
 *   call tree: `callStackIndex` names the column of each field, `callStack`
 *   holds one row per record (span roots, method calls, their annotations).
 *   The nesting is the `tab` column (`depth` came back empty in every row);
 *   annotation rows (http.param, http.status.code, …) have no application.
 */

export interface ScatterAnswer {
  from: number;
  scatter: { metadata?: Record<string, [string, string, number]>; dotList: Array<[number, number, number, number | string, number, number]> };
}

export interface Dot {
  acceptedTime: number;
  elapsed: number;
  agentId: string;
  transactionId: string;
}

/** The dots of a scatter answer with their transaction ids. */
export function scatterDots(answer: ScatterAnswer): Dot[] {
  const meta = answer.scatter.metadata ?? {};
  return answer.scatter.dotList.map(([offset, elapsed, metaId, sequence]) => {
    const acceptedTime = answer.from + offset;
    if (metaId === -1 || typeof sequence === "string") return { acceptedTime, elapsed, agentId: "", transactionId: String(sequence) };
    const m = meta[String(metaId)];
    if (!m) throw new Error(`scatter dot names metadata ${metaId}, which the answer does not hold`);
    return { acceptedTime, elapsed, agentId: m[0], transactionId: `${m[1]}^${m[2]}^${sequence}` };
  });
}

export interface TransactionInfoAnswer {
  transactionId?: string;
  agentId?: string;
  applicationName?: string;
  callStackIndex: Record<string, number>;
  callStack: unknown[][];
}

/** One row of the call tree, the fields a reader of the UI's call tree sees. */
export interface CallRecord {
  /** Nesting: 0 for a span root. */
  depth: number;
  /** The record's application and agent (a span root starts each agent's part); empty on annotation rows. */
  application: string;
  agent: string;
  /** Method (or span root) title, and its arguments (URL, destination, …). */
  title: string;
  arguments: string;
  /** The class of a method record (HttpURLConnection, StandardHostValve, …). */
  className: string;
  apiType: string;
  isMethod: boolean;
  hasException: boolean;
}

/** The call tree's rows, by the column names the answer gives. */
export function callRecords(info: TransactionInfoAnswer): CallRecord[] {
  const idx = info.callStackIndex;
  for (const k of ["tab", "applicationName", "title", "arguments", "isMethod"]) {
    if (idx[k] === undefined) throw new Error(`transactionInfo's callStackIndex has no ${k}: ${JSON.stringify(idx)}`);
  }
  const col = (row: unknown[], k: string): unknown => (idx[k] === undefined ? undefined : row[idx[k]]);
  return info.callStack.map((row) => ({
    depth: Number(col(row, "tab")),
    application: String(col(row, "applicationName") ?? ""),
    agent: String(col(row, "agentId") ?? col(row, "agent") ?? ""),
    title: String(col(row, "title") ?? ""),
    arguments: String(col(row, "arguments") ?? ""),
    className: String(col(row, "simpleClassName") ?? ""),
    apiType: String(col(row, "apiType") ?? ""),
    isMethod: col(row, "isMethod") === true,
    hasException: col(row, "hasException") === true,
  }));
}

/** A call tree as indented lines, for the printed summary and the evidence file. */
export function formatCallTree(records: readonly CallRecord[], max = 40): string[] {
  const lines = records
    .filter((r) => r.title)
    .map((r) => `${"  ".repeat(Math.max(0, r.depth))}${r.className ? `${r.className}.` : ""}${r.title}${r.arguments ? ` ${r.arguments.slice(0, 80)}` : ""}${r.application ? ` [${r.application}${r.apiType ? `, ${r.apiType}` : ""}]` : ""}`);
  return lines.length > max ? [...lines.slice(0, max), `… ${lines.length - max} more`] : lines;
}
