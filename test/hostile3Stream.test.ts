/**
 * Issue 20, "50 MB of input takes 86 s and 2.4 GB RSS": pinpoint-inject's
 * memory follows the largest document, not the input. The rows that prove it
 * run the CLI with V8's old space capped far below what holding every parsed
 * document needs: before streaming, the three injection rows ended in V8's
 * "FATAL ERROR: Ineffective mark-compacts near heap limit" (--uninject already
 * went one document at a time; its row keeps it so). The other rows hold the
 * piece-by-piece reader to the whole-text one.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jsonValueTexts, RawDocument, READ_CHUNK_BYTES, textPieces, yamlDocumentTexts } from "../sdk/cli/documentStream";
import { compiled } from "./support/compiled";

const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";
/** Far below the parses of 2,000 documents (~100 MB), far above one document's. */
const OLD_SPACE_CAP_MB = 32;
const DOCUMENTS = 2000;

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: dev
spec:
  selector:
    matchLabels: {app: app-${i}}
  template:
    metadata:
      labels: {app: app-${i}}
    spec:
      containers:
        - name: app
          image: tomcat:9-jdk17
          env:
            - {name: JAVA_OPTS, value: "-Xms512m -Xmx512m -Duser.timezone=Asia/Shanghai ${"-Dpad=x ".repeat(20)}"}
`;
}

function configMap(i: number): string {
  return `# config of app-${i}
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-${i}
  namespace: dev
data:
  application.properties: |
    server.port=8080
    spring.application.name=app-${i}
    ${"padding.line=some text that makes the document longer\n    ".repeat(10)}
