/**
 * The probe budget check (sdk/inject/probeBudget.ts): one row per container
 * shape in test/fixtures/probe-budget/rows.yaml, most taken from public Java
 * manifests; then the warning where a user meets it: inject()'s warnings (the
 * transform's Pulumi warnings), pinpoint-inject's standard error and the
 * render table's WHY column.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  AGENT_START_COST,
  AgentStartCost,
  inject,
  JvmKind,
  PROBE_DEFAULTS,
  probeBudget,
  probeBudgetFindings,
  Workload,
} from "../sdk/inject";
import * as pulumi from "@pulumi/pulumi";
import { formatTable, workloadRows } from "../sdk/render/table";
import { pinpointTransform } from "../sdk/transform";
import type { RenderedObject } from "../sdk/render/objects";
import { compiled } from "./support/compiled";

const ROOT = path.join(__dirname, "..");
const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:latest";

interface Row {
  name: string;
  source?: string;
  optionsEnv: string;
  container: Record<string, unknown>;
  expect: { probe: string | null; seconds?: number; warn: boolean; agentMs?: number; fix?: string };
}
const table = parse(fs.readFileSync(path.join(__dirname, "fixtures", "probe-budget", "rows.yaml"), "utf8")) as {
  costs: Record<JvmKind, AgentStartCost>;
  rows: Row[];
};

function deployment(container: Record<string, unknown>, optionsEnv: string, extra: Record<string, unknown>[] = []): Workload {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "shop", namespace: "dev" },
    spec: {
      selector: { matchLabels: { app: "shop" } },
      template: {
        metadata: { labels: { app: "shop" }, annotations: { "pinpoint.fjhb.cn/options-env": optionsEnv, "pinpoint.fjhb.cn/inject": "true" } },
        spec: { containers: [{ name: "app", image: "registry.example/shop:1", ...container }, ...extra] },
      },
    },
  } as unknown as Workload;
}

describe("probe budget: rows from public manifests", () => {
  for (const row of table.rows) {
    it(row.name, () => {
      const budget = probeBudget({ name: "app", ...row.container } as never);
      assert.strictEqual(budget?.probe ?? null, row.expect.probe);
      if (row.expect.seconds !== undefined) assert.strictEqual(budget?.seconds, row.expect.seconds);
      const r = inject(deployment(row.container, row.optionsEnv), { image: IMAGE });
      assert.ok(r.injected, r.reason);
      const findings = probeBudgetFindings(r.workload, table.costs);
      assert.strictEqual(findings.length, row.expect.warn ? 1 : 0, JSON.stringify(findings));
      if (!row.expect.warn) return;
      const f = findings[0];
      assert.strictEqual(f.kind, row.optionsEnv === "CATALINA_OPTS" ? "tomcat" : "plain");
      assert.strictEqual(f.budget.probe, row.expect.probe);
      if (row.expect.agentMs !== undefined) assert.strictEqual(Math.round(f.agentMs), row.expect.agentMs);
      // The message names the container, the probe, its arithmetic and a fix.
      assert.match(f.message, new RegExp(`container "app": its ${row.expect.probe} allows ${row.expect.seconds} s`));
      assert.match(f.message, /initialDelaySeconds \d+ \+ periodSeconds \d+ × failureThreshold \d+/);
      assert.match(f.message, /Fix: /);
      if (row.expect.fix) assert.ok(f.message.includes(row.expect.fix), f.message);
    });
  }

  it("uses Kubernetes' documented defaults for unset fields", () => {
    assert.deepStrictEqual(PROBE_DEFAULTS, { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 });
  });
});

describe("probe budget: where the warning reaches the user", () => {
  const tight = { livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 } };

  it("inject() warns with the workload's name, with the shipped measured costs", () => {
    for (const kind of ["tomcat", "plain"] as const) assert.ok(AGENT_START_COST[kind].addedWallMs > 500, `${kind} cost ${AGENT_START_COST[kind].addedWallMs} ms`);
    const r = inject(deployment(tight, "JAVA_TOOL_OPTIONS"), { image: IMAGE });
    const warning = r.warnings.find((w) => w.includes("livenessProbe"));
    assert.ok(warning, r.warnings.join("\n"));
    assert.match(warning!, /^Deployment dev\/shop: container "app": its livenessProbe allows 1 s before a restart/);
  });

  it("the stack transform turns it into a Pulumi warning", () => {
    const warnings: string[] = [];
    const log = pulumi.log as { warn: (m: string) => void };
    const warn = log.warn;
    log.warn = (m: string) => void warnings.push(m);
    try {
      const transform = pinpointTransform({ image: IMAGE }) as unknown as (a: unknown) => unknown;
      const w = deployment({ image: "tomcat:9", ...tight }, "CATALINA_OPTS") as any;
      transform({ type: "kubernetes:apps/v1:Deployment", name: "shop", props: { metadata: w.metadata, spec: w.spec }, opts: {} });
    } finally {
      log.warn = warn;
    }
    assert.ok(warnings.some((m) => /^Deployment dev\/shop: container "app": its livenessProbe allows 1 s .* to a Tomcat start/.test(m)), warnings.join("\n"));
  });

  it("a container left uninstrumented is not judged, whatever its probe", () => {
    const sidecar = { name: "proxy", image: "envoyproxy/envoy:v1.30", ...tight };
    const r = inject(deployment({}, "JAVA_TOOL_OPTIONS", [sidecar]), { image: IMAGE, defaultContainers: ["app"] });
    assert.deepStrictEqual(r.containers, ["app"]);
    assert.deepStrictEqual(probeBudgetFindings(r.workload, table.costs), []);
    assert.ok(!r.warnings.some((w) => w.includes("Probe")), r.warnings.join("\n"));
  });

  it("an uninstrumented workload has no findings", () => {
    assert.deepStrictEqual(probeBudgetFindings(deployment(tight, "JAVA_TOOL_OPTIONS")), []);
  });

  it("the render table's WHY names the probe and the numbers", () => {
    const r = inject(deployment(tight, "JAVA_TOOL_OPTIONS"), { image: IMAGE });
    const objects = [{ file: "deployment-shop.yaml", object: r.workload, resource: { type: "kubernetes:apps/v1:Deployment", name: "shop" } }] as unknown as RenderedObject[];
    const rows = workloadRows(objects, { decisions: [], off: [] });
    assert.match(rows[0].why, /^containers app; app: livenessProbe allows 1 s; agent start ~\d+\.\d s: may restart in a loop$/);
    assert.match(formatTable(rows), /livenessProbe allows 1 s/);
  });

  it("pinpoint-inject prints the warning on standard error and still writes the manifest", function () {
    this.timeout(180000);
    const yaml = fs.readFileSync(path.join(__dirname, "fixtures", "probe-budget", "tight-deployment.yaml"), "utf8");
    const r = spawnSync(process.execPath, [compiled("cli/inject.js"), "--image", IMAGE, "-f", "-"], { input: yaml, encoding: "utf8", cwd: ROOT });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: Deployment shop\/orders: container "orders": its livenessProbe allows 2 s before a restart \(initialDelaySeconds 1 \+ periodSeconds 1 × failureThreshold 1\)/);
    assert.match(r.stdout, /pinpoint-bootstrap\.jar/);
  });
});
