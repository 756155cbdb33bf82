/**
 * Taking injected parts out again, trusting the status record only as far as
 * the pod proves it: a part goes only when it still has the fingerprint the
 * record holds for it. A record whose pod-level parts (init container,
 * volume) are not there as written was copied from another object or edited:
 * then nothing but the record itself goes, and every listed part is reported
 * as kept. An edit the user made to the options variable survives: only the
 * flags injection added are cut out of it.
 */
import type { Container, PodSpec, Volume } from "kubernetes-types/core/v1";
import { ANNOTATION_STATUS } from "./constants";
import { indexOfEnv } from "./env";
import { fingerprintOf, partKey } from "./fingerprint";
import type { ContainerStatus, InjectionStatus } from "./status";

type Named = { name?: string };

/** Removes what the record proves was added; returns a message for each part kept. */
export function stripInjected(spec: PodSpec, status: InjectionStatus, where: string): string[] {
  const kept: string[] = [];
  const prints = status.fingerprints ?? {};
  const matches = (key: string, part: unknown) => part !== undefined && prints[key] !== undefined && prints[key] === fingerprintOf(key, part);
  const podParts: Array<[string, unknown]> = [
    ...status.initContainers.map((n): [string, unknown] => [partKey.initContainer(n), spec.initContainers?.find((c) => c.name === n)]),
    ...status.volumes.map((n): [string, unknown] => [partKey.volume(n), spec.volumes?.find((v) => v.name === n)]),
  ];
  if (!podParts.every(([key, part]) => matches(key, part))) {
    const listed = [...status.initContainers.map((n) => `init container "${n}"`), ...status.volumes.map((n) => `volume "${n}"`)];
    kept.push(
      `${where}: the ${ANNOTATION_STATUS} annotation does not match the pod (copied from another object, or edited?), so nothing it lists was removed (${listed.join(", ")}, and the containers' variables and mounts): remove what is really the agent's by hand`,
    );
    return kept;
  }
  const drop = <T extends Named>(list: T[] | undefined, names: readonly string[], keyOf: (n: string) => string, what: string) =>
    dropProven(list, names, keyOf, matches, (n) => kept.push(`${where}: ${what} "${n}" was changed after injection and is kept: remove it by hand if it is no longer wanted`));
  const before = { initContainers: spec.initContainers, volumes: spec.volumes };
  spec.initContainers = drop(spec.initContainers, status.initContainers, partKey.initContainer, "init container");
  spec.volumes = drop(spec.volumes, status.volumes, partKey.volume, "volume");
  spec.imagePullSecrets = drop(spec.imagePullSecrets, status.imagePullSecrets, partKey.imagePullSecret, "imagePullSecret");
  for (const [name, cs] of Object.entries(status.containers)) {
    const c = spec.containers.find((x) => x.name === name);
    if (c) kept.push(...stripContainer(c, cs, matches, where));
    else kept.push(`${where}: the record lists container "${name}", which the pod no longer has (renamed after injection?): its agent flags and mounts, if any, are kept`);
  }
  kept.push(...keepVolumesStillMounted(spec, status, before, where));
  return kept;
}

/**
 * A volume is taken out only when nothing in the pod mounts it any more: the
 * API rejects a mount of a volume the pod lacks. A container the record does
 * not list (renamed, or a record edited by hand) may still mount the agent's
 * volume and carry its flags; then the volume stays, and with it the init
 * container that fills it, so the pod is both accepted and able to start.
 */
