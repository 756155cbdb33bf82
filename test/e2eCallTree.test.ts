/**
 * The real-Pinpoint end to end's reading of the web's answers
 * (test/e2e/pinpoint/callTree.ts), on answers shaped as web 3.0.1 gave them in
 * a run (trimmed): scatter dots to transaction ids, call-tree rows by the
 * column names the answer declares.
 */
import * as assert from "assert";
import { callRecords, formatCallTree, scatterDots, TransactionInfoAnswer } from "./e2e/pinpoint/callTree";

describe("real-Pinpoint e2e: the web's scatter and call tree answers", () => {
  it("a dot's time is after the answer's from; its id joins the metadata's agent and start time with its sequence", () => {
    const dots = scatterDots({
      from: 1796395673114,
      scatter: { metadata: { "1": ["10.244.1.15", "10.244.1.15", 1796396112845] }, dotList: [[469097, 53, 1, 6, 1, 1], [457401, 2276, -1, "10.244.1.9^1796396000000^3", 1, 1]] },
    });
    assert.deepStrictEqual(dots, [
      { acceptedTime: 1796396142211, elapsed: 53, agentId: "10.244.1.15", transactionId: "10.244.1.15^1796396112845^6" },
      { acceptedTime: 1796396130515, elapsed: 2276, agentId: "", transactionId: "10.244.1.9^1796396000000^3" },
    ]);
  });

  it("a dot naming metadata the answer lacks is an error", () => {
    assert.throws(() => scatterDots({ from: 0, scatter: { metadata: {}, dotList: [[1, 1, 7, 1, 1, 1]] } }), /metadata 7/);
  });

  // Columns as web 3.0.1 declares them; `depth` came back empty, the nesting is `tab`.
  const callStackIndex = { depth: 0, applicationName: 4, tab: 5, isMethod: 8, title: 10, arguments: 11, simpleClassName: 17, apiType: 19, agent: 20, hasException: 22 };
  const row = (tab: number, app: string | null, isMethod: boolean, title: string, args: string, cls: string, apiType: string, agent: string | null): unknown[] => {
    const r: unknown[] = new Array(29).fill("");
    Object.assign(r, { 0: "", 4: app, 5: tab, 8: isMethod, 10: title, 11: args, 17: cls, 19: apiType, 20: agent, 22: false });
    return r;
  };
  const info: TransactionInfoAnswer = {
    callStackIndex,
    callStack: [
      row(0, "dev-tomcat-zffw", true, "Servlet Process", "/", "", "TOMCAT", "10.244.1.15"),
      row(1, null, false, "http.status.code", "200", "", "", null),
      row(2, "dev-tomcat-zffw", true, "service(HttpServletRequest request, HttpServletResponse response)", "index.jsp", "HttpJspBase", "JSP", "10.244.1.15"),
      row(3, "dev-tomcat-zffw", true, "plainConnect0()", "10.244.1.16:8090", "HttpURLConnection", "JDK_HTTPCONNECTOR", "10.244.1.15"),
    ],
  };

  it("rows carry nesting, application, agent, title, arguments, class and API type", () => {
    const records = callRecords(info);
    assert.deepStrictEqual(records[0], { depth: 0, application: "dev-tomcat-zffw", agent: "10.244.1.15", title: "Servlet Process", arguments: "/", className: "", apiType: "TOMCAT", isMethod: true, hasException: false });
    assert.deepStrictEqual(records[1], { depth: 1, application: "", agent: "", title: "http.status.code", arguments: "200", className: "", apiType: "", isMethod: false, hasException: false });
    assert.deepStrictEqual([records[3].depth, records[3].className, records[3].apiType, records[3].arguments], [3, "HttpURLConnection", "JDK_HTTPCONNECTOR", "10.244.1.16:8090"]);
  });

  it("an answer without a column the tree needs is an error naming it", () => {
    const { tab: _tab, ...withoutTab } = callStackIndex;
    assert.throws(() => callRecords({ ...info, callStackIndex: withoutTab }), /has no tab/);
  });

  it("the tree prints indented, annotations without an application", () => {
    assert.deepStrictEqual(formatCallTree(callRecords(info)), [
      "Servlet Process / [dev-tomcat-zffw, TOMCAT]",
      "  http.status.code 200",
      "    HttpJspBase.service(HttpServletRequest request, HttpServletResponse response) index.jsp [dev-tomcat-zffw, JSP]",
      "      HttpURLConnection.plainConnect0() 10.244.1.16:8090 [dev-tomcat-zffw, JDK_HTTPCONNECTOR]",
    ]);
  });
});
