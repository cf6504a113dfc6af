/**
 * The WAFv2 Web ACL association of an Application Load Balancer: the AssociateWebACL and
 * DisassociateWebACL executors and the drift-check read (GetWebACLForResource).
 *
 * AssociateWebACL replaces whatever Web ACL the load balancer had, so changing the ACL is one call
 * and the load balancer is never unprotected in between. Two WAFv2 answers are read as AWS means
 * them: WAFUnavailableEntityException (the load balancer is not yet known to WAF, typically right
 * after it is created) is worth retrying, and WAFNonexistentItemException on a disassociation or
 * a read means there is nothing associated any more.
 */
import {
  AssociateWebACLCommand,
  DisassociateWebACLCommand,
  GetWebACLForResourceCommand,
  type WAFV2Client,
} from "@aws-sdk/client-wafv2";
import { classifyCallError } from "../deadline.ts";
import {
  type ExecutionDependencies,
  type ExecutorTable,
  invalid,
  loadBalancerArn,
} from "../elbv2/executors/context.ts";
import { AwsOperationError } from "../errors.ts";

const NOT_YET_AVAILABLE = "WAFUnavailableEntity";
const NONEXISTENT = "WAFNonexistentItem";

function wafv2(deps: ExecutionDependencies, operation: string): WAFV2Client {
  if (!deps.wafv2) throw invalid(operation, "no WAFv2 client to change the Web ACL association with");
  return deps.wafv2;
}

/** One WAFv2 call, classified; with `missingIsDone`, nothing to act on counts as done. */
async function wafCall<T>(operation: string, send: () => Promise<T>, missingIsDone = false): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const c = classifyCallError(error);
    if (missingIsDone && (c.kind === "notFound" || c.reason === NONEXISTENT)) return undefined;
    throw new AwsOperationError(operation, c.reason === NOT_YET_AVAILABLE ? { ...c, kind: "retryable" } : c, error);
  }
}

export const webAclExecutors: Pick<ExecutorTable, "AssociateWebACL" | "DisassociateWebACL"> = {
  async AssociateWebACL(_elbv2, op, ctx, deps) {
    const client = wafv2(deps, op.op);
    const arn = loadBalancerArn(ctx, op.op);
    await wafCall(op.op, () => client.send(new AssociateWebACLCommand({ ResourceArn: arn, WebACLArn: op.webAclArn })));
    if (ctx.observed.loadBalancer) ctx.observed.loadBalancer.webAcl = op.webAclArn;
  },

  async DisassociateWebACL(_elbv2, op, ctx, deps) {
    const client = wafv2(deps, op.op);
    const arn = loadBalancerArn(ctx, op.op);
    await wafCall(op.op, () => client.send(new DisassociateWebACLCommand({ ResourceArn: arn })), true);
    if (ctx.observed.loadBalancer) delete ctx.observed.loadBalancer.webAcl;
  },
};

/** The ARN of the Web ACL associated with the resource `arn`, or undefined when there is none. */
export async function readWebAcl(client: WAFV2Client, arn: string): Promise<string | undefined> {
  const answer = await wafCall(
    "GetWebACLForResource",
    () => client.send(new GetWebACLForResourceCommand({ ResourceArn: arn })),
    true,
  );
  return answer?.WebACL?.ARN || undefined;
}
