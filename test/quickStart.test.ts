/**
 * quickStart (sdk/inject/quickStart.ts): the rows of
 * test/fixtures/quick-start/rows.yaml through inject(), then what the option
 * does around it: off by default, taken out exactly by uninject, named in the
 * probe budget, and set from the stack's config, the component's args and the CLI.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { AGENT_START_COST, inject, podTemplateOf, probeBudgetFindings, uninject, Workload } from "../sdk/inject";
import { QUICK_START_FACTOR } from "../sdk/inject/agentStartCost";
import { quickStartCost } from "../sdk/inject/probeBudget";
import { QUICK_START_FLAG } from "../sdk/inject/quickStart";
import type { ImageConfig } from "../sdk/inject/image";
import { compiled } from "./support/compiled";
import { deploymentOf } from "./support/workloads";
import type { Container } from "kubernetes-types/core/v1";

const ROOT = path.join(__dirname, "..");
const IMAGE = "harbor.59iedu.com/fjhb/pp_agent:3.0.1";

interface Row {
  name: string;
  container: Record<string, unknown>;
  image?: ImageConfig;
  expect: { added: boolean; kept?: string; variable?: string };
}
const rows = (parse(fs.readFileSync(path.join(__dirname, "fixtures", "quick-start", "rows.yaml"), "utf8")) as { rows: Row[] }).rows;

/** The row's container as the workload's only one, named app. */
function deployment(container: Record<string, unknown>): Workload {
  return deploymentOf("shop", [{ name: "app", ...container } as Container]) as unknown as Workload;
}

/** The options variable's value after injection, and its name. */
function optionsOf(w: Workload): { name: string; value: string } {
  const c = podTemplateOf(w)!.spec!.containers[0];
  const v = (c.env ?? []).find((e) => /_OPTS$|_OPTIONS$/.test(e.name) && e.value?.includes("-javaagent:"));
  assert.ok(v, JSON.stringify(c.env));
  return { name: v.name, value: v.value! };
}

describe("quickStart: the rows", () => {
  for (const row of rows) {
    it(row.name, () => {
      const images = row.image ? { [row.container.image as string]: { config: row.image } } : undefined;
      const r = inject(deployment(row.container), { image: IMAGE, quickStart: true, images });
      assert.ok(r.injected, r.reason);
      const opts = optionsOf(r.workload);
      if (row.expect.variable) assert.strictEqual(opts.name, row.expect.variable);
      const words = opts.value.split(/\s+/);
      if (row.expect.added) {
        // Last of what we add, so it sits beside the agent's flags and nowhere in the user's text.
        assert.strictEqual(words[words.length - 1], QUICK_START_FLAG, opts.value);
        assert.ok(!r.warnings.some((w) => w.includes("quickStart")), r.warnings.join("\n"));
      } else {
        assert.ok(!words.slice(words.findIndex((w) => w.startsWith("-javaagent:"))).includes(QUICK_START_FLAG), opts.value);
        const warning = r.warnings.find((w) => w.includes("quickStart not applied"));
        assert.ok(warning, r.warnings.join("\n"));
        assert.ok(warning!.startsWith('Deployment dev/shop: container "app": quickStart not applied'), warning);
        assert.ok(warning!.includes(`(${row.expect.kept})`), warning);
      }
    });
  }
});

describe("quickStart: around the rows", () => {
  const plain = { image: "eclipse-temurin:17-jre", command: ["java", "-jar", "/app.jar"], env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx256m" }] };

  it("is off by default: the flags are those of a render without the option", () => {
    const off = inject(deployment(plain), { image: IMAGE });
    assert.ok(!optionsOf(off.workload).value.includes("TieredStopAtLevel"));
    const on = inject(deployment(plain), { image: IMAGE, quickStart: true });
    assert.strictEqual(optionsOf(on.workload).value, `${optionsOf(off.workload).value} ${QUICK_START_FLAG}`);
  });

  it("uninject takes it out with the agent's flags, leaving the user's bytes as they were", () => {
    const before = deployment(plain);
    const r = inject(before, { image: IMAGE, quickStart: true });
    const back = uninject(r.workload);
    assert.deepStrictEqual(back.workload, before);
  });

  it("the probe budget counts the quicker start, and offers quickStart only when it is off", () => {
    const tight = { ...plain, livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 } };
    const off = probeBudgetFindings(inject(deployment(tight), { image: IMAGE }).workload);
    const on = probeBudgetFindings(inject(deployment(tight), { image: IMAGE, quickStart: true }).workload);
    assert.strictEqual(off.length, 1);
    assert.strictEqual(on.length, 1);
    assert.strictEqual(Math.round(on[0].agentMs), quickStartCost(AGENT_START_COST.plain).addedWallMs);
    assert.ok(on[0].agentMs < off[0].agentMs, `${on[0].agentMs} < ${off[0].agentMs}`);
    assert.match(off[0].message, /or shorten the agent's start with quickStart \(C1 only: pinpoint:quickStart true, --quick-start\)/);
    assert.ok(!on[0].message.includes("or shorten"), on[0].message);
    assert.ok(on[0].message.includes(`with quickStart, × ${QUICK_START_FACTOR.wall}`), on[0].message);
  });

  it("pinpoint-inject --quick-start adds the flag; without it, none", function () {
    this.timeout(120000);
    const yaml = fs.readFileSync(path.join(__dirname, "fixtures", "seed-deployment.yaml"), "utf8");
    const run = (extra: string[]) => spawnSync(process.execPath, [compiled("cli/inject.js"), "--image", IMAGE, ...extra, "-f", "-"], { input: yaml, encoding: "utf8", cwd: ROOT });
    const on = run(["--quick-start"]);
    assert.strictEqual(on.status, 0, on.stderr);
    assert.match(on.stdout, / -XX:TieredStopAtLevel=1\n/);
    const off = run([]);
    assert.strictEqual(off.status, 0, off.stderr);
    assert.ok(!off.stdout.includes("TieredStopAtLevel"));
  });
});
