/**
 * Reading what the Pinpoint agent did at start, for bench part 7: which
 * plugins it loaded (its own log), which plugin ids an archive holds (the
 * plugin jars' manifests), and where the start went by class loading (the
 * JVM's -Xlog:class+load with uptime). Pure functions over text.
 */

/** Plugin classes the agent loaded, in order: its log's "Loading plugin:<class>" lines (DefaultProfilerPluginContextLoader, agent 3.x). */
export function loadedPlugins(agentLog: string): string[] {
  return [...agentLog.matchAll(/Loading plugin:(\S+)/g)].map((m) => m[1]);
}

/** The plugin ids the agent was told to skip: its log's DefaultPluginLoadingConfig{…, disabledPlugins=[a, b], …}. */
export function disabledPlugins(agentLog: string): string[] {
  const m = /DefaultPluginLoadingConfig\{[^}]*disabledPlugins=\[([^\]]*)\]/.exec(agentLog);
  return m ? m[1].split(",").map((s) => s.trim()).filter(Boolean) : [];
}

/** One attribute of a jar manifest (MANIFEST.MF), continuation lines (a leading space) joined; undefined when absent. */
export function manifestAttribute(manifest: string, name: string): string | undefined {
  const unfolded = manifest.replace(/\r\n/g, "\n").replace(/\n /g, "");
  const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}: *(.*)$`, "m").exec(unfolded);
  return m ? m[1].trim() : undefined;
}

export type ClassCategory = "agent core" | "agent plugins" | "gRPC, Netty, protobuf" | "JDK" | "generated (lambdas, proxies)" | "app";
export const CLASS_CATEGORIES: readonly ClassCategory[] = ["agent core", "agent plugins", "gRPC, Netty, protobuf", "JDK", "generated (lambdas, proxies)", "app"];

export interface ClassLoad {
  /** JVM uptime, seconds. */
  t: number;
  name: string;
  source: string;
}

/** The class load events of `-Xlog:class+load=info:file=…:uptime` (lines "[0.512s] a.B source: …"); "opened:" lines skipped. */
export function parseClassLoads(text: string): ClassLoad[] {
  const out: ClassLoad[] = [];
  for (const m of text.matchAll(/^\[(\d+(?:\.\d+)?)s\]\s+(\S+) source: (.*)$/gm)) out.push({ t: Number(m[1]), name: m[2], source: m[3] });
  return out;
}

const GRPC = /^(io\.grpc\.|io\.netty\.|com\.google\.protobuf\.|io\.perfmark\.)/;

export function classCategory(c: ClassLoad, agentRoot: string): ClassCategory {
  const root = agentRoot.replace(/\/$/, "");
  if (c.source.includes(`${root}/plugin/`)) return "agent plugins";
  if (GRPC.test(c.name)) return "gRPC, Netty, protobuf";
  if (c.source.includes(root)) return "agent core";
  if (c.source === "shared objects file" || c.source.startsWith("jrt:/")) return "JDK";
  // A hidden class names its host class as its source (a lambda's, a proxy's); the JVM's own spinning shows as __JVM_…__.
  if (c.source.startsWith("__") || /^[\w$.]+$/.test(c.source)) return "generated (lambdas, proxies)";
  return "app";
}

export interface StartProfile {
  /** From the first class loaded from the agent's folder to the app's main class: the agent's premain, ms. */
  premainMs: number;
  /** Per category, within the premain: classes loaded, and the time attributed to them (each gap between two loads goes to the class loaded at its end). */
  categories: Record<ClassCategory, { classes: number; ms: number }>;
  /** Classes loaded in the whole log (to the end of the run). */
  totalClasses: number;
}

/**
 * Where the agent's premain went, by what it loaded: the gap before each
 * class load is charged to that class's category. Not a CPU profile: a
 * phase that loads few classes (a network handshake, JIT) is charged to the
 * next class; it says which phase the time was spent in.
 */
export function startProfile(text: string, agentRoot: string, mainClass: string): StartProfile {
  const loads = parseClassLoads(text);
  const categories = Object.fromEntries(CLASS_CATEGORIES.map((c) => [c, { classes: 0, ms: 0 }])) as StartProfile["categories"];
  const root = agentRoot.replace(/\/$/, "");
  const first = loads.findIndex((c) => c.source.includes(root));
  const main = loads.findIndex((c) => c.name === mainClass);
  if (first < 0 || main < 0 || main < first) return { premainMs: NaN, categories, totalClasses: loads.length };
  for (let i = first; i < main; i++) {
    const cat = categories[classCategory(loads[i], agentRoot)];
    cat.classes++;
    if (i > first) cat.ms += (loads[i].t - loads[i - 1].t) * 1000;
  }
  return { premainMs: (loads[main].t - loads[first].t) * 1000, categories, totalClasses: loads.length };
}
