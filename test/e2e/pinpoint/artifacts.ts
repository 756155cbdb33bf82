/**
 * The released artifacts, resolved by Maven from the versions pinned in
 * maven/pom.xml (the only place a version is written). Maven keeps them in
 * ~/.m2; each module's list of absolute paths is cached under
 * ~/.cache/pulumi-pinpoint-e2e, so a second run neither downloads nor starts
 * Maven unless a pom changed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exec } from "../tools";

export const MAVEN_DIR = path.join(__dirname, "maven");
export const CACHE_DIR = path.join(os.homedir(), ".cache", "pulumi-pinpoint-e2e");
const MODULES = ["dist", "collector", "zookeeper", "hbase", "batch"] as const;
type Module = (typeof MODULES)[number];

export interface Versions {
  agent: string;
  web: string;
  collector: string;
  zookeeper: string;
  hbase: string;
  tomcat: string;
  /** Jakarta Mail's provider, for the batch stand-in. */
  angusMail: string;
}

export interface Artifacts {
  versions: Versions;
  agentArchive: string;
  webJar: string;
  tomcatArchive: string;
  /** Class paths (absolute jar paths). */
  collector: string[];
  zookeeper: string[];
  hbase: string[];
  /** Jakarta Mail's provider for the batch stand-in (the web jar has only the API). */
  mailProvider: string[];
}

/** The `<properties>` of the parent pom that name versions. */
export function readVersions(): Versions {
  const pom = fs.readFileSync(path.join(MAVEN_DIR, "pom.xml"), "utf8");
  const prop = (name: string): string => {
    const m = new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]+)</`).exec(pom);
    if (!m) throw new Error(`maven/pom.xml has no <${name}>`);
    return m[1];
  };
  return {
    agent: prop("pinpoint.agent.version"),
    web: prop("pinpoint.web.version"),
    collector: prop("pinpoint.collector.version"),
    zookeeper: prop("zookeeper.version"),
    hbase: prop("hbase.version"),
    tomcat: prop("tomcat.version"),
    angusMail: prop("angus.mail.version"),
  };
}

function classpathFile(module: Module): string {
  return path.join(CACHE_DIR, `${module}.classpath`);
}

function upToDate(): boolean {
  const poms = [path.join(MAVEN_DIR, "pom.xml"), ...MODULES.map((m) => path.join(MAVEN_DIR, m, "pom.xml"))];
  const newestPom = Math.max(...poms.map((p) => fs.statSync(p).mtimeMs));
  return MODULES.every((m) => {
    const f = classpathFile(m);
    return fs.existsSync(f) && fs.statSync(f).mtimeMs >= newestPom && fs.readFileSync(f, "utf8").split(":").every((j) => j && fs.existsSync(j));
  });
}

/** Resolves (downloading on the first run) and returns every artifact. */
export function resolveArtifacts(): Artifacts {
  if (!upToDate()) {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    exec("mvn", ["-B", "-q", "-f", path.join(MAVEN_DIR, "pom.xml"), `-De2e.cache=${CACHE_DIR}`, "dependency:build-classpath"], { cwd: MAVEN_DIR });
    // Maven leaves a list that did not change untouched; mark it checked against the poms.
    const now = new Date();
    for (const m of MODULES) fs.utimesSync(classpathFile(m), now, now);
  }
  const read = (m: Module) => fs.readFileSync(classpathFile(m), "utf8").trim().split(":").filter(Boolean);
  const dist = read("dist");
  const pick = (pattern: RegExp): string => {
    const hit = dist.find((f) => pattern.test(path.basename(f)));
    if (!hit) throw new Error(`Maven resolved no ${pattern} (dist module): ${dist.join(", ")}`);
    return hit;
  };
  const versions = readVersions();
  return {
    versions,
    agentArchive: pick(/^pinpoint-agent-.*\.tar\.gz$/),
    webJar: pick(/^pinpoint-web-.*-exec\.jar$/),
    tomcatArchive: pick(/^tomcat-.*\.tar\.gz$/),
    collector: read("collector"),
    zookeeper: read("zookeeper"),
    hbase: read("hbase"),
    mailProvider: read("batch"),
  };
}
