/**
 * Another Java agent already set up for a container: a second bytecode agent
 * beside Pinpoint rewrites the same classes, and the two break each other's
 * traces (or the app). Found in `-javaagent:` flags anywhere the JVM may read
 * them (env values, command, args, the image's Env, Entrypoint and Cmd) and in
 * the pod annotations by which an operator injects its agent at admission.
 */
import { launchTexts } from "./launchTexts";
import type { Container, PodTemplateSpec } from "kubernetes-types/core/v1";
import { ImageConfig } from "./image";

interface KnownAgent {
  name: string;
  /** Matches the jar path of a `-javaagent:` flag. */
  jar: RegExp;
  /** Pod annotations or labels by which an operator or admission controller injects this agent. */
  podKeys?: readonly string[];
}

/** APM agents users run; a `-javaagent` not listed here (a JMX exporter, say) is left alone. */
export const KNOWN_AGENTS: readonly KnownAgent[] = [
  {
    name: "OpenTelemetry Java agent",
    jar: /opentelemetry-javaagent|otel-javaagent|opentelemetry[^/\s]*agent[^/\s]*\.jar/i,
    podKeys: ["instrumentation.opentelemetry.io/inject-java"],
  },
  { name: "SkyWalking agent", jar: /skywalking-agent/i, podKeys: ["swck-java-agent-injected"] },
  { name: "Elastic APM agent", jar: /elastic-apm-agent/i },
  { name: "Datadog agent", jar: /dd-java-agent/i, podKeys: ["admission.datadoghq.com/java-lib.version"] },
  { name: "New Relic agent", jar: /newrelic(-agent)?[^/\s]*\.jar/i },
  { name: "AppDynamics agent", jar: /appdynamics|AppServerAgent/i },
  { name: "Glowroot agent", jar: /glowroot[^/\s]*\.jar/i },
  { name: "Dynatrace agent", jar: /dynatrace|oneagent/i },
  { name: "Pinpoint agent (added by hand)", jar: /pinpoint-bootstrap/i },
];

const JAVAAGENT_FLAG = /-javaagent:([^\s"'=]+)/g;

export interface OtherAgent {
  agent: string;
  /** Where it is configured, for the message: `env JAVA_TOOL_OPTIONS`, `the image's Env JAVA_TOOL_OPTIONS`, `args`. */
  where: string;
  /** The flag or key found. */
  found: string;
}

function agentsIn(text: unknown, where: string): OtherAgent[] {
  const out: OtherAgent[] = [];
  // A manifest may hold a non-string where Kubernetes wants one (`value: yes` reads as a boolean): no flag there.
  if (typeof text !== "string") return out;
  for (const m of text.matchAll(JAVAAGENT_FLAG)) {
    const agent = KNOWN_AGENTS.find((a) => a.jar.test(m[1]));
    if (agent) out.push({ agent: agent.name, where, found: m[0] });
  }
  return out;
}

/** Every known agent configured for the container, before Pinpoint is added. */
export function otherAgents(c: Container, template: PodTemplateSpec | undefined, config?: ImageConfig): OtherAgent[] {
  const found: OtherAgent[] = [];
  for (const t of launchTexts(c, config)) found.push(...agentsIn(t.text, t.where));
  const meta = template?.metadata;
  for (const agent of KNOWN_AGENTS) {
    for (const key of agent.podKeys ?? []) {
      const value = meta?.annotations?.[key] ?? meta?.labels?.[key];
      if (value !== undefined && value !== "false") found.push({ agent: agent.name, where: "the pod template", found: `${key}: "${value}"` });
    }
  }
  return found;
}

/** The error text for a container that already has an agent. */
export function otherAgentProblem(containerName: string, a: OtherAgent, optOut: string): string {
  return (
    `container "${containerName}" already loads the ${a.agent} (${a.found} in ${a.where}); a second bytecode agent would conflict with it: ` +
    `remove that agent to use Pinpoint, or leave this workload to it with ${optOut}`
  );
}
