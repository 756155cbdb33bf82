/**
 * A real Kubernetes control plane on 127.0.0.1, as Kubernetes' own integration
 * tests run one: etcd (Debian), kube-apiserver and kube-controller-manager
 * (built by setup.sh). No scheduler and no kubelet: Pods that the ReplicaSet
 * controller creates stay Pending, and their admission is what we check. The
 * controller-manager matters: it makes the `default` ServiceAccounts (Pods are
 * refused without one) and runs the garbage collector that foreground deletion
 * (what Pulumi's destroy asks for) waits on.
 *
 * Credentials are made here with openssl: a CA, the API server's serving cert,
 * an admin client cert in `system:masters`, and the service-account key pair.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { freePort } from "../registry";
import { run } from "../tools";

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  kubeconfig: string;
  version: string;
  /** A request to the API server as the admin; the parsed JSON body and status. */
  api(method: string, urlPath: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export interface EngineBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
}

function openssl(dir: string, ...args: string[]): void {
  run("openssl", args, { cwd: dir });
}

/** CA, serving cert for 127.0.0.1, admin client cert, service-account keys. */
function makeCredentials(dir: string): void {
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=pp-e2e-ca");
  fs.writeFileSync(path.join(dir, "san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n");
  openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "apiserver.key", "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver");
  openssl(dir, "x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "apiserver.crt", "-days", "2", "-extfile", "san.cnf");
  openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "admin.key", "-out", "admin.csr", "-subj", "/O=system:masters/CN=pp-e2e-admin");
  openssl(dir, "x509", "-req", "-in", "admin.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "admin.crt", "-days", "2");
  openssl(dir, "genrsa", "-out", "sa.key", "2048");
  openssl(dir, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
}

function kubeconfig(dir: string, server: string): string {
  const file = path.join(dir, "kubeconfig");
  const b64 = (f: string) => fs.readFileSync(path.join(dir, f)).toString("base64");
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: e2e\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${b64("ca.crt")}`,
      "users:",
      `- name: admin\n  user:\n    client-certificate-data: ${b64("admin.crt")}\n    client-key-data: ${b64("admin.key")}`,
      "contexts:",
      "- name: e2e\n  context:\n    cluster: e2e\n    user: admin",
      "current-context: e2e",
      "",
    ].join("\n"),
  );
  return file;
}

function startProcess(name: string, command: string, args: string[], logDir: string): ChildProcess {
  const log = fs.openSync(path.join(logDir, `${name}.log`), "a");
  const child = spawn(command, args, { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>, logs: string): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not ready after ${deadlineMs} ms (${last instanceof Error ? last.message : String(last ?? "")}); logs in ${logs}`);
}

/** Starts etcd, kube-apiserver and kube-controller-manager; resolves when the API answers and `default` SAs exist. */
export async function startControlPlane(dir: string, bin: EngineBinaries): Promise<ControlPlane> {
  fs.mkdirSync(dir, { recursive: true });
  makeCredentials(dir);
  const [etcdClient, etcdPeer, apiPort, kcmPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const config = kubeconfig(dir, server);
  const f = (name: string) => path.join(dir, name);
  const children: ChildProcess[] = [];
  children.push(
    startProcess("etcd", "etcd", [
      "--data-dir", f("etcd"),
      "--listen-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`,
    ], dir),
  );
  children.push(
    startProcess("kube-apiserver", bin.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${f("apiserver.crt")}`,
      `--tls-private-key-file=${f("apiserver.key")}`,
      `--client-ca-file=${f("ca.crt")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${f("sa.pub")}`,
      `--service-account-signing-key-file=${f("sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=Node,RBAC",
      // PodSecurity is on by default; named here because the suite proves it.
      "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,PodSecurity,ResourceQuota,LimitRanger",
      `--cert-dir=${f("certs")}`,
    ], dir),
  );
  const api = async (method: string, urlPath: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: any }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = https.request(
        `${server}${urlPath}`,
        {
          method,
          ca: fs.readFileSync(f("ca.crt")),
          cert: fs.readFileSync(f("admin.crt")),
          key: fs.readFileSync(f("admin.key")),
          headers: { Accept: "application/json", ...(payload ? { "Content-Type": contentType } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON: keep the text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
  const stop = async () => {
    for (const child of children.reverse()) await stopProcess(child);
  };
  try {
    const version = await until("kube-apiserver", 120000, async () => {
      const r = await api("GET", "/readyz");
      if (r.status !== 200) return undefined;
      return String((await api("GET", "/version")).body.gitVersion);
    }, dir);
    children.push(
      startProcess("kube-controller-manager", bin.kubeControllerManager, [
        `--kubeconfig=${config}`,
        `--authentication-kubeconfig=${config}`,
        `--authorization-kubeconfig=${config}`,
        `--service-account-private-key-file=${f("sa.key")}`,
        `--root-ca-file=${f("ca.crt")}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${kcmPort}`,
        "--controllers=*",
        "--use-service-account-credentials=false",
      ], dir),
    );
    await until("the default ServiceAccount (kube-controller-manager)", 120000, async () =>
      (await api("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200 ? true : undefined, dir);
    return { server, kubeconfig: config, version, api, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
