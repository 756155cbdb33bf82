/**
 * decisionLog: the transform's per-workload reasons go to the engine as one
 * diagnostic per burst (bench part 9: one `pulumi.log.info` per workload was an
 * engine round trip each), with every workload's line kept word for word.
 */
import * as assert from "assert";
import { AsyncLocalStorage } from "async_hooks";
import "@pulumi/pulumi";
import { burstMessage, Decision, decisionLine, FLUSH_AFTER_MS, logDecision } from "../sdk/decisionLog";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const sdkStorage = (globalThis as unknown as { asyncLocalStorage: AsyncLocalStorage<unknown> }).asyncLocalStorage;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LocalStore } = require("@pulumi/pulumi/runtime/state") as { LocalStore: new () => object };

const tomcat: Decision = { workload: "Deployment dev/tomcat-zffw", injected: true, reason: "tomcat-zffw: Tomcat: mount /home/tomcat/conf/server.xml → CATALINA_OPTS" };
const cache: Decision = { workload: "Deployment dev/cache", injected: false, reason: "no JVM container (redis: not a JVM: image redis:7.2 is a known non-JVM image)" };
const reports: Decision = { workload: "Deployment dev/reports", injected: true, reason: "app: JVM: image eclipse-temurin:21-jre → JAVA_TOOL_OPTIONS" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("decisionLog: one diagnostic per burst of workloads", () => {
  it("a workload's line reads as it always has", () => {
    assert.strictEqual(decisionLine(tomcat), "pinpoint: Deployment dev/tomcat-zffw instrumented: tomcat-zffw: Tomcat: mount /home/tomcat/conf/server.xml → CATALINA_OPTS");
    assert.strictEqual(decisionLine(cache), "pinpoint: Deployment dev/cache left alone: no JVM container (redis: not a JVM: image redis:7.2 is a known non-JVM image)");
  });

  const messages: Array<[string, Decision[], string]> = [
    ["one workload: its line alone", [tomcat], decisionLine(tomcat)],
    [
      "several: a summary line, then every workload's line in the order decided",
      [tomcat, cache, reports],
      ["pinpoint: 2 of 3 workloads instrumented, 1 left alone:", decisionLine(tomcat), decisionLine(cache), decisionLine(reports)].join("\n"),
    ],
    ["none instrumented", [cache, cache], ["pinpoint: 0 of 2 workloads instrumented, 2 left alone:", decisionLine(cache), decisionLine(cache)].join("\n")],
  ];
  for (const [name, decisions, want] of messages) {
    it(`burstMessage, ${name}`, () => assert.strictEqual(burstMessage(decisions), want));
  }

  it("decisions that come close together are sent once, after a quiet spell, and the program's RPCs wait for it", async () => {
    const sent: string[] = [];
    const send = async (m: string) => void sent.push(m);
    logDecision(tomcat, send);
    await sleep(FLUSH_AFTER_MS / 4);
    logDecision(cache, send);
    logDecision(reports, send);
    assert.deepStrictEqual(sent, [], "nothing is sent while the burst goes on");
    // What the engine (and the mock engine) awaits before the program ends: the burst is not lost.
    await settings.waitForRPCs();
    assert.deepStrictEqual(sent, [burstMessage([tomcat, cache, reports])]);
  });

  it("a decision after a quiet spell starts a new burst", async () => {
    const sent: string[] = [];
    const send = async (m: string) => void sent.push(m);
    logDecision(tomcat, send);
    await sleep(FLUSH_AFTER_MS * 3);
    logDecision(cache, send);
    await settings.waitForRPCs();
    assert.deepStrictEqual(sent, [decisionLine(tomcat), decisionLine(cache)]);
  });

  it("two programs in one process (inline programs) keep their bursts apart", async () => {
    const sent: Array<[string, string]> = [];
    // The store an Automation API inline program runs in, one per program.
    const a = new LocalStore();
    const b = new LocalStore();
    sdkStorage.run(a, () => logDecision(tomcat, async (m) => void sent.push(["a", m])));
    sdkStorage.run(b, () => logDecision(cache, async (m) => void sent.push(["b", m])));
    sdkStorage.run(a, () => logDecision(reports, async (m) => void sent.push(["a", m])));
    await Promise.all([a, b].map((store) => sdkStorage.run(store, () => settings.waitForRPCs())));
    assert.deepStrictEqual(sent.sort(), [
      ["a", burstMessage([tomcat, reports])],
      ["b", decisionLine(cache)],
    ]);
  });

  it("a send that fails still releases the keep-alive: the program ends", async () => {
    logDecision(tomcat, async () => {
      throw new Error("engine gone");
    });
    await settings.waitForRPCs();
  });
});
