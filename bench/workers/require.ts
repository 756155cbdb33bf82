/**
 * Child for part 4: how long a fresh process takes to `require` the built
 * package, or only what any Pulumi Kubernetes stack loads anyway.
 * Usage: require.js <package|pulumi>
 */
import * as path from "path";
import { ROOT } from "../lib/paths";

export interface RequireResult {
  ms: number;
  cpuMs: number;
  /** Files loaded, by package (node_modules name, or "(ours)"). */
  packages: Record<string, number>;
}

const what = process.argv[2];
// Resolved from the package root, as a stack that depends on us would resolve them.
const targets = what === "package" ? [path.join(ROOT, "bin")] : ["@pulumi/pulumi", "@pulumi/kubernetes"].map((m) => require.resolve(m, { paths: [ROOT] }));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
for (const t of targets) require(t);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const packages: Record<string, number> = {};
for (const file of Object.keys(require.cache)) {
  const at = file.lastIndexOf("node_modules/");
  const parts = at >= 0 ? file.slice(at + "node_modules/".length).split("/") : [];
  const name = at < 0 ? (file.startsWith(path.join(ROOT, "bin")) ? "(ours)" : "(bench)") : parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  packages[name] = (packages[name] ?? 0) + 1;
}
const result: RequireResult = { ms, cpuMs: (cpu.user + cpu.system) / 1000, packages };
process.stdout.write(`${JSON.stringify(result)}\n`);