`;
}

const manifest = () => Array.from({ length: DOCUMENTS }, (_, i) => (i % 2 === 0 ? deployment(i) : configMap(i))).join("---\n");

interface MemoryRow {
  name: string;
  args: (file: string) => string[];
  stdin: boolean;
}

const memoryRows: MemoryRow[] = [
  { name: `${DOCUMENTS} documents from a file inject under a ${OLD_SPACE_CAP_MB} MB heap`, args: (f) => ["-f", f, "--image", IMAGE], stdin: false },
  { name: `${DOCUMENTS} documents from standard input inject under a ${OLD_SPACE_CAP_MB} MB heap (stdin is spooled to disk)`, args: () => ["-f", "-", "--image", IMAGE], stdin: true },
  { name: `${DOCUMENTS} documents written as JSON under a ${OLD_SPACE_CAP_MB} MB heap`, args: (f) => ["-f", f, "--image", IMAGE, "-o", "json"], stdin: false },
  { name: `${DOCUMENTS} documents uninjected under a ${OLD_SPACE_CAP_MB} MB heap`, args: (f) => ["-f", f, "--uninject"], stdin: false },
];

describe("hostile input 3: pinpoint-inject's memory follows the largest document", () => {
  let cli: string;
  let dir: string;
  let file: string;
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/inject.js");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-stream-"));
    file = path.join(dir, "many.yaml");
    fs.writeFileSync(file, manifest());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const row of memoryRows) {
    it(row.name, function () {
      this.timeout(120_000);
      const out = path.join(dir, "out.txt");
      const fd = fs.openSync(out, "w");
      const r = spawnSync(process.execPath, [`--max-old-space-size=${OLD_SPACE_CAP_MB}`, cli, ...row.args(file)], {
        input: row.stdin ? fs.readFileSync(file) : undefined,
        stdio: [row.stdin ? "pipe" : "ignore", fd, "pipe"],
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      fs.closeSync(fd);
      assert.strictEqual(r.status, 0, String(r.stderr).slice(-500));
      const text = fs.readFileSync(out, "utf8");
      if (row.args(file).includes("--uninject")) assert.strictEqual(text, fs.readFileSync(file, "utf8"));
      else assert.strictEqual((text.match(/init-pinpoint/g) ?? []).length >= DOCUMENTS / 2, true);
    });
  }

  it("an error late in the input still writes nothing, though earlier documents were handled", function () {
    this.timeout(60_000);
    const bad = `${manifest()}---\nkind: [unclosed\n`;
    const r = spawnSync(process.execPath, [cli, "-f", "-", "--image", IMAGE], { input: bad, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.stdout, "");
    assert.match(r.stderr, new RegExp(`error: <stdin>, document ${DOCUMENTS + 1} \\(line \\d+\\): is not valid YAML`));
    assert.doesNotMatch(r.stderr, /^injected/m);
  });

  it("an envFrom ConfigMap after its workload still answers the look-up (the first pass keeps its keys)", function () {
    this.timeout(60_000);
    const w = deployment(1).replace("          env:\n", "          envFrom:\n            - configMapRef: {name: opts}\n          env:\n");
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: opts, namespace: dev}\ndata: {JAVA_TOOL_OPTIONS: -Xss1m}\n";
    const r = spawnSync(process.execPath, [cli, "-f", "-", "--image", IMAGE, "--strict"], { input: `${w}---\n${cm}`, encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /init-pinpoint/);
  });
});

/** Cuts a text into pieces at newlines, as the reader does, every `every` lines. */
function piecesOf(text: string, every: number): string[] {
  const lines = text.split(/(?<=\n)/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += every) out.push(lines.slice(i, i + every).join(""));
  return out;
}

const splitRows: Array<{ name: string; text: string }> = [
  { name: "plain documents", text: "a: 1\n---\nb: 2\n---\nc: 3\n" },
  { name: "a leading ---", text: "---\na: 1\n---\nb: 2\n" },
  { name: "... ends a document, then one without ---", text: "a: 1\n...\nb: 2\n...\n" },
  { name: "... as the last line of a piece", text: "a: 1\n...\nb: 2\n" },
  { name: "... then ---", text: "a: 1\n...\n---\nb: 2\n" },
  { name: "CRLF line ends", text: "a: 1\r\n---\r\nb: 2\r\n" },
  { name: "--- with a comment and blank documents", text: "--- # one\na: 1\n---\n\n---\n# only a comment\n---\nb: 2" },
  { name: "no final newline", text: "a: 1\n---\nb: 2" },
  { name: "a block scalar holding --- indented", text: "a: |\n  ---\n  text\n---\nb: 2\n" },
];

const jsonRows: Array<{ name: string; text: string }> = [
  { name: "values on their own lines", text: '{"a":1}\n{"b":2}\n' },
  { name: "values on one line", text: '{"a":1}{"b":[1,2]} {"c":"}"}\n' },
  { name: "white space between values spanning lines", text: '{"a":1}\n\n\n  \n{"b":2}\n\n' },
  { name: "a value spanning many lines", text: '{\n  "a": [\n    1,\n    2\n  ],\n  "s": "x\\"y{"\n}\n{"b":2}\n' },
  { name: "leading white space", text: '\n\n  {"a":1}\n' },
  { name: "bare scalars", text: "1 2\ntrue\n" },
];

describe("hostile input 3: the piece-by-piece reader cuts documents where the whole text is cut", () => {
  const texts = (docs: Iterable<RawDocument>) => [...docs].map((d) => `${d.line}:${JSON.stringify(d.text)}`);
  for (const row of splitRows) {
    it(`YAML: ${row.name}`, () => {
      const whole = texts(yamlDocumentTexts([row.text]));
      assert.strictEqual(whole.map((t) => JSON.parse(t.slice(t.indexOf(":") + 1))).join(""), row.text);
      for (const every of [1, 2, 3]) assert.deepStrictEqual(texts(yamlDocumentTexts(piecesOf(row.text, every))), whole, `pieces of ${every} lines`);
    });
  }
  for (const row of jsonRows) {
    it(`JSON: ${row.name}`, () => {
      const whole = texts(jsonValueTexts([row.text]));
      assert.strictEqual(whole.map((t) => JSON.parse(t.slice(t.indexOf(":") + 1))).join(""), row.text.trimStart());
      for (const every of [1, 2, 3]) assert.deepStrictEqual(texts(jsonValueTexts(piecesOf(row.text, every))), whole, `pieces of ${every} lines`);
    });
  }

  it("a file longer than one read is cut into whole lines, and a line longer than one read is read on to its end", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-pieces-"));
    try {
      const f = path.join(dir, "long.yaml");
      const longLine = `a: ${"x".repeat(READ_CHUNK_BYTES + 10)}\n`;
      const text = `${longLine}---\nb: é\n---\n${"c: 1\n".repeat(READ_CHUNK_BYTES / 4)}`;
      fs.writeFileSync(f, text);
      const pieces = [...textPieces(f, "long.yaml")];
      assert.ok(pieces.length >= 2);
      for (const p of pieces.slice(0, -1)) assert.ok(p.endsWith("\n"));
      assert.strictEqual(pieces.join(""), text);
      assert.strictEqual([...yamlDocumentTexts(pieces)].length, 3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("invalid UTF-8 in a later piece is refused with its line in the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-pieces-"));
    try {
      const f = path.join(dir, "bad.yaml");
      const lines = Math.ceil(READ_CHUNK_BYTES / 5) + 7;
      fs.writeFileSync(f, Buffer.concat([Buffer.from("c: 1\n".repeat(lines)), Buffer.from([0x62, 0x3a, 0x20, 0xff, 0x0a])]));
      assert.throws(() => [...textPieces(f, "bad.yaml")], new RegExp(`bad\\.yaml: is not valid UTF-8 \\(byte 0xff at line ${lines + 1}, byte 4 of the line\\)`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
