/**
 * Finding and loading a Pulumi program the way the Pulumi CLI would: the
 * project from Pulumi.yaml, the entry from package.json `main` or index.ts/js,
 * TypeScript through the program's own ts-node (or this package's).
 */
import * as fs from "fs";
import Module = require("module");
import * as path from "path";
import { parse } from "yaml";

const PROJECT_FILE = "Pulumi.yaml";
/** Without a Pulumi.yaml, where the program is. */
export const DEFAULT_PROGRAM_DIR = "stacks";
/** `Pulumi.<stack>.yaml`. */
const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;
const ENTRY_CANDIDATES = ["index.ts", "index.js"];
/** Set on `process` by ts-node's register(): a second registration would compile every file twice. */
const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");
/** Where `pulumi up` finds Pulumi's copy of ts-node when the program has none. */
const PULUMI_TS_UTILS = "@pulumi/pulumi/tsutils";
const TSCONFIG_FILE = "tsconfig.json";
/** For a program without a tsconfig.json: classes that can extend the SDK's (ES5 output cannot). */
const FALLBACK_TARGET = "es2020";
/** The name programs import this package by. */
export const PACKAGE_NAME = "@fjhb/pulumi-pinpoint";
/** This package's entry, beside the render: bin/index.js when built, sdk/index.ts under ts-node. */
const PACKAGE_ENTRY = path.join(__dirname, "..", "index");

export interface ProgramLocation {
  /** The program folder. */
  dir: string;
  /** The file to require. */
  entry: string;
  project: string;
  /** Where `Pulumi.<stack>.yaml` files are. */
  stackConfigDir: string;
}

interface ProjectFile {
  name?: string;
  main?: string;
  stackConfigDir?: string;
}

function readProject(file: string): ProjectFile | undefined {
  if (!fs.existsSync(file)) return undefined;
  const p = parse(fs.readFileSync(file, "utf8")) as ProjectFile | null;
  return p ?? {};
}

/**
 * `--program <dir>`: that folder, its stack files beside it. No `--program`: the
 * project in the current folder as Pulumi sees it (`main`, default the folder
 * itself, and `stackConfigDir`); with no ./Pulumi.yaml, `stacks/`.
 */
