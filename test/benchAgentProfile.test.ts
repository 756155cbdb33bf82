/**
 * The pure readers behind bench parts 6 and 7 (bench/lib/agentProfile.ts,
 * test/support/pinpointJars.ts, bench/lib/collector.ts): the agent 3.0.1's own
 * log lines, a plugin jar's manifest, the JVM's class-load log and
 * PinpointTables count, each as the released software writes them
 * (lines copied from runs of the archive the e2e resolves).
 */
import * as assert from "assert";
import { classCategory, disabledPlugins, loadedPlugins, manifestAttribute, parseClassLoads, startProfile } from "../bench/lib/agentProfile";
import { countsAdded, receivedCheck } from "../bench/lib/collector";
import { parseTableCounts } from "./support/pinpointJars";

const AGENT = "/tmp/pinpoint-bench-startup-x/agent";

const AGENT_LOG = [
  "12-04 17:43:52.052 [           main] INFO  c.n.p.p.c.m.c.ConfigModule               -- DefaultPluginLoadingConfig{pluginLoadOrder=[], disabledPlugins=[com.navercorp.pinpoint:pinpoint-jsp-plugin, com.navercorp.pinpoint:pinpoint-ktor-plugin], importPluginIds=[]}",
  "12-04 17:43:54.054 [           main] INFO  p.p.p.DefaultProfilerPluginContextLoader -- class com.navercorp.pinpoint.plugin.user.UserPlugin Plugin Pinpoint-Plugin-Package:[com.navercorp.pinpoint.plugin]",
  "12-04 17:43:54.054 [           main] INFO  p.p.p.DefaultProfilerPluginContextLoader -- Loading plugin:com.navercorp.pinpoint.plugin.user.UserPlugin pluginPackage:com.navercorp.pinpoint.plugin.user.UserPlugin@767f6ee7",
  "12-04 17:43:54.054 [           main] INFO  c.n.p.p.p.DefaultPluginSetup             -- com.navercorp.pinpoint.plugin.user.UserPlugin Plugin setup",
  "12-04 17:43:54.054 [           main] INFO  p.p.p.DefaultProfilerPluginContextLoader -- Loading plugin:com.navercorp.pinpoint.plugin.thread.ThreadPlugin pluginPackage:com.navercorp.pinpoint.plugin.thread.ThreadPlugin@1921994e",
].join("\n");

