#!/usr/bin/env node
/**
 * pinpoint-inject: the stack transform's injection over plain manifests, like
 * `istioctl kube-inject`. Thin: read, hand each object to the core, write.
 * Documents stream through one at a time (a first pass keeps only the facts
 * one document gives the others: crossDocument.ts); the output is held on disk
 * and written once: input that cannot be read fails the whole run; a workload
 * the rules reject is left as it was, with a warning, unless --strict (then
 * nothing is written), so a pipe into `kubectl apply -f -` never applies half
 * a file.
 */
import * as fs from "fs";
import { Command, Option } from "commander";
import {
  AGENT_DELIVERIES,
  AgentDelivery,
  ALL_WORKLOAD_KINDS,
  ANNOTATION_CONTAINERS,
  ANNOTATION_INJECT,
  ANNOTATION_STATUS,
  DEFAULT_AGENT_DELIVERY,
  DEFAULT_COLLECTOR_PORTS,
  DEFAULT_INIT_RESOURCES,
  DEFAULT_OPTIONS_ENV,
  imageVolumeSupport,
  inject,
  isWorkloadKind,
  parseKubernetesVersion,
  ImageLookups,
  InjectResult,
  podTemplateOf,
  OptionError,
  ResolvedOptions,
  resolveOptions,
  NO_JVM_CONTAINER,
  SELECT_MODES,
  UNKNOWN_POLICIES,
  UnknownPolicy,
  VALUE_FROM_POLICIES,
  ValueFromPolicy,
  EnvSources,
  InjectionError,
  DNS_LABEL,
  uninject,
  unsupportedKindReason,
  Workload,
  WORKLOAD_KINDS,
  WorkloadKind,
} from "../inject";
import { hostPortProblem, PORT_MAX, PORT_MIN } from "../inject/grammar";
import { DEFAULT_TIMEOUT_MS, defaultCacheDir, ImageConfigReader, lookupsFromFiles, readImageConfigFile } from "../imageConfig";
import { PerWorkloadContainers, parseContainersFlag } from "./containersFlag";
import { ApplicationNames } from "./applicationNames";
import { listSources, ManifestDocument, ManifestError, OutputDocument, OutputWriter, settleFormat, STDIN_NAME, STDIN_PATH, stdinFormat, streamDocuments } from "./manifests";
import { asWorkload, gatherFacts, isList, isObject } from "./crossDocument";
import { Spool, SpoolDir, spoolStdin } from "./spool";
import { numberProblem, unrepresentableNumber } from "./inputCheck";
import { guardProcess, readableMessage } from "./processGuard";

const PROGRAM_NAME = "pinpoint-inject";
const EXIT_FAILURE = 1;
const OUTPUT_FORMATS = ["yaml", "json"] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];
const REPORT_VERB_WIDTH = 10;

const EXAMPLES = `
Examples:
  # Instrument the seed's Deployment and apply it
  ${PROGRAM_NAME} -f tomcat-zffw.yaml --image harbor.59iedu.com/fjhb/pp_agent:latest \\
      --app-prefix dev- --collector pinpoint-collector.pinpoint | kubectl apply -f -

  # A whole folder, StatefulSets too, from a pipe
  kustomize build overlays/dev | ${PROGRAM_NAME} -f - --image <ref> --kinds Deployment,StatefulSet

  # No init container: mount the agent image read-only (Kubernetes image volumes)
  ${PROGRAM_NAME} -f app.yaml --image <ref> --agent-delivery imageVolume --kubernetes-version 1.35

  # Take the agent out again
  ${PROGRAM_NAME} -f instrumented.yaml --uninject

  # Air-gapped CI: image configs from files instead of a registry
  docker inspect shop/orders:1.4 > orders.json
  ${PROGRAM_NAME} -f app.yaml --image <ref> --image-config orders.json --image-config shop/cart:2=cart-config.json

  # One workload's container by name, detection for the rest
  ${PROGRAM_NAME} -f all.yaml --image <ref> --containers deploy/keycloak=keycloak

Per workload, annotations on the workload or its pod template override the flags:
  ${ANNOTATION_INJECT}: "false"    leave this workload alone
  ${ANNOTATION_INJECT}: "true"     instrument it even if no container looks like a JVM
  ${ANNOTATION_CONTAINERS}: a,b    the containers to instrument, JVM or not
  pinpoint.fjhb.cn/application-name, pinpoint.fjhb.cn/options-env

Every input object goes to standard output in input order; a report of each
object (injected, skipped and why) and of each container (JVM, not a JVM or
unknown, which variable, and the evidence) goes to standard error. A workload
the rules reject is written unchanged with a warning; with --strict, or when
input cannot be read, exit status 1 with nothing on standard output.`;

