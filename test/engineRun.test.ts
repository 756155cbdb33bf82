/**
 * pinpoint-render --engine reads the engine's state back into the mock engine's
 * shape (sdk/render/engineRun.ts), so files and table are the offline render's
 * code. The engine suite runs the whole thing; these cases pin the state reading.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { resourcesOf } from "../sdk/render/engineRun";
import { maskLeaves, SECRET_MASK } from "../sdk/render/render";

const state = parse(fs.readFileSync(path.join(__dirname, "fixtures", "engine-render", "state.yaml"), "utf8"));

describe("engineRun: the engine's state as the render's resources", () => {
  const resources = resourcesOf(state, maskLeaves);
  const byName = (n: string) => resources.find((r) => r.name === n)!;

  it("keeps only the objects: the stack, providers and components (ConfigGroup, Chart) are expanded, not written", () => {
    assert.deepStrictEqual(resources.map((r) => r.name), ["shop:shop/cart", "report:shop/report", "pull"]);
    assert.ok(resources.every((r) => r.custom));
  });

  it("names a resource by its URN's last part, and a ConfigGroup's child by its group; a Chart's child has none", () => {
    assert.strictEqual(byName("shop:shop/cart").group, "shop");
    assert.strictEqual(byName("report:shop/report").group, undefined);
    assert.deepStrictEqual(byName("shop:shop/cart").dependsOn, ["shop"]);
  });

  it("masks every secret value with its shape when in clear, wholesale when encrypted, and records where", () => {
    const secret = byName("pull");
    assert.deepStrictEqual(secret.inputs.data, { ".dockerconfigjson": SECRET_MASK });
    assert.strictEqual(secret.inputs.env[0].value, "shown");
    assert.strictEqual(secret.inputs.env[1].value, SECRET_MASK);
    assert.deepStrictEqual(secret.secretPaths, ["data", "env[1].value"]);
    assert.doesNotMatch(JSON.stringify(resources), /eyJhdXRocyI6e319|v1:abc|4dabf181/);
  });
});
