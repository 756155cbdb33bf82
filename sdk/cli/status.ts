#!/usr/bin/env node
/**
 * pinpoint-status: after `pulumi up`, which instrumented workloads really
 * report to the Pinpoint web. Thin: read the objects and the stack outputs,
 * ask the web (sdk/status), print, exit 1 when a workload is silent.
 */
import * as fs from "fs";
import { Command } from "commander";
import { parseSource, readSources } from "./manifests";
import { coverageReport, exitCodeOf, findStatusOutputs, formatReport, objectsOfStackExport, webUrlOf } from "../status";
import type { Evidence, KubectlRunner } from "../status";

const PROGRAM_NAME = "pinpoint-status";
export const EXIT_SILENT = 1;
export const EXIT_USAGE = 2;
export const PASSWORD_ENV = "PINPOINT_WEB_PASSWORD";

const NOTES = `
The workloads expected to report are the instrumented ones among the objects
(-f: render output, kubectl get -o yaml, files or folders; --stack-export: the
Kubernetes objects in \`pulumi stack export\`). Each has its applicationName in
its injection record. The web is asked which applications it lists and which
agents each has (agentId, version, start time, state and when it was last
seen). A workload with no running agent is SILENT, with the likely reasons in
order of evidence when --kubectl gathers (or --evidence gives) its pods (no pod running, the agent's
rejection of an id, the collector unreachable, the agent never loaded because
the launcher did not read the variable).

The web: --web, or the status object of \`pulumi stack output --json\` given with
--stack-outputs (its in-cluster URL with --in-cluster, else its Ingress URL).
A web with login on (PinpointServer turns it on with an Ingress): --web-user
and the password in ${PASSWORD_ENV}.

Exit status: 0 all report, ${EXIT_SILENT} some workload expected to report is silent, ${EXIT_USAGE} bad input or no answer.

Examples:
  pulumi stack output --json > outputs.json
  ${PROGRAM_NAME} -f out/pinpoint-platform/dev --stack-outputs outputs.json
  kubectl get deploy -A -o yaml | ${PROGRAM_NAME} -f - --web http://localhost:8080 --kubectl --json`;

interface Flags {
  filename: string[];
  stackExport?: string;
  stackOutputs?: string;
  web?: string;
  inCluster?: boolean;
  webUser?: string;
  evidence?: string;
  kubectl?: boolean;
  kubeContext?: string;
  window: string;
  json?: boolean;
}

class UsageError extends Error {}

function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`${flag} ${file}: no such file`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: not JSON (${(e as Error).message})`);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function command(): Command {
  return new Command(PROGRAM_NAME)
    .description("Report which instrumented workloads the Pinpoint web lists as reporting; exit 1 when one is silent.")
    .option("-f, --filename <path>", "manifests: a YAML/JSON file, a folder (render output), or - for standard input; repeatable", collect, [])
    .option("--stack-export <file>", "the Kubernetes objects of `pulumi stack export` output")
    .option("--stack-outputs <file>", "`pulumi stack output --json`: the web URLs and login user PinpointApm exports")
    .option("--web <url>", "the Pinpoint web's base URL (overrides the stack outputs')")
    .option("--in-cluster", "with --stack-outputs: use the web's in-cluster Service URL, not its Ingress")
    .option("--web-user <name>", `login user of the web (password in ${PASSWORD_ENV})`)
    .option("--evidence <file>", "JSON {pods:[{workload:'<ns>/<name>',pod,ip,phase,containerLog,agentLog}]}: what the cluster shows, for the reasons")
    .option("--kubectl", "gather the evidence with kubectl: each workload's pods by its selector, their logs, the agent's log files (kubectl exec)")
    .option("--kube-context <name>", "with --kubectl: the kubeconfig context")
    .option("--window <minutes>", "how far back to ask the web for agents", "20")
    .option("--json", "print the report as JSON")
    .addHelpText("after", NOTES);
}

export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void, env: NodeJS.ProcessEnv = process.env, runner?: KubectlRunner): Promise<number> {
  const cmd = command().exitOverride().configureOutput({ writeOut: out, writeErr: err });
  let flags: Flags;
  try {
    flags = cmd.parse(argv, { from: "user" }).opts<Flags>();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : EXIT_USAGE;
  }
  try {
    if (flags.filename.length === 0 && !flags.stackExport) throw new UsageError("give the objects: -f <render output folder or manifests> or --stack-export <file>");
    const objects: unknown[] = [];
    for (const source of readSources(flags.filename)) for (const d of parseSource(source)) if (d.value) objects.push(d.value);
    if (flags.stackExport) objects.push(...objectsOfStackExport(readJson(flags.stackExport, "--stack-export")));
    const outputs = flags.stackOutputs ? findStatusOutputs(readJson(flags.stackOutputs, "--stack-outputs")) : undefined;
    if (flags.stackOutputs && !outputs) throw new UsageError(`--stack-outputs ${flags.stackOutputs}: no PinpointApm status object among the outputs; export it (export const pinpointStatus = apm.status)`);
    const url = flags.web ?? (outputs ? webUrlOf(outputs, flags.inCluster === true) : undefined);
    if (!url) throw new UsageError(outputs ? "the stack deploys no Pinpoint web: give --web <url>" : "give the web: --web <url> or --stack-outputs <file>");
    const user = flags.webUser ?? outputs?.webLoginUser ?? undefined;
    const password = env[PASSWORD_ENV];
    if (user !== undefined && password === undefined) throw new UsageError(`the web's login user is ${user}: set ${PASSWORD_ENV} to its password`);
    const window = Number(flags.window);
    if (!Number.isFinite(window) || window <= 0) throw new UsageError(`--window ${flags.window}: give minutes, a positive number`);
    const evidence = flags.evidence ? (readJson(flags.evidence, "--evidence") as Evidence) : undefined;
    if (evidence && !Array.isArray(evidence.pods)) throw new UsageError(`--evidence ${flags.evidence}: needs {"pods": [...]}`);
    if (evidence && flags.kubectl) throw new UsageError("--evidence and --kubectl both give the evidence: keep one");
    if (flags.kubeContext !== undefined && !flags.kubectl) throw new UsageError("--kube-context is for --kubectl: add --kubectl");
    const kubectl = flags.kubectl ? { run: runner, context: flags.kubeContext } : undefined;
    const report = await coverageReport({ url, user, password, objects, evidence, kubectl, windowMs: window * 60000 });
    out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return exitCodeOf(report);
  } catch (e) {
    err(`${PROGRAM_NAME}: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  // A reader that stops early (`| head`) is not an error of ours: stop quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then((code) => (process.exitCode = code));
}
