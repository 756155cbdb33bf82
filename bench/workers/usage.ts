/**
 * Preloaded (`node -r`) into every measured child: at exit, writes the child's
 * own peak RSS and CPU time to $BENCH_USAGE_FILE. The Node API, so no
 * /usr/bin/time is needed, and the CLI under test runs unmodified.
 */
import * as fs from "fs";

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    // maxRSS is in KiB; CPU times in µs.
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
