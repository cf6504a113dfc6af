/**
 * Runs one planned ElbOperation against the ELBv2 API and returns the execution context after it:
 * the ARNs known so far (load balancer, listeners and target groups by model id, rules created in
 * this plan by key) and the ObservedElb that now exists, so the engine can persist exactly that
 * after every step and resume from it after a crash.
 *
 * Every create call carries the ownership tags (`switchyard.dev/*`) in the call itself, so no
 * crash can leave an untagged resource behind; the context's owner wins over whatever tags the
 * operation brings for managed-by, cluster and gateway.
 *
 * Deletes are idempotent: a resource already gone counts as deleted. Everything else that fails
 * is thrown as an AwsOperationError (kind retryable/terminal/quota/notFound/conflict); when an
 * operation made more than one call and a later one failed, an ExecutionError carries the context
 * with what the earlier calls created.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  type IpAddressType,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  type TargetGroupIpAddressTypeEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { MutualAuthentication, TargetModel } from "../../elb/model.ts";
import { MANAGED_BY, TAG } from "../../elb/naming.ts";
import type { ObservedElb, ObservedListener, ObservedTargetGroup } from "../../elb/observed.ts";
import type { ElbOperation, RuleRef } from "../../elb/operations.ts";
import type { ListenerProtocol } from "../../elb/rules.ts";
import { AwsOperationError, classifyAwsError } from "../errors.ts";
import { discoverSubnets, NetworkDiscoveryError, resolveVpcId, type VpcSelector } from "./network.ts";
import {
  toSdkActions,
  toSdkAttributes,
  toSdkCondition,
  toSdkHealthCheck,
  toSdkTags,
  toSdkTransform,
} from "./translate.ts";

export interface ResourceOwner {
  clusterId: string;
  /** The Gateway key as the model's ownership tags carry it. */
  gatewayKey: string;
}

export interface ExecutionContext {
  owner: ResourceOwner;
  loadBalancerArn?: string;
  /** Listener model id (`PROTOCOL:port`) → ARN. */
  listenerArns: Record<string, string>;
  /** Target group model id → ARN. */
  targetGroupArns: Record<string, string>;
  /** CreateRule key → ARN of the rule it created. */
  ruleArns: Record<string, string>;
  /** What exists now, in model terms. */
  observed: ObservedElb;
  /** VPC for new target groups and for subnet discovery; default: the account's default VPC. */
  vpc?: VpcSelector;
  /** The VPC id once resolved (cached across operations). */
  vpcId?: string;
}

export interface ExecutionDependencies {
  /** Needed only to discover the VPC (no `vpc.id`) or subnets (a model without subnets). */
  ec2?: EC2Client;
}

/** A context for executing a plan against `observed` (from the state record or from AWS). */
export function startExecution(owner: ResourceOwner, observed: ObservedElb, vpc?: VpcSelector): ExecutionContext {
  const ctx: ExecutionContext = {
    owner,
    listenerArns: Object.fromEntries(observed.listeners.map((l) => [l.id, l.arn])),
    targetGroupArns: Object.fromEntries(observed.targetGroups.map((tg) => [tg.id, tg.arn])),
    ruleArns: {},
    observed: structuredClone(observed),
    ...(vpc ? { vpc } : {}),
    ...(vpc?.id ? { vpcId: vpc.id } : {}),
  };
  if (observed.loadBalancer) ctx.loadBalancerArn = observed.loadBalancer.arn;
  return ctx;
}

/** Thrown when an operation's first call succeeded and a later one failed: `context` has what exists. */
export class ExecutionError extends AwsOperationError {
  readonly context: ExecutionContext;

  constructor(cause: AwsOperationError, context: ExecutionContext) {
    super(cause.operation, { kind: cause.kind, reason: cause.reason, message: cause.message }, cause);
    this.name = "ExecutionError";
    this.context = context;
  }
}

function invalid(operation: string, message: string): AwsOperationError {
  return new AwsOperationError(operation, { kind: "terminal", reason: "InvalidOperation", message });
}

/** Model → SDK translation; a model the API cannot take (e.g. an unresolved Secret) is terminal. */
function translating<T>(operation: string, translate: () => T): T {
  try {
    return translate();
  } catch (error) {
    if (error instanceof AwsOperationError) throw error;
    throw invalid(operation, error instanceof Error ? error.message : String(error));
  }
}

