/**
 * Security groups as they exist for one Gateway: re-read from what the state record claims (the
 * drift check) or found by tags (crash recovery, no record). A rule removed by someone drops out
 * of what is observed, so the next plan puts it back; a rule someone else added is observed only
 * as serving a need, never as switchyard's.
 *
 * Calls of `observeSecurityGroups`: DescribeSecurityGroups 1, DescribeSecurityGroupRules 1 for the
 * frontend group and 1 for the recorded target rules, DescribeNetworkInterfaces 1 per 200 target
 * addresses (plus DescribeSecurityGroups when an interface has several groups and the EKS cluster
 * name is known). `discoverSecurityGroups` adds the VPC lookup when only a name is registered.
 */
import type { EC2Client, SecurityGroupRule } from "@aws-sdk/client-ec2";
import { TAG, tagValue } from "../../elb/naming.ts";
import type { ObservedSecurityGroups, ObservedTargetRule } from "../../elb/security-group-state.ts";
import {
  BACKEND_ROLE,
  claimTagKey,
  FRONTEND_ROLE,
  type TargetGroupShape,
  targetAccess,
} from "../../elb/security-groups.ts";
import { resolveVpcId, type VpcSelector } from "../elbv2/network.ts";
import { fromEc2Tags, fromSecurityGroupRule, ipProtocol, ownedBy } from "./rules.ts";
import { describeGroups, describeRules, ingressRules } from "./security-groups.ts";
import { targetSecurityGroups } from "./target-interfaces.ts";

export interface SecurityGroupOwner {
  clusterId: string;
  gatewayKey: string;
}

const OPERATION = "observe";

async function frontendRules(ec2: EC2Client, groupId: string, owner: SecurityGroupOwner) {
  const tags = { cluster: tagValue(owner.clusterId), gateway: tagValue(owner.gatewayKey) };
  return (await ingressRules(ec2, OPERATION, [groupId]))
    .map((r) => fromSecurityGroupRule(r, ownedBy(fromEc2Tags(r.Tags), tags)))
    .filter((r) => r !== undefined);
}

/**
 * The recorded target rules that still exist and are still this Gateway's to claim, each keeping
 * the targets whose network interface is still behind its group; and the addresses recorded as
 * unresolved that still have no network interface.
 */
async function targetRules(
  ec2: EC2Client,
  recorded: readonly ObservedTargetRule[],
  unresolved: readonly string[],
  owner: SecurityGroupOwner,
  vpcId: string | undefined,
  eksClusterName: string | undefined,
): Promise<Pick<ObservedSecurityGroups, "targetRules" | "unresolvedTargets">> {
  const kept = unresolved.length > 0 ? { unresolvedTargets: [...unresolved] } : {};
  if (recorded.length === 0 && unresolved.length === 0) return { targetRules: [] };
  const found = new Map<string, SecurityGroupRule>();
  // EC2 takes up to 200 values per filter (and refuses an empty list).
  for (let i = 0; i < recorded.length; i += 200) {
    const ids = recorded.slice(i, i + 200).map((r) => r.ruleId);
    for (const rule of await describeRules(ec2, OPERATION, [{ Name: "security-group-rule-id", Values: ids }])) {
      found.set(rule.SecurityGroupRuleId ?? "", rule);
    }
  }
  const claim = claimTagKey(owner.clusterId, owner.gatewayKey);
  const alive = recorded.filter((r) => {
    const rule = found.get(r.ruleId);
    // Someone took the claim off: the rule is no longer this Gateway's to count on or revoke.
    return rule !== undefined && (!r.claimed || claim in fromEc2Tags(rule.Tags));
  });
  const addresses = [...new Set([...alive.flatMap((r) => r.targets), ...unresolved])];
  if (!vpcId || addresses.length === 0) {
    return { targetRules: alive.map((r) => ({ ...r, targets: [...r.targets] })), ...kept };
  }
  const located = await targetSecurityGroups(ec2, OPERATION, vpcId, addresses, eksClusterName);
  // An unresolved address that has an interface now is left for the next plan to admit.
  const still = unresolved.filter((ip) => !located.groups.has(ip));
  return {
    targetRules: alive.map((r) => ({
      ...r,
      // A target whose interface moved to other groups (or went away) no longer counts on this rule.
      targets: r.targets.filter((ip) => located.groups.get(ip)?.includes(r.groupId) ?? false),
    })),
    ...(still.length > 0 ? { unresolvedTargets: still } : {}),
  };
}

export interface ObserveSecurityGroupsOptions {
  owner: SecurityGroupOwner;
  /** The VPC's id, for looking target addresses up again; without it, targets are kept as recorded. */
  vpcId?: string;
  eksClusterName?: string;
}

