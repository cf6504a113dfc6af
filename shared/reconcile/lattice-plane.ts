/**
 * VPC Lattice as a data plane of the reconcile engine: the Lattice planner, the model hash, what
 * the engine may conclude from a Lattice operation or refusal, and what an outcome means for the
 * Gateway's status (Programmed, the address, AWS errors).
 */
import { createHash } from "node:crypto";
import { classifyAwsErrorCode } from "../aws/errors.ts";
import { isGatewayServiceId } from "../lattice/gateway-service.ts";
import type { LatticeExportModel, LatticeModel } from "../lattice/model.ts";
import { emptyObservedLattice, latticeDraining, latticeSettling, type ObservedLattice } from "../lattice/observed.ts";
import { isLatticeDeletion, type LatticeOperation, type LatticePolicyTarget } from "../lattice/operations.ts";
import { planLattice, planLatticeExport } from "../lattice/plan.ts";
import type { DataPlaneObservation } from "../status/compute.ts";
import { Reason } from "../status/conditions.ts";
import type { DataPlaneOutcome } from "./engine.ts";
import { type DataPlane, DataPlaneOperationError, type DataPlanePort, type FailedRule } from "./ports.ts";

/** What the engine needs from VPC Lattice for one Gateway in one target account. */
export interface LatticePort extends DataPlanePort<ObservedLattice, LatticeOperation> {
  /**
   * The model with the ARNs of groups it forwards to but does not own (other clusters' ServiceExport
   * groups, found by name), before the engine plans it.
   * @default undefined — references keep only the ARNs translation gave them
   */
  resolve?(desired: LatticeModel): Promise<LatticeModel>;
}

export type LatticeOutcome = DataPlaneOutcome<ObservedLattice, LatticeOperation>;

/** A Lattice operation failure; the constructor the Lattice adapter and the simulator use. */
export class LatticeOperationError extends DataPlaneOperationError<ObservedLattice> {
  constructor(
    kind: DataPlaneOperationError["kind"],
    code: string,
    operation: LatticeOperation["op"] | "observe" | "discover" | "refresh",
    message: string,
    observed?: ObservedLattice,
  ) {
    super(kind, code, operation, message, observed);
    this.name = "LatticeOperationError";
  }

  static fromCode(
    code: string,
    operation: LatticeOperation["op"] | "observe" | "discover" | "refresh",
    message: string,
    observed?: ObservedLattice,
  ): LatticeOperationError {
    const classified = classifyAwsErrorCode(code, message);
    return new LatticeOperationError(classified.kind, classified.reason, operation, message, observed);
  }
}

export function latticeModelHash(model: LatticeModel | LatticeExportModel | undefined): string {
  return createHash("sha256")
    .update(model ? JSON.stringify(model) : "deleted")
    .digest("hex");
}

function ruleSource(
  desired: LatticeModel | undefined,
  serviceId: string,
  listenerId: string,
  ruleId: string,
): string | undefined {
  const listener = desired?.services.find((s) => s.id === serviceId)?.listeners.find((l) => l.id === listenerId);
  return listener?.rules.find((r) => r.id === ruleId)?.source.route ?? (listener ? serviceId : undefined);
}

/**
 * A stale service's deletion, or the deletion of an association of a service that goes: Lattice
 * refuses to delete a service still associated, so the two are taken together, in plan order.
 */
function staleServiceDeletion(op: LatticeOperation, pending: readonly LatticeOperation[]): boolean {
  return (
    op.op === "DeleteService" ||
    (op.op === "DeleteServiceAssociation" &&
      pending.some((p) => p.op === "DeleteService" && p.serviceId === op.serviceId))
  );
}

/** The Lattice policy an operation applies, and the resource it applies it to, if it applies one. */
interface AppliedPolicy {
  kind: "IAMAuthPolicy" | "AccessLogPolicy" | "TargetGroupPolicy" | "VpcAssociationPolicy";
  /** The policy's `namespace/name`. */
  source: string;
  /** The model id of what it applies to: a service, `service-network`, a target group. */
  resource: string;
}

