/**
 * The docs against what they describe, so they cannot drift: README's
 * TypeScript snippets compile against the package, every render command an
 * example's README gives runs and prints what the README shows, and every
 * relative link in the Markdown files resolves.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiled } from "./support/compiled";

const ROOT = path.join(__dirname, "..");
const SCRATCH = path.join(ROOT, "node_modules", ".cache");
const README = path.join(ROOT, "README.md");
/** The render a README command runs: `npm run render -- <args>`. */
const RENDER_COMMAND = /^npm run render -- (.+?)\s*(#.*)?$/;
const RENDER_TIMEOUT_MS = 180_000;

/** Fenced blocks of a Markdown text: the language after the fence, the body, and the text before it. */
function fencedBlocks(text: string): { lang: string; body: string; before: string }[] {
  const blocks: { lang: string; body: string; before: string }[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  let last = 0;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    blocks.push({ lang: m[1], body: m[2], before: text.slice(last, m.index) });
    last = m.index + m[0].length;
  }
  return blocks;
}

/** Every Markdown file a reader opens: the README, the docs, the examples', the changelog, the bench results. */
function markdownFiles(): string[] {
  const dirs = ["", "docs", "bench", "stacks", ...fs.readdirSync(path.join(ROOT, "examples")).map((d) => path.join("examples", d))];
  return dirs.flatMap((d) =>
    fs.existsSync(path.join(ROOT, d)) && fs.statSync(path.join(ROOT, d)).isDirectory()
      ? fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".md")).map((f) => path.join(ROOT, d, f))
      : [],
  );
}

describe("docs", () => {
  it("README's TypeScript snippets compile against the package", function () {
    this.timeout(RENDER_TIMEOUT_MS);
    const snippets = fencedBlocks(fs.readFileSync(README, "utf8")).filter((b) => b.lang === "ts");
    assert.ok(snippets.length >= 2, "README has its TypeScript snippets");
    fs.mkdirSync(SCRATCH, { recursive: true });
    const dir = fs.mkdtempSync(path.join(SCRATCH, "readme-snippets-"));
    try {
      // Each snippet is a module of its own, as a user pastes it into a program.
      const files = snippets.map((s, i) => {
        const f = path.join(dir, `snippet-${i + 1}.ts`);
        fs.writeFileSync(f, `${s.body}\nexport {};\n`);
        return f;
      });
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: path.join(ROOT, "tsconfig.json"),
          // The package by name, as an installed copy's types would resolve: its source.
          compilerOptions: { noEmit: true, rootDir: ROOT, baseUrl: ROOT, paths: { "@fjhb/pulumi-pinpoint": ["sdk/index.ts"] }, noUnusedLocals: false },
          files,
          include: [],
        }),
      );
      const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(dir, "tsconfig.json")], { encoding: "utf8" });
      assert.strictEqual(tsc.status, 0, `README's snippets do not compile:\n${tsc.stdout}${tsc.stderr}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("every render command of an example's README runs and prints what the README shows", () => {
    const examples = fs.readdirSync(path.join(ROOT, "examples")).filter((d) => fs.existsSync(path.join(ROOT, "examples", d, "README.md")));
    for (const name of examples) {
      const blocks = fencedBlocks(fs.readFileSync(path.join(ROOT, "examples", name, "README.md"), "utf8"));
      blocks.forEach((block, i) => {
        if (block.lang !== "sh") return;
        const commands = block.body.split("\n").flatMap((line) => RENDER_COMMAND.exec(line.trim())?.[1] ?? []);
        if (commands.length === 0) return;
        // A plain block right after the commands (prose between is fine, another block is not) is the last one's output.
        const shown = blocks[i + 1]?.lang === "" ? blocks[i + 1].body : undefined;
        it(`${name}: ${commands.join("; ")}${shown ? ", output as shown" : ""}`, function () {
          this.timeout(RENDER_TIMEOUT_MS);
          let stdout = "";
          for (const args of commands) {
            const out = fs.mkdtempSync(path.join(SCRATCH, "readme-render-"));
            try {
              const r = spawnSync(process.execPath, [compiled("cli/render.js"), ...args.split(/\s+/), "--out", out], { cwd: ROOT, encoding: "utf8" });
              assert.strictEqual(r.status, 0, `npm run render -- ${args}: ${r.stderr}`);
              stdout = r.stdout;
            } finally {
              fs.rmSync(out, { recursive: true, force: true });
            }
          }
          if (shown !== undefined) assert.strictEqual(stdout, shown);
        });
      });
    }
  });

  it("no heading runs into another (a `### A### A` line renders as one garbled heading)", () => {
    for (const file of markdownFiles()) {
      let fenced = false;
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (line.startsWith("```")) fenced = !fenced;
        if (!fenced && /^#{1,6} /.test(line)) assert.doesNotMatch(line.replace(/^#+ /, ""), /#{2,6} /, `${path.relative(ROOT, file)}: ${line}`);
      }
    }
  });

  describe("every relative link resolves", () => {
    for (const file of markdownFiles()) {
      it(path.relative(ROOT, file), () => {
        const text = fs.readFileSync(file, "utf8");
        const broken = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
          .map((m) => m[1])
          .filter((target) => !/^[a-z]+:/i.test(target))
          .filter((target) => !fs.existsSync(path.resolve(path.dirname(file), target)));
        assert.deepStrictEqual(broken, [], `${path.relative(ROOT, file)} links to what is not there`);
      });
    }
  });
});
