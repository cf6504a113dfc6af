/** What the engine may conclude from an ELBv2 operation: deletions, and what depends on a refused rule. */
import { describe, expect, it } from "vitest";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { ELB_DATA_PLANE } from "../../../shared/reconcile/elb-plane.ts";

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
    ];
    expect(deletions.map((op) => ELB_DATA_PLANE.isDeletion(op))).toEqual([true, true, true, true, true, true]);
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
