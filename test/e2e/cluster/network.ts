/**
 * A cluster network on this machine, without touching the machine's own: a
 * "node" network namespace holding a bridge, and one network namespace per pod
 * (held by a pause process, as Kubernetes holds it) wired to the bridge by a
 * veth pair, with its own pod IP. Every pod listens on its containers' own
 * ports, as in a cluster, and nothing is reachable from outside the node
 * namespace: no port of this machine is taken and no fixed port can clash
 * with another test.
 *
 * Names are the cluster DNS's (cluster/dns.ts, on the node's address); each
 * pod gets its own /etc/hosts and resolv.conf from the kubelet stand-in. (A
 * Service's port must equal the container port it targets: there is no
 * kube-proxy here to translate.)
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { exec } from "../tools";

/** Pod IPs come from this /16; the bridge (the node) is .0.1. */
const POD_CIDR_PREFIX = "10.244";
const BRIDGE = "cni0";
const NODE_IP = `${POD_CIDR_PREFIX}.0.1`;

export interface PodSandbox {
  name: string;
  ip: string;
  /** The pause process that holds the pod's network and UTS namespaces. */
  pausePid: number;
}

/** Starts `command` held open until killed; resolves with its pid once it runs. */
function holder(args: string[]): ChildProcess {
  const child = spawn("unshare", args, { stdio: "ignore", detached: false });
  if (child.pid === undefined) throw new Error(`unshare ${args.join(" ")} did not start`);
  return child;
}

export class ClusterNetwork {
  private readonly node: ChildProcess;
  private readonly pods: Array<PodSandbox & { child: ChildProcess }> = [];
  private nextHost = 10;

  private constructor(node: ChildProcess) {
    this.node = node;
  }

  static async create(): Promise<ClusterNetwork> {
    const net = new ClusterNetwork(holder(["--net", "sleep", "infinity"]));
    await waitForNamespace(net.node.pid!);
    net.inNode(["sh", "-c", `ip link set lo up && ip link add ${BRIDGE} type bridge && ip addr add ${NODE_IP}/16 dev ${BRIDGE} && ip link set ${BRIDGE} up`]);
    return net;
  }

  /** The node's address on the bridge, where the cluster DNS listens. */
  get nodeIp(): string {
    return NODE_IP;
  }

  get nodeNetns(): string {
    return `/proc/${this.node.pid}/ns/net`;
  }

  /** Runs a command in the node's network namespace (where the kubelet probes from); throws on failure. */
  inNode(command: string[], options: { timeoutMs?: number } = {}): { stdout: string; stderr: string } {
    return exec("nsenter", [`--net=${this.nodeNetns}`, "--", ...command], { timeout: options.timeoutMs });
  }

  /** A pod's sandbox: network and UTS namespaces (hostname = pod name), an IP on the bridge. */
  async addPod(name: string, hostname = name): Promise<PodSandbox> {
    const host = this.nextHost++;
    const ip = `${POD_CIDR_PREFIX}.${Math.floor(host / 250) + 1}.${(host % 250) + 1}`;
    const child = holder(["--net", "--uts", "sh", "-c", `hostname ${hostname} && exec sleep infinity`]);
    const pid = child.pid!;
    await waitForNamespace(pid);
    const veth = `veth${host}`;
    this.inNode(["sh", "-c", `ip link add ${veth} type veth peer name eth0 netns ${pid} && ip link set ${veth} master ${BRIDGE} up`]);
    exec("nsenter", [`--net=/proc/${pid}/ns/net`, "--", "sh", "-c", `ip link set lo up && ip addr add ${ip}/16 dev eth0 && ip link set eth0 up && ip route add default via ${NODE_IP}`]);
    const pod = { name, ip, pausePid: pid, child };
    this.pods.push(pod);
    return pod;
  }

  /** Removes a pod's sandbox (its processes must be stopped first). */
  removePod(pod: PodSandbox): void {
    const i = this.pods.findIndex((p) => p.pausePid === pod.pausePid);
    if (i >= 0) {
      this.pods[i].child.kill("SIGKILL");
      this.pods.splice(i, 1);
    }
  }

  /** Kills every pause process and the node holder: the namespaces, bridge and veths go with them. */
  stop(): void {
    for (const p of this.pods) p.child.kill("SIGKILL");
    this.pods.length = 0;
    this.node.kill("SIGKILL");
  }
}

/** The holder has unshared once /proc/<pid>/ns/net differs from ours. */
async function waitForNamespace(pid: number): Promise<void> {
  const own = fs.readlinkSync("/proc/self/ns/net");
  for (let i = 0; i < 200; i++) {
    try {
      // unshare execs sleep after unsharing; the namespace link changes first.
      if (fs.readlinkSync(`/proc/${pid}/ns/net`) !== own && fs.readlinkSync(`/proc/${pid}/exe`).endsWith("sleep")) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} did not enter its own network namespace`);
}