export function locateProgram(programDir: string | undefined, cwd = process.cwd()): ProgramLocation {
  const rootProject = readProject(path.join(cwd, PROJECT_FILE));
  let dir: string;
  let stackConfigDir: string;
  let project: string | undefined;
  if (programDir !== undefined) {
    dir = path.resolve(cwd, programDir);
    stackConfigDir = dir;
    const own = readProject(path.join(dir, PROJECT_FILE));
    const enclosing = own || hasStackFiles(dir) ? undefined : enclosingProject(dir);
    if (enclosing) {
      // A compiled program (e.g. `tsc --outDir bin`) inside its project: the stack files are the project's.
      stackConfigDir = path.resolve(enclosing.dir, enclosing.project.stackConfigDir ?? ".");
      project = enclosing.project.name;
    } else if (own) {
      // The project's own main and stackConfigDir, as `pulumi up` in that folder reads them.
      const projectDir = dir;
      dir = path.resolve(projectDir, own.main ?? ".");
      stackConfigDir = path.resolve(projectDir, own.stackConfigDir ?? ".");
      project = own.name ?? rootProject?.name;
    } else {
      project = rootProject?.name;
    }
  } else {
    dir = path.resolve(cwd, rootProject ? (rootProject.main ?? ".") : DEFAULT_PROGRAM_DIR);
    stackConfigDir = rootProject?.stackConfigDir ? path.resolve(cwd, rootProject.stackConfigDir) : dir;
    project = rootProject?.name;
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${dir}: no such program folder; give one with --program <dir>`);
  }
  return { dir, entry: entryOf(dir), project: project ?? path.basename(dir), stackConfigDir };
}

function hasStackFiles(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => STACK_FILE.test(f));
}

/** The nearest Pulumi.yaml above a folder, as the Pulumi CLI finds its project. */
function enclosingProject(dir: string): { dir: string; project: ProjectFile } | undefined {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const project = readProject(path.join(d, PROJECT_FILE));
    if (project) return { dir: d, project };
    if (path.dirname(d) === d) return undefined;
  }
}

function entryOf(dir: string): string {
  const pkgFile = path.join(dir, "package.json");
  if (fs.existsSync(pkgFile)) {
    const main = (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: string }).main;
    if (main) return path.resolve(dir, main);
  }
  const found = ENTRY_CANDIDATES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!found) throw new Error(`${dir}: no program entry (${ENTRY_CANDIDATES.join(" or ")}, or package.json main)`);
  return found;
}

/** The stack file of a stack, checked to exist; the message lists the stacks there are. */
export function stackFile(location: ProgramLocation, stack: string): string {
  const file = path.join(location.stackConfigDir, `Pulumi.${stack}.yaml`);
  if (fs.existsSync(file)) return file;
  const stacks = fs
    .readdirSync(location.stackConfigDir)
    .map((f) => STACK_FILE.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);
  throw new Error(`${file}: no such stack file; stacks here: ${stacks.length > 0 ? stacks.join(", ") : "none"} (choose one with --stack)`);
}

/** A TypeScript compiler hook to register, and the compiler it uses (undefined: its own choice). */
export interface TypeScriptSupport {
  tsNode: string;
  compiler?: string;
  /** The compiler is the old TypeScript @pulumi/pulumi ships: the program has none of its own. */
  vendored?: boolean;
}

/**
 * Which ts-node runs a TypeScript program, as `pulumi up` chooses: one the
 * program or this package can resolve, else the copy `@pulumi/pulumi` ships
 * (with the program's TypeScript if it has one, else Pulumi's own). So a
 * consumer's program renders with no ts-node of its own.
 */
export function typeScriptSupport(dir: string): TypeScriptSupport {
  const paths = [dir, __dirname];
  try {
    return { tsNode: require.resolve("ts-node", { paths }) };
  } catch {
    // fall through to Pulumi's own copy
  }
  let tsutils: string;
  try {
    tsutils = require.resolve(PULUMI_TS_UTILS, { paths });
  } catch {
    throw new Error(`${dir}: the program is TypeScript and neither ts-node nor @pulumi/pulumi can be found from it; run npm install there, or compile the program and point --program at the JavaScript`);
  }
  // The same resolution `pulumi up` does; it resolves from @pulumi/pulumi's own folder.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const strings = (require(tsutils) as { typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string } }).typeScriptRequireStrings();
  const tsNode = path.isAbsolute(strings.tsnodeRequire) ? strings.tsnodeRequire : require.resolve(strings.tsnodeRequire, { paths: [path.dirname(tsutils)] });
  try {
    return { tsNode, compiler: require.resolve("typescript", { paths: [dir] }) };
  } catch {
    // the program has no TypeScript: Pulumi's choice stands
    return { tsNode, compiler: strings.typescriptRequire, vendored: true };
  }
}

/** ts-node's options for a program folder; `typeCheck` false: transpile only, as `PULUMI_NODEJS_TRANSPILE_ONLY` makes `pulumi up` do. */
function registerOptions(support: TypeScriptSupport, dir: string, typeCheck: boolean): object {
  const tsconfig = path.join(dir, TSCONFIG_FILE);
  // As pulumi up decides: the environment variable, else the tsconfig's noCheck, else type-check.
  let transpileOnly = !typeCheck || (process.env[TRANSPILE_ONLY_ENV] === undefined && noCheckOf(tsconfig));
  if (!transpileOnly && support.vendored) {
    // Pulumi's TypeScript 3.8 cannot parse today's declaration files (@types/node, @pulumi/pulumi): checking would only fail on them.
    process.stderr.write(
      `pinpoint-render: ${dir} has no typescript of its own, so the program is not type-checked (Pulumi's bundled TypeScript 3.8 cannot read current type declarations); npm install --save-dev typescript there to check it as pulumi up does\n`,
    );
    transpileOnly = true;
  }
  const own = { module: "commonjs", ...(transpileOnly ? {} : selfTypes(dir)) };
  if (!support.compiler) return { transpileOnly, projectSearchDir: dir, compilerOptions: own };
  // Pulumi's ts-node 7 looks for a tsconfig in the working folder only: name the program's, else compile for this Node.
  return fs.existsSync(tsconfig)
    ? { transpileOnly, compiler: support.compiler, project: tsconfig, compilerOptions: own }
    : { transpileOnly, compiler: support.compiler, skipProject: true, compilerOptions: { ...own, target: FALLBACK_TARGET, esModuleInterop: true, skipLibCheck: true } };
}

