/**
 * A manifest file read a piece at a time and cut into the text of each
 * document, so a caller holds one document, not the file (issue 20: memory
 * bounded by the largest document). Pieces end at a newline, so a UTF-8
 * sequence is never cut and every piece starts a line: the boundaries found
 * piece by piece are those the whole text has (manifests.ts splits a whole
 * text the same way).
 */
import * as fs from "fs";
import { decodeUtf8 } from "./inputCheck";

/** How much is read at once; a longer line is read on until its newline. */
export const READ_CHUNK_BYTES = 1 << 20;
/** A line that starts a document (`---`), or ends one (`...`), as YAML defines them: at column 0. */
export const DOCUMENT_BOUNDARY = /^(?:---|\.\.\.)(?=[ \t]|\r?$)/gm;
const DOCUMENT_START = "---";
const NEWLINE = 0x0a;

/** The text of one document (or, for JSON, one value) and the 1-based line it starts on. */
export interface RawDocument {
  text: string;
  line: number;
}

/**
 * The file's text in pieces of whole lines, decoded as UTF-8 (invalid bytes
 * are refused with their line, as for a whole file). A byte order mark is
 * dropped at the start of the file only.
 */
export function* textPieces(file: string, name: string): Generator<string> {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    /** Reads since the last newline: joined once a newline comes, so a long line is not copied again at each read. */
    let carry: Buffer[] = [];
    let line = 1;
    let first = true;
    const decode = (bytes: Buffer): string => {
      const text = decodeUtf8(bytes, name, { firstLine: line, keepBom: !first });
      first = false;
      line += countNewlines(bytes);
      return text;
    };
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const read = Buffer.from(buf.subarray(0, n));
      const lastNewline = read.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        carry.push(read);
        continue;
      }
      const piece = carry.length > 0 ? Buffer.concat([...carry, read.subarray(0, lastNewline + 1)]) : read.subarray(0, lastNewline + 1);
      carry = lastNewline + 1 < n ? [read.subarray(lastNewline + 1)] : [];
      yield decode(piece);
    }
    if (carry.length > 0) yield decode(Buffer.concat(carry));
  } finally {
    fs.closeSync(fd);
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(NEWLINE); i >= 0; i = b.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/**
 * YAML documents: cut before each `---` line and after each `...` line, as
 * manifests.ts cuts a whole text. Blank pieces are yielded too (the caller
 * skips them), so line numbers stay right.
 */
export function* yamlDocumentTexts(pieces: Iterable<string>): Generator<RawDocument> {
  let current = "";
  let startLine = 1;
  let line = 1;
  let atStart = true;
  /** A `...` line ended the last piece: what follows starts a document. */
  let endedBefore = false;
  for (const piece of pieces) {
    let from = 0;
    const cutAt = (at: number): RawDocument | undefined => {
      const doc = current + piece.slice(from, at);
      const out = atStart && doc === "" ? undefined : { text: doc, line: startLine };
      line += countLines(piece.slice(from, at));
      startLine = line;
      current = "";
      from = at;
      atStart = false;
      return out;
    };
    if (endedBefore) {
      endedBefore = false;
      const d = cutAt(0);
      if (d) yield d;
    }
    for (const m of piece.matchAll(DOCUMENT_BOUNDARY)) {
      const at = m.index as number;
      if (m[0] === DOCUMENT_START) {
        const d = cutAt(at);
        if (d) yield d;
      } else {
        // `...` ends a document: the next one starts on the following line.
        const next = piece.indexOf("\n", at);
        if (next >= 0 && next + 1 < piece.length) {
          const d = cutAt(next + 1);
          if (d) yield d;
        } else if (next >= 0) endedBefore = true;
      }
    }
    const rest = piece.slice(from);
    current += rest;
    line += countLines(rest);
    if (rest !== "") atStart = false;
  }
  if (current !== "") yield { text: current, line: startLine };
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * A stream of JSON values one after another, as kubectl reads it (its decoder
 * switches to a JSON stream when the input starts with `{`): the output of
 * `kubectl get -o json` for several objects, `jq -c`, or this tool's `-o json`.
 * Each value keeps the white space after it, so the texts put together give
 * the input back (white space before the first value aside). A value that does
 * not close is yielded as it is, for JSON.parse to name the problem.
 */
export function* jsonValueTexts(pieces: Iterable<string>): Generator<RawDocument> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** The text of the value being read (and the white space after it), or "" between values. */
  let current = "";
  let inValue = false;
  let bare = false;
  let line = 1;
  let startLine = 1;
  for (const piece of pieces) {
    let from = 0;
    for (let i = 0; i < piece.length; i++) {
      const ch = piece[i];
      if (ch === "\n") line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (!inValue) {
        if (/\s/.test(ch)) continue;
        // A new value: the one before (and its trailing white space) is complete.
        if (current !== "" || i > from) {
          const done = current + piece.slice(from, i);
          if (done.trim() !== "") yield { text: done, line: startLine };
        }
        current = "";
        from = i;
        inValue = true;
        startLine = line;
        bare = !/[{["]/.test(ch);
      }
      if (ch === '"') inString = true;
      else if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") depth--;
      // A top-level value ends with its closing bracket, or (a bare scalar) before white space or a bracket.
      const next = i + 1 < piece.length ? piece[i + 1] : "\n";
      if (depth === 0 && (ch === "}" || ch === "]" || (bare && /[\s{["]/.test(next)))) inValue = false;
    }
    current += piece.slice(from);
  }
  if (current.trim() !== "") yield { text: current, line: startLine };
}
