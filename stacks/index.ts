/**
 * The org's dev and test stack: Pinpoint for the cluster, then the apps. The
 * PinpointApm comes first: its transform reaches only resources created after it.
 * Everything Pinpoint does is driven by the `pinpoint:*` keys of Pulumi.<stack>.yaml.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PinpointApm } from "../sdk";

const APP = "tomcat-zffw";
const APP_IMAGE = "harbor.59iedu.com/dev/fjhb6-ability-order-pay:1.22.0-SNAPSHOT-20190227044640";
const APP_PORT = 8080;
// The seed's JVM settings, minus the Pinpoint flags: the component adds those.
const JAVA_OPTS = [
  "-server -Xms1024M -Xmx1024M -XX:MaxMetaspaceSize=320m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/home/tomcat/jvmdump/",
  "-Duser.timezone=Asia/Shanghai -Drocketmq.client.logRoot=/home/tomcat/logs/rocketmqlog",
].join(" ");

const apm = new PinpointApm("pinpoint");

// One namespace per stack: dev, test.
const namespace = pulumi.getStack();
const ns = new k8s.core.v1.Namespace(namespace, { metadata: { name: namespace } });
const labels = { app: APP };

new k8s.apps.v1.Deployment(
  APP,
  {
    metadata: { name: APP, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: APP,
              image: APP_IMAGE,
              imagePullPolicy: "Always",
              ports: [{ name: "http", containerPort: APP_PORT }],
              env: [{ name: "JAVA_OPTS", value: JAVA_OPTS }],
              resources: { limits: { cpu: "2000m", memory: "2Gi" }, requests: { cpu: "500m", memory: "1Gi" } },
            },
          ],
        },
      },
    },
  },
  { dependsOn: [ns] },
);

new k8s.core.v1.Service(
  APP,
  {
    metadata: { name: APP, namespace, labels },
    spec: { selector: labels, ports: [{ name: "http", port: APP_PORT, targetPort: "http" }] },
  },
  { dependsOn: [ns] },
);

// What app teams' stacks read through a StackReference (examples/app-team-stack).
export const instrumented = apm.enabled;
/** The pp_agent image, digest-pinned when PinpointApm built it. */
// null rather than undefined when absent (instrumentation off, no image): Pulumi cannot show an undefined output.
export const agentImage = apm.agentImage.apply((ref) => ref ?? null);
export const collectorHost = apm.collectorHost.apply((host) => host ?? null);
/** The deployed server's web UI, when this stack deploys one. */
export const webUrl = apm.webUrl.apply((url) => url ?? null);
/** What `pinpoint-status --stack-outputs` reads: the web's in-cluster and Ingress URLs, its login user, the naming rules. */
export const pinpointStatus = apm.status;
