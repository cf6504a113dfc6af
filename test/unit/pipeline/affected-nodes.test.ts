// A Node change reaches exactly the Gateways with instance target groups: those routing to a
// Service whose TargetGroupConfiguration asks for instance targets, and those whose
// LoadBalancerConfiguration names a default TargetGroupConfiguration that does.
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { affectedGateways } from "../../../shared/pipeline/affected.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

const CLUSTER = "c1";
const GW = "gateway.networking.k8s.io/v1";
const LBC = "gateway.k8s.aws/v1beta1";

function node(ready: boolean): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1", uid: "n1", labels: { pool: "web" } },
    spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0" },
    status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  } as KubeObject;
}

function gateway(namespace: string, name: string, parametersRef?: string): KubeObject {
  return {
    apiVersion: GW,
    kind: "Gateway",
    metadata: { name, namespace, generation: 1 },
    spec: {
      gatewayClassName: "alb",
      ...(parametersRef
        ? {
            infrastructure: {
              parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: parametersRef },
            },
          }
        : {}),
      listeners: [{ name: "http", port: 80, protocol: "HTTP" }],
    },
  } as KubeObject;
}

function route(namespace: string, name: string, gatewayName: string, service: string): KubeObject {
  return {
    apiVersion: GW,
    kind: "HTTPRoute",
    metadata: { name, namespace, generation: 1 },
    spec: { parentRefs: [{ name: gatewayName }], rules: [{ backendRefs: [{ name: service, port: 80 }] }] },
  } as KubeObject;
}

function service(namespace: string, name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { type: "NodePort", ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] },
  } as KubeObject;
}

const world: KubeObject[] = [
  {
    apiVersion: GW,
    kind: "GatewayClass",
    metadata: { name: "alb", generation: 1 },
    spec: { controllerName: "switchyard.dev/alb" },
  } as KubeObject,
  // a/instance: a Service-level TargetGroupConfiguration asks for instance targets.
  gateway("a", "instance"),
  route("a", "r1", "instance", "web"),
  service("a", "web"),
  {
    apiVersion: LBC,
    kind: "TargetGroupConfiguration",
    metadata: { name: "web", namespace: "a" },
    spec: { targetReference: { name: "web" }, defaultConfiguration: { targetType: "instance" } },
  } as KubeObject,
  // b/defaults: its LoadBalancerConfiguration's default TargetGroupConfiguration does.
  gateway("b", "defaults", "lbc"),
  route("b", "r2", "defaults", "api"),
  service("b", "api"),
  {
    apiVersion: LBC,
    kind: "LoadBalancerConfiguration",
    metadata: { name: "lbc", namespace: "b" },
    spec: { defaultTargetGroupConfiguration: { name: "defaults" } },
  } as KubeObject,
  {
    apiVersion: LBC,
    kind: "TargetGroupConfiguration",
    metadata: { name: "defaults", namespace: "b" },
    spec: { defaultConfiguration: { targetType: "instance" } },
  } as KubeObject,
  // c/ip: IP targets only; nodes do not matter to it.
  gateway("c", "ip"),
  route("c", "r3", "ip", "db"),
  service("c", "db"),
];

describe("affectedGateways for a Node", () => {
  it("names the Gateways with instance target groups and no other", () => {
    const found = affectedGateways(
      CLUSTER,
      { kind: "Node", before: node(false), after: node(true) },
      snapshotOf(world),
    );
    expect([...found].sort()).toEqual(
      [clusterGatewayKey(CLUSTER, "a", "instance"), clusterGatewayKey(CLUSTER, "b", "defaults")].sort(),
    );
  });

  it("matches what the node changes in the translation", () => {
    const targetsOf = (ready: boolean) =>
      new Map(
        translate(snapshotOf([...world, node(ready)]), controllerConfig(), { clusterId: CLUSTER }).loadBalancers.map(
          (b) => [b.model.gatewayKey, JSON.stringify(b.model.targetGroups.map((tg) => tg.targets))],
        ),
      );
    const before = targetsOf(false);
    const after = targetsOf(true);
    const changed = [...after.keys()].filter((key) => before.get(key) !== after.get(key)).sort();
    expect(changed).toEqual(["a/instance", "b/defaults"]);
  });
});