function policyResource(target: LatticePolicyTarget): string {
  return target.kind === "service" ? target.serviceId : "service-network";
}

/**
 * Which policy `op` applies, from the operation itself or the desired model. Only operations that
 * apply a policy and nothing else: a refused target group creation or service creation still stops
 * the apply (the rules forwarding to it would fail too).
 */
function refusedPolicy(op: LatticeOperation, desired: LatticeModel | undefined): AppliedPolicy | undefined {
  const policiesOf = (target: LatticePolicyTarget) =>
    target.kind === "service-network"
      ? desired?.serviceNetwork
      : desired?.services.find((s) => s.id === target.serviceId);
  const found = (kind: AppliedPolicy["kind"], source: string | undefined, resource: string) =>
    source === undefined ? undefined : { kind, source, resource };
  switch (op.op) {
    case "PutAuthPolicy":
      return found("IAMAuthPolicy", op.source, policyResource(op.target));
    case "UpdateAuthType":
      // Setting AWS_IAM is the policy's application; NONE is its removal, switchyard's own doing.
      return op.authType === "AWS_IAM"
        ? found("IAMAuthPolicy", policiesOf(op.target)?.auth?.source, policyResource(op.target))
        : undefined;
    case "CreateAccessLogSubscription":
      return found("AccessLogPolicy", op.source, policyResource(op.target));
    case "UpdateAccessLogSubscription":
      return found(
        "AccessLogPolicy",
        policiesOf(op.target)?.accessLogs.find((l) => l.destinationArn === op.destinationArn)?.policy,
        policyResource(op.target),
      );
    case "UpdateTargetGroup":
      return found(
        "TargetGroupPolicy",
        desired?.targetGroups.find((g) => g.id === op.targetGroupId)?.policy,
        op.targetGroupId,
      );
    case "CreateVpcAssociation":
    case "UpdateVpcAssociation":
      return found("VpcAssociationPolicy", desired?.serviceNetwork.vpcAssociation?.policy, "service-network");
    default:
      return undefined;
  }
}

export const LATTICE_DATA_PLANE: DataPlane<LatticeModel, ObservedLattice, LatticeOperation> = {
  dataPlanes: ["lattice"],
  plan: planLattice,
  hash: latticeModelHash,
  // A service, target group or association still being created is re-read on every reconcile
  // until Lattice says ACTIVE, so Programmed turns True as soon as it is.
  isSettling: latticeSettling,
  // A group being created takes its targets (and a service's rules move to it) only once a re-read
  // says it is ACTIVE: a record still settling is re-read, just what settles, before planning.
  refreshBeforePlan: latticeSettling,
  empty: emptyObservedLattice,
  makeRoom: (op, pending) => {
    // Lattice quotas are per listener (rules), per service (listeners) and per Region (groups):
    // only stale resources of the same scope free room.
    switch (op.op) {
      case "CreateRule":
        return pending.filter(
          (p) => p.op === "DeleteRule" && p.serviceId === op.serviceId && p.listenerId === op.listenerId,
        );
      case "CreateListener":
        return pending.filter((p) => p.op === "DeleteListener" && p.serviceId === op.serviceId);
      case "CreateTargetGroup":
        // Lattice refuses to delete a group a listener still forwards to: the stale services
        // (those of removed routes) go first, as they would later in the plan.
        return pending.some((p) => p.op === "DeleteTargetGroup")
          ? pending.filter((p) => p.op === "DeleteTargetGroup" || staleServiceDeletion(p, pending))
          : [];
      case "CreateService":
        return pending.filter((p) => staleServiceDeletion(p, pending));
      default:
        return [];
    }
  },
  isDeletion: isLatticeDeletion,
  refusedRule: (op, error, desired): FailedRule | undefined => {
    if (op.op === "CreateRule") {
      const route = ruleSource(desired, op.serviceId, op.listenerId, op.ruleId);
      return {
        operation: op.op,
        listenerId: op.listenerId,
        ...(route ? { route } : {}),
        code: error.code,
        message: error.message,
      };
    }
    if (op.op === "UpdateRules") {
      const route = ruleSource(desired, op.serviceId, op.listenerId, op.updates[0]?.ruleId ?? "");
      return {
        operation: "BatchUpdateRule",
        listenerId: op.listenerId,
        ...(route ? { route } : {}),
        code: error.code,
        message: error.message,
      };
    }
    // A policy Lattice refuses (its document, a destination someone else holds, a health check or
    // security groups it does not take) is refused alone, named in the Gateway's status and in the
    // policy's own, and keeps no route from being programmed.
    const policy = refusedPolicy(op, desired);
    if (policy) {
      return {
        operation: op.op,
        listenerId: policy.resource,
        route: `${policy.kind} ${policy.source}`,
        policy: `${policy.kind}/${policy.source}`,
        code: error.code,
        message: error.message,
      };
    }
    return undefined;
  },
  dependsOn: (op, failed) =>
    // A batch that moves a rule that was never created has nothing to move.
    (failed.op === "CreateRule" &&
      op !== failed &&
      op.op === "UpdateRules" &&
      op.serviceId === failed.serviceId &&
      op.listenerId === failed.listenerId &&
      op.updates.some((u) => u.ruleId === failed.ruleId)) ||
    // AWS_IAM without the policy in place would deny every request.
    (failed.op === "PutAuthPolicy" &&
      op.op === "UpdateAuthType" &&
      op.authType === "AWS_IAM" &&
      JSON.stringify(op.target) === JSON.stringify(failed.target)),
};

