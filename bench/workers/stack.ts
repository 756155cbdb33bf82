/**
 * Child for part 1: a Pulumi program under the mock engine (what the tests and
 * the offline render use) that declares N Deployments next to PinpointApm, with
 * instrumentation on or off by stack config, as a user switches it.
 * Usage: stack.js <N> <on|off|plain|identity>
 * `plain` and `identity` (for --diagnose) keep PinpointApm off and register a
 * transform of their own: `plain` instruments with inject() and a plain image
 * string (the instrumented size, no Outputs), `identity` returns the props as
 * they came (the cost of having a transform at all).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PerformanceObserver } from "perf_hooks";
import type * as Pkg from "../../bin";
import type * as Engine from "../../bin/render/mockEngine";
import { requireBuilt } from "../lib/paths";
import { COLLECTOR, deployment, IMAGE, PREFIX } from "../lib/workloads";

export interface StackResult {
  runMs: number;
  runCpuMs: number;
  deployments: number;
  instrumented: number;
  errors: string[];
  /** Main-thread pauses for garbage collection during the run. */
  gcMs: number;
  /** Time spent inside the registered transform itself (its synchronous part). */
  transformMs: number;
  transformCalls: number;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  const mode = process.argv[3];
  const on = mode === "on";
  const pkg = requireBuilt<typeof Pkg>();
  const engine = requireBuilt<typeof Engine>("bin/render/mockEngine");

  // Time the transform's own work, to tell it apart from the harness's: wrap what PinpointApm registers.
  let transformMs = 0;
  let transformCalls = 0;
  const register = pulumi.runtime.registerResourceTransform;
  (pulumi.runtime as { registerResourceTransform: typeof register }).registerResourceTransform = (t) =>
    register((args) => {
      const start = performance.now();
      try {
        return t(args);
      } finally {
        transformMs += performance.now() - start;
        transformCalls++;
      }
    });

  const resolved = pkg.resolveOptions({ image: IMAGE, applicationNamePrefix: PREFIX, collectorHost: COLLECTOR });
  const program = () => {
    new pkg.PinpointApm("pinpoint");
    if (mode === "identity") pulumi.runtime.registerResourceTransform((a) => ({ props: a.props, opts: a.opts }));
    if (mode === "plain") {
      pulumi.runtime.registerResourceTransform((a) => {
        if (a.type !== "kubernetes:apps/v1:Deployment") return undefined;
        const w = { ...a.props, kind: "Deployment", apiVersion: "apps/v1" } as Pkg.Workload;
        return { props: pkg.inject(w, { ...resolved, defaultName: a.name }).workload as unknown as pulumi.Inputs, opts: a.opts };
      });
    }
    for (let i = 0; i < n; i++) {
      const d = deployment(i);
      new k8s.apps.v1.Deployment(d.metadata.name, { metadata: d.metadata, spec: d.spec });
    }
  };
  // The same config both ways but for the switch, so only instrumentation differs.
  const config = { enabled: on ? "true" : "false", agentImage: IMAGE, collectorHost: COLLECTOR, applicationNamePrefix: PREFIX };

  // GC pauses, to tell the program's own work from the collector's, whose cost grows with the live heap.
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ["gc"] });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = await engine.runProgram(program, { config });
  const runMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // GC entries arrive on a later turn of the event loop: let them in before reading.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc.disconnect();

  const deployments = engine.ofType(run, "kubernetes:apps/v1:Deployment");
  const instrumented = deployments.filter((d) => (d.inputs.spec.template.spec.initContainers ?? []).length > 0).length;
  const result: StackResult = {
    runMs,
    runCpuMs: (cpu.user + cpu.system) / 1000,
    deployments: deployments.length,
    instrumented,
    errors: run.errors.slice(0, 3),
    gcMs,
    transformMs,
    transformCalls,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
