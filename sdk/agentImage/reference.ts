/**
 * Image names and registry rules, pure: the digest-pinned reference the
 * workloads get, which registries need credentials, and the pull Secret's
 * `.dockerconfigjson`.
 */

const DIGEST_PATTERN = /(sha256:[0-9a-f]{64})$/;
/** host[:port], a name or an address; no scheme, no path. */
const REGISTRY_PATTERN = /^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?)(:\d{1,5})?$/;
/** Docker's repository path grammar: lower-case components separated by "/". */
const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Registries on this machine: a test registry, a port-forward. */
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/;

/**
 * `<registry>/<repository>@sha256:…` from the pushed image's `repoDigest`
 * (`repository@sha256:…`, or a bare digest): the registry and repository come
 * from our own settings, so the reference is canonical whatever the builder reports.
 */
export function pinnedReference(registry: string, repository: string, repoDigest: string): string {
  const digest = DIGEST_PATTERN.exec(repoDigest)?.[1];
  if (!digest) throw new Error(`the pushed image reports repoDigest "${repoDigest}", which holds no sha256 digest`);
  return `${registry}/${repository}@${digest}`;
}

/** `<registry>/<repository>:<tag>`, the name the image is pushed under. */
export function imageName(registry: string, repository: string, tag: string): string {
  return `${registry}/${repository}:${tag}`;
}

/** Why the registry value is unusable, or undefined. */
export function registryProblem(registry: string): string | undefined {
  if (/^[a-z]+:\/\//.test(registry)) return `is "${registry}": give the host only, without the scheme (e.g. harbor.example.com)`;
  if (!REGISTRY_PATTERN.test(registry)) return `is "${registry}", not a registry host[:port] (e.g. harbor.example.com)`;
  return undefined;
}

export function repositoryProblem(repository: string): string | undefined {
  if (!REPOSITORY_PATTERN.test(repository)) return `is "${repository}", not a repository path of lower-case parts (e.g. fjhb/pp_agent)`;
  return undefined;
}

/** A registry on loopback may take anonymous pushes; any other (Harbor) needs credentials. */
export function needsCredentials(registry: string): boolean {
  return !LOOPBACK_HOSTS.test(registry);
}

/** The `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` Secret. */
export function dockerConfigJson(registry: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [registry]: { username, password, auth } } });
}

/** The tag of a reference (`repo:tag` or `repo:tag@sha256:…`), or undefined. */
export function tagOf(reference: string): string | undefined {
  const withoutDigest = reference.split("@")[0];
  const lastPart = withoutDigest.split("/").pop() ?? "";
  const i = lastPart.lastIndexOf(":");
  return i >= 0 ? lastPart.slice(i + 1) : undefined;
}
