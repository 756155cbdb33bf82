/**
 * The e2e cluster DNS's answers (test/e2e/cluster/dnsRecords.ts) for the
 * rendered PinpointServer Services, against CoreDNS's rules: a headless
 * Service lists ready pods only unless publishNotReadyAddresses, a StatefulSet
 * pod gets `<pod>.<service>` only under a headless Service, and the pod's own
 * resolv.conf and hosts are the kubelet's.
 */
import * as assert from "assert";
import type { Service } from "kubernetes-types/core/v1";
import { resolveServerSettings } from "../sdk/server/config";
import { collectorObjects } from "../sdk/server/collector";
import { hbaseObjects } from "../sdk/server/hbase";
import { zookeeperObjects } from "../sdk/server/zookeeper";
import { DnsPod, dnsRecords, podHostsFile, podResolvConf } from "./e2e/cluster/dnsRecords";

const DOMAIN = "cluster.local";
const settings = resolveServerSettings({ alarms: false });
const hbase = hbaseObjects(settings);
const zookeeper = zookeeperObjects(settings);
const collector = collectorObjects(settings);

function pod(name: string, ip: string, template: { metadata?: { labels?: Record<string, string> } }, extra: Partial<DnsPod> = {}): DnsPod {
  return { name, namespace: "pinpoint", ip, labels: template.metadata?.labels ?? {}, hostname: name, ...extra };
}

const hbasePod = (ready: boolean) => pod("pinpoint-hbase-0", "10.244.1.12", hbase.statefulSet.spec!.template, { subdomain: "pinpoint-hbase", ...(ready ? { readySince: 2, firstReady: 2 } : {}) });
const HBASE_POD_NAME = "pinpoint-hbase-0.pinpoint-hbase.pinpoint.svc.cluster.local";

describe("e2e cluster DNS: the answers CoreDNS gives for the rendered Services", () => {
  it("the rendered HBase Service is headless and publishes its pod before it is ready: the pod's name and the Service's resolve", () => {
    assert.strictEqual(hbase.service.spec!.publishNotReadyAddresses, true);
    const records = dnsRecords([hbase.service], [hbasePod(false)], DOMAIN);
    assert.deepStrictEqual(records.get(HBASE_POD_NAME), ["10.244.1.12"]);
    assert.deepStrictEqual(records.get("pinpoint-hbase.pinpoint.svc.cluster.local"), ["10.244.1.12"]);
  });

  it("without publishNotReadyAddresses, the same Service gives no answer until the pod is ready", () => {
    const without: Service = { ...hbase.service, spec: { ...hbase.service.spec, publishNotReadyAddresses: undefined } };
    assert.strictEqual(dnsRecords([without], [hbasePod(false)], DOMAIN).size, 0);
    assert.deepStrictEqual(dnsRecords([without], [hbasePod(true)], DOMAIN).get(HBASE_POD_NAME), ["10.244.1.12"]);
  });

  it("a StatefulSet pod under a Service that is not headless (ZooKeeper's) gets no pod name; the Service answers once a pod was ready", () => {
    assert.notStrictEqual(zookeeper.service.spec!.clusterIP, "None");
    const zk = (ready: boolean) => pod("pinpoint-zookeeper-0", "10.244.1.11", zookeeper.statefulSet.spec!.template, { subdomain: "pinpoint-zookeeper", ...(ready ? { readySince: 1, firstReady: 1 } : {}) });
    assert.strictEqual(dnsRecords([zookeeper.service], [zk(false)], DOMAIN).size, 0);
    assert.deepStrictEqual([...dnsRecords([zookeeper.service], [zk(true)], DOMAIN)], [["pinpoint-zookeeper.pinpoint.svc.cluster.local", ["10.244.1.11"]]]);
  });

  it("a Service with a cluster IP stays on its first ready pod, while that pod exists, ready or not", () => {
    const t = collector.deployment.spec!.template;
    const first = pod("pinpoint-collector-a", "10.244.1.13", t, { firstReady: 5 });
    const second = pod("pinpoint-collector-b", "10.244.1.14", t, { firstReady: 9, readySince: 9 });
    const name = "pinpoint-collector.pinpoint.svc.cluster.local";
    assert.deepStrictEqual(dnsRecords([collector.service], [second, first], DOMAIN).get(name), ["10.244.1.13"]);
    assert.deepStrictEqual(dnsRecords([collector.service], [second], DOMAIN).get(name), ["10.244.1.14"]);
  });

  it("a Service selects only pods of its namespace and labels; nothing else has a name", () => {
    const other = { ...hbasePod(true), namespace: "dev" };
    const unlabelled = { ...hbasePod(true), labels: {} };
    assert.strictEqual(dnsRecords([hbase.service, collector.service], [other, unlabelled], DOMAIN).size, 0);
  });

  it("the kubelet's resolv.conf (ClusterFirst) and managed hosts file", () => {
    assert.strictEqual(podResolvConf("dev", DOMAIN, "10.244.0.1"), "nameserver 10.244.0.1\nsearch dev.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n");
    assert.match(podHostsFile(hbasePod(false), DOMAIN), new RegExp(`\n10\\.244\\.1\\.12\t${HBASE_POD_NAME.replace(/\./g, "\\.")}\tpinpoint-hbase-0\n$`));
    assert.match(podHostsFile({ ip: "10.244.1.20", hostname: "tomcat-zffw-x", namespace: "dev" }, DOMAIN), /\n10\.244\.1\.20\ttomcat-zffw-x\n$/);
  });
});
