/**
 * What the engine may conclude from an ELBv2 operation: deletions, what depends on a refused rule,
 * and the route a refused rule is reported with.
 */
import { describe, expect, it } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { ELB_DATA_PLANE } from "../../../shared/reconcile/elb-plane.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";

const create = (key: string): ElbOperation => ({
  op: "CreateRule",
  listenerId: "HTTP:80",
  key,
  priority: 10,
  conditions: [],
  actions: [],
  tags: {},
});
const modify: ElbOperation = {
  op: "ModifyRule",
  listenerId: "HTTP:80",
  rule: { arn: "arn:r" },
  conditions: [],
  actions: [],
};

describe("ELB as a data plane", () => {
  it("a deletion is a Delete operation or a Web ACL disassociation, and nothing else", () => {
    const deletions: ElbOperation[] = [
      { op: "DeleteRule", listenerId: "HTTP:80", rule: { arn: "arn:r" } },
      { op: "DeleteTargetGroup", targetGroupId: "tg", arn: "arn:tg" },
      { op: "DeleteListener", listenerId: "HTTP:80", arn: "arn:l" },
      { op: "DeleteLoadBalancer", arn: "arn:lb", reason: "gone" },
      { op: "DeleteProtection", protectionId: "p-1" },
      { op: "DisassociateWebACL", webAclArn: "arn:acl" },
      // The managed security groups' cleanup: a group or rule AWS no longer finds is gone already.
      { op: "RevokeSecurityGroupIngress", rules: [] },
      { op: "RevokeTargetIngress", rules: [] },
      { op: "DeleteSecurityGroup", role: "frontend", groupId: "sg-f" },
      { op: "ReleaseBackendSecurityGroup", groupId: "sg-b" },
    ];
    expect(deletions.filter((op) => !ELB_DATA_PLANE.isDeletion(op))).toEqual([]);
    const others: ElbOperation[] = [
      create("HTTP:80#0"),
      modify,
      { op: "CreateProtection" },
      { op: "AssociateWebACL", webAclArn: "arn:acl" },
      { op: "ModifyCapacityReservation" },
    ];
    expect(others.map((op) => ELB_DATA_PLANE.isDeletion(op))).toEqual([false, false, false, false, false]);
  });

  it("operations naming a rule a refused CreateRule would have made depend on it; others do not", () => {
    const failed = create("HTTP:80#1");
    const priorities = (ref: { created: string } | { arn: string }): ElbOperation => ({
      op: "SetRulePriorities",
      listenerId: "HTTP:80",
      priorities: [
        { rule: { arn: "arn:other" }, priority: 1 },
        { rule: ref, priority: 2 },
      ],
    });
    expect(ELB_DATA_PLANE.dependsOn(priorities({ created: "HTTP:80#1" }), failed)).toBe(true);
    expect(ELB_DATA_PLANE.dependsOn(priorities({ created: "HTTP:80#2" }), failed)).toBe(false);
    expect(ELB_DATA_PLANE.dependsOn(priorities({ arn: "HTTP:80#1" }), failed)).toBe(false);
    expect(ELB_DATA_PLANE.dependsOn({ ...modify, rule: { created: "HTTP:80#1" } }, failed)).toBe(true);
    expect(
      ELB_DATA_PLANE.dependsOn({ op: "DeleteRule", listenerId: "HTTP:80", rule: { created: "HTTP:80#1" } }, failed),
    ).toBe(true);
    expect(ELB_DATA_PLANE.dependsOn(failed, failed)).toBe(false);
    expect(ELB_DATA_PLANE.dependsOn(create("HTTP:80#2"), failed)).toBe(false);
    // A refused ModifyRule leaves the rule in place: re-prioritising it still works.
    expect(ELB_DATA_PLANE.dependsOn(priorities({ arn: "arn:r" }), modify)).toBe(false);
  });

  it("makes room for a rule with the same listener's pending rule deletions first", () => {
    const stale: ElbOperation = { op: "DeleteRule", listenerId: "HTTP:80", rule: { arn: "arn:old" } };
    const elsewhere: ElbOperation = { op: "DeleteRule", listenerId: "HTTP:8080", rule: { arn: "arn:x" } };
    const pending = [elsewhere, stale, modify];
    expect(ELB_DATA_PLANE.makeRoom(create("HTTP:80#0"), pending)).toEqual([stale]);
    expect(ELB_DATA_PLANE.makeRoom(modify, pending)).toEqual([]);
  });

  it("makes room with another listener's pending rule deletions when its own has none: the quota is per load balancer", () => {
    const elsewhere: ElbOperation = { op: "DeleteRule", listenerId: "HTTP:8080", rule: { arn: "arn:x" } };
    expect(ELB_DATA_PLANE.makeRoom(create("HTTP:80#0"), [elsewhere, modify])).toEqual([elsewhere]);
  });
});

