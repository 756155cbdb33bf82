/**
 * Runs a rendered pod template the way the kubelet would, with processes for
 * containers: a sandbox on the cluster network, its volumes as folders
 * (emptyDir, claims, ConfigMap and Secret files, image volumes from an image's
 * unpacked root), init containers to completion (as processes in the pod when
 * their image has a stand-in, else through runInit), then the containers with
 * their env resolved as Kubernetes resolves it, and every probe they declare;
 * a container that ends is started again as the pod's restartPolicy says,
 * after the kubelet's crash-loop back-off (cluster/containerRuntime.ts). Init
 * containers run once: one that fails fails the pod here.
 *
 * What an image would run is not in the manifest: an ImageStandIn says it
 * (entrypoint, cmd, image env, user, files the image carries). `command`
 * replaces the entrypoint and `args` the cmd, as in Kubernetes.
 */
import * as fs from "fs";
import * as path from "path";
import type { ConfigMap, Container as K8sContainer, PodTemplateSpec, Secret, Volume as K8sVolume } from "kubernetes-types/core/v1";
import { resolveEnv, resolveEnvFrom } from "../kubeEnv";
import { Container, ContainerSpec, DEFAULT_PATH, Mount } from "./container";
import { ManagedContainer } from "./containerRuntime";
import { podRestartPolicy } from "./restartPolicy";
import type { ClusterDns } from "./dns";
import type { ClusterNetwork, PodSandbox } from "./network";
import type { ProbeRecord } from "./probes";

/** How long a pod may take to pass its probes: one that is not ready after this is broken for our purposes (a readiness probe alone never gives up). */
export const READINESS_BOUND_SECONDS = 600;

/** An image volume (KEP-4639, Kubernetes 1.31+), which the kubernetes-types in use predate. */
export interface ImageVolumeSource {
  reference?: string;
  pullPolicy?: string;
}
type Volume = K8sVolume & { image?: ImageVolumeSource };

export interface ImageStandIn {
  entrypoint?: string[];
  cmd?: string[];
  /** The image's ENV. */
  env?: Record<string, string>;
  /** The image's USER, when the pod sets no runAsUser. */
  uid?: number;
  /** Folders the image carries, bound into the container. */
  mounts?: Mount[];
}

export interface PodEnvironment {
  network: ClusterNetwork;
  /** The cluster DNS: the pod is in its answers while it exists (by readiness), and its resolv.conf points there. */
  dns: ClusterDns;
  /** Scratch space for the pod's volumes, logs and /tmp. */
  workDir: string;
  secrets: readonly Secret[];
  configMaps: readonly ConfigMap[];
  /** The stand-in for a container's image. */
  image(container: K8sContainer): ImageStandIn;
  /** Runs an init container to completion (its image's files, its uid), given its volumes' folders by name. */
  runInit(container: K8sContainer, volumes: ReadonlyMap<string, string>): void;
  /** The stand-in for an init container's image when it runs as a process in the pod, as app containers do (else runInit runs it). */
  initImage?(container: K8sContainer): ImageStandIn | undefined;
  /** The unpacked root of an image, for an image volume (read-only). */
  imageRoot(reference: string): string;
  /** The service-link variables of the namespace's Services that exist now (cluster/serviceLinks.ts); given unless the pod sets enableServiceLinks: false. */
  serviceLinks?(namespace: string): ReadonlyMap<string, string>;
}

export interface RunningPod {
  name: string;
  namespace: string;
  ip: string;
  sandbox: PodSandbox;
  /** Each container under the kubelet's care (cluster/containerRuntime.ts): its current process, restarts, readiness, probe workers. */
  containers: ManagedContainer[];
  /** The init containers run as processes in the pod (PodEnvironment.initImage), each to completion. */
  initContainers: Array<{ name: string; exitCode: number | null | undefined; log: string }>;
  volumes: ReadonlyMap<string, string>;
  probes: ProbeRecord[];
  stop(): Promise<void>;
}

/** `500m` → 0.5 cores (a CFS quota of half a period). */
export function quantityCores(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(String(q));
  if (!m) throw new Error(`cpu quantity ${q} is not understood here`);
  return Number(m[1]) / (m[2] ? 1000 : 1);
}

