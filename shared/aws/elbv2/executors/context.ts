/**
 * What every ELBv2 executor shares: the execution context (ARNs known so far and what exists now),
 * the typed dispatch table the executors fill, and the helpers that turn a failed call or a model
 * the API cannot take into a classified AwsOperationError.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ShieldClient } from "@aws-sdk/client-shield";
import type { WAFV2Client } from "@aws-sdk/client-wafv2";
import type { ObservedElb, ObservedListener, ObservedTargetGroup } from "../../../elb/observed.ts";
import type { ElbOperation, OperationName, RuleRef } from "../../../elb/operations.ts";
import type { ListenerProtocol } from "../../../elb/rules.ts";
import { classifyCallError } from "../../deadline.ts";
import { AwsOperationError } from "../../errors.ts";
import { NetworkDiscoveryError, resolveVpcId, type VpcSelector } from "../network.ts";

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
  /**
   * Needed to discover the VPC (no `vpc.id`) or subnets (a model without subnets), and for every
   * security group operation.
   */
  ec2?: EC2Client;
  /** The EKS cluster's name: subnet discovery skips subnets tagged for other clusters. */
  eksClusterName?: string;
  /** Needed only for the Web ACL operations (AssociateWebACL, DisassociateWebACL). */
  wafv2?: WAFV2Client;
  /** Needed only for the Shield Advanced operations (CreateProtection, DeleteProtection). */
  shield?: ShieldClient;
}

/** The operation of one kind, e.g. `OperationOf<"CreateRule">`. */
export type OperationOf<K extends OperationName> = Extract<ElbOperation, { op: K }>;

/**
 * Runs one operation of its kind: makes the call(s) and records their effect in `ctx`, which is
 * the executor's own copy (executeOperation clones the caller's).
 */
export type OperationExecutor<K extends OperationName> = (
  client: ElasticLoadBalancingV2Client,
  op: OperationOf<K>,
  ctx: ExecutionContext,
  deps: ExecutionDependencies,
) => Promise<void>;

/** One executor per operation: a table missing an operation does not type-check. */
export type ExecutorTable = { [K in OperationName]: OperationExecutor<K> };

/** Thrown when an operation's first call succeeded and a later one failed: `context` has what exists. */
export class ExecutionError extends AwsOperationError {
  readonly context: ExecutionContext;

  constructor(cause: AwsOperationError, context: ExecutionContext) {
    super(cause.operation, { kind: cause.kind, reason: cause.reason, message: cause.message }, cause);
    this.name = "ExecutionError";
    this.context = context;
  }
}

export function invalid(operation: string, message: string): AwsOperationError {
  return new AwsOperationError(operation, { kind: "terminal", reason: "InvalidOperation", message });
}

/** Model → SDK translation; a model the API cannot take (e.g. an unresolved Secret) is terminal. */
export function translating<T>(operation: string, translate: () => T): T {
  try {
    return translate();
  } catch (error) {
    if (error instanceof AwsOperationError) throw error;
    throw invalid(operation, error instanceof Error ? error.message : String(error));
  }
}

/** One SDK call, its failure classified; with `missingIsDone`, a resource already gone is success. */
export async function call<T>(
  operation: string,
  send: () => Promise<T>,
  missingIsDone = false,
): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const c = classifyCallError(error);
    if (missingIsDone && c.kind === "notFound") return undefined;
    throw new AwsOperationError(operation, c, error);
  }
}

export function hasTls(protocol: ListenerProtocol): boolean {
  return protocol === "HTTPS" || protocol === "TLS";
}

export function targetGroupArn(ctx: ExecutionContext, operation: string): (id: string) => string {
  return (id) => {
    const arn = ctx.targetGroupArns[id];
    if (!arn) throw invalid(operation, `target group ${id} has no ARN: neither created by this plan nor in the state`);
    return arn;
  };
}

export function targetGroupOf(ctx: ExecutionContext, id: string): ObservedTargetGroup | undefined {
  const arn = ctx.targetGroupArns[id];
  return ctx.observed.targetGroups.find((tg) => tg.arn === arn);
}

export function listenerArn(ctx: ExecutionContext, id: string, operation: string): string {
  const arn = ctx.listenerArns[id];
  if (!arn) throw invalid(operation, `listener ${id} has no ARN: neither created by this plan nor in the state`);
  return arn;
}

export function listenerOf(ctx: ExecutionContext, id: string): ObservedListener | undefined {
  const arn = ctx.listenerArns[id];
  return ctx.observed.listeners.find((l) => l.arn === arn) ?? ctx.observed.listeners.find((l) => l.id === id);
}

export function ruleArnOf(ctx: ExecutionContext, ref: RuleRef, operation: string): string {
  if ("arn" in ref) return ref.arn;
  const arn = ctx.ruleArns[ref.created];
  if (!arn) throw invalid(operation, `rule ${ref.created} was not created by this plan`);
  return arn;
}

export function loadBalancerArn(ctx: ExecutionContext, operation: string): string {
  if (!ctx.loadBalancerArn) throw invalid(operation, "no load balancer: neither created by this plan nor in the state");
  return ctx.loadBalancerArn;
}

export async function vpcId(ctx: ExecutionContext, deps: ExecutionDependencies, operation: string): Promise<string> {
  if (ctx.vpcId) return ctx.vpcId;
  if (!deps.ec2) throw invalid(operation, "no VPC id in the execution context and no EC2 client to discover one");
  const ec2 = deps.ec2;
  const id = await network(operation, () => resolveVpcId(ec2, ctx.vpc));
  ctx.vpcId = id;
  return id;
}

/**
 * VPC and subnet discovery: a missing VPC or too few subnets is terminal with the reason naming it
 * (`VpcNotFound`, `NoQualifyingSubnets`), EC2 errors as classified.
 */
export async function network<T>(operation: string, discover: () => Promise<T>): Promise<T> {
  try {
    return await discover();
  } catch (error) {
    if (error instanceof NetworkDiscoveryError) {
      throw new AwsOperationError(operation, { kind: "terminal", reason: error.reason, message: error.message });
    }
    throw new AwsOperationError(operation, classifyCallError(error), error);
  }
}
