/**
 * ZooKeeper, single node: HBase's coordination and Pinpoint's cluster registry.
 * The official image runs standalone when no ZOO_SERVERS is given.
 */
import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { env, execProbe, imageRef, partService, partStatefulSet, tcpProbe, volumeClaim } from "./common";
import type { ServerSettings } from "./config";
import { NAMES, PORTS, ZOOKEEPER_DATA_DIR, ZOOKEEPER_IMAGE } from "./constants";

const VOLUME = "data";
const DATA_LOG_DIR = "/datalog";
/** Heap in MiB; zkEnv.sh's default of 1000 would not fit the memory limit. */
const HEAP_MB = 256;

export function zookeeperObjects(s: ServerSettings): { service: Service; statefulSet: StatefulSet } {
  const service = partService(s, NAMES.zookeeper, "zookeeper", { ports: [{ name: "client", port: PORTS.zookeeper, targetPort: "client" }] });
  const statefulSet = partStatefulSet(s, NAMES.zookeeper, "zookeeper", {
    serviceName: NAMES.zookeeper,
    replicas: 1,
    volumeClaimTemplates: [volumeClaim(s, VOLUME, s.storage.zookeeper)],
  }, {
    containers: [
      {
        name: "zookeeper",
        image: imageRef(s, ZOOKEEPER_IMAGE),
        ports: [{ name: "client", containerPort: PORTS.zookeeper }],
        env: env({ ZOO_MY_ID: 1, ZOO_DATA_DIR: ZOOKEEPER_DATA_DIR, ZOO_DATA_LOG_DIR: DATA_LOG_DIR, ZK_SERVER_HEAP: HEAP_MB }),
        // Snapshots and transaction log on the volume, each in its own folder (kubelet creates subPaths).
        volumeMounts: [
          { name: VOLUME, mountPath: ZOOKEEPER_DATA_DIR, subPath: "data" },
          { name: VOLUME, mountPath: DATA_LOG_DIR, subPath: "datalog" },
        ],
        readinessProbe: execProbe(["zkServer.sh", "status"], 10),
        livenessProbe: tcpProbe(PORTS.zookeeper, 30),
        resources: s.resources.zookeeper,
      },
    ],
  });
  return { service, statefulSet };
}
