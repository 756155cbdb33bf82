/**
 * The collector: receives the agents' gRPC streams (agent/metadata, stat, span)
 * and writes them to HBase. Its Service's DNS name and ports are what the
 * injected agents are given.
 */
import type { Deployment } from "kubernetes-types/apps/v1";
import type { ContainerPort, Service, ServicePort } from "kubernetes-types/core/v1";
import { partDeployment, partService, pinpointImage, pinpointServerEnv, serviceHost, startupTcpProbe, tcpProbe } from "./common";
import type { ServerSettings } from "./config";
import { NAMES, PORTS } from "./constants";

/** The JVM starts and connects to HBase before the receivers listen. */
const STARTUP_SECONDS = 300;

/** Where agents report: the collector Service's cluster DNS name and gRPC ports. */
export interface CollectorAddress {
  host: string;
  agentPort: number;
  statPort: number;
  spanPort: number;
}

export function collectorAddress(s: ServerSettings): CollectorAddress {
  return { host: serviceHost(s, NAMES.collector), agentPort: PORTS.collectorAgent, statPort: PORTS.collectorStat, spanPort: PORTS.collectorSpan };
}

/** gRPC for every release; the Thrift receivers too where the release still has them. */
function collectorPorts(s: ServerSettings): Array<{ name: string; port: number; protocol: "TCP" | "UDP" }> {
  const ports: Array<{ name: string; port: number; protocol: "TCP" | "UDP" }> = [
    { name: "grpc-agent", port: PORTS.collectorAgent, protocol: "TCP" },
    { name: "grpc-stat", port: PORTS.collectorStat, protocol: "TCP" },
    { name: "grpc-span", port: PORTS.collectorSpan, protocol: "TCP" },
  ];
  if (s.release.thrift) {
    ports.push(
      { name: "thrift-tcp", port: PORTS.collectorThriftTcp, protocol: "TCP" },
      { name: "thrift-stat", port: PORTS.collectorThriftStatUdp, protocol: "UDP" },
      { name: "thrift-span", port: PORTS.collectorThriftSpanUdp, protocol: "UDP" },
    );
  }
  return ports;
}

export function collectorObjects(s: ServerSettings): { service: Service; deployment: Deployment } {
  const ports = collectorPorts(s);
  const service = partService(s, NAMES.collector, "collector", {
    ports: ports.map((p): ServicePort => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
  });
  const deployment = partDeployment(s, NAMES.collector, "collector", { replicas: s.replicas.collector }, {
    containers: [
      {
        name: "collector",
        image: pinpointImage(s, "collector"),
        ports: ports.map((p): ContainerPort => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
        env: pinpointServerEnv(s, "collector"),
        startupProbe: startupTcpProbe(PORTS.collectorAgent, STARTUP_SECONDS),
        readinessProbe: tcpProbe(PORTS.collectorAgent, 0, 10, 3),
        livenessProbe: tcpProbe(PORTS.collectorAgent, 0, 20, 6),
        resources: s.resources.collector,
      },
    ],
  });
  return { service, deployment };
}
