// Service networks: Create/Get/List/Update/Delete. A network has no status: it exists at once and
// goes at once, and cannot be deleted while services or VPCs are associated with it. Accounts it is
// RAM-shared with list and read it (by ARN) and may associate with it, nothing more.
import { RESOURCE_TYPE } from "../arns.ts";
import {
  idempotent,
  mayUse,
  type OperationContext,
  type OperationSpec,
  type Output,
  paginate,
  resolve,
} from "../context.ts";
import { conflict, quotaExceeded } from "../errors.ts";
import { type Fields, namePattern } from "../input.ts";
import { AUTH_TYPES, type AuthType, type ServiceNetwork } from "../model.ts";
import { QUOTAS } from "../state.ts";

const NAME = { min: 3, max: 63, pattern: namePattern() };

function associationCounts(ctx: OperationContext, network: ServiceNetwork) {
  return {
    numberOfAssociatedServices: ctx.state
      .all("serviceNetworkServiceAssociation")
      .filter((association) => association.serviceNetworkArn === network.arn).length,
    numberOfAssociatedVPCs: ctx.state
      .all("serviceNetworkVpcAssociation")
      .filter((association) => association.serviceNetworkArn === network.arn).length,
  };
}

function created(network: ServiceNetwork): Output {
  return {
    id: network.id,
    name: network.name,
    arn: network.arn,
    authType: network.authType,
    sharingConfig: { enabled: network.sharingEnabled },
  };
}

function networkOf(ctx: OperationContext, input: Fields, access: "owner" | "visible"): ServiceNetwork {
  return resolve(
    ctx,
    "serviceNetwork",
    input.requireString("serviceNetworkIdentifier"),
    "serviceNetworkIdentifier",
    access,
  );
}

function create(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const name = input.requireString("name", NAME);
  const authType = (input.string("authType", { enum: AUTH_TYPES }) ?? "NONE") as AuthType;
  const sharingEnabled = input.object("sharingConfig")?.boolean("enabled") ?? true;
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const network = state.byArn(arn);
      return network?.kind === "serviceNetwork" ? created(network) : undefined;
    },
    () => {
      const own = state.all("serviceNetwork").filter((n) => n.account === caller.account && n.region === caller.region);
      const existing = own.find((n) => n.name === name);
      if (existing !== undefined) {
        throw conflict(`A service network named ${name} already exists`, RESOURCE_TYPE.serviceNetwork, existing.id);
      }
      const limit = state.config.quotas.serviceNetworksPerRegion;
      if (own.length >= limit) throw quotaExceeded(QUOTAS.serviceNetworksPerRegion, limit);
      const network = state.add<ServiceNetwork>({
        ...state.base("serviceNetwork", caller.account, caller.region, tags),
        kind: "serviceNetwork",
        name,
        authType,
        sharingEnabled,
      });
      return { arn: network.arn, response: created(network) };
    },
  );
}

function get(ctx: OperationContext, input: Fields): Output {
  const network = networkOf(ctx, input, "visible");
  return {
    ...created(network),
    createdAt: network.createdAt,
    lastUpdatedAt: network.lastUpdatedAt,
    ...associationCounts(ctx, network),
  };
}

function list(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const visible = state
    .all("serviceNetwork")
    .filter((network) => network.region === caller.region && mayUse(ctx, network, "visible"));
  const { page, nextToken } = paginate(ctx, input, visible);
  return {
    items: page.map((network) => ({
      id: network.id,
      name: network.name,
      arn: network.arn,
      createdAt: network.createdAt,
      lastUpdatedAt: network.lastUpdatedAt,
      ...associationCounts(ctx, network),
      numberOfAssociatedResourceConfigurations: 0,
    })),
    nextToken,
  };
}

function update(ctx: OperationContext, input: Fields): Output {
  const network = networkOf(ctx, input, "owner");
  network.authType = input.requireString("authType", { enum: AUTH_TYPES }) as AuthType;
  ctx.state.touch(network);
  return { id: network.id, name: network.name, arn: network.arn, authType: network.authType };
}

function remove(ctx: OperationContext, input: Fields): Output {
  const network = networkOf(ctx, input, "owner");
  const { numberOfAssociatedServices, numberOfAssociatedVPCs } = associationCounts(ctx, network);
  if (numberOfAssociatedServices + numberOfAssociatedVPCs > 0) {
    throw conflict(
      `Service network ${network.id} still has ${numberOfAssociatedServices} service and ${numberOfAssociatedVPCs} VPC association(s)`,
      RESOURCE_TYPE.serviceNetwork,
      network.id,
    );
  }
  ctx.state.remove(network.arn);
  return {};
}

export const SERVICE_NETWORK_OPERATIONS: OperationSpec[] = [
  { name: "CreateServiceNetwork", method: "POST", path: "/servicenetworks", status: 201, handler: create },
  {
    name: "GetServiceNetwork",
    method: "GET",
    path: "/servicenetworks/{serviceNetworkIdentifier}",
    status: 200,
    handler: get,
  },
  {
    name: "ListServiceNetworks",
    method: "GET",
    path: "/servicenetworks",
    status: 200,
    query: { maxResults: "integer", nextToken: "string" },
    handler: list,
  },
  {
    name: "UpdateServiceNetwork",
    method: "PATCH",
    path: "/servicenetworks/{serviceNetworkIdentifier}",
    status: 200,
    handler: update,
  },
  {
    name: "DeleteServiceNetwork",
    method: "DELETE",
    path: "/servicenetworks/{serviceNetworkIdentifier}",
    status: 204,
    handler: remove,
  },
];
