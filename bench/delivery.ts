/**
 * Part 5: what each agent delivery costs a pod before its app starts, with the
 * real agent archive. `copy`: the rendered init container's command, run for
 * real (its own shell script, in a private mount namespace where the image's
 * agent folder and a fresh folder standing in for the emptyDir sit at the
 * paths the pod gives them, as the init container's uid), cold and warm page
 * cache; the bytes it leaves in the emptyDir. `imageVolume`: what the rendered
 * pod copies and writes before the app starts, read from the pod itself.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Pkg from "../bin";
import { interleave } from "./lib/child";
import { requireBuilt } from "./lib/paths";
import { PartResult, Row } from "./lib/report";
import { fmtMs, fmtRatio, median, spread } from "./lib/stats";
import { AGENT_ARCHIVE, releasedArtifact, RESOLVE_HINT } from "./lib/artifacts";
import { deployment, IMAGE } from "./lib/workloads";

const DROP_CACHES = "/proc/sys/vm/drop_caches";
/** A stand-in root for the init container's paths inside the private namespace (hides the host's /var there only). */
const NAMESPACE_ROOT = "/var";

interface Tree {
  files: number;
  dirs: number;
  /** Sum of file sizes. */
  bytes: number;
  /** Space taken on disk (allocated blocks). */
  diskBytes: number;
}

function walk(dir: string): Tree {
  const t: Tree = { files: 0, dirs: 0, bytes: 0, diskBytes: 0 };
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const st = fs.lstatSync(p);
    t.diskBytes += st.blocks * 512;
    if (e.isDirectory()) {
      const sub = walk(p);
      t.dirs += 1 + sub.dirs;
      t.files += sub.files;
      t.bytes += sub.bytes;
      t.diskBytes += sub.diskBytes;
    } else {
      t.files++;
      t.bytes += st.size;
    }
  }
  return t;
}

const fmtBytes = (b: number): string => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
const info = (figure: string, value: string, baseline: string, ratio?: number): Row => ({ figure, value, baseline, ratio, target: "–", verdict: "info" });

