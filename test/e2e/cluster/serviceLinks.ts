/**
 * The variables a kubelet gives every container for each Service of its
 * namespace that exists when the pod starts (unless the pod sets
 * `enableServiceLinks: false`): `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`,
 * `<NAME>_SERVICE_PORT_<PORT NAME>`, and the Docker-links forms
 * `<NAME>_PORT=tcp://ip:port`, `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`.
 * Headless Services (clusterIP None) give none. The name is the Service's,
 * upper-cased with '-' as '_'. Container env entries override them.
 */
import type { Service } from "kubernetes-types/core/v1";

const envName = (name: string) => name.toUpperCase().replace(/-/g, "_");

/** `ipOf` gives the address the Service answers on in this cluster (undefined: not there yet). */
export function serviceLinkEnv(services: readonly Service[], namespace: string, ipOf: (svc: Service) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of services) {
    if (svc.metadata?.namespace !== namespace || svc.spec?.clusterIP === "None") continue;
    const ip = ipOf(svc);
    const ports = svc.spec?.ports ?? [];
    if (!ip || ports.length === 0) continue;
    const n = envName(svc.metadata!.name!);
    out.set(`${n}_SERVICE_HOST`, ip);
    out.set(`${n}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports) if (p.name) out.set(`${n}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    const proto = (ports[0].protocol ?? "TCP").toLowerCase();
    out.set(`${n}_PORT`, `${proto}://${ip}:${ports[0].port}`);
    for (const p of ports) {
      const pr = p.protocol ?? "TCP";
      const base = `${n}_PORT_${p.port}_${pr}`;
      out.set(base, `${pr.toLowerCase()}://${ip}:${p.port}`);
      out.set(`${base}_PROTO`, pr.toLowerCase());
      out.set(`${base}_PORT`, String(p.port));
      out.set(`${base}_ADDR`, ip);
    }
  }
  return out;
}
