/**
 * Workloads the program does not spell out in TypeScript: YAML files through a
 * `yaml/v2` ConfigGroup and a local Helm chart through a `helm/v4` Chart. The
 * stack transform of PinpointApm reaches the objects inside both (Pulumi's
 * resource transforms apply to the children of these components), so
 * `pinpoint:enabled true` instruments them like any other Deployment.
 *
 * The "legacy" ConfigGroup also carries the transform in its own `transforms`
 * option: it is instrumented even in a stack where `pinpoint:enabled` is false
 * (stack `scoped`), and nothing else is. Where both apply (stack `dev`), the
 * second injection finds the first one's record and changes nothing.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { PinpointApm, pinpointTransform } from "@fjhb/pulumi-pinpoint";

const NAMESPACE = "shop";
const MANIFESTS = path.join(__dirname, "manifests");
const CHART = path.join(__dirname, "charts", "report");

// First: its transform reaches only the resources registered after it.
const apm = new PinpointApm("pinpoint");

new k8s.core.v1.Namespace(NAMESPACE, { metadata: { name: NAMESPACE } });

// The cart service and its cache, from the files the team applied with kubectl.
new k8s.yaml.v2.ConfigGroup("shop", { files: [path.join(MANIFESTS, "shop.yaml")] });

// The reporting service from its Helm chart. Helm renders it when Pulumi runs; the
// stack transform then instruments the chart's Deployment like the others.
new k8s.helm.v4.Chart("report", { chart: CHART, namespace: NAMESPACE, values: { replicas: 2 } });

// One resource instrumented whatever pinpoint:enabled says: the transform as a resource option.
const pinpoint = new pulumi.Config("pinpoint");
new k8s.yaml.v2.ConfigGroup(
  "legacy",
  { files: [path.join(MANIFESTS, "legacy.yaml")] },
  {
    transforms: [
      pinpointTransform({
        image: pinpoint.require("agentImage"),
        collectorHost: pinpoint.require("collectorHost"),
        applicationNamePrefix: `${pulumi.getStack()}-`,
      }),
    ],
  },
);

export const instrumented = apm.enabled;
