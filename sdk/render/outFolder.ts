/**
 * The render's output folder, owned: a marker file lists what the render
 * wrote, so a new render deletes those files and nothing else, and a folder
 * that holds files the render did not write (a program folder with its
 * Pulumi.yaml, say) is refused. A render is written whole into a temporary
 * folder beside the output folder, which then takes its place: a render that
 * fails part-way leaves the last good render as it was, never a mix.
 */
import * as fs from "fs";
import * as path from "path";

/** Lists the files the last render wrote; its presence marks the folder as the render's. */
export const OUT_MARKER = ".pinpoint-render";
const MARKER_HEADER = "# Written by pinpoint-render: the files below are its own and are replaced on the next render.";

/** The first line of every file the render writes: also how a folder from before the marker is recognised. */
export const RENDERED_HEADER = "# Rendered by pinpoint-render";

/** A regular file whose first bytes are the render's header; only those bytes are read (a folder may hold big files). */
function isRendered(file: string): boolean {
  const st = fs.lstatSync(file);
  if (!st.isFile()) return false;
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(RENDERED_HEADER.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString("utf8") === RENDERED_HEADER;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Kernel file systems whose "files" are not files: reading one may block for
 * ever (/proc/kmsg), writing one changes the kernel. By statfs type.
 */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0xcafe4a11, "bpf"],
]);

/** Throws when `dir` (or the nearest folder above it that exists) is on a kernel file system, or under /dev. */
function checkRealFileSystem(dir: string, flag: string): void {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const real = fs.realpathSync(existing);
  const type = PSEUDO_FILE_SYSTEMS.get(Number(fs.statfsSync(real).type));
  const device = real === "/dev" || real.startsWith("/dev/");
  if (type || device) {
    throw new Error(`${flag} ${dir} is on ${type ? `the kernel's ${type} file system` : "/dev"} (${real}), not a folder for files: give a folder on disk, e.g. out/<stack>`);
  }
}

/** The files a marker lists; without a marker, the files whose first line is the render's header, or undefined if any is not. */
function ownedFiles(outDir: string): string[] | undefined {
  const marker = path.join(outDir, OUT_MARKER);
  if (!fs.existsSync(marker)) {
    const present = fs.readdirSync(outDir);
    const rendered = present.filter((f) => {
      const p = path.join(outDir, f);
      return isRendered(p);
    });
    return rendered.length === present.length ? rendered : undefined;
  }
  return fs
    .readFileSync(marker, "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    // Only plain names: a marker never makes the render delete outside its folder.
    .filter((l) => path.basename(l) === l && l !== OUT_MARKER);
}

/**
 * Replaces the render's files in `outDir` with `files` (name → text). Throws,
 * writing nothing, when the folder holds files the render did not write.
 * Everything is written into a temporary folder first; the user's own files
 * in a folder the render wrote before come along, then the folders swap.
 */
export function replaceRenderedFiles(outDir: string, files: ReadonlyMap<string, string>, flag: string): void {
  const owned = checkOutFolder(outDir, flag);
  const exists = fs.existsSync(outDir);
  // Through a symbolic link: the folder it points to is the one replaced.
  const target = exists ? fs.realpathSync(outDir) : path.resolve(outDir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const stage = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.render-`));
  try {
    fs.chmodSync(stage, exists ? fs.statSync(target).mode & 0o7777 : 0o777 & ~process.umask());
    for (const [name, text] of files) fs.writeFileSync(path.join(stage, name), text);
    fs.writeFileSync(path.join(stage, OUT_MARKER), `${MARKER_HEADER}\n${[...files.keys()].join("\n")}\n`);
    if (!exists) {
      fs.renameSync(stage, target);
      return;
    }
    const renderOwn = new Set([...owned, OUT_MARKER, ...files.keys()]);
    const keep = fs.readdirSync(target).filter((e) => !renderOwn.has(e));
    for (const e of keep) fs.cpSync(path.join(target, e), path.join(stage, e), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    if (!swapFolders(stage, target)) {
      // The folder cannot be renamed (the shell's current folder, a mount point): each file moves in by rename instead.
      for (const name of [...files.keys(), OUT_MARKER]) fs.renameSync(path.join(stage, name), path.join(target, name));
      for (const old of owned) if (!files.has(old)) fs.rmSync(path.join(target, old), { force: true });
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** `stage` takes `target`'s place; false, with nothing changed, when `target` cannot be moved. */
function swapFolders(stage: string, target: string): boolean {
  if (target === process.cwd() || process.cwd().startsWith(`${target}${path.sep}`)) return false;
  const old = `${stage}.old`;
  try {
    fs.renameSync(target, old);
  } catch {
    return false;
  }
  try {
    fs.renameSync(stage, target);
  } catch (e) {
    fs.renameSync(old, target);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
  return true;
}

/** The files of `outDir` the render wrote before; throws when it holds anything else. Call it before the work, to fail fast. */
export function checkOutFolder(outDir: string, flag: string): string[] {
  checkRealFileSystem(outDir, flag);
  const exists = fs.existsSync(outDir);
  if (exists && !fs.statSync(outDir).isDirectory()) throw new Error(`${flag} ${outDir} is a file, not a folder: give a folder for the rendered manifests`);
  const owned = exists ? ownedFiles(outDir) : [];
  if (owned === undefined) {
    const foreign = fs.readdirSync(outDir).filter((f) => !isRendered(path.join(outDir, f)));
    throw new Error(
      `${flag} ${outDir} holds files pinpoint-render did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}): give a new or empty folder, e.g. out/<stack>; the render deletes only files it wrote itself`,
    );
  }
  return owned;
}