describe("the route a refused rule is reported with", () => {
  const conditions = (path: string) => [{ field: "path-pattern" as const, values: [path] }];
  const rule = (path: string, route: string) => ({ conditions: conditions(path), source: { route } });
  // Only what refusedRule reads of the model: each listener's id, and its rules' conditions and route.
  const desired = {
    listeners: [
      { id: "HTTP:80", rules: [rule("/a", "apps/a"), rule("/b", "apps/b")] },
      { id: "HTTPS:443", rules: [rule("/s", "apps/s")] },
    ],
  } as unknown as LoadBalancerModel;
  const error = ElbOperationError.fromCode("ValidationError", "CreateRule", "invalid");
  const createWith = (key: string, path: string, listenerId = "HTTP:80"): ElbOperation => ({
    op: "CreateRule",
    listenerId,
    key,
    priority: 10,
    conditions: conditions(path),
    actions: [],
    tags: {},
  });
  const modifyWith = (path: string, listenerId = "HTTP:80"): ElbOperation => ({
    op: "ModifyRule",
    listenerId,
    rule: { arn: "arn:r" },
    conditions: conditions(path),
    actions: [],
  });

  it("a new rule's is the route of the model's rule its plan key names, whatever its conditions", () => {
    expect(ELB_DATA_PLANE.refusedRule(createWith("HTTP:80#1", "/a"), error, desired)).toEqual({
      operation: "CreateRule",
      listenerId: "HTTP:80",
      route: "apps/b",
      code: "ValidationError",
      message: "invalid",
    });
    expect(ELB_DATA_PLANE.refusedRule(createWith("HTTPS:443#0", "/x", "HTTPS:443"), error, desired)?.route).toBe(
      "apps/s",
    );
  });

  it("a new rule whose key names no model rule, and a modified rule, are found by their conditions", () => {
    expect(ELB_DATA_PLANE.refusedRule(createWith("HTTP:80#7", "/b"), error, desired)?.route).toBe("apps/b");
    expect(ELB_DATA_PLANE.refusedRule(modifyWith("/b"), error, desired)).toMatchObject({
      operation: "ModifyRule",
      route: "apps/b",
    });
    expect(ELB_DATA_PLANE.refusedRule(modifyWith("/s", "HTTPS:443"), error, desired)?.route).toBe("apps/s");
  });

  it("a rule no model rule matches is reported on its listener alone; anything but a rule is not isolated", () => {
    const unmatched = ELB_DATA_PLANE.refusedRule(modifyWith("/nowhere"), error, desired);
    expect(unmatched).toEqual({
      operation: "ModifyRule",
      listenerId: "HTTP:80",
      code: "ValidationError",
      message: "invalid",
    });
    expect(unmatched).not.toHaveProperty("route");
    expect(ELB_DATA_PLANE.refusedRule(modifyWith("/s", "HTTP:80"), error, desired)).not.toHaveProperty("route");
    const others: ElbOperation[] = [
      { op: "DeleteRule", listenerId: "HTTP:80", rule: { arn: "arn:r" } },
      { op: "SetRulePriorities", listenerId: "HTTP:80", priorities: [] },
    ];
    for (const op of others) expect(ELB_DATA_PLANE.refusedRule(op, error, desired)).toBeUndefined();
  });
});
