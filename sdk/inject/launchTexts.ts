/**
 * The texts a container's JVM reads its options from, each with where it
 * comes from: literal env values, command, args, and the image's Env,
 * Entrypoint and Cmd where the manifest does not replace them (a variable the
 * manifest sets replaces the image's; a command replaces the Entrypoint and
 * the Cmd, args the Cmd). Shared by the checks that look for flags in them
 * (otherAgents.ts, quickStart.ts).
 */
import type { Container } from "kubernetes-types/core/v1";
import type { ImageConfig } from "./image";

export interface LaunchText {
  text: string;
  where: string;
}

export function launchTexts(c: Container, config?: ImageConfig): LaunchText[] {
  const out: LaunchText[] = [];
  for (const e of c.env ?? []) if (e.value) out.push({ text: e.value, where: `env ${e.name}` });
  if (c.command) out.push({ text: c.command.join(" "), where: "command" });
  if (c.args) out.push({ text: c.args.join(" "), where: "args" });
  for (const entry of config?.Env ?? []) {
    const name = entry.slice(0, Math.max(entry.indexOf("="), 0));
    if (!c.env?.some((e) => e.name === name)) out.push({ text: entry.slice(name.length + 1), where: `the image's Env ${name}` });
  }
  if (!c.command && config?.Entrypoint) out.push({ text: config.Entrypoint.join(" "), where: "the image's Entrypoint" });
  if (!c.command && !c.args && config?.Cmd) out.push({ text: config.Cmd.join(" "), where: "the image's Cmd" });
  return out;
}
