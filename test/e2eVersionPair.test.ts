/**
 * The real-Pinpoint end to end's version check (test/e2e/pinpoint/versionPair.ts):
 * the web run must be the rendered release, and an agent/collector pair that
 * upstream rejects fails unless it is the one declared exception.
 */
import * as assert from "assert";
import { checkRunVersions, RUN_PAIR_EXCEPTION } from "./e2e/pinpoint/versionPair";

describe("real-Pinpoint e2e: the versions run against the release rendered", () => {
  const rows: Array<{ name: string; rendered: string; agent: string; collector: string; web: string; want: RegExp | "ok" }> = [
    { name: "the rendered release run whole", rendered: "3.0.1", agent: "3.0.1", collector: "3.0.1", web: "3.0.1", want: "ok" },
    { name: "an agent 2.x with the rendered collector", rendered: "3.1.0", agent: "2.5.4", collector: "3.1.0", web: "3.1.0", want: "ok" },
    { name: "the declared exception", rendered: "3.0.1", agent: "3.0.1", collector: "2.5.1", web: "3.0.1", want: /^EXCEPTION: collector 2\.5\.1 .*rendered 3\.0\.1.*upstream's table rejects/ },
    { name: "a web other than the rendered one", rendered: "3.1.0", agent: "3.0.1", collector: "3.1.0", web: "3.0.1", want: /runs web 3\.0\.1, and the stack renders PinpointServer 3\.1\.0/ },
    { name: "a rejected pair beyond the exception", rendered: "3.1.0", agent: "3.1.0", collector: "2.5.1", web: "3.1.0", want: /agent 3\.1\.0 with collector 2\.5\.1, a pair upstream rejects/ },
    { name: "an accepted pair, but not the rendered collector", rendered: "3.0.1", agent: "2.5.4", collector: "2.5.1", web: "3.0.1", want: /runs collector 2\.5\.1, and the stack renders PinpointServer 3\.0\.1/ },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const run = () => checkRunVersions(r.rendered, r);
      if (r.want === "ok") assert.strictEqual(run(), undefined);
      else if (/^\^EXCEPTION/.test(r.want.source)) assert.match(run()!, r.want);
      else assert.throws(run, r.want);
    });
  }

  it("declares the exception for exactly the pair the pom pins", () => {
    const pom = require("fs").readFileSync(require("path").join(__dirname, "e2e", "pinpoint", "maven", "pom.xml"), "utf8") as string;
    const prop = (name: string) => new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]+)</`).exec(pom)![1];
    assert.strictEqual(prop("pinpoint.agent.version"), RUN_PAIR_EXCEPTION.agent);
    assert.strictEqual(prop("pinpoint.collector.version"), RUN_PAIR_EXCEPTION.collector);
    assert.strictEqual(prop("pinpoint.web.version"), RUN_PAIR_EXCEPTION.rendered);
  });
});
