// A policy's status.ancestors written one ancestor Gateway at a time: each write replaces only
// switchyard's entries for its own Gateway, in place, and keeps every other entry.
import { describe, expect, test } from "vitest";
import type { PolicyAncestorStatus } from "../../../shared/gateway-api/types.ts";
import type { Condition } from "../../../shared/k8s/meta.ts";
import { mergePolicyAncestors, namesGateway } from "../../../shared/status/merge.ts";
import { decideStatusWrite, type StatusIntent } from "../../../shared/status/writer/decision.ts";

const T1 = "2026-11-22T10:00:00Z";
const T2 = "2026-11-22T11:00:00Z";
const ALB = "switchyard.dev/alb";
const NLB = "switchyard.dev/nlb";
const OTHER = "example.com/other";
const GROUP = "gateway.networking.k8s.io";

function cond(status: boolean, extra: Partial<Condition> = {}): Condition {
  return { type: "Accepted", status: status ? "True" : "False", reason: "R", message: "m", ...extra };
}

function entry(gateway: string, controllerName = ALB, accepted = false, extra: Partial<Condition> = {}) {
  return {
    ancestorRef: { group: GROUP, kind: "Gateway", namespace: "apps", name: gateway },
    controllerName,
    conditions: [cond(accepted, extra)],
  };
}

function policy(gateway: string, ancestors: PolicyAncestorStatus[], generation = 4): StatusIntent {
  return {
    kind: "BackendTLSPolicy",
    namespace: "apps",
    name: "tls",
    observedGeneration: generation,
    gateway: { namespace: "apps", name: gateway },
    ancestors,
    controllerNames: [ALB, NLB],
  };
}

function written(intent: StatusIntent, status: Record<string, unknown>, now = T1) {
  const decision = decideStatusWrite(intent, { resourceVersion: "1", status }, now);
  if (!decision.write) throw new Error(`expected a write, got ${decision.reason}`);
  return decision.status;
}

describe("namesGateway", () => {
  test("an ancestorRef without namespace is in the policy's namespace; kind and group default to Gateway", () => {
    const gw = { namespace: "apps", name: "gw" };
    expect(namesGateway({ name: "gw" }, gw, "apps")).toBe(true);
    expect(namesGateway({ name: "gw" }, gw, "other")).toBe(false);
    expect(namesGateway({ name: "gw", sectionName: "https" }, gw, "apps")).toBe(true);
    expect(namesGateway({ name: "gw", kind: "Service", group: "" }, gw, "apps")).toBe(false);
    expect(namesGateway({ name: "gw", kind: "Gateway", group: "example.com" }, gw, "apps")).toBe(false);
  });
});

describe("policy ancestor merge", () => {
  test("replaces our entry for the Gateway in place, keeping other Gateways' and other controllers' entries", () => {
    const existing = { ancestors: [entry("a"), entry("gw", OTHER, true), entry("gw"), entry("b")] };
    const merged = mergePolicyAncestors(
      existing,
      [entry("gw", ALB, true)],
      { gateway: { namespace: "apps", name: "gw" }, controllerNames: [ALB, NLB] },
      "apps",
      T1,
    );
    expect(merged.ancestors.map((a) => `${a.ancestorRef.name}:${a.controllerName}:${a.conditions[0]?.status}`)).toEqual(
      [`a:${ALB}:False`, `gw:${OTHER}:True`, `gw:${ALB}:True`, `b:${ALB}:False`],
    );
  });

  test("appends an entry for a Gateway that had none", () => {
    const merged = mergePolicyAncestors(
      { ancestors: [entry("a")] },
      [entry("gw")],
      { gateway: { namespace: "apps", name: "gw" }, controllerNames: [ALB] },
      "apps",
      T1,
    );
    expect(merged.ancestors.map((a) => a.ancestorRef.name)).toEqual(["a", "gw"]);
  });
});

describe("policy status write decision", () => {
  test("two Gateways' writes leave both entries, each in its own place", () => {
    const afterA = written(policy("a", [entry("a")]), {});
    const afterB = written(policy("b", [entry("b", NLB, true)]), afterA);
    expect(afterB.ancestors).toEqual([
      entry("a", ALB, false, { observedGeneration: 4, lastTransitionTime: T1 }),
      entry("b", NLB, true, { observedGeneration: 4, lastTransitionTime: T1 }),
    ]);
    // Gateway a's reconcile again, unchanged: nothing to write, the order holds.
    expect(decideStatusWrite(policy("a", [entry("a")]), { resourceVersion: "2", status: afterB }, T2)).toEqual({
      write: false,
      reason: "unchanged",
    });
  });

  test("a flipped verdict gets a new lastTransitionTime; the other Gateway's entry keeps its own", () => {
    const before = written(policy("b", [entry("b")]), written(policy("a", [entry("a")]), {}));
    const after = written(policy("a", [entry("a", ALB, true)]), before, T2);
    expect(after.ancestors).toEqual([
      entry("a", ALB, true, { observedGeneration: 4, lastTransitionTime: T2 }),
      entry("b", ALB, false, { observedGeneration: 4, lastTransitionTime: T1 }),
    ]);
  });

  test("an empty update clears our entry for its Gateway only", () => {
    const status = {
      ancestors: [entry("a", ALB, false, { observedGeneration: 4 }), entry("b"), entry("a", OTHER, true)],
    };
    expect(written(policy("a", []), status).ancestors).toEqual([entry("b"), entry("a", OTHER, true)]);
  });

  test("an empty update on a status without ancestors writes nothing", () => {
    expect(decideStatusWrite(policy("a", []), { resourceVersion: "1", status: {} }, T1)).toEqual({
      write: false,
      reason: "unchanged",
    });
  });

  test("a verdict from an older generation than our entry for this Gateway is stale", () => {
    const status = { ancestors: [entry("a", ALB, true, { observedGeneration: 5 })] };
    expect(decideStatusWrite(policy("a", [entry("a")], 4), { resourceVersion: "1", status }, T1)).toEqual({
      write: false,
      reason: "stale",
    });
  });

  test("a newer generation on another Gateway's entry does not make this Gateway's verdict stale", () => {
    const status = { ancestors: [entry("b", ALB, true, { observedGeneration: 9 })] };
    const after = written(policy("a", [entry("a")], 4), status);
    expect((after.ancestors as PolicyAncestorStatus[]).map((a) => a.ancestorRef.name)).toEqual(["b", "a"]);
  });
});
