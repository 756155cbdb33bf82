/**
 * The e2e kubelet's probes and restarts (cluster/probes.ts,
 * cluster/containerRuntime.ts) on a pod whose one container is a shell and a
 * sleep: attempts at the declared period, readiness after successThreshold
 * successes, and a liveness probe failing failureThreshold times killing the
 * container (SIGTERM ignored by its PID 1, so SIGKILL after
 * terminationGracePeriodSeconds) and starting it again in its pod with
 * restartCount 1, its readiness (and the cluster DNS's answer) following.
 * The server containers get the same from realPinpoint.e2e.test.ts.
 *
 * Then containers that exit by themselves (cluster/restartPolicy.ts,
 * cluster/backoff.ts): a Deployment's (restartPolicy unset, so Always) that
 * exits 3 after a second is started again at once, then 10 s and 20 s after
 * its exits (measured from the times the stand-in records), restartCount one
 * up each time, not ready (and out of the DNS answer) while down; stopping it
 * during its next back-off starts nothing more. A Never pod that exits 1 and
 * an OnFailure pod that exits 0 stay down.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PodTemplateSpec, Service } from "kubernetes-types/core/v1";
import { removeMountPoints } from "./cluster/container";
import { ClusterDns } from "./cluster/dns";
import type { RuntimeEvent } from "./cluster/containerRuntime";
import { PodEnvironment, runPod, RunningPod } from "./cluster/kubelet";
import { ClusterNetwork } from "./cluster/network";

const ALIVE = "/tmp/alive";
const FQDN = "probed.e2e.svc.cluster.local";
const CRASHING_FQDN = "crashing.e2e.svc.cluster.local";
/** The tolerance on a back-off's measured length: the stand-in restarts when the window ends, plus the time to spawn. */
const BACKOFF_TOLERANCE_MS = 1500;

/** A pod of one busybox-like container that runs `script` (sh -c) once. */
function exitingPod(restartPolicy: "Always" | "OnFailure" | "Never" | undefined, script: string, app: string): PodTemplateSpec {
  return { metadata: { labels: { app } }, spec: { ...(restartPolicy ? { restartPolicy } : {}), terminationGracePeriodSeconds: 1, containers: [{ name: "main", image: "busybox", command: ["sh", "-c", script] }] } };
}

