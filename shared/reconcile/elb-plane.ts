/**
 * Elastic Load Balancing (ALB and NLB) as a data plane of the reconcile engine: the ELB planner,
 * the model hash, and what the engine may conclude from an ELBv2 operation or refusal.
 */
import { createHash } from "node:crypto";
import type { LoadBalancerModel } from "../elb/model.ts";
import { emptyObserved, type ObservedElb } from "../elb/observed.ts";
import type { ElbOperation, RuleRef } from "../elb/operations.ts";
import { planElb } from "../elb/plan.ts";
import type { DataPlane, FailedRule } from "./ports.ts";

/** ELBv2 load balancer states that serve traffic. */
export const SERVING: ReadonlySet<string> = new Set(["active", "active_impaired"]);

export function modelHash(model: LoadBalancerModel | undefined): string {
  return createHash("sha256")
    .update(model ? JSON.stringify(model) : "deleted")
    .digest("hex");
}

function sameRef(a: RuleRef, b: RuleRef): boolean {
  return "arn" in a ? "arn" in b && a.arn === b.arn : "created" in b && a.created === b.created;
}

/** The rules an operation names, to tell whether it depends on a refused one. */
function rulesOf(op: ElbOperation): RuleRef[] {
  switch (op.op) {
    case "CreateRule":
      return [{ created: op.key }];
    case "ModifyRule":
    case "DeleteRule":
      return [op.rule];
    case "SetRulePriorities":
      return op.priorities.map((p) => p.rule);
    default:
      return [];
  }
}

/** The route of the desired rule an operation writes: by plan key (`listener#index`) or conditions. */
function routeOf(op: ElbOperation, desired: LoadBalancerModel | undefined): string | undefined {
  if (op.op !== "CreateRule" && op.op !== "ModifyRule") return undefined;
  const rules = desired?.listeners.find((l) => l.id === op.listenerId)?.rules ?? [];
  if (op.op === "CreateRule") {
    const index = Number(op.key.slice(op.key.lastIndexOf("#") + 1));
    const byKey = rules[index];
    if (byKey) return byKey.source.route;
  }
  const conditions = JSON.stringify(op.conditions);
  return rules.find((r) => JSON.stringify(r.conditions) === conditions)?.source.route;
}

export const ELB_DATA_PLANE: DataPlane<LoadBalancerModel, ObservedElb, ElbOperation> = {
  // An ALB record becoming an NLB (or back) is the same plane: the plan replaces the load balancer.
  dataPlanes: ["alb", "nlb"],
  plan: planElb,
  hash: modelHash,
  // A load balancer still provisioning is re-read on every reconcile until it serves, so
  // Programmed turns True as soon as AWS says so rather than at the next drift check.
  isSettling: (applied) => applied.loadBalancer?.state !== undefined && !SERVING.has(applied.loadBalancer.state),
  empty: emptyObserved,
  makeRoom: (op, pending) => {
    // ALB's rule quota is per load balancer, so any stale rule frees room; this listener's go
    // first, since only requests no new rule matches can notice them going early.
    if (op.op !== "CreateRule") return [];
    const deletions = pending.filter((p) => p.op === "DeleteRule");
    const here = deletions.filter((p) => p.op === "DeleteRule" && p.listenerId === op.listenerId);
    return here.length > 0 ? here : deletions;
  },
  isDeletion: (op) =>
    op.op === "DeleteRule" ||
    op.op === "DeleteTargetGroup" ||
    op.op === "DeleteListener" ||
    op.op === "DeleteLoadBalancer" ||
    op.op === "RevokeSecurityGroupIngress" ||
    op.op === "RevokeTargetIngress" ||
    op.op === "DeleteSecurityGroup" ||
    op.op === "ReleaseBackendSecurityGroup" ||
    op.op === "DeleteProtection" ||
    op.op === "DisassociateWebACL",
  refusedRule: (op, error, desired): FailedRule | undefined => {
    if (op.op !== "CreateRule" && op.op !== "ModifyRule") return undefined;
    const route = routeOf(op, desired);
    return {
      operation: op.op,
      listenerId: op.listenerId,
      ...(route !== undefined ? { route } : {}),
      code: error.code,
      message: error.message,
    };
  },
  // Only a rule that was never created leaves later operations on it nothing to act on; a refused
  // ModifyRule leaves the rule as it was, which can still be re-prioritised or deleted.
  dependsOn: (op, failed) =>
    failed.op === "CreateRule" && op !== failed && rulesOf(op).some((r) => sameRef(r, { created: failed.key })),
};