/** Drops the page cache (needs root and a writable /proc/sys); false when this machine does not allow it. */
function dropCaches(): boolean {
  try {
    spawnSync("sync");
    fs.writeFileSync(DROP_CACHES, "3\n");
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `script` (the init container's `sh -c` argument) as `uid`, with the
 * image's agent folder at `sourceDir` and `emptyDir` at `mountPath`; returns
 * the wall time in ms. The namespace set-up is timed too, and measured alone as the floor.
 */
function runInitScript(script: string, o: { image: string; sourceDir: string; emptyDir: string; mountPath: string; uid: number }): number {
  const setup = [
    `mount -t tmpfs tmpfs ${NAMESPACE_ROOT}`,
    `mkdir -p ${o.sourceDir} ${o.mountPath}`,
    `mount --bind ${o.image} ${o.sourceDir}`,
    `mount -o remount,bind,ro ${o.sourceDir}`, // the image's files are read-only to the init container
    `mount --bind ${o.emptyDir} ${o.mountPath}`,
    `exec setpriv --reuid ${o.uid} --regid ${o.uid} --clear-groups sh -c "$0"`,
  ].join(" && ");
  const t0 = process.hrtime.bigint();
  const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", setup, script], { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`the init container's command failed (${r.status}): ${r.stderr}`);
  return ms;
}

export function deliveryCost(reps: { warm: number; cold: number }, log: (s: string) => void): PartResult {
  const title = "5. Agent delivery: what a pod pays before its app starts";
  // The released archive the end-to-end tests resolve; PINPOINT_AGENT_ARCHIVE overrides.
  const archive = process.env.PINPOINT_AGENT_ARCHIVE ?? releasedArtifact(AGENT_ARCHIVE);
  if (!archive || !fs.existsSync(archive)) {
    return { title, rows: [info("agent archive", "skipped: not found", archive ?? "–")], notes: [`No agent archive: ${RESOLVE_HINT}, or set PINPOINT_AGENT_ARCHIVE to a pinpoint-agent-<version>.tar.gz.`] };
  }
  if (process.getuid?.() !== 0) {
    return { title, rows: [info("init container copy", "skipped: needs root", "–")], notes: ["The copy runs in a private mount namespace as the init container's uid, which needs root."] };
  }
  log(`part 5: agent delivery, ${archive}, ${reps.cold} cold and ${reps.warm} warm copies`);
  const pkg = requireBuilt<typeof Pkg>();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pp-bench-delivery-"));
  try {
    // The archive, unpacked as it ships.
    const unpacked = path.join(work, "unpacked");
    fs.mkdirSync(unpacked);
    spawnSync("tar", ["xzf", archive, "-C", unpacked]);
    const raw = walk(unpacked);
    const archiveBytes = fs.statSync(archive).size;

    // What the pp_agent image holds under /var/lib/pp_agent: AgentImage's own normalisation of the archive.
    const ctx = pkg.prepareBuildContext({ source: archive, contextDir: path.join(work, "image") });
    const imageAgent = path.join(ctx.contextDir, "pp_agent");
    const image = walk(imageAgent);

    // The two rendered pods.
    const podOf = (agentDelivery: Pkg.AgentDelivery) => pkg.podTemplateOf(pkg.inject(deployment(0), { image: IMAGE, agentDelivery }).workload)!.spec!;
    const copyPod = podOf("copy");
    const volumePod = podOf("imageVolume");
    const init = copyPod.initContainers!.find((c) => c.name === pkg.INIT_CONTAINER_NAME)!;
    const [shell, flag, script] = init.command!;
    if (shell !== "sh" || flag !== "-c") throw new Error(`bench: the init command is not sh -c: ${init.command!.join(" ")}`);
    const mountPath = init.volumeMounts![0].mountPath;
    const uid = init.securityContext!.runAsUser!;

    const copyOnce = (cold: boolean): { ms: number; tree?: Tree } => {
      const emptyDir = fs.mkdtempSync(path.join(work, "emptydir-"));
      fs.chmodSync(emptyDir, 0o777); // as the kubelet makes an emptyDir
      if (cold && !dropCaches()) throw new Error("cannot drop caches");
      const ms = runInitScript(script, { image: imageAgent, sourceDir: pkg.AGENT_SOURCE_DIR, emptyDir, mountPath, uid });
      const tree = walk(emptyDir);
      fs.rmSync(emptyDir, { recursive: true, force: true });
      return { ms, tree };
    };
    const floorOnce = (): { ms: number; tree?: Tree } => {
      const emptyDir = fs.mkdtempSync(path.join(work, "floor-"));
      const ms = runInitScript("true", { image: imageAgent, sourceDir: pkg.AGENT_SOURCE_DIR, emptyDir, mountPath, uid });
      fs.rmSync(emptyDir, { recursive: true, force: true });
      return { ms };
    };

    const canDrop = dropCaches();
    copyOnce(false); // first touch: fills the page cache for the warm runs
    const warm = interleave(reps.warm, () => copyOnce(false), floorOnce);
    const cold = canDrop ? Array.from({ length: reps.cold }, () => copyOnce(true)) : [];
    const warmMs = warm.a.map((r) => r.ms);
    const floorMs = warm.b.map((r) => r.ms);
    const copied = warm.a[0].tree!;
    const pairRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));

    // The image volume pod: what runs and what is written before the app starts, from the pod itself.
    const volumeInits = volumePod.initContainers ?? [];
    const emptyDirs = (volumePod.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => v.name);
    const writers = volumeInits.filter((c) => (c.volumeMounts ?? []).some((m) => emptyDirs.includes(m.name) && !m.readOnly));

    const rows: Row[] = [
      info(`agent archive ${path.basename(archive)}`, `${fmtBytes(archiveBytes)} packed; ${fmtBytes(raw.bytes)} in ${raw.files} files, ${raw.dirs} folders unpacked`, "–"),
      info("pp_agent image: the agent under /var/lib/pp_agent", `${fmtBytes(image.bytes)} in ${image.files} files, ${image.dirs} folders`, `archive unpacked ${fmtBytes(raw.bytes)}`, image.bytes / raw.bytes),
      info(
        "copy: the init container's cp, warm page cache",
        fmtMs(median(warmMs)),
        `same namespace, mounts and uid running true: ${fmtMs(median(floorMs))}`,
        pairRatio(warmMs, floorMs),
      ),
      canDrop
        ? info("copy: the init container's cp, cold page cache", fmtMs(median(cold.map((r) => r.ms))), `warm ${fmtMs(median(warmMs))}`, median(cold.map((r) => r.ms)) / median(warmMs))
        : info("copy: the init container's cp, cold page cache", "not measured: this machine does not let the page cache be dropped", "–"),
      info("copy: emptyDir bytes per pod (on the node's disk)", `${fmtBytes(copied.diskBytes)} on disk, ${fmtBytes(copied.bytes)} in ${copied.files} files`, `image ${fmtBytes(image.bytes)}`, copied.bytes / image.bytes),
      info(
        "imageVolume: copy before the app starts",
        `${volumeInits.length} init containers, ${writers.length} writing into an emptyDir: 0 ms`,
        `copy: 1 init container, ${fmtMs(median(warmMs))} warm`,
        0,
      ),
      info("imageVolume: emptyDir bytes per pod at start", `0 B (${emptyDirs.join(", ")}: empty until the agent logs)`, `copy: ${fmtBytes(copied.diskBytes)}`, 0),
    ];
    const notes = [
      `Archive ${archive}; image folder made by AgentImage's prepareBuildContext (the same files, world-readable, plus the empty logs folder).`,
      `The copy is the rendered init container's own script (\`${script}\`), run by sh in a private mount namespace where ${pkg.AGENT_SOURCE_DIR} is the image's agent folder (read-only) and ${mountPath} a fresh folder of mode 777 on ${os.tmpdir()} (the node disk's stand-in for the emptyDir), as uid ${uid} like the init container. ` +
        `Warm: ${spread(warmMs, fmtMs)}; floor (the same set-up running true): ${spread(floorMs, fmtMs)}; pairs run back to back in alternating order.` +
        (canDrop ? ` Cold: page cache dropped (sync; echo 3 > ${DROP_CACHES}) before each run: ${spread(cold.map((r) => r.ms), fmtMs)}.` : " Cold runs need a writable /proc/sys/vm/drop_caches, which this machine does not give."),
      "A real init container also costs its own start (the runtime creating and starting one more container before the app's), and both deliveries pull the pp_agent image once per node; neither is in these figures, which are the copy alone, so the copy delivery's real cost per pod start is higher than shown.",
      `imageVolume figures are read from the rendered pod: its init containers (${volumeInits.length}) and the emptyDirs they could fill (${writers.length}); the logs emptyDir (${emptyDirs.join(", ")}) starts empty and holds only what the agent logs (release profile: rolling files of up to 100 MB, so keep volumeSizeLimit above the logs you expect).`,
      `Ratios in this part: image/archive and emptyDir/image are bytes, copy/floor and cold/warm are wall time, all from this one run (${fmtRatio(pairRatio(warmMs, floorMs))} copy/floor).`,
    ];
    return { title, rows, notes };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
