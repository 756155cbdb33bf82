/**
 * The render's output folder, owned: a marker file lists what the render
 * wrote, so a new render deletes those files and nothing else, and a folder
 * that holds files the render did not write (a program folder with its
 * Pulumi.yaml, say) is refused. Each file is written atomically (a temporary
 * file, then a rename), so a reader never sees half a manifest.
 */
import * as fs from "fs";
import * as path from "path";

/** Lists the files the last render wrote; its presence marks the folder as the render's. */
export const OUT_MARKER = ".pinpoint-render";
const MARKER_HEADER = "# Written by pinpoint-render: the files below are its own and are replaced on the next render.";

/** The first line of every file the render writes: also how a folder from before the marker is recognised. */
export const RENDERED_HEADER = "# Rendered by pinpoint-render";

/** The files a marker lists; without a marker, the files whose first line is the render's header, or undefined if any is not. */
function ownedFiles(outDir: string): string[] | undefined {
  const marker = path.join(outDir, OUT_MARKER);
  if (!fs.existsSync(marker)) {
    const present = fs.readdirSync(outDir);
    const rendered = present.filter((f) => {
      const p = path.join(outDir, f);
      return fs.statSync(p).isFile() && fs.readFileSync(p, "utf8").startsWith(RENDERED_HEADER);
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

/** Writes `data` to `file` through a temporary file and a rename. */
export function writeAtomic(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * Replaces the render's files in `outDir` with `files` (name → text). Throws,
 * writing nothing, when the folder holds files the render did not write.
 */
export function replaceRenderedFiles(outDir: string, files: ReadonlyMap<string, string>, flag: string): void {
  const owned = checkOutFolder(outDir, flag);
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) writeAtomic(path.join(outDir, name), text);
  for (const old of owned) {
    if (!files.has(old)) fs.rmSync(path.join(outDir, old), { force: true });
  }
  writeAtomic(path.join(outDir, OUT_MARKER), `${MARKER_HEADER}\n${[...files.keys()].join("\n")}\n`);
}

/** The files of `outDir` the render wrote before; throws when it holds anything else. Call it before the work, to fail fast. */
export function checkOutFolder(outDir: string, flag: string): string[] {
  const exists = fs.existsSync(outDir);
  if (exists && !fs.statSync(outDir).isDirectory()) throw new Error(`${flag} ${outDir} is a file, not a folder: give a folder for the rendered manifests`);
  const owned = exists ? ownedFiles(outDir) : [];
  if (owned === undefined) {
    const foreign = fs.readdirSync(outDir).filter((f) => !fs.statSync(path.join(outDir, f)).isFile() || !fs.readFileSync(path.join(outDir, f), "utf8").startsWith(RENDERED_HEADER));
    throw new Error(
      `${flag} ${outDir} holds files pinpoint-render did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}): give a new or empty folder, e.g. out/<stack>; the render deletes only files it wrote itself`,
    );
  }
  return owned;
}
