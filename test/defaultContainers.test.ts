/**
 * The `defaultContainers` option of the core (the CLI's --containers): which
 * containers a workload without the containers annotation gets the agent in.
 * One table row per rule.
 */
import * as assert from "assert";
import { ANNOTATION_CONTAINERS, inject, InjectOptions, podTemplateOf, resolveOptions, SelectMode, uninject, Workload } from "../sdk/inject";

const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";

function deployment(containers: string[], annotation?: string): Workload {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "orders", namespace: "dev" },
    spec: {
      selector: { matchLabels: { app: "orders" } },
      template: {
        metadata: { labels: { app: "orders" }, ...(annotation !== undefined ? { annotations: { [ANNOTATION_CONTAINERS]: annotation } } : {}) },
        spec: { containers: containers.map((name) => ({ name, image: `${name}:1` })) },
      },
    },
  };
}

interface Row {
  name: string;
  containers: string[];
  annotation?: string;
  defaults?: string[];
  select?: SelectMode;
  /** Containers expected to carry the agent, in pod order. */
  expect?: string[];
  error?: RegExp;
}

const rows: Row[] = [
  { name: "no default, no annotation, select all: the first container", containers: ["app", "sidecar"], select: "all", expect: ["app"] },
  { name: "empty default list behaves as none", containers: ["app", "sidecar"], defaults: [], select: "all", expect: ["app"] },
  { name: "no default, no annotation, select auto: the first JVM container", containers: ["sidecar", "tomcat", "openjdk"], expect: ["tomcat"] },
  { name: "no default, no annotation, select auto, no JVM evidence: the first unknown (unknownContainers: instrument)", containers: ["app", "sidecar"], expect: ["app"] },
  { name: "a default names a container that is no JVM: named is forced", containers: ["sidecar", "app"], defaults: ["app"], expect: ["app"] },
  { name: "default picks a later container", containers: ["sidecar", "app"], defaults: ["app"], expect: ["app"] },
  { name: "default names several: those present, in pod order", containers: ["b", "x", "a"], defaults: ["a", "b"], expect: ["b", "a"] },
  { name: "default names one the pod lacks: the others still apply", containers: ["app"], defaults: ["app", "worker"], expect: ["app"] },
  { name: "the annotation wins over the default", containers: ["app", "sidecar"], annotation: "sidecar", defaults: ["app"], expect: ["sidecar"] },
  { name: "white space and repeats in the default are ignored", containers: ["app"], defaults: [" app ", "app", ""], expect: ["app"] },
  {
    name: "none of the defaults in the pod: error naming the fix",
    containers: ["web"],
    defaults: ["app"],
    error: /Deployment dev\/orders: has none of the default containers \(app\); it has: web: name its containers with the pinpoint\.fjhb\.cn\/containers annotation, or opt out/,
  },
  { name: "an invalid container name is rejected when options resolve", containers: ["app"], defaults: ["App_1"], error: /defaultContainers names "App_1", which is not a valid container name/ },
];

describe("inject: defaultContainers", () => {
  for (const row of rows) {
    it(row.name, () => {
      const options: InjectOptions = { image: IMAGE, defaultContainers: row.defaults, select: row.select };
      const input = deployment(row.containers, row.annotation);
      if (row.error) {
        assert.throws(() => inject(input, resolveOptions(options)), row.error);
        return;
      }
      const result = inject(input, resolveOptions(options));
      assert.strictEqual(result.injected, row.expect!.length > 0);
      assert.deepStrictEqual(result.containers, row.expect);
      const withMount = podTemplateOf(result.workload)!.spec!.containers.filter((c) => c.volumeMounts?.some((m) => m.name === "pp-agent"));
      assert.deepStrictEqual(withMount.map((c) => c.name), row.expect);
      // The same invariants as every rule: twice equals once, uninject is exact.
      assert.deepStrictEqual(inject(result.workload, options).workload, result.workload);
      assert.deepStrictEqual(uninject(result.workload).workload, input);
    });
  }
});
