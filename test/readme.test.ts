/**
 * README.md is a new user's way in: it must name every config key the package
 * reads and every annotation it honours, so it cannot silently fall behind.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { declaredConfigKeys } from "../sdk";
import type { PinpointApmArgs, PinpointServerArgs } from "../sdk";
import * as constants from "../sdk/inject/constants";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const reference = README.slice(README.indexOf("## Configuration reference"), README.indexOf("## Outputs"));

type ApmArg = Extract<keyof PinpointApmArgs, string>;
type ServerArg = `server.${Extract<keyof PinpointServerArgs, string>}`;
/**
 * Where each `pinpoint:*` key is a PinpointApm argument when not of the same name
 * at the top level: the type-check holds these names against the args' types.
 */
const ARGS_OF_KEY: Record<string, readonly (ApmArg | ServerArg)[]> = {
  initResources: ["initCpuRequest", "initMemoryRequest", "initCpuLimit", "initMemoryLimit"],
  serverImageRegistry: ["server.imageRegistry"],
  serverResources: ["server.resources"],
};
/** The server keys that are also top-level arguments; every other server key is a field of `server`. */
const TOP_LEVEL_SERVER_KEYS: readonly ApmArg[] = ["deployServer", "serverNamespace", "version"];
/** Top-level arguments of the same name as their key: the type-check holds each. */
const SAME_NAME: readonly ApmArg[] = [
  ...TOP_LEVEL_SERVER_KEYS,
  ...(["enabled", "agentImage", "applicationNamePrefix", "optionsEnv", "collectorHost", "collectorAgentPort", "collectorStatPort", "collectorSpanPort"] as const),
  ...(["namespaces", "kinds", "imagePullSecret", "agentIdSource", "agentName", "profile", "quickStart", "onValueFrom", "initRunAsUser", "volumeSizeLimit"] as const),
  ...(["select", "readImages", "agentDelivery", "kubernetesVersion", "collectorVersion"] as const),
  ...(["unknownContainers", "strict", "imageConfigFiles"] as const),
  ...(["registryCaFile", "registryPlainHttp"] as const),
  ...(["registry", "registryUsername", "registryPassword", "registryPullUsername", "registryPullPassword", "imageRepository", "agentArchive", "agentVersion", "baseImage"] as const),
];
/** Fields of `server` of the same name as their key. */
const SERVER_SAME_NAME: readonly ServerArg[] = [
  ...(["server.hbaseStorageClass", "server.hbaseStorageSize", "server.zookeeperStorageSize", "server.mysqlStorageSize"] as const),
  ...(["server.webIngressHost", "server.webIngressClassName", "server.webAdminPassword", "server.alarms", "server.alarmNotify"] as const),
  ...(["server.alarmMailHost", "server.alarmMailPort", "server.alarmMailUsername", "server.alarmMailPassword", "server.alarmMailFrom"] as const),
  ...(["server.alarmMailStartTls", "server.mysqlPassword", "server.externalZookeeper", "server.externalHbase"] as const),
  ...(["server.collectorReplicas", "server.webReplicas", "server.clusterDomain", "server.realtime"] as const),
  ...(["server.traceRetention", "server.agentInfoRetention", "server.metadataRetention"] as const),
];

describe("README", () => {
  it("has the configuration reference", () => assert.ok(reference.length > 0));

  for (const key of [...declaredConfigKeys().keys()].sort()) {
    it(`documents pinpoint:${key} in the configuration reference`, () => {
      assert.match(reference, new RegExp(`^\\| \`${key}\` \\|`, "m"), `README's configuration reference lacks a row for ${key}`);
    });
  }

  it("exports PinpointApm's maybe-undefined outputs as null, so pulumi warns of no undefined stack output", () => {
    const exports = [...README.matchAll(/^export const \w+ = apm\.(agentImage|webUrl)\b.*$/gm)];
    assert.ok(exports.length >= 2, "README exports agentImage and webUrl");
    for (const [line] of exports) assert.match(line, /\?\? null\)/, line);
  });

  it("stacks/Pulumi.dev.yaml shows every pinpoint:* key, set or commented, as its header says", () => {
    const stackFile = fs.readFileSync(path.join(__dirname, "..", "stacks", "Pulumi.dev.yaml"), "utf8");
    assert.match(stackFile, /Every pinpoint:\* key is shown/);
    const missing = [...declaredConfigKeys().keys()].filter((k) => !new RegExp(`^\\s*(# )?pinpoint:${k}:`, "m").test(stackFile));
    assert.deepStrictEqual(missing, [], "keys stacks/Pulumi.dev.yaml does not show");
  });

  describe("says truly how config keys map to PinpointApm arguments", () => {
    const declared = [...declaredConfigKeys().keys()];
    const covered = new Set([...Object.keys(ARGS_OF_KEY), ...SAME_NAME, ...SERVER_SAME_NAME.map((a) => a.slice("server.".length))]);

    it("every key is an argument: same name at the top level, same name under server, or one of the named exceptions", () => {
      assert.deepStrictEqual(declared.filter((k) => !covered.has(k)).sort(), [], "keys the mapping (and README) do not place; another helper's new key goes here");
    });

    it("README names the server argument and every exception with its arguments", () => {
      const text = README.slice(README.indexOf("**Arguments or config.**"));
      assert.ok(text.includes("**`server`**"), "README does not name the server argument");
      for (const [key, args] of Object.entries(ARGS_OF_KEY)) {
        assert.ok(text.includes(`\`${key}\``), `README does not name ${key} as an exception`);
        for (const a of args) assert.ok(text.includes(`\`${a}\``), `README does not give ${key}'s argument ${a}`);
      }
      for (const k of TOP_LEVEL_SERVER_KEYS) assert.ok(text.includes(`\`${k}\``), k);
      assert.ok(!README.includes("Every `pinpoint:*` key is also a `PinpointApm` argument of the same name"));
    });
  });

  it("claims the Node.js that the package's engines and the locked @pulumi/pulumi require", () => {
    const root = path.join(__dirname, "..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
    const pulumiEngines: string = lock.packages["node_modules/@pulumi/pulumi"].engines.node;
    assert.strictEqual(pkg.engines.node, pulumiEngines, "engines.node must be what the locked @pulumi/pulumi requires");
    const major = /^>=(\d+)$/.exec(pulumiEngines)?.[1];
    assert.ok(major, `unexpected engines form ${pulumiEngines}`);
    assert.ok(README.includes(`**Node ${major} or later.**`), `README must say Node ${major} or later`);
    const ci = fs.readFileSync(path.join(root, ".ci", "run"), "utf8");
    assert.match(ci, new RegExp(`npx -y -p node@${major} `), `.ci/run must run the unit tests under Node ${major}`);
  });

  const annotations = Object.entries(constants).filter(([name]) => name.startsWith("ANNOTATION_") && name !== "ANNOTATION_PREFIX");
  for (const [, annotation] of annotations) {
    it(`documents the annotation ${annotation}`, () => assert.ok(README.includes(`\`${annotation}`), `README lacks ${annotation}`));
  }

  it("starts with npm ci, npm run render and the test command .ci/run runs", () => {
    const quick = README.slice(README.indexOf("## Quick start"));
    assert.match(quick, /```sh\nnpm ci .*\nnpm run render .*\nnpm test /);
    const ci = fs.readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");
    assert.match(ci, /^npm ci/m);
    assert.match(ci, /^npm test$/m);
  });
});