/** Each restart: how long after the exit before it the container started again, from the events the stand-in recorded. */
function restartGaps(events: readonly RuntimeEvent[]): number[] {
  const gaps: number[] = [];
  events.forEach((e, i) => {
    if (e.event !== "started" || i === 0) return;
    const exit = events.slice(0, i).filter((x) => x.event === "exited").pop();
    gaps.push(Date.parse(e.at) - Date.parse(exit!.at));
  });
  return gaps;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("e2e kubelet: probes at their declared period and thresholds; a container failing liveness, or exiting, is restarted as restartPolicy says", function () {
  this.timeout(120000);
  let tmp: string;
  let network: ClusterNetwork;
  let dns: ClusterDns;
  let pod: RunningPod | undefined;
  const template: PodTemplateSpec = {
    metadata: { labels: { app: "probed" } },
    spec: {
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: "main",
          image: "busybox",
          command: ["sh", "-c", `touch ${ALIVE} && exec sleep infinity`],
          readinessProbe: { exec: { command: ["test", "-f", ALIVE] }, periodSeconds: 1, successThreshold: 2, failureThreshold: 1 },
          livenessProbe: { exec: { command: ["test", "-f", ALIVE] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 },
        },
      ],
    },
  };

  before(async function () {
    const missing = process.getuid?.() !== 0 || spawnSync("sh", ["-c", "command -v dnsmasq"]).status !== 0;
    if (missing) {
      if (process.env.CI === "true") throw new Error("the kubelet probe test needs root and dnsmasq (Debian package dnsmasq-base)");
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-kubelet-e2e-"));
    fs.chmodSync(tmp, 0o755);
    network = await ClusterNetwork.create();
    dns = await ClusterDns.start(network, path.join(tmp, "dns"));
    const headless = (name: string): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "e2e" }, spec: { clusterIP: "None", selector: { app: name }, ports: [{ port: 1 }] } });
    dns.applyServices([headless("probed"), headless("crashing")]);
  });

  after(async () => {
    await pod?.stop();
    dns?.stop();
    network?.stop();
    removeMountPoints();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function environment(): PodEnvironment {
    const unsupported = () => {
      throw new Error("not used");
    };
    return { network, dns, workDir: path.join(tmp, "pods"), secrets: [], configMaps: [], image: () => ({}), runInit: unsupported, imageRoot: unsupported };
  }

  it("readiness passes after successThreshold attempts one period apart; the headless Service answers only then", async () => {
    const unsupported = () => {
      throw new Error("not used");
    };
    const started = Date.now();
    pod = await runPod(
      { name: "probed-0", namespace: "e2e", template },
      { network, dns, workDir: path.join(tmp, "pods"), secrets: [], configMaps: [], image: () => ({}), runInit: unsupported, imageRoot: unsupported },
    );
    const c = pod.containers[0];
    const readiness = c.workers.find((w) => w.kind === "readinessProbe")!;
    assert.ok(readiness.attempts.length >= 2, `two successes needed: ${JSON.stringify(readiness.attempts)}`);
    const times = readiness.attempts.map((a) => Date.parse(a.at));
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 900 && times[i] - times[i - 1] < 1800, `attempts one period (1 s) apart: ${readiness.attempts.map((a) => a.at).join(", ")}`);
    const ready = c.events.find((e) => e.event === "ready")!;
    assert.ok(Date.parse(ready.at) - started >= 900, `ready only after the second success: ${JSON.stringify(c.events)}`);
    assert.deepStrictEqual(dns.lookup(FQDN), [pod.ip]);
  });

  it("liveness failing failureThreshold times kills the container (SIGKILL after the grace period, its PID 1 ignoring SIGTERM) and starts it again: restartCount 1, ready again", async () => {
    const c = pod!.containers[0];
    const first = c.process;
    const removedAt = Date.now();
    fs.rmSync(path.join(tmp, "pods", "probed-0", "tmp", "alive"));
    const deadline = Date.now() + 30000;
    while (c.restartCount === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.strictEqual(c.restartCount, 1, JSON.stringify(c.events));
    assert.notStrictEqual(c.process, first);
    assert.ok(!first.running, "the first process is gone");
    const killed = c.events.find((e) => e.event === "killed")!;
    assert.match(killed.detail!, /^liveness probe failed .*ended by SIGKILL$/);
    const liveness = c.workers.filter((w) => w.kind === "livenessProbe")[0];
    const failures = liveness.attempts.filter((a) => !a.ok && Date.parse(a.at) >= removedAt);
    assert.strictEqual(failures.length, 2, `killed after exactly failureThreshold (2) failures: ${JSON.stringify(liveness.attempts)}`);
    // SIGTERM at the second failure, SIGKILL 2 s (terminationGracePeriodSeconds) later.
    assert.ok(Date.parse(killed.at) - Date.parse(failures[1].at) >= 2000, `${killed.at} vs ${failures[1].at}`);
    assert.ok(c.events.some((e) => e.event === "not ready"), "not ready while killed");
    await c.awaitProbesPassed(30000);
    assert.ok(c.ready && c.process.running);
    assert.deepStrictEqual(dns.lookup(FQDN), [pod!.ip]);
    assert.deepStrictEqual(c.events.map((e) => e.event), ["started", "ready", "not ready", "killed", "started", "ready"]);
  });

  it("resources.limits become the container's control group, and a JVM in it sees them (-XshowSettings:system)", async function () {
    if (spawnSync("sh", ["-c", "command -v java"]).status !== 0) this.skip();
    const limited: PodTemplateSpec = { spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "main", image: "busybox", command: ["sleep", "infinity"], resources: { limits: { cpu: "500m", memory: "256Mi" } } }] } };
    const unsupported = () => {
      throw new Error("not used");
    };
    const p = await runPod({ name: "limited-0", namespace: "e2e", template: limited }, { network, dns, workDir: path.join(tmp, "pods"), secrets: [], configMaps: [], image: () => ({}), runInit: unsupported, imageRoot: unsupported });
    try {
      const out = p.containers[0].process.exec(["java", "-XshowSettings:system", "-version"], 30000).output;
      assert.match(out, /CPU Quota: 50000us/, out);
      assert.match(out, /Memory Limit: 256\.00M/, out);
    } finally {
      await p.stop();
    }
  });

  it("a container that exits is restarted by restartPolicy after the crash-loop back-off (at once, then 10 s, then 20 s), not ready while down; Never and OnFailure (exit 0) pods stay down; stopping during a back-off starts nothing", async function () {
    this.timeout(60000);
    const [crashing, never, onFailure] = await Promise.all([
      // A Deployment's pod: restartPolicy unset.
      runPod({ name: "crashing-0", namespace: "e2e", template: exitingPod(undefined, "echo running; sleep 1; exit 3", "crashing"), skipProbes: true }, environment()),
      runPod({ name: "never-0", namespace: "e2e", template: exitingPod("Never", "exit 1", "never"), skipProbes: true }, environment()),
      runPod({ name: "onfailure-0", namespace: "e2e", template: exitingPod("OnFailure", "exit 0", "onfailure"), skipProbes: true }, environment()),
    ]);
    try {
      const c = crashing.containers[0];
      // Down while it waits out its first back-off (10 s, after its second exit): not ready, out of the headless Service's answer.
      await until("the first back-off", () => c.events.some((e) => e.event === "back-off"), 15000);
      assert.strictEqual(c.ready, false);
      assert.deepStrictEqual(dns.lookup(CRASHING_FQDN), []);
      // Up again after it: ready (no readiness probe), in the answer, restartCount 2.
      await until("the restart after the 10 s back-off", () => c.restartCount === 2 && c.process.running, 15000);
      assert.strictEqual(c.ready, true);
      assert.deepStrictEqual(dns.lookup(CRASHING_FQDN), [crashing.ip]);
      await until("the restart after the 20 s back-off", () => c.restartCount === 3, 25000);
      const gaps = restartGaps(c.events);
      assert.strictEqual(gaps.length, 3, JSON.stringify(c.events));
      console.log(`      measured from the recorded events: restarted ${gaps.map((g) => `${g} ms`).join(", ")} after each exit`);
      assert.ok(gaps[0] < BACKOFF_TOLERANCE_MS, `the first restart at once (no back-off before the first): ${gaps[0]} ms; ${JSON.stringify(c.events)}`);
      assert.ok(gaps[1] >= 10000 && gaps[1] < 10000 + BACKOFF_TOLERANCE_MS, `10 s after the second exit: ${gaps[1]} ms; ${JSON.stringify(c.events)}`);
      assert.ok(gaps[2] >= 20000 && gaps[2] < 20000 + BACKOFF_TOLERANCE_MS, `20 s after the third exit: ${gaps[2]} ms; ${JSON.stringify(c.events)}`);
      assert.deepStrictEqual(c.events.filter((e) => e.event === "started").map((e) => e.detail), [undefined, "restartCount 1", "restartCount 2", "restartCount 3"]);
      assert.deepStrictEqual(c.events.filter((e) => e.event === "exited").map((e) => e.detail), ["code 3", "code 3", "code 3"]);
      // The fourth run prints its line just after it starts: wait for it rather than race it.
      await until("four runs in the container's log", () => c.process.log().split("\n").filter((l) => l === "running").length === 4, 5000);

      // Never (exit 1) and OnFailure (exit 0): ended once, never started again, not ready.
      for (const p of [never, onFailure]) {
        const m = p.containers[0];
        assert.strictEqual(m.restartCount, 0, `${p.name}: ${JSON.stringify(m.events)}`);
        assert.ok(!m.process.running && !m.ready, p.name);
        assert.deepStrictEqual(m.events.map((e) => e.event), ["started", "ready", "exited", "not ready"], p.name);
      }
      assert.strictEqual(never.containers[0].process.exitCode, 1);
      assert.strictEqual(onFailure.containers[0].process.exitCode, 0);

      // Stopped while waiting out its next back-off (40 s): stop() returns at once, and nothing starts after it.
      await until("the fourth exit's back-off", () => c.events.filter((e) => e.event === "back-off").length === 3, 5000);
      assert.match(c.events[c.events.length - 1].detail!, /^restart in (39|40)\.\d s$/);
      const stopping = Date.now();
      await crashing.stop();
      assert.ok(Date.now() - stopping < 2000, `stop() does not wait out the back-off: ${Date.now() - stopping} ms`);
      const after = c.events.length;
      await new Promise((r) => setTimeout(r, 1000));
      assert.strictEqual(c.events.length, after, JSON.stringify(c.events.slice(after)));
      assert.strictEqual(c.restartCount, 3);
      assert.ok(!c.process.running && !fs.existsSync(`/proc/${c.process.pid}`), `no process left: pid ${c.process.pid}`);
    } finally {
      await Promise.all([crashing, never, onFailure].map((p) => p.stop()));
    }
  });
});
