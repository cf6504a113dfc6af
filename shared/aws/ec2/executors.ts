/**
 * Security group executors: one planned SecurityGroupOperation → the EC2 calls it takes, its
 * effect recorded in the execution context's `observed.securityGroups`. Entries of the same
 * dispatch table as the ELBv2 executors (shared/aws/elbv2/execute.ts).
 *
 * Rules on the targets' groups are shared by every Gateway of the cluster (EC2 refuses a duplicate
 * rule): each Gateway claims the rule with its own tag, and the last claim let go revokes it. An
 * identical rule switchyard did not add is used, never claimed or revoked.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { tagValue } from "../../elb/naming.ts";
import type { ObservedSecurityGroups, ObservedTargetRule } from "../../elb/security-group-state.ts";
import {
  BACKEND_ROLE,
  CLAIM_TAG_PREFIX,
  claimTagKey,
  FRONTEND_ROLE,
  type IngressPermission,
  permissionKey,
  type TargetAccess,
} from "../../elb/security-groups.ts";
import {
  call,
  type ExecutionContext,
  type ExecutionDependencies,
  type ExecutorTable,
  invalid,
  vpcId,
} from "../elbv2/executors/context.ts";
import { AwsOperationError } from "../errors.ts";
import {
  fromEc2Tags,
  fromSecurityGroupRule,
  groupPermission,
  ipProtocol,
  ownedBy,
  tagSpecification,
  toIpPermission,
} from "./rules.ts";
import { describeGroups, findOrCreateGroup, ingressRules } from "./security-groups.ts";
import { targetSecurityGroups } from "./target-interfaces.ts";

function ec2Of(deps: ExecutionDependencies, operation: string): EC2Client {
  if (!deps.ec2) throw invalid(operation, "security group operations need an EC2 client");
  return deps.ec2;
}

function groupsOf(ctx: ExecutionContext): ObservedSecurityGroups {
  ctx.observed.securityGroups ??= { targetRules: [] };
  return ctx.observed.securityGroups;
}

/** A group still in use (a load balancer's network interfaces linger for minutes after it is deleted). */
function inUseIsRetryable(error: unknown): unknown {
  if (error instanceof AwsOperationError && error.reason === "DependencyViolation") {
    return new AwsOperationError(error.operation, { kind: "retryable", reason: error.reason, message: error.message });
  }
  return error;
}

function frontendDescription(ctx: ExecutionContext): string {
  return `switchyard: Gateway ${ctx.owner.gatewayKey} of cluster ${ctx.owner.clusterId}`;
}

function backendDescription(ctx: ExecutionContext): string {
  return `switchyard: load balancers of cluster ${ctx.owner.clusterId}`;
}

/**
 * Adds inbound rules to `groupId` and returns the group's inbound rules afterwards. One call for
 * all; when EC2 refuses it because one of them exists (EC2 refuses the whole request), one call
 * each, the existing ones skipped.
 */
async function authorize(
  ec2: EC2Client,
  operation: string,
  groupId: string,
  permissions: readonly IpPermission[],
  tags: Readonly<Record<string, string>>,
): Promise<SecurityGroupRule[]> {
  const send = (ip: readonly IpPermission[]) =>
    call(operation, () =>
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [...ip],
          TagSpecifications: tagSpecification("security-group-rule", tags),
        }),
      ),
    );
  const duplicate = (e: unknown) => e instanceof AwsOperationError && e.reason === "InvalidPermission.Duplicate";
  if (permissions.length > 0) {
    try {
      await send(permissions);
    } catch (error) {
      if (!duplicate(error)) throw error;
      for (const p of permissions) {
        await send([p]).catch((e: unknown) => {
          if (!duplicate(e)) throw e;
        });
      }
    }
  }
  // The answer lists the rules made, but not which permission made which (and some emulators list
  // only the last permission's): read the group back instead.
  return ingressRules(ec2, operation, [groupId]);
}

function referencedGroup(rule: SecurityGroupRule): string | undefined {
  return rule.ReferencedGroupInfo?.GroupId;
}

