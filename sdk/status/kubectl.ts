/**
 * Evidence from a live cluster through kubectl: each expected workload's pods
 * (by its selector), their phase and IP, the instrumented container's log and
 * the agent's own log files. What kubectl cannot give stays unknown, so the
 * report does not claim a reason it has no evidence for.
 */
import { spawnSync } from "child_process";
import type { Pod } from "kubernetes-types/core/v1";
import type { Evidence, PodEvidence } from "./evidence";
import type { ExpectedWorkload } from "./expected";

export type KubectlRunner = (args: string[]) => { status: number; stdout: string; stderr: string };

/** Lines of each log read: the latest ones say what the agent does now. */
export const LOG_TAIL_LINES = 300;

export const spawnKubectl: KubectlRunner = (args) => {
  const r = spawnSync("kubectl", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60000 });
  if (r.error) throw new Error(`kubectl could not start (${r.error.message}): install it or give --evidence instead`);
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
};

export function kubectlEvidence(expected: readonly ExpectedWorkload[], run: KubectlRunner = spawnKubectl, context?: string): Evidence {
  const base = context ? ["--context", context] : [];
  const pods: PodEvidence[] = [];
  const examined: string[] = [];
  for (const e of expected) {
    const selector = Object.entries(e.selector).map(([k, v]) => `${k}=${v}`).join(",");
    if (!selector) continue; // no matchLabels: its pods cannot be told apart, so nothing is claimed
    examined.push(`${e.namespace}/${e.name}`);
    const listed = run([...base, "get", "pods", "-n", e.namespace, "-l", selector, "-o", "json"]);
    if (listed.status !== 0) throw new Error(`kubectl get pods -n ${e.namespace} -l ${selector} failed: ${listed.stderr.trim()}`);
    const items = (JSON.parse(listed.stdout) as { items?: Pod[] }).items ?? [];
    const container = e.containers[0]?.name;
    for (const p of items) {
      const name = p.metadata?.name ?? "";
      const phase = p.status?.phase ?? "Unknown";
      const evidence: PodEvidence = { workload: `${e.namespace}/${e.name}`, pod: name, ip: p.status?.podIP, phase };
      if (phase === "Running" && container) {
        const logs = run([...base, "logs", "-n", e.namespace, name, "-c", container, `--tail=${LOG_TAIL_LINES}`]);
        if (logs.status === 0) evidence.containerLog = logs.stdout;
        if (e.agentHome) {
          // `ls` first: an empty or missing logs/ is evidence too (the agent never started); no shell in the image leaves it unknown.
          const script = `cd '${e.agentHome}/logs' 2>/dev/null || exit 0; find . -name '*.log' -exec tail -n ${LOG_TAIL_LINES} {} +`;
          const agent = run([...base, "exec", "-n", e.namespace, name, "-c", container, "--", "sh", "-c", script]);
          if (agent.status === 0) evidence.agentLog = agent.stdout;
        }
      }
      pods.push(evidence);
    }
  }
  return { pods, examined };
}
