// TagResource, UntagResource and ListTagsForResource on any VPC Lattice resource ARN. Only the
// owning account may read or change tags; for an association that is the account that created it,
// so the other side of a cross-account association gets AccessDenied.
import { parseArn } from "../arns.ts";
import { type OperationContext, type OperationSpec, type Output, resolve } from "../context.ts";
import { validation } from "../errors.ts";
import { checkString, type Fields } from "../input.ts";
import type { LatticeResource } from "../model.ts";

const ARN = {
  min: 0,
  max: 1224,
  pattern: /^arn:[a-z0-9][-.a-z0-9]{0,62}:vpc-lattice:([a-z0-9][-.a-z0-9]{0,62})?:\d{12}?:[^/].{0,1023}$/,
};

function taggable(ctx: OperationContext, input: Fields): LatticeResource {
  const arn = input.requireString("resourceArn", ARN);
  const parsed = parseArn(arn);
  if (parsed === undefined) {
    throw validation(`${arn} is not a taggable VPC Lattice resource`, [
      { name: "resourceArn", message: "is not the ARN of a taggable resource" },
    ]);
  }
  return resolve(ctx, parsed.kind, arn, "resourceArn", "owner");
}

function tag(ctx: OperationContext, input: Fields): Output {
  const resource = taggable(ctx, input);
  const tags = input.tags("tags");
  if (tags === undefined) throw validation("tags is required", [{ name: "tags", message: "is required" }]);
  Object.assign(resource.tags, tags);
  return {};
}

function untag(ctx: OperationContext, input: Fields): Output {
  const resource = taggable(ctx, input);
  const keys = input.list("tagKeys", { min: 0, max: 200 });
  if (keys === undefined) throw validation("tagKeys is required", [{ name: "tagKeys", message: "is required" }]);
  for (const [index, key] of keys.entries()) {
    delete resource.tags[checkString(key, `tagKeys.${index + 1}`, { min: 1, max: 128 })];
  }
  return {};
}

function listTags(ctx: OperationContext, input: Fields): Output {
  return { tags: { ...taggable(ctx, input).tags } };
}

export const TAG_OPERATIONS: OperationSpec[] = [
  { name: "TagResource", method: "POST", path: "/tags/{resourceArn}", status: 200, handler: tag },
  {
    name: "UntagResource",
    method: "DELETE",
    path: "/tags/{resourceArn}",
    status: 200,
    query: { tagKeys: "list" },
    handler: untag,
  },
  { name: "ListTagsForResource", method: "GET", path: "/tags/{resourceArn}", status: 200, handler: listTags },
];