async function call<T>(operation: string, send: () => Promise<T>, missingIsDone = false): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const c = classifyAwsError(error);
    if (missingIsDone && c.kind === "notFound") return undefined;
    throw new AwsOperationError(operation, c, error);
  }
}

function withOwnership(tags: Record<string, string>, owner: ResourceOwner, role: string): Record<string, string> {
  return {
    ...tags,
    [TAG.managedBy]: MANAGED_BY,
    [TAG.cluster]: owner.clusterId,
    [TAG.gateway]: owner.gatewayKey,
    [TAG.role]: tags[TAG.role] ?? role,
  };
}

function sameTarget(a: TargetModel, b: TargetModel): boolean {
  return a.id === b.id && a.port === b.port;
}

function sdkTargets(targets: readonly TargetModel[]) {
  return targets.map((t) => ({
    Id: t.id,
    Port: t.port,
    ...(t.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}),
  }));
}

function hasTls(protocol: ListenerProtocol): boolean {
  return protocol === "HTTPS" || protocol === "TLS";
}

function targetGroupArn(ctx: ExecutionContext, operation: string): (id: string) => string {
  return (id) => {
    const arn = ctx.targetGroupArns[id];
    if (!arn) throw invalid(operation, `target group ${id} has no ARN: neither created by this plan nor in the state`);
    return arn;
  };
}

function listenerArn(ctx: ExecutionContext, id: string, operation: string): string {
  const arn = ctx.listenerArns[id];
  if (!arn) throw invalid(operation, `listener ${id} has no ARN: neither created by this plan nor in the state`);
  return arn;
}

function listenerOf(ctx: ExecutionContext, id: string): ObservedListener | undefined {
  const arn = ctx.listenerArns[id];
  return ctx.observed.listeners.find((l) => l.arn === arn) ?? ctx.observed.listeners.find((l) => l.id === id);
}

function ruleArnOf(ctx: ExecutionContext, ref: RuleRef, operation: string): string {
  if ("arn" in ref) return ref.arn;
  const arn = ctx.ruleArns[ref.created];
  if (!arn) throw invalid(operation, `rule ${ref.created} was not created by this plan`);
  return arn;
}

function targetGroupOf(ctx: ExecutionContext, id: string): ObservedTargetGroup | undefined {
  const arn = ctx.targetGroupArns[id];
  return ctx.observed.targetGroups.find((tg) => tg.arn === arn);
}

function loadBalancerArn(ctx: ExecutionContext, operation: string): string {
  if (!ctx.loadBalancerArn) throw invalid(operation, "no load balancer: neither created by this plan nor in the state");
  return ctx.loadBalancerArn;
}

async function vpcId(ctx: ExecutionContext, deps: ExecutionDependencies, operation: string): Promise<string> {
  if (ctx.vpcId) return ctx.vpcId;
  if (!deps.ec2) throw invalid(operation, "no VPC id in the execution context and no EC2 client to discover one");
  const ec2 = deps.ec2;
  const id = await network(operation, () => resolveVpcId(ec2, ctx.vpc));
  ctx.vpcId = id;
  return id;
}

/** VPC and subnet discovery: a missing VPC or too few subnets is terminal, EC2 errors as classified. */
async function network<T>(operation: string, discover: () => Promise<T>): Promise<T> {
  try {
    return await discover();
  } catch (error) {
    if (error instanceof NetworkDiscoveryError) throw invalid(operation, error.message);
    throw new AwsOperationError(operation, classifyAwsError(error), error);
  }
}

function toSdkMutualAuthentication(m: MutualAuthentication) {
  return {
    Mode: m.mode,
    ...(m.trustStoreArn ? { TrustStoreArn: m.trustStoreArn } : {}),
    ...(m.ignoreClientCertificateExpiry !== undefined
      ? { IgnoreClientCertificateExpiry: m.ignoreClientCertificateExpiry }
      : {}),
  };
}

function collisionMessage(what: string, owner: ResourceOwner): string {
  return `${what} already exists and does not belong to Gateway ${owner.gatewayKey} of cluster ${owner.clusterId}; switchyard will not take it over: rename or delete it, or choose another name`;
}

