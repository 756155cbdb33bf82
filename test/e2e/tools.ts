/**
 * The real tools the end-to-end test drives, and how to run them. In CI
 * (`CI=true`) a missing tool fails the test; elsewhere the test skips and says
 * which Debian package to install.
 */
import { spawnSync, SpawnSyncOptions } from "child_process";

export interface Tool {
  command: string;
  /** The Debian package that provides it (what .ci/run installs). */
  debianPackage: string;
}

export const E2E_TOOLS: readonly Tool[] = [
  { command: "buildah", debianPackage: "buildah" },
  { command: "docker-registry", debianPackage: "docker-registry" },
  { command: "java", debianPackage: "openjdk-17-jdk-headless" },
  { command: "javac", debianPackage: "openjdk-17-jdk-headless" },
  { command: "jar", debianPackage: "openjdk-17-jdk-headless" },
  { command: "tar", debianPackage: "tar" },
  { command: "unshare", debianPackage: "util-linux" },
  { command: "setpriv", debianPackage: "util-linux" },
  { command: "mount", debianPackage: "mount" },
  { command: "chroot", debianPackage: "coreutils" },
];
/** A static busybox: the base image has no libc. */
export const BUSYBOX = { path: "/bin/busybox", debianPackage: "busybox-static" };

export function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function isStatic(binary: string): boolean {
  // ldd exits non-zero for "not a dynamic executable"; a missing file fails the same way, so check it first.
  return spawnSync("test", ["-x", binary]).status === 0 && spawnSync("ldd", [binary], { stdio: "ignore" }).status !== 0;
}

/** What is missing to run the test, as human-readable problems naming the package; empty when all is there. */
export function missingPrerequisites(): string[] {
  const problems: string[] = [];
  const packages = new Set<string>();
  for (const t of E2E_TOOLS) {
    if (!onPath(t.command)) {
      problems.push(`${t.command} (Debian package ${t.debianPackage})`);
      packages.add(t.debianPackage);
    }
  }
  if (!isStatic(BUSYBOX.path)) {
    problems.push(`a static ${BUSYBOX.path} (Debian package ${BUSYBOX.debianPackage})`);
    packages.add(BUSYBOX.debianPackage);
  }
  if (process.getuid?.() !== 0) problems.push("root: buildah with the vfs driver and the bind mounts of the emptyDir need it");
  if (packages.size > 0) problems.push(`install with: apt-get install ${[...packages].join(" ")}`);
  return problems;
}

/** Runs a command to completion; throws with its output when it fails. */
export function exec(command: string, args: readonly string[], options: SpawnSyncOptions = {}): { stdout: string; stderr: string } {
  const r = spawnSync(command, args as string[], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw new Error(`${command} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${r.status ?? r.signal}:\n${String(r.stdout ?? "")}\n${String(r.stderr ?? "")}`);
  }
  return { stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** exec, returning stdout. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  return exec(command, args, options).stdout;
}
