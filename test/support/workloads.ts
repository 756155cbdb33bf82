/**
 * A Deployment around given containers, for tests that are about containers:
 * the rest is the least a valid Deployment needs.
 */
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Container } from "kubernetes-types/core/v1";

export function deploymentOf(name: string, containers: Container[], annotations?: Record<string, string>, namespace = "dev"): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) }, spec: { containers } },
    },
  };
}
