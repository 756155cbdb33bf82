/**
 * Reading and writing Kubernetes manifests for the command-line tools: files,
 * folders (recursively) and standard input; multi-document YAML, JSON, and
 * `kind: List`. Output keeps the input order, and a document nobody changed is
 * written back as its original text, comments and all.
 */
import * as fs from "fs";
import * as path from "path";
import { Document, parseDocument, stringify } from "yaml";
import { deepEqual, editDocumentText, EditUnsupported } from "./documentEdit";
import { jsonValueTexts, RawDocument, textPieces, yamlDocumentTexts } from "./documentStream";
import { decodeUtf8, Utf8Error } from "./inputCheck";
import { readableMessage } from "./processGuard";
import { KUBE_PARSE_OPTIONS, KUBE_TO_JS_OPTIONS, KUBE_TO_JS_OPTIONS_WORKLOAD, KUBE_WRITE_OPTIONS } from "./kubeYaml";

/** The path that stands for standard input. */
export const STDIN_PATH = "-";
/** How standard input is named in messages. */
export const STDIN_NAME = "<stdin>";
/** Files a folder contributes; other files in it are ignored. */
export const MANIFEST_EXTENSIONS: readonly string[] = [".yaml", ".yml", ".json"];
const JSON_EXTENSION = ".json";
const YAML_WRITE_OPTIONS = KUBE_WRITE_OPTIONS;
const JSON_INDENT = 2;
/** A start marker with nothing after it but a comment: it can be kept in front of a rewritten document. */
const PLAIN_MARKER = /^---[ \t]*(#.*)?$/;
const DOCUMENT_START = "---";
const DOCUMENT_START_LINE = /^---(?=[ \t]|\r?\n|$)/;
/** Text whose last line is a document end marker `...`. */
const DOCUMENT_END_LINE = /^\.\.\.[ \t]*(#.*)?\r?\n$/;

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
  /** The parsed YAML document, whose node positions let a change be made in place. */
  yaml?: Document;
  /**
   * Set when the document holds more aliases than a kind the tool never
   * changes needs resolving: `value` has only its apiVersion, kind and name,
   * and the document can be written only as its text.
   */
  shallow?: boolean;
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

/** A source to be read a piece at a time: a file, or standard input spooled to one. */
export interface SourceFile {
  name: string;
  /** Where its bytes are. */
  path: string;
  format: "yaml" | "json";
}

/**
 * The sources the `-f` arguments name, in argument order; a folder's files in
 * path order, so the output order does not depend on the file system.
 * `stdin` reads standard input (into a file, say) and says where it is and how to read it.
 */
export function listSources(paths: readonly string[], stdin: () => Omit<SourceFile, "name">): SourceFile[] {
  const sources: SourceFile[] = [];
  let stdinRead = false;
  for (const p of paths) {
    if (p === STDIN_PATH) {
      if (stdinRead) throw new ManifestError(STDIN_NAME, `"-f ${STDIN_PATH}" is given twice; standard input can be read once`);
      stdinRead = true;
      sources.push({ name: STDIN_NAME, ...stdin() });
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new ManifestError(p, "no such file or folder: check the -f path");
    }
    const files = stat.isDirectory() ? manifestFiles(p, new Set([fs.realpathSync(p)])) : [p];
    if (stat.isDirectory() && files.length === 0) {
      throw new ManifestError(p, `the folder holds no ${MANIFEST_EXTENSIONS.join(", ")} files`);
    }
    for (const f of files) sources.push({ name: f, path: f, format: path.extname(f).toLowerCase() === JSON_EXTENSION ? "json" : "yaml" });
  }
  return sources;
}

/** The sources with their whole text read (for the tools that read every document anyway). */
export function readSources(paths: readonly string[], readStdin: () => Buffer | string = () => fs.readFileSync(0)): Source[] {
  let stdin: string | undefined;
  const files = listSources(paths, () => {
    const input = readStdin();
    stdin = typeof input === "string" ? input : decodeUtf8(input, STDIN_NAME);
    return { path: STDIN_PATH, format: looksJson(stdin) ? "json" : "yaml" };
  });
  return files.map((f) => ({ name: f.name, text: f.name === STDIN_NAME ? (stdin as string) : decodeUtf8(fs.readFileSync(f.path), f.name), format: f.format }));
}

/** Text that starts like a JSON object (`kubectl get -o json`). */
function looksJson(text: string): boolean {
  return text.trimStart().startsWith("{");
}

/**
 * A folder's manifest files. Symbolic links are followed, as kubectl follows
 * them (to files and to folders); a link back to a folder already being read
 * is not read twice, and a link to nothing is an error naming it.
 */
function manifestFiles(dir: string, seen: Set<string>): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      let target: fs.Stats;
      try {
        target = fs.statSync(full);
      } catch {
        if (!MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) continue;
        throw new ManifestError(full, `is a symbolic link to ${fs.readlinkSync(full)}, which does not exist: fix or remove the link`);
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) {
      const real = fs.realpathSync(full);
      if (seen.has(real)) continue;
      out.push(...manifestFiles(full, new Set([...seen, real])));
    } else if (isFile && MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** How standard input held in a file is read: as JSON when it starts like a JSON object (`kubectl get -o json`). */
export function stdinFormat(file: string): SourceFile["format"] {
  for (const piece of textPiecesLenient(file)) {
    const t = piece.trimStart();
    if (t !== "") return looksJson(t) ? "json" : "yaml";
  }
  return "yaml";
}

/** The file's pieces, bad bytes and all: only to look at how it starts (the real read refuses them). */
function* textPiecesLenient(file: string): Generator<string> {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let n = fs.readSync(fd, buf, 0, buf.length, null); n > 0; n = fs.readSync(fd, buf, 0, buf.length, null)) yield buf.toString("utf8", 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The documents of a source, in order. */
export function parseSource(source: Source): ManifestDocument[] {
  return [...documentsOf(source)];
}

/**
 * The documents of a source one at a time: a YAML document is parsed only when
 * it is asked for, so a caller that handles each before the next holds one
 * document's parse at a time, not the whole file's.
 */
export function* documentsOf(source: Source): Generator<ManifestDocument> {
  yield* named(source.name, () => {
    if (source.format !== "json") return yamlDocuments(source.name, yamlDocumentTexts([source.text]));
    try {
      return [...jsonDocuments(source.name, jsonValueTexts([source.text]))];
    } catch (e) {
      // YAML flow style also starts with "{": standard input that is not JSON after all is read as YAML.
      if (!(e instanceof NotJson) || source.name !== STDIN_NAME) throw e;
      return yamlDocuments(source.name, yamlDocumentTexts([source.text]));
    }
  });
}

/**
 * The documents of a file, read a piece at a time: the caller holds one
 * document (and whatever it keeps), never the file.
 */
export function* streamDocuments(source: SourceFile): Generator<ManifestDocument> {
  yield* named(source.name, () => {
    const pieces = textPieces(source.path, source.name);
    return source.format === "json" ? jsonDocuments(source.name, jsonValueTexts(pieces)) : yamlDocuments(source.name, yamlDocumentTexts(pieces));
  });
}

/**
 * The values of a file's documents whose text `only` accepts, the others not
 * parsed at all: a look for a few kinds. JSON is read as JSON alone (no YAML
 * parse to tell whether it could be edited in place).
 */
export function* streamValues(source: SourceFile, only: (text: string) => boolean): Generator<unknown> {
  const pieces = textPieces(source.path, source.name);
  if (source.format === "json") {
    for (const raw of jsonValueTexts(pieces)) if (only(raw.text)) yield JSON.parse(raw.text);
  } else for (const d of yamlDocuments(source.name, yamlDocumentTexts(pieces), only)) yield d.value;
}

/**
 * Standard input that starts with `{` is a JSON stream only if every value
 * parses as JSON; otherwise it is YAML flow style, read as YAML. Settled before
 * the first document is handled, so a document is never read both ways.
 */
export function settleFormat(source: SourceFile): SourceFile {
  if (source.name !== STDIN_NAME || source.format !== "json") return source;
  try {
    for (const raw of jsonValueTexts(textPieces(source.path, source.name))) JSON.parse(raw.text);
  } catch {
    return { ...source, format: "yaml" };
  }
  return source;
}

/** Errors of a source's documents name the source; a stack overflow in the parser (thousands of nested levels) is said in one line. */
function* named(name: string, docs: () => Iterable<ManifestDocument>): Generator<ManifestDocument> {
  try {
    yield* docs();
  } catch (e) {
    if (e instanceof ManifestError || e instanceof Utf8Error) throw e;
    throw new ManifestError(name, readableMessage(e));
  }
}

/** A JSON value that does not parse (standard input may then be YAML). */
class NotJson extends ManifestError {}

/** A stream of JSON objects, one document each. */
function* jsonDocuments(name: string, raws: Iterable<RawDocument>): Generator<ManifestDocument> {
  let index = 0;
  for (const chunk of raws) {
    let value: unknown;
    try {
      value = JSON.parse(chunk.text);
    } catch (e) {
      throw new NotJson(name, `is not valid JSON: ${(e as Error).message}`, index + 1, chunk.line);
    }
    index++;
    // JSON is YAML too: a document that reads the same both ways is edited in place like any YAML document.
    const asYaml = parseDocument(chunk.text, KUBE_PARSE_OPTIONS);
    const editable = asYaml.errors.length === 0 && deepEqual(asYaml.toJS(KUBE_TO_JS_OPTIONS), value);
    yield { source: name, index, line: chunk.line, text: chunk.text, value, format: editable ? "yaml" : "json", yaml: editable ? asYaml : undefined };
  }
}

/**
 * Each document parsed alone: a syntax error names its own document, and an
 * unchanged document keeps its text.
 */
function* yamlDocuments(name: string, raws: Iterable<RawDocument>, only?: (text: string) => boolean): Generator<ManifestDocument> {
  let index = 0;
  for (const { text: chunk, line: startLine } of raws) {
    if (chunk.trim() === "" || (only && !only(chunk))) continue;
    const doc = parseDocument(chunk, KUBE_PARSE_OPTIONS);
    const hasValue = doc.contents !== null;
    if (hasValue) index++;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      if (/call stack/i.test(err.message)) throw new ManifestError(name, readableMessage(new RangeError(err.message)), hasValue ? index : index + 1, startLine);
      const errLine = startLine + countLines(chunk.slice(0, err.pos[0]));
      throw new ManifestError(name, `is not valid YAML: ${err.message}`, hasValue ? index : index + 1, errLine);
    }
    let value: unknown = null;
    let shallow = false;
    try {
      if (hasValue) value = doc.toJS(KUBE_TO_JS_OPTIONS);
    } catch (e) {
      // Many aliases: a workload is read whole under a higher bound; any other kind only as far as its name, and passed through as written.
      const kind = doc.get("kind");
      try {
        if (!(e instanceof ReferenceError)) throw e;
        if (typeof kind === "string" && WORKLOAD_KIND_NAMES.includes(kind)) value = doc.toJS(KUBE_TO_JS_OPTIONS_WORKLOAD);
        else {
          value = shallowValue(doc);
          shallow = true;
        }
      } catch (e2) {
        // An alias bomb, say: name the file, not just the problem.
        throw new ManifestError(name, `cannot be read: ${(e2 as Error).message}`, index, startLine);
      }
    }
    const firstLine = chunk.slice(0, chunk.indexOf("\n") >= 0 ? chunk.indexOf("\n") : chunk.length).replace(/\r$/, "");
    yield {
      source: name,
      index: hasValue ? index : 0,
      line: startLine,
      text: chunk,
      marker: PLAIN_MARKER.test(firstLine) ? firstLine : undefined,
      value,
      comment: leadingComment(doc),
      format: "yaml",
      yaml: doc,
      ...(shallow ? { shallow } : {}),
    };
  }
}

/** The kinds the core may read whole (sdk/inject's WORKLOAD_KINDS); named here so reading stays free of the core. */
const WORKLOAD_KIND_NAMES: readonly string[] = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];

/** apiVersion, kind and the name of a document, without resolving any alias elsewhere in it. */
function shallowValue(doc: Document): Record<string, unknown> {
  const scalar = (v: unknown) => (typeof v === "string" ? v : undefined);
  const metadata = { name: scalar(doc.getIn(["metadata", "name"])), namespace: scalar(doc.getIn(["metadata", "namespace"])) };
  return { apiVersion: scalar(doc.get("apiVersion")), kind: scalar(doc.get("kind")), metadata };
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

/**
 * Multi-document YAML. The documents of one YAML source are written as one
 * text: unchanged ones as read, changed ones edited in place (documentEdit.ts),
 * so the bytes nobody changed stay. A change that cannot be made in place, and
 * JSON input, is written anew from the value.
 */
export function formatYaml(docs: readonly OutputDocument[]): string {
  const writer = new OutputWriter("yaml");
  for (const d of docs) writer.add(d);
  return writer.text();
}

/**
 * The output, built one document at a time: each is turned into text as it
 * comes and handed to `write`, so neither its parse nor its text need outlive
 * it. Without `write`, the text is kept for text().
 */
export class OutputWriter {
  // Pieces joined once at the end: checking the end of a growing string would copy it each time.
  private readonly pieces: string[] = [];
  private readonly write: (text: string) => void;
  /** The last line of what was written (newline included when it has one); undefined before the first piece. */
  private tail: string | undefined;

  constructor(
    private readonly format: "yaml" | "json",
    write?: (text: string) => void,
  ) {
    this.write = write ?? ((t) => this.pieces.push(t));
  }

  add(o: OutputDocument): void {
    if (this.format === "json") {
      const v = o.value === undefined ? o.document.value : o.value;
      if (v !== null && v !== undefined) this.write(`${JSON.stringify(v, null, JSON_INDENT)}\n`);
      return;
    }
    const { document: d, value } = o;
    const v = value === undefined ? d.value : value;
    if (d.format !== "yaml" && v === null) return; // a JSON source has no comment-only documents to keep
    let piece = d.format === "yaml" ? (value === undefined ? d.text : editedText(d, value)) : rewritten(d, v);
    if (this.tail !== undefined) {
      const ended = this.tail.endsWith("\n") ? this.tail : `${this.tail}\n`;
      // Documents of one source follow each other as read: a `---` (or a `...` before) is already there.
      if (!DOCUMENT_START_LINE.test(piece) && !DOCUMENT_END_LINE.test(ended)) piece = `${DOCUMENT_START}\n${piece}`;
      if (ended !== this.tail) piece = `\n${piece}`;
    }
    if (piece === "") return;
    this.write(piece);
    this.tail = lastLine((this.tail ?? "") + piece);
  }

  text(): string {
    return this.pieces.join("");
  }
}

/** The last line of a text, newline included when it ends with one (not a scan of the whole text). */
function lastLine(text: string): string {
  return text.slice(text.lastIndexOf("\n", text.length - 2) + 1);
}

/** The document's text with the change made in place, or written anew when that cannot be done exactly. */
function editedText(d: ManifestDocument, value: unknown): string {
  if (d.yaml) {
    try {
      const { text, needsCheck } = editDocumentText(d.text, d.yaml, d.value, value);
      if (!needsCheck) return text;
      const check = parseDocument(text, KUBE_PARSE_OPTIONS);
      // Any other edit must read back as exactly the value the core returned.
      if (check.errors.length === 0 && deepEqual(check.toJS(KUBE_TO_JS_OPTIONS), value)) return text;
    } catch (e) {
      if (!(e instanceof EditUnsupported)) throw e;
    }
  }
  return rewritten(d, value);
}

function rewritten(d: ManifestDocument, v: unknown): string {
  const comment = d.comment ? d.comment.split("\n").map((l) => `#${l}\n`).join("") : "";
  return `${d.marker !== undefined ? `${d.marker}\n` : ""}${comment}${stringify(v, YAML_WRITE_OPTIONS)}`;
}

/** One JSON object per document, one after another (`kubectl apply -f -` and `jq` read such a stream). */
export function formatJson(docs: readonly OutputDocument[]): string {
  const writer = new OutputWriter("json");
  for (const d of docs) writer.add(d);
  return writer.text();
}

/** One object as YAML, written the way Kubernetes reads it (the render's files). */
export function toYaml(value: unknown): string {
  return stringify(value, YAML_WRITE_OPTIONS);
}
