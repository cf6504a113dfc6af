/**
 * Security group rules between the model and the EC2 SDK: IngressPermission → IpPermission (with
 * the description that names switchyard), SecurityGroupRule → the model's terms, tags both ways.
 * Pure.
 */
import type { IpPermission, SecurityGroupRule, Tag, TagSpecification } from "@aws-sdk/client-ec2";
import { parseCidr } from "../../elb/cidr.ts";
import { MANAGED_BY, TAG } from "../../elb/naming.ts";
import type { ObservedIngressRule } from "../../elb/security-group-state.ts";
import type { IngressPermission, IpProtocol } from "../../elb/security-groups.ts";

/** EC2 allows these characters in rule and group descriptions, up to 255 of them. */
export function ec2Description(text: string): string {
  return text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, "_").slice(0, 255);
}

export function toEc2Tags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function fromEc2Tags(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

export function tagSpecification(
  resourceType: "security-group" | "security-group-rule",
  tags: Readonly<Record<string, string>>,
): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: toEc2Tags(tags) }];
}

/** One EC2 permission per model permission, its one source carrying `description`. */
export function toIpPermission(p: IngressPermission, description: string): IpPermission {
  const Description = ec2Description(description);
  return {
    IpProtocol: p.protocol,
    FromPort: p.fromPort,
    ToPort: p.toPort,
    ...(p.cidrIpv4 ? { IpRanges: [{ CidrIp: p.cidrIpv4, Description }] } : {}),
    ...(p.cidrIpv6 ? { Ipv6Ranges: [{ CidrIpv6: p.cidrIpv6, Description }] } : {}),
    ...(p.prefixListId ? { PrefixListIds: [{ PrefixListId: p.prefixListId, Description }] } : {}),
  };
}

/** The permission admitting security group `sourceGroupId` on one port. */
export function groupPermission(
  protocol: "tcp" | "udp",
  port: number,
  sourceGroupId: string,
  description: string,
): IpPermission {
  return {
    IpProtocol: protocol,
    FromPort: port,
    ToPort: port,
    UserIdGroupPairs: [{ GroupId: sourceGroupId, Description: ec2Description(description) }],
  };
}

const PROTOCOLS: Readonly<Record<string, IpProtocol>> = {
  tcp: "tcp",
  "6": "tcp",
  udp: "udp",
  "17": "udp",
  icmp: "icmp",
  "1": "icmp",
  icmpv6: "icmpv6",
  "58": "icmpv6",
};

/** The model's protocol name for EC2's (names or numbers); undefined for anything else (`-1`, …). */
export function ipProtocol(value: string | undefined): IpProtocol | undefined {
  return value === undefined ? undefined : PROTOCOLS[value.toLowerCase()];
}

/**
 * A rule read back, in the model's terms, when it is one the model can express (one protocol,
 * one CIDR or prefix list source); undefined otherwise (all traffic, a group source, …).
 */
export function fromSecurityGroupRule(rule: SecurityGroupRule, owned: boolean): ObservedIngressRule | undefined {
  const protocol = ipProtocol(rule.IpProtocol);
  if (!protocol || !rule.SecurityGroupRuleId || rule.FromPort === undefined || rule.ToPort === undefined) {
    return undefined;
  }
  const base = { ruleId: rule.SecurityGroupRuleId, protocol, fromPort: rule.FromPort, toPort: rule.ToPort, owned };
  // Compared with the model by text: read back in the canonical form the model writes.
  if (rule.CidrIpv4) return { ...base, cidrIpv4: parseCidr(rule.CidrIpv4)?.canonical ?? rule.CidrIpv4 };
  if (rule.CidrIpv6) return { ...base, cidrIpv6: parseCidr(rule.CidrIpv6)?.canonical ?? rule.CidrIpv6 };
  if (rule.PrefixListId) return { ...base, prefixListId: rule.PrefixListId };
  return undefined;
}

/** Whether tags mark a resource as switchyard's for this cluster (and Gateway, when given). */
export function ownedBy(tags: Readonly<Record<string, string>>, owner: { cluster: string; gateway?: string }): boolean {
  return (
    tags[TAG.managedBy] === MANAGED_BY &&
    tags[TAG.cluster] === owner.cluster &&
    (owner.gateway === undefined || tags[TAG.gateway] === owner.gateway)
  );
}
