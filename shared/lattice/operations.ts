/**
 * The VPC Lattice operations a plan is made of, in the model's terms: services, listeners and
 * target groups are named by model id (the executor finds their ARNs in what exists so far, so a
 * resource created earlier in the same plan is found the same way), and target groups inside
 * actions are model ids or `arn:` references.
 */
import type {
  LatticeAction,
  LatticeHealthCheckModel,
  LatticeListenerProtocol,
  LatticeMatch,
  LatticeTargetModel,
  ServiceNetworkRef,
} from "./model.ts";

/**
 * A resource an auth policy, access log subscription or tag change applies to: the Gateway's
 * service network, or one of its services (by model id).
 */
export type LatticePolicyTarget = { kind: "service-network" } | { kind: "service"; serviceId: string };

/** A resource whose tags a plan changes (only resources switchyard created carry its tags). */
export type LatticeTaggedResource =
  | LatticePolicyTarget
  | { kind: "listener"; serviceId: string; listenerId: string }
  | { kind: "target-group"; targetGroupId: string };

/** One entry of a BatchUpdateRule: what changes of one rule (absent: kept). */
export interface LatticeRuleUpdate {
  ruleId: string;
  priority?: number;
  match?: LatticeMatch;
  action?: LatticeAction;
}

export type LatticeOperation =
  /**
   * Find the Gateway's service network by its reference; with `create`, create it (tagged) when no
   * network of that name exists. Never creates one for an id or ARN.
   */
  | { op: "FindServiceNetwork"; ref: ServiceNetworkRef; create: boolean; tags: Record<string, string> }
  | { op: "CreateVpcAssociation"; securityGroupIds: string[]; tags: Record<string, string> }
  | { op: "UpdateVpcAssociation"; arn: string; securityGroupIds: string[] }
  | { op: "DeleteVpcAssociation"; arn: string }
  /** Only a network switchyard created for this Gateway; one still in use elsewhere is left. */
  | { op: "DeleteServiceNetwork"; arn: string }
  | {
      op: "CreateTargetGroup";
      targetGroupId: string;
      name: string;
      protocol: string;
      protocolVersion?: string;
      port: number;
      ipAddressType: string;
      healthCheck?: LatticeHealthCheckModel;
      tags: Record<string, string>;
    }
  | { op: "UpdateTargetGroup"; targetGroupId: string; healthCheck: LatticeHealthCheckModel }
  | { op: "DeleteTargetGroup"; targetGroupId: string; arn: string }
  /** At most MAX_TARGETS_PER_REGISTER_CALL targets. */
  | { op: "RegisterTargets"; targetGroupId: string; targets: LatticeTargetModel[] }
  | { op: "DeregisterTargets"; targetGroupId: string; targets: LatticeTargetModel[] }
  | {
      op: "CreateService";
      serviceId: string;
      name: string;
      customDomainName?: string;
      certificateArn?: string;
      /** Set at creation when the route has an IAMAuthPolicy (its policy is put right after). */
      authType?: "AWS_IAM";
      tags: Record<string, string>;
    }
  | { op: "UpdateService"; serviceId: string; certificateArn: string }
  | { op: "DeleteService"; serviceId: string; arn: string; reason?: string }
  | {
      op: "CreateListener";
      serviceId: string;
      listenerId: string;
      name: string;
      protocol: LatticeListenerProtocol;
      port: number;
      defaultAction: LatticeAction;
      tags: Record<string, string>;
    }
  | { op: "UpdateListener"; serviceId: string; listenerId: string; defaultAction: LatticeAction }
  | { op: "DeleteListener"; serviceId: string; listenerId: string; arn: string }
  | {
      op: "CreateRule";
      serviceId: string;
      listenerId: string;
      ruleId: string;
      priority: number;
      match: LatticeMatch;
      action: LatticeAction;
    }
  /** One BatchUpdateRule: every changed and moved rule of a listener (at most 10 per call). */
  | { op: "UpdateRules"; serviceId: string; listenerId: string; updates: LatticeRuleUpdate[] }
  | { op: "DeleteRule"; serviceId: string; listenerId: string; ruleId: string; arn: string }
  /**
   * `serviceName`: a service another Gateway owns (a route with several Lattice parents), found by
   * name in the account because this Gateway holds no ARN for it, and only with its
   * `customDomainName` (one with another is the service its owner is replacing: not yet).
   */
  | {
      op: "CreateServiceAssociation";
      serviceId: string;
      serviceName?: string;
      customDomainName?: string;
      tags: Record<string, string>;
    }
  | { op: "DeleteServiceAssociation"; serviceId: string; arn: string }
  /** UpdateService / UpdateServiceNetwork `authType`. AWS_IAM only after the policy is in place. */
  | { op: "UpdateAuthType"; target: LatticePolicyTarget; authType: "NONE" | "AWS_IAM" }
  /** The IAMAuthPolicy's document, sent on one line; `source` names the policy for status. */
  | { op: "PutAuthPolicy"; target: LatticePolicyTarget; policy: string; source: string }
  /** Only a policy switchyard put. */
  | { op: "DeleteAuthPolicy"; target: LatticePolicyTarget }
  | {
      op: "CreateAccessLogSubscription";
      target: LatticePolicyTarget;
      destinationArn: string;
      /** The AccessLogPolicy (`ns/name`), for status. */
      source: string;
      tags: Record<string, string>;
    }
  | { op: "UpdateAccessLogSubscription"; target: LatticePolicyTarget; arn: string; destinationArn: string }
  /** Only a subscription tagged as this Gateway's. */
  | { op: "DeleteAccessLogSubscription"; target: LatticePolicyTarget; arn: string }
  /** Adds or overwrites `tags`; keys not named are left as they are. */
  | { op: "TagResource"; resource: LatticeTaggedResource; tags: Record<string, string> }
  /** Only keys under switchyard's prefix (`switchyard.dev/`); others' tags are never removed. */
  | { op: "UntagResource"; resource: LatticeTaggedResource; tagKeys: string[] };

export type LatticeOperationName = LatticeOperation["op"];

/** BatchUpdateRule `rules`: 1–10 entries (API reference). */
export const MAX_RULES_PER_BATCH_UPDATE = 10;

const DELETIONS: ReadonlySet<LatticeOperationName> = new Set([
  "DeleteVpcAssociation",
  "DeleteServiceNetwork",
  "DeleteTargetGroup",
  "DeregisterTargets",
  "DeleteService",
  "DeleteListener",
  "DeleteRule",
  "DeleteServiceAssociation",
  "DeleteAuthPolicy",
  "DeleteAccessLogSubscription",
  "UntagResource",
]);

export function isLatticeDeletion(op: LatticeOperation): boolean {
  return DELETIONS.has(op.op);
}
