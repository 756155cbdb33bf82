/**
 * Where the time goes: reruns a configuration under `node --cpu-prof` and
 * sums the .cpuprofile's samples by function (self time) and by package.
 */
import * as fs from "fs";
import * as path from "path";
import { runChild } from "./child";
import { OUT } from "./paths";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@pulumi/pulumi/output.js` → `@pulumi/pulumi`; our files by their path under the root. */
function owner(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return "node (built-in)";
  if (url === "") return "(native, GC, idle)";
  const bin = url.indexOf("/bin/");
  return bin >= 0 ? `our package: ${url.slice(bin + 1).split("/").slice(0, 2).join("/")}` : url.replace(/^file:\/\//, "");
}

export function summarise(file: string, top = 15): string[] {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = p.timeDeltas[i] ?? 0;
    const f = n.callFrame;
    const where = f.url ? `${owner(f.url)}:${path.basename(f.url)}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    byOwner.set(owner(f.url), (byOwner.get(owner(f.url)) ?? 0) + dt);
    total += dt;
  });
  const line = (k: string, v: number) => `${(v / 1000).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`;
  return [
    `total sampled: ${(total / 1000).toFixed(0)} ms`,
    "top self time by function:",
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => line(k, v)),
    "self time by package:",
    ...[...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => line(k, v)),
  ];
}

/** Runs the configuration once under the profiler; returns the summary lines. */
export function profileRun(slug: string, script: string, args: string[], stdoutFile?: string): string[] {
  const dir = path.join(OUT, "profiles", slug);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  runChild(script, args, { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`], stdoutFile });
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return [`no profile written in ${dir}`];
  return [`profile: ${path.relative(process.cwd(), path.join(dir, file))}`, ...summarise(path.join(dir, file))];
}
