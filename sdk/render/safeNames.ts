/**
 * Names that become parts of file paths (the stack, the project, each
 * object's file): checked or shortened so that no name writes, or reads,
 * outside the folder meant for it, and none is longer than a file system takes.
 */
import { createHash } from "crypto";

/** Pulumi's own rule for stack and project names: alphanumerics, hyphens, underscores, periods. */
const PULUMI_NAME = /^[A-Za-z0-9_.-]+$/;
/** Most Linux file systems take 255 bytes per name; room is left for the temporary files' prefix and suffix. */
export const MAX_FILE_NAME_BYTES = 200;
const HASH_LENGTH = 10;

/**
 * Throws unless `value` is one path part (no `/`, no `..`, not absolute).
 * `strict`: also Pulumi's character set (a stack name; a project name may be
 * a folder's, which Pulumi would have refused but is harmless as one part).
 */
export function checkPathName(value: string, what: string, strict = true): void {
  const onePart = value !== "" && value !== "." && value !== ".." && !/[/\\\0]/.test(value);
  if (onePart && (!strict || PULUMI_NAME.test(value))) return;
  throw new Error(
    `${what} "${value}" is not a Pulumi ${what.includes("stack") ? "stack" : "project"} name (letters, digits, -, _ and .; no / or ..): it names a file and a folder under out/, and must not reach outside them`,
  );
}

/**
 * A file name no longer than MAX_FILE_NAME_BYTES: a longer one keeps its
 * start and ends with a hash of the whole, so two long names stay apart.
 */
export function fittingFileName(base: string, extension: string): string {
  if (Buffer.byteLength(base + extension) <= MAX_FILE_NAME_BYTES) return base + extension;
  const hash = createHash("sha256").update(base).digest("hex").slice(0, HASH_LENGTH);
  // Names here are ASCII (objects.ts replaces every other character), so a character is a byte.
  return `${base.slice(0, MAX_FILE_NAME_BYTES - extension.length - HASH_LENGTH - 1)}-${hash}${extension}`;
}
