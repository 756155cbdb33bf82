/**
 * The real Pulumi engine as the suite drives it: the CLI and provider that
 * setup.sh built, a local file backend, and the Automation API's inline
 * programs (the language runtime is this Node process, so no Node language host
 * is needed). Nothing is downloaded: automatic plugin acquisition is off and the
 * provider is installed into this Pulumi home by setup.sh.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "../../..");

/** versions.env as a map: the one place the suite's versions are written. */
export function engineVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(__dirname, "versions.env"), "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export function engineCache(): string {
  return process.env.PP_ENGINE_CACHE ?? path.join(os.homedir(), ".cache", "pulumi-pinpoint-engine");
}

export interface EngineParts {
  root: string;
  pulumi: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  pulumiHome: string;
}

/** The built parts, or the reasons they cannot be used (missing, or built at another version than versions.env). */
export function engineParts(): { parts: EngineParts; missing: string[] } {
  const root = engineCache();
  const v = engineVersions();
  const bin = (name: string) => path.join(root, "bin", name);
  const want: Array<[string, string]> = [
    ["pulumi", v.PULUMI_VERSION],
    ["pulumi-resource-kubernetes", `${v.KUBERNETES_PROVIDER_VERSION} ${v.KUBERNETES_PROVIDER_MODULE}`],
    ["kube-apiserver", v.KUBERNETES_VERSION],
    ["kube-controller-manager", v.KUBERNETES_VERSION],
  ];
  const missing: string[] = [];
  for (const [name, version] of want) {
    const stamp = fs.existsSync(`${bin(name)}.version`) ? fs.readFileSync(`${bin(name)}.version`, "utf8").trim() : "";
    if (!fs.existsSync(bin(name)) || stamp !== version) missing.push(`${bin(name)} at ${version}`);
  }
  return {
    parts: { root, pulumi: bin("pulumi"), kubeApiserver: bin("kube-apiserver"), kubeControllerManager: bin("kube-controller-manager"), pulumiHome: path.join(root, "pulumi-home") },
    missing,
  };
}

export interface StackConfigValue {
  value: string;
  secret?: boolean;
}

/** One stack of an inline program on a local backend under `dir`, talking to the cluster of `kubeconfig`. */
export async function inlineStack(
  parts: EngineParts,
  dir: string,
  project: string,
  stackName: string,
  program: PulumiFn,
  kubeconfig: string,
): Promise<Stack> {
  const backend = path.join(dir, "backend");
  fs.mkdirSync(backend, { recursive: true });
  const pulumiCommand = await PulumiCommand.get({ root: parts.root });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: project, program },
    {
      pulumiCommand,
      workDir: dir,
      projectSettings: { name: project, runtime: "nodejs", backend: { url: `file://${backend}` } },
      envVars: {
        PULUMI_HOME: parts.pulumiHome,
        PULUMI_CONFIG_PASSPHRASE: "pp-e2e-engine",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        KUBECONFIG: kubeconfig,
      },
    },
  );
  return stack;
}

/** Converts stack-file config (values and `secret` flags) into the Automation API's form. */
export function automationConfig(config: Record<string, string>, secretKeys: readonly string[]): Record<string, StackConfigValue> {
  const out: Record<string, StackConfigValue> = {};
  for (const [k, v] of Object.entries(config)) out[k] = secretKeys.includes(k) ? { value: v, secret: true } : { value: v };
  return out;
}
