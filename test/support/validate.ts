/**
 * Validates a Kubernetes object against the OpenAPI schema of its kind
 * (kubernetes-models), picking the class by apiVersion and kind.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

const MODELS_ROOT = path.dirname(require.resolve("kubernetes-models/package.json"));

/** `apps/v1` → `kubernetes-models/apps/v1`; `v1` → `kubernetes-models/v1`. */
function modelModule(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

/** Throws with the schema's messages when the object is not valid for its kind. */
export function validateObject(obj: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): void {
  if (!obj.apiVersion || !obj.kind) throw new Error(`object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 120)}`);
  const file = path.join(MODELS_ROOT, obj.apiVersion, `${obj.kind}.js`);
  if (!fs.existsSync(file)) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(modelModule(obj.apiVersion)) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = models[obj.kind];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (e) {
    throw new Error(`${obj.kind} ${obj.metadata?.name ?? ""} is not valid: ${(e as Error).message}`);
  }
}

/** Every document of a YAML file, as plain objects. */
export function readYamlDocuments(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()).filter((d) => d != null);
}

/** The first document of a YAML fixture under test/fixtures. */
export function fixture(name: string): any {
  return readYamlDocuments(path.join(__dirname, "..", "fixtures", name))[0];
}
