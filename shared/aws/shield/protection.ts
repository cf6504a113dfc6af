/**
 * The Shield Advanced protection of an Application Load Balancer: the CreateProtection and
 * DeleteProtection executors and the read (DescribeProtection by resource ARN).
 *
 * switchyard names every protection it creates SHIELD_PROTECTION_NAME and deletes only those: a
 * protection someone else made (by hand, by Firewall Manager) satisfies `enabled: true` and is
 * never removed. A protection that already exists when switchyard creates one (a retried call
 * that had landed, or someone else's) is read back and kept as it is.
 *
 * Shield's API is global: its client is made for us-east-1 whatever the load balancer's Region
 * (AwsClientFactory.shield).
 */
import {
  CreateProtectionCommand,
  DeleteProtectionCommand,
  DescribeProtectionCommand,
  type ShieldClient,
} from "@aws-sdk/client-shield";
import { type ObservedShieldProtection, SHIELD_PROTECTION_NAME } from "../../elb/load-balancer-features.ts";
import { classifyCallError } from "../deadline.ts";
import {
  type ExecutionDependencies,
  type ExecutorTable,
  invalid,
  loadBalancerArn,
} from "../elbv2/executors/context.ts";
import { AwsOperationError } from "../errors.ts";

function shield(deps: ExecutionDependencies, operation: string): ShieldClient {
  if (!deps.shield) throw invalid(operation, "no Shield client to change the protection with");
  return deps.shield;
}

async function shieldCall<T>(operation: string, send: () => Promise<T>, missingIsDone = false): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const c = classifyCallError(error);
    if (missingIsDone && c.kind === "notFound") return undefined;
    throw new AwsOperationError(operation, c, error);
  }
}

/** The protection of the resource `arn`, or undefined when it has none. */
export async function readProtection(client: ShieldClient, arn: string): Promise<ObservedShieldProtection | undefined> {
  const answer = await shieldCall(
    "DescribeProtection",
    () => client.send(new DescribeProtectionCommand({ ResourceArn: arn })),
    true,
  );
  const p = answer?.Protection;
  return p?.Id ? { id: p.Id, managed: p.Name === SHIELD_PROTECTION_NAME } : undefined;
}

export const protectionExecutors: Pick<ExecutorTable, "CreateProtection" | "DeleteProtection"> = {
  async CreateProtection(_elbv2, op, ctx, deps) {
    const client = shield(deps, op.op);
    const arn = loadBalancerArn(ctx, op.op);
    let protection: ObservedShieldProtection | undefined;
    try {
      const created = await shieldCall(op.op, () =>
        client.send(new CreateProtectionCommand({ Name: SHIELD_PROTECTION_NAME, ResourceArn: arn })),
      );
      if (created?.ProtectionId) protection = { id: created.ProtectionId, managed: true };
    } catch (error) {
      if (!(error instanceof AwsOperationError) || error.reason !== "ResourceAlreadyExists") throw error;
    }
    protection ??= await readProtection(client, arn);
    if (!protection) throw invalid(op.op, `Shield reports no protection of ${arn} after creating one`);
    if (ctx.observed.loadBalancer) ctx.observed.loadBalancer.shieldProtection = protection;
  },

  async DeleteProtection(_elbv2, op, ctx, deps) {
    const client = shield(deps, op.op);
    await shieldCall(op.op, () => client.send(new DeleteProtectionCommand({ ProtectionId: op.protectionId })), true);
    const lb = ctx.observed.loadBalancer;
    if (lb?.shieldProtection?.id === op.protectionId) delete lb.shieldProtection;
  },
};
