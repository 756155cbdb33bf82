/**
 * The render through the real Pulumi engine (`pinpoint-render --engine`): the
 * program runs as an Automation API inline program on a throwaway local backend,
 * and the Kubernetes provider writes YAML (`kubernetes:renderYamlToDirectory`)
 * instead of contacting a cluster. Helm charts (`helm/v4` Chart) then expand as
 * `pulumi up` expands them, and the stack transform reaches their workloads.
 * What comes back has the mock engine's shape, so the files and the table are
 * the same code as the offline render's.
 *
 * It needs the Pulumi CLI on PATH and the Kubernetes provider plugin (installed,
 * or downloaded by the CLI as for any `pulumi up`). Nothing is deployed: the
 * backend, the provider's own YAML (secrets in clear) and the state are removed
 * when the run ends.
 */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { CommandError, ConfigMap, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { ProgramRun, RegisteredResource } from "./mockEngine";

/** The provider config key that turns `up` into writing YAML files. */
export const RENDER_YAML_KEY = "kubernetes:renderYamlToDirectory";
export const ENGINE_FLAG = "--engine";

/** Pulumi's marker of a secret value in state and outputs, as exportStack gives them. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const CONFIG_GROUP_TYPES = ["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile"];
/** Diagnostic lines kept when the engine fails: what the user must read. */
const ERROR_LINE = /error:|failed|cannot|not found|unknown/i;
const ERROR_LINES_KEPT = 20;
/** A stack's exported state is read whole; stacks of thousands of objects stay well under this. */
const STATE_MAX_BYTES = 512 * 1024 * 1024;

export interface EngineRunOptions {
  project: string;
  stack: string;
  /** Full keys (`pinpoint:enabled`) and values, as the stack file gives them. */
  config: Record<string, string>;
  secretKeys: readonly string[];
  /** What a secret value becomes in the objects and outputs. */
  secret: (value: unknown, path: string) => unknown;
  /** Extra environment for the Pulumi CLI (PULUMI_HOME, plugin acquisition). Default: this process's. */
  env?: Record<string, string>;
}

interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  parent?: string;
  inputs?: Record<string, unknown>;
  dependencies?: string[];
}

/** Runs `program` through the engine with the provider writing YAML, and reads the result back from the state. */
export async function runWithEngine(program: () => unknown, options: EngineRunOptions): Promise<ProgramRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pp-render-engine-"));
  try {
    const stack = await engineStack(program, options, dir);
    let outputs: Record<string, { value: unknown; secret: boolean }>;
    try {
      outputs = (await stack.up({ color: "never" })).outputs;
    } catch (e) {
      throw new Error(`${ENGINE_FLAG}: pulumi up (rendering to YAML, no cluster) failed:\n${engineErrors(e)}`);
    }
    const state = await stateWithSecrets(stack, dir);
    const secretOutputNames = Object.keys(outputs).filter((k) => outputs[k].secret);
    return {
      resources: resourcesOf(state, options.secret),
      errors: [],
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.secret ? options.secret(o.value, k) : o.value])),
      secretOutputNames,
      transformsRegistered: 0,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The state with secret values in clear (`stack export --show-secrets`): the mask then keeps
 * their shape (a Secret's keys), as the offline render shows them. Only the mask reaches a file.
 */
async function stateWithSecrets(stack: Stack, dir: string): Promise<StateResource[]> {
  const workspace = stack.workspace as LocalWorkspace;
  const { stdout } = await promisify(execFile)(
    workspace.pulumiCommand.command,
    ["stack", "export", "--show-secrets", "--stack", stack.name, "--non-interactive"],
    { cwd: dir, env: { ...process.env, ...workspace.envVars }, maxBuffer: STATE_MAX_BYTES },
  );
  return (JSON.parse(stdout) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];
}

async function engineStack(program: () => unknown, options: EngineRunOptions, dir: string): Promise<Stack> {
  const backend = path.join(dir, "backend");
  fs.mkdirSync(backend);
  let pulumiCommand: PulumiCommand;
  try {
    pulumiCommand = await PulumiCommand.get({ skipVersionCheck: true });
  } catch (e) {
    throw new Error(`${ENGINE_FLAG} needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/iac/download-install/): ${(e as Error).message}`);
  }
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stack, projectName: options.project, program: async () => (await program()) as Record<string, unknown> | void },
    {
      pulumiCommand,
      workDir: dir,
      projectSettings: { name: options.project, runtime: "nodejs", backend: { url: `file://${backend}` } },
      envVars: {
        // A throwaway backend: its passphrase protects nothing that outlives the run.
        PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        ...options.env,
      },
    },
  );
  const config: ConfigMap = {};
  for (const [k, v] of Object.entries(options.config)) config[k] = { value: v, secret: options.secretKeys.includes(k) };
  config[RENDER_YAML_KEY] = { value: path.join(dir, "yaml") };
  await stack.setAllConfig(config);
  return stack;
}

/** The state's resources in the mock engine's shape: inputs as the engine sent them to the provider, secrets masked. */
export function resourcesOf(state: readonly StateResource[], secret: EngineRunOptions["secret"]): RegisteredResource[] {
  const byUrn = new Map(state.map((r) => [r.urn, r]));
  const out: RegisteredResource[] = [];
  for (const r of state) {
    // Components (the stack, PinpointApm, a ConfigGroup, a Chart) are expanded by the engine: their objects are here.
    if (r.custom !== true || r.type.startsWith("pulumi:providers:")) continue;
    const secretPaths: string[] = [];
    const inputs = unwrapSecrets(r.inputs ?? {}, "", secret, secretPaths) as Record<string, unknown>;
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    out.push({
      type: r.type,
      name: nameOf(r.urn),
      inputs,
      // The engine keeps only the transformed inputs.
      declared: inputs,
      dependsOn: (r.dependencies ?? []).map(nameOf),
      custom: r.custom === true,
      secretPaths,
      unknownPaths: [],
      group: parent && CONFIG_GROUP_TYPES.includes(parent.type) ? nameOf(parent.urn) : undefined,
    });
  }
  return out;
}

/** `urn:pulumi:dev::proj::a$b::name` → `name` (a name may itself hold `::`; the type part never does). */
function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

function unwrapSecrets(v: unknown, at: string, secret: EngineRunOptions["secret"], found: string[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => unwrapSecrets(x, `${at}[${i}]`, secret, found));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[SECRET_SIG] === SECRET_SIG_VALUE) {
    found.push(at);
    // In clear, `plaintext` is the value as JSON; the mask decides what is shown.
    return secret(typeof o.plaintext === "string" ? JSON.parse(o.plaintext) : undefined, at);
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x, at ? `${at}.${k}` : k, secret, found)]));
}

/** The engine's diagnostics that say what failed, not its whole output. */
function engineErrors(e: unknown): string {
  const text = e instanceof CommandError ? String(e.message) : e instanceof Error ? e.message : String(e);
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => ERROR_LINE.test(l) && !/^\s*at /.test(l));
  return (lines.length > 0 ? lines.slice(-ERROR_LINES_KEPT) : text.split("\n").slice(-ERROR_LINES_KEPT)).map((l) => `  ${l.trim()}`).join("\n");
}
