#!/usr/bin/env node
/**
 * pinpoint-render (`npm run render`): what a stack would create, with no
 * cluster, no Pulumi CLI and no Docker. Thin: parse flags, render, print.
 */
import * as path from "path";
import { Command } from "commander";
import { DEFAULT_OUT_ROOT, DEFAULT_STACK, render, SECRET_MASK, UNKNOWN_PLACEHOLDER } from "../render/render";
import { SECRET_CONFIG_PLACEHOLDER } from "../render/stackConfig";
import { DEFAULT_PROGRAM_DIR, TRANSPILE_ONLY_ENV } from "../render/program";
import { formatTable } from "../render/table";
import { READ_IMAGES_FLAG } from "../render/imageReading";
import { parseReferencePrograms, REFERENCE_FLAG, STACK_OUTPUTS_FLAG } from "../render/stackReference";
import { ENGINE_FLAG, RENDER_YAML_KEY } from "../render/engineRun";

const PROGRAM_NAME = "pinpoint-render";
const EXIT_FAILURE = 1;

const NOTES = `
Runs the Pulumi program under the Pulumi SDK's mock runtime, as a preview with
the stack's transforms applied (so the workloads come out instrumented), and
writes every Kubernetes object it would create to <out>/<file>.yaml, one per
object, named <order>-<Kind>-<namespace>-<name>.yaml so they sort by kind.
Standard output (at most 120 columns): a table of the workloads, whether each is
instrumented, its applicationName and why (the containers instrumented, or the
reason it was left alone); Helm charts as not rendered (unless ${ENGINE_FLAG}); then the agent image and
the collector the instrumented workloads use.

A TypeScript program runs on its own ts-node, else on the one @pulumi/pulumi
ships, and is type-checked first as pulumi up does (its TypeScript, its
tsconfig.json): a type error fails the render. --no-type-check or
PULUMI_NODEJS_TRANSPILE_ONLY=true skips that. A program compiled to JavaScript in a folder without Pulumi.yaml takes the
stack files of the nearest Pulumi.yaml above it.

Offline means offline: no registry is contacted unless ${READ_IMAGES_FLAG} is
given or the stack file sets pinpoint:readImages (pulumi up reads images by
default); a failed read shows in WHY as "image config not read (registry … <why>)".

Values known only after a real deployment show as ${UNKNOWN_PLACEHOLDER};
secret values as ${SECRET_MASK}; the stack file's secure: values are never
decrypted (they read as ${SECRET_CONFIG_PLACEHOLDER}).

With ${ENGINE_FLAG} the program runs through the real Pulumi engine instead (the
Pulumi CLI on PATH and the Kubernetes provider plugin, installed or fetched as
for pulumi up), on a throwaway local backend, with the provider writing YAML
(${RENDER_YAML_KEY}) instead of contacting a cluster: Helm charts
(helm/v4 Chart) render, and their workloads are instrumented as pulumi up
would. Nothing is deployed; the backend and the provider's files are removed
when the render ends. A StackReference then reads that empty backend: use the
mock engine (the default) for programs that reference other stacks.

A pulumi.StackReference("<org>/<project>/<stack>") gets the outputs of that
stack as this command renders them (in a child process): the project of
./Pulumi.yaml is found by itself, any other with ${REFERENCE_FLAG}.

Examples:
  npm run render                         # stacks/ with stacks/Pulumi.dev.yaml, into out/pinpoint-platform/dev/
  npm run render -- --stack test         # the test stack, into out/pinpoint-platform/test/
  ${PROGRAM_NAME} --program bin                # your program compiled to bin/, your stack files
  npm run render -- --program examples/app-team-stack   # its StackReference renders stacks/ dev
  ${PROGRAM_NAME} --program ./infra --stack staging ${REFERENCE_FLAG} platform=../platform
  npm run render -- --program examples/yaml-and-helm ${ENGINE_FLAG}   # its Helm chart rendered and instrumented`;

