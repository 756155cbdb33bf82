/**
 * JVM recall on manifests that do not announce their JVMs (issue 19): the
 * held-out corpus test/fixtures/jvm-recall-corpus.yaml, run through inject()
 * as a user would, with the defaults (manifest only, unknownContainers
 * instrument), and again with every image config supplied as from files.
 * For each container the truth says whether it is the project's own JVM, a
 * packaged JVM server or no JVM, and which variables its launcher honours; a
 * JVM counts as found only when the flags land in one of those. The figures
 * are printed, checked against the targets, and are the ones README quotes
 * (the last test holds README to them).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { Container, EnvFromSource, EnvVar } from "kubernetes-types/core/v1";
import { envSourceKey, EnvSources, ImageConfig, ImageLookups, inject, InjectOptions } from "../sdk/inject";
import { deploymentOf } from "./support/workloads";

interface Row {
  project: string;
  part: "design" | "heldout";
  workload: string;
  container: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: string[];
  envFrom?: string[];
  probes?: string[];
  preStop?: string[];
  mounts?: string[];
  imageConfig: { env?: string[]; entrypoint?: string[]; cmd?: string[] };
  truth: { kind: "app-jvm" | "server-jvm" | "non-jvm"; reads?: string[] };
  source: string;
}

interface Corpus {
  sources: Record<string, Array<{ kind: "ConfigMap" | "Secret"; name: string; keys: string[] }>>;
  rows: Row[];
}

const CORPUS = parse(fs.readFileSync(path.join(__dirname, "fixtures", "jvm-recall-corpus.yaml"), "utf8")) as Corpus;
const AGENT = "harbor.59iedu.com/fjhb/pp_agent:latest";

function envOf(entries: readonly string[]): EnvVar[] {
  return entries.map((e) => {
    const from = /^([A-Za-z_][A-Za-z0-9_]*)\(valueFrom\)$/.exec(e);
    if (from) return { name: from[1], valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };
    const eq = e.indexOf("=");
    return { name: e.slice(0, eq), value: e.slice(eq + 1) };
  });
}

function envFromOf(entries: readonly string[]): EnvFromSource[] {
  return entries.map((e) => {
    const [kind, name] = e.split(":");
    return kind === "secret" ? { secretRef: { name } } : { configMapRef: { name } };
  });
}

/** The container as the manifest states it (probes: HTTP paths, or exec:… a shell line). */
export function containerOf(r: Row): Container {
  const probe = (p: string) => (p.startsWith("exec:") ? { exec: { command: ["sh", "-c", p.slice(5)] } } : { httpGet: { path: p, port: 8080 } });
  return {
    name: r.container,
    image: r.image,
    ...(r.command ? { command: r.command } : {}),
    ...(r.args ? { args: r.args } : {}),
    ...(r.env && r.env.length > 0 ? { env: envOf(r.env) } : {}),
    ...(r.envFrom ? { envFrom: envFromOf(r.envFrom) } : {}),
    ...(r.probes?.[0] ? { livenessProbe: probe(r.probes[0]) } : {}),
    ...(r.probes?.[1] ? { readinessProbe: probe(r.probes[1]) } : {}),
    ...(r.preStop ? { lifecycle: { preStop: { exec: { command: r.preStop } } } } : {}),
    ...(r.mounts ? { volumeMounts: r.mounts.map((mountPath, i) => ({ name: `v${i}`, mountPath })) } : {}),
  };
}

const configOf = (r: Row): ImageConfig => ({ Env: r.imageConfig.env, Entrypoint: r.imageConfig.entrypoint, Cmd: r.imageConfig.cmd });

function sourcesOf(project: string): EnvSources {
  const out: Record<string, string[]> = {};
  for (const s of CORPUS.sources[project] ?? []) out[envSourceKey(s.kind, undefined, s.name)] = s.keys;
  return out;
}

/** A known non-JVM: an official image, whose kind any user can tell from its name. */
const isKnownNonJvm = (r: Row) => r.truth.kind === "non-jvm" && /^official /.test(r.source);

interface Outcome {
  row: Row;
  touched: boolean;
  variable?: string;
  loaded: boolean;
  reason: string;
}

function runRow(r: Row, withImages: boolean, extra: Partial<InjectOptions> = {}): Outcome {
  const images: ImageLookups | undefined = withImages ? { [r.image]: { config: configOf(r) } } : undefined;
  const result = inject(deploymentOf(r.workload, [containerOf(r)], undefined, ""), { image: AGENT, images, envSources: sourcesOf(r.project), ...extra });
  const variable = result.containerReasons[0]?.optionsEnv;
  return {
    row: r,
    touched: result.injected,
    variable,
    loaded: result.injected && r.truth.kind !== "non-jvm" && (r.truth.reads ?? []).includes(variable ?? ""),
    reason: result.containerReasons[0]?.reason ?? result.reason ?? "",
  };
}

export interface Figures {
  appJvms: number;
  appLoaded: number;
  knownNonJvms: number;
  knownTouched: number;
  otherNonJvms: number;
  otherTouched: number;
  servers: number;
  serversTouched: number;
  misses: string[];
}

