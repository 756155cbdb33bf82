/**
 * Edits a YAML document's text in place: the difference between the value the
 * core was given and the value it returned becomes a few text insertions and
 * deletions at the nodes' source positions, so every byte the tool did not add
 * stays as it was (comments, CRLF, quoting, `key:` with no value, key order).
 * Added text uses the document's own line ending and indentation; removing it
 * again deletes exactly those bytes, so uninject(inject(x)) gives x back.
 *
 * The caller checks the edited text reads back as the wanted value; when an
 * edit falls outside what this module can do (a change inside an alias, a
 * block scalar, a merge key), it throws EditUnsupported and the caller writes
 * the document anew instead.
 */
import { Document, isMap, isPair, isScalar, isSeq, Node, Pair, Scalar, stringify, YAMLMap, YAMLSeq } from "yaml";
import { KUBE_WRITE_OPTIONS } from "./kubeYaml";

/** A change this module cannot make in place; the document is written anew. */
export class EditUnsupported extends Error {}

interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Insertions at one offset keep the order they were planned in. */
  order: number;
}

const MERGE_KEY = "<<";
const LF = "\n";
const CRLF = "\r\n";

type Plain = Record<string, unknown>;

function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Structural equality of plain JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The edited text, and whether it must be read back before it is trusted. */
export interface EditedText {
  text: string;
  /**
   * False when every edit added whole lines of YAML written by the library at
   * a sibling's indentation, inside a block collection: such text cannot
   * change what the lines around it mean. Any other edit (a scalar, a flow
   * collection, a deletion, the end of a file) is read back by the caller.
   */
  needsCheck: boolean;
}

/** Applies the change from `before` to `after` to the text of `doc` (parsed from `text`). */
export function editDocumentText(text: string, doc: Document, before: unknown, after: unknown): EditedText {
  const editor = new Editor(text);
  editor.walk(doc.contents as Node | null, before, after);
  return { text: editor.apply(), needsCheck: editor.needsCheck };
}

class Editor {
  private readonly edits: TextEdit[] = [];
  private readonly nl: string;
  private trimFinalNewline = false;
  /** Set by every edit that is not whole block lines added at a line start. */
  needsCheck = false;

  constructor(private readonly text: string) {
    this.nl = text.includes(CRLF) ? CRLF : LF;
  }

  apply(): string {
    const sorted = [...this.edits].sort((x, y) => y.start - x.start || y.order - x.order);
    let out = this.text;
    for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return this.trimFinalNewline && out.endsWith(this.nl) ? out.slice(0, out.length - this.nl.length) : out;
  }

  /** `trusted`: an insertion whose meaning cannot depend on its neighbours (see EditedText). */
  private add(start: number, end: number, text: string, trusted = false): void {
    if (!trusted || end !== start) this.needsCheck = true;
    this.edits.push({ start, end, text, order: this.edits.length });
  }

  walk(node: Node | null, a: unknown, b: unknown): void {
    if (deepEqual(a, b)) return;
    if (node === null) throw new EditUnsupported("a change where the document has no node");
    // An anchored node may be used elsewhere through an alias: whatever changes under it is read back.
    if ((node as { anchor?: string }).anchor) this.needsCheck = true;
    if (isMap(node) && isPlainObject(a) && isPlainObject(b)) return this.walkMap(node, a, b);
    if (isSeq(node) && Array.isArray(a) && Array.isArray(b)) return this.walkSeq(node, a, b);
    if (isScalar(node) && typeof b === "string" && typeof a === "string") return this.editString(node, a, b);
    if (isScalar(node) && a === null && typeof b === "string") return this.fillNullScalar(node, b);
    throw new EditUnsupported("a value changes type");
  }

  // ---- mappings

