/**
 * The rendered pinpoint-batch env held against what upstream's batch reads
 * (test/fixtures/server/upstream-batch.facts.yaml): every key of the release
 * is set under the env name Spring's relaxed binding gives it, to the value
 * the settings ask for, and nothing else is set that the batch does not read.
 * Batch itself cannot run here (no runnable jar on Maven Central), so this is
 * as far as its objects are checked.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnvVar } from "kubernetes-types/core/v1";
import { parse as parseYaml } from "yaml";
import { MYSQL_DATABASE, MYSQL_USER, PORTS, SECRET_KEYS, SPRING_PROFILE } from "../../sdk/server/constants";

export const BATCH_FACTS_FILE = path.join(__dirname, "..", "fixtures", "server", "upstream-batch.facts.yaml");

/** Why the end to end runs no batch (evidence.json's alarms.batch). */
/** What of batch runs in the end to end, and what does not (no runnable pinpoint-batch is on Maven Central). */
export const BATCH_STAND_IN =
  "stand-in: Maven Central, as these machines reach it, serves no runnable pinpoint-batch (3.0.1, 3.1.0, 2.5.1, 2.5.4 tried); the rendered batch Deployment runs upstream's alarm sender, user groups, datasource and alarm DAOs from the web 3.0.1 jar under Spring Boot with the rendered env (test/e2e/pinpoint/java/BatchAlarmStandIn.java), with our own rule loop (every 10 s, not batch's 3 min) and TOTAL COUNT checker over the web's response histogram; other checkers, alarm history and SMS/webhook are not run";

export type Gives =
  | "mysqlUrl"
  | "mysqlUser"
  | "mysqlPassword"
  | "profile"
  | "zookeeper"
  | "zookeeperPort"
  | "webUrl"
  | "webhook"
  | "mailHost"
  | "mailPort"
  | "mailFrom"
  | "mailAuth"
  | "mailStartTls"
  | "mailUser"
  | "mailPassword"
  | "smtp"
  | "false";

export interface BatchFact {
  key: string;
  gives: Gives;
  source: string;
}

/** Env the batch container carries that is no batch property: the JVM's own options. */
const NOT_PROPERTIES = ["JAVA_TOOL_OPTIONS"];

/** What the render was asked for: the values the facts' `gives` stand for. */
export interface BatchExpectation {
  mysqlHost: string;
  zookeeper: string;
  webUrl: string;
  webhook: boolean;
  mail?: { host: string; port: number; from: string; startTls: boolean; username?: string };
}

export function batchFacts(version: string): BatchFact[] {
  const releases = (parseYaml(fs.readFileSync(BATCH_FACTS_FILE, "utf8")) as { releases: Record<string, BatchFact[]> }).releases;
  const facts = releases[version];
  if (!facts) throw new Error(`${path.basename(BATCH_FACTS_FILE)} has no release ${version} (it has ${Object.keys(releases).join(", ")})`);
  return facts;
}

/** The env name Spring Boot binds to a property key: upper case, dots to underscores, dashes dropped. */
export function relaxedEnvName(key: string): string {
  return key.replace(/-/g, "").replace(/\./g, "_").toUpperCase();
}

function expectedValue(gives: Gives, want: BatchExpectation): string | RegExp | undefined {
  const m = want.mail;
  switch (gives) {
    case "mysqlUrl":
      return new RegExp(`^jdbc:mysql://${want.mysqlHost.replace(/\./g, "\\.")}:${PORTS.mysql}/${MYSQL_DATABASE}(\\?|$)`);
    case "mysqlUser":
      return MYSQL_USER;
    case "mysqlPassword":
      return undefined;
    case "profile":
      return SPRING_PROFILE;
    case "zookeeper":
      return want.zookeeper;
    case "zookeeperPort":
      return String(PORTS.zookeeper);
    case "webUrl":
      return want.webUrl;
    case "webhook":
      return String(want.webhook);
    case "mailHost":
      return m?.host;
    case "mailPort":
      return m && String(m.port);
    case "mailFrom":
      return m?.from;
    case "mailAuth":
      return m && String(m.username !== undefined);
    case "mailStartTls":
      return m && String(m.startTls);
    case "mailUser":
      return m?.username;
    case "mailPassword":
      return undefined;
    case "smtp":
    case "false":
      return gives;
  }
}

/** What differs between the rendered batch env and the release's facts; empty when they agree. */
export function batchFactProblems(version: string, env: readonly EnvVar[], want: BatchExpectation): string[] {
  const problems: string[] = [];
  const byName = new Map(env.map((e) => [e.name, e]));
  const facts = batchFacts(version);
  for (const f of facts) {
    const name = relaxedEnvName(f.key);
    const e = byName.get(name);
    // Mail keys only with mail (the literals are all 2.5's mail keys), the SMTP login only with a user.
    const mail = f.gives.startsWith("mail") || f.gives === "smtp" || f.gives === "false";
    const login = f.gives === "mailUser" || f.gives === "mailPassword";
    if ((mail && !want.mail) || (login && want.mail?.username === undefined)) {
      if (e) problems.push(`${f.key} (${name}) is set, and ${mail && !want.mail ? "no mail" : "no SMTP user"} was asked for`);
      continue;
    }
    if (!e) {
      problems.push(`${f.key} (${name}) is not set`);
      continue;
    }
    const secret = f.gives === "mysqlPassword" ? SECRET_KEYS.mysqlPassword : f.gives === "mailPassword" ? SECRET_KEYS.mailPassword : undefined;
    if (secret) {
      if (e.valueFrom?.secretKeyRef?.key !== secret) problems.push(`${f.key} (${name}) does not come from the Secret's ${secret}`);
      continue;
    }
    const wanted = expectedValue(f.gives, want);
    const ok = wanted instanceof RegExp ? wanted.test(e.value ?? "") : e.value === wanted;
    if (!ok) problems.push(`${f.key} (${name}) is ${JSON.stringify(e.value)}, want ${wanted}`);
  }
  // Variables no fact names: the batch would not read them.
  const known = new Set([...facts.map((f) => relaxedEnvName(f.key)), ...NOT_PROPERTIES]);
  for (const e of env) if (!known.has(e.name)) problems.push(`${e.name} is set, and no batch ${version} property key binds it`);
  return problems;
}
