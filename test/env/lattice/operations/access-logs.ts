// Access log subscriptions: Create/Get/List/Update/Delete on a service network or service, one per
// destination type (CloudWatch Logs, S3, Firehose) and resource. serviceNetworkLogType applies to
// service networks only.
import { RESOURCE_TYPE } from "../arns.ts";
import { idempotent, type OperationContext, type OperationSpec, type Output, paginate, resolve } from "../context.ts";
import { conflict, validation } from "../errors.ts";
import type { Fields } from "../input.ts";
import { type AccessLogSubscription, SERVICE_NETWORK_LOG_TYPES } from "../model.ts";
import { policyTarget } from "./policies.ts";

const DESTINATION_ARN = {
  min: 20,
  max: 2048,
  pattern: /^arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:([^/].*)?$/,
};

/** The destination's service: logs, s3 or firehose. */
function destinationType(arn: string): string {
  const service = arn.split(":")[2] ?? "";
  if (service !== "logs" && service !== "s3" && service !== "firehose") {
    throw validation(`Unsupported access log destination ${arn}`, [
      { name: "destinationArn", message: "must be a CloudWatch Logs log group, S3 bucket or Firehose stream" },
    ]);
  }
  return service;
}

function view(subscription: AccessLogSubscription): Output {
  return {
    id: subscription.id,
    arn: subscription.arn,
    resourceId: subscription.resourceArn.slice(subscription.resourceArn.lastIndexOf("/") + 1),
    resourceArn: subscription.resourceArn,
    destinationArn: subscription.destinationArn,
    serviceNetworkLogType: subscription.serviceNetworkLogType,
  };
}

function checkDestinationFree(
  ctx: OperationContext,
  resourceArn: string,
  destinationArn: string,
  except?: string,
): void {
  const type = destinationType(destinationArn);
  const taken = ctx.state
    .all("accessLogSubscription")
    .find(
      (other) =>
        other.resourceArn === resourceArn && other.arn !== except && destinationType(other.destinationArn) === type,
    );
  if (taken !== undefined) {
    throw conflict(
      `${resourceArn} already has an access log subscription to a ${type} destination`,
      RESOURCE_TYPE.accessLogSubscription,
      taken.id,
    );
  }
}

function create(ctx: OperationContext, input: Fields): Output {
  const { state } = ctx;
  const resource = policyTarget(ctx, input.requireString("resourceIdentifier"), "resourceIdentifier");
  const destinationArn = input.requireString("destinationArn", DESTINATION_ARN);
  const serviceNetworkLogType = input.string("serviceNetworkLogType", { enum: SERVICE_NETWORK_LOG_TYPES });
  if (serviceNetworkLogType !== undefined && resource.kind !== "serviceNetwork") {
    throw validation("serviceNetworkLogType applies to service networks only", [
      { name: "serviceNetworkLogType", message: "applies to service networks only" },
    ]);
  }
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const subscription = state.byArn(arn);
      return subscription?.kind === "accessLogSubscription" ? view(subscription) : undefined;
    },
    () => {
      checkDestinationFree(ctx, resource.arn, destinationArn);
      const subscription = state.add<AccessLogSubscription>({
        ...state.base("accessLogSubscription", resource.account, resource.region, tags),
        kind: "accessLogSubscription",
        resourceArn: resource.arn,
        destinationArn,
        serviceNetworkLogType: serviceNetworkLogType ?? (resource.kind === "serviceNetwork" ? "SERVICE" : undefined),
      });
      return { arn: subscription.arn, response: view(subscription) };
    },
  );
}

function subscriptionOf(ctx: OperationContext, input: Fields): AccessLogSubscription {
  return resolve(
    ctx,
    "accessLogSubscription",
    input.requireString("accessLogSubscriptionIdentifier"),
    "accessLogSubscriptionIdentifier",
    "owner",
  );
}

function get(ctx: OperationContext, input: Fields): Output {
  const subscription = subscriptionOf(ctx, input);
  return { ...view(subscription), createdAt: subscription.createdAt, lastUpdatedAt: subscription.lastUpdatedAt };
}

function list(ctx: OperationContext, input: Fields): Output {
  const resource = policyTarget(ctx, input.requireString("resourceIdentifier"), "resourceIdentifier");
  const subscriptions = ctx.state.all("accessLogSubscription").filter((s) => s.resourceArn === resource.arn);
  const { page, nextToken } = paginate(ctx, input, subscriptions);
  return {
    items: page.map((s) => ({ ...view(s), createdAt: s.createdAt, lastUpdatedAt: s.lastUpdatedAt })),
    nextToken,
  };
}

function update(ctx: OperationContext, input: Fields): Output {
  const subscription = subscriptionOf(ctx, input);
  const destinationArn = input.requireString("destinationArn", DESTINATION_ARN);
  checkDestinationFree(ctx, subscription.resourceArn, destinationArn, subscription.arn);
  subscription.destinationArn = destinationArn;
  ctx.state.touch(subscription);
  const { serviceNetworkLogType: _omitted, ...updated } = view(subscription);
  return updated;
}

function remove(ctx: OperationContext, input: Fields): Output {
  ctx.state.remove(subscriptionOf(ctx, input).arn);
  return {};
}

const ITEM = "/accesslogsubscriptions/{accessLogSubscriptionIdentifier}";

export const ACCESS_LOG_OPERATIONS: OperationSpec[] = [
  {
    name: "CreateAccessLogSubscription",
    method: "POST",
    path: "/accesslogsubscriptions",
    status: 201,
    handler: create,
  },
  { name: "GetAccessLogSubscription", method: "GET", path: ITEM, status: 200, handler: get },
  {
    name: "ListAccessLogSubscriptions",
    method: "GET",
    path: "/accesslogsubscriptions",
    status: 200,
    query: { resourceIdentifier: "string", maxResults: "integer", nextToken: "string" },
    handler: list,
  },
  { name: "UpdateAccessLogSubscription", method: "PATCH", path: ITEM, status: 200, handler: update },
  { name: "DeleteAccessLogSubscription", method: "DELETE", path: ITEM, status: 204, handler: remove },
];