interface Flags {
  filename: string[];
  image?: string;
  appPrefix?: string;
  collector?: string;
  optionsEnv?: string;
  containers?: string;
  kinds?: string;
  imagePullSecret?: string;
  agentDelivery: AgentDelivery;
  kubernetesVersion?: string;
  select?: string;
  readImages?: boolean;
  imageTimeout?: string;
  imageCache?: string;
  registryCaFile?: string;
  plainHttp: string[];
  uninject?: boolean;
  output: OutputFormat;
  unknownContainers: UnknownPolicy;
  onValueFrom: ValueFromPolicy;
  strict?: boolean;
  imageConfig?: string[];
  initResources?: string;
  quickStart?: boolean;
  collectorAgentPort?: string;
  collectorStatPort?: string;
  collectorSpanPort?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function splitList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export function command(): Command {
  return new Command(PROGRAM_NAME)
    .description("Add the Pinpoint Java agent (an init container that copies it into a shared volume, or the agent image as a read-only image volume, and the JVM flags) to the workloads of Kubernetes manifests.")
    .requiredOption("-f, --filename <path>", "a YAML or JSON file, a folder (read recursively: .yaml, .yml, .json), or - for standard input; repeat for more", collect)
    .option("--image <ref>", "the pp_agent init image, best pinned by digest (…/pp_agent@sha256:…); required unless --uninject")
    .option("--app-prefix <prefix>", "put before each workload name to make the Pinpoint applicationName, e.g. dev- (default: none)")
    .option("--collector <host>", "the collector host the agents report to (default: the agent's own pinpoint.config)")
    .option("--collector-agent-port <port>", `the collector's gRPC agent port (default: the agent's own, ${DEFAULT_COLLECTOR_PORTS.agent})`)
    .option("--collector-stat-port <port>", `the collector's gRPC stat port (default: the agent's own, ${DEFAULT_COLLECTOR_PORTS.stat})`)
    .option("--collector-span-port <port>", `the collector's gRPC span port (default: the agent's own, ${DEFAULT_COLLECTOR_PORTS.span})`)
    .option("--options-env <NAME>", `the variable that carries the JVM flags; auto: CATALINA_OPTS for Tomcat, JAVA_TOOL_OPTIONS for other JVMs (default: ${DEFAULT_OPTIONS_ENV})`)
    .option(
      "--containers <a,b>",
      `containers to instrument in workloads without the ${ANNOTATION_CONTAINERS} annotation, JVM or not; KIND/[NAMESPACE/]NAME=CONTAINER (e.g. deploy/orders=app) for one workload, repeated for more containers (default: the first JVM container)`,
    )
    .addOption(
      new Option("--unknown-containers <policy>", "containers with no JVM evidence either way (an in-house image, no command): instrument (JAVA_TOOL_OPTIONS is read only by a JVM) or skip")
        .choices(UNKNOWN_POLICIES)
        .default("instrument"),
    )
    .addOption(
      new Option("--on-value-from <policy>", "a container whose flags variable comes from valueFrom: error, or skip that container with a warning (the stack's pinpoint:onValueFrom)")
        .choices(VALUE_FROM_POLICIES)
        .default("error"),
    )
    .option("--strict", "any workload the rules reject, an envFrom source not in the input, or two workloads with one applicationName fails the whole run (nothing written, exit 1)")
    .option("--image-config <[IMAGE=]PATH>", "an image config from a file instead of a registry: docker inspect output, skopeo inspect --config or crane config output (as IMAGE=PATH), or an OCI layout folder; repeat for more", collect)
    .addOption(new Option("--select <mode>", "auto: the first JVM container of each workload; all: the first container of every workload").choices(SELECT_MODES).default("auto"))
    .option("--read-images", "read each image's config (Env, Entrypoint, Cmd) from its registry to tell JVMs apart; falls back to the manifest on any failure (default: off)")
    .option("--image-timeout <ms>", `with --read-images: the limit of each registry request (default: ${DEFAULT_TIMEOUT_MS})`)
    .option("--image-cache <dir>", `with --read-images: where image configs are cached by digest (default: ${defaultCacheDir()})`)
    .option("--registry-ca-file <pem>", "with --read-images: a private registry CA to trust besides the system's and NODE_EXTRA_CA_CERTS (docs/operations.md)")
    .option("--plain-http <host[:port]>", "with --read-images: read this registry over plain HTTP, like Docker's insecure-registries (repeatable)", collect, [])
    .option("--kinds <Deployment,...>", `workload kinds to instrument, of ${ALL_WORKLOAD_KINDS.join(", ")} (default: Deployment)`)
    .option("--image-pull-secret <name>", "a docker-registry Secret to add to the instrumented pods' imagePullSecrets")
    .option(
      "--init-resources <json>",
      `the init container's resources as JSON, merged field by field with the defaults ${JSON.stringify(DEFAULT_INIT_RESOURCES)}: a field left out keeps its default, null removes it (e.g. '{"limits":{"memory":"128Mi"}}')`,
    )
    .addOption(
      new Option("--agent-delivery <how>", "copy: an init container copies the agent into an emptyDir; imageVolume: the agent image mounted read-only (Kubernetes 1.31+)")
        .choices(AGENT_DELIVERIES)
        .default(DEFAULT_AGENT_DELIVERY),
    )
    .option("--kubernetes-version <version>", "the target cluster's version, e.g. 1.33: with --agent-delivery imageVolume, below 1.31 is an error and below 1.35 a warning")
    .option("--quick-start", "add -XX:TieredStopAtLevel=1 (C1 only) beside the agent's flags: a quicker start, slower steady-state code; a container that chooses its own JIT keeps it")
    .option("--uninject", "remove exactly what injection added, from every workload kind, instead of injecting")
    .addOption(new Option("-o, --output <format>", "output format: yaml, or json (one object after another)").choices(OUTPUT_FORMATS).default("yaml"))
    .addHelpText("after", EXAMPLES)
    .showHelpAfterError(`(run ${PROGRAM_NAME} --help for every flag)`);
}

/** What happened to one object: its new value (undefined: unchanged) and a report line. */
interface ObjectOutcome {
  value?: unknown;
  report: string;
}

type Action = (obj: Record<string, unknown>, where: string) => ObjectOutcome;

function report(verb: string, what: string, where: string, detail: string): string {
  return `${verb.padEnd(REPORT_VERB_WIDTH)}${what} [${where}]${detail ? `: ${detail}` : ""}`;
}

function nameOf(obj: Record<string, unknown>): string {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(obj.kind)} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? "<unnamed>"}`;
}

/** The workload's line, then one indented line per container: JVM or not, the variable, why. */
function withContainers(line: string, r: InjectResult): string {
  return [line, ...r.containerReasons.map((c) => `${" ".repeat(REPORT_VERB_WIDTH)}  container ${c.container}: ${c.reason}`)].join("\n");
}

function injectAction(options: ResolvedOptions, perWorkload: PerWorkloadContainers, names: ApplicationNames, warn: (w: string) => void): Action {
  return (obj, where) => {
    const what = nameOf(obj);
    if (isWorkloadKind(obj.kind) && !asWorkload(obj)) {
      return { report: report("skipped", what, where, `apiVersion ${String(obj.apiVersion)} is not ${WORKLOAD_KINDS[obj.kind]}`) };
    }
    const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
    const mine = perWorkload.containersFor(String(obj.kind), meta.namespace, meta.name);
    const o = mine ? { ...options, defaultContainers: mine } : options;
    let r: InjectResult;
    try {
      r = inject(obj as unknown as Workload, o);
    } catch (e) {
      // One workload the rules reject does not cost the others their output, unless --strict.
      if (options.strict || !(e instanceof InjectionError)) throw e;
      warn(`${what} [${where}] left unchanged: ${e.problem} (--strict makes this an error)`);
      return { report: report("failed", what, where, e.problem) };
    }
    for (const w of r.warnings) warn(w);
    if (!r.injected) return { report: withContainers(report("skipped", what, where, r.reason?.startsWith(NO_JVM_CONTAINER) ? NO_JVM_CONTAINER : (r.reason ?? "")), r) };
    names.add(r.applicationName!, what);
    const detail = `applicationName ${r.applicationName}, containers ${r.containers.join(", ")}`;
    // Already injected with the same options: keep the document as written. Only a workload
    // that carried our status record can come out equal, so others skip the two serialisations.
    const carried = podTemplateOf(obj as unknown as Workload)?.metadata?.annotations?.[ANNOTATION_STATUS] !== undefined;
    if (carried && JSON.stringify(r.workload) === JSON.stringify(obj)) return { report: withContainers(report("unchanged", what, where, `already injected; ${detail}`), r) };
    return { value: r.workload, report: withContainers(report("injected", what, where, detail), r) };
  };
}

const uninjectAction: Action = (obj, where) => {
  const what = nameOf(obj);
  const workload = asWorkload(obj);
  if (!workload) return { report: report("skipped", what, where, isWorkloadKind(obj.kind) ? `apiVersion ${String(obj.apiVersion)} is not ${WORKLOAD_KINDS[obj.kind]}` : unsupportedKindReason(obj)) };
  const r = uninject(workload);
  if (!r.removed) return { report: report("unchanged", what, where, "carries no injection") };
  // What could not be taken out is named: the output is a valid pod, not necessarily one without the agent.
  for (const k of r.kept) process.stderr.write(`${PROGRAM_NAME}: warning: ${k}\n`);
  if (r.kept.length > 0) return { value: r.workload, report: report("partly", what, where, `removed what the record proves; kept ${r.kept.length} part${r.kept.length === 1 ? "" : "s"} (warnings above)`) };
  return { value: r.workload, report: report("removed", what, where, "") };
};

/** One document: an object, or a list of them. Throws a ManifestError naming the document. */
function processDocument(d: ManifestDocument, action: Action, report: (line: string) => void): OutputDocument {
  const where = `${d.source}, document ${d.index}`;
  const fail = (problem: string, item?: number): never => {
    throw new ManifestError(d.source, item === undefined ? problem : `item ${item + 1}: ${problem}`, d.index, d.line);
  };
  const one = (obj: unknown, at: string, item?: number): ObjectOutcome => {
    if (!isObject(obj)) return fail("is not a Kubernetes object (a mapping with apiVersion and kind)", item);
    if (typeof obj.kind !== "string" || obj.kind === "") return fail("has no kind: every Kubernetes object needs apiVersion and kind", item);
    try {
      return action(obj, at);
    } catch (e) {
      return fail(readableMessage(e), item);
    }
  };
  if (d.value === null) return { document: d };
  /** A list's items, each a list in turn or an object; kubectl flattens nested lists, and so does this. */
  const walkList = (list: Record<string, unknown>, at: string, itemBase: number): { value?: Record<string, unknown>; count: number } => {
    const items = list.items as unknown[];
    let changed = false;
    let count = 0;
    const out = items.map((item, i) => {
      const here = `${at}, item ${i + 1}`;
      if (isList(item)) {
        const inner = walkList(item, here, itemBase + count);
        count += inner.count;
        if (inner.value === undefined) return item;
        changed = true;
        return inner.value;
      }
      const r = one(item, here, itemBase + count);
      count++;
      report(r.report);
      if (r.value === undefined) return item;
      changed = true;
      return r.value;
    });
    return { value: changed ? { ...list, items: out } : undefined, count };
  };
  if (isList(d.value)) return { document: d, value: walkList(d.value, where, 0).value };
  const r = one(d.value, where);
  report(r.report);
  return { document: d, value: r.value };
}

/** The flag that sets each option, for messages that name what the user typed. */
const FLAG_OF_OPTION: Record<string, string> = {
  image: "--image",
  applicationNamePrefix: "--app-prefix",
  collectorHost: "--collector",
  "collectorPorts.agent": "--collector-agent-port",
  "collectorPorts.stat": "--collector-stat-port",
  "collectorPorts.span": "--collector-span-port",
  optionsEnv: "--options-env",
  defaultContainers: "--containers",
  kinds: "--kinds",
  imagePullSecret: "--image-pull-secret",
  initResources: "--init-resources",
  select: "--select",
  agentDelivery: "--agent-delivery",
  kubernetesVersion: "--kubernetes-version",
};

function optionsOf(flags: Flags, images: ImageLookups | undefined, envSources: EnvSources, defaults: string[]): ResolvedOptions {
  try {
    return resolveFlags(flags, images, envSources, defaults);
  } catch (e) {
    if (e instanceof OptionError) {
      if (FLAG_OF_OPTION[e.option]) throw new Error(`${FLAG_OF_OPTION[e.option]} ${e.problem}`);
      // A path into an option (initResources.limits.cpu) is named after the flag: --init-resources limits.cpu.
      const [head, ...rest] = e.option.split(".");
      if (FLAG_OF_OPTION[head]) throw new Error(`${FLAG_OF_OPTION[head]} ${rest.join(".")} ${e.problem}`);
    }
    throw e;
  }
}

function resolveFlags(flags: Flags, images?: ImageLookups, envSources?: EnvSources, defaults: string[] = []): ResolvedOptions {
  if (flags.kinds !== undefined && splitList(flags.kinds)!.length === 0) {
    throw new Error(`--kinds "${flags.kinds}" names no kind: give one or more of ${ALL_WORKLOAD_KINDS.join(", ")}, or leave the flag out for Deployment`);
  }
  if (flags.kubernetesVersion !== undefined) parseKubernetesVersion(flags.kubernetesVersion, "--kubernetes-version");
  checkPlainHttp(flags.plainHttp);
  if (flags.agentDelivery === "imageVolume") {
    const support = imageVolumeSupport(flags.kubernetesVersion, { version: "--kubernetes-version", delivery: "--agent-delivery" });
    if (support.level === "error") throw new Error(support.message);
    if (support.level === "warning") process.stderr.write(`${PROGRAM_NAME}: warning: ${support.message}\n`);
  }
  return resolveOptions({
    select: flags.select as ResolvedOptions["select"],
    images,
    image: flags.image ?? "",
    applicationNamePrefix: flags.appPrefix,
    collectorHost: flags.collector,
    collectorPorts: {
      agent: portFlag("--collector-agent-port", flags.collectorAgentPort),
      stat: portFlag("--collector-stat-port", flags.collectorStatPort),
      span: portFlag("--collector-span-port", flags.collectorSpanPort),
    },
    optionsEnv: flags.optionsEnv,
    defaultContainers: defaults,
    unknownContainers: flags.unknownContainers,
    onValueFrom: flags.onValueFrom,
    strict: flags.strict ?? false,
    envSources,
    kinds: splitList(flags.kinds) as WorkloadKind[] | undefined,
    imagePullSecret: flags.imagePullSecret,
    initResources: initResourcesFlag(flags.initResources),
    quickStart: flags.quickStart ?? false,
    agentDelivery: flags.agentDelivery,
    kubernetesVersion: flags.kubernetesVersion,
  });
}

/** A port flag: decimal digits only (9992.0, 0x2708 and 1e4 are refused, not read as the number they may spell). */
function portFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < PORT_MIN || n > PORT_MAX) {
    const meant = value.trim() !== "" && Number.isInteger(n) && n >= PORT_MIN && n <= PORT_MAX ? ` (${flag} ${n})` : "";
    throw new Error(`${flag} "${value}" is not a port: give a whole number from ${PORT_MIN} to ${PORT_MAX} in decimal digits${meant}`);
  }
  return n;
}

/** Each --plain-http value: a registry host with an optional port in decimal digits. */
function checkPlainHttp(hosts: readonly string[]): void {
  for (const h of hosts) {
    const problem = hostPortProblem(h);
    if (problem) throw new Error(`--plain-http "${h}" ${problem.replace(/^"[^"]*" /, "")}: give the registry as host or host:port, e.g. harbor.local:5000`);
  }
}

