// Auth policies (Put/Get/Delete by service or service network id or ARN) and resource policies
// (Put/Get/Delete by ARN). Only the owner may touch either. An auth policy is Active while its
// resource's authType is AWS_IAM. Policies must be JSON on one line, as the API reference asks.
import { identifierPattern } from "../arns.ts";
import { type OperationContext, type OperationSpec, type Output, resolve } from "../context.ts";
import { notFound, validation } from "../errors.ts";
import type { Fields } from "../input.ts";
import type { Service, ServiceNetwork } from "../model.ts";

/** Auth policy size quota (10 KB, not adjustable). */
const AUTH_POLICY_BYTES = 10 * 1024;

/** A ResourceIdentifier: the id or ARN of a service network or a service. */
export function policyTarget(ctx: OperationContext, identifier: string, path: string): Service | ServiceNetwork {
  if (identifierPattern("serviceNetwork").test(identifier)) {
    return resolve(ctx, "serviceNetwork", identifier, path, "owner");
  }
  if (identifierPattern("service").test(identifier)) return resolve(ctx, "service", identifier, path, "owner");
  throw validation(`Invalid ${path}: ${identifier}`, [
    { name: path, message: "must be the id or ARN of a service network or service" },
  ]);
}

function readPolicy(input: Fields, maxLength: number): string {
  const policy = input.requireString("policy", { min: 1, max: maxLength, pattern: /\S/ });
  if (/[\r\n]/.test(policy)) {
    throw validation("The policy must not contain newlines", [{ name: "policy", message: "contains a newline" }]);
  }
  try {
    JSON.parse(policy);
  } catch {
    throw validation("The policy is not valid JSON", [{ name: "policy", message: "is not valid JSON" }]);
  }
  return policy;
}

function authState(resource: Service | ServiceNetwork): "Active" | "Inactive" {
  return resource.authType === "AWS_IAM" ? "Active" : "Inactive";
}

function putAuthPolicy(ctx: OperationContext, input: Fields): Output {
  const resource = policyTarget(ctx, input.requireString("resourceIdentifier"), "resourceIdentifier");
  const policy = readPolicy(input, 102400);
  if (Buffer.byteLength(policy) > AUTH_POLICY_BYTES) {
    throw validation(`The auth policy exceeds ${AUTH_POLICY_BYTES} bytes`, [
      { name: "policy", message: "is too large" },
    ]);
  }
  const now = ctx.state.now();
  const previous = ctx.state.authPolicies.get(resource.arn);
  ctx.state.authPolicies.set(resource.arn, { policy, createdAt: previous?.createdAt ?? now, lastUpdatedAt: now });
  return { policy, state: authState(resource) };
}

function getAuthPolicy(ctx: OperationContext, input: Fields): Output {
  const resource = policyTarget(ctx, input.requireString("resourceIdentifier"), "resourceIdentifier");
  const stored = ctx.state.authPolicies.get(resource.arn);
  if (stored === undefined) throw notFound("AUTH_POLICY", resource.arn);
  return { ...stored, state: authState(resource) };
}

function deleteAuthPolicy(ctx: OperationContext, input: Fields): Output {
  const resource = policyTarget(ctx, input.requireString("resourceIdentifier"), "resourceIdentifier");
  ctx.state.authPolicies.delete(resource.arn);
  return {};
}

const RESOURCE_ARN =
  /^arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:((servicenetwork\/sn)|(service\/svc)|(resourceconfiguration\/rcfg))-[0-9a-z]{17}$/;

function resourcePolicyTarget(ctx: OperationContext, input: Fields): Service | ServiceNetwork {
  const arn = input.requireString("resourceArn", { min: 20, max: 200, pattern: RESOURCE_ARN });
  return policyTarget(ctx, arn, "resourceArn");
}

function putResourcePolicy(ctx: OperationContext, input: Fields): Output {
  const resource = resourcePolicyTarget(ctx, input);
  const policy = readPolicy(input, 10000);
  const now = ctx.state.now();
  const previous = ctx.state.resourcePolicies.get(resource.arn);
  ctx.state.resourcePolicies.set(resource.arn, { policy, createdAt: previous?.createdAt ?? now, lastUpdatedAt: now });
  return {};
}

function getResourcePolicy(ctx: OperationContext, input: Fields): Output {
  const resource = resourcePolicyTarget(ctx, input);
  const stored = ctx.state.resourcePolicies.get(resource.arn);
  if (stored === undefined) throw notFound("RESOURCE_POLICY", resource.arn);
  return { policy: stored.policy };
}

function deleteResourcePolicy(ctx: OperationContext, input: Fields): Output {
  const resource = resourcePolicyTarget(ctx, input);
  ctx.state.resourcePolicies.delete(resource.arn);
  return {};
}

export const POLICY_OPERATIONS: OperationSpec[] = [
  {
    name: "PutAuthPolicy",
    method: "PUT",
    path: "/authpolicy/{resourceIdentifier}",
    status: 200,
    handler: putAuthPolicy,
  },
  {
    name: "GetAuthPolicy",
    method: "GET",
    path: "/authpolicy/{resourceIdentifier}",
    status: 200,
    handler: getAuthPolicy,
  },
  {
    name: "DeleteAuthPolicy",
    method: "DELETE",
    path: "/authpolicy/{resourceIdentifier}",
    status: 204,
    handler: deleteAuthPolicy,
  },
  {
    name: "PutResourcePolicy",
    method: "PUT",
    path: "/resourcepolicy/{resourceArn}",
    status: 200,
    handler: putResourcePolicy,
  },
  {
    name: "GetResourcePolicy",
    method: "GET",
    path: "/resourcepolicy/{resourceArn}",
    status: 200,
    handler: getResourcePolicy,
  },
  {
    name: "DeleteResourcePolicy",
    method: "DELETE",
    path: "/resourcepolicy/{resourceArn}",
    status: 204,
    handler: deleteResourcePolicy,
  },
];