describe("bench: reading the agent's start", () => {
  it("lists the plugins the agent's log says it loaded, in order", () => {
    assert.deepStrictEqual(loadedPlugins(AGENT_LOG), ["com.navercorp.pinpoint.plugin.user.UserPlugin", "com.navercorp.pinpoint.plugin.thread.ThreadPlugin"]);
    assert.deepStrictEqual(loadedPlugins("no plugin lines"), []);
  });

  it("reads the disabled plugin ids the agent took from profiler.plugin.disable; none when the list is empty or absent", () => {
    assert.deepStrictEqual(disabledPlugins(AGENT_LOG), ["com.navercorp.pinpoint:pinpoint-jsp-plugin", "com.navercorp.pinpoint:pinpoint-ktor-plugin"]);
    assert.deepStrictEqual(disabledPlugins("-- DefaultPluginLoadingConfig{pluginLoadOrder=[], disabledPlugins=[], importPluginIds=[]}"), []);
    assert.deepStrictEqual(disabledPlugins(""), []);
  });

  it("reads a manifest attribute, CRLF line ends and continuation lines joined", () => {
    const mf = "Manifest-Version: 1.0\r\nPinpoint-Plugin-Id: com.navercorp.pinpoint:pinpoint-jdk-http-plugin\r\nPinpoint-Plugin-Package-Class-Requirements: com.navercorp.pinpoint.plu\r\n gin.tomcat.javax:javax.servlet.http.HttpServletRequest\r\n\r\n";
    assert.strictEqual(manifestAttribute(mf, "Pinpoint-Plugin-Id"), "com.navercorp.pinpoint:pinpoint-jdk-http-plugin");
    assert.strictEqual(manifestAttribute(mf, "Pinpoint-Plugin-Package-Class-Requirements"), "com.navercorp.pinpoint.plugin.tomcat.javax:javax.servlet.http.HttpServletRequest");
    assert.strictEqual(manifestAttribute(mf, "Pinpoint-Plugin-Package"), undefined);
  });

  const CLASS_LOG = [
    `[0.002s] opened: ${AGENT}/pinpoint-bootstrap-3.0.1.jar`,
    "[0.017s] java.lang.Object source: shared objects file",
    `[0.064s] com.navercorp.pinpoint.bootstrap.PinpointBootStrap source: ${AGENT}/pinpoint-bootstrap-3.0.1.jar`,
    "[0.100s] java.util.jar.JarFile$1 source: jrt:/java.base",
    `[0.339s] io.grpc.NameResolverProvider source: file:${AGENT}/lib/grpc-api-1.64.1.jar`,
    `[0.400s] com.navercorp.pinpoint.profiler.DefaultAgent source: file:${AGENT}/lib/pinpoint-profiler-3.0.1.jar`,
    `[1.338s] com.navercorp.pinpoint.plugin.jsp.JspTypeProvider source: file:${AGENT}/plugin/pinpoint-jsp-plugin-3.0.1.jar`,
    "[1.400s] java.lang.invoke.LambdaForm$MH/0x00007f49dc000400 source: __JVM_LookupDefineClass__",
    "[2.147s] e2e.PlainApp source: file:/tmp/x/plain/",
    "[2.200s] com.sun.net.httpserver.HttpServer source: jrt:/jdk.httpserver",
  ].join("\n");

  it("parses -Xlog:class+load with uptime, skipping opened: lines", () => {
    const loads = parseClassLoads(CLASS_LOG);
    assert.strictEqual(loads.length, 9);
    assert.deepStrictEqual(loads[0], { t: 0.017, name: "java.lang.Object", source: "shared objects file" });
  });

  it("sorts a class by where it came from: plugin jars, gRPC/Netty/protobuf by package, the rest of the agent's folder, the JDK, generated classes, the app", () => {
    const cat = (line: string) => classCategory(parseClassLoads(line)[0], `${AGENT}/`);
    assert.strictEqual(cat(`[1s] a.B source: file:${AGENT}/plugin/pinpoint-x-plugin.jar`), "agent plugins");
    assert.strictEqual(cat(`[1s] io.netty.util.Recycler source: file:${AGENT}/lib/netty-common.jar`), "gRPC, Netty, protobuf");
    assert.strictEqual(cat(`[1s] com.navercorp.pinpoint.X source: ${AGENT}/pinpoint-bootstrap-3.0.1.jar`), "agent core");
    assert.strictEqual(cat("[1s] java.lang.String source: shared objects file"), "JDK");
    assert.strictEqual(cat("[1s] java.util.jar.JarFile$1 source: jrt:/java.base"), "JDK");
    assert.strictEqual(cat("[1s] x.Y$$Lambda$1/0x1 source: __JVM_DefineClass__"), "generated (lambdas, proxies)");
    assert.strictEqual(cat("[1s] com.google.inject.internal.DeclaredMembers$$Lambda$93/0x0000000800d1 source: com.google.inject.internal.DeclaredMembers"), "generated (lambdas, proxies)");
    assert.strictEqual(cat("[1s] e2e.PlainApp source: file:/app/"), "app");
  });

  it("charges each gap of the premain (first agent class → main class) to the class loaded at its end", () => {
    const p = startProfile(CLASS_LOG, AGENT, "e2e.PlainApp");
    assert.strictEqual(Math.round(p.premainMs), 2083);
    assert.strictEqual(p.totalClasses, 9);
    assert.deepStrictEqual(p.categories["agent core"].classes, 2);
    assert.strictEqual(Math.round(p.categories.JDK.ms), 36);
    assert.strictEqual(Math.round(p.categories["generated (lambdas, proxies)"].ms), 62);
    assert.strictEqual(Math.round(p.categories["gRPC, Netty, protobuf"].ms), 239);
    assert.strictEqual(Math.round(p.categories["agent core"].ms), 61);
    assert.strictEqual(Math.round(p.categories["agent plugins"].ms), 938);
    assert.strictEqual(p.categories.app.classes, 0);
  });

  it("has no premain when the log never reaches the main class (the app failed) or never loaded the agent", () => {
    assert.ok(Number.isNaN(startProfile(CLASS_LOG, AGENT, "e2e.Other").premainMs));
    assert.ok(Number.isNaN(startProfile("[0.1s] e2e.PlainApp source: file:/app/", AGENT, "e2e.PlainApp").premainMs));
  });
});

describe("bench: what the collector stored", () => {
  const before = { AgentInfo: { rows: 2, cells: 6 }, ApplicationIndex: { rows: 1, cells: 2 }, TraceV2: { rows: 10, cells: 12 } };

  it("parses PinpointTables count lines and ignores HBase's log lines around them", () => {
    const out = "2026-12-04 17:45:09,897 INFO  [main] client.ConnectionImplementation: Closing master protocol: MasterService\nAgentInfo 2 6\nApplicationIndex 1 2\nTraceV2 10 12\n";
    assert.deepStrictEqual(parseTableCounts(out), before);
  });

  it("counts what arrived between two reads, and passes only when every agent start registered and spans were stored", () => {
    const after = { AgentInfo: { rows: 5, cells: 15 }, ApplicationIndex: { rows: 2, cells: 4 }, TraceV2: { rows: 40, cells: 55 } };
    const added = countsAdded(before, after);
    assert.deepStrictEqual(added.AgentInfo, { rows: 3, cells: 9 });
    assert.deepStrictEqual(added.TraceV2, { rows: 30, cells: 43 });
    assert.strictEqual(receivedCheck(3, added, true), true);
    assert.strictEqual(receivedCheck(4, added, true), false, "a start the collector never registered");
    assert.strictEqual(receivedCheck(3, { ...added, TraceV2: { rows: 0, cells: 0 } }, true), false, "no span stored");
    assert.strictEqual(receivedCheck(3, { ...added, TraceV2: { rows: 0, cells: 0 } }, false), true, "spans not required (start-up only)");
  });
});
