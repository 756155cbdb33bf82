/**
 * The e2e kubelet's restart rules (test/e2e/cluster/restartPolicy.ts) and
 * crash-loop back-off (test/e2e/cluster/backoff.ts), against what the real
 * kubelet's code does (the sources are named in those files' headers).
 */
import * as assert from "assert";
import { BACKOFF_RESET_MS, CrashLoopBackOff, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from "./e2e/cluster/backoff";
import { podRestartPolicy, RestartPolicy, restartsAfterKill, shouldRestart } from "./e2e/cluster/restartPolicy";

describe("e2e kubelet: restartPolicy", () => {
  const rows: Array<{ policy: RestartPolicy; exitCode: number | null; restart: boolean }> = [
    { policy: "Always", exitCode: 0, restart: true },
    { policy: "Always", exitCode: 1, restart: true },
    { policy: "OnFailure", exitCode: 0, restart: false },
    { policy: "OnFailure", exitCode: 3, restart: true },
    { policy: "OnFailure", exitCode: null, restart: true },
    { policy: "OnFailure", exitCode: -1, restart: true },
    { policy: "Never", exitCode: 0, restart: false },
    { policy: "Never", exitCode: 1, restart: false },
  ];
  for (const r of rows) {
    it(`${r.policy}, exit ${r.exitCode}: ${r.restart ? "restarted" : "left down"}`, () => {
      assert.strictEqual(shouldRestart(r.policy, r.exitCode), r.restart);
    });
  }

  it("a container killed for a failed probe is started again unless Never, whatever it exited with", () => {
    assert.deepStrictEqual((["Always", "OnFailure", "Never"] as const).map(restartsAfterKill), [true, true, false]);
  });

  it("an unset restartPolicy is Always (a Deployment's pod); a Job's is what it says; anything else is refused", () => {
    assert.strictEqual(podRestartPolicy({ spec: { containers: [] } }), "Always");
    assert.strictEqual(podRestartPolicy({}), "Always");
    assert.strictEqual(podRestartPolicy({ spec: { restartPolicy: "OnFailure", containers: [] } }), "OnFailure");
    assert.throws(() => podRestartPolicy({ spec: { restartPolicy: "Sometimes", containers: [] } }), /restartPolicy Sometimes/);
  });
});

describe("e2e kubelet: crash-loop back-off", () => {
  /** A container that exits `runMs` after each start, restarted as soon as the back-off allows: each restart's wait after its exit. */
  function waits(exits: number, runMs = 0, backOff = new CrashLoopBackOff()): number[] {
    const out: number[] = [];
    let now = 0;
    for (let i = 0; i < exits; i++) {
      now += runMs;
      const finishedAt = now;
      const wait = backOff.remainingMs(finishedAt, now);
      out.push(wait);
      now += wait;
      backOff.next(finishedAt, now);
    }
    return out;
  }

  it("a container exiting at once: the first restart at once, then 10 s, 20 s, 40 s … capped at 300 s", () => {
    assert.deepStrictEqual(waits(9), [0, 10, 20, 40, 80, 160, 300, 300, 300].map((s) => s * 1000));
    assert.strictEqual(INITIAL_BACKOFF_MS, 10_000);
    assert.strictEqual(MAX_BACKOFF_MS, 300_000);
  });

  it("the wait counts from the exit: a container that ran 4 s of a 10 s window waits the remaining 6 s after its exit", () => {
    const b = new CrashLoopBackOff();
    b.next(0, 0);
    assert.strictEqual(b.remainingMs(4000, 4000), 10_000);
    assert.strictEqual(b.remainingMs(4000, 10_000), 4000);
    assert.strictEqual(b.remainingMs(4000, 14_000), 0);
  });

  it("resets once the container ran more than 10 minutes (twice the cap) since its last restart", () => {
    const b = new CrashLoopBackOff();
    // Six exits at once: the last restart at 0 + 10 + 20 + 40 + 80 + 160 s, the window at its cap.
    waits(6, 0, b);
    const restartedAt = 310_000;
    assert.strictEqual(b.currentMs, MAX_BACKOFF_MS);
    // Ran exactly 10 minutes: still held back.
    assert.strictEqual(b.remainingMs(restartedAt + BACKOFF_RESET_MS, restartedAt + BACKOFF_RESET_MS), 300_000);
    // Ran longer: restarted at once, and the window starts again at 10 s.
    const finishedAt = restartedAt + BACKOFF_RESET_MS + 1;
    assert.strictEqual(b.remainingMs(finishedAt, finishedAt), 0);
    b.next(finishedAt, finishedAt);
    assert.strictEqual(b.currentMs, INITIAL_BACKOFF_MS);
  });
});
