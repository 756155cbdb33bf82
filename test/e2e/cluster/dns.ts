/**
 * The cluster's DNS: Debian's dnsmasq in the node's network namespace, on the
 * node's address, answering only what cluster/dnsRecords.ts says CoreDNS would
 * (the names under the cluster domain that Services give; NXDOMAIN for the
 * rest of it, REFUSED for names outside it). Its records are a hosts file it is
 * told to re-read (SIGHUP) whenever a Service is applied or a pod appears,
 * becomes ready or goes; every query is logged (the evidence reads the log).
 * Pods reach it through the resolv.conf the kubelet gives them.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Service } from "kubernetes-types/core/v1";
import { DnsPod, dnsRecords, hostsLines, podHostsFile, podResolvConf, serviceAddress } from "./dnsRecords";
import type { ClusterNetwork } from "./network";

export const CLUSTER_DOMAIN = "cluster.local";

export class ClusterDns {
  private readonly services = new Map<string, Service>();
  private readonly pods = new Map<string, DnsPod>();
  private reloads = 0;

  private constructor(
    private readonly dnsmasq: ChildProcess,
    /** dnsmasq's records and log; clients of the test put their resolv.conf here. */
    readonly dir: string,
    readonly nameserver: string,
  ) {}

  static async start(network: ClusterNetwork, dir: string): Promise<ClusterDns> {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "records"), "");
    const args = [
      "--keep-in-foreground", "--conf-file=/dev/null", "--no-hosts", "--no-resolv", "--domain-needed",
      `--addn-hosts=${path.join(dir, "records")}`, `--local=/${CLUSTER_DOMAIN}/`, "--local-ttl=0",
      `--listen-address=${network.nodeIp}`, "--bind-interfaces", "--user=root", "--group=root",
      "--log-queries", `--log-facility=${path.join(dir, "dnsmasq.log")}`,
    ];
    const child = spawn("nsenter", [`--net=${network.nodeNetns}`, "--", "dnsmasq", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += String(d)));
    const dns = new ClusterDns(child, dir, network.nodeIp);
    await dns.awaitReads(1, () => `dnsmasq did not start: ${stderr}`);
    return dns;
  }

  /** `kubectl apply` of a render's Services (a later one of the same name replaces it). */
  applyServices(services: readonly Service[]): void {
    for (const s of services) this.services.set(`${s.metadata!.namespace}/${s.metadata!.name}`, s);
    this.reload();
  }

  addPod(pod: DnsPod): void {
    this.pods.set(pod.name, { ...pod });
    this.reload();
  }

  /** The pod's readiness as its probes say; the answers follow. */
  setReady(name: string, ready: boolean): void {
    const p = this.pods.get(name);
    if (!p || (p.readySince !== undefined) === ready) return;
    const now = Date.now();
    p.readySince = ready ? now : undefined;
    p.firstReady ??= ready ? now : undefined;
    this.reload();
  }

  isReady(name: string): boolean {
    return this.pods.get(name)?.readySince !== undefined;
  }

  removePod(name: string): void {
    if (this.pods.delete(name)) this.reload();
  }

  /** The address a Service with a cluster IP answers with now (service links use it). */
  addressOf(svc: Service): string | undefined {
    return serviceAddress(svc, [...this.pods.values()]);
  }

  /** What the server answers for a fully qualified name now (for clients of the test itself, which are not pods). */
  lookup(fqdn: string): string[] {
    return this.records().get(fqdn) ?? [];
  }

  records(): Map<string, string[]> {
    return dnsRecords([...this.services.values()], [...this.pods.values()], CLUSTER_DOMAIN);
  }

  /** The pod's /etc/resolv.conf and /etc/hosts, written under `dir`, as the kubelet writes them. */
  podFiles(pod: Pick<DnsPod, "ip" | "hostname" | "subdomain" | "namespace">, dir: string): { resolvConf: string; hosts: string } {
    fs.mkdirSync(dir, { recursive: true });
    const resolvConf = path.join(dir, "resolv.conf");
    const hosts = path.join(dir, "hosts");
    fs.writeFileSync(resolvConf, podResolvConf(pod.namespace, CLUSTER_DOMAIN, this.nameserver));
    fs.writeFileSync(hosts, podHostsFile(pod, CLUSTER_DOMAIN));
    return { resolvConf, hosts };
  }

  /** Every query dnsmasq logged, with its answer lines. */
  queryLog(): string {
    const file = path.join(this.dir, "dnsmasq.log");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  }

  stop(): void {
    this.dnsmasq.kill("SIGTERM");
  }

  /** Writes the records and has dnsmasq re-read them; the next answer is the new one. */
  private reload(): void {
    const text = hostsLines(this.records());
    fs.writeFileSync(path.join(this.dir, "records"), text);
    // One name per line: what dnsmasq's "read <file> - N names" counts for the file just written.
    const names = text.split("\n").filter(Boolean).length;
    // A read that logged another count was of other records (two CI runs kept an answer stale for 15 s after a
    // reload whose read had been counted): signal again, a few times, until the read is of these.
    for (let attempt = 0; attempt < 4; attempt++) {
      this.reloads++;
      this.dnsmasq.kill("SIGHUP");
      waitSync(() => this.reads().length > this.reloads, 5000, "dnsmasq did not re-read its records");
      const done = Date.now() + 1000;
      while (this.reads().at(-1) !== names && Date.now() < done) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      if (this.reads().at(-1) === names) return;
      this.reloads = this.reads().length - 1;
    }
  }

  /** The name count of every read of its records file dnsmasq logged ("read <file> - N names"), oldest first. */
  private reads(): number[] {
    return [...this.queryLog().matchAll(/ read \S+records - (\d+) names?/g)].map((m) => Number(m[1]));
  }

  private async awaitReads(n: number, message: () => string): Promise<void> {
    for (let i = 0; i < 250 && this.reads().length < n; i++) await new Promise((r) => setTimeout(r, 20));
    if (this.reads().length < n) throw new Error(message());
  }
}

/** Polls `done` without yielding (reload is called from synchronous paths); dnsmasq re-reads within milliseconds. */
function waitSync(done: () => boolean, timeoutMs: number, message: string): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!done()) {
    if (Date.now() > deadline) throw new Error(message);
    Atomics.wait(pause, 0, 0, 10);
  }
}

/**
 * The first answer `ask` gets within `withinMs`, asking again after a miss: a
 * resolver that loses one UDP exchange waits out its own timeout (5 s in glibc),
 * which a single ask's time limit can cut short. For names that must resolve;
 * a name that must not is asked once, as a miss proves nothing more when repeated.
 */
export async function answerWithin(ask: () => string | undefined, withinMs = 15000): Promise<string | undefined> {
  const until = Date.now() + withinMs;
  for (;;) {
    const answer = ask();
    if (answer !== undefined || Date.now() > until) return answer;
    await new Promise((r) => setTimeout(r, 300));
  }
}
