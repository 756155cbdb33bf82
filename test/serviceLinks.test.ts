/**
 * The e2e kubelet's service-link variables (test/e2e/cluster/serviceLinks.ts),
 * against the names and values Kubernetes documents for them
 * (kubernetes.io "Service" → "Environment variables").
 */
import * as assert from "assert";
import type { Service } from "kubernetes-types/core/v1";
import { serviceLinkEnv } from "./e2e/cluster/serviceLinks";

const svc = (name: string, namespace: string, spec: Service["spec"]): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec });

describe("e2e kubelet: service-link variables", () => {
  const services = [
    svc("pinpoint-collector", "pinpoint", { ports: [{ name: "grpc-agent", port: 9991 }, { name: "grpc-span", port: 9993 }] }),
    svc("pinpoint-hbase", "pinpoint", { clusterIP: "None", ports: [{ name: "master", port: 16000 }] }),
    svc("redis-master", "dev", { ports: [{ port: 6379 }] }),
  ];
  const ips: Record<string, string> = { "pinpoint-collector": "10.244.1.5", "pinpoint-hbase": "10.244.1.4", "redis-master": "10.244.1.9" };
  const rows: Array<{ name: string; namespace: string; want: Record<string, string>; absent: string[] }> = [
    {
      name: "a ClusterIP Service with named ports",
      namespace: "pinpoint",
      want: {
        PINPOINT_COLLECTOR_SERVICE_HOST: "10.244.1.5",
        PINPOINT_COLLECTOR_SERVICE_PORT: "9991",
        PINPOINT_COLLECTOR_SERVICE_PORT_GRPC_AGENT: "9991",
        PINPOINT_COLLECTOR_SERVICE_PORT_GRPC_SPAN: "9993",
        PINPOINT_COLLECTOR_PORT: "tcp://10.244.1.5:9991",
        PINPOINT_COLLECTOR_PORT_9993_TCP: "tcp://10.244.1.5:9993",
        PINPOINT_COLLECTOR_PORT_9993_TCP_PROTO: "tcp",
        PINPOINT_COLLECTOR_PORT_9993_TCP_PORT: "9993",
        PINPOINT_COLLECTOR_PORT_9993_TCP_ADDR: "10.244.1.5",
      },
      absent: ["PINPOINT_HBASE_SERVICE_HOST", "PINPOINT_HBASE_PORT", "REDIS_MASTER_SERVICE_HOST"],
    },
    {
      name: "only the pod's namespace, an unnamed port",
      namespace: "dev",
      want: { REDIS_MASTER_SERVICE_HOST: "10.244.1.9", REDIS_MASTER_SERVICE_PORT: "6379", REDIS_MASTER_PORT: "tcp://10.244.1.9:6379" },
      absent: ["PINPOINT_COLLECTOR_SERVICE_HOST"],
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const env = serviceLinkEnv(services, r.namespace, (s) => ips[s.metadata!.name!]);
      for (const [k, v] of Object.entries(r.want)) assert.strictEqual(env.get(k), v, k);
      for (const k of r.absent) assert.ok(!env.has(k), `${k} must not be set`);
    });
  }

  it("a Service not yet there when the pod starts gives nothing", () => {
    assert.strictEqual(serviceLinkEnv(services, "pinpoint", () => undefined).size, 0);
  });
});
