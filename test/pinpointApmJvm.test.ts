/**
 * PinpointApm with the JVM rules at their defaults (select auto, optionsEnv
 * auto): the stack's Java services instrumented in the variable their
 * launcher reads, everything else left as declared, a log line per workload
 * saying why; `pinpoint:select all` and bad values through the stack config.
 */
import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { PinpointApm } from "../sdk";
import { ofType, ProgramRun, runProgram } from "./harness/pulumiProgram";
import { fixture } from "./support/validate";

const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"cd".repeat(32)}`;
const ON = { enabled: "true", agentImage: IMAGE, collectorHost: "pinpoint-collector.pinpoint.svc.cluster.local" };

function shop() {
  return () => {
    new PinpointApm("pinpoint");
    const seed = fixture("seed-deployment.yaml");
    new k8s.apps.v1.Deployment("tomcat-zffw", { metadata: seed.metadata, spec: seed.spec });
    const spec = (app: string, containers: k8s.types.input.core.v1.Container[]) => ({
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers } },
    });
    new k8s.apps.v1.Deployment("cache", { metadata: { name: "cache", namespace: "dev" }, spec: spec("cache", [{ name: "redis", image: "redis:7.2" }]) });
    new k8s.apps.v1.Deployment("reports", {
      metadata: { name: "reports", namespace: "dev" },
      spec: spec("reports", [
        { name: "sidecar", image: "quay.io/kiwigrid/k8s-sidecar:1.27.4" },
        { name: "app", image: "eclipse-temurin:21-jre", args: ["-jar", "/app/reports.jar"] },
      ]),
    });
  };
}

/** Runs the program with console.log captured: without an engine, pulumi.log.info writes there. */
async function runLogged(config: Record<string, string>): Promise<{ run: ProgramRun; logs: string[] }> {
  const logs: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  try {
    return { run: await runProgram(shop(), { config }), logs };
  } finally {
    console.log = original;
  }
}

const byName = (run: ProgramRun, name: string) => ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.name === name)!;
const envNames = (d: { inputs: any }, container: string) =>
  (d.inputs.spec.template.spec.containers.find((c: any) => c.name === container).env ?? []).map((e: any) => e.name);

describe("PinpointApm: JVM rules at their defaults", () => {
  it("instruments the Tomcat and the JVM behind a sidecar, leaves redis alone, and logs why for each workload", async () => {
    // readImages stays at its default (on): these registries are out of reach here, so the manifest decides and the log says so.
    const { run, logs } = await runLogged({ ...ON, readImages: "true" });
    assert.deepStrictEqual(run.errors, []);
    assert.ok(envNames(byName(run, "tomcat-zffw"), "tomcat-zffw").includes("CATALINA_OPTS"));
    assert.deepStrictEqual(byName(run, "cache").inputs, byName(run, "cache").declared);
    assert.deepStrictEqual(envNames(byName(run, "reports"), "sidecar"), []);
    assert.ok(envNames(byName(run, "reports"), "app").includes("JAVA_TOOL_OPTIONS"));
    const lines = logs.filter((l) => l.includes("pinpoint: "));
    assert.ok(lines.some((l) => /pinpoint: Deployment dev\/cache left alone: no JVM container \(redis: not a JVM: image redis:7\.2 is a known non-JVM image(?:; image config not read \([^)]*\))?\)/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /pinpoint: Deployment dev\/tomcat-zffw instrumented: tomcat-zffw: Tomcat: mount \/home\/tomcat\/conf\/server\.xml(?:; image config not read \([^)]*\))? → CATALINA_OPTS/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /pinpoint: Deployment dev\/reports instrumented: app: JVM: image eclipse-temurin:21-jre(?:; image config not read \([^)]*\))? → JAVA_TOOL_OPTIONS/.test(l)), lines.join("\n"));
  });

  it("pinpoint:select all: the first container of every workload, as before JVM detection", async () => {
    const { run, logs } = await runLogged({ ...ON, select: "all", readImages: "false" });
    assert.deepStrictEqual(run.errors, []);
    // The reasons of a burst of workloads are one diagnostic (one engine round trip), each workload still on its own line.
    const bursts = logs.filter((l) => l.includes("pinpoint: 3 of 3 workloads instrumented, 0 left alone:"));
    assert.strictEqual(bursts.length, 1, logs.join("\n"));
    for (const name of ["tomcat-zffw", "cache", "reports"]) assert.match(bursts[0], new RegExp(`\\npinpoint: Deployment dev/${name} instrumented: `));
    assert.ok(envNames(byName(run, "cache"), "redis").includes("JAVA_TOOL_OPTIONS"));
    assert.ok(envNames(byName(run, "reports"), "sidecar").includes("JAVA_TOOL_OPTIONS"));
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ["an unknown select", { ...ON, select: "first" }, /pinpoint:select is "first"; use one of: auto, all/],
    ["readImages not a boolean", { ...ON, readImages: "yes" }, /pinpoint:readImages is "yes", not a boolean/],
  ];
  for (const [name, config, error] of bad) {
    it(`${name} fails the preview, naming the key`, async () => {
      const { run } = await runLogged(config);
      assert.ok(run.errors.some((e) => error.test(e)), `expected ${error} in ${JSON.stringify(run.errors)}`);
    });
  }
});
