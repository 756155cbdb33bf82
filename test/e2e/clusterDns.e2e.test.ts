/**
 * The cluster DNS of the e2e kubelet (cluster/dns.ts) answered by the real
 * dnsmasq, asked by real resolvers in pods: glibc's getaddrinfo (getent) and a
 * JVM's InetAddress, through the pod's resolv.conf. The rendered HBase Service
 * resolves its pod before the pod is ready only because of
 * publishNotReadyAddresses; a name no Service gives does not resolve.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Service } from "kubernetes-types/core/v1";
import { resolveServerSettings } from "../../sdk/server/config";
import { hbaseObjects } from "../../sdk/server/hbase";
import { Container, removeMountPoints } from "./cluster/container";
import { answerWithin, ClusterDns } from "./cluster/dns";
import { ClusterNetwork, PodSandbox } from "./cluster/network";

const onPath = (c: string) => spawnSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" }).status === 0;
const RESOLVE_JAVA = `public class Resolve { public static void main(String[] a) throws Exception {
  for (String n : a) { try { System.out.println(n + " " + java.net.InetAddress.getByName(n).getHostAddress()); } catch (java.net.UnknownHostException e) { System.out.println(n + " unknown"); } } } }`;

describe("e2e cluster DNS: dnsmasq answers pods as CoreDNS would", function () {
  this.timeout(120000);
  let tmp: string;
  let network: ClusterNetwork;
  let dns: ClusterDns;
  const containers: Container[] = [];
  const settings = resolveServerSettings({ alarms: false });
  const hbase = hbaseObjects(settings);
  const labels = hbase.statefulSet.spec!.template.metadata!.labels!;

  /** A pod of one `sleep` container, in the DNS by name and labels, with the kubelet's resolv.conf and hosts. */
  async function pod(name: string, namespace: string, podLabels: Record<string, string> = {}, subdomain?: string): Promise<{ sandbox: PodSandbox; c: Container }> {
    const sandbox = await network.addPod(name);
    const dnsPod = { namespace, ip: sandbox.ip, hostname: name, subdomain };
    dns.addPod({ ...dnsPod, name, labels: podLabels });
    const dir = path.join(tmp, name);
    const etc = dns.podFiles(dnsPod, path.join(dir, "etc"));
    fs.mkdirSync(path.join(dir, "tmp"), { recursive: true });
    fs.chmodSync(path.join(dir, "tmp"), 0o1777);
    const c = new Container({ name: `${name}/main`, command: ["sleep", "infinity"], env: new Map(), mounts: [], uid: 0, hostsFile: etc.hosts, resolvConf: etc.resolvConf, podTmp: path.join(dir, "tmp"), logFile: path.join(dir, "main.log") }, sandbox);
    containers.push(c);
    for (let i = 0; i < 100 && c.exec(["true"], 2000).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    return { sandbox, c };
  }

  const getent = (c: Container, name: string) => c.exec(["getent", "ahostsv4", name], 5000).output.split("\n")[0]?.split(/\s+/)[0] || undefined;

  before(async function () {
    const missing = [process.getuid?.() === 0 ? "" : "root", onPath("dnsmasq") ? "" : "dnsmasq (Debian package dnsmasq-base)", onPath("java") ? "" : "java"].filter(Boolean);
    if (missing.length > 0) {
      if (process.env.CI === "true") throw new Error(`the cluster DNS test needs ${missing.join(", ")}`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pp-dns-e2e-"));
    fs.chmodSync(tmp, 0o755);
    network = await ClusterNetwork.create();
    dns = await ClusterDns.start(network, path.join(tmp, "dns"));
  });

  after(async () => {
    await Promise.all(containers.map((c) => c.stop()));
    dns?.stop();
    network?.stop();
    removeMountPoints();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("getaddrinfo and the JVM resolve a Service by short name, <svc>.<ns> and FQDN through the search list; other namespaces and unknown names do not", async () => {
    const web: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "pinpoint-web", namespace: "pinpoint" }, spec: { selector: { app: "web" }, ports: [{ port: 8080 }] } };
    dns.applyServices([web]);
    const backend = await pod("pinpoint-web-abc", "pinpoint", { app: "web" });
    const client = await pod("client", "pinpoint");
    const app = await pod("app", "dev");
    assert.strictEqual(getent(client.c, "pinpoint-web"), undefined, "no answer before a pod behind it is ready");
    dns.setReady("pinpoint-web-abc", true);
    for (const name of ["pinpoint-web", "pinpoint-web.pinpoint", "pinpoint-web.pinpoint.svc", "pinpoint-web.pinpoint.svc.cluster.local"]) assert.strictEqual(await answerWithin(() => getent(client.c, name)), backend.sandbox.ip, name);
    assert.strictEqual(getent(app.c, "pinpoint-web"), undefined, "a short name is the pod's own namespace's");
    assert.strictEqual(await answerWithin(() => getent(app.c, "pinpoint-web.pinpoint")), backend.sandbox.ip);
    assert.strictEqual(getent(client.c, "pinpoint-nosuch"), undefined);
    assert.strictEqual(getent(client.c, "pinpoint-web-abc"), undefined, "a pod's bare name is not a DNS name");
    // The JVM's InetAddress goes to getaddrinfo: same answers, from the same server (its query log names the pod).
    fs.writeFileSync(path.join(tmp, "client", "tmp", "Resolve.java"), RESOLVE_JAVA);
    const out = client.c.exec(["java", "-Dsun.net.inetaddr.ttl=0", "/tmp/Resolve.java", "pinpoint-web", "pinpoint-web.pinpoint.svc.cluster.local", "pinpoint-nosuch"], 60000).output;
    assert.match(out, new RegExp(`^pinpoint-web ${backend.sandbox.ip.replace(/\./g, "\\.")}$`, "m"), out);
    assert.match(out, /^pinpoint-nosuch unknown$/m, out);
    assert.match(dns.queryLog(), new RegExp(`query\\[A\\] pinpoint-nosuch\\.pinpoint\\.svc\\.cluster\\.local from ${client.sandbox.ip.replace(/\./g, "\\.")}`));
  });

  it("the rendered HBase Service resolves its pod before it is ready only with publishNotReadyAddresses", async () => {
    const client = containers[1];
    const name = "pinpoint-hbase-0.pinpoint-hbase.pinpoint.svc.cluster.local";
    const without: Service = { ...hbase.service, spec: { ...hbase.service.spec, publishNotReadyAddresses: undefined } };
    dns.applyServices([without]);
    const h = await pod("pinpoint-hbase-0", "pinpoint", labels, "pinpoint-hbase");
    assert.strictEqual(getent(client, name), undefined, "without publishNotReadyAddresses: no answer while not ready");
    assert.strictEqual(getent(client, "pinpoint-hbase-0.pinpoint-hbase"), undefined);
    dns.applyServices([hbase.service]);
    assert.strictEqual(await answerWithin(() => getent(client, name)), h.sandbox.ip, "as rendered: answered while not ready");
    assert.strictEqual(await answerWithin(() => getent(client, "pinpoint-hbase-0.pinpoint-hbase")), h.sandbox.ip, "and by the search list");
    // Its own pod knows its FQDN from the kubelet's hosts file (HBase registers that name in ZooKeeper).
    assert.strictEqual(h.c.exec(["hostname", "-f"], 5000).output.trim(), name);
  });
});
