/**
 * Reading and writing Kubernetes manifests for the command-line tools: files,
 * folders (recursively) and standard input; multi-document YAML, JSON, and
 * `kind: List`. Output keeps the input order, and a document nobody changed is
 * written back as its original text, comments and all.
 */
import * as fs from "fs";
import * as path from "path";
import { Document, parseDocument, stringify } from "yaml";

/** The path that stands for standard input. */
export const STDIN_PATH = "-";
/** How standard input is named in messages. */
export const STDIN_NAME = "<stdin>";
/** Files a folder contributes; other files in it are ignored. */
export const MANIFEST_EXTENSIONS: readonly string[] = [".yaml", ".yml", ".json"];
const JSON_EXTENSION = ".json";
/** Kubernetes reads manifests as YAML 1.1: `0644` is octal and `yes` a boolean. Parse and write the same way. */
const YAML_VERSION = "1.1";
/**
 * No line folding (the agent flags are one long line), no anchors for shared
 * objects (some tools reject aliases), and YAML 1.1 quoting.
 */
const YAML_WRITE_OPTIONS = { version: YAML_VERSION, lineWidth: 0, aliasDuplicateObjects: false } as const;
const JSON_INDENT = 2;
/** A line that starts a document (`---`), or ends one (`...`), as YAML defines them: at column 0. */
const DOCUMENT_BOUNDARY = /^(?:---|\.\.\.)(?=[ \t]|\r?$)/gm;
/** A start marker with nothing after it but a comment: it can be kept in front of a rewritten document. */
const PLAIN_MARKER = /^---[ \t]*(#.*)?$/;
const DOCUMENT_START = "---";

/** Input text and the name messages call it by. */
export interface Source {
  name: string;
  text: string;
  format: "yaml" | "json";
}

/** One document of a source: where it came from, its text and its value. */
export interface ManifestDocument {
  source: string;
  /** 1-based among the source's documents that hold a value. */
  index: number;
  /** 1-based line where the document starts in the source. */
  line: number;
  /** The document's own text, `---` line included, for writing it back unchanged. */
  text: string;
  /** The plain `---` line that starts it, if any, kept when the document is rewritten. */
  marker?: string;
  /** null for a document with comments only. */
  value: unknown;
  /** The comment above the document's content (a file header, say), kept when it is rewritten. */
  comment?: string;
  format: "yaml" | "json";
}

/** A document on its way out: rewritten when `value` is set, else written as read. */
export interface OutputDocument {
  document: ManifestDocument;
  value?: unknown;
}

/** Bad input: names the source, the document and the problem. */
export class ManifestError extends Error {
  constructor(
    readonly source: string,
    problem: string,
    readonly document?: number,
    readonly line?: number,
  ) {
    super(`${source}${document !== undefined ? `, document ${document}` : ""}${line !== undefined ? ` (line ${line})` : ""}: ${problem}`);
    this.name = "ManifestError";
  }
}

/**
 * The sources the `-f` arguments name, in argument order; a folder's files in
 * path order, so the output order does not depend on the file system.
 */
export function readSources(paths: readonly string[], readStdin: () => string = () => fs.readFileSync(0, "utf8")): Source[] {
  const sources: Source[] = [];
  let stdinRead = false;
  for (const p of paths) {
    if (p === STDIN_PATH) {
      if (stdinRead) throw new ManifestError(STDIN_NAME, `"-f ${STDIN_PATH}" is given twice; standard input can be read once`);
      stdinRead = true;
      sources.push(sourceOf(STDIN_NAME, readStdin()));
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new ManifestError(p, "no such file or folder: check the -f path");
    }
    const files = stat.isDirectory() ? manifestFiles(p) : [p];
    if (stat.isDirectory() && files.length === 0) {
      throw new ManifestError(p, `the folder holds no ${MANIFEST_EXTENSIONS.join(", ")} files`);
    }
    for (const f of files) sources.push(sourceOf(f, fs.readFileSync(f, "utf8")));
  }
  return sources;
}

function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...manifestFiles(full));
    else if (e.isFile() && MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** JSON by extension, or standard input that starts like a JSON object (`kubectl get -o json`). */
function sourceOf(name: string, text: string): Source {
  const byExtension = path.extname(name).toLowerCase() === JSON_EXTENSION;
  const looksJson = name === STDIN_NAME && text.trimStart().startsWith("{");
  return { name, text, format: byExtension || looksJson ? "json" : "yaml" };
}

/** The documents of a source, in order. */
export function parseSource(source: Source): ManifestDocument[] {
  return source.format === "json" ? parseJson(source) : parseYaml(source);
}

function parseJson(source: Source): ManifestDocument[] {
  let value: unknown;
  try {
    value = JSON.parse(source.text);
  } catch (e) {
    if (source.name === STDIN_NAME) return parseYaml({ ...source, format: "yaml" }); // YAML flow style also starts with "{"
    throw new ManifestError(source.name, `is not valid JSON: ${(e as Error).message}`, 1);
  }
  return [{ source: source.name, index: 1, line: 1, text: source.text, value, format: "json" }];
}

/**
 * Splits at the document markers first, then parses each document alone: a
 * syntax error names its own document, and an unchanged document keeps its text.
 */
function parseYaml(source: Source): ManifestDocument[] {
  const text = source.text;
  const starts = [0];
  for (const m of text.matchAll(DOCUMENT_BOUNDARY)) {
    const at = m.index as number;
    if (m[0] === DOCUMENT_START) {
      if (at > 0) starts.push(at);
    } else {
      // `...` ends a document: the next one starts on the following line.
      const next = text.indexOf("\n", at);
      if (next >= 0 && next + 1 < text.length) starts.push(next + 1);
    }
  }
  const docs: ManifestDocument[] = [];
  let line = 1;
  let index = 0;
  for (let i = 0; i < starts.length; i++) {
    const chunk = text.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : text.length);
    const startLine = line;
    line += countLines(chunk);
    if (chunk.trim() === "") continue;
    const doc = parseDocument(chunk, { version: YAML_VERSION, prettyErrors: false });
    const hasValue = doc.contents !== null;
    if (hasValue) index++;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const errLine = startLine + countLines(chunk.slice(0, err.pos[0]));
      throw new ManifestError(source.name, `is not valid YAML: ${err.message}`, hasValue ? index : index + 1, errLine);
    }
    const firstLine = chunk.slice(0, chunk.indexOf("\n") >= 0 ? chunk.indexOf("\n") : chunk.length).replace(/\r$/, "");
    docs.push({
      source: source.name,
      index: hasValue ? index : 0,
      line: startLine,
      text: chunk,
      marker: PLAIN_MARKER.test(firstLine) ? firstLine : undefined,
      value: hasValue ? doc.toJS() : null,
      comment: leadingComment(doc),
      format: "yaml",
    });
  }
  return docs;
}

