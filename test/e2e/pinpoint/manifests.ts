/**
 * The manifests the end to end runs: the org's stack program (stacks/, stack
 * `dev`) rendered under the mock engine as `pulumi up` would create them, with
 * the keys a test cluster needs changed (the local registry and the pushed
 * agent image, the server release matching the released jars, alarms on with
 * a test MySQL password and mail settings of its own, no Ingress), plus one
 * plain JVM app whose Deployment asks for JAVA_TOOL_OPTIONS.
 */
import * as k8s from "@pulumi/kubernetes";
import * as path from "path";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { ANNOTATION_OPTIONS_ENV } from "../../../sdk/inject/constants";
import { runProgram } from "../../../sdk/render/mockEngine";
import { kubernetesObjects, KubernetesObject } from "../../../sdk/render/objects";
import { loadProgram, locateProgram, stackFile } from "../../../sdk/render/program";
import { readStackConfig } from "../../../sdk/render/stackConfig";
import { RELEASES } from "../../../sdk/server/constants";

export const STACK = "dev";
export const SEED_APP = "tomcat-zffw";
export const PLAIN_APP = "plain-jvm";
export const PLAIN_APP_PORT = 8090;
export const PLAIN_APP_MAIN = "e2e.PlainApp";
export const PLAIN_APP_ENTRYPOINT = `${PLAIN_APP_MAIN}.handle`;
/** This checkout. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Keys the stack file sets that a test cluster has no use for or sets itself (an Ingress, alarm mail, Harbor credentials). */
const DROPPED_KEYS = ["webIngressHost", "alarmNotify", "alarmMailHost", "alarmMailPort", "alarmMailFrom", "mysqlPassword", "registryUsername", "registryPassword"];

/** The PinpointServer release to render for a web jar version: the table's entry of the same major.minor. */
/** The bundled MySQL's password in the test cluster (pinpoint:mysqlPassword). */
export const E2E_MYSQL_PASSWORD = "e2e-mysql-pw-6789";
/** The cluster's mail relay in the end to end: an SMTP server that keeps what it gets (mailSink.ts), a pod behind a Service of its own namespace. */
export const MAIL_SINK = { name: "mail-sink", namespace: "mail", port: 2525, image: "e2e/mail-sink:1" } as const;
export const MAIL_SINK_HOST = `${MAIL_SINK.name}.${MAIL_SINK.namespace}.svc.cluster.local`;

/** Alarms as the org's stack has them (mail), with the test's own settings: mail goes to the sink. */
export const E2E_ALARMS = {
  "pinpoint:alarms": "true",
  "pinpoint:mysqlPassword": E2E_MYSQL_PASSWORD,
  "pinpoint:alarmNotify": "mail",
  "pinpoint:alarmMailHost": MAIL_SINK_HOST,
  "pinpoint:alarmMailPort": String(MAIL_SINK.port),
  "pinpoint:alarmMailFrom": "pinpoint@e2e.example.com",
  "pinpoint:alarmMailStartTls": "false",
};

export function serverReleaseFor(webVersion: string): string {
  if (RELEASES[webVersion]) return webVersion;
  const minor = webVersion.split(".").slice(0, 2).join(".");
  const match = Object.keys(RELEASES).find((v) => v.startsWith(`${minor}.`));
  if (!match) throw new Error(`no PinpointServer release ${minor}.x in sdk/server/constants.ts RELEASES for web ${webVersion}`);
  return match;
}

export interface RenderInput {
  registry: string;
  agentImage: string;
  serverVersion: string;
  /** pinpoint:agentVersion, the agent archive's release: with it the stack checks the agent/collector pair at preview, as a user's would. */
  agentVersion: string;
  enabled: boolean;
  /** pinpoint:agentDelivery (default: the stack's, copy). */
  agentDelivery?: "copy" | "imageVolume";
  /** More workloads declared after the stack's own (issue 23's silent app). */
  extraWorkloads?: (namespace: string) => void;
  /** More pinpoint:* keys, set last (issue 23's web with login on). */
  config?: Record<string, string>;
}