/** Re-reads what `applied` records: the groups, the frontend group's rules, the target rules. */
export async function observeSecurityGroups(
  ec2: EC2Client,
  applied: ObservedSecurityGroups,
  options: ObserveSecurityGroupsOptions,
): Promise<ObservedSecurityGroups> {
  const ids = [applied.frontend?.id, applied.backend?.id].filter((id): id is string => !!id);
  const existing = new Set(
    ids.length > 0
      ? (await describeGroups(ec2, OPERATION, [{ Name: "group-id", Values: ids }])).map((g) => g.GroupId)
      : [],
  );
  const out: ObservedSecurityGroups = await targetRules(
    ec2,
    applied.targetRules,
    applied.unresolvedTargets ?? [],
    options.owner,
    options.vpcId,
    options.eksClusterName,
  );
  if (applied.frontend && existing.has(applied.frontend.id)) {
    out.frontend = {
      id: applied.frontend.id,
      name: applied.frontend.name,
      ingress: await frontendRules(ec2, applied.frontend.id, options.owner),
    };
  }
  if (applied.backend && existing.has(applied.backend.id)) out.backend = { ...applied.backend };
  return out;
}

export interface DiscoverSecurityGroupsOptions {
  owner: SecurityGroupOwner;
  vpc?: VpcSelector;
  /** The Gateway's target groups as discovered, registered targets included: they justify the rules. */
  targetGroups?: readonly TargetGroupShape[];
  eksClusterName?: string;
}

/**
 * Everything tagged as this Gateway's, with no record to go by: its frontend group (with rules),
 * the cluster's backend group in the VPC (released by a deletion plan unless still in use), and
 * the target rules carrying its claim, each with the registered targets behind its group that
 * need its port (a rule none needs is released by the next plan).
 */
export async function discoverSecurityGroups(
  ec2: EC2Client,
  options: DiscoverSecurityGroupsOptions,
): Promise<ObservedSecurityGroups> {
  const { owner } = options;
  const cluster = { Name: `tag:${TAG.cluster}`, Values: [tagValue(owner.clusterId)] };
  const frontends = await describeGroups(ec2, OPERATION, [
    cluster,
    { Name: `tag:${TAG.gateway}`, Values: [tagValue(owner.gatewayKey)] },
    { Name: `tag:${TAG.role}`, Values: [FRONTEND_ROLE] },
  ]);
  const vpcId = await resolveVpcId(ec2, options.vpc);
  const backends = await describeGroups(ec2, OPERATION, [
    cluster,
    { Name: `tag:${TAG.role}`, Values: [BACKEND_ROLE] },
    { Name: "vpc-id", Values: [vpcId] },
  ]);
  const claimed = await describeRules(ec2, OPERATION, [
    // `tag:<key>` is the tag filter DescribeSecurityGroupRules documents (no `tag-key`).
    { Name: `tag:${claimTagKey(owner.clusterId, owner.gatewayKey)}`, Values: [tagValue(owner.gatewayKey)] },
  ]);
  const out: ObservedSecurityGroups = {
    targetRules: claimed
      .filter((r) => r.IsEgress !== true && r.GroupId && r.SecurityGroupRuleId)
      .flatMap((r) => {
        const protocol = ipProtocol(r.IpProtocol);
        if ((protocol !== "tcp" && protocol !== "udp") || r.FromPort === undefined) return [];
        return [
          {
            groupId: r.GroupId ?? "",
            ruleId: r.SecurityGroupRuleId ?? "",
            protocol,
            port: r.FromPort,
            targets: [],
            claimed: true,
          },
        ];
      }),
  };
  await justify(ec2, out, vpcId, options);
  const frontend = frontends[0];
  if (frontend?.GroupId) {
    out.frontend = {
      id: frontend.GroupId,
      name: frontend.GroupName ?? "",
      ingress: await frontendRules(ec2, frontend.GroupId, owner),
    };
  }
  const backend = backends[0];
  if (backend?.GroupId) out.backend = { id: backend.GroupId, name: backend.GroupName ?? "" };
  return out;
}

/** Fills discovered rules' targets from the registered targets, and records the unresolved ones. */
async function justify(
  ec2: EC2Client,
  out: ObservedSecurityGroups,
  vpcId: string,
  options: DiscoverSecurityGroupsOptions,
): Promise<void> {
  const access = targetAccess({ targetGroups: options.targetGroups ?? [] });
  if (access.length === 0) return;
  const located = await targetSecurityGroups(
    ec2,
    OPERATION,
    vpcId,
    access.map((a) => a.ip),
    options.eksClusterName,
  );
  for (const a of access) {
    for (const groupId of located.groups.get(a.ip) ?? []) {
      const rule = out.targetRules.find((r) => r.groupId === groupId && r.protocol === a.protocol && r.port === a.port);
      if (rule && !rule.targets.includes(a.ip)) rule.targets.push(a.ip);
    }
  }
  for (const rule of out.targetRules) rule.targets.sort();
  if (located.unresolved.length > 0) out.unresolvedTargets = located.unresolved;
}
