/**
 * What a manifest's bytes and values must be for the tool to give them back
 * exactly: text in UTF-8 (kubectl refuses anything else, so replacing a bad
 * byte with U+FFFD would turn input kubectl refuses into output it accepts),
 * and numbers a JavaScript number holds exactly (integers up to 2^53, finite
 * values), or a rewritten document would change them.
 */

/** Bytes that are not UTF-8; the message names the source. */
export class Utf8Error extends Error {}

/** Where a piece of a file starts: its first line, and whether a byte order mark there is text (not the file's first bytes). */
export interface PiecePosition {
  firstLine: number;
  keepBom: boolean;
}

/** Decodes UTF-8, refusing invalid bytes with the line and column of the first; `at` places a piece that starts a line of a file. */
export function decodeUtf8(bytes: Buffer, name: string, at: PiecePosition = { firstLine: 1, keepBom: false }): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: at.keepBom }).decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const before = bytes.subarray(0, bad);
    const line = at.firstLine + before.filter((b) => b === 0x0a).length;
    const column = bad - (before.lastIndexOf(0x0a) + 1) + 1;
    throw new Utf8Error(
      `${name}: is not valid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, "0")} at line ${line}, byte ${column} of the line): kubectl refuses such input; convert the file to UTF-8 (iconv -f <its encoding> -t UTF-8)`,
    );
  }
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence. */
function firstInvalidByte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const x = b[i];
    const n = x < 0x80 ? 1 : x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    for (let k = 1; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    // Overlong forms, surrogates and code points past U+10FFFF.
    const second = b[i + 1];
    if ((x === 0xe0 && second < 0xa0) || (x === 0xed && second > 0x9f) || (x === 0xf0 && second < 0x90) || (x === 0xf4 && second > 0x8f)) return i;
    i += n;
  }
  return b.length - 1;
}

/**
 * The path of the first number that cannot be written back as read, or
 * undefined. Walks with its own stack: a deep document must not overflow here.
 */
export function unrepresentableNumber(value: unknown): { path: string; value: number } | undefined {
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === "number") {
      if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return { path: at || "(the document)", value: v };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], at ? `${at}.${entries[i][0]}` : entries[i][0]]);
    }
  }
  return undefined;
}

/** The message for such a number: where, and how to keep it. */
export function numberProblem(found: { path: string; value: number }): string {
  const what = Number.isFinite(found.value) ? "an integer beyond 2^53, which would lose digits" : "a number out of range (it would be written as null)";
  return `${found.path} is ${what} when this document is written: quote it if it is text, or give a smaller number`;
}