function keepVolumesStillMounted(spec: PodSpec, status: InjectionStatus, before: { initContainers?: Container[]; volumes?: Volume[] }, where: string): string[] {
  const kept: string[] = [];
  const mounting = (volume: string) =>
    [...(spec.initContainers ?? []), ...spec.containers, ...((spec.ephemeralContainers ?? []) as Container[])]
      .filter((c) => c.volumeMounts?.some((m) => m.name === volume))
      .map((c) => c.name);
  const restored = new Set<unknown>();
  for (const name of status.volumes) {
    const original = before.volumes?.find((v) => v.name === name);
    if (!original || spec.volumes?.includes(original)) continue;
    const users = mounting(name);
    if (users.length === 0) continue;
    restored.add(original);
    const fillers = (before.initContainers ?? []).filter((c) => status.initContainers.includes(c.name) && !spec.initContainers?.includes(c) && c.volumeMounts?.some((m) => m.name === name));
    fillers.forEach((c) => restored.add(c));
    const also = fillers.length > 0 ? ` and init container${fillers.length > 1 ? "s" : ""} ${fillers.map((c) => `"${c.name}"`).join(", ")} that fill${fillers.length > 1 ? "" : "s"} it` : "";
    kept.push(
      `${where}: volume "${name}"${also} kept: container${users.length > 1 ? "s" : ""} ${users.map((u) => `"${u}"`).join(", ")} still mount${users.length > 1 ? "" : "s"} it (not listed in the record as injected there): remove those mounts, the agent flags and these parts by hand`,
    );
  }
  if (restored.size > 0) {
    // Back in their places: the lists keep their order.
    if (before.volumes) spec.volumes = before.volumes.filter((v) => spec.volumes?.includes(v) || restored.has(v));
    if (before.initContainers) spec.initContainers = before.initContainers.filter((c) => spec.initContainers?.includes(c) || restored.has(c));
  }
  return kept;
}

function stripContainer(c: Container, cs: ContainerStatus, matches: (key: string, part: unknown) => boolean, where: string): string[] {
  const kept: string[] = [];
  const opt = cs.options;
  const entry = c.env?.[indexOfEnv(c.env, opt.name)];
  const added = opt.appended ?? opt.value;
  if (entry && opt.appended === undefined && matches(partKey.env(c.name, opt.name), entry)) {
    c.env = c.env!.filter((e) => e !== entry);
  } else if (entry && added !== undefined && typeof entry.value === "string" && entry.value.includes(added)) {
    // The user's own flags, before or after ours, stay.
    const at = entry.value.lastIndexOf(added);
    let rest = entry.value.slice(0, at) + entry.value.slice(at + added.length);
    if (opt.appended === undefined) rest = rest.replace(/^ /, "");
    if (rest === "" && (opt.valueWasUnset || opt.appended === undefined)) delete entry.value;
    else entry.value = rest;
    if (opt.appended === undefined && entry.value !== undefined) {
      kept.push(`${where}: ${opt.name} of container "${c.name}" was edited after injection: the agent flags were taken out and your part of it kept`);
    }
  } else {
    kept.push(`${where}: ${opt.name} of container "${c.name}" no longer holds the agent flags injection added, and is kept as it is`);
  }
  const drop = <T extends Named>(list: T[] | undefined, names: readonly string[], keyOf: (n: string) => string, what: string) =>
    dropProven(list, names, keyOf, matches, (n) => kept.push(`${where}: ${what} "${n}" of container "${c.name}" was changed after injection and is kept`));
  c.env = drop(c.env, cs.env, (n) => partKey.env(c.name, n), "variable");
  c.volumeMounts = drop(c.volumeMounts, cs.volumeMounts, (n) => partKey.volumeMount(c.name, n), "volume mount");
  return kept;
}

/** The list without the named items that still have their fingerprint; `onKept` hears of the others. */
function dropProven<T extends Named>(
  list: T[] | undefined,
  names: readonly string[],
  keyOf: (n: string) => string,
  matches: (key: string, part: unknown) => boolean,
  onKept: (name: string) => void,
): T[] | undefined {
  return list?.filter((item) => {
    if (item.name === undefined || !names.includes(item.name)) return true;
    if (matches(keyOf(item.name), item)) return false;
    onKept(item.name);
    return true;
  });
}
