/**
 * The released artifacts the bench measures (agent archive, Tomcat), as the
 * end-to-end tests resolve them from test/e2e/pinpoint/maven/pom.xml, the one
 * place their versions are written: Maven lists their paths in the cache below.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const DIST_CLASSPATH = path.join(os.homedir(), ".cache", "pulumi-pinpoint-e2e", "dist.classpath");

/** The resolved file whose name matches, or undefined when the artifacts were never resolved here. */
export function releasedArtifact(name: RegExp): string | undefined {
  if (!fs.existsSync(DIST_CLASSPATH)) return undefined;
  return fs
    .readFileSync(DIST_CLASSPATH, "utf8")
    .trim()
    .split(":")
    .find((f) => name.test(path.basename(f)) && fs.existsSync(f));
}

export const AGENT_ARCHIVE = /^pinpoint-agent-.*\.tar\.gz$/;
export const TOMCAT_ARCHIVE = /^tomcat-.*\.tar\.gz$/;
/** What to run when releasedArtifact finds nothing. */
export const RESOLVE_HINT = "run npm run e2e (or the mvn step of .ci/run) first";
