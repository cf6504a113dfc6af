import { describe, expect, test } from "vitest";
import type { PolicyTargetRef, TargetGroupPolicy } from "../../../shared/extensions/lattice.ts";
import { resolvePolicies } from "../../../shared/graph/policies.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import type { PolicyStatusUpdate } from "../../../shared/status/compute.ts";
import { gateway, statusesOf } from "./fixtures.ts";

function targetGroupPolicy(name: string, targetRef: PolicyTargetRef): TargetGroupPolicy {
  return {
    apiVersion: "application-networking.k8s.aws/v1alpha1",
    kind: "TargetGroupPolicy",
    metadata: { name, namespace: "infra", generation: 1, creationTimestamp: "2026-02-01T00:00:00Z" },
    spec: { targetRef, protocol: "HTTP" },
  };
}

const service: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "infra" } };
const onService = (name: string) => targetGroupPolicy(name, { group: "", kind: "Service", name: "web" });

describe("policy resolution", () => {
  test("policies come out in key order whatever order they are listed in", () => {
    const forward = resolvePolicies(snapshotOf([service, onService("z"), onService("y")]));
    const backward = resolvePolicies(snapshotOf([service, onService("y"), onService("z")]));
    expect(forward.map((p) => p.key)).toEqual(["TargetGroupPolicy/infra/y", "TargetGroupPolicy/infra/z"]);
    expect(backward.map((p) => [p.key, p.problem?.reason])).toEqual(forward.map((p) => [p.key, p.problem?.reason]));
  });
});

describe("policy status", () => {
  test("a policy whose target kind is not allowed reports Invalid on the rejected target, not nothing", () => {
    const updates = statusesOf(
      gateway("net", "lattice", [{ name: "http", port: 80, protocol: "HTTP" }]),
      targetGroupPolicy("on-gateway", { group: "gateway.networking.k8s.io", kind: "Gateway", name: "net" }),
    );
    const policy = updates.find((u): u is PolicyStatusUpdate => u.kind === "TargetGroupPolicy");
    expect(policy?.status.ancestors).toHaveLength(1);
    expect(policy?.status.ancestors[0]?.ancestorRef).toMatchObject({ kind: "Gateway", name: "net" });
    expect(policy?.status.ancestors[0]?.conditions[0]).toMatchObject({ status: "False", reason: "Invalid" });
  });

  test("a Lattice policy with no ancestor Gateway is reported under a Lattice controller name", () => {
    const updates = statusesOf(targetGroupPolicy("ghost", { group: "", kind: "Service", name: "ghost" }));
    const policy = updates.find((u): u is PolicyStatusUpdate => u.kind === "TargetGroupPolicy");
    expect(policy?.status.ancestors[0]).toMatchObject({
      controllerName: "switchyard.dev/lattice",
      conditions: [{ reason: "TargetNotFound" }],
    });
  });
});