  private walkMap(node: YAMLMap, a: Plain, b: Plain): void {
    if (node.items.some((p) => keyOf(p) === MERGE_KEY)) throw new EditUnsupported("a mapping with a merge key");
    const pairFor = (key: string): Pair => {
      // kubectl keeps the last of duplicate keys: that is the one the value came from.
      const found = [...node.items].reverse().find((p) => keyOf(p) === key);
      if (!found) throw new EditUnsupported(`key ${key} not found`);
      return found as Pair;
    };
    const gone: number[] = [];
    for (const key of Object.keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(b, key)) {
        if (node.items.filter((p) => keyOf(p) === key).length > 1) throw new EditUnsupported(`duplicate key ${key}`);
        if (node.flow) gone.push(node.items.indexOf(pairFor(key)));
        else this.deletePair(node, pairFor(key));
      } else {
        const pair = pairFor(key);
        if (!node.flow && isEmptyValue(pair, a[key]) && isCollection(b[key])) this.fillEmpty(pair, b[key]);
        else if (!node.flow && b[key] === null && isCollection(a[key]) && !isScalar(pair.value)) this.emptyOut(pair);
        else this.walk(pair.value as Node | null, a[key], b[key]);
      }
    }
    if (gone.length > 0) this.deleteFlowItems(node, gone);
    const added = Object.keys(b).filter((k) => !Object.prototype.hasOwnProperty.call(a, k));
    if (added.length > 0) this.appendPairs(node, Object.fromEntries(added.map((k) => [k, b[k]])));
  }

  private appendPairs(node: YAMLMap, entries: Plain): void {
    if (node.flow) {
      const body = Object.entries(entries).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ");
      return this.appendFlow(node, body);
    }
    const last = node.items[node.items.length - 1] as Pair;
    if (endsInBlockScalar(node)) this.needsCheck = true;
    const indent = this.column(rangeOf(last.key as Node)[0]);
    const at = this.lineEndAfter(endOfPair(last));
    this.add(at, at, this.placed(at, this.block(toYaml(entries), indent)), true);
  }

  /** `key:` with no value gets a block value: after the key, on lines of its own, the key's own line left as it was. */
  private fillEmpty(pair: Pair, value: unknown): void {
    const v = pair.value as Node | null;
    const at = v?.range ? v.range[1] : rangeOf(pair.key as Node)[1] + 1;
    const restOfLine = this.text.indexOf("\n", at);
    if (this.text.slice(at, restOfLine < 0 ? this.text.length : restOfLine).trim() !== "") throw new EditUnsupported("a comment after an empty value");
    const lines = this.block(toYaml(value), this.column(rangeOf(pair.key as Node)[0]) + 2);
    // The line's own newline (or the end of the file) follows what is added.
    const lineEnd = this.text.indexOf("\n", at);
    const end = lineEnd < 0 ? this.text.length : this.text[lineEnd - 1] === "\r" ? lineEnd - 1 : lineEnd;
    // `key: ~` and `key: null` lose their null word; uninject writes `key:`, which reads the same.
    const from = v?.range && v.range[1] > v.range[0] ? this.text.indexOf(":", rangeOf(pair.key as Node)[1]) + 1 : end;
    this.add(from, end, this.nl + lines.slice(0, lines.length - this.nl.length));
  }

  /** The reverse of fillEmpty: the value's lines go, `key:` stays. */
  private emptyOut(pair: Pair): void {
    const keyEnd = rangeOf(pair.key as Node)[1];
    const colon = this.text.indexOf(":", keyEnd);
    const valueEnd = rangeOf(pair.value as Node)[1];
    const atLineStart = valueEnd > 0 && this.text[valueEnd - 1] === "\n";
    const lineStartBefore = atLineStart ? valueEnd - this.nl.length : valueEnd;
    const lineEnd = this.text.lastIndexOf("\n", colon) < colon ? this.text.indexOf("\n", colon) : -1;
    const from = lineEnd < 0 ? colon + 1 : this.text[lineEnd - 1] === "\r" ? lineEnd - 1 : lineEnd;
    this.add(from, lineStartBefore, "");
  }

  private deletePair(node: YAMLMap, pair: Pair): void {
    const keyStart = rangeOf(pair.key as Node)[0];
    const start = this.lineStart(keyStart);
    if (this.text.slice(start, keyStart).trim() !== "") throw new EditUnsupported("a key that shares its line");
    const index = node.items.indexOf(pair);
    const next = node.items[index + 1] as Pair | undefined;
    this.deleteLines(start, next ? this.lineStart(rangeOf(next.key as Node)[0]) : this.lineEndAfter(endOfPair(pair)));
  }

  // ---- sequences

  private walkSeq(node: YAMLSeq, a: unknown[], b: unknown[]): void {
    const ka = itemKeys(a);
    const kb = itemKeys(b);
    if (!ka || !kb) {
      if (a.length !== b.length) throw new EditUnsupported("a list without names changes length");
      a.forEach((x, i) => this.walk(node.items[i] as Node, x, b[i]));
      return;
    }
    const common = kb.filter((k) => ka.includes(k));
    const commonInA = ka.filter((k) => kb.includes(k));
    if (common.join("\u0000") !== commonInA.join("\u0000")) throw new EditUnsupported("list items change order");
    const gone: number[] = [];
    ka.forEach((k, i) => {
      if (!kb.includes(k)) gone.push(i);
      else this.walk(node.items[i] as Node, a[i], b[kb.indexOf(k)]);
    });
    if (node.flow && gone.length > 0) this.deleteFlowItems(node, gone);
    else gone.forEach((i) => this.deleteSeqItem(node, i));
    // New items go before the next item both lists share, or at the end.
    let pending: unknown[] = [];
    kb.forEach((k, j) => {
      if (!ka.includes(k)) {
        pending.push(b[j]);
        return;
      }
      if (pending.length > 0) this.insertSeqItems(node, ka.indexOf(k), pending);
      pending = [];
    });
    if (pending.length > 0) this.insertSeqItems(node, a.length, pending);
  }

  private insertSeqItems(node: YAMLSeq, before: number, items: unknown[]): void {
    if (node.flow) {
      const body = items.map((v) => JSON.stringify(v)).join(", ");
      if (before >= node.items.length) return this.appendFlow(node, body);
      const at = rangeOf(node.items[before] as Node)[0];
      return this.add(at, at, `${body}, `);
    }
    const first = node.items[0] as Node;
    const dash = this.dashBefore(rangeOf(first)[0]);
    const indent = dash - this.lineStart(dash);
    const textOf = this.block(toYaml(items), indent);
    if (before < node.items.length) {
      const at = this.lineStart(this.dashBefore(rangeOf(node.items[before] as Node)[0]));
      return this.add(at, at, textOf, true);
    }
    const at = this.lineEndAfter(rangeOf(node.items[node.items.length - 1] as Node)[1]);
    // Lines after a block scalar's end could be taken for its kept trailing lines (`|+`): read back.
    if (endsInBlockScalar(node)) this.needsCheck = true;
    this.add(at, at, this.placed(at, textOf), true);
  }

  private deleteSeqItem(node: YAMLSeq, index: number): void {
    const item = node.items[index] as Node;
    const start = this.lineStart(this.dashBefore(rangeOf(item)[0]));
    const next = node.items[index + 1] as Node | undefined;
    const end = next ? this.lineStart(this.dashBefore(rangeOf(next)[0])) : this.lineEndAfter(rangeOf(item)[1]);
    this.deleteLines(start, end);
  }

  // ---- flow collections (`{…}`, `[…]`, JSON)

  private appendFlow(node: YAMLMap | YAMLSeq, body: string): void {
    const items = node.items as Array<Node | Pair>;
    if (items.length === 0) {
      const open = rangeOf(node)[0] + 1;
      return this.add(open, open, body);
    }
    const at = flowItemRange(items[items.length - 1])[1];
    this.add(at, at, `, ${body}`);
  }

  /** Deletes the items at `indices` with their separators: each run of them up to the next kept item, or after the last kept one. */
  private deleteFlowItems(node: YAMLMap | YAMLSeq, indices: number[]): void {
    const items = node.items as Array<Node | Pair>;
    const sorted = [...indices].sort((x, y) => x - y);
    let i = 0;
    while (i < sorted.length) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
      const first = sorted[i];
      const last = sorted[j];
      if (last + 1 < items.length) this.add(flowItemRange(items[first])[0], flowItemRange(items[last + 1])[0], "");
      else if (first > 0) this.add(flowItemRange(items[first - 1])[1], flowItemRange(items[last])[1], "");
      else this.add(flowItemRange(items[first])[0], flowItemRange(items[last])[1], "");
      i = j + 1;
    }
  }

  // ---- scalars

  /**
   * A string changes (the options variable gains or loses the agent flags, the
   * status record is rewritten): only the characters that differ are replaced,
   * in the scalar's own style, when its source spells the value literally.
   */
  private editString(node: Scalar, a: string, b: string): void {
    const [start, end] = rangeOf(node);
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    const inline = quoted || node.type === Scalar.PLAIN;
    const innerStart = quoted ? start + 1 : start;
    const inner = this.text.slice(innerStart, quoted ? end - 1 : end);
    // Characters that mean themselves in this style, on one line.
    const literalSafe = (x: string) =>
      !/[\r\n\\"'#]/.test(x) && (node.type !== Scalar.PLAIN || (!/:(\s|$)/.test(x) && !/[,[\]{}]/.test(x)));
    if (inline && inner === a && !inner.includes("\n") && literalSafe(a)) {
      let p = 0;
      while (p < a.length && p < b.length && a[p] === b[p]) p++;
      let q = 0;
      while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
      const replacement = b.slice(p, b.length - q);
      const plainEmpty = node.type === Scalar.PLAIN && b === "";
      if (literalSafe(replacement) && !plainEmpty) {
        // A pure append cannot change what the rest means (to a plain scalar, only after a space: it stays a string); anything else is read back.
        const append = p === a.length && q === 0 && (quoted || replacement.startsWith(" "));
        return this.add(innerStart + p, innerStart + a.length - q, replacement, append);
      }
    }
    if (!inline) throw new EditUnsupported("a block scalar changes");
    this.add(start, end, JSON.stringify(b));
  }

  /** `value:` with nothing (or `~`) becomes a string: written double-quoted in its place. */
  private fillNullScalar(node: Scalar, b: string): void {
    const [start, end] = rangeOf(node);
    const space = this.text[start - 1] === ":" ? " " : "";
    this.add(start, end, `${space}${JSON.stringify(b)}`);
  }

  // ---- text positions

  private block(yamlText: string, indent: number): string {
    const pad = " ".repeat(indent);
    return yamlText
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => `${pad}${l}${this.nl}`)
      .join("");
  }

  private deleteLines(start: number, end: number): void {
    // Deleting the last line of a file without a final newline leaves the newline before it: apply() drops that.
    if (end === this.text.length && !this.text.endsWith("\n")) this.trimFinalNewline = true;
    this.add(start, end, "");
  }

  /**
   * Lines added at the very end of a file without a final newline: the newline
   * moves to their front, so the file still ends without one (and removing
   * them again gives the file back).
   */
  private placed(at: number, lines: string): string {
    const noFinalNewline = at === this.text.length && this.text.length > 0 && !this.text.endsWith("\n");
    if (noFinalNewline) this.needsCheck = true;
    return noFinalNewline ? this.nl + lines.slice(0, lines.length - this.nl.length) : lines;
  }

  private lineStart(pos: number): number {
    return this.text.lastIndexOf("\n", pos - 1) + 1;
  }

  private column(pos: number): number {
    return pos - this.lineStart(pos);
  }

  /** The start of the line after `pos`, or `pos` when it already starts a line. */
  private lineEndAfter(pos: number): number {
    if (pos > 0 && this.text[pos - 1] === "\n") return pos;
    const nl = this.text.indexOf("\n", pos);
    return nl < 0 ? this.text.length : nl + 1;
  }

  /** The `-` that introduces a block sequence item starting at `pos`. */
  private dashBefore(pos: number): number {
    for (let i = pos - 1; i >= 0; i--) {
      const ch = this.text[i];
      if (ch === "-") return i;
      if (ch !== " " && ch !== "\t" && ch !== "\n" && ch !== "\r") break;
    }
    throw new EditUnsupported("a list item without its dash");
  }
}

