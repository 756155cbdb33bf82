/**
 * README.md is a new user's way in: it must name every config key the package
 * reads and every annotation it honours, so it cannot silently fall behind.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { declaredConfigKeys } from "../sdk";
import * as constants from "../sdk/inject/constants";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const reference = README.slice(README.indexOf("## Configuration reference"), README.indexOf("## Outputs"));

describe("README", () => {
  it("has the configuration reference", () => assert.ok(reference.length > 0));

  for (const key of [...declaredConfigKeys().keys()].sort()) {
    it(`documents pinpoint:${key} in the configuration reference`, () => {
      assert.match(reference, new RegExp(`^\\| \`${key}\` \\|`, "m"), `README's configuration reference lacks a row for ${key}`);
    });
  }

  const annotations = Object.entries(constants).filter(([name]) => name.startsWith("ANNOTATION_") && name !== "ANNOTATION_PREFIX");
  for (const [, annotation] of annotations) {
    it(`documents the annotation ${annotation}`, () => assert.ok(README.includes(`\`${annotation}`), `README lacks ${annotation}`));
  }

  it("starts with npm ci, npm run render and the test command .ci/run runs", () => {
    const quick = README.slice(README.indexOf("## Quick start"));
    assert.match(quick, /```sh\nnpm ci .*\nnpm run render .*\nnpm test /);
    const ci = fs.readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");
    assert.match(ci, /^npm ci/m);
    assert.match(ci, /^npm test$/m);
  });
});
