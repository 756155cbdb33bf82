/**
 * Property test: real-world-shaped manifests, mutated by fast-check (comments,
 * CRLF, quoting styles, indentation of lists, `key:` with no value, values
 * that YAML 1.1 would turn into numbers or dates, no final newline, other
 * documents around), run through the CLI's reading, the core and the CLI's
 * writing. Checks: the output parses to the core's values, documents the tool
 * does not change are byte-identical, injecting twice equals once, and
 * uninject after inject gives the input back byte for byte.
 */
import * as assert from "assert";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { inject, InjectOptions, uninject, Workload } from "../sdk/inject";
import { formatYaml, OutputDocument, parseSource } from "../sdk/cli/manifests";
import { KUBE_PARSE_OPTIONS, KUBE_TO_JS_OPTIONS } from "../sdk/cli/kubeYaml";

// select all: these manifests are about YAML shapes, not JVM detection (jvm.test.ts and jvmCorpus.test.ts hold those rules).
const OPTIONS: InjectOptions = { image: "harbor.59iedu.com/fjhb/pp_agent:latest", applicationNamePrefix: "dev-", collectorHost: "pinpoint-collector.pinpoint", select: "all" };
const RUNS = 150;

interface Shape {
  crlf: boolean;
  finalNewline: boolean;
  indentedLists: boolean;
  quote: "plain" | "single" | "double";
  headerComment: boolean;
  innerComment: boolean;
  emptyLabel: boolean;
  optsValue?: string;
  extraEnv: string[];
  withService: "none" | "before" | "after";
  templateMetadata: boolean;
  initContainer: boolean;
  volumes: boolean;
  /** Helm's `key:` with no value: `env:`, `volumes:`, the template's `annotations:`. */
  emptyFields: boolean;
  name: string;
}

const quoteValue = (v: string, q: Shape["quote"]) => (q === "single" ? `'${v}'` : q === "double" ? `"${v}"` : v);

/**
 * Values kubectl reads as strings that a YAML 1.1 reader would change. An
 * unquoted yes is not one: kubectl reads it as true, which the API server
 * refuses for an env value (hostile3.test.ts holds that row).
 */
const AWKWARD_VALUES = ["12:30:00", "2001-12-14t21:59:43.10Z", "'on'", "\"0644\"", "~", "", "'a # not a comment'", "'x: y'", "e0", "'yes'"];

function manifest(s: Shape): string {
  const li = s.indentedLists ? "  " : "";
  const lines: string[] = [];
  if (s.headerComment) lines.push("# Source: chart/templates/deployment.yaml");
  lines.push("apiVersion: apps/v1", "kind: Deployment", "metadata:", `  name: ${nameValue(s.name)}`, "  labels:", "    app: web");
  if (s.emptyLabel) lines.push("    empty:");
  lines.push("spec:", "  replicas: 2", "  template:");
  if (s.templateMetadata) lines.push("    metadata:", "      labels: {app: web}", ...(s.emptyFields ? ["      annotations:"] : []));
  lines.push("    spec:");
  if (s.initContainer) lines.push("      initContainers:", `      ${li}- name: migrate`, `      ${li}  image: flyway:9`);
  lines.push("      containers:", `      ${li}- name: app${s.innerComment ? "  # the app" : ""}`, `      ${li}  image: ${quoteValue("tomcat:9", s.quote)}`);
  const env: string[] = [];
  // An empty value is written quoted: a bare `value:` is null, which uninject gives back as no value (the same to Kubernetes).
  const opts = s.optsValue === "" ? '""' : s.optsValue !== undefined ? quoteValue(s.optsValue, s.quote) : undefined;
  if (opts !== undefined) env.push(`      ${li}  ${li}- name: CATALINA_OPTS`, `      ${li}  ${li}  value: ${opts}`);
  s.extraEnv.forEach((v, i) => env.push(`      ${li}  ${li}- name: EXTRA_${i}`, `      ${li}  ${li}  value: ${v}`));
  if (env.length > 0) lines.push(`      ${li}  env:`, ...(s.innerComment ? [`      ${li}  ${li}# set by hand`] : []), ...env);
  else if (s.emptyFields) lines.push(`      ${li}  env:`);
  if (s.volumes) lines.push("      volumes:", `      ${li}- name: data`, `      ${li}  emptyDir: {}`);
  else if (s.emptyFields) lines.push("      volumes:");
  let text = lines.join("\n");
  const service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}   # untouched\nspec:\n  ports:\n  - port: 80\n";
  if (s.withService === "before") text = `${service}---\n${text}`;
  if (s.withService === "after") text = `${text}\n---\n${service.replace(/\n$/, "")}`;
  if (s.finalNewline) text += "\n";
  return s.crlf ? text.replace(/\n/g, "\r\n") : text;
}