function figures(rows: readonly Row[], withImages: boolean, extra: Partial<InjectOptions> = {}): Figures {
  const f: Figures = { appJvms: 0, appLoaded: 0, knownNonJvms: 0, knownTouched: 0, otherNonJvms: 0, otherTouched: 0, servers: 0, serversTouched: 0, misses: [] };
  for (const r of rows) {
    const o = runRow(r, withImages, extra);
    const where = `${r.project}/${r.workload}/${r.container}`;
    if (r.truth.kind === "app-jvm") {
      f.appJvms++;
      if (o.loaded) f.appLoaded++;
      else f.misses.push(`missed ${where}: ${o.reason}`);
    } else if (r.truth.kind === "server-jvm") {
      f.servers++;
      if (o.touched) f.serversTouched++;
      if (o.touched && !o.loaded) f.misses.push(`server ${where} given ${o.variable}, which its launcher does not honour`);
    } else if (isKnownNonJvm(r)) {
      f.knownNonJvms++;
      if (o.touched) {
        f.knownTouched++;
        f.misses.push(`touched known non-JVM ${where}: ${o.reason}`);
      }
    } else {
      f.otherNonJvms++;
      if (o.touched) f.otherTouched++;
    }
  }
  return f;
}

const pct = (n: number, d: number) => (d === 0 ? "n/a" : `${((100 * n) / d).toFixed(1)}%`);

/** One README line per run: the figures as README states them. */
export function figuresLine(label: string, f: Figures): string {
  return (
    `${label}: JVM services whose launcher loads the agent ${f.appLoaded}/${f.appJvms} (${pct(f.appLoaded, f.appJvms)}); ` +
    `known non-JVM images touched ${f.knownTouched}/${f.knownNonJvms} (${pct(f.knownTouched, f.knownNonJvms)}); ` +
    `other non-JVMs touched ${f.otherTouched}/${f.otherNonJvms} (${pct(f.otherTouched, f.otherNonJvms)}); ` +
    `packaged JVM servers touched ${f.serversTouched}/${f.servers}`
  );
}

const HELDOUT = CORPUS.rows.filter((r) => r.part === "heldout");
const ALL = CORPUS.rows;

describe("JVM recall on public manifests that do not announce their JVMs", () => {
  const lines: string[] = [];

  it(`the corpus: ${ALL.length} containers from ${new Set(ALL.map((r) => r.project)).size} projects, none in jvm-corpus.yaml, a held-out part never used to write rules`, () => {
    assert.ok(ALL.length >= 100, `${ALL.length} containers`);
    const old = parse(fs.readFileSync(path.join(__dirname, "fixtures", "jvm-corpus.yaml"), "utf8")) as { rows: Array<{ app: string; image: string }> };
    const oldImages = new Set(old.rows.map((r) => r.image));
    for (const r of ALL) assert.ok(!oldImages.has(r.image) || /^official /.test(r.source), `${r.image} is in jvm-corpus.yaml`);
    assert.ok(HELDOUT.length >= 50 && HELDOUT.some((r) => r.truth.kind === "app-jvm") && HELDOUT.some((r) => r.truth.kind === "non-jvm"));
    for (const r of ALL) assert.ok(r.truth.kind === "non-jvm" || (r.truth.reads ?? []).length > 0, `${r.workload}: a JVM row names the variables its launcher reads`);
  });

  for (const [label, rows] of [
    ["held-out", HELDOUT],
    ["whole corpus", ALL],
  ] as const) {
    it(`${label}, manifest only, default policy: ≥ 90% of JVM services load the agent, no known non-JVM image is touched`, () => {
      const f = figures(rows, false);
      const line = figuresLine(`${label}, manifest only`, f);
      lines.push(line);
      console.log(`      ${line}`);
      for (const m of f.misses) console.log(`        ${m}`);
      assert.ok(f.appLoaded / f.appJvms >= 0.9, line);
      assert.strictEqual(f.knownTouched, 0, f.misses.join("\n"));
    });

    it(`${label}, image configs from files: ≥ 98% of JVM services load the agent, ≤ 5% of non-JVMs touched`, () => {
      const f = figures(rows, true);
      const line = figuresLine(`${label}, image configs from files`, f);
      lines.push(line);
      console.log(`      ${line}`);
      for (const m of f.misses) console.log(`        ${m}`);
      assert.ok(f.appLoaded / f.appJvms >= 0.98, line);
      assert.ok((f.knownTouched + f.otherTouched) / (f.knownNonJvms + f.otherNonJvms) <= 0.05, line);
    });
  }

  it("with unknownContainers skip (the rules alone): no non-JVM touched; recall is what the manifests show", () => {
    const f = figures(ALL, false, { unknownContainers: "skip" });
    const line = figuresLine("whole corpus, manifest only, unknownContainers skip", f);
    lines.push(line);
    console.log(`      ${line}`);
    assert.strictEqual(f.knownTouched + f.otherTouched, 0, f.misses.join("\n"));
  });

  it("every packaged server that is touched gets a variable its launcher honours (Elasticsearch: ES_JAVA_OPTS)", () => {
    for (const withImages of [false, true]) {
      const f = figures(ALL, withImages);
      assert.deepStrictEqual(f.misses.filter((m) => m.startsWith("server ")), []);
    }
  });

  it("README quotes these figures", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    for (const line of lines) assert.ok(readme.includes(line), `README lacks:\n${line}`);
  });
});