/**
 * Tags this Gateway's claim on a rule another Gateway added. False when the rule carries all the
 * tags EC2 allows (50: some 47 Gateways): the rule is then used unclaimed, and should its last
 * claimant revoke it, the next drift check adds it again.
 */
async function claim(ec2: EC2Client, operation: string, ruleId: string, ctx: ExecutionContext): Promise<boolean> {
  try {
    await call(operation, () =>
      ec2.send(
        new CreateTagsCommand({
          Resources: [ruleId],
          Tags: [
            { Key: claimTagKey(ctx.owner.clusterId, ctx.owner.gatewayKey), Value: tagValue(ctx.owner.gatewayKey) },
          ],
        }),
      ),
    );
    return true;
  } catch (error) {
    if (error instanceof AwsOperationError && error.reason === "TagLimitExceeded") return false;
    throw error;
  }
}

/** Admits the backend group to the targets: per target group and port, a rule (or a claim). */
async function authorizeTargets(
  ec2: EC2Client,
  operation: string,
  ctx: ExecutionContext,
  deps: ExecutionDependencies,
  access: readonly TargetAccess[],
  tags: Readonly<Record<string, string>>,
): Promise<void> {
  const state = groupsOf(ctx);
  const backend = state.backend;
  if (!backend) throw invalid(operation, "no backend security group: neither created by this plan nor in the state");
  const vpc = await vpcId(ctx, deps, operation);
  const located = await targetSecurityGroups(
    ec2,
    operation,
    vpc,
    access.map((a) => a.ip),
    deps.eksClusterName,
  );
  // Per target group: the ports it must open, and for each the targets needing it.
  const needs = new Map<string, Map<string, { protocol: "tcp" | "udp"; port: number; targets: Set<string> }>>();
  for (const a of access) {
    for (const groupId of located.groups.get(a.ip) ?? []) {
      const ports = needs.get(groupId) ?? new Map();
      needs.set(groupId, ports);
      const key = `${a.protocol}/${a.port}`;
      const need = ports.get(key) ?? { protocol: a.protocol, port: a.port, targets: new Set<string>() };
      ports.set(key, need);
      need.targets.add(a.ip);
    }
  }
  for (const [groupId, ports] of needs) {
    const recorded = (n: { protocol: string; port: number }) =>
      state.targetRules.find((r) => r.groupId === groupId && r.protocol === n.protocol && r.port === n.port);
    const open = [...ports.values()].filter((n) => {
      const rule = recorded(n);
      if (rule) for (const ip of n.targets) if (!rule.targets.includes(ip)) rule.targets.push(ip);
      return !rule;
    });
    if (open.length === 0) continue;
    const matching = (rules: readonly SecurityGroupRule[], n: { protocol: string; port: number }) =>
      rules.find(
        (r) =>
          referencedGroup(r) === backend.id &&
          ipProtocol(r.IpProtocol) === n.protocol &&
          r.FromPort === n.port &&
          r.ToPort === n.port,
      );
    const before = await ingressRules(ec2, operation, [groupId]);
    const missing = open.filter((n) => !matching(before, n));
    const after =
      missing.length > 0
        ? await authorize(
            ec2,
            operation,
            groupId,
            missing.map((n) => groupPermission(n.protocol, n.port, backend.id, backendDescription(ctx))),
            tags,
          )
        : before;
    for (const n of open) {
      const rule = matching(after, n);
      if (!rule?.SecurityGroupRuleId) {
        throw new AwsOperationError(operation, {
          kind: "retryable",
          reason: "ResponseDecodeError",
          message: `the rule admitting ${backend.id} on ${n.protocol}/${n.port} to ${groupId} was not found after it was added`,
        });
      }
      const ruleTags = fromEc2Tags(rule.Tags);
      const switchyards = ownedBy(ruleTags, { cluster: tagValue(ctx.owner.clusterId) });
      const claimKey = claimTagKey(ctx.owner.clusterId, ctx.owner.gatewayKey);
      const claimed =
        switchyards && (claimKey in ruleTags || (await claim(ec2, operation, rule.SecurityGroupRuleId, ctx)));
      state.targetRules.push({
        groupId,
        ruleId: rule.SecurityGroupRuleId,
        protocol: n.protocol,
        port: n.port,
        targets: [...n.targets].sort(),
        claimed,
      });
    }
  }
  // Addresses looked up in this operation are resolved or not as of now.
  const lookedUp = new Set(access.map((a) => a.ip));
  const unresolved = new Set([
    ...(state.unresolvedTargets ?? []).filter((ip) => !lookedUp.has(ip)),
    ...located.unresolved,
  ]);
  if (unresolved.size > 0) state.unresolvedTargets = [...unresolved].sort();
  else delete state.unresolvedTargets;
}