const shapes: fc.Arbitrary<Shape> = fc.record({
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  indentedLists: fc.boolean(),
  quote: fc.constantFrom("plain" as const, "single" as const, "double" as const),
  headerComment: fc.boolean(),
  innerComment: fc.boolean(),
  emptyLabel: fc.boolean(),
  optsValue: fc.option(fc.constantFrom("-Xmx512m", "-Xmx1g -Dfile.encoding=UTF-8", ""), { nil: undefined }),
  extraEnv: fc.array(fc.constantFrom(...AWKWARD_VALUES), { maxLength: 3 }),
  withService: fc.constantFrom("none" as const, "before" as const, "after" as const),
  templateMetadata: fc.boolean(),
  initContainer: fc.boolean(),
  volumes: fc.boolean(),
  emptyFields: fc.boolean(),
  // YAML 1.1 reads some such names (no, on, yes, off, y, n) as booleans: those are written quoted, as a user must (name-no.yaml is the fixed row of the counterexample).
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/),
});

/** Words YAML 1.1 (kubectl's reader) turns into booleans or null, which a name must quote. */
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
const nameValue = (name: string) => (YAML11_WORDS.test(name) ? `"${name}"` : name);

/** A fixed seed (PROPERTY_SEED) replays a run; otherwise a new one each run, printed so a failure can be replayed. */
const SEED = process.env.PROPERTY_SEED !== undefined ? Number(process.env.PROPERTY_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);

/** Every counterexample the property found, kept as a fixed input run on each test. */
const COUNTEREXAMPLES: Array<Partial<Shape> & { found: string }> = [{ found: "name: no read as false (about 1 run in 20)", name: "no" }, { found: "the same class", name: "on" }, { found: "the same class", name: "y" }];

type Step = (w: Workload) => Workload;

/** What the CLI does to a text: read, change each workload with `step`, write. */
function pipe(text: string, step: Step): string {
  const docs = parseSource({ name: "-", text, format: "yaml" });
  const out: OutputDocument[] = docs.map((d) => {
    const v = d.value as Workload | null;
    if (!v || v.kind !== "Deployment") return { document: d };
    const next = step(v);
    return JSON.stringify(next) === JSON.stringify(v) ? { document: d } : { document: d, value: next };
  });
  return formatYaml(out);
}

const injectStep: Step = (w) => inject(w, OPTIONS).workload;
const uninjectStep: Step = (w) => uninject(w).workload;
const values = (text: string) => {
  const docs = parseAllDocuments(text, KUBE_PARSE_OPTIONS);
  for (const d of docs) assert.deepStrictEqual(d.errors, []);
  return docs.map((d) => d.toJS(KUBE_TO_JS_OPTIONS)).filter((v) => v !== null);
};

/** The property itself: output parses to the core's values; untouched documents stay byte for byte; twice = once; uninject(inject(x)) = x. */
function holds(s: Shape): void {
  const input = manifest(s);
  const once = pipe(input, injectStep);
  // The output parses, to exactly what the core returns.
  const expected = values(input).map((v) => (v.kind === "Deployment" ? inject(v, OPTIONS).workload : v));
  assert.deepStrictEqual(values(once), expected);
  // The Service, which the tool does not change, is there byte for byte.
  if (s.withService !== "none") {
    const service = input.split(/\r?\n---\r?\n/)[s.withService === "before" ? 0 : 1];
    assert.ok(once.includes(service), "the Service document changed");
  }
  // Every line of the input is still there, in order (nothing the tool did not add was changed).
  assert.strictEqual(pipe(once, injectStep), once, "injecting twice must equal injecting once");
  assert.strictEqual(pipe(once, uninjectStep), input, "uninject(inject(x)) must be x, byte for byte");
}

const PLAIN_SHAPE: Shape = {
  crlf: false,
  finalNewline: true,
  indentedLists: false,
  quote: "plain",
  headerComment: false,
  innerComment: false,
  emptyLabel: false,
  extraEnv: [],
  withService: "none",
  templateMetadata: true,
  initContainer: false,
  volumes: false,
  emptyFields: false,
  name: "web",
};

describe("property: the CLI changes only what it adds", () => {
  for (const { found, ...shape } of COUNTEREXAMPLES) {
    it(`counterexample found before: ${found} (${JSON.stringify(shape)})`, () => holds({ ...PLAIN_SHAPE, ...shape }));
  }
  it("output parses to the core's values; untouched documents stay byte for byte; twice = once; uninject(inject(x)) = x", function () {
    this.timeout(120_000);
    // Printed first, so a failing run can be replayed with PROPERTY_SEED=<seed>.
    console.log(`      property seed: ${SEED} (replay: PROPERTY_SEED=${SEED})`);
    fc.assert(fc.property(shapes, holds), { numRuns: RUNS, seed: SEED });
  });
});
