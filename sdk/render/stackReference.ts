/**
 * StackReferences offline. Under the mock runtime a `pulumi.StackReference`
 * has no outputs; the render gives it the outputs of the referenced stack as
 * the render itself computes them: that stack's program, found locally, is
 * rendered in a child process (the SDK's runtime state is global: one program
 * per process) that prints its stack outputs as JSON. Unknown values stay
 * placeholders and secret ones masked, and still secret in the program.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { StackOutputs } from "./mockEngine";

/** The render flag that names a referenced project's program folder. */
export const REFERENCE_FLAG = "--reference-program";
/** The render flag that prints the stack's outputs as JSON instead of writing files. */
export const STACK_OUTPUTS_FLAG = "--stack-outputs";
/** The references being rendered, outermost first: a cycle would spawn forever. */
const CHAIN_ENV = "PINPOINT_RENDER_REFERENCE_CHAIN";
const PROJECT_FILE = "Pulumi.yaml";
/** The render command, beside this module: .js when built, .ts under ts-node. */
const RENDER_COMMAND = path.join(__dirname, "..", "cli", "render");
/** A child render loads a whole program: generous, but not forever. */
const CHILD_TIMEOUT_MS = 300_000;
const CHILD_MAX_BUFFER = 64 * 1024 * 1024;

export interface ReferenceContext {
  /** The referring program's project: a reference without one means it. */
  project: string;
  /** The referring stack. */
  stack: string;
  /** Where the render runs: its ./Pulumi.yaml is the project found without a flag. */
  cwd: string;
  /** Project name → program folder (from `--reference-program <project>=<dir>`). */
  programs: Record<string, string>;
}

export interface StackName {
  project: string;
  stack: string;
}

/**
 * Pulumi's forms: `<org>/<project>/<stack>`, `<org>/<stack>` and `<stack>`
 * (the last two in the referring program's project).
 */
export function parseReference(name: string, currentProject: string): StackName {
  const parts = name.split("/");
  if (parts.some((p) => p === "") || parts.length > 3) {
    throw new Error(`StackReference "${name}": not a stack name; use <org>/<project>/<stack>`);
  }
  return parts.length === 3 ? { project: parts[1], stack: parts[2] } : { project: currentProject, stack: parts[parts.length - 1] };
}

/** `["platform=stacks", …]` → `{ platform: "stacks" }`; a bad entry names the form. */
export function parseReferencePrograms(entries: readonly string[]): Record<string, string> {
  const programs: Record<string, string> = {};
  for (const entry of entries) {
    const m = /^([^=]+)=(.+)$/.exec(entry);
    if (!m) throw new Error(`${REFERENCE_FLAG} ${entry}: use ${REFERENCE_FLAG} <project>=<program folder>`);
    programs[m[1]] = m[2];
  }
  return programs;
}

/** Where the referenced project's program is: the flag's folder, else ./Pulumi.yaml's project; undefined = the render's default. */
function programArgs(name: string, ref: StackName, ctx: ReferenceContext): string[] {
  const dir = ctx.programs[ref.project];
  if (dir !== undefined) return ["--program", path.resolve(ctx.cwd, dir)];
  const here = path.join(ctx.cwd, PROJECT_FILE);
  const local = fs.existsSync(here) ? (parse(fs.readFileSync(here, "utf8")) as { name?: string } | null)?.name : undefined;
  if (local === ref.project) return [];
  throw new Error(
    `StackReference "${name}": no program of project "${ref.project}" to render it from ` +
      `(${local ? `./${PROJECT_FILE} is project "${local}"` : `no ./${PROJECT_FILE}`}); ` +
      `give its folder with ${REFERENCE_FLAG} ${ref.project}=<dir>`,
  );
}

/** The referenced stack's outputs, rendered by a child process; one child per stack per render. */
export function stackReferenceResolver(ctx: ReferenceContext): (name: string) => Promise<StackOutputs> {
  const cache = new Map<string, Promise<StackOutputs>>();
  return (name) => {
    const ref = parseReference(name, ctx.project);
    const key = `${ref.project}/${ref.stack}`;
    let outputs = cache.get(key);
    if (!outputs) {
      outputs = renderOutputs(name, ref, ctx);
      cache.set(key, outputs);
    }
    return outputs;
  };
}

async function renderOutputs(name: string, ref: StackName, ctx: ReferenceContext): Promise<StackOutputs> {
  const outer = JSON.parse(process.env[CHAIN_ENV] ?? "[]") as string[];
  const self = `${ctx.project}/${ctx.stack}`;
  // A child render finds itself last in the chain its parent passed down; the outermost render adds itself.
  const chain = outer[outer.length - 1] === self ? outer : [...outer, self];
  const key = `${ref.project}/${ref.stack}`;
  if (chain.includes(key)) throw new Error(`StackReference "${name}": stacks refer to each other (${[...chain, key].join(" → ")})`);
  const args = [
    ...runnerArgs(),
    ...["--stack", ref.stack, STACK_OUTPUTS_FLAG],
    ...programArgs(name, ref, ctx),
    ...Object.entries(ctx.programs).flatMap(([p, d]) => [REFERENCE_FLAG, `${p}=${path.resolve(ctx.cwd, d)}`]),
  ];
  const env = { ...process.env, [CHAIN_ENV]: JSON.stringify([...chain, key]) };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd: ctx.cwd, env, encoding: "utf8", timeout: CHILD_TIMEOUT_MS, maxBuffer: CHILD_MAX_BUFFER }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: out, stderr: err });
    });
  });
  if (code !== 0) {
    throw new Error(`StackReference "${name}": rendering stack ${ref.stack} of project ${ref.project} failed:\n${indent(stderr.trim())}`);
  }
  try {
    const parsed = JSON.parse(stdout) as StackOutputs;
    return { outputs: parsed.outputs ?? {}, secretOutputNames: parsed.secretOutputNames ?? [] };
  } catch (e) {
    throw new Error(`StackReference "${name}": the render of stack ${ref.stack} printed no outputs JSON: ${(e as Error).message}`);
  }
}

/** The render command as this process runs: compiled JavaScript, or TypeScript through ts-node. */
function runnerArgs(): string[] {
  const script = require.resolve(RENDER_COMMAND);
  if (!script.endsWith(".ts")) return [script];
  return ["-r", require.resolve("ts-node/register/transpile-only"), script];
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