/** `64Mi` → bytes; the JVM reads this limit from its cgroup. */
export function quantityBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q} is not understood here`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ""] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

function writeFiles(dir: string, files: Record<string, string>, mode: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
    fs.chmodSync(path.join(dir, name), mode);
  }
}

function volumeFolder(v: Volume, dir: string, env: PodEnvironment): string {
  if (v.image) return env.imageRoot(v.image.reference!);
  fs.mkdirSync(dir, { recursive: true });
  if (v.emptyDir || v.persistentVolumeClaim) {
    fs.chmodSync(dir, 0o777);
  } else if (v.configMap) {
    const cm = env.configMaps.find((c) => c.metadata?.name === v.configMap!.name);
    if (!cm) throw new Error(`volume ${v.name}: no ConfigMap ${v.configMap.name} in the rendered objects`);
    writeFiles(dir, cm.data ?? {}, v.configMap.defaultMode ?? 0o644);
  } else if (v.secret) {
    const s = env.secrets.find((c) => c.metadata?.name === v.secret!.secretName);
    if (!s) throw new Error(`volume ${v.name}: no Secret ${v.secret.secretName} in the rendered objects`);
    const files = { ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, b]) => [k, Buffer.from(b, "base64").toString("utf8")])), ...(s.stringData ?? {}) };
    writeFiles(dir, files, v.secret.defaultMode ?? 0o644);
  } else {
    throw new Error(`volume ${v.name}: only emptyDir, persistentVolumeClaim, configMap, secret and image volumes are made here`);
  }
  return dir;
}

/** The pod's volumes (template volumes and StatefulSet claims), as folders by name. */
function makeVolumes(template: PodTemplateSpec, claims: readonly string[], root: string, env: PodEnvironment): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of (template.spec?.volumes ?? []) as Volume[]) out.set(v.name, volumeFolder(v, path.join(root, "volumes", v.name), env));
  for (const c of claims) out.set(c, volumeFolder({ name: c, persistentVolumeClaim: { claimName: c } }, path.join(root, "claims", c), env));
  return out;
}

function containerMounts(c: K8sContainer, volumes: ReadonlyMap<string, string>, template: PodTemplateSpec): Mount[] {
  return (c.volumeMounts ?? []).map((m) => {
    const folder = volumes.get(m.name);
    if (!folder) throw new Error(`container ${c.name}: volumeMount ${m.name} names no volume of the pod`);
    let hostPath = folder;
    if (m.subPath) {
      hostPath = path.join(folder, m.subPath);
      // The kubelet makes a missing subPath folder.
      if (!fs.existsSync(hostPath)) fs.mkdirSync(hostPath, { recursive: true, mode: 0o777 });
    }
    const isImage = (template.spec?.volumes as Volume[] | undefined)?.find((v) => v.name === m.name)?.image !== undefined;
    // Image volumes are always read-only (KEP-4639).
    return { hostPath, mountPath: m.mountPath, readOnly: m.readOnly === true || isImage };
  });
}

export interface PodOptions {
  name: string;
  namespace: string;
  template: PodTemplateSpec;
  /** StatefulSet volumeClaimTemplates' names. */
  claims?: readonly string[];
  /** For a StatefulSet pod: its governing Service (spec.subdomain), which gives it `<pod>.<service>` DNS names when headless. */
  subdomain?: string;
  /** Downward-API fields beyond the pod's IP, name and namespace (fieldRef). */
  fields?: Record<string, string>;
  /** Skip probes (a pod that is expected to fail to become ready is checked by the caller). */
  skipProbes?: boolean;
}

/** Starts a pod and waits until every probe of every container passed once and the pod is ready (probes go on); throws (after stopping it) when that does not come. */
export async function runPod(o: PodOptions, env: PodEnvironment): Promise<RunningPod> {
  const root = path.join(env.workDir, o.name);
  fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
  fs.chmodSync(path.join(root, "tmp"), 0o1777);
  const sandbox = await env.network.addPod(o.name);
  const dnsPod = { name: o.name, namespace: o.namespace, ip: sandbox.ip, hostname: o.name, subdomain: o.subdomain };
  env.dns.addPod({ ...dnsPod, labels: o.template.metadata?.labels ?? {} });
  const etc = env.dns.podFiles(dnsPod, path.join(root, "etc"));
  const fields = { "status.podIP": sandbox.ip, "metadata.name": o.name, "metadata.namespace": o.namespace, "spec.nodeName": "e2e-node", ...o.fields };
  const volumes = makeVolumes(o.template, o.claims ?? [], root, env);
  const pod: RunningPod = {
    name: o.name,
    namespace: o.namespace,
    ip: sandbox.ip,
    sandbox,
    containers: [],
    initContainers: [],
    volumes,
    probes: [],
    stop: async () => {
      await Promise.all(pod.containers.map((c) => c.stop()));
      env.dns.removePod(o.name);
      env.network.removePod(sandbox);
    },
  };
  try {
    const podSecurity = o.template.spec?.securityContext;
    /** A container's process as the kubelet starts it: its image's and its own env, command, mounts and uid. */
    const processSpec = (c: K8sContainer, image: ImageStandIn): ContainerSpec => {
      const resolved = new Map<string, string>(Object.entries({ PATH: DEFAULT_PATH, ...image.env, HOSTNAME: o.name }));
      // As the kubelet orders them: service links, then envFrom over them, then env over both; $(VAR) in env sees all three.
      const sources = { secrets: env.secrets, configMaps: env.configMaps };
      const links = o.template.spec?.enableServiceLinks !== false ? (env.serviceLinks?.(o.namespace) ?? new Map<string, string>()) : new Map<string, string>();
      const defined = new Map([...links, ...resolveEnvFrom(c.envFrom, sources)]);
      for (const [k, v] of resolveEnv(c.env, fields, sources, defined)) resolved.set(k, v);
      const command = [...(c.command ?? image.entrypoint ?? []), ...(c.args ?? (c.command ? [] : image.cmd ?? []))];
      if (command.length === 0) throw new Error(`container ${c.name}: neither the manifest nor the image stand-in gives a command`);
      const uid = c.securityContext?.runAsUser ?? podSecurity?.runAsUser ?? image.uid ?? 0;
      return {
        name: `${o.name}/${c.name}`,
        command,
        env: resolved,
        mounts: [...(image.mounts ?? []), ...containerMounts(c, volumes, o.template)],
        uid,
        gid: c.securityContext?.runAsGroup ?? podSecurity?.runAsGroup ?? uid,
        workingDir: c.workingDir,
        hostsFile: etc.hosts,
        resolvConf: etc.resolvConf,
        podTmp: path.join(root, "tmp"),
        logFile: path.join(root, `${c.name}.log`),
      };
    };
    // Init containers one after the other, each to completion; one that fails stops the pod here (a Job's would be retried).
    for (const init of o.template.spec?.initContainers ?? []) {
      const image = env.initImage?.(init);
      if (!image) {
        env.runInit(init, volumes);
        continue;
      }
      const process = new Container(processSpec(init, image), sandbox);
      await process.wait();
      pod.initContainers.push({ name: init.name, exitCode: process.exitCode, log: process.log() });
      if (process.exitCode !== 0) throw new Error(`init container ${o.name}/${init.name} exited ${process.exitCode}:\n${process.log().slice(-3000)}`);
    }
    const restartPolicy = podRestartPolicy(o.template);
    for (const c of o.template.spec?.containers ?? []) {
      const spec = processSpec(c, env.image(c));
      const runtime = new ManagedContainer(
        c,
        spec.env,
        spec,
        { name: o.name, ip: sandbox.ip, sandbox, network: env.network, terminationGraceSeconds: o.template.spec?.terminationGracePeriodSeconds ?? 30, restartPolicy },
        // resources.limits as the kubelet sets them: a CFS quota and a memory limit on the container's control group.
        { cpu: c.resources?.limits?.cpu === undefined ? undefined : quantityCores(c.resources.limits.cpu), memory: c.resources?.limits?.memory === undefined ? undefined : quantityBytes(String(c.resources.limits.memory)) },
        // The pod is ready when every container is: its endpoints, and so the cluster DNS, follow.
        () => env.dns.setReady(o.name, pod.containers.length > 0 && pod.containers.every((m) => m.ready)),
      );
      pod.containers.push(runtime);
    }
    env.dns.setReady(o.name, pod.containers.every((m) => m.ready));
    if (!o.skipProbes) {
      const records = await Promise.all(pod.containers.map((c) => c.awaitProbesPassed(READINESS_BOUND_SECONDS * 1000)));
      pod.probes.push(...records.flat());
    }
  } catch (e) {
    await pod.stop();
    throw e;
  }
  return pod;
}
