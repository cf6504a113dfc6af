/**
 * Runs one planned ElbOperation against the ELBv2 API and returns the execution context after it:
 * the ARNs known so far (load balancer, listeners and target groups by model id, rules created in
 * this plan by key) and the ObservedElb that now exists, so the engine can persist exactly that
 * after every step and resume from it after a crash. The engine owns the loop over a plan; this
 * module only dispatches one operation to the executor of its resource (`executors/`), so another
 * data plane's executors are a sibling table, not a second switch.
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
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ObservedElb } from "../../elb/observed.ts";
import type { ElbOperation, OperationName } from "../../elb/operations.ts";
import { securityGroupExecutors } from "../ec2/executors.ts";
import { protectionExecutors } from "../shield/protection.ts";
import { webAclExecutors } from "../wafv2/web-acl.ts";
import type {
  ExecutionContext,
  ExecutionDependencies,
  ExecutorTable,
  OperationExecutor,
  OperationOf,
  ResourceOwner,
} from "./executors/context.ts";
import { listenerExecutors } from "./executors/listener.ts";
import { listenerAttributeExecutors } from "./executors/listener-attributes.ts";
import { loadBalancerExecutors } from "./executors/load-balancer.ts";
import { loadBalancerAddOnExecutors } from "./executors/load-balancer-addons.ts";
import { ruleExecutors } from "./executors/rule.ts";
import { targetGroupExecutors } from "./executors/target-group.ts";
import { targetExecutors } from "./executors/targets.ts";
import type { VpcSelector } from "./network.ts";

export {
  type ExecutionContext,
  type ExecutionDependencies,
  ExecutionError,
  type ResourceOwner,
} from "./executors/context.ts";

export const ELBV2_EXECUTORS: ExecutorTable = {
  ...loadBalancerExecutors,
  ...loadBalancerAddOnExecutors,
  ...webAclExecutors,
  ...protectionExecutors,
  ...listenerExecutors,
  ...listenerAttributeExecutors,
  ...ruleExecutors,
  ...targetGroupExecutors,
  ...targetExecutors,
  ...securityGroupExecutors,
};

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

function executorFor<K extends OperationName>(op: OperationOf<K> & { op: K }): OperationExecutor<K> {
  return ELBV2_EXECUTORS[op.op];
}

/** The context after `op` has run. The input context is not modified. */
export async function executeOperation(
  client: ElasticLoadBalancingV2Client,
  op: ElbOperation,
  input: ExecutionContext,
  deps: ExecutionDependencies = {},
): Promise<ExecutionContext> {
  const ctx = structuredClone(input);
  await executorFor(op)(client, op, ctx, deps);
  return ctx;
}
