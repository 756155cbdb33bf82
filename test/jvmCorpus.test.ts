/**
 * JVM detection measured on a corpus distilled from public microservice
 * manifests (test/fixtures/jvm-corpus.yaml): precision and recall, from the
 * manifest alone and with the image config, and for every JVM the rules
 * instrument, that its flags land in a variable its launcher reads (or that it
 * is refused because another agent is there). The figures are printed and are
 * the ones the README quotes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { Container } from "kubernetes-types/core/v1";
import { detectJvm, ImageConfig, inject, InjectionError, podTemplateOf } from "../sdk/inject";
import { deploymentOf } from "./support/workloads";

interface CorpusRow {
  app: string;
  container: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  mounts?: string[];
  probePath?: string;
  preStop?: string[];
  imageConfig: { env?: string[]; entrypoint?: string[]; cmd?: string[] };
  truth: { jvm: boolean; reads?: string[]; otherAgent?: boolean; server?: boolean };
}

const ROWS = (parse(fs.readFileSync(path.join(__dirname, "fixtures", "jvm-corpus.yaml"), "utf8")) as { rows: CorpusRow[] }).rows;

function containerOf(r: CorpusRow): Container {
  return {
    name: r.container,
    image: r.image,
    ...(r.command ? { command: r.command } : {}),
    ...(r.args ? { args: r.args } : {}),
    ...(r.env ? { env: Object.entries(r.env).map(([name, value]) => ({ name, value })) } : {}),
    ...(r.mounts ? { volumeMounts: r.mounts.map((mountPath, i) => ({ name: `v${i}`, mountPath })) } : {}),
    ...(r.probePath ? { livenessProbe: { httpGet: { path: r.probePath, port: 8080 } } } : {}),
    ...(r.preStop ? { lifecycle: { preStop: { exec: { command: r.preStop } } } } : {}),
  };
}

const configOf = (r: CorpusRow): ImageConfig => ({ Env: r.imageConfig.env, Entrypoint: r.imageConfig.entrypoint, Cmd: r.imageConfig.cmd });

interface Figures {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  misses: string[];
}

function measure(withImage: boolean): Figures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const r of ROWS) {
    const v = detectJvm(containerOf(r), withImage ? configOf(r) : undefined);
    if (v.jvm && r.truth.jvm) tp++;
    else if (v.jvm) {
      fp++;
      misses.push(`false positive ${r.app}/${r.container}: ${v.because}`);
    } else if (r.truth.jvm) {
      fn++;
      misses.push(`missed ${r.app}/${r.container}: ${v.because}`);
    }
  }
  return { tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn), misses };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

describe("JVM detection on the public-manifest corpus", () => {
  const jvms = ROWS.filter((r) => r.truth.jvm).length;

  it(`has ${ROWS.length} containers, ${jvms} of them JVMs, from 8 projects`, () => {
    assert.strictEqual(new Set(ROWS.map((r) => r.app)).size, 8);
    assert.ok(jvms >= 15 && ROWS.length - jvms >= 40, `${jvms} JVMs of ${ROWS.length}`);
  });

  it("from the manifest alone: no false positive; the misses are images whose manifest says nothing of Java", () => {
    const f = measure(false);
    console.log(`      manifest only: precision ${pct(f.precision)}, recall ${pct(f.recall)} (${f.tp} found, ${f.fp} false, ${f.fn} missed)`);
    for (const m of f.misses) console.log(`        ${m}`);
    assert.strictEqual(f.fp, 0, f.misses.join("\n"));
    assert.ok(f.recall >= 0.6, `recall ${pct(f.recall)}`);
  });

  it("with the image config: every JVM found, no false positive", () => {
    const f = measure(true);
    console.log(`      image-aware:   precision ${pct(f.precision)}, recall ${pct(f.recall)} (${f.tp} found, ${f.fp} false, ${f.fn} missed)`);
    for (const m of f.misses) console.log(`        ${m}`);
    assert.strictEqual(f.fp, 0, f.misses.join("\n"));
    assert.strictEqual(f.fn, 0, f.misses.join("\n"));
  });

  for (const withImage of [false, true]) {
    it(`${withImage ? "image-aware" : "manifest only"}: each instrumented JVM gets its flags in a variable its launcher reads; none but JVMs are touched`, () => {
      let instrumented = 0;
      let inRead = 0;
      let refused = 0;
      for (const r of ROWS) {
        const images = withImage ? { [r.image]: { config: configOf(r) } } : undefined;
        let result;
        try {
          // Precision of the rules alone: containers of unknown kind are left alone here (jvmRecall.test.ts measures the default policy).
          result = inject(deploymentOf(r.container, [containerOf(r)], undefined, r.app), { image: "harbor.59iedu.com/fjhb/pp_agent:latest", images, unknownContainers: "skip" });
        } catch (e) {
          assert.ok(e instanceof InjectionError, String(e));
          // Refused only where another agent is already configured.
          assert.ok(r.truth.otherAgent, `${r.app}/${r.container}: ${(e as Error).message}`);
          assert.match((e as Error).message, /already loads the OpenTelemetry Java agent/);
          refused++;
          continue;
        }
        if (!result.injected) continue;
        instrumented++;
        assert.ok(r.truth.jvm && !r.truth.server, `${r.app}/${r.container} is no app JVM but was instrumented: ${result.reason}`);
        const c = podTemplateOf(result.workload)!.spec!.containers[0];
        const variable = result.containerReasons[0].optionsEnv!;
        assert.match(c.env!.find((e) => e.name === variable)!.value!, /-javaagent:\/var\/init\/pinpoint\/pinpoint-bootstrap\.jar/);
        assert.ok(r.truth.reads!.includes(variable), `${r.app}/${r.container}: ${variable} is not read by its launcher (${r.truth.reads!.join(", ")})`);
        inRead++;
      }
      console.log(`      ${withImage ? "image-aware" : "manifest only"}: ${instrumented} instrumented, ${inRead} with the flags in a variable the launcher reads, ${refused} refused (another agent)`);
      assert.strictEqual(inRead, instrumented);
      assert.ok(instrumented > 0);
    });
  }
});
