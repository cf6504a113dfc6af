/** One line per planned ELBv2 operation, in execution order: what `plan --diff` prints. */
import type { ElbOperation } from "../../shared/elb/operations.ts";
import type { TargetAccess } from "../../shared/elb/security-groups.ts";
import { describeCondition, describePermission } from "./elb-text.ts";

function describeAccess(access: readonly TargetAccess[]): string {
  const ports = [...new Set(access.map((a) => `${a.protocol}/${a.port}`))];
  const targets = new Set(access.map((a) => a.ip)).size;
  return `${ports.join(", ")} on ${targets} target${targets === 1 ? "" : "s"}`;
}

function ruleRef(ref: { arn: string } | { created: string }): string {
  return "arn" in ref ? ref.arn.slice(ref.arn.lastIndexOf("/") + 1) : `new ${ref.created}`;
}

/** The creation-only settings of a new load balancer, for its line. */
function creationDetails(op: Extract<ElbOperation, { op: "CreateLoadBalancer" }>): string[] {
  const pinned = (op.subnetMappings ?? []).flatMap((m) =>
    [
      m.allocationId,
      m.privateIPv4Address,
      m.ipv6Address,
      m.sourceNatIpv6Prefix && `source NAT ${m.sourceNatIpv6Prefix}`,
    ]
      .filter((a): a is string => !!a)
      .map((a) => `${m.subnetId} ${a}`),
  );
  return [
    ...(op.customerOwnedIpv4Pool ? [`customer-owned IPv4 pool ${op.customerOwnedIpv4Pool}`] : []),
    ...(op.ipv4IpamPool ? [`IPv4 IPAM pool ${op.ipv4IpamPool}`] : []),
    ...pinned,
  ];
}

export function describeOperation(op: ElbOperation): string {
  switch (op.op) {
    case "CreateTargetGroup": {
      const tg = op.targetGroup;
      const details = [
        `${tg.protocol}:${tg.port}`,
        ...(tg.targetType === "instance" ? ["instance targets on the node port"] : []),
        ...(tg.targetControlPort !== undefined ? [`target control port ${tg.targetControlPort}`] : []),
        ...(tg.multiCluster ? ["multi-cluster"] : []),
        tg.backend,
      ];
      return `+ target group ${tg.name} (${details.join(", ")})`;
    }
    case "ModifyTargetGroup":
      return `~ target group ${op.targetGroupId}: health check`;
    case "ModifyTargetGroupAttributes":
      return `~ target group ${op.targetGroupId}: attributes ${Object.keys(op.attributes).join(", ")}`;
    case "RegisterTargets":
      return `+ ${op.targets.length} target${op.targets.length === 1 ? "" : "s"} in ${op.targetGroupId}`;
    case "DeregisterTargets":
      return `- ${op.targets.length} target${op.targets.length === 1 ? "" : "s"} from ${op.targetGroupId} (connections drain)`;
    case "DeleteTargetGroup":
      return `- target group ${op.targetGroupId}`;
    case "CreateLoadBalancer":
      return `+ ${op.type} load balancer ${op.name} (${[op.scheme, ...creationDetails(op)].join(", ")})`;
    case "ModifyLoadBalancerAttributes":
      return `~ load balancer attributes ${Object.keys(op.attributes).join(", ")}`;
    case "SetSecurityGroups": {
      const groups = [...op.securityGroups, ...(op.managedSecurityGroups ?? []).map((r) => `new ${r} group`)];
      const privateLink = op.enforceInboundRulesOnPrivateLinkTraffic
        ? `, PrivateLink inbound rules ${op.enforceInboundRulesOnPrivateLinkTraffic}`
        : "";
      return `~ load balancer security groups ${groups.join(", ") || "(none)"}${privateLink}`;
    }
    case "ModifyIpPools":
      return op.ipv4IpamPool ? `~ load balancer IPv4 IPAM pool ${op.ipv4IpamPool}` : "- load balancer IPv4 IPAM pool";
    case "ModifyCapacityReservation":
      return op.minimumCapacityUnits !== undefined
        ? `~ load balancer capacity reservation ${op.minimumCapacityUnits} units`
        : "- load balancer capacity reservation (reset)";
    case "AssociateWebACL":
      return `+ WAFv2 Web ACL ${op.webAclArn}`;
    case "DisassociateWebACL":
      return `- WAFv2 Web ACL ${op.webAclArn}`;
    case "CreateProtection":
      return "+ Shield Advanced protection";
    case "DeleteProtection":
      return `- Shield Advanced protection ${op.protectionId}`;
    case "DeleteLoadBalancer":
      return `- load balancer ${op.arn.slice(op.arn.lastIndexOf("/") + 1)}: ${op.reason}`;
    case "CreateListener":
      return `+ listener ${op.listenerId}`;
    case "ModifyListener":
      return `~ listener ${op.listenerId}`;
    case "ModifyListenerAttributes":
      return `~ listener ${op.listenerId}: attributes ${Object.keys(op.attributes).join(", ")}`;
    case "AddListenerCertificates":
      return `+ ${op.arns.length} certificate(s) on ${op.listenerId}`;
    case "RemoveListenerCertificates":
      return `- ${op.arns.length} certificate(s) from ${op.listenerId}`;
    case "DeleteListener":
      return `- listener ${op.listenerId}`;
    case "CreateRule":
      return `+ rule ${op.listenerId} priority ${op.priority}: ${op.conditions.map(describeCondition).join(" ∧ ")}`;
    case "ModifyRule":
      return `~ rule ${op.listenerId} ${ruleRef(op.rule)}: ${op.conditions.map(describeCondition).join(" ∧ ")} (in place)`;
    case "SetRulePriorities":
      return `~ ${op.priorities.length} rule priorities on ${op.listenerId} (one atomic call)`;
    case "DeleteRule":
      return `- rule ${op.listenerId} ${ruleRef(op.rule)}`;
    case "CreateSecurityGroup":
      return op.role === "frontend"
        ? `+ security group ${op.name} (the load balancer's)`
        : `+ security group ${op.name} (the cluster's backend group, unless it exists)`;
    case "AuthorizeSecurityGroupIngress":
      return `+ ${op.ingress.length} inbound rule(s) on the load balancer's security group: ${op.ingress.map(describePermission).join(", ")}`;
    case "RevokeSecurityGroupIngress":
      return `- ${op.rules.length} inbound rule(s) from the load balancer's security group: ${op.rules.map(describePermission).join(", ")}`;
    case "AuthorizeTargetIngress":
      return `+ backend group admitted to ${op.access.length} target port(s) on the targets' security groups: ${describeAccess(op.access)}`;
    case "RevokeTargetIngress":
      return `- ${op.rules.length} rule(s) on the targets' security groups released: ${op.rules.map((r) => `${r.groupId} ${r.protocol}/${r.port}`).join(", ")}`;
    case "DeleteSecurityGroup":
      return `- security group ${op.groupId} (the load balancer's)`;
    case "ReleaseBackendSecurityGroup":
      return `- backend security group ${op.groupId} (deleted when no load balancer uses it)`;
  }
}
