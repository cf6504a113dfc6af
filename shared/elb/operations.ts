/**
 * The operations a plan is made of: one ELBv2 API call each (the security group operations, EC2
 * calls: shared/elb/security-group-state.ts), in the order they must run. Things
 * created earlier in the same plan are referred to by model id (target groups, listeners) or by a
 * plan-local key (new rules); the executor resolves them to ARNs as it goes.
 */

import type { SubnetMapping } from "./load-balancer-features.ts";
import type {
  HealthCheckModel,
  ListenerCertificates,
  ListenerSettings,
  TargetGroupModel,
  TargetModel,
} from "./model.ts";
import type { ListenerProtocol, RuleAction, RuleCondition, RuleTransform } from "./rules.ts";
import type { ManagedGroupRole, SecurityGroupOperation } from "./security-group-state.ts";

/** A rule that exists (by ARN) or that an earlier CreateRule in this plan made (by key). */
export type RuleRef = { arn: string } | { created: string };

export type ElbOperation =
  | { op: "CreateTargetGroup"; targetGroup: Omit<TargetGroupModel, "targets"> }
  | { op: "ModifyTargetGroup"; targetGroupId: string; healthCheck: HealthCheckModel }
  | { op: "ModifyTargetGroupAttributes"; targetGroupId: string; attributes: Record<string, string> }
  | { op: "RegisterTargets"; targetGroupId: string; targets: TargetModel[] }
  | { op: "DeregisterTargets"; targetGroupId: string; targets: TargetModel[] }
  | { op: "DeleteTargetGroup"; targetGroupId: string; arn: string }
  | {
      op: "CreateLoadBalancer";
      name: string;
      type: "application" | "network";
      scheme: "internet-facing" | "internal";
      ipAddressType: string;
      subnets: string[];
      /** Tag selector for subnet discovery when `subnets` is empty. */
      subnetSelector?: Record<string, string[]>;
      securityGroups: string[];
      /** Groups created earlier in this plan, named by role; the executor adds their ids. */
      managedSecurityGroups?: ManagedGroupRole[];
      tags: Record<string, string>;
      /**
       * Settings sent at creation (shared/elb/load-balancer-features.ts): the pool and mappings
       * only then, the IPAM pool later with ModifyIpPools too; mappings replace `subnets`.
       */
      customerOwnedIpv4Pool?: string;
      subnetMappings?: SubnetMapping[];
      ipv4IpamPool?: string;
    }
  | { op: "ModifyLoadBalancerAttributes"; attributes: Record<string, string> }
  /** Sets the IPv4 IPAM pool, or with none removes the pool the load balancer uses. */
  | { op: "ModifyIpPools"; ipv4IpamPool?: string }
  /** Reserves capacity units, or with none resets the reservation. */
  | { op: "ModifyCapacityReservation"; minimumCapacityUnits?: number }
  /** WAFv2: associates the Web ACL with the load balancer (replacing any other association). */
  | { op: "AssociateWebACL"; webAclArn: string }
  /** WAFv2: removes the association switchyard made (`webAclArn` is what it was, for the plan). */
  | { op: "DisassociateWebACL"; webAclArn: string }
  /** Shield Advanced: protects the load balancer with a protection named SHIELD_PROTECTION_NAME. */
  | { op: "CreateProtection" }
  /** Shield Advanced: deletes a protection switchyard created. */
  | { op: "DeleteProtection"; protectionId: string }
  | {
      op: "SetSecurityGroups";
      securityGroups: string[];
      managedSecurityGroups?: ManagedGroupRole[];
      /** Network Load Balancer only. */
      enforceInboundRulesOnPrivateLinkTraffic?: "on" | "off";
    }
  | { op: "DeleteLoadBalancer"; arn: string; reason: string }
  | ({
      op: "CreateListener";
      listenerId: string;
      port: number;
      protocol: ListenerProtocol;
      certificates?: ListenerCertificates;
      defaultActions: RuleAction[];
      tags: Record<string, string>;
    } & ListenerSettings)
  | ({
      op: "ModifyListener";
      listenerId: string;
      /** The existing listener, which may have carried another id (same port, other protocol). */
      arn: string;
      protocol?: ListenerProtocol;
      defaultCertificate?: string;
      defaultActions?: RuleAction[];
    } & ListenerSettings)
  | { op: "ModifyListenerAttributes"; listenerId: string; attributes: Record<string, string> }
  | { op: "AddListenerCertificates"; listenerId: string; arns: string[] }
  | { op: "RemoveListenerCertificates"; listenerId: string; arns: string[] }
  | { op: "DeleteListener"; listenerId: string; arn: string }
  | {
      op: "CreateRule";
      listenerId: string;
      key: string;
      priority: number;
      conditions: RuleCondition[];
      actions: RuleAction[];
      transforms?: RuleTransform[];
      tags: Record<string, string>;
    }
  | {
      op: "ModifyRule";
      listenerId: string;
      rule: RuleRef;
      conditions: RuleCondition[];
      actions: RuleAction[];
      transforms?: RuleTransform[];
    }
  | { op: "SetRulePriorities"; listenerId: string; priorities: { rule: RuleRef; priority: number }[] }
  | { op: "DeleteRule"; listenerId: string; rule: RuleRef }
  | SecurityGroupOperation;

export type OperationName = ElbOperation["op"];
