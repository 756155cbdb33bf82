/**
 * A stream of JSON values one after another, as kubectl reads it (its
 * decoder switches to a JSON stream when the input starts with `{`): the
 * output of `kubectl get -o json` for several objects, `jq -c`, or this
 * tool's own `-o json`.
 */

/** One JSON text of the stream, where it starts (1-based line) and its text. */
export interface JsonChunk {
  line: number;
  text: string;
}

/** Splits at the top level; throws on a value that does not close, naming the line it began on. */
export function splitJsonStream(text: string): JsonChunk[] {
  const chunks: JsonChunk[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (start < 0) {
      if (/\s/.test(ch)) continue;
      start = i;
      startLine = line;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
    // A top-level value ends with its closing bracket, or (a bare scalar) at white space.
    const closes = depth === 0 && (ch === "}" || ch === "]" || (!/[{["]/.test(text[start]) && (i + 1 === text.length || /[\s{["]/.test(text[i + 1]))));
    if (closes) {
      // The white space after a value stays with it, so the chunks put together give the text back.
      let end = i + 1;
      while (end < text.length && /\s/.test(text[end])) {
        if (text[end] === "\n") line++;
        end++;
      }
      chunks.push({ line: startLine, text: text.slice(start, end) });
      i = end - 1;
      start = -1;
    }
  }
  if (start >= 0) chunks.push({ line: startLine, text: text.slice(start) });
  return chunks;
}