/** Lets go of a rule no target of this Gateway needs: its claim goes, and the rule with the last one. */
async function releaseRule(
  ec2: EC2Client,
  operation: string,
  rule: ObservedTargetRule,
  ctx: ExecutionContext,
): Promise<void> {
  if (!rule.claimed) return;
  const key = claimTagKey(ctx.owner.clusterId, ctx.owner.gatewayKey);
  const found = (
    await ingressRules(ec2, operation, [rule.groupId]).catch((error: unknown) => {
      if (error instanceof AwsOperationError && error.kind === "notFound") return [];
      throw error;
    })
  ).find((r) => r.SecurityGroupRuleId === rule.ruleId);
  if (!found) return;
  const tags = fromEc2Tags(found.Tags);
  const others = Object.keys(tags).filter((k) => k.startsWith(CLAIM_TAG_PREFIX) && k !== key);
  if (others.length > 0) {
    await call(
      operation,
      () => ec2.send(new DeleteTagsCommand({ Resources: [rule.ruleId], Tags: [{ Key: key }] })),
      true,
    );
    return;
  }
  await call(
    operation,
    () =>
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: rule.groupId, SecurityGroupRuleIds: [rule.ruleId] })),
    true,
  );
}

/** Whether any load balancer names `groupId` (one call per 400 load balancers in the Region). */
async function usedByLoadBalancers(
  client: ElasticLoadBalancingV2Client,
  operation: string,
  groupId: string,
): Promise<boolean> {
  let marker: string | undefined;
  do {
    const page = await call(operation, () =>
      client.send(new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) })),
    );
    if ((page?.LoadBalancers ?? []).some((lb) => (lb.SecurityGroups ?? []).includes(groupId))) {
      return true;
    }
    marker = page?.NextMarker;
  } while (marker);
  return false;
}

function recordFrontendRules(ctx: ExecutionContext, rules: readonly SecurityGroupRule[]): void {
  const frontend = groupsOf(ctx).frontend;
  if (!frontend) return;
  const owner = { cluster: tagValue(ctx.owner.clusterId), gateway: tagValue(ctx.owner.gatewayKey) };
  frontend.ingress = rules
    .map((r) => fromSecurityGroupRule(r, ownedBy(fromEc2Tags(r.Tags), owner)))
    .filter((r) => r !== undefined);
}

export const securityGroupExecutors: Pick<
  ExecutorTable,
  | "CreateSecurityGroup"
  | "AuthorizeSecurityGroupIngress"
  | "RevokeSecurityGroupIngress"
  | "AuthorizeTargetIngress"
  | "RevokeTargetIngress"
  | "DeleteSecurityGroup"
  | "ReleaseBackendSecurityGroup"
