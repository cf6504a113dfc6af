/**
 * Ownership tags on everything the executors create, and the check that a create call's answer is
 * this Gateway's own resource: the executors' shared guard against adopting someone else's.
 */
import { DescribeTagsCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { MANAGED_BY, ownershipTags, TAG } from "../../../elb/naming.ts";
import { AwsOperationError } from "../../errors.ts";
import { call, type ResourceOwner } from "./context.ts";

/** The operation's tags with the context's owner winning for managed-by, cluster and gateway. */
export function withOwnership(
  tags: Record<string, string>,
  owner: ResourceOwner,
  role: string,
): Record<string, string> {
  return { ...tags, ...ownershipTags(owner.clusterId, owner.gatewayKey, tags[TAG.role] ?? role) };
}

function collisionMessage(what: string, owner: ResourceOwner): string {
  return `${what} already exists and does not belong to Gateway ${owner.gatewayKey} of cluster ${owner.clusterId}; switchyard will not take it over: rename or delete it, or choose another name`;
}

/** A Duplicate*Name refusal (different settings under the same name) says which name collided. */
export function namedCollision(error: unknown, what: string, owner: ResourceOwner): unknown {
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
export async function assertOwned(
  client: ElasticLoadBalancingV2Client,
  operation: string,
  arn: string,
  owner: ResourceOwner,
  what: string,
): Promise<void> {
  const out = await call(operation, () => client.send(new DescribeTagsCommand({ ResourceArns: [arn] })));
  const tags = new Map((out?.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
  const expected = ownershipTags(owner.clusterId, owner.gatewayKey, "");
  if (
    tags.get(TAG.managedBy) === MANAGED_BY &&
    tags.get(TAG.cluster) === expected[TAG.cluster] &&
    tags.get(TAG.gateway) === expected[TAG.gateway]
  ) {
    return;
  }
  throw new AwsOperationError(operation, {
    kind: "conflict",
    reason: "ForeignNameCollision",
    message: collisionMessage(what, owner),
  });
}