/**
 * One ServiceExport's target groups as a unit of the same engine (shared/lattice/README.md,
 * "ServiceExport groups"): the same executors and judgements as a Gateway, its own planner — the
 * groups alone, targets once a group is ACTIVE, a stale one drained before it goes — and its
 * record re-read before planning while a group is being created or its targets drain.
 */
export const LATTICE_EXPORT_DATA_PLANE: DataPlane<LatticeExportModel, ObservedLattice, LatticeOperation> = {
  dataPlanes: ["lattice"],
  plan: planLatticeExport,
  hash: latticeModelHash,
  isSettling: latticeSettling,
  // A group being created takes its targets, and a drained one goes, only once a re-read says so.
  refreshBeforePlan: (applied) => latticeDraining(applied) || latticeSettling(applied),
  empty: emptyObservedLattice,
  makeRoom: (op, pending) => LATTICE_DATA_PLANE.makeRoom(op, pending),
  isDeletion: isLatticeDeletion,
  // An export plan holds no rules: every refusal stops the apply.
  refusedRule: () => undefined,
  dependsOn: () => false,
};

/** Lattice failures that mean the account lacks something the Gateway needs (`NoResources`). */
const NO_RESOURCES = new Set(["ServiceNetworkNotFound", "ServiceQuotaExceeded"]);

/**
 * The address the Gateway publishes: the DNS name of its address service (its Gateway service, or
 * without one the oldest route without a custom domain name); with no desired model (held), of its
 * Gateway service; else of its first service that has one.
 */
export function latticeAddress(observed: ObservedLattice, desired: LatticeModel | undefined): string | undefined {
  const preferred = desired?.addressService;
  const service =
    (preferred ? observed.services.find((s) => s.id === preferred && s.dnsName) : undefined) ??
    (desired ? undefined : observed.services.find((s) => isGatewayServiceId(s.id) && s.dnsName)) ??
    observed.services.find((s) => s.dnsName);
  return service?.dnsName?.toLowerCase();
}

/**
 * The policies AWS refused to apply, by policy key, for their own status: Accepted=False, reason
 * Invalid (the policy as written is what AWS would not take), AWS's code and words in the message.
 * Undefined when no refusal was a policy's.
 */
