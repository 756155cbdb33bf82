/**
 * Pinpoint's naming rules: applicationName and agentId are at most 24 characters
 * of [a-zA-Z0-9._-]. An invalid applicationName stops the agent and an invalid
 * agentId is silently replaced, so the injector never emits either.
 */
import { createHash } from "crypto";
import { PINPOINT_ID_MAX_LENGTH, PINPOINT_ID_PATTERN } from "./constants";

/** Why a name is not valid for Pinpoint, or undefined when it is. */
export function pinpointNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (!PINPOINT_ID_PATTERN.test(name)) return "it may hold only letters, digits, '.', '_' and '-'";
  if (name.length > PINPOINT_ID_MAX_LENGTH) {
    return `it has ${name.length} characters and Pinpoint allows at most ${PINPOINT_ID_MAX_LENGTH}`;
  }
  return undefined;
}

/** Length of the hash suffix used when a derived name must be shortened. */
const HASH_LENGTH = 6;

/**
 * `<prefix><workload name>`, shortened when too long: the first characters, `-`,
 * and six hex digits of the SHA-256 of the full name. Deterministic (the same
 * workload always gets the same name) and unique in practice (two long names
 * that share their start still differ in the hash).
 */
export function deriveApplicationName(prefix: string, workloadName: string): string {
  const full = `${prefix}${workloadName}`;
  if (!PINPOINT_ID_PATTERN.test(full)) {
    // Blame the part that breaks the rule: a valid prefix leaves the workload name.
    if (prefix === "" || PINPOINT_ID_PATTERN.test(prefix)) {
      throw new Error(
        `metadata.name "${workloadName}" is not a valid Kubernetes name, so no applicationName can be derived from it: use lower-case letters, digits, '-' and '.', or set the pinpoint.fjhb.cn/application-name annotation`,
      );
    }
    throw new Error(
      `applicationName "${full}" (prefix "${prefix}" + workload name "${workloadName}") may hold only letters, digits, '.', '_' and '-'; fix the prefix (pinpoint:applicationNamePrefix)`,
    );
  }
  if (full.length <= PINPOINT_ID_MAX_LENGTH) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
  const head = full.slice(0, PINPOINT_ID_MAX_LENGTH - HASH_LENGTH - 1).replace(/[-._]+$/, "");
  return `${head}-${hash}`;
}
