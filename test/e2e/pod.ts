/**
 * Runs the containers of an instrumented pod without a kubelet: the init
 * container chrooted into the pulled image's root file system, read-only, as
 * the uid its securityContext names, with a scratch folder as the emptyDir;
 * then the app's JVM on this machine as another non-root uid, with the same
 * folder at the mount path and the env resolved the way Kubernetes resolves it.
 * Each runs in a mount namespace of its own, so no mount outlives it.
 */
import type { Container } from "kubernetes-types/core/v1";
import * as fs from "fs";
import * as path from "path";
import { exec } from "./tools";

/** What a container gets when its image sets no PATH. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** An emptyDir as the kubelet makes it: a fresh folder, mode 0777. */
export function makeEmptyDir(parent: string, name: string): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o777);
  return dir;
}

/** Runs the init container's command in rootfs, as declared: its uid/gid, read-only root, the emptyDir mounted. */
export function runInitContainer(init: Container, rootfs: string, imageEnv: string[], emptyDir: string): void {
  const mount = init.volumeMounts?.[0];
  const sc = init.securityContext;
  if (!mount || !init.command || sc?.runAsUser === undefined) throw new Error("the init container must declare a command, a mount and runAsUser");
  const uid = sc.runAsUser;
  const gid = sc.runAsGroup ?? uid;
  fs.mkdirSync(path.join(rootfs, mount.mountPath), { recursive: true }); // the runtime makes mount points
  const script = [
    "set -e",
    'R=$1; S=$2; M=$3; U=$4; G=$5; shift 5',
    // readOnlyRootFilesystem: a read-only bind of the image's root; only the emptyDir is writable.
    ...(sc.readOnlyRootFilesystem ? ['mount --bind "$R" "$R"', 'mount -o remount,bind,ro "$R"'] : []),
    'mount --bind "$S" "$R$M"',
    // The host's PATH finds chroot; the command inside sees the image's env only.
    'CHROOT=$(command -v chroot)',
    'exec env -u IMAGE_PATH PATH="$IMAGE_PATH" "$CHROOT" --userspec="$U:$G" --groups="$G" "$R" "$@"',
  ].join("\n");
  const env = envOf(imageEnv, new Map());
  exec("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, "init", rootfs, emptyDir, mount.mountPath, String(uid), String(gid), ...init.command, ...(init.args ?? [])], {
    env: { ...env, IMAGE_PATH: env.PATH, PATH: DEFAULT_PATH },
    cwd: "/",
  });
}

/**
 * Runs `command` as uid:gid (not root, not the init container's uid), the
 * emptyDir at mountPath, with exactly the given env. Returns stdout and stderr.
 */
export function runApp(command: string[], env: Map<string, string>, emptyDir: string, mountPath: string, uid: number): { stdout: string; stderr: string } {
  const script = ['set -e', 'S=$1; M=$2; U=$3; shift 3', 'mount --bind "$S" "$M"', 'exec setpriv --reuid="$U" --regid="$U" --clear-groups -- "$@"'].join("\n");
  return exec("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, "app", emptyDir, mountPath, String(uid), ...command], {
    env: envOf([`PATH=${DEFAULT_PATH}`], env),
    cwd: "/",
  });
}

/** The image's env, then the container's: what the process sees, and nothing of the test's own. */
function envOf(imageEnv: string[], containerEnv: Map<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const e of imageEnv) {
    const i = e.indexOf("=");
    env[e.slice(0, i)] = e.slice(i + 1);
  }
  if (env.PATH === undefined) env.PATH = DEFAULT_PATH;
  for (const [k, v] of containerEnv) env[k] = v;
  return env;
}
