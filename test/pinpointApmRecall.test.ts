/**
 * PinpointApm on a stack whose manifests do not announce their JVMs (issue
 * 19): an in-house image instrumented under unknownContainers instrument (and
 * left alone under skip, the log naming the fix); envFrom looked up in the
 * ConfigMaps the stack declared before; a source it cannot see leaves that one
 * workload as declared, never the stack failed (unless pinpoint:strict); one
 * applicationName for two workloads warned about (refused with strict).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { PinpointApm } from "../sdk";
import { ofType, ProgramRun, runProgram } from "./harness/pulumiProgram";
import { collectInjectionReport } from "../sdk/injectionReport";
import { workloadRows } from "../sdk/render/table";

const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"cd".repeat(32)}`;
const ON = { enabled: "true", agentImage: IMAGE, collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local", readImages: "false" };

function program() {
  new PinpointApm("pinpoint");
  new k8s.core.v1.ConfigMap("environment-config", { metadata: { name: "environment-config", namespace: "dev" }, data: { LOG_LEVEL: "info" } });
  const deployment = (name: string, namespace: string, container: k8s.types.input.core.v1.Container) =>
    new k8s.apps.v1.Deployment(`${namespace}-${name}`, {
      metadata: { name, namespace },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
    });
  deployment("ledger", "dev", { name: "ledger", image: "registry.local/bank/ledger:1", envFrom: [{ configMapRef: { name: "environment-config" } }] });
  deployment("history", "dev", { name: "history", image: "registry.local/bank/history:1", envFrom: [{ configMapRef: { name: "ledger-db-config" } }] });
  deployment("orders", "dev", { name: "orders", image: "eclipse-temurin:21-jre" });
  deployment("orders", "qa", { name: "orders", image: "eclipse-temurin:21-jre" });
}

async function runLogged(config: Record<string, string>): Promise<{ run: ProgramRun; logs: string[] }> {
  const logs: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn };
  const keep = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  Object.assign(console, { log: keep, error: keep, warn: keep });
  try {
    return { run: await runProgram(program, { config }), logs };
  } finally {
    Object.assign(console, saved);
  }
}

const byName = (run: ProgramRun, name: string) => ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.name === name)!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const envNames = (d: { inputs: any }) => (d.inputs.spec.template.spec.containers[0].env ?? []).map((e: { name: string }) => e.name);

describe("PinpointApm: JVMs the manifests do not announce", () => {
  it("defaults: the in-house image is instrumented (the ConfigMap it takes envFrom was declared, without the variable); the unseen source leaves one workload as declared; the clash is warned", async () => {
    const { run, logs } = await runLogged(ON);
    assert.deepStrictEqual(run.errors, []);
    assert.ok(envNames(byName(run, "dev-ledger")).includes("JAVA_TOOL_OPTIONS"));
    assert.deepStrictEqual(byName(run, "dev-history").inputs, byName(run, "dev-history").declared);
    const text = logs.join("\n");
    assert.match(text, /Deployment dev\/history: container "history" skipped: .*envFrom ConfigMap ledger-db-config is not in the input/);
    assert.match(text, /pinpoint: Deployment dev\/ledger instrumented: ledger: unknown: no JVM evidence in the manifest .* → JAVA_TOOL_OPTIONS/);
    assert.match(text, /applicationName \S*orders is given to Deployment dev\/orders and Deployment qa\/orders, which Pinpoint would show as one service: .*pinpoint\.fjhb\.cn\/application-name/);
  });

  it("the render table says why a workload was instrumented on no evidence", async () => {
    const collecting = collectInjectionReport();
    const { run } = await runLogged(ON);
    const report = collecting.stop();
    const ledger = byName(run, "dev-ledger");
    const object = { apiVersion: "apps/v1", kind: "Deployment", ...ledger.inputs };
    const [row] = workloadRows([{ file: "ledger.yaml", object, resource: ledger }], report);
    assert.strictEqual(row.instrumented, true);
    assert.match(row.why, /^containers ledger; ledger: unknown: no JVM evidence in the manifest .*image config not read \(none asked for.*\) → JAVA_TOOL_OPTIONS$/);
  });

  it("pinpoint:unknownContainers skip: the in-house image is left alone, the log names the fix", async () => {
    const { run, logs } = await runLogged({ ...ON, unknownContainers: "skip" });
    assert.deepStrictEqual(run.errors, []);
    assert.deepStrictEqual(byName(run, "dev-ledger").inputs, byName(run, "dev-ledger").declared);
    assert.match(logs.join("\n"), /pinpoint: Deployment dev\/ledger left alone: no JVM container \(ledger: unknown: no JVM evidence in the manifest/);
  });

  it("pinpoint:strict: the unseen envFrom source fails the preview", async () => {
    const { run } = await runLogged({ ...ON, strict: "true" });
    assert.match(run.errors.join("\n"), /Deployment dev\/history: container "history": .*envFrom ConfigMap ledger-db-config is not in the input/);
  });

  it("pinpoint:imageConfigFiles: docker inspect output settles the unknowns offline (a Go binary left alone, a JVM instrumented)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-apm-imgcfg-"));
    try {
      const file = path.join(dir, "inspect.json");
      fs.writeFileSync(
        file,
        JSON.stringify([
          { RepoTags: ["registry.local/bank/ledger:1"], Config: { Entrypoint: ["/ledger"] } },
          { RepoTags: ["registry.local/bank/history:1"], Config: { Env: ["JAVA_VERSION=17.0.9"], Entrypoint: ["java", "-jar", "/h.jar"] } },
        ]),
      );
      const { run, logs } = await runLogged({ ...ON, imageConfigFiles: JSON.stringify([file]) });
      assert.deepStrictEqual(run.errors, []);
      assert.deepStrictEqual(byName(run, "dev-ledger").inputs, byName(run, "dev-ledger").declared);
      assert.match(logs.join("\n"), /Deployment dev\/ledger left alone: no JVM container \(ledger: not a JVM: image config read: runs ledger/);
      // JDK 17 and an unseen envFrom source that may set JAVA_TOOL_OPTIONS: the free JDK_JAVA_OPTIONS is not free either, so skipped.
      assert.match(logs.join("\n"), /Deployment dev\/history: container "history" skipped/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a missing pinpoint:imageConfigFiles file fails the preview, naming the key", async () => {
    const { run } = await runLogged({ ...ON, imageConfigFiles: '["/no/such/inspect.json"]' });
    assert.match(run.errors.join("\n"), /pinpoint:imageConfigFiles: \/no\/such\/inspect\.json: \/no\/such\/inspect\.json: no such file or folder/);
  });

  it("a bad pinpoint:unknownContainers fails the preview, naming the key", async () => {
    const { run } = await runLogged({ ...ON, unknownContainers: "maybe" });
    assert.match(run.errors.join("\n"), /pinpoint:unknownContainers is "maybe"; use one of: instrument, skip/);
  });
});
