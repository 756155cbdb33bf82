/**
 * The web UI (and its API): reads HBase; with alarms on, keeps users, groups,
 * alarm rules and webhooks in MySQL.
 */
import type { Deployment } from "kubernetes-types/apps/v1";
import type { EnvVar, Service } from "kubernetes-types/core/v1";
import type { Ingress } from "kubernetes-types/networking/v1";
import { env, jdbcEnv, metadata, partDeployment, partService, pinpointImage, pinpointServerEnv, secretEnv, serviceHost, startupTcpProbe, tcpProbe } from "./common";
import type { ServerSettings } from "./config";
import { NAMES, PORTS, SECRET_KEYS } from "./constants";
import { webLoginEnv, webProfiles, webReadinessPath } from "./webLogin";

const STARTUP_SECONDS = 300;

/** The address users open: the Ingress host when there is one, else the Service inside the cluster. */
export function webUrl(s: ServerSettings): string {
  return s.ingress ? `http://${s.ingress.host}` : `http://${serviceHost(s, NAMES.web)}:${PORTS.web}`;
}

/** The web inside the cluster: its Service, what in-cluster tools and CI jobs use. */
export function webClusterUrl(s: ServerSettings): string {
  return `http://${serviceHost(s, NAMES.web)}:${PORTS.web}`;
}

/** The web through its Ingress, when one publishes it. */
export function webIngressUrl(s: ServerSettings): string | undefined {
  return s.ingress ? `http://${s.ingress.host}` : undefined;
}

function webEnv(s: ServerSettings): EnvVar[] {
  // No usage statistics sent to the Pinpoint project from company clusters.
  const out = [...pinpointServerEnv(s, "web", webProfiles(s)), ...env({ CONFIG_SENDUSAGE: false, CONFIG_SHOW_APPLICATIONSTAT: true })];
  if (s.webAdminPassword) out.push(secretEnv("ADMIN_PASSWORD", SECRET_KEYS.adminPassword));
  out.push(...webLoginEnv(s));
  if (s.alarms) {
    out.push(...jdbcEnv(s));
    if (s.alarms.webhook) out.push(...env({ WEBHOOK_ENABLE: true }));
  }
  return out;
}

export function webObjects(s: ServerSettings): { service: Service; deployment: Deployment; ingress?: Ingress } {
  const service = partService(s, NAMES.web, "web", { ports: [{ name: "http", port: PORTS.web, targetPort: "http" }] });
  const deployment = partDeployment(s, NAMES.web, "web", { replicas: s.replicas.web }, {
    containers: [
      {
        name: "web",
        image: pinpointImage(s, "web"),
        ports: [{ name: "http", containerPort: PORTS.web }],
        env: webEnv(s),
        startupProbe: startupTcpProbe(PORTS.web, STARTUP_SECONDS),
        readinessProbe: { httpGet: { path: webReadinessPath(s), port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: tcpProbe(PORTS.web, 0, 20, 6),
        resources: s.resources.web,
      },
    ],
  });
  const ingress: Ingress | undefined = s.ingress
    ? {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: metadata(s, NAMES.web, "web"),
        spec: {
          ...(s.ingress.className ? { ingressClassName: s.ingress.className } : {}),
          rules: [
            {
              host: s.ingress.host,
              http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: NAMES.web, port: { name: "http" } } } }] },
            },
          ],
        },
      }
    : undefined;
  return { service, deployment, ingress };
}
