/**
 * The floor for part 3: read the same file, parse every document and write it
 * again with the same YAML library and the same settings as pinpoint-inject
 * (YAML 1.1, no line folding, no aliases), no injection.
 * Usage: yamlFloor.js <file>   (writes to stdout)
 */
import * as fs from "fs";
import { parseAllDocuments, stringify } from "yaml";

// Keep in step with YAML_WRITE_OPTIONS in sdk/cli/manifests.ts, or the floor measures other work.
const YAML_VERSION = "1.1";
const WRITE_OPTIONS = { version: YAML_VERSION, lineWidth: 0, aliasDuplicateObjects: false } as const;

const text = fs.readFileSync(process.argv[2], "utf8");
const pieces = parseAllDocuments(text, { version: YAML_VERSION }).map((d) => {
  if (d.errors.length > 0) throw d.errors[0];
  return stringify(d.toJS(), WRITE_OPTIONS);
});
process.stdout.write(pieces.join("---\n"));