/** Whether the text of a collection ends with a block scalar (`|`, `>`), through its last values. */
function endsInBlockScalar(node: Node | null | undefined): boolean {
  if (isScalar(node)) return node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  if (isMap(node)) return endsInBlockScalar((node.items[node.items.length - 1] as Pair | undefined)?.value as Node | undefined);
  if (isSeq(node)) return endsInBlockScalar(node.items[node.items.length - 1] as Node | undefined);
  return false;
}

/** A pair written `key:` (or `key: ~`, `key: null`): null in the value read. */
function isEmptyValue(pair: Pair, value: unknown): boolean {
  const v = pair.value as Node | null;
  return value === null && (v === null || (isScalar(v) && v.value === null));
}

function isCollection(v: unknown): boolean {
  return v !== null && typeof v === "object";
}

/**
 * YAML text of a new part. Remembered: a manifest of many workloads gets the
 * same init container, volume and variables in each, and writing them once
 * is most of the cost of a large file.
 */
const yamlCache = new Map<string, string>();
const YAML_CACHE_MAX = 256;

function toYaml(value: unknown): string {
  const key = JSON.stringify(value);
  let text = yamlCache.get(key);
  if (text === undefined) {
    text = stringify(value, KUBE_WRITE_OPTIONS);
    if (yamlCache.size >= YAML_CACHE_MAX) yamlCache.clear();
    yamlCache.set(key, text);
  }
  return text;
}