export function latticePolicyProblems(
  failed: readonly FailedRule[],
): Record<string, { reason: string; message: string }> | undefined {
  const problems: Record<string, { reason: string; message: string }> = {};
  for (const rule of failed) {
    if (rule.policy === undefined) continue;
    const refusal = `VPC Lattice refused ${rule.operation} on ${rule.listenerId}: ${rule.code}: ${rule.message}`;
    const earlier = problems[rule.policy];
    problems[rule.policy] = {
      reason: Reason.Invalid,
      message: earlier ? `${earlier.message}; ${refusal}` : refusal,
    };
  }
  return Object.keys(problems).length > 0 ? problems : undefined;
}

/** The observation for status, or undefined when the outcome says nothing new (busy, deleted). */
export function latticeObservationOf(
  outcome: LatticeOutcome,
  desired: LatticeModel | undefined,
): DataPlaneObservation | undefined {
  switch (outcome.kind) {
    case "busy":
    case "deleted":
    case "elsewhere":
      return undefined;
    case "held": {
      const { serviceNetwork, services } = outcome.observed;
      // Nothing was ever created: the status of any Gateway that is not accepted.
      if (!serviceNetwork && services.length === 0) return undefined;
      const address = latticeAddress(outcome.observed, undefined);
      const network = serviceNetwork ? `service network ${serviceNetwork.name} with ` : "";
      return {
        programmed: false,
        ...(address ? { address } : {}),
        held: `${network}${services.length} service(s) keep serving the last accepted configuration, unchanged until the configuration is fixed or the Gateway is deleted`,
      };
    }
    case "failed": {
      const address = latticeAddress(outcome.observed, desired);
      const retry = outcome.retryable ? "; switchyard retries" : "";
      return {
        programmed: false,
        ...(address ? { address } : {}),
        ...(NO_RESOURCES.has(outcome.error.code) ? { reason: "NoResources" } : {}),
        message: `${outcome.error.operation} failed: ${outcome.error.code}: ${outcome.error.message}${retry}`,
      };
    }
    case "unchanged":
    case "applied": {
      const observed = outcome.observed;
      const address = latticeAddress(observed, desired);
      const wanted = desired?.services ?? [];
      const missing = wanted.filter((s) => !observed.services.some((o) => o.id === s.id));
      // A group being created is not ready either: its targets are registered once it is ACTIVE.
      const waiting = [
        ...observed.services.filter((s) => s.status !== undefined && s.status !== "ACTIVE"),
        ...observed.targetGroups.filter((t) => t.status !== undefined && t.status !== "ACTIVE"),
      ];
      const replaced = outcome.kind === "applied" && outcome.replacement ? `replaced ${outcome.replacement}; ` : "";
      const refused =
        outcome.kind === "applied" && outcome.failedRules
          ? `; AWS refused ${outcome.failedRules
              .map((r) => `${r.operation} for ${r.route ?? r.listenerId} (${r.code}: ${r.message})`)
              .join(", ")}`
          : "";
      const policies = outcome.kind === "applied" ? latticePolicyProblems(outcome.failedRules ?? []) : undefined;
      const network = observed.serviceNetwork
        ? `service network ${observed.serviceNetwork.name}`
        : "no service network";
      if (missing.length > 0) {
        return {
          programmed: false,
          ...(address ? { address } : {}),
          message: `${replaced}${network}; services not created yet: ${missing.map((s) => s.name).join(", ")}${refused}`,
          ...(policies ? { policyProblems: policies } : {}),
        };
      }
      const programmed = waiting.length === 0;
      const pending = outcome.kind === "applied" && outcome.pending ? `; next: ${outcome.pending}` : "";
      return {
        programmed,
        ...(address ? { address } : {}),
        message: `${replaced}${network}, ${observed.services.length} service(s)${
          programmed
            ? " active"
            : `; waiting until ${waiting.map((s) => `${s.name} (${s.status})`).join(", ")} are active`
        }${pending}${refused}`,
        ...(policies ? { policyProblems: policies } : {}),
      };
    }
  }
}