/** Without a `---` line the parser hangs a leading comment on the content, or on its first key. */
function leadingComment(doc: Document): string | undefined {
  type Commented = { commentBefore?: string | null };
  const contents = doc.contents as (Commented & { items?: Array<{ key?: Commented }> }) | null;
  return doc.commentBefore ?? contents?.commentBefore ?? contents?.items?.[0]?.key?.commentBefore ?? undefined;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** Multi-document YAML: unchanged YAML documents as read, the others written anew. */
export function formatYaml(docs: readonly OutputDocument[]): string {
  const pieces: string[] = [];
  for (const { document: d, value } of docs) {
    let piece: string;
    if (value === undefined && d.format === "yaml") {
      piece = d.text;
    } else {
      const v = value === undefined ? d.value : value;
      if (v === null) continue; // a JSON source has no comment-only documents to keep
      const comment = d.comment ? d.comment.split("\n").map((l) => `#${l}\n`).join("") : "";
      piece = `${d.marker !== undefined ? `${d.marker}\n` : ""}${comment}${stringify(v, YAML_WRITE_OPTIONS)}`;
    }
    if (!piece.endsWith("\n")) piece += "\n";
    if (pieces.length > 0 && !/^---(?=[ \t]|\r?\n)/.test(piece)) piece = `${DOCUMENT_START}\n${piece}`;
    pieces.push(piece);
  }
  return pieces.join("");
}

/** One JSON object per document, one after another (`kubectl apply -f -` and `jq` read such a stream). */
export function formatJson(docs: readonly OutputDocument[]): string {
  return docs
    .map(({ document: d, value }) => (value === undefined ? d.value : value))
    .filter((v) => v !== null && v !== undefined)
    .map((v) => `${JSON.stringify(v, null, JSON_INDENT)}\n`)
    .join("");
}

/** One object as YAML, written the way Kubernetes reads it (the render's files). */
export function toYaml(value: unknown): string {
  return stringify(value, YAML_WRITE_OPTIONS);
}