function keyOf(p: unknown): unknown {
  if (!isPair(p)) return undefined;
  const k = p.key;
  return isScalar(k) ? String(k.value) : k;
}

function rangeOf(node: Node | null | undefined): [number, number, number] {
  const r = node?.range;
  if (!r) throw new EditUnsupported("a node without a source position");
  return r;
}

/** Where a pair's text ends (its value, or its key when the value is empty). */
function endOfPair(p: Pair): number {
  const v = p.value as Node | null;
  return v?.range ? v.range[1] : rangeOf(p.key as Node)[1];
}

function flowItemRange(item: Node | Pair): [number, number] {
  if (isPair(item)) return [rangeOf(item.key as Node)[0], endOfPair(item)];
  const r = rangeOf(item);
  return [r[0], r[1]];
}

/**
 * Keys that match list items across the change: the name (Kubernetes lists of
 * containers, env, volumes, mounts, secrets), numbered when a name repeats; a
 * list with unnamed items has none.
 */
function itemKeys(list: unknown[]): string[] | undefined {
  const seen = new Map<string, number>();
  const keys: string[] = [];
  for (const item of list) {
    if (!isPlainObject(item) || typeof item.name !== "string") return undefined;
    const n = seen.get(item.name) ?? 0;
    seen.set(item.name, n + 1);
    keys.push(`${item.name}\u0000${n}`);
  }
  return keys;
}
