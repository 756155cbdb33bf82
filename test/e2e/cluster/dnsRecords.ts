/**
 * What the cluster's DNS answers, as CoreDNS's kubernetes plugin answers it,
 * from the Services applied and the pods running (pure; cluster/dns.ts serves
 * it through dnsmasq), and the two files the kubelet writes into every pod:
 * /etc/resolv.conf (ClusterFirst: the search list and ndots:5) and its managed
 * /etc/hosts.
 *
 * - A Service with a cluster IP: `<svc>.<ns>.svc.<domain>` → one address. There
 *   is no kube-proxy here, so there are no cluster IPs: the address is the pod IP
 *   of the earliest pod that became ready behind it and still exists. It answers
 *   from that first readiness on and keeps answering while that pod exists, ready
 *   or not, as a cluster IP keeps resolving when its endpoints go (clients then
 *   see connection refused, not an unknown host). Before any ready pod there is
 *   no answer (a cluster would answer with the cluster IP and refuse connections).
 * - A headless Service (clusterIP None): `<svc>.<ns>.svc.<domain>` → every
 *   selected pod that is ready now, or every selected pod when
 *   `publishNotReadyAddresses`; `<hostname>.<svc>.<ns>.svc.<domain>` → a pod whose
 *   subdomain is the Service, under the same rule. A StatefulSet whose
 *   serviceName names a Service that is not headless gets no pod records.
 * - Nothing else: no record for a pod's bare name, no other names.
 * Short forms (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`) are the resolver's work:
 * the search list of the pod's resolv.conf, as in a cluster.
 */
import type { Service } from "kubernetes-types/core/v1";

export interface DnsPod {
  name: string;
  namespace: string;
  ip: string;
  labels: Readonly<Record<string, string>>;
  /** spec.hostname (the pod's name for a StatefulSet pod). */
  hostname: string;
  /** spec.subdomain: a StatefulSet's serviceName. */
  subdomain?: string;
  /** When the pod last became ready (ms), undefined while not ready. */
  readySince?: number;
  /** When it first became ready: what keeps a Service with a cluster IP on it. */
  firstReady?: number;
}

const selects = (svc: Service, pod: DnsPod): boolean => {
  const selector = svc.spec?.selector ?? {};
  return svc.metadata?.namespace === pod.namespace && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => pod.labels[k] === v);
};

export const isHeadless = (svc: Service): boolean => svc.spec?.clusterIP === "None";

/** The address a Service with a cluster IP answers with here (see above); undefined before a pod behind it was ready. */
export function serviceAddress(svc: Service, pods: readonly DnsPod[]): string | undefined {
  if (isHeadless(svc)) return undefined;
  const behind = pods.filter((p) => p.firstReady !== undefined && selects(svc, p)).sort((a, b) => a.firstReady! - b.firstReady!);
  return behind[0]?.ip;
}

/** Every name the cluster DNS answers, fully qualified, with its addresses. */
export function dnsRecords(services: readonly Service[], pods: readonly DnsPod[], domain: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, ip: string) => out.set(name, [...(out.get(name) ?? []), ip]);
  for (const svc of services) {
    const fqdn = `${svc.metadata!.name}.${svc.metadata!.namespace}.svc.${domain}`;
    if (!isHeadless(svc)) {
      const ip = serviceAddress(svc, pods);
      if (ip) add(fqdn, ip);
      continue;
    }
    const published = pods.filter((p) => selects(svc, p) && (p.readySince !== undefined || svc.spec?.publishNotReadyAddresses === true));
    for (const p of published) {
      add(fqdn, p.ip);
      if (p.subdomain === svc.metadata!.name) add(`${p.hostname}.${fqdn}`, p.ip);
    }
  }
  return out;
}

/** The records as a hosts file (one line per address), which dnsmasq reads. */
export function hostsLines(records: ReadonlyMap<string, readonly string[]>): string {
  return [...records].flatMap(([name, ips]) => ips.map((ip) => `${ip} ${name}\n`)).join("");
}

/** The kubelet's resolv.conf for dnsPolicy ClusterFirst. */
export function podResolvConf(namespace: string, domain: string, nameserver: string): string {
  return `nameserver ${nameserver}\nsearch ${namespace}.svc.${domain} svc.${domain} ${domain}\noptions ndots:5\n`;
}

/** The kubelet-managed /etc/hosts: localhost, and the pod's own name (its FQDN first when it has a subdomain). */
export function podHostsFile(pod: Pick<DnsPod, "ip" | "hostname" | "subdomain" | "namespace">, domain: string): string {
  const own = pod.subdomain ? `${pod.hostname}.${pod.subdomain}.${pod.namespace}.svc.${domain}\t${pod.hostname}` : pod.hostname;
  return [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
    `${pod.ip}\t${own}`,
    "",
  ].join("\n");
}
