/**
 * Another team's stack. The platform team's stack (project pinpoint-platform,
 * program in stacks/) builds the agent image and runs the collector, and
 * exports both; this stack reads them through a StackReference and turns
 * instrumentation on for its own Deployments. Nothing Pinpoint-specific in its
 * stack config: when the platform moves to a new agent image, the next
 * `pulumi up` here picks it up.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PinpointApm } from "@fjhb/pulumi-pinpoint";

const NAMESPACE = "order-pay";
const HTTP_PORT = 8080;
/** The platform project; its stack of the same name as ours, unless order-pay:platformStack says otherwise. */
const PLATFORM_PROJECT = "pinpoint-platform";
const ANNOTATION = {
  /** Which variable carries the JVM flags: a plain `java -jar` reads JAVA_TOOL_OPTIONS, not Tomcat's CATALINA_OPTS. */
  optionsEnv: "pinpoint.fjhb.cn/options-env",
  /** Leave a workload alone: no JVM in it. */
  inject: "pinpoint.fjhb.cn/inject",
};

const config = new pulumi.Config();
const platform = new pulumi.StackReference(config.get("platformStack") ?? `organization/${PLATFORM_PROJECT}/${pulumi.getStack()}`);

// First: its transform reaches only the resources registered after it. The
// collector is an Output, but a stack reference's outputs are known at preview,
// so the preview already shows the instrumented Deployments.
const apm = new PinpointApm("pinpoint", {
  enabled: true,
  agentImage: platform.requireOutput("agentImage"),
  collectorHost: platform.requireOutput("collectorHost"),
});

interface App {
  name: string;
  image: string;
  annotations?: Record<string, string>;
  /** What the team's manifest already says of how the app starts (the injector reads it to find the JVM). */
  env?: Array<{ name: string; value: string }>;
  command?: string[];
  /** Give it a ClusterIP Service on HTTP_PORT. */
  service?: boolean;
}

const APPS: App[] = [
  // Tomcat: the flags go to CATALINA_OPTS, the default.
  { name: "order-api", image: "harbor.59iedu.com/order-pay/order-api:2.4.1", env: [{ name: "CATALINA_OPTS", value: "-Xmx768m" }], service: true },
  // A Spring Boot jar started with `java -jar`.
  {
    name: "pay-worker",
    image: "harbor.59iedu.com/order-pay/pay-worker:2.4.1",
    command: ["java", "-jar", "/app/pay-worker.jar"],
    annotations: { [ANNOTATION.optionsEnv]: "JAVA_TOOL_OPTIONS" },
  },
  // The static front end: nginx, no JVM.
  { name: "web", image: "harbor.59iedu.com/order-pay/web:2.4.1", annotations: { [ANNOTATION.inject]: "false" }, service: true },
];

for (const app of APPS) {
  const labels = { app: app.name };
  new k8s.apps.v1.Deployment(app.name, {
    metadata: { name: app.name, namespace: NAMESPACE, labels, annotations: app.annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: app.name,
              image: app.image,
              command: app.command,
              env: app.env,
              ports: [{ name: "http", containerPort: HTTP_PORT }],
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            },
          ],
        },
      },
    },
  });
  if (app.service) {
    new k8s.core.v1.Service(app.name, {
      metadata: { name: app.name, namespace: NAMESPACE, labels },
      spec: { selector: labels, ports: [{ name: "http", port: HTTP_PORT, targetPort: "http" }] },
    });
  }
}

// null, not undefined, when absent: Pulumi cannot show an undefined stack output.
export const agentImage = apm.agentImage.apply((ref) => ref ?? null);
export const collectorHost = apm.collectorHost.apply((host) => host ?? null);
