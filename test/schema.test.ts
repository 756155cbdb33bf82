/**
 * Use from other Pulumi languages: Pulumi infers the package schema from our
 * TypeScript (provider/experimental), as `pulumi package add sdk/` does. This
 * runs that same inference on sdk/ and checks what a Python, Go, C# or YAML
 * consumer would get.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";

const SDK_DIR = path.join(__dirname, "..", "sdk");

interface Schema {
  name: string;
  resources: Record<string, { isComponent?: boolean; inputProperties?: Record<string, any>; requiredInputs?: string[]; properties?: Record<string, any> }>;
  types?: Record<string, any>;
}

/** The provider name the plugin runner derives from the plugin's package.json (run-plugin/run.ts). */
function providerName(): { name: string; namespace?: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "package.json"), "utf8"));
  const m = /(@.*?\/)?(.+)/.exec(pkg.name)!;
  return { name: m[2].replace(/[^-a-zA-Z0-9_]/g, "-"), namespace: m[1]?.slice(1, -1) };
}

describe("schema inference for other Pulumi languages", function () {
  this.timeout(120000);
  let schema: Schema;

  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const components = getPulumiComponents(require(SDK_DIR));
    const provider = new ComponentProvider({ components, dirname: SDK_DIR, ...providerName() });
    schema = JSON.parse(await provider.getSchema());
  });

  it("has a plugin manifest for the Node.js runtime", () => {
    assert.deepStrictEqual(parse(fs.readFileSync(path.join(SDK_DIR, "PulumiPlugin.yaml"), "utf8")), { runtime: "nodejs" });
  });

  it("the plugin folder depends on what the package depends on, at the same versions", () => {
    const root = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "..", "package.json"), "utf8"));
    const plugin = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "package.json"), "utf8"));
    assert.deepStrictEqual(plugin.dependencies, root.dependencies);
    assert.strictEqual(plugin.version, root.version);
  });

  it("the plugin's name matches our type tokens, so construct accepts them", () => {
    assert.strictEqual(providerName().name, "pinpoint");
    assert.strictEqual(schema.name, "pinpoint");
  });

  it("exposes exactly the three components", () => {
    assert.deepStrictEqual(Object.keys(schema.resources).sort(), [
      "pinpoint:index:AgentImage",
      "pinpoint:index:PinpointApm",
      "pinpoint:index:PinpointServer",
    ]);
    for (const r of Object.values(schema.resources)) assert.strictEqual(r.isComponent, true);
  });

  const inputs: Array<[string, string, string]> = [
    ["PinpointApm", "enabled", "boolean"],
    ["PinpointApm", "agentImage", "string"],
    ["PinpointApm", "applicationNamePrefix", "string"],
    ["PinpointApm", "optionsEnv", "string"],
    ["PinpointApm", "collectorHost", "string"],
    ["PinpointApm", "namespaces", "array"],
    ["PinpointApm", "kinds", "array"],
    ["PinpointApm", "imagePullSecret", "string"],
    ["PinpointApm", "agentArchive", "string"],
    ["PinpointApm", "registry", "string"],
    ["PinpointApm", "registryPassword", "string"],
    ["PinpointApm", "deployServer", "boolean"],
    ["PinpointApm", "serverNamespace", "string"],
    ["AgentImage", "agentArchive", "string"],
    ["AgentImage", "registry", "string"],
    ["AgentImage", "imageRepository", "string"],
    ["PinpointServer", "namespace", "string"],
    ["PinpointServer", "version", "string"],
  ];
  for (const [component, input, type] of inputs) {
    it(`${component} takes ${input} (${type})`, () => {
      const prop = schema.resources[`pinpoint:index:${component}`].inputProperties?.[input];
      assert.ok(prop, `${component}.${input} missing; has: ${Object.keys(schema.resources[`pinpoint:index:${component}`].inputProperties ?? {}).join(", ")}`);
      assert.strictEqual(prop.type, type);
      if (type === "array") assert.strictEqual(prop.items.type, "string");
    });
  }

  it("every input is optional: config alone can drive each component", () => {
    for (const [token, r] of Object.entries(schema.resources)) {
      assert.deepStrictEqual(r.requiredInputs ?? [], [], `${token} requires inputs`);
    }
  });

  const outputs: Array<[string, string[]]> = [
    ["PinpointApm", ["agentImage", "collectorHost", "enabled", "webUrl"]],
    ["AgentImage", ["imageRef", "tag"]],
    ["PinpointServer", ["collectorHost", "collectorAgentPort", "collectorSpanPort", "collectorStatPort", "namespace", "webUrl"]],
  ];
  for (const [component, names] of outputs) {
    it(`${component} outputs ${names.join(", ")}`, () => {
      const props = schema.resources[`pinpoint:index:${component}`].properties ?? {};
      for (const n of names) assert.ok(props[n], `${component} lacks output ${n}; has ${Object.keys(props).join(", ")}`);
    });
  }

  it("the YAML consumer example uses only inputs the schema has", () => {
    const program = parse(fs.readFileSync(path.join(__dirname, "..", "examples", "yaml-consumer", "Pulumi.yaml"), "utf8"));
    const resources = Object.values(program.resources ?? {}) as Array<{ type: string; properties?: Record<string, unknown> }>;
    const ours = resources.filter((r) => r.type.startsWith("pinpoint:"));
    assert.ok(ours.length > 0, "the example creates a pinpoint component");
    for (const r of ours) {
      const token = r.type.split(":").length === 2 ? r.type.replace(":", ":index:") : r.type;
      const declared = schema.resources[token];
      assert.ok(declared, `unknown type ${r.type}`);
      for (const key of Object.keys(r.properties ?? {})) assert.ok(declared.inputProperties?.[key], `${r.type} has no input ${key}`);
    }
  });
});
