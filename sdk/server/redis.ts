/**
 * Redis, for 3.x: collector and web coordinate the realtime features through it
 * (their default is localhost:6379). Cache only, so no volume and no password;
 * it is reachable inside the cluster like the rest of the server.
 */
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { execProbe, imageRef, partDeployment, partService, tcpProbe } from "./common";
import type { ServerSettings } from "./config";
import { NAMES, PORTS, REDIS_IMAGE } from "./constants";

export function redisObjects(s: ServerSettings): { service: Service; deployment: Deployment } {
  const service = partService(s, NAMES.redis, "redis", { ports: [{ name: "redis", port: PORTS.redis, targetPort: "redis" }] });
  const deployment = partDeployment(s, NAMES.redis, "redis", { replicas: 1 }, {
    containers: [
      {
        name: "redis",
        image: imageRef(s, REDIS_IMAGE),
        // Nothing to keep: no snapshots, no append-only file.
        args: ["--save", "", "--appendonly", "no"],
        ports: [{ name: "redis", containerPort: PORTS.redis }],
        readinessProbe: execProbe(["redis-cli", "ping"], 5, 10, 3),
        livenessProbe: tcpProbe(PORTS.redis, 10),
        resources: s.resources.redis,
      },
    ],
  });
  return { service, deployment };
}