/** A Duplicate*Name refusal (different settings under the same name) says which name collided. */
function namedCollision(error: unknown, what: string, owner: ResourceOwner): unknown {
  if (error instanceof AwsOperationError && error.kind === "conflict" && /^Duplicate.*Name$/.test(error.reason)) {
    return new AwsOperationError(
      error.operation,
      { kind: "conflict", reason: error.reason, message: collisionMessage(what, owner) },
      error,
    );
  }
  return error;
}

/**
 * ELBv2's create calls are idempotent by name: when a resource with the same name and settings
 * exists, its ARN comes back as if it had just been created. Whatever came back must carry this
 * Gateway's ownership tags, or switchyard would adopt someone else's resource: a name collision
 * is reported, never a takeover.
 */
async function assertOwned(
  client: ElasticLoadBalancingV2Client,
  operation: string,
  arn: string,
  owner: ResourceOwner,
  what: string,
): Promise<void> {
  const out = await call(operation, () => client.send(new DescribeTagsCommand({ ResourceArns: [arn] })));
  const tags = new Map((out?.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
  if (
    tags.get(TAG.managedBy) === MANAGED_BY &&
    tags.get(TAG.cluster) === owner.clusterId &&
    tags.get(TAG.gateway) === owner.gatewayKey
  ) {
    return;
  }
  throw new AwsOperationError(operation, {
    kind: "conflict",
    reason: "ForeignNameCollision",
    message: collisionMessage(what, owner),
  });
}

/** The context after `op` has run. The input context is not modified. */
export async function executeOperation(
  client: ElasticLoadBalancingV2Client,
  op: ElbOperation,
  input: ExecutionContext,
  deps: ExecutionDependencies = {},
): Promise<ExecutionContext> {
  const ctx = structuredClone(input);
  const state = ctx.observed;
  const name = op.op;
  switch (op.op) {
    case "CreateTargetGroup": {
      const tg = op.targetGroup;
      const vpc = await vpcId(ctx, deps, name);
      const httpLike = tg.protocol === "HTTP" || tg.protocol === "HTTPS";
      const response = await call(name, () =>
        client.send(
          new CreateTargetGroupCommand({
            Name: tg.name,
            Protocol: tg.protocol,
            ...(httpLike && tg.protocolVersion ? { ProtocolVersion: tg.protocolVersion } : {}),
            Port: tg.port,
            VpcId: vpc,
            TargetType: tg.targetType,
            IpAddressType: tg.ipAddressType satisfies TargetGroupIpAddressTypeEnum,
            ...toSdkHealthCheck(tg.healthCheck),
            Tags: toSdkTags(withOwnership(tg.tags, ctx.owner, `target-group:${tg.id}`)),
          }),
        ),
      ).catch((error: unknown) => {
        throw namedCollision(error, `target group ${tg.name}`, ctx.owner);
      });
      const created = response?.TargetGroups?.[0];
      if (!created?.TargetGroupArn) throw invalid(name, `CreateTargetGroup ${tg.name} returned no ARN`);
      await assertOwned(client, name, created.TargetGroupArn, ctx.owner, `target group ${tg.name}`);
      ctx.targetGroupArns[tg.id] = created.TargetGroupArn;
      // A replaced group (same id, new immutable fields) stays listed under its own ARN until
      // DeleteTargetGroup removes it; the new one comes last and is the one the id resolves to.
      state.targetGroups = state.targetGroups.filter((x) => x.arn !== created.TargetGroupArn);
      state.targetGroups.push({
        id: tg.id,
        arn: created.TargetGroupArn,
        name: created.TargetGroupName ?? tg.name,
        protocol: tg.protocol,
        // AWS reports HTTP1 for an HTTP group created without a protocol version.
        ...(created.ProtocolVersion || (httpLike && tg.protocolVersion)
          ? { protocolVersion: created.ProtocolVersion ?? tg.protocolVersion }
          : {}),
        port: tg.port,
        healthCheck: tg.healthCheck,
        // Attributes are AWS defaults until ModifyTargetGroupAttributes sets the model's.
        attributes: {},
        targets: [],
      });
      return ctx;
    }
    case "ModifyTargetGroup": {
      const arn = targetGroupArn(ctx, name)(op.targetGroupId);
      await call(name, () =>
        client.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...toSdkHealthCheck(op.healthCheck) })),
      );
      const tg = targetGroupOf(ctx, op.targetGroupId);
      if (tg) tg.healthCheck = op.healthCheck;
      return ctx;
    }
    case "ModifyTargetGroupAttributes": {
      const arn = targetGroupArn(ctx, name)(op.targetGroupId);
      await call(name, () =>
        client.send(
          new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: toSdkAttributes(op.attributes) }),
        ),
      );
      const tg = targetGroupOf(ctx, op.targetGroupId);
      if (tg) tg.attributes = { ...tg.attributes, ...op.attributes };
      return ctx;
    }
    case "RegisterTargets": {
      const arn = targetGroupArn(ctx, name)(op.targetGroupId);
      await call(name, () =>
        client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: sdkTargets(op.targets) })),
      );
      const tg = targetGroupOf(ctx, op.targetGroupId);
      if (tg) tg.targets = [...tg.targets, ...op.targets.filter((t) => !tg.targets.some((x) => sameTarget(x, t)))];
      return ctx;
    }
    case "DeregisterTargets": {
      const arn = targetGroupArn(ctx, name)(op.targetGroupId);
      await call(name, () =>
        client.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: sdkTargets(op.targets) })),
      );
      const tg = targetGroupOf(ctx, op.targetGroupId);
      if (tg) tg.targets = tg.targets.filter((x) => !op.targets.some((t) => sameTarget(x, t)));
      return ctx;
    }
    case "DeleteTargetGroup": {
      // ResourceInUse right after the listener or load balancer that used the group was deleted
      // is classified retryable: ELBv2 releases the reference asynchronously.
      await call(name, () => client.send(new DeleteTargetGroupCommand({ TargetGroupArn: op.arn })), true);
      state.targetGroups = state.targetGroups.filter((tg) => tg.arn !== op.arn);
      if (ctx.targetGroupArns[op.targetGroupId] === op.arn) {
        const next = state.targetGroups.find((tg) => tg.id === op.targetGroupId);
        if (next) ctx.targetGroupArns[op.targetGroupId] = next.arn;
        else delete ctx.targetGroupArns[op.targetGroupId];
      }
      return ctx;
    }
    case "CreateLoadBalancer": {
      let subnets = op.subnets;
      if (subnets.length === 0) {
        if (!deps.ec2) throw invalid(name, "the model has no subnets and there is no EC2 client to discover them");
        const vpc = await vpcId(ctx, deps, name);
        const ec2 = deps.ec2;
        subnets = await network(name, () => discoverSubnets(ec2, vpc, op.scheme, op.type));
      }
      const response = await call(name, () =>
        client.send(
          new CreateLoadBalancerCommand({
            Name: op.name,
            Type: op.type,
            Scheme: op.scheme,
            IpAddressType: op.ipAddressType as IpAddressType,
            Subnets: subnets,
            ...(op.securityGroups.length > 0 ? { SecurityGroups: op.securityGroups } : {}),
            Tags: toSdkTags(withOwnership(op.tags, ctx.owner, "load-balancer")),
          }),
        ),
      ).catch((error: unknown) => {
        throw namedCollision(error, `load balancer ${op.name}`, ctx.owner);
      });
      const lb = response?.LoadBalancers?.[0];
      if (!lb?.LoadBalancerArn) throw invalid(name, `CreateLoadBalancer ${op.name} returned no ARN`);
      await assertOwned(client, name, lb.LoadBalancerArn, ctx.owner, `load balancer ${op.name}`);
      const previous = state.loadBalancer;
      if (previous && previous.arn !== lb.LoadBalancerArn && !state.strayLoadBalancers.includes(previous.arn)) {
        state.strayLoadBalancers.push(previous.arn);
      }
      ctx.loadBalancerArn = lb.LoadBalancerArn;
      state.loadBalancer = {
        arn: lb.LoadBalancerArn,
        name: lb.LoadBalancerName ?? op.name,
        type: op.type,
        scheme: op.scheme,
        ipAddressType: op.ipAddressType as "ipv4",
        ...(lb.DNSName ? { dnsName: lb.DNSName } : {}),
        ...(lb.State?.Code ? { state: lb.State.Code } : {}),
        subnets: lb.AvailabilityZones?.map((z) => z.SubnetId ?? "").filter((s) => s !== "") ?? subnets,
        securityGroups: lb.SecurityGroups ?? op.securityGroups,
        attributes: {},
      };
      if (previous && previous.arn !== lb.LoadBalancerArn) state.listeners = [];
      return ctx;
    }
    case "ModifyLoadBalancerAttributes": {
      const arn = loadBalancerArn(ctx, name);
      await call(name, () =>
        client.send(
          new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: toSdkAttributes(op.attributes) }),
        ),
      );
      if (state.loadBalancer) state.loadBalancer.attributes = { ...state.loadBalancer.attributes, ...op.attributes };
      return ctx;
    }
    case "SetSecurityGroups": {
      const arn = loadBalancerArn(ctx, name);
      await call(name, () =>
        client.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: op.securityGroups })),
      );
      if (state.loadBalancer) state.loadBalancer.securityGroups = [...op.securityGroups];
      return ctx;
    }
    case "DeleteLoadBalancer": {
      await call(name, () => client.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: op.arn })), true);
      state.strayLoadBalancers = state.strayLoadBalancers.filter((arn) => arn !== op.arn);
      if (state.loadBalancer?.arn === op.arn) {
        state.loadBalancer = undefined;
        state.listeners = [];
        ctx.listenerArns = {};
        ctx.ruleArns = {};
        delete ctx.loadBalancerArn;
      }
      return ctx;
    }
    case "CreateListener": {
      const lbArn = loadBalancerArn(ctx, name);
      const certs = op.certificates?.arns ?? [];
      const defaultActions = translating(name, () => toSdkActions(op.defaultActions, targetGroupArn(ctx, name)));
      const response = await call(name, () =>
        client.send(
          new CreateListenerCommand({
            LoadBalancerArn: lbArn,
            Protocol: op.protocol,
            Port: op.port,
            // CreateListener takes exactly one certificate, the default; the rest are added below.
            ...(certs[0] ? { Certificates: [{ CertificateArn: certs[0] }] } : {}),
            ...(hasTls(op.protocol) && op.sslPolicy ? { SslPolicy: op.sslPolicy } : {}),
            ...(op.protocol === "TLS" && op.alpnPolicy ? { AlpnPolicy: [op.alpnPolicy] } : {}),
            ...(op.mutualAuthentication
              ? { MutualAuthentication: toSdkMutualAuthentication(op.mutualAuthentication) }
              : {}),
            DefaultActions: defaultActions,
            Tags: toSdkTags(withOwnership(op.tags, ctx.owner, `listener:${op.listenerId}`)),
          }),
        ),
      );
      const created = response?.Listeners?.[0];
      if (!created?.ListenerArn) throw invalid(name, `CreateListener ${op.listenerId} returned no ARN`);
      const arn = created.ListenerArn;
      ctx.listenerArns[op.listenerId] = arn;
      const sslPolicy = hasTls(op.protocol) ? (op.sslPolicy ?? created.SslPolicy) : undefined;
      const listener: ObservedListener = {
        id: op.listenerId,
        arn,
        port: op.port,
        protocol: op.protocol,
        ...(op.certificates
          ? { certificates: { arns: certs.slice(0, 1), pendingSecrets: [...op.certificates.pendingSecrets] } }
          : {}),
        ...(sslPolicy ? { sslPolicy } : {}),
        ...(op.protocol === "TLS" && op.alpnPolicy ? { alpnPolicy: op.alpnPolicy } : {}),
        ...(op.mutualAuthentication ? { mutualAuthentication: op.mutualAuthentication } : {}),
        defaultActions: op.defaultActions,
        rules: [],
      };
      state.listeners = [...state.listeners.filter((l) => l.arn !== arn), listener];
      const extra = certs.slice(1);
      if (extra.length > 0) {
        try {
          await call("AddListenerCertificates", () =>
            client.send(
              new AddListenerCertificatesCommand({
                ListenerArn: arn,
                Certificates: extra.map((CertificateArn) => ({ CertificateArn })),
              }),
            ),
          );
        } catch (error) {
          if (error instanceof AwsOperationError) throw new ExecutionError(error, ctx);
          throw error;
        }
        listener.certificates = { arns: [...certs], pendingSecrets: listener.certificates?.pendingSecrets ?? [] };
      }
      return ctx;
    }
    case "ModifyListener": {
      const actions = op.defaultActions;
      const defaultActions = actions
        ? translating(name, () => toSdkActions(actions, targetGroupArn(ctx, name)))
        : undefined;
      await call(name, () =>
        client.send(
          new ModifyListenerCommand({
            ListenerArn: op.arn,
            ...(op.protocol ? { Protocol: op.protocol } : {}),
            ...(op.defaultCertificate ? { Certificates: [{ CertificateArn: op.defaultCertificate }] } : {}),
            ...(op.sslPolicy ? { SslPolicy: op.sslPolicy } : {}),
            ...(op.alpnPolicy ? { AlpnPolicy: [op.alpnPolicy] } : {}),
            ...(op.mutualAuthentication
              ? { MutualAuthentication: toSdkMutualAuthentication(op.mutualAuthentication) }
              : {}),
            ...(defaultActions ? { DefaultActions: defaultActions } : {}),
          }),
        ),
      );
      for (const [id, arn] of Object.entries(ctx.listenerArns)) if (arn === op.arn) delete ctx.listenerArns[id];
      ctx.listenerArns[op.listenerId] = op.arn;
      const l = state.listeners.find((x) => x.arn === op.arn);
      if (l) {
        l.id = op.listenerId;
        if (op.protocol) l.protocol = op.protocol;
        if (!hasTls(l.protocol)) {
          delete l.certificates;
          delete l.sslPolicy;
          delete l.alpnPolicy;
        }
        if (op.defaultCertificate) {
          const rest = (l.certificates?.arns ?? []).slice(1).filter((a) => a !== op.defaultCertificate);
          l.certificates = {
            arns: [op.defaultCertificate, ...rest],
            pendingSecrets: l.certificates?.pendingSecrets ?? [],
          };
        }
        if (op.sslPolicy) l.sslPolicy = op.sslPolicy;
        if (op.alpnPolicy) l.alpnPolicy = op.alpnPolicy;
        if (op.mutualAuthentication) {
          if (op.mutualAuthentication.mode === "off") delete l.mutualAuthentication;
          else l.mutualAuthentication = op.mutualAuthentication;
        }
        if (op.defaultActions) l.defaultActions = op.defaultActions;
      }
      return ctx;
    }
    case "AddListenerCertificates": {
      const arn = listenerArn(ctx, op.listenerId, name);
      await call(name, () =>
        client.send(
          new AddListenerCertificatesCommand({
            ListenerArn: arn,
            Certificates: op.arns.map((CertificateArn) => ({ CertificateArn })),
          }),
        ),
      );
      const l = listenerOf(ctx, op.listenerId);
      if (l) {
        const have = l.certificates?.arns ?? [];
        l.certificates = {
          arns: [...have, ...op.arns.filter((a) => !have.includes(a))],
          pendingSecrets: l.certificates?.pendingSecrets ?? [],
        };
      }
      return ctx;
    }
    case "RemoveListenerCertificates": {
      const arn = listenerArn(ctx, op.listenerId, name);
      await call(name, () =>
        client.send(
          new RemoveListenerCertificatesCommand({
            ListenerArn: arn,
            Certificates: op.arns.map((CertificateArn) => ({ CertificateArn })),
          }),
        ),
      );
      const l = listenerOf(ctx, op.listenerId);
      if (l?.certificates) {
        const [first, ...rest] = l.certificates.arns;
        l.certificates = {
          arns: [...(first ? [first] : []), ...rest.filter((a) => !op.arns.includes(a))],
          pendingSecrets: l.certificates.pendingSecrets,
        };
      }
      return ctx;
    }
    case "DeleteListener": {
      await call(name, () => client.send(new DeleteListenerCommand({ ListenerArn: op.arn })), true);
      const gone = state.listeners.find((l) => l.arn === op.arn);
      state.listeners = state.listeners.filter((l) => l.arn !== op.arn);
      for (const [id, arn] of Object.entries(ctx.listenerArns)) if (arn === op.arn) delete ctx.listenerArns[id];
      const goneRules = new Set(gone?.rules.map((r) => r.arn) ?? []);
      for (const [key, arn] of Object.entries(ctx.ruleArns)) if (goneRules.has(arn)) delete ctx.ruleArns[key];
      return ctx;
    }
    case "CreateRule": {
      const arn = listenerArn(ctx, op.listenerId, name);
      const input = translating(name, () => ({
        ListenerArn: arn,
        Priority: op.priority,
        Conditions: op.conditions.map(toSdkCondition),
        Actions: toSdkActions(op.actions, targetGroupArn(ctx, name)),
        ...(op.transforms?.length ? { Transforms: op.transforms.map(toSdkTransform) } : {}),
        Tags: toSdkTags(withOwnership(op.tags, ctx.owner, `listener:${op.listenerId}`)),
      }));
      const response = await call(name, () => client.send(new CreateRuleCommand(input)));
      const ruleArn = response?.Rules?.[0]?.RuleArn;
      if (!ruleArn) throw invalid(name, `CreateRule ${op.key} returned no ARN`);
      ctx.ruleArns[op.key] = ruleArn;
      const l = listenerOf(ctx, op.listenerId);
      if (l) {
        l.rules.push({
          arn: ruleArn,
          priority: op.priority,
          conditions: op.conditions,
          actions: op.actions,
          ...(op.transforms?.length ? { transforms: op.transforms } : {}),
        });
        l.rules.sort((a, b) => a.priority - b.priority);
      }
      return ctx;
    }
    case "ModifyRule": {
      const ruleArn = ruleArnOf(ctx, op.rule, name);
      const l = listenerOf(ctx, op.listenerId);
      const existing = l?.rules.find((r) => r.arn === ruleArn);
      const input = translating(name, () => ({
        RuleArn: ruleArn,
        Conditions: op.conditions.map(toSdkCondition),
        Actions: toSdkActions(op.actions, targetGroupArn(ctx, name)),
        // ModifyRule keeps what it is not given: transforms the rule no longer has are reset.
        ...(op.transforms?.length
          ? { Transforms: op.transforms.map(toSdkTransform) }
          : !existing || existing.transforms?.length
            ? { ResetTransforms: true }
            : {}),
      }));
      await call(name, () => client.send(new ModifyRuleCommand(input)));
      if (existing) {
        existing.conditions = op.conditions;
        existing.actions = op.actions;
        if (op.transforms?.length) existing.transforms = op.transforms;
        else delete existing.transforms;
      }
      return ctx;
    }
    case "SetRulePriorities": {
      const moves = op.priorities.map((p) => ({ RuleArn: ruleArnOf(ctx, p.rule, name), Priority: p.priority }));
      await call(name, () => client.send(new SetRulePrioritiesCommand({ RulePriorities: moves })));
      const l = listenerOf(ctx, op.listenerId);
      for (const move of moves) {
        const rule = l?.rules.find((r) => r.arn === move.RuleArn);
        if (rule) rule.priority = move.Priority;
      }
      l?.rules.sort((a, b) => a.priority - b.priority);
      return ctx;
    }
    case "DeleteRule": {
      const ruleArn = ruleArnOf(ctx, op.rule, name);
      await call(name, () => client.send(new DeleteRuleCommand({ RuleArn: ruleArn })), true);
      for (const l of state.listeners) l.rules = l.rules.filter((r) => r.arn !== ruleArn);
      for (const [key, arn] of Object.entries(ctx.ruleArns)) if (arn === ruleArn) delete ctx.ruleArns[key];
      return ctx;
    }
  }
}

/** Runs a whole plan in order; `onStep` sees the context after each operation (to persist it). */
export async function executePlan(
  client: ElasticLoadBalancingV2Client,
  operations: readonly ElbOperation[],
  ctx: ExecutionContext,
  deps: ExecutionDependencies = {},
  onStep?: (ctx: ExecutionContext, op: ElbOperation, index: number) => void | Promise<void>,
): Promise<ExecutionContext> {
  let current = ctx;
  for (const [index, op] of operations.entries()) {
    current = await executeOperation(client, op, current, deps);
    await onStep?.(current, op, index);
  }
  return current;
}
