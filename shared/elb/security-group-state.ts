/**
 * Security groups as they exist for one Gateway (part of ObservedElb) and the operations that
 * change them (part of the ElbOperation union): the EC2 half of a load balancer's plan.
 *
 * Switchyard revokes only what it added: the frontend group's rules carrying its tags, and the
 * rules on the targets' groups this Gateway claims. A rule someone else added is observed only
 * where it serves (it satisfies the same need), never revoked.
 */
import type { IngressPermission, TargetAccess } from "./security-groups.ts";

export interface ObservedIngressRule extends IngressPermission {
  ruleId: string;
  /**
   * Switchyard added it (it carries switchyard's tags). A rule someone else put in the group still
   * counts for what the listeners need, but is never revoked.
   */
  owned: boolean;
}

export interface ObservedSecurityGroup {
  id: string;
  name: string;
}

export interface ObservedFrontendGroup extends ObservedSecurityGroup {
  /** Inbound rules of the group, switchyard's (`owned`) and anyone else's. */
  ingress: ObservedIngressRule[];
}

/** A rule on a target's security group admitting the backend group on one port. */
export interface ObservedTargetRule {
  /** The target's security group. */
  groupId: string;
  ruleId: string;
  protocol: "tcp" | "udp";
  port: number;
  /** Target addresses behind `groupId` that need the rule (as last resolved). */
  targets: string[];
  /**
   * Whether this Gateway claims the rule (switchyard added it, or another Gateway did and this
   * one tagged its claim). An identical rule someone else added is recorded unclaimed: it serves
   * the targets but is never revoked.
   */
  claimed: boolean;
}

export interface ObservedSecurityGroups {
  frontend?: ObservedFrontendGroup;
  /** The cluster's shared backend group, when this Gateway uses it. */
  backend?: ObservedSecurityGroup;
  targetRules: ObservedTargetRule[];
  /**
   * Target addresses whose network interface was not found in the VPC when last looked up (a
   * target outside the VPC, or gone): no rule admits the backend group to them. Reported in
   * status and looked up again by the drift check; a plan does not retry them.
   */
  unresolvedTargets?: string[];
}

export function emptySecurityGroups(): ObservedSecurityGroups {
  return { targetRules: [] };
}

/** A rule on a target's group to let go of: the targets that needed it and no longer do. */
export interface TargetRuleRelease {
  groupId: string;
  ruleId: string;
  protocol: "tcp" | "udp";
  port: number;
  staleTargets: string[];
}

/** Security groups by their role for a Gateway; the executor resolves them to ids. */
export type ManagedGroupRole = "frontend" | "backend";

export type SecurityGroupOperation =
  /** The Gateway's frontend group; the backend group is found or created (shared by the cluster). */
  | {
      op: "CreateSecurityGroup";
      role: ManagedGroupRole;
      name: string;
      description: string;
      tags: Record<string, string>;
    }
  /** Inbound rules on the frontend group, tagged as switchyard's. */
  | { op: "AuthorizeSecurityGroupIngress"; ingress: IngressPermission[]; tags: Record<string, string> }
  | { op: "RevokeSecurityGroupIngress"; rules: ObservedIngressRule[] }
  /**
   * The backend group may reach these targets: their network interfaces' security groups get a
   * rule (or this Gateway's claim on an existing switchyard rule) per port.
   */
  | { op: "AuthorizeTargetIngress"; access: TargetAccess[]; tags: Record<string, string> }
  /**
   * Stale targets leave these rules; a rule no target needs any more loses this Gateway's claim
   * and is revoked when no other Gateway claims it.
   */
  | {
      op: "RevokeTargetIngress";
      rules: TargetRuleRelease[];
      /** Addresses no longer targets that were recorded as unresolved: forgotten. */
      forget?: string[];
    }
  /** The frontend group, once no load balancer uses it. */
  | { op: "DeleteSecurityGroup"; role: "frontend"; groupId: string }
  /** The backend group leaves this Gateway; deleted when no load balancer in the VPC uses it. */
  | { op: "ReleaseBackendSecurityGroup"; groupId: string };
