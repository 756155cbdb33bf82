/**
 * The objects the bench feeds in: a Java app's Deployment shaped like the
 * seed's, plus the Services and ConfigMaps that surround it in a real manifest.
 */
export const IMAGE = `harbor.59iedu.com/fjhb/pp_agent@sha256:${"ab".repeat(32)}`;
export const COLLECTOR = "pinpoint-collector.pinpoint.svc.cluster.local";
export const PREFIX = "dev-";

/**
 * The seed's Deployment (test/fixtures/seed-deployment.yaml: the company's real
 * Tomcat app) with the names made unique: the size and shape of workload the
 * product is for, which matters because instrumentation's cost in a stack
 * grows with how much it adds relative to what is there.
 */
export function deployment(i: number): Record<string, any> {
  const app = `app-${i}`;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app, namespace: "dev", labels: { app }, annotations: { team: `team-${i % 17}` } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: {
          volumes: [
            { name: "hb-lan-server-xml", configMap: { name: "hb-lan-server-xml", items: [{ key: "server.xml", path: "server.xml" }] } },
            { name: "vol-localtime", hostPath: { path: "/etc/localtime", type: "" } },
            { name: "mfsdata", persistentVolumeClaim: { claimName: "mfsdata" } },
          ],
          containers: [
            {
              name: app,
              image: `harbor.59iedu.com/dev/fjhb6-${app}:1.22.0-SNAPSHOT-20190227044640`,
              imagePullPolicy: "Always",
              lifecycle: {
                preStop: { exec: { command: ["/bin/bash", "-c", "PID=`pidof java` && kill -SIGTERM $PID && while ps -p $PID > /dev/null; do sleep 1; done;"] } },
              },
              env: [
                {
                  name: "JAVA_OPTS",
                  value:
                    "-server -Xms1024M -Xmx1024M -XX:MaxMetaspaceSize=320m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/home/tomcat/jvmdump/ " +
                    "-agentlib:jdwp=transport=dt_socket,address=8000,server=y,suspend=n -Duser.timezone=Asia/Shanghai -Drocketmq.client.logRoot=/home/tomcat/logs/rocketmqlog",
                },
              ],
              resources: { limits: { cpu: "2000m", memory: "2Gi" }, requests: { cpu: "500m", memory: "1Gi" } },
              volumeMounts: [
                { name: "hb-lan-server-xml", mountPath: "/home/tomcat/conf/server.xml", subPath: "server.xml" },
                { name: "vol-localtime", readOnly: true, mountPath: "/etc/localtime" },
                { name: "mfsdata", mountPath: "/mnt/mfs" },
              ],
            },
          ],
        },
      },
    },
  };
}

export function service(i: number): Record<string, any> {
  const app = `app-${i}`;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: app, namespace: "dev" },
    spec: { selector: { app }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
  };
}

export function configMap(i: number): Record<string, any> {
  const app = `app-${i}`;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: app, namespace: "dev" },
    data: { "application.properties": `server.port=8080\nspring.application.name=${app}\nlogging.level.root=INFO\n` },
  };
}

/** Document i of a mixed manifest: 4 in 10 Deployments, 3 Services, 3 ConfigMaps. */
export function mixedObject(i: number): Record<string, any> {
  const k = i % 10;
  return k < 4 ? deployment(i) : k < 7 ? service(i) : configMap(i);
}

export const deploymentsIn = (docs: number): number => {
  let n = 0;
  for (let i = 0; i < docs; i++) if (i % 10 < 4) n++;
  return n;
};
