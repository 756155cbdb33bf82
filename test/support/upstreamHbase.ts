/**
 * Upstream's hbase-create.hbase as our fact table records it
 * (test/fixtures/server/upstream-hbase-create.facts.yaml), and create statements
 * written in the HBase shell syntax that script uses: the unit test of the start
 * script's sed and the end to end's pinpoint-hbase stand-in both feed it these.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

export interface UpstreamTable {
  /** Family → TTL in seconds; undefined: the statement gives none (HBase keeps forever). */
  families: Record<string, number | undefined>;
  versions?: number;
  /** Explicit keys: salt byte first, first+step, … each followed by 15 zero bytes. */
  splits?: { count: number; first: number; step: number };
  /** UniformSplit regions. */
  numRegions?: number;
}

export const UPSTREAM_FACTS_FILE = path.join(__dirname, "..", "fixtures", "server", "upstream-hbase-create.facts.yaml");

export function upstreamTables(): Record<string, UpstreamTable> {
  return (parseYaml(fs.readFileSync(UPSTREAM_FACTS_FILE, "utf8")) as { tables: Record<string, UpstreamTable> }).tables;
}

/** One create statement in the HBase shell syntax upstream's script uses. */
export function upstreamCreate(name: string, t: UpstreamTable): string {
  const fams = Object.entries(t.families).map(
    ([f, ttl]) => `{ NAME => '${f}', ${ttl !== undefined ? `TTL => ${ttl}, ` : ""}${t.versions ? `VERSIONS => ${t.versions}, ` : ""}DATA_BLOCK_ENCODING => 'PREFIX' }`,
  );
  const key = (b: number) => `"\\x${b.toString(16).padStart(2, "0")}${"\\x00".repeat(15)}"`;
  const split = t.splits
    ? `, {SPLITS=>[${Array.from({ length: t.splits.count }, (_, i) => key(t.splits!.first + i * t.splits!.step)).join(",")}]}`
    : t.numRegions
      ? `, {NUMREGIONS => ${t.numRegions}, SPLITALGO => 'UniformSplit'}`
      : "";
  return `create '${name}', ${fams.join(", ")}${split}`;
}

/** The regions upstream's statement asks for: its split keys + 1, or NUMREGIONS, or one. */
export function upstreamRegions(t: UpstreamTable | undefined): number {
  return t?.numRegions ?? (t?.splits ? t.splits.count + 1 : 1);
}
