/** Load balancer executors: create (ownership-checked, subnets discovered when the model has none),
 * attributes, security groups, delete. */
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  type IpAddressType,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { creationSettings } from "../../../elb/load-balancer-features.ts";
import type { ManagedGroupRole } from "../../../elb/security-group-state.ts";
import { AwsOperationError } from "../../errors.ts";
import { creationSettingsFrom, toSdkCreationSettings } from "../features.ts";
import { discoverSubnets, resolveSubnetIdentifiers, SUBNET_ID } from "../network.ts";
import { Answer } from "../response.ts";
import { toSdkAttributes, toSdkTags } from "../translate.ts";
import {
  call,
  type ExecutionContext,
  type ExecutionDependencies,
  type ExecutorTable,
  invalid,
  loadBalancerArn,
  network,
  type OperationOf,
  vpcId,
} from "./context.ts";
import { assertOwned, namedCollision, withOwnership } from "./tags.ts";

/** The ids of the groups an operation names by role, created earlier in the plan or recorded. */
function managedGroupIds(
  ctx: ExecutionContext,
  roles: readonly ManagedGroupRole[] | undefined,
  operation: string,
): string[] {
  return (roles ?? []).map((role) => {
    const group = ctx.observed.securityGroups?.[role];
    if (!group) throw invalid(operation, `no ${role} security group: neither created by this plan nor in the state`);
    return group.id;
  });
}

/**
 * The operation with subnets named by their Name tag replaced by their ids, looked up in the
 * cluster's VPC; an operation naming subnets by id only is returned as it is.
 */
async function withSubnetIds(
  op: OperationOf<"CreateLoadBalancer">,
  ctx: ExecutionContext,
  deps: ExecutionDependencies,
): Promise<OperationOf<"CreateLoadBalancer">> {
  const identifiers = [...op.subnets, ...(op.subnetMappings ?? []).map((m) => m.subnetId)];
  if (identifiers.every((i) => SUBNET_ID.test(i))) return op;
  const name = op.op;
  if (!deps.ec2) throw invalid(name, "subnets are named by Name tag and there is no EC2 client to look them up");
  const vpc = await vpcId(ctx, deps, name);
  const ec2 = deps.ec2;
  const ids = await network(name, () => resolveSubnetIdentifiers(ec2, vpc, identifiers));
  const id = (identifier: string) => ids.get(identifier) ?? identifier;
  return {
    ...op,
    subnets: op.subnets.map(id),
    ...(op.subnetMappings
      ? { subnetMappings: op.subnetMappings.map((m) => ({ ...m, subnetId: id(m.subnetId) })) }
      : {}),
  };
}

/**
 * ELBv2 refuses to delete a load balancer whose `deletion_protection.enabled` attribute is on
 * (OperationNotPermitted). That is the user's choice, not a fault: the refusal is terminal (no hot
 * retry), names the protection, and leaves everything in place. The state record keeps the load
 * balancer and what depends on it, so a later reconcile (the resync schedule) deletes them all once
 * protection is off, or finds the load balancer gone and deletes the rest.
 */
function deletionProtected(error: unknown, arn: string): unknown {
  if (!(error instanceof AwsOperationError) || error.reason !== "OperationNotPermitted") return error;
  return new AwsOperationError(
    error.operation,
    {
      kind: "terminal",
      reason: "DeletionProtectionEnabled",
      message: `load balancer ${arn} has deletion protection on (attribute deletion_protection.enabled), so it and its listeners, target groups and security groups are kept; turn protection off or delete the load balancer, and the next reconcile removes the rest (AWS: ${error.message})`,
    },
    error,
  );
}

export const loadBalancerExecutors: Pick<
  ExecutorTable,
  "CreateLoadBalancer" | "ModifyLoadBalancerAttributes" | "SetSecurityGroups" | "DeleteLoadBalancer"
