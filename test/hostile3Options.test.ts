/**
 * Issue 20, "config that silently means something else": a partial
 * initResources, and ports written as 9992.0 or 0x2708. One semantics for
 * every way in (the core and transform, pinpoint:* config, PinpointApm's args,
 * the CLI's flags): initResources is merged with the defaults field by field
 * (null removes a default); a port is a whole number in decimal digits, and
 * anything else is refused naming the key or flag and the fix.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PinpointApm } from "../sdk";
import { InjectOptions, resolveOptions } from "../sdk/inject";
import { hostPortProblem } from "../sdk/inject/grammar";
import { readStackConfig } from "../sdk/render/stackConfig";
import { ofType, runProgram } from "./harness/pulumiProgram";
import { compiled } from "./support/compiled";

const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"ab".repeat(32)}`;
const DEFAULTS = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } };

// ---- the core: what every caller gets

const coreRows: Array<{ name: string; initResources: unknown; expect?: unknown; error?: RegExp }> = [
  { name: "left out: the defaults", initResources: undefined, expect: DEFAULTS },
  { name: "only requests: limits stay the defaults", initResources: { requests: { cpu: "5m", memory: "8Mi" } }, expect: { requests: { cpu: "5m", memory: "8Mi" }, limits: DEFAULTS.limits } },
  { name: "only limits.memory: the other three stay the defaults", initResources: { limits: { memory: "128Mi" } }, expect: { requests: DEFAULTS.requests, limits: { cpu: "200m", memory: "128Mi" } } },
  { name: "only requests.cpu", initResources: { requests: { cpu: "50m" } }, expect: { requests: { cpu: "50m", memory: "16Mi" }, limits: DEFAULTS.limits } },
  { name: "null removes one default: no CPU limit", initResources: { limits: { cpu: null } }, expect: { requests: DEFAULTS.requests, limits: { memory: "64Mi" } } },
  { name: "requests null: no requests at all", initResources: { requests: null }, expect: { limits: DEFAULTS.limits } },
  { name: "both parts null: no resources", initResources: { requests: null, limits: null }, expect: {} },
  { name: "another resource is added beside the defaults", initResources: { limits: { "ephemeral-storage": "100Mi" } }, expect: { requests: DEFAULTS.requests, limits: { ...DEFAULTS.limits, "ephemeral-storage": "100Mi" } } },
  { name: "an empty object: the defaults", initResources: {}, expect: DEFAULTS },
  {
    name: "a request above a default limit names the default and the fix",
    initResources: { requests: { cpu: "1" } },
    error: /^initResources requests\.cpu 1 is above limits\.cpu 200m: .* \(limits\.cpu is the default: a partial initResources keeps the default of every field it leaves out; set limits\.cpu too, or null for no limit\)$/,
  },
  { name: "a request above a given limit: no word of defaults", initResources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } }, error: /^initResources requests\.memory 1Gi is above limits\.memory 512Mi: Kubernetes rejects such a pod; lower the request or raise the limit$/ },
  { name: "a request above a removed limit is fine", initResources: { requests: { cpu: "1" }, limits: { cpu: null } }, expect: { requests: { cpu: "1", memory: "16Mi" }, limits: { memory: "64Mi" } } },
  { name: "requests as a string", initResources: { requests: "10m" }, error: /^initResources\.requests is string "10m": give an object of quantities/ },
  { name: "limits as a list", initResources: { limits: ["64Mi"] }, error: /^initResources\.limits is a list: give an object of quantities/ },
  { name: "a quantity as a number", initResources: { limits: { cpu: 1 } }, error: /^initResources\.limits\.cpu is number 1: a quantity is written as a string, e.g. "100m"/ },
  { name: "a quantity as an object", initResources: { limits: { memory: { Mi: 64 } } }, error: /^initResources\.limits\.memory is object .*: a quantity is written as a string/ },
  { name: "not a quantity", initResources: { limits: { memory: "lots" } }, error: /^initResources\.limits\.memory "lots" is not a Kubernetes quantity/ },
  { name: "the whole value a string", initResources: "10m", error: /^initResources is string "10m", not an object: write it as \{"requests"/ },
  { name: "the whole value null", initResources: null, error: /^initResources is null, not an object/ },
  { name: "a misspelt part", initResources: { limit: { cpu: "1" } }, error: /^initResources has the key "limit", which is not one it reads; did you mean "limits"\?/ },
];

describe("hostile input 3: a partial initResources is merged with the defaults field by field", () => {
  for (const row of coreRows) {
    it(row.name, () => {
      const options = { image: IMAGE, initResources: row.initResources } as InjectOptions;
      if (row.error) {
        assert.throws(() => resolveOptions(options), (e: Error) => row.error!.test(e.message) || assert.fail(e.message));
        return;
      }
      assert.deepStrictEqual(resolveOptions(options).initResources, row.expect);
    });
  }
});

// ---- pinpoint:initResources and PinpointApm's args

const ON = { enabled: "true", agentImage: IMAGE, collectorHost: "pinpoint-collector.pinpoint", select: "all", readImages: "false" };
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function program(args: Record<string, unknown> = {}) {
  return () => {
    new PinpointApm("pinpoint", args);
    new (require("@pulumi/kubernetes").apps.v1.Deployment)("app", {
      metadata: { name: "app", namespace: "dev" },
      spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image: "tomcat:9" }] } } },
    });
  };
}

const stackRows: Array<{ name: string; config?: Record<string, string>; args?: Record<string, unknown>; expect?: unknown; error?: RegExp }> = [
  { name: "pinpoint:initResources with only limits.memory", config: { initResources: '{"limits":{"memory":"128Mi"}}' }, expect: { requests: DEFAULTS.requests, limits: { cpu: "200m", memory: "128Mi" } } },
  { name: "pinpoint:initResources with only requests", config: { initResources: '{"requests":{"cpu":"5m","memory":"8Mi"}}' }, expect: { requests: { cpu: "5m", memory: "8Mi" }, limits: DEFAULTS.limits } },
  { name: "pinpoint:initResources with limits.cpu null: no CPU limit", config: { initResources: '{"limits":{"cpu":null}}' }, expect: { requests: DEFAULTS.requests, limits: { memory: "64Mi" } } },
  { name: "pinpoint:initResources with limits null: no limits", config: { initResources: '{"limits":null}' }, expect: { requests: DEFAULTS.requests } },
  { name: "pinpoint:initResources with requests a string is refused", config: { initResources: '{"requests":"10m"}' }, error: /^pinpoint:initResources has requests "10m", not an object of quantities; write it as \{"requests":\{"cpu":"…","memory":"…"\}\}/ },
  { name: "pinpoint:initResources with a number quantity is refused", config: { initResources: '{"limits":{"cpu":1}}' }, error: /^pinpoint:initResources\.limits\.cpu is number 1: a quantity is written as a string/ },
  { name: "pinpoint:initResources with a request above the default limit", config: { initResources: '{"requests":{"memory":"128Mi"}}' }, error: /^pinpoint:initResources requests\.memory 128Mi is above limits\.memory 64Mi: .*limits\.memory is the default/ },
  { name: "the arg initMemoryLimit alone", args: { initMemoryLimit: "128Mi" }, expect: { requests: DEFAULTS.requests, limits: { cpu: "200m", memory: "128Mi" } } },
  { name: "the arg initCpuRequest beside pinpoint:initResources limits: each field from where it is set", config: { initResources: '{"limits":{"cpu":"500m"}}' }, args: { initCpuRequest: "100m" }, expect: { requests: { cpu: "100m", memory: "16Mi" }, limits: { cpu: "500m", memory: "64Mi" } } },
  // Ports as the engine passes config: the text as written in the stack file.
  { name: "pinpoint:collectorStatPort 9992.0", config: { collectorStatPort: "9992.0" }, error: /^pinpoint:collectorStatPort is "9992\.0", not a whole number from 1 to 65535; write it in decimal digits only: `pulumi config set pinpoint:collectorStatPort 9992`/ },
  { name: "pinpoint:collectorAgentPort 0x2707", config: { collectorAgentPort: "0x2707" }, error: /^pinpoint:collectorAgentPort is "0x2707", not a whole number from 1 to 65535; write it in decimal digits only: `pulumi config set pinpoint:collectorAgentPort 9991`/ },
  { name: "pinpoint:collectorSpanPort 9.993e3", config: { collectorSpanPort: "9.993e3" }, error: /^pinpoint:collectorSpanPort is "9\.993e3", not a whole number .*pinpoint:collectorSpanPort 9993`/ },
  { name: "pinpoint:collectorSpanPort 99930.0: out of range, no guess", config: { collectorSpanPort: "99930.0" }, error: /^pinpoint:collectorSpanPort is "99930\.0", not a whole number from 1 to 65535; write it in decimal digits only$/ },
  { name: "the arg collectorStatPort as a string", args: { collectorStatPort: "9992" }, error: /^pinpoint:collectorStatPort is the string "9992", not a number: a port is a whole number from 1 to 65535, written in decimal digits without quotes/ },
  { name: "the arg collectorAgentPort 9991.5", args: { collectorAgentPort: 9991.5 }, error: /^pinpoint:collectorAgentPort is 9991\.5: a port is a whole number/ },
  { name: "pinpoint:registryPlainHttp with port 0x1388", config: { registryPlainHttp: "harbor.local:0x1388" }, error: /^pinpoint:registryPlainHttp has "harbor\.local:0x1388", which has port "0x1388": a port is a whole number from 1 to 65535 in decimal digits \(e\.g\. harbor\.local:5000\)/ },
  { name: "pinpoint:registryPlainHttp with port 5000.0", config: { registryPlainHttp: "harbor.local:5000.0" }, error: /^pinpoint:registryPlainHttp has "harbor\.local:5000\.0", which has port "5000\.0"/ },
];

describe("hostile input 3: pinpoint:* config and PinpointApm's args", () => {
  for (const row of stackRows) {
    it(row.name, async () => {
      const run = await runProgram(program(row.args), { config: { ...ON, ...row.config } });
      if (row.error) {
        assert.ok(run.errors.some((e) => row.error!.test(e)), `expected ${row.error} in ${JSON.stringify(run.errors)}`);
        return;
      }
      assert.deepStrictEqual(run.errors, []);
      const init = ofType(run, DEPLOYMENT)[0].inputs.spec.template.spec.initContainers[0];
      assert.deepStrictEqual(init.resources, row.expect);
    });
  }
});

// ---- the stack file as the offline render reads it

describe("hostile input 3: the render passes a stack file's scalars as written, as the Pulumi CLI does", () => {
  const rows: Array<[string, string, string]> = [
    ["9992.0 stays 9992.0 (the program refuses it as a port)", "pinpoint:collectorStatPort: 9992.0", "9992.0"],
    ["0x2708 stays 0x2708", "pinpoint:collectorStatPort: 0x2708", "0x2708"],
    ["a quoted number is its text", 'pinpoint:collectorStatPort: "9992"', "9992"],
    ["a plain 9992", "pinpoint:collectorStatPort: 9992", "9992"],
    ["True stays True (the program refuses it as a boolean)", "pinpoint:enabled: True", "True"],
    ["an empty value is empty", "pinpoint:collectorHost:", ""],
  ];
  for (const [name, line, value] of rows) {
    it(name, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-stackfile-"));
      try {
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, `config:\n  ${line}\n`);
        const key = line.slice(0, line.indexOf(":", "pinpoint:".length));
        assert.strictEqual(readStackConfig(file, "p").config[key], value);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("hostile input 3: host:port values name a port in another notation as a port", () => {
  const rows: Array<[string, RegExp | undefined]> = [
    ["zk:0x2708", /^has port "0x2708": a port is a whole number from 1 to 65535 in decimal digits \(e\.g\. zk:5000\)/],
    ["zk:2181.0", /^has port "2181\.0"/],
    ["zk:+2181", /^has port "\+2181"/],
    ["zk:", /^has port "": a port is/],
    ["zk:2181", undefined],
    ["zk", undefined],
    ["[::1]:5000", undefined],
    ["[::1]:0x1388", /^has port "0x1388"/],
  ];
  for (const [value, expected] of rows) {
    it(value, () => {
      const p = hostPortProblem(value);
      if (expected === undefined) assert.strictEqual(p, undefined);
      else assert.match(p ?? "", expected);
    });
  }
});

// ---- the CLI's flags

const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: dev}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: "tomcat:9"}]
`;

const cliRows: Array<{ name: string; args: string[]; expect?: (out: any) => void; error?: RegExp }> = [
  { name: "--init-resources with only limits.memory", args: ["--init-resources", '{"limits":{"memory":"128Mi"}}'], expect: (o) => assert.deepStrictEqual(o.spec.template.spec.initContainers[0].resources, { requests: DEFAULTS.requests, limits: { cpu: "200m", memory: "128Mi" } }) },
  { name: "--init-resources with limits.cpu null", args: ["--init-resources", '{"limits":{"cpu":null}}'], expect: (o) => assert.deepStrictEqual(o.spec.template.spec.initContainers[0].resources, { requests: DEFAULTS.requests, limits: { memory: "64Mi" } }) },
  { name: "no --init-resources: the defaults", args: [], expect: (o) => assert.deepStrictEqual(o.spec.template.spec.initContainers[0].resources, DEFAULTS) },
  { name: "--init-resources with a request above the default limit", args: ["--init-resources", '{"requests":{"cpu":"1"}}'], error: /error: --init-resources requests\.cpu 1 is above limits\.cpu 200m: .*limits\.cpu is the default.*set limits\.cpu too, or null for no limit/ },
  { name: "--init-resources not JSON", args: ["--init-resources", "{limits: 1}"], error: /error: --init-resources is not valid JSON \(.*\): write it as '\{"requests"/ },
  { name: "--init-resources with a bad quantity", args: ["--init-resources", '{"limits":{"memory":"lots"}}'], error: /error: --init-resources limits\.memory "lots" is not a Kubernetes quantity/ },
  { name: "--init-resources with requests a string", args: ["--init-resources", '{"requests":"10m"}'], error: /error: --init-resources requests is string "10m": give an object of quantities/ },
  { name: "--init-resources a list", args: ["--init-resources", "[]"], error: /error: --init-resources is a list, not an object/ },
  { name: "--collector-stat-port 9992", args: ["--collector-stat-port", "9992"], expect: (o) => assert.match(JSON.stringify(o), /-Dprofiler\.transport\.grpc\.stat\.collector\.port=9992/) },
  { name: "--collector-stat-port 9992.0", args: ["--collector-stat-port", "9992.0"], error: /error: --collector-stat-port "9992\.0" is not a port: give a whole number from 1 to 65535 in decimal digits \(--collector-stat-port 9992\)/ },
  { name: "--collector-agent-port 0x2707", args: ["--collector-agent-port", "0x2707"], error: /error: --collector-agent-port "0x2707" is not a port: .*\(--collector-agent-port 9991\)/ },
  { name: "--collector-span-port 70000", args: ["--collector-span-port", "70000"], error: /error: --collector-span-port "70000" is not a port: give a whole number from 1 to 65535 in decimal digits$/m },
  { name: "--collector-span-port ' 9993'", args: ["--collector-span-port", " 9993"], error: /error: --collector-span-port " 9993" is not a port/ },
  { name: "--collector-span-port 0", args: ["--collector-span-port", "0"], error: /error: --collector-span-port "0" is not a port/ },
  { name: "--plain-http with port 0x1388", args: ["--plain-http", "harbor.local:0x1388"], error: /error: --plain-http "harbor\.local:0x1388" has port "0x1388": a port is a whole number .*: give the registry as host or host:port/ },
  { name: "--plain-http with port 5000.0", args: ["--plain-http", "harbor.local:5000.0"], error: /error: --plain-http "harbor\.local:5000\.0" has port "5000\.0"/ },
  { name: "--plain-http host:5000 is fine", args: ["--plain-http", "harbor.local:5000"], expect: (o) => assert.ok(o.spec.template.spec.initContainers) },
];

describe("hostile input 3: pinpoint-inject's --init-resources and port flags", () => {
  let cli: string;
  before(function () {
    this.timeout(180_000);
    cli = compiled("cli/inject.js");
  });
  for (const row of cliRows) {
    it(row.name, function () {
      this.timeout(60_000);
      const r = spawnSync(process.execPath, [cli, "-f", "-", "--image", IMAGE, "--select", "all", ...row.args], { input: DEPLOYMENT_YAML, encoding: "utf8" });
      if (row.error) {
        assert.strictEqual(r.status, 1, r.stderr);
        assert.strictEqual(r.stdout, "");
        assert.match(r.stderr, row.error);
        return;
      }
      assert.strictEqual(r.status, 0, r.stderr);
      row.expect!(parse(r.stdout));
    });
  }
});