/** The tsconfig's `compilerOptions.noCheck` (JSON with comments, so read loosely). */
function noCheckOf(tsconfig: string): boolean {
  if (!fs.existsSync(tsconfig)) return false;
  return /"noCheck"\s*:\s*true/.test(fs.readFileSync(tsconfig, "utf8"));
}

/**
 * For type-checking a program that imports this package by a name Node cannot find
 * (one inside this repository, which resolves to the running package at run time):
 * the same name mapped to this package's types. An installed copy needs nothing.
 */
function selfTypes(dir: string): object {
  try {
    require.resolve(PACKAGE_NAME, { paths: [dir] });
    return {};
  } catch {
    // bin/index.d.ts when built, sdk/index.ts under ts-node.
    const types = [".d.ts", ".ts"].map((ext) => PACKAGE_ENTRY + ext).find((f) => fs.existsSync(f));
    return types ? { baseUrl: dir, paths: { [PACKAGE_NAME]: [types.replace(/(\.d)?\.ts$/, "")] } } : {};
  }
}

/** `pulumi up` type-checks a TypeScript program unless this is set to true. */
export const TRANSPILE_ONLY_ENV = "PULUMI_NODEJS_TRANSPILE_ONLY";

/** ts-node registers once per process; Pulumi's copy leaves no mark on `process`, so this flag remembers. */
let typeScriptRegistered = false;

/**
 * Registers that compiler hook for the program's files. A hook already in the process
 * (a test runner's ts-node) is used as it is, type-checking or not.
 */
function registerTypeScript(dir: string, typeCheck: boolean): void {
  if ((process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE] || typeScriptRegistered) return;
  const support = typeScriptSupport(dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(support.tsNode) as { register(o: object): void }).register(registerOptions(support, dir, typeCheck));
  typeScriptRegistered = true;
}

/**
 * The program as a function for the mock engine. Pulumi's conventions: a
 * module that exports a function is called, and what either returns is the
 * stack's outputs. The program's own modules are loaded afresh each time.
 */
export function loadProgram(location: ProgramLocation, typeCheck = process.env[TRANSPILE_ONLY_ENV] !== "true"): () => unknown {
  if (/\.tsx?$/.test(location.entry)) registerTypeScript(location.dir, typeCheck);
  return () => {
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(location.dir + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
    }
    const restore = resolvePackageToSelf();
    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(location.entry) as unknown;
    } finally {
      restore();
    }
    const main = typeof mod === "function" ? mod : (mod as { default?: unknown } | null)?.default;
    return typeof main === "function" ? (main as () => unknown)() : mod;
  };
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;

/**
 * While the program loads, `@fjhb/pulumi-pinpoint` that Node cannot find (a
 * program inside this repository, e.g. examples/, has no installed copy)
 * resolves to this running package, so the program and the render share one
 * `@pulumi/pulumi` and its runtime state. An installed copy still wins.
 * Returns the function that uninstalls the fallback.
 */
export function resolvePackageToSelf(): () => void {
  const mod = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (e) {
      if (request !== PACKAGE_NAME || (e as { code?: string }).code !== "MODULE_NOT_FOUND") throw e;
      return original.call(this, PACKAGE_ENTRY, parent, isMain, options);
    }
  };
  return () => {
    mod._resolveFilename = original;
  };
}
