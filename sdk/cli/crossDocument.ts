/**
 * What one document tells about the others, gathered in a first pass over the
 * input that keeps only these facts, not the documents: the keys of every
 * ConfigMap and Secret (envFrom look-ups answer from them, wherever they stand
 * in the input) and, when image configs are read, every workload's images.
 * The second pass then injects and writes one document at a time.
 */
import { EnvSources, isWorkloadKind, keysOf, podTemplateOf, Workload, WORKLOAD_KINDS, WorkloadKind } from "../inject";
import { imagesOf } from "../imageConfig";
import { SourceFile, streamValues } from "./manifests";

/** `kind: List` (kubectl get -o yaml) and typed lists (`DeploymentList`) hold objects in `items`. */
const LIST_KIND = /List$/;
/**
 * A document that can hold a ConfigMap or Secret names the kind in its text:
 * YAML folding adds a space, so the kind can be spelt otherwise only through an
 * escape, which needs a backslash. Other documents need not be parsed.
 */
const MAY_HOLD_ENV_SOURCE = /ConfigMap|Secret|\\/;

export interface CrossDocumentFacts {
  envSources: EnvSources;
  /** The container images of every workload (List items too); empty unless asked for. */
  images: string[];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function isList(v: unknown): v is Record<string, unknown> {
  return isObject(v) && typeof v.kind === "string" && LIST_KIND.test(v.kind) && Array.isArray(v.items);
}

/** A workload the core may change: a known kind at the apiVersion the core knows it by. */
export function asWorkload(obj: Record<string, unknown>): Workload | undefined {
  return isWorkloadKind(obj.kind) && WORKLOAD_KINDS[obj.kind as WorkloadKind] === obj.apiVersion ? (obj as unknown as Workload) : undefined;
}

function imagesOfWorkload(o: unknown): string[] {
  const w = isObject(o) ? asWorkload(o) : undefined;
  return w ? imagesOf(podTemplateOf(w)?.spec?.containers) : [];
}

/** The objects of a document's value: itself, or a List's items (and Lists inside them, as kubectl flattens). */
export function objectsIn(value: unknown): unknown[] {
  return isList(value) ? (value.items as unknown[]).flatMap(objectsIn) : [value];
}

/**
 * One pass over the sources. A document that cannot be read stops its
 * source's pass quietly: the second pass reads it again and says why.
 */
export function gatherFacts(sources: readonly SourceFile[], wantImages: boolean): CrossDocumentFacts {
  const envSources: Record<string, string[]> = {};
  const images: string[] = [];
  const only = wantImages ? () => true : (text: string) => MAY_HOLD_ENV_SOURCE.test(text);
  for (const source of sources) {
    try {
      for (const value of streamValues(source, only)) {
        for (const o of objectsIn(value)) {
          const k = keysOf(o);
          if (k) envSources[k.key] = k.keys;
          if (wantImages) images.push(...imagesOfWorkload(o));
        }
      }
    } catch {
      // Reported by the pass that writes.
    }
  }
  return { envSources, images };
}
