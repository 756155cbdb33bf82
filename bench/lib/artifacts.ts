/**
 * The released artifacts the bench measures (agent archive, Tomcat) and runs
 * (collector, HBase, web jar for the table list), as the end-to-end tests
 * resolve them from test/e2e/pinpoint/maven/pom.xml, the one place their
 * versions are written: Maven lists their paths in the cache below, one list
 * per Maven module (test/e2e/pinpoint/artifacts.ts writes them).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const CACHE_DIR = path.join(os.homedir(), ".cache", "pulumi-pinpoint-e2e");

type Module = "dist" | "collector" | "hbase";

const listed = (module: Module): string[] | undefined => {
  const file = path.join(CACHE_DIR, `${module}.classpath`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split(":").filter(Boolean) : undefined;
};

/** A Maven module's resolved jars (absolute paths), or undefined when it was never resolved here or a jar is gone. */
export function releasedClasspath(module: Module): string[] | undefined {
  const jars = listed(module);
  return jars?.every((j) => fs.existsSync(j)) ? jars : undefined;
}

/** The resolved file whose name matches, or undefined when the artifacts were never resolved here. */
export function releasedArtifact(name: RegExp): string | undefined {
  return listed("dist")?.find((f) => name.test(path.basename(f)) && fs.existsSync(f));
}

export const AGENT_ARCHIVE = /^pinpoint-agent-.*\.tar\.gz$/;
export const TOMCAT_ARCHIVE = /^tomcat-.*\.tar\.gz$/;
export const WEB_JAR = /^pinpoint-web-.*-exec\.jar$/;
/** What to run when releasedArtifact finds nothing. */
export const RESOLVE_HINT = "run npm run e2e (or the mvn step of .ci/run) first";