interface Flags {
  stack: string;
  program?: string;
  out?: string;
  referenceProgram: string[];
  stackOutputs?: boolean;
  readImages?: boolean;
  typeCheck: boolean;
  engine?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function command(): Command {
  return new Command(PROGRAM_NAME)
    .description("Render a Pulumi stack's Kubernetes objects to YAML files offline, with Pinpoint instrumentation applied.")
    .option("-s, --stack <name>", "the stack: its config is Pulumi.<name>.yaml", DEFAULT_STACK)
    .option("-p, --program <dir>", `the Pulumi program folder: with a Pulumi.yaml, its main and stackConfigDir; without one, its stack files beside it or the nearest project's above it (default: the project of ./Pulumi.yaml; without one, ${DEFAULT_PROGRAM_DIR}/)`)
    .option("-o, --out <dir>", `the folder to write to: new, empty, or one the render wrote before; only files the render wrote are replaced (default: ${DEFAULT_OUT_ROOT}/<project>/<stack>)`)
    .option(`${REFERENCE_FLAG} <project=dir>`, "the program folder of a project that a StackReference names (repeatable)", collect, [])
    .option(READ_IMAGES_FLAG, "read each image's config from its registry to tell JVMs apart, as pulumi up does (default: only when the stack file sets pinpoint:readImages; otherwise nothing is contacted)")
    .option(ENGINE_FLAG, "run the program through the real Pulumi engine (the Pulumi CLI on PATH), the Kubernetes provider writing YAML instead of contacting a cluster: Helm charts render and are instrumented")
    .option("--no-type-check", "run a TypeScript program without type-checking it (pulumi up type-checks unless PULUMI_NODEJS_TRANSPILE_ONLY=true)")
    .option(STACK_OUTPUTS_FLAG, "print the stack's outputs as JSON ({outputs, secretOutputNames}; secrets masked) instead of writing files")
    .addHelpText("after", NOTES)
    .showHelpAfterError(`(run ${PROGRAM_NAME} --help for every flag)`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = command();
  cmd.parse(argv, { from: "node" });
  const flags = cmd.opts<Flags>();
  // Without an engine, pulumi.log.info writes to console.log: the program's messages
  // (the transform's reason per workload) go to standard error, the table or JSON alone to standard output.
  console.log = console.error;
  try {
    if (flags.engine && flags.referenceProgram.length > 0) {
      throw new Error(`${REFERENCE_FLAG} gives StackReferences their outputs under the mock engine; ${ENGINE_FLAG} reads them from its own empty backend: give one of the two`);
    }
    const result = await render({
      stack: flags.stack,
      program: flags.program,
      outDir: flags.out,
      write: !flags.stackOutputs,
      referencePrograms: parseReferencePrograms(flags.referenceProgram),
      readImages: flags.readImages,
      engine: flags.engine,
      // Commander's default for --no-type-check is true; the environment variable also turns it off, as for pulumi up.
      typeCheck: flags.typeCheck && process.env[TRANSPILE_ONLY_ENV] !== "true",
    });
    if (flags.stackOutputs) {
      process.stdout.write(`${JSON.stringify({ outputs: result.outputs, secretOutputNames: result.secretOutputNames }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(formatTable(result.rows));
    const where = path.relative(process.cwd(), result.outDir) || ".";
    process.stderr.write(
      `${PROGRAM_NAME}: stack ${result.stack} (${path.relative(process.cwd(), result.stackFile)}): ${result.objects.length} Kubernetes object${result.objects.length === 1 ? "" : "s"} written to ${where}/\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`${PROGRAM_NAME}: error: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  // A failing program also leaves rejected promises in the SDK. The engine has
  // reported the program's errors; a rejection is news only if the render succeeded.
  let outcome: number | undefined;
  const late: string[] = [];
  const fail = (message: string) => {
    process.stderr.write(`${PROGRAM_NAME}: error: ${message}\n`);
    process.exitCode = EXIT_FAILURE;
  };
  process.on("unhandledRejection", (e) => {
    const message = e instanceof Error ? e.message : String(e);
    if (outcome === undefined) late.push(message);
    else if (outcome === 0) fail(message);
  });
  main(process.argv).then(
    (code) => {
      outcome = code;
      process.exitCode = code;
      if (code === 0) late.forEach(fail);
    },
    (e: Error) => {
      outcome = EXIT_FAILURE;
      fail(e.message);
    },
  );
}
