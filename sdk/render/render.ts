/**
 * The offline render: a Pulumi program run under the mock engine as a preview
 * (transforms applied), its Kubernetes objects written as YAML files. Values
 * that only a real deployment knows become placeholders; secrets are masked.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ProgramRun, runProgram } from "./mockEngine";
import { runWithEngine } from "./engineRun";
import { kubernetesObjects, RenderedObject } from "./objects";
import { loadProgram, locateProgram, ProgramLocation, stackFile } from "./program";
import { readStackConfig } from "./stackConfig";
import { withImageReading } from "./imageReading";
import { stackReferenceResolver } from "./stackReference";
import { workloadRows, WorkloadRow } from "./table";
import { collectInjectionReport, InjectionReport } from "../injectionReport";
import { checkPathName } from "./safeNames";
import { checkOutFolder, RENDERED_HEADER, replaceRenderedFiles } from "./outFolder";

/** How messages name the output folder: the flag the user gives it with. */
const OUT_FLAG = "--out";

/** Stands for a value known only after `pulumi up` (an image digest, a generated password, an autoname). */
export const UNKNOWN_PLACEHOLDER = "<known after pulumi up>";
/** Stands for every secret value: never written in clear. */
export const SECRET_MASK = "<secret: not shown>";
export const DEFAULT_STACK = "dev";
export const DEFAULT_OUT_ROOT = "out";
/** Kubernetes reads YAML 1.1; no folding of long lines, no anchors. */
const YAML_WRITE_OPTIONS = { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false } as const;

export interface RenderOptions {
  stack?: string;
  /** The program folder; default: ./Pulumi.yaml's `main`, else `stacks/`. */
  program?: string;
  /** Default `out/<project>/<stack>`. */
  outDir?: string;
  /** false: run the program and return its objects and outputs, writing nothing. Default true. */
  write?: boolean;
  cwd?: string;
  /**
   * Project name → program folder, for StackReferences to projects other than
   * ./Pulumi.yaml's (`--reference-program <project>=<dir>`).
   */
  referencePrograms?: Record<string, string>;
  /**
   * Read image configs from registries (`--read-images`). Default: only when the
   * stack file sets `pinpoint:readImages`; otherwise the render contacts nothing.
   */
  readImages?: boolean;
  /**
   * Type-check a TypeScript program as `pulumi up` does (its TypeScript, its tsconfig).
   * Default: yes, unless PULUMI_NODEJS_TRANSPILE_ONLY is true (as for `pulumi up`).
   */
  typeCheck?: boolean;
  /**
   * Run the program through the real Pulumi engine (`--engine`: the Pulumi CLI on PATH and
   * the Kubernetes plugin), the provider writing YAML instead of contacting a cluster, so Helm
   * charts render and are instrumented as `pulumi up` would. Default: the mock engine.
   */
  engine?: boolean;
}

export interface RenderResult {
  stack: string;
  program: ProgramLocation;
  stackFile: string;
  outDir: string;
  objects: RenderedObject[];
  rows: WorkloadRow[];
  /** The stack's outputs: unknown values as the placeholder, secret ones masked. */
  outputs: Record<string, unknown>;
  /** The outputs that are secret. */
  secretOutputNames: string[];
}

/** `out/<project>/<stack>`: two programs, or two stacks, never overwrite each other's files. */
export function defaultOutDir(project: string, stack: string): string {
  return path.join(DEFAULT_OUT_ROOT, project, stack);
}

/** Every leaf replaced by the mask: the shape stays (so the object still has its schema), the values go. */
export function maskLeaves(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskLeaves);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskLeaves(x)]));
  return SECRET_MASK;
}

/** Runs the program and writes the files; throws with every error the program hit, writing nothing. */
export async function render(options: RenderOptions = {}): Promise<RenderResult> {
  const cwd = options.cwd ?? process.cwd();
  const stack = options.stack ?? DEFAULT_STACK;
  // Both become path parts (Pulumi.<stack>.yaml, out/<project>/<stack>): neither may lead out of its folder.
  checkPathName(stack, "--stack");
  const program = locateProgram(options.program, cwd);
  if (options.outDir === undefined) checkPathName(program.project, "the project name", false);
  const file = stackFile(program, stack);
  const stackConfig = readStackConfig(file, program.project);
  const config = withImageReading(stackConfig.config, options.readImages);
  const secretKeys = stackConfig.secretKeys;

  const outDir = path.resolve(cwd, options.outDir ?? defaultOutDir(program.project, stack));
  // Before the program runs: a folder the render may not write to fails at once.
  if (options.write !== false) checkOutFolder(outDir, OUT_FLAG);
  // Why each workload was left alone: the transforms report it while the program runs.
  const collecting = collectInjectionReport();
  // Pulumi runs a program in its own folder: relative paths in it (agentArchive, a build context) resolve there.
  const shellDir = process.cwd();
  process.chdir(program.dir);
  let run: ProgramRun;
  let report: InjectionReport;
  try {
    const loaded = loadProgram(program, options.typeCheck);
    run = options.engine
      ? await runWithEngine(loaded, { project: program.project, stack, config, secretKeys, secret: maskLeaves })
      : await runProgram(loaded, {
          project: program.project,
          stack,
          config,
          secretKeys,
          // A preview: what only a deployment knows stays unknown, as `pulumi preview` shows it.
          preview: true,
          cwd: program.dir,
          unknown: () => UNKNOWN_PLACEHOLDER,
          secret: maskLeaves,
          stackReference: stackReferenceResolver({ project: program.project, stack, cwd, programs: options.referencePrograms ?? {} }),
        });
  } finally {
    report = collecting.stop();
    process.chdir(shellDir);
  }
  if (run.errors.length > 0) {
    throw new Error(`the program failed (stack ${stack}, ${file}):\n${run.errors.map((e) => `  ${e}`).join("\n")}`);
  }
  const objects = kubernetesObjects(run.resources, maskLeaves);
  for (const o of objects) {
    // Pulumi autonames an object without a name, with a random suffix: not known before `pulumi up`.
    if (o.object.metadata?.name === undefined) o.object.metadata = { ...o.object.metadata, name: `${o.resource.name}-${UNKNOWN_PLACEHOLDER}` };
  }
  if (options.write !== false) writeFiles(outDir, objects, program, stack, options.engine === true);
  return {
    stack,
    program,
    stackFile: file,
    outDir,
    objects,
    rows: workloadRows(objects, report, run.resources),
    outputs: run.outputs,
    secretOutputNames: run.secretOutputNames,
  };
}

/** Replaces the folder's rendered files (only those the render wrote: a stale one would mislead), one per object. */
function writeFiles(outDir: string, objects: readonly RenderedObject[], program: ProgramLocation, stack: string, engine: boolean): void {
  const files = new Map<string, string>();
  const by = engine ? "the Pulumi engine, no cluster was contacted" : "no cluster was contacted";
  for (const o of objects) {
    const header = `${RENDERED_HEADER} (${by}): program ${path.basename(program.dir)}, stack ${stack}, Pulumi resource ${o.resource.type} "${o.resource.name}"\n`;
    files.set(o.file, header + stringify(o.object, YAML_WRITE_OPTIONS));
  }
  replaceRenderedFiles(outDir, files, OUT_FLAG);
}