/** The plain app's Deployment: a JVM started by `java` itself, so the agent goes into JAVA_TOOL_OPTIONS. */
function plainAppDeployment(namespace: string): void {
  const labels = { app: PLAIN_APP };
  new k8s.apps.v1.Deployment(PLAIN_APP, {
    metadata: { name: PLAIN_APP, namespace, labels, annotations: { [ANNOTATION_OPTIONS_ENV]: "JAVA_TOOL_OPTIONS" } },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: PLAIN_APP,
              image: "harbor.59iedu.com/dev/plain-jvm:1.0.0",
              ports: [{ name: "http", containerPort: PLAIN_APP_PORT }],
              // The app's own JVM options (its traced entry point: no agent plugin covers the JDK's HTTP server); the injection appends the agent's.
              env: [{ name: "JAVA_TOOL_OPTIONS", value: `-Xmx64m -Dprofiler.entrypoint=${PLAIN_APP_ENTRYPOINT}` }],
            },
          ],
        },
      },
    },
  });
}

/** The mail sink's Deployment and Service (not part of the stack: the test cluster's own relay). */
export function mailSinkObjects(): KubernetesObject[] {
  const labels = { app: MAIL_SINK.name };
  const metadata = { name: MAIL_SINK.name, namespace: MAIL_SINK.namespace, labels };
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata,
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          enableServiceLinks: false,
          // No probe: the suite counts every probe as the server's, and nothing mails before a rule exists, minutes after the start.
          containers: [{ name: "smtp", image: MAIL_SINK.image, ports: [{ name: "smtp", containerPort: MAIL_SINK.port }] }],
        },
      },
    },
  };
  const service: Service = { apiVersion: "v1", kind: "Service", metadata, spec: { selector: labels, ports: [{ name: "smtp", port: MAIL_SINK.port, targetPort: MAIL_SINK.port }] } };
  return [deployment, service] as KubernetesObject[];
}

/** Every Kubernetes object the stack creates, as the cluster would receive it. */
export async function renderStack(input: RenderInput): Promise<KubernetesObject[]> {
  return (await renderStackRun(input)).objects;
}

/** The objects and the stack outputs. */
export async function renderStackRun(input: RenderInput): Promise<{ objects: KubernetesObject[]; outputs: Record<string, any> }> {
  const program = locateProgram("stacks", REPO_ROOT);
  const { config, secretKeys } = readStackConfig(stackFile(program, STACK), program.project);
  for (const key of DROPPED_KEYS) delete config[`pinpoint:${key}`];
  Object.assign(config, {
    "pinpoint:enabled": String(input.enabled),
    "pinpoint:registry": input.registry,
    "pinpoint:agentImage": input.agentImage,
    "pinpoint:version": input.serverVersion,
    "pinpoint:agentVersion": input.agentVersion,
    ...E2E_ALARMS,
  });
  if (input.config) Object.assign(config, input.config);
  // An image volume needs a cluster that has them: say which, as a user of that delivery would.
  if (input.agentDelivery) Object.assign(config, { "pinpoint:agentDelivery": input.agentDelivery, "pinpoint:kubernetesVersion": "1.35" });
  const stack = loadProgram(program);
  const run = await runProgram(
    () => {
      const outputs = stack();
      plainAppDeployment(STACK);
      input.extraWorkloads?.(STACK);
      return outputs;
    },
    // Secrets in clear: the test cluster resolves secretKeyRef from them.
    { project: program.project, stack: STACK, config, secretKeys: secretKeys.filter((k) => k in config), cwd: program.dir, secret: (v) => v },
  );
  if (run.errors.length > 0) throw new Error(`the stack program failed:\n${run.errors.join("\n")}`);
  return { objects: kubernetesObjects(run.resources, (v) => v).map((o) => o.object), outputs: run.outputs };
}

export function findObject<T>(objects: readonly KubernetesObject[], kind: string, name: string): T {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`the rendered stack has no ${kind} ${name}`);
  return o as unknown as T;
}

export type { Deployment };
