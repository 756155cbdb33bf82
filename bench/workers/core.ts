/**
 * Child for part 2: the injection core alone, against a plain deep copy of the
 * same object (structuredClone: the least any pure "object in, new object out"
 * function must pay), and the stack transform's callback as the engine calls it.
 * Batches are interleaved round by round so drift hits all three alike.
 * Usage: core.js <rounds> <batch>
 */
import type * as Pkg from "../../bin";
import { requireBuilt } from "../lib/paths";
import { COLLECTOR, deployment, IMAGE, PREFIX } from "../lib/workloads";

export interface CoreResult {
  /** Per-operation time of each round, µs. */
  cloneUs: number[];
  injectUs: number[];
  copyPlainUs: number[];
  transformUs: number[];
}

const pkg = requireBuilt<typeof Pkg>();
const rounds = Number(process.argv[2]);
const batch = Number(process.argv[3]);
const workload = deployment(7) as Pkg.Workload;
const resolved = pkg.resolveOptions({ image: IMAGE, applicationNamePrefix: PREFIX, collectorHost: COLLECTOR });
const transform = pkg.pinpointTransform({ image: IMAGE, applicationNamePrefix: PREFIX, collectorHost: COLLECTOR });
const transformArgs = {
  type: "kubernetes:apps/v1:Deployment",
  name: "app-7",
  custom: true,
  props: { metadata: workload.metadata, spec: workload.spec } as Record<string, unknown>,
  opts: {},
};

// Something observable from every result, so no call can be optimised away.
let sink = 0;
const ops: Record<keyof CoreResult, () => void> = {
  cloneUs: () => {
    sink += structuredClone(workload).metadata!.name!.length;
  },
  copyPlainUs: () => {
    sink += pkg.copyPlain(workload).metadata!.name!.length;
  },
  injectUs: () => {
    const r = pkg.inject(workload, resolved);
    if (!r.injected) throw new Error(`bench: workload not injected: ${r.reason}`);
    sink += r.containers.length;
  },
  transformUs: () => {
    const r = transform(transformArgs);
    if (!r || r instanceof Promise) throw new Error("bench: transform did not instrument synchronously");
    sink += Object.keys(r.props).length;
  },
};

function timeBatch(op: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) op();
  return Number(process.hrtime.bigint() - start) / 1e3 / batch;
}

const names = Object.keys(ops) as (keyof CoreResult)[];
const result: CoreResult = { cloneUs: [], injectUs: [], copyPlainUs: [], transformUs: [] };
for (const name of names) timeBatch(ops[name]); // warm-up: let the JIT settle before anything counts
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round.
  for (let k = 0; k < names.length; k++) {
    const name = names[(r + k) % names.length];
    result[name].push(timeBatch(ops[name]));
  }
}
if (sink === 0) throw new Error("unreachable");
process.stdout.write(`${JSON.stringify(result)}\n`);
