/**
 * The e2e harness resolves env as the kubelet does; these rows pin its rules,
 * because every end-to-end assertion about the injected flags rests on them.
 */
import * as assert from "assert";
import type { ConfigMap, EnvVar, Secret } from "kubernetes-types/core/v1";
import { resolveEnv } from "./e2e/kubeEnv";

const POD = { "status.podIP": "10.244.1.16", "metadata.name": "tomcat-zffw-5d7c9f8b6-k2x7q", "metadata.namespace": "dev" };
const SECRETS: Secret[] = [
  { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { plain: "from-stringData" }, data: { b64: Buffer.from("from-data").toString("base64") } },
];
const CONFIG_MAPS: ConfigMap[] = [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { k: "from-configmap" } }];

const ROWS: Array<{ name: string; env: EnvVar[]; want?: Record<string, string>; error?: RegExp }> = [
  {
    name: "$(VAR) expands from earlier entries only",
    env: [
      { name: "A", value: "-Dx=$(B)" },
      { name: "B", value: "b" },
      { name: "C", value: "-Dx=$(B) $$(B) $(NOPE)" },
    ],
    want: { A: "-Dx=$(B)", B: "b", C: "-Dx=b $(B) $(NOPE)" },
  },
  {
    name: "fieldRef from the pod, then used by a later value",
    env: [
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "CATALINA_OPTS", value: "-Dpinpoint.agentId=$(POD_IP) -Dpinpoint.agentName=$(POD_NAME)" },
    ],
    want: { POD_IP: POD["status.podIP"], POD_NAME: POD["metadata.name"], CATALINA_OPTS: `-Dpinpoint.agentId=${POD["status.podIP"]} -Dpinpoint.agentName=${POD["metadata.name"]}` },
  },
  {
    name: "secretKeyRef (stringData and base64 data) and configMapKeyRef",
    env: [
      { name: "P", valueFrom: { secretKeyRef: { name: "s", key: "plain" } } },
      { name: "D", valueFrom: { secretKeyRef: { name: "s", key: "b64" } } },
      { name: "M", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } },
    ],
    want: { P: "from-stringData", D: "from-data", M: "from-configmap" },
  },
  { name: "a missing Secret key is an error naming it", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "s", key: "nope" } } }], error: /Secret s has no key nope/ },
  { name: "an unknown fieldRef is an error", env: [{ name: "X", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } }], error: /fieldRef status\.hostIP is not given/ },
];

describe("e2e harness: env as the kubelet resolves it", () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const run = () => resolveEnv(row.env, POD, { secrets: SECRETS, configMaps: CONFIG_MAPS });
      if (row.error) assert.throws(run, row.error);
      else assert.deepStrictEqual(Object.fromEntries(run()), row.want);
    });
  }
});
