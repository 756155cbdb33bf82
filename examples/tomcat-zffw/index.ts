/**
 * The seed's application, tomcat-zffw, as its team declares it: a Deployment
 * and a Service with no Pinpoint parts at all. PinpointApm, created first,
 * reads the `pinpoint:*` stack config; with `pinpoint:enabled true` its stack
 * transform adds the agent (init container, volume, mount, env) to the
 * Deployment on the way to the cluster. Set it to false and the Deployment is
 * deployed exactly as written here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PinpointApm } from "@fjhb/pulumi-pinpoint";

const APP = "tomcat-zffw";
const APP_IMAGE = "harbor.59iedu.com/dev/fjhb6-ability-order-pay:1.22.0-SNAPSHOT-20190227044640";
const HTTP_PORT = 8080;
// The seed's JVM settings. No -javaagent here: the component adds the Pinpoint flags to CATALINA_OPTS.
const JAVA_OPTS = [
  "-server -Xms1024M -Xmx1024M -XX:MaxMetaspaceSize=320m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/home/tomcat/jvmdump/",
  "-agentlib:jdwp=transport=dt_socket,address=8000,server=y,suspend=n",
  "-Duser.timezone=Asia/Shanghai",
  "-Drocketmq.client.logRoot=/home/tomcat/logs/rocketmqlog",
].join(" ");
// Let Tomcat finish its requests before the pod goes (the seed's preStop hook).
const GRACEFUL_STOP = "PID=`pidof java` && kill -SIGTERM $PID && while ps -p $PID > /dev/null; do sleep 1; done;";

// First: its transform reaches only the resources registered after it.
const apm = new PinpointApm("pinpoint");

const config = new pulumi.Config();
// The seed runs in namespace dev; by default the namespace is the stack's name.
const namespace = config.get("namespace") ?? pulumi.getStack();
const labels = { app: APP };

new k8s.apps.v1.Deployment(APP, {
  metadata: { name: APP, namespace, labels, annotations: { team: "order-pay" } },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        // The ConfigMap and the PVC belong to the team's namespace already, as in the seed.
        volumes: [
          { name: "hb-lan-server-xml", configMap: { name: "hb-lan-server-xml", items: [{ key: "server.xml", path: "server.xml" }] } },
          { name: "vol-localtime", hostPath: { path: "/etc/localtime", type: "" } },
          { name: "mfsdata", persistentVolumeClaim: { claimName: "mfsdata" } },
        ],
        containers: [
          {
            name: APP,
            image: APP_IMAGE,
            imagePullPolicy: "Always",
            ports: [{ name: "http", containerPort: HTTP_PORT }],
            lifecycle: { preStop: { exec: { command: ["/bin/bash", "-c", GRACEFUL_STOP] } } },
            env: [{ name: "JAVA_OPTS", value: JAVA_OPTS }],
            resources: { limits: { cpu: "2000m", memory: "2Gi" }, requests: { cpu: "500m", memory: "1Gi" } },
            volumeMounts: [
              { name: "hb-lan-server-xml", mountPath: "/home/tomcat/conf/server.xml", subPath: "server.xml" },
              { name: "vol-localtime", mountPath: "/etc/localtime", readOnly: true },
              { name: "mfsdata", mountPath: "/mnt/mfs" },
            ],
          },
        ],
      },
    },
  },
});

new k8s.core.v1.Service(APP, {
  metadata: { name: APP, namespace, labels },
  spec: { selector: labels, ports: [{ name: "http", port: HTTP_PORT, targetPort: "http" }] },
});

export const instrumented = apm.enabled;
// Absent when instrumentation is off and no image is set: null then, as Pulumi cannot show an undefined output.
export const agentImage = apm.agentImage.apply((ref) => ref ?? null);
