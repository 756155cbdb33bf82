/**
 * How long HBase keeps what the agents send: a TTL per table, in three classes
 * a user can reason about. Upstream's hbase-create.hbase keeps traces 60 days
 * and agent info a year, sized for production; a dev cluster's 20Gi volume
 * wants days. The TTLs are written into the create statements of new tables
 * and, when they change, altered on existing tables by the HBase start script.
 */
import * as pulumi from "@pulumi/pulumi";
import { argOr, ConfigError, ConfigReader, declareConfigKeys } from "../config";

export type RetentionClass = "traces" | "agentInfo" | "metadata";

/** Seconds per class. */
export type Retention = Record<RetentionClass, number>;

/** Dev-sized: traces as Pinpoint's Helm chart keeps them; lists and metadata a month. */
export const DEFAULT_RETENTION = { traces: "7d", agentInfo: "30d", metadata: "30d" } as const;

/** The config key of each class. */
export const RETENTION_KEYS: Readonly<Record<RetentionClass, string>> = {
  traces: "traceRetention",
  agentInfo: "agentInfoRetention",
  metadata: "metadataRetention",
};

/**
 * Tables by class, as upstream's hbase-create.hbase names them (2.5.4 to 3.1.0).
 * Every table not named here holds time series (traces, their indexes, call
 * statistics, agent stats and events) and takes the traces TTL.
 */
export const RETENTION_TABLES: Readonly<Record<Exclude<RetentionClass, "traces">, readonly string[]>> = {
  agentInfo: ["AgentInfo", "ApplicationIndex", "Application", "AgentId"],
  metadata: ["StringMetaData", "ApiMetaData", "SqlMetaData_Ver2", "SqlUidMetaData"],
};

declareConfigKeys({
  traceRetention: `duration such as 7d, 36h or 3600s, default ${DEFAULT_RETENTION.traces}: how long HBase keeps traces, their indexes, call statistics, agent stats and events`,
  agentInfoRetention: `duration, default ${DEFAULT_RETENTION.agentInfo}: how long HBase keeps the agent and application lists (an agent reports its info at start, so keep it longer than pods live)`,
  metadataRetention: `duration, default ${DEFAULT_RETENTION.metadata}: how long HBase keeps the SQL, API and string metadata agents send once at start (traces older than this show ids instead of names)`,
});

export interface RetentionArgs {
  traceRetention?: pulumi.Input<string>;
  agentInfoRetention?: pulumi.Input<string>;
  metadataRetention?: pulumi.Input<string>;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(\d+)([smhd])$/;
/** HBase refuses a TTL under a second and treats Integer.MAX_VALUE as forever: keep to real, bounded values. */
const MAX_SECONDS = 10 * 365 * 86400;

/** `7d` → 604800; a clear error naming the key otherwise. */
export function parseDuration(value: string, key: string): number {
  const m = DURATION.exec(value.trim());
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2]] : NaN;
  if (!m || seconds < 60 || seconds > MAX_SECONDS) {
    throw new ConfigError(key, `is "${value}", not a duration from 1m to 3650d`, "write a whole number with a unit: 7d, 36h, 90m or 3600s");
  }
  return seconds;
}

export function resolveRetention(args: RetentionArgs, c: ConfigReader): Retention {
  const out = {} as Retention;
  for (const cls of Object.keys(RETENTION_KEYS) as RetentionClass[]) {
    const key = RETENTION_KEYS[cls];
    const v = argOr(args[key as keyof RetentionArgs], c.string(key));
    if (pulumi.Output.isInstance(v) || v instanceof Promise) throw new ConfigError(key, "must be known at preview", "pass a plain string, not an Output");
    out[cls] = parseDuration(v === undefined || v.trim() === "" ? DEFAULT_RETENTION[cls] : v, key);
  }
  return out;
}

/**
 * The file the HBase start script reads: `<table> <seconds>` per named table,
 * then `* <seconds>` for every other table.
 */
export function retentionFile(r: Retention): string {
  const lines: string[] = [];
  for (const [cls, tables] of Object.entries(RETENTION_TABLES) as [RetentionClass, readonly string[]][]) {
    for (const t of tables) lines.push(`${t} ${r[cls]}`);
  }
  lines.push(`* ${r.traces}`);
  return `${lines.join("\n")}\n`;
}
