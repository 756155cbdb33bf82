/**
 * Reading YAML as kubectl reads it. kubectl converts YAML to JSON with
 * sigs.k8s.io/yaml, whose YAMLToJSON runs a fork of go-yaml v2: YAML 1.1
 * booleans (`yes`, `on`, `y`) and octals (`0644`), but no base-60 numbers
 * (`12:30:00` stays a string) and timestamps kept as strings; a duplicate key
 * is not an error, the later value is the one kept. The `yaml` package's 1.1
 * schema with those two tag families removed reads the same values.
 */
import type { DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions } from "yaml";

const TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp";
/** The format the `yaml` package gives its base-60 int and float tags. */
const SEXAGESIMAL_FORMAT = "TIME";
/**
 * go-yaml v2's float pattern. The `yaml` package's 1.1 float tags also match
 * a bare exponent (`e0`, `E5`) and read it as NaN; go-yaml reads a string.
 */
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const FLOAT_TAG = "tag:yaml.org,2002:float";

/** YAML 1.1 is what go-yaml v2 implements. */
export const KUBE_YAML_VERSION = "1.1";

/** Parse options: kubectl's reading of scalars, duplicate keys accepted. */
export const KUBE_PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: KUBE_YAML_VERSION,
  uniqueKeys: false,
  prettyErrors: false,
  customTags: (tags) =>
    tags
      .filter((t) => typeof t === "string" || (t.tag !== TIMESTAMP_TAG && t.format !== SEXAGESIMAL_FORMAT))
      .map((t) => (typeof t !== "string" && t.tag === FLOAT_TAG && t.test?.test("e0") ? { ...t, test: GO_YAML_FLOAT } : t)),
};

/**
 * Reading a document into plain values. The `yaml` package's own default
 * (100) is kept: an alias bomb fails with its resource-exhaustion error, which
 * the caller reports with the file's name.
 */
export const KUBE_TO_JS_OPTIONS: ToJSOptions = { maxAliasCount: 100 };

/**
 * A workload, which the core must read whole, may use more: kubectl (go-yaml)
 * accepts any number of aliases while they do not multiply the document.
 * This bound still stops an alias bomb (its count multiplies with each level)
 * and is more than any real manifest uses.
 */
export const KUBE_TO_JS_OPTIONS_WORKLOAD: ToJSOptions = { maxAliasCount: 10_000 };

/**
 * Writing new YAML: no line folding (the agent flags are one long line), no
 * anchors, and 1.1 quoting so a string like `on` or `0644` stays a string.
 */
export const KUBE_WRITE_OPTIONS = { version: KUBE_YAML_VERSION, lineWidth: 0, aliasDuplicateObjects: false } as const;