> = {
  async CreateLoadBalancer(client, given, ctx, deps) {
    const name = given.op;
    const op = await withSubnetIds(given, ctx, deps);
    let subnets = op.subnetMappings ? op.subnetMappings.map((m) => m.subnetId) : op.subnets;
    if (subnets.length === 0) {
      if (!deps.ec2) throw invalid(name, "the model has no subnets and there is no EC2 client to discover them");
      const vpc = await vpcId(ctx, deps, name);
      const ec2 = deps.ec2;
      subnets = await network(name, () =>
        discoverSubnets(ec2, vpc, op.scheme, op.type, {
          ...(op.subnetSelector ? { selector: op.subnetSelector } : {}),
          ...(deps.eksClusterName ? { eksClusterName: deps.eksClusterName } : {}),
        }),
      );
    }
    const securityGroups = [...op.securityGroups, ...managedGroupIds(ctx, op.managedSecurityGroups, name)];
    const response = await call(name, () =>
      client.send(
        new CreateLoadBalancerCommand({
          Name: op.name,
          Type: op.type,
          Scheme: op.scheme,
          IpAddressType: op.ipAddressType as IpAddressType,
          ...toSdkCreationSettings(op, subnets),
          ...(securityGroups.length > 0 ? { SecurityGroups: securityGroups } : {}),
          Tags: toSdkTags(withOwnership(op.tags, ctx.owner, "load-balancer")),
        }),
      ),
    ).catch((error: unknown) => {
      throw namedCollision(error, `load balancer ${op.name}`, ctx.owner);
    });
    const lb = response?.LoadBalancers?.[0] ?? {};
    const arn = new Answer(name, `load balancer ${op.name}`).string("LoadBalancerArn", lb.LoadBalancerArn);
    await assertOwned(client, name, arn, ctx.owner, `load balancer ${op.name}`);
    const state = ctx.observed;
    const previous = state.loadBalancer;
    if (previous && previous.arn !== arn && !state.strayLoadBalancers.includes(previous.arn)) {
      state.strayLoadBalancers.push(previous.arn);
    }
    ctx.loadBalancerArn = arn;
    state.loadBalancer = {
      arn,
      name: lb.LoadBalancerName ?? op.name,
      type: op.type,
      scheme: op.scheme,
      ipAddressType: op.ipAddressType as "ipv4",
      ...(lb.DNSName ? { dnsName: lb.DNSName } : {}),
      ...(lb.State?.Code ? { state: lb.State.Code } : {}),
      subnets: lb.AvailabilityZones?.map((z) => z.SubnetId ?? "").filter((s) => s !== "") ?? subnets,
      securityGroups: lb.SecurityGroups ?? securityGroups,
      attributes: {},
      // What the answer reports, else what was asked for: the call succeeded with it.
      ...creationSettings(op),
      ...creationSettingsFrom(lb),
    };
    if (previous && previous.arn !== arn) state.listeners = [];
  },

  async ModifyLoadBalancerAttributes(client, op, ctx) {
    const arn = loadBalancerArn(ctx, op.op);
    await call(op.op, () =>
      client.send(
        new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: toSdkAttributes(op.attributes) }),
      ),
    );
    const lb = ctx.observed.loadBalancer;
    if (lb) lb.attributes = { ...lb.attributes, ...op.attributes };
  },

  async SetSecurityGroups(client, op, ctx) {
    const arn = loadBalancerArn(ctx, op.op);
    const securityGroups = [...op.securityGroups, ...managedGroupIds(ctx, op.managedSecurityGroups, op.op)];
    const enforce = op.enforceInboundRulesOnPrivateLinkTraffic;
    const answer = await call(op.op, () =>
      client.send(
        new SetSecurityGroupsCommand({
          LoadBalancerArn: arn,
          SecurityGroups: securityGroups,
          ...(enforce ? { EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: enforce } : {}),
        }),
      ),
    );
    const lb = ctx.observed.loadBalancer;
    if (lb) {
      lb.securityGroups = answer?.SecurityGroupIds ?? securityGroups;
      const applied = answer?.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? enforce;
      if (applied === "on" || applied === "off") lb.enforceInboundRulesOnPrivateLinkTraffic = applied;
    }
  },

  async DeleteLoadBalancer(client, op, ctx) {
    await call(op.op, () => client.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: op.arn })), true).catch(
      (error: unknown) => {
        throw deletionProtected(error, op.arn);
      },
    );
    const state = ctx.observed;
    state.strayLoadBalancers = state.strayLoadBalancers.filter((arn) => arn !== op.arn);
    if (state.loadBalancer?.arn === op.arn) {
      state.loadBalancer = undefined;
      state.listeners = [];
      ctx.listenerArns = {};
      ctx.ruleArns = {};
      delete ctx.loadBalancerArn;
    }
  },
};
