/**
 * The e2e harness resolves env as the kubelet does; these rows pin its rules,
 * because every end-to-end assertion about the injected flags rests on them.
 */
import * as assert from "assert";
import type { ConfigMap, EnvVar, Secret } from "kubernetes-types/core/v1";
import type { EnvFromSource } from "kubernetes-types/core/v1";
import { resolveEnv, resolveEnvFrom } from "./e2e/kubeEnv";

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

const FROM_ROWS: Array<{ name: string; envFrom: EnvFromSource[]; env?: EnvVar[]; want?: Record<string, string>; error?: RegExp }> = [
  {
    name: "envFrom: a ConfigMap's and a Secret's keys, a later source winning, env over both",
    envFrom: [{ configMapRef: { name: "c" } }, { secretRef: { name: "s" } }, { prefix: "CM_", configMapRef: { name: "c" } }],
    env: [{ name: "plain", value: "from-env" }],
    want: { k: "from-configmap", b64: "from-data", plain: "from-env", CM_k: "from-configmap" },
  },
  {
    name: "envFrom keys are defined for $(VAR) in env, as the kubelet's expansion maps them",
    envFrom: [{ prefix: "APP_", configMapRef: { name: "c" } }],
    env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Dx=$(APP_k) $(k)" }],
    want: { APP_k: "from-configmap", JAVA_TOOL_OPTIONS: "-Dx=from-configmap $(k)" },
  },
  { name: "envFrom: a missing ConfigMap stops the container unless optional", envFrom: [{ configMapRef: { name: "nope" } }], error: /ConfigMap nope not found/ },
  { name: "envFrom: an optional missing Secret is nothing", envFrom: [{ secretRef: { name: "nope", optional: true } }], want: {} },
  {
    name: "envFrom: every key is taken, even one a shell could not name (the 1.36 kubelet skips none)",
    envFrom: [{ configMapRef: { name: "odd" } }],
    want: { "a=b": "no", "dotted.key": "ok" },
  },
];

describe("e2e harness: envFrom as the kubelet resolves it", () => {
  const configMaps: ConfigMap[] = [...CONFIG_MAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "odd" }, data: { "a=b": "no", "dotted.key": "ok" } }];
  for (const row of FROM_ROWS) {
    it(row.name, () => {
      const run = () => {
        const sources = { secrets: SECRETS, configMaps };
        return resolveEnv(row.env, POD, sources, resolveEnvFrom(row.envFrom, sources));
      };
      if (row.error) assert.throws(run, row.error);
      else assert.deepStrictEqual(Object.fromEntries(run()), row.want);
    });
  }
});
