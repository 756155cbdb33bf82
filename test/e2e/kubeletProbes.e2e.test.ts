/**
 * The e2e kubelet's probes and restarts (cluster/probes.ts,
 * cluster/containerRuntime.ts) on a pod whose one container is a shell and a
 * sleep: attempts at the declared period, readiness after successThreshold
 * successes, and a liveness probe failing failureThreshold times killing the
 * container (SIGTERM ignored by its PID 1, so SIGKILL after
 * terminationGracePeriodSeconds) and starting it again in its pod with
 * restartCount 1, its readiness (and the cluster DNS's answer) following.
 * The server containers get the same from realPinpoint.e2e.test.ts.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PodTemplateSpec, Service } from "kubernetes-types/core/v1";
import { removeMountPoints } from "./cluster/container";
import { ClusterDns } from "./cluster/dns";
import { runPod, RunningPod } from "./cluster/kubelet";
import { ClusterNetwork } from "./cluster/network";

const ALIVE = "/tmp/alive";
const FQDN = "probed.e2e.svc.cluster.local";

describe("e2e kubelet: probes at their declared period and thresholds; a container failing liveness is restarted", function () {
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
    const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "probed", namespace: "e2e" }, spec: { clusterIP: "None", selector: { app: "probed" }, ports: [{ port: 1 }] } };
    dns.applyServices([service]);
  });

  after(async () => {
    await pod?.stop();
    dns?.stop();
    network?.stop();
    removeMountPoints();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

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
});
