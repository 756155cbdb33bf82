/**
 * The engine suite's pins and its containment check, without the engine: the
 * Pulumi CLI and provider it builds are the versions package-lock.json locks (a
 * suite run against another engine would prove nothing about ours), and the
 * render-vs-engine comparison fails where it should.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { asStored, containmentDifferences, quantityValue } from "./e2e/engine/compare";
import { engineVersions } from "./e2e/engine/engine";

const lock = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };

describe("engine suite pins (test/e2e/engine/versions.env)", () => {
  const v = engineVersions();
  it("builds the Pulumi CLI at the locked @pulumi/pulumi version", () => {
    assert.strictEqual(v.PULUMI_VERSION, lock.packages["node_modules/@pulumi/pulumi"].version);
  });
  it("stamps the provider with the locked @pulumi/kubernetes version", () => {
    assert.strictEqual(v.KUBERNETES_PROVIDER_VERSION, lock.packages["node_modules/@pulumi/kubernetes"].version);
  });
});

describe("render ⊆ live comparison (test/e2e/engine/compare.ts)", () => {
  const cases: Array<{ name: string; expected: unknown; actual: unknown; differences: number }> = [
    { name: "extra server fields are fine", expected: { a: 1 }, actual: { a: 1, status: {} }, differences: 0 },
    { name: "a missing field is a difference", expected: { a: 1, b: 2 }, actual: { a: 1 }, differences: 1 },
    { name: "a changed value is a difference", expected: { env: [{ name: "X", value: "1" }] }, actual: { env: [{ name: "X", value: "2" }] }, differences: 1 },
    { name: "list lengths must agree", expected: { l: [1] }, actual: { l: [1, 2] }, differences: 1 },
    { name: "quantities by meaning under resources", expected: { resources: { limits: { cpu: "2000m", memory: "1024Mi" } } }, actual: { resources: { limits: { cpu: "2", memory: "1Gi" } } }, differences: 0 },
    { name: "a different quantity is a difference", expected: { resources: { limits: { cpu: "200m" } } }, actual: { resources: { limits: { cpu: "2" } } }, differences: 1 },
    { name: "quantity rules do not apply outside resources", expected: { value: "2000m" }, actual: { value: "2" }, differences: 1 },
    { name: "a zero value the server omits counts as given", expected: { initialDelaySeconds: 0 }, actual: {}, differences: 0 },
    { name: "a non-zero value the server lacks is a difference", expected: { initialDelaySeconds: 5 }, actual: {}, differences: 1 },
    { name: "a value encrypted in Pulumi's state is not compared", expected: { data: { a: "b" } }, actual: { data: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" } }, differences: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.strictEqual(containmentDifferences(c.expected, c.actual).length, c.differences));
  }
  it("reads quantities", () => {
    assert.strictEqual(quantityValue("64Mi"), 64 * 2 ** 20);
    assert.strictEqual(quantityValue("10m"), 0.01);
    assert.strictEqual(quantityValue("abc"), undefined);
  });
  it("folds a Secret's stringData into base64 data, as the API server stores it", () => {
    assert.deepStrictEqual(asStored({ kind: "Secret", stringData: { a: "b" } }), { kind: "Secret", data: { a: "Yg==" } });
  });
});
