/**
 * A stand-in for HBase's `bin/hbase shell` and `bin/hbase-daemon.sh`, enough
 * for the start script's table logic: tables and their families' TTLs live
 * in a JSON file; `exists`, `describe`, `create` and `alter` read and change
 * it, printing what the real shell prints for them; every script file run is
 * logged. The daemons are `sleep` processes with pid files, as HBase's are.
 */
import * as fs from "fs";
import * as path from "path";

/** table → family → TTL seconds (undefined: FOREVER). */
export type Tables = Record<string, Record<string, number | undefined>>;

const SHELL = String.raw`#!/usr/bin/env node
const fs = require("fs");
const state = process.env.FAKE_HBASE_STATE;
const log = process.env.FAKE_HBASE_LOG;
const tables = JSON.parse(fs.readFileSync(state, "utf8"));
const args = process.argv.slice(2);
if (args[0] !== "shell") process.exit(2);
const file = args[1];
const text = file ? fs.readFileSync(file, "utf8") : fs.readFileSync(0, "utf8");
if (file) fs.appendFileSync(log, "--- " + file + "\n" + text);
const families = (line) => [...line.matchAll(/NAME\s*=>\s*'([^']+)'\s*,\s*TTL\s*=>\s*(\d+)/g)].map((m) => [m[1], Number(m[2])]);
for (const line of text.split("\n")) {
  let m;
  if ((m = /^\s*exists\s+'([^']+)'/.exec(line))) {
    console.log("Table " + m[1] + (tables[m[1]] ? " does exist" : " does not exist"));
  } else if ((m = /^\s*describe\s+'([^']+)'/.exec(line))) {
    if (!tables[m[1]]) { console.log("ERROR: Unknown table " + m[1] + "!"); continue; }
    console.log("Table " + m[1] + " is ENABLED\n" + m[1] + "\nCOLUMN FAMILIES DESCRIPTION");
    for (const [f, ttl] of Object.entries(tables[m[1]])) {
      const t = ttl === undefined || ttl === null ? "'FOREVER'" : "'" + ttl + " SECONDS (" + Math.round(ttl / 86400) + " DAYS)'";
      console.log("{NAME => '" + f + "', BLOOMFILTER => 'ROW', VERSIONS => '1', TTL => " + t + ", MIN_VERSIONS => '0'}");
    }
  } else if ((m = /^\s*create\s+'([^']+)'/.exec(line))) {
    if (tables[m[1]]) { console.log("ERROR: Table already exists: " + m[1] + "!"); continue; }
    tables[m[1]] = Object.fromEntries(families(line));
  } else if ((m = /^\s*alter\s+'([^']+)'/.exec(line))) {
    for (const [f, ttl] of families(line)) tables[m[1]][f] = ttl;
  }
}
fs.writeFileSync(state, JSON.stringify(tables));
`;

const DAEMON = String.raw`#!/bin/bash
# hbase-daemon.sh start|stop <daemon>, pid file as HBase names it.
pidfile="$HBASE_PID_DIR/hbase-$HBASE_IDENT_STRING-$2.pid"
if [ "$1" = start ]; then sleep 600 & echo $! > "$pidfile"; else kill "$(cat "$pidfile")" 2>/dev/null; fi
`;

/** Writes HBASE_HOME with the fake commands; returns the env the start script needs. */
export function fakeHbaseHome(dir: string, tables: Tables): { env: Record<string, string>; state: string; log: string } {
  const home = path.join(dir, "hbase");
  fs.mkdirSync(path.join(home, "bin"), { recursive: true });
  fs.mkdirSync(path.join(home, "conf"), { recursive: true });
  fs.mkdirSync(path.join(home, "logs"), { recursive: true });
  fs.writeFileSync(path.join(home, "bin", "hbase"), SHELL, { mode: 0o755 });
  fs.writeFileSync(path.join(home, "bin", "hbase-daemon.sh"), DAEMON, { mode: 0o755 });
  const state = path.join(dir, "tables.json");
  const log = path.join(dir, "shell.log");
  fs.writeFileSync(state, JSON.stringify(tables));
  fs.writeFileSync(log, "");
  return { env: { HBASE_HOME: home, FAKE_HBASE_STATE: state, FAKE_HBASE_LOG: log, HOSTNAME: "hbase-0" }, state, log };
}
