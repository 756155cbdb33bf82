/**
 * buildah as the e2e test uses it: root, the vfs storage driver and chroot
 * isolation (no daemon, no overlay, no user namespaces needed), with a storage
 * root of its own under the test's temp folder so the machine's stays untouched.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { run } from "./tools";

/** The busybox applets the init command uses (plus ls and cat to debug by hand). */
export const BUSYBOX_APPLETS = ["sh", "cp", "mkdir", "chmod", "ls", "cat"];

export class Buildah {
  private readonly global: string[];

  constructor(dir: string) {
    this.global = ["--root", path.join(dir, "root"), "--runroot", path.join(dir, "runroot"), "--storage-driver", "vfs"];
  }

  run(...args: string[]): string {
    return run("buildah", [...this.global, ...args], { env: { ...process.env, BUILDAH_ISOLATION: "chroot" } }).trim();
  }

  /** A busybox image from the static /bin/busybox, pushed to the registry; returns its reference. */
  busyboxBase(registry: string, busybox: string): string {
    const container = this.run("from", "scratch");
    const root = this.run("mount", container);
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    fs.copyFileSync(busybox, path.join(root, "bin", "busybox"));
    fs.chmodSync(path.join(root, "bin", "busybox"), 0o755);
    for (const applet of BUSYBOX_APPLETS) fs.symlinkSync("busybox", path.join(root, "bin", applet));
    this.run("config", "--env", "PATH=/bin", "--cmd", "sh", container);
    const ref = `${registry}/library/busybox:e2e`;
    this.run("commit", "--quiet", container, ref);
    this.run("rm", container);
    this.push(ref);
    return ref;
  }

  /**
   * An image that is only a config (an empty scratch file system): Env,
   * Entrypoint and Cmd as a Dockerfile's ENV, ENTRYPOINT and CMD set them.
   */
  configOnly(ref: string, config: { env?: string[]; entrypoint?: string[]; cmd?: string[]; arch?: string }): void {
    const container = this.run("from", "scratch");
    const args = [
      ...(config.env ?? []).flatMap((e) => ["--env", e]),
      ...(config.entrypoint ? ["--entrypoint", JSON.stringify(config.entrypoint)] : []),
      ...(config.cmd ? ["--cmd", JSON.stringify(config.cmd)] : []),
      ...(config.arch ? ["--arch", config.arch] : []),
    ];
    this.run("config", ...args, container);
    this.run("commit", "--quiet", container, ref);
    this.run("rm", container);
  }

  /** `buildah bud` of a context, as docker.Image would build it: the Dockerfile, the context, the name. */
  bud(context: string, dockerfile: string, imageName: string): void {
    this.run("bud", "--isolation", "chroot", "--tls-verify=false", "--quiet", "-f", dockerfile, "-t", imageName, context);
  }

  /**
   * Pushes without blocking the event loop: for a registry whose token service
   * runs in this very process (a synchronous push would wait on it forever).
   */
  pushAsync(ref: string, creds: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const args = [...this.global, "push", "--tls-verify=false", "--creds", creds, ref, `docker://${ref}`];
      execFile("buildah", args, { env: { ...process.env, BUILDAH_ISOLATION: "chroot" } }, (error, _stdout, stderr) =>
        error ? reject(new Error(`buildah push ${ref} failed: ${stderr}`)) : resolve(),
      );
    });
  }

  /** Pushes and returns the manifest digest buildah wrote; `creds` (user:password) for a registry that asks. */
  push(ref: string, creds?: string): string {
    const digestFile = path.join(path.dirname(this.global[1]), `digest-${Date.now()}`);
    this.run("push", "--tls-verify=false", ...(creds ? ["--creds", creds] : []), "--digestfile", digestFile, ref, `docker://${ref}`);
    return fs.readFileSync(digestFile, "utf8").trim();
  }

  /** Pulls the image into a working container and mounts its root file system; returns both. */
  mountImage(ref: string): { container: string; rootfs: string } {
    const container = this.run("from", "--tls-verify=false", "--pull-always", ref);
    return { container, rootfs: this.run("mount", container) };
  }

  /** The image's config (Env, WorkingDir, User), as a container runtime would read it. */
  imageConfig(ref: string): { Env?: string[]; WorkingDir?: string } {
    const inspect = JSON.parse(this.run("inspect", "--type", "image", ref)) as { OCIv1?: { config?: { Env?: string[]; WorkingDir?: string } } };
    return inspect.OCIv1?.config ?? {};
  }
}