/** --init-resources as JSON; its fields are checked (and merged with the defaults) by the core. */
function initResourcesFlag(value: string | undefined): ResolvedOptions["initResources"] | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as ResolvedOptions["initResources"];
  } catch (e) {
    throw new Error(`--init-resources is not valid JSON (${(e as Error).message}): write it as '{"requests":{"cpu":"10m"},"limits":{"memory":"128Mi"}}' (a field left out keeps its default)`);
  }
}

/** Image configs: from --image-config files first, then (with --read-images) the registry for the rest; neither: none. */
async function readImages(flags: Flags, images: readonly string[]): Promise<ImageLookups | undefined> {
  if (flags.uninject) return undefined;
  const fromFiles = flags.imageConfig ? lookupsFromFiles(images, flags.imageConfig.flatMap(readImageConfigFile)) : undefined;
  if (!flags.readImages) return fromFiles;
  const rest = images.filter((i) => !fromFiles?.[i]);
  const timeoutMs = flags.imageTimeout === undefined ? undefined : Number(flags.imageTimeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new Error(`--image-timeout "${flags.imageTimeout}" is not a positive whole number of milliseconds`);
  }
  if (flags.registryCaFile !== undefined) {
    let pem = "";
    try {
      pem = fs.readFileSync(flags.registryCaFile, "utf8");
    } catch (e) {
      throw new Error(`--registry-ca-file "${flags.registryCaFile}" cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the CA's PEM file`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`--registry-ca-file "${flags.registryCaFile}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  const reader = new ImageConfigReader({ timeoutMs, cacheDir: flags.imageCache, caFile: flags.registryCaFile, plainHttpHosts: flags.plainHttp });
  return { ...(await reader.readAll(rest)), ...fromFiles };
}

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = command();
  cmd.parse(argv, { from: "node" });
  const flags = cmd.opts<Flags>();
  const errors: string[] = [];
  // Output, report and warnings wait on disk until the run is known to succeed (spool.ts).
  const spool = new SpoolDir();
  const output = new Spool(spool.file("output"));
  const reports = new Spool(spool.file("report"));
  const warnings = new Spool(spool.file("warnings"));
  const warn = (w: string) => warnings.append(`${PROGRAM_NAME}: warning: ${w}\n`);
  const writer = new OutputWriter(flags.output, (t) => output.append(t));
  /** One document: processed, checked, and turned into output text at once, so its parse need not outlive it. */
  const handle = (d: ManifestDocument, action: Action) => {
    try {
      const o = processDocument(d, action, (r) => reports.append(`${r}\n`));
      if (d.shallow && (flags.output === "json" || o.value !== undefined)) {
        throw new ManifestError(d.source, "holds more aliases than are resolved for a kind the tool does not change, so it can be written only as its YAML text: leave out -o json, or write the aliased parts out", d.index, d.line);
      }
      // A document written from its value must hold only numbers that come out as they went in.
      const big = flags.output === "json" || o.value !== undefined ? unrepresentableNumber(o.value ?? d.value) : undefined;
      if (big) throw new ManifestError(d.source, numberProblem(big), d.index, d.line);
      // After an error nothing is written: the output need not be built any more.
      if (errors.length > 0) return;
      try {
        writer.add(o);
      } catch (e) {
        throw new ManifestError(d.source, `cannot be written: ${readableMessage(e)}`, d.index, d.line);
      }
    } catch (e) {
      errors.push(readableMessage(e));
    }
  };
  try {
    try {
      checkOutputIsNotInput(flags.filename);
      const sources = listSources(flags.filename, () => {
        const file = spool.file("stdin");
        spoolStdin(file);
        return { path: file, format: stdinFormat(file) };
      }).map(settleFormat);
      // First pass (injection only): the facts one document gives the others. ConfigMaps and Secrets
      // anywhere in the input answer envFrom look-ups; image configs are read for all images at once.
      const facts = flags.uninject ? undefined : gatherFacts(sources, flags.readImages === true || flags.imageConfig !== undefined);
      // Options once for every document: the per-document cost is the core's alone.
      const containers = parseContainersFlag(flags.containers, DNS_LABEL);
      const names = new ApplicationNames();
      const action =
        facts === undefined ? uninjectAction : injectAction(optionsOf(flags, await readImages(flags, facts.images), facts.envSources, containers.defaults), containers, names, warn);
      // Second pass: one document at a time, read, injected and written out.
      for (const source of sources) {
        let objects = 0;
        try {
          for (const d of streamDocuments(source)) {
            if (d.value !== null) objects++;
            handle(d, action);
          }
          // Nothing to read is a mistake (an empty pipe, a file emptied by a redirect), not a success.
          if (objects === 0) {
            throw new ManifestError(source.name, `holds no Kubernetes objects${source.name === STDIN_NAME ? " (standard input was empty: did the command before the pipe fail?)" : ""}`);
          }
        } catch (e) {
          errors.push(readableMessage(e));
        }
      }
      for (const unused of containers.unused()) errors.push(`--containers ${unused}: no such workload in the input`);
      // Two workloads with one applicationName merge into one service in Pinpoint.
      for (const clash of names.clashes()) (flags.strict ? errors.push(clash) : warn(clash));
    } catch (e) {
      errors.push(readableMessage(e));
    }
    if (errors.length > 0) {
      // What was said before the errors still explains them (the workloads a --strict run refused, say).
      await warnings.copyTo(process.stderr);
      process.stderr.write(errors.map((e) => `${PROGRAM_NAME}: error: ${e}\n`).join(""));
      process.stderr.write(`${PROGRAM_NAME}: nothing written to standard output (${errors.length} error${errors.length === 1 ? "" : "s"})\n`);
      return EXIT_FAILURE;
    }
    await warnings.copyTo(process.stderr);
    await reports.copyTo(process.stderr);
    await output.copyTo(process.stdout);
    return 0;
  } finally {
    for (const s of [output, reports, warnings]) s.close();
    spool.remove();
  }
}

/**
 * `-f a.yaml > a.yaml`: the shell empties the file before the tool starts, so
 * the input is lost whatever the tool does; say so rather than write nothing.
 */
function checkOutputIsNotInput(paths: readonly string[]): void {
  let out: fs.Stats;
  try {
    out = fs.fstatSync(1);
  } catch {
    return;
  }
  if (!out.isFile()) return;
  for (const p of paths) {
    if (p === STDIN_PATH) continue;
    const s = fs.statSync(p, { throwIfNoEntry: false });
    if (s && s.isFile() && s.dev === out.dev && s.ino === out.ino) {
      throw new ManifestError(p, "is also standard output (-f x > x): the shell emptied it before it could be read; write to another file, then move it over this one");
    }
  }
}

if (require.main === module) {
  guardProcess(PROGRAM_NAME);
  void main(process.argv).then((code) => (process.exitCode = code));
}