> = {
  async CreateSecurityGroup(_client, op, ctx, deps) {
    const ec2 = ec2Of(deps, op.op);
    const vpc = await vpcId(ctx, deps, op.op);
    const frontend = op.role === "frontend";
    const group = await findOrCreateGroup(ec2, op.op, {
      name: op.name,
      description: op.description,
      vpcId: vpc,
      tags: op.tags,
      owner: {
        cluster: tagValue(ctx.owner.clusterId),
        ...(frontend ? { gateway: tagValue(ctx.owner.gatewayKey) } : {}),
        role: frontend ? FRONTEND_ROLE : BACKEND_ROLE,
      },
    });
    const state = groupsOf(ctx);
    if (!frontend) {
      state.backend = { id: group.id, name: op.name };
      return;
    }
    state.frontend = { id: group.id, name: op.name, ingress: [] };
    // A group found again after a lost answer may already hold rules: they count from now on.
    if (!group.created) recordFrontendRules(ctx, await ingressRules(ec2, op.op, [group.id]));
  },

  async AuthorizeSecurityGroupIngress(_client, op, ctx, deps) {
    const ec2 = ec2Of(deps, op.op);
    const frontend = groupsOf(ctx).frontend;
    if (!frontend) throw invalid(op.op, "no frontend security group: neither created by this plan nor in the state");
    const have = new Set(frontend.ingress.map(permissionKey));
    const wanted: IngressPermission[] = op.ingress.filter((p) => !have.has(permissionKey(p)));
    const rules = await authorize(
      ec2,
      op.op,
      frontend.id,
      wanted.map((p) => toIpPermission(p, frontendDescription(ctx))),
      op.tags,
    );
    recordFrontendRules(ctx, rules);
  },

  async RevokeSecurityGroupIngress(_client, op, ctx, deps) {
    const ec2 = ec2Of(deps, op.op);
    const frontend = groupsOf(ctx).frontend;
    if (!frontend) return;
    const ids = op.rules.filter((r) => r.owned).map((r) => r.ruleId);
    if (ids.length > 0) {
      await call(
        op.op,
        () => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: frontend.id, SecurityGroupRuleIds: ids })),
        true,
      );
    }
    frontend.ingress = frontend.ingress.filter((r) => !ids.includes(r.ruleId));
  },

  async AuthorizeTargetIngress(_client, op, ctx, deps) {
    await authorizeTargets(ec2Of(deps, op.op), op.op, ctx, deps, op.access, op.tags);
  },

  async RevokeTargetIngress(_client, op, ctx, deps) {
    const ec2 = ec2Of(deps, op.op);
    const state = groupsOf(ctx);
    if (op.forget && state.unresolvedTargets) {
      const forget = new Set(op.forget);
      state.unresolvedTargets = state.unresolvedTargets.filter((ip) => !forget.has(ip));
      if (state.unresolvedTargets.length === 0) delete state.unresolvedTargets;
    }
    for (const release of op.rules) {
      const rule = state.targetRules.find((r) => r.ruleId === release.ruleId);
      if (!rule) continue;
      rule.targets = rule.targets.filter((ip) => !release.staleTargets.includes(ip));
      // A target authorized earlier in this plan may need the rule again: it stays.
      if (rule.targets.length > 0) continue;
      await releaseRule(ec2, op.op, rule, ctx);
      state.targetRules = state.targetRules.filter((r) => r !== rule);
    }
  },

  async DeleteSecurityGroup(_client, op, ctx, deps) {
    const ec2 = ec2Of(deps, op.op);
    await call(op.op, () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: op.groupId })), true).catch(
      (error: unknown) => {
        throw inUseIsRetryable(error);
      },
    );
    const state = groupsOf(ctx);
    if (state.frontend?.id === op.groupId) delete state.frontend;
  },

  async ReleaseBackendSecurityGroup(client, op, ctx, deps) {
    const ec2 = ec2Of(deps, op.op);
    const state = groupsOf(ctx);
    // Kept while a load balancer names it, or a rule someone else added still admits it (EC2
    // would refuse the deletion for ever); otherwise deleted, retried while the last load
    // balancer's network interfaces linger.
    const inUse =
      (await usedByLoadBalancers(client, op.op, op.groupId)) ||
      (await describeGroups(ec2, op.op, [{ Name: "ip-permission.group-id", Values: [op.groupId] }])).length > 0;
    if (!inUse) {
      await call(op.op, () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: op.groupId })), true).catch(
        (error: unknown) => {
          throw inUseIsRetryable(error);
        },
      );
    }
    if (state.backend?.id === op.groupId) delete state.backend;
  },
};
