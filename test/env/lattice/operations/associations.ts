// Service network associations with services and with VPCs: Create/Get/List/Delete (and Update
// for VPC associations). Both go CREATE_IN_PROGRESS -> ACTIVE and DELETE_IN_PROGRESS -> gone, and
// take no delete while in progress. The caller must own the service or the service network; the
// other may be RAM-shared with it (then named by ARN). An association is visible to its creator and
// to the owners of both sides; a VPC is associated with at most one service network.
import { RESOURCE_TYPE } from "../arns.ts";
import {
  idempotent,
  mayUse,
  type OperationContext,
  type OperationSpec,
  type Output,
  paginate,
  requireActive,
  requireNotDeleting,
  resolve,
} from "../context.ts";
import { accessDenied, conflict, quotaExceeded, validation } from "../errors.ts";
import type { Fields } from "../input.ts";
import {
  type DnsOptions,
  PRIVATE_DNS_PREFERENCES,
  type Service,
  type ServiceNetwork,
  type ServiceNetworkServiceAssociation,
  type ServiceNetworkVpcAssociation,
} from "../model.ts";
import { QUOTAS } from "../state.ts";

const VPC_ID = { min: 5, max: 50, pattern: /^vpc-(([0-9a-z]{8})|([0-9a-z]{17}))$/ };
const SECURITY_GROUP_ID = { min: 5, max: 200, pattern: /^sg-(([0-9a-z]{8})|([0-9a-z]{17}))$/ };

function networkOf(ctx: OperationContext, arn: string): ServiceNetwork {
  const network = ctx.state.byArn(arn);
  if (network?.kind !== "serviceNetwork") throw new Error(`association names a missing service network ${arn}`);
  return network;
}

function serviceOf(ctx: OperationContext, arn: string): Service {
  const service = ctx.state.byArn(arn);
  if (service?.kind !== "service") throw new Error(`association names a missing service ${arn}`);
  return service;
}

function serviceAssociationSummary(ctx: OperationContext, association: ServiceNetworkServiceAssociation): Output {
  const service = serviceOf(ctx, association.serviceArn);
  const network = networkOf(ctx, association.serviceNetworkArn);
  return {
    id: association.id,
    status: association.status,
    arn: association.arn,
    createdBy: association.account,
    createdAt: association.createdAt,
    serviceId: service.id,
    serviceName: service.name,
    serviceArn: service.arn,
    serviceNetworkId: network.id,
    serviceNetworkName: network.name,
    serviceNetworkArn: network.arn,
    dnsEntry: service.dnsEntry,
    customDomainName: service.customDomainName,
  };
}

function createServiceAssociation(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const service = resolve(ctx, "service", input.requireString("serviceIdentifier"), "serviceIdentifier", "visible");
  const network = resolve(
    ctx,
    "serviceNetwork",
    input.requireString("serviceNetworkIdentifier"),
    "serviceNetworkIdentifier",
    "visible",
  );
  const tags = input.tags("tags");
  const created = (association: ServiceNetworkServiceAssociation): Output => ({
    id: association.id,
    status: association.status,
    arn: association.arn,
    createdBy: association.account,
    customDomainName: service.customDomainName,
    dnsEntry: service.dnsEntry,
  });
  return idempotent(
    ctx,
    input,
    (arn) => {
      const association = state.byArn(arn);
      return association?.kind === "serviceNetworkServiceAssociation" ? created(association) : undefined;
    },
    () => {
      if (service.account !== caller.account && network.account !== caller.account) {
        throw accessDenied("The caller must own either the service or the service network");
      }
      requireNotDeleting(service);
      const existing = state
        .all("serviceNetworkServiceAssociation")
        .filter((association) => association.serviceNetworkArn === network.arn);
      const same = existing.find((association) => association.serviceArn === service.arn);
      if (same !== undefined) {
        throw conflict(
          `Service ${service.id} is already associated with service network ${network.id} (${same.status})`,
          RESOURCE_TYPE.serviceNetworkServiceAssociation,
          same.id,
        );
      }
      const limit = state.config.quotas.serviceAssociationsPerServiceNetwork;
      if (existing.length >= limit) throw quotaExceeded(QUOTAS.serviceAssociationsPerServiceNetwork, limit, network.id);
      const association = state.add<ServiceNetworkServiceAssociation>({
        ...state.base("serviceNetworkServiceAssociation", caller.account, caller.region, tags),
        kind: "serviceNetworkServiceAssociation",
        serviceArn: service.arn,
        serviceNetworkArn: network.arn,
        status: "CREATE_IN_PROGRESS",
      });
      state.startTransition(association, "CREATE_IN_PROGRESS", "ACTIVE");
      return { arn: association.arn, response: created(association) };
    },
  );
}

function serviceAssociationOf(ctx: OperationContext, input: Fields, access: "owner" | "participant") {
  return resolve(
    ctx,
    "serviceNetworkServiceAssociation",
    input.requireString("serviceNetworkServiceAssociationIdentifier"),
    "serviceNetworkServiceAssociationIdentifier",
    access,
  );
}

function getServiceAssociation(ctx: OperationContext, input: Fields): Output {
  return serviceAssociationSummary(ctx, serviceAssociationOf(ctx, input, "participant"));
}

function listServiceAssociations(ctx: OperationContext, input: Fields): Output {
  const networkId = input.string("serviceNetworkIdentifier");
  const serviceId = input.string("serviceIdentifier");
  if (networkId === undefined && serviceId === undefined) {
    throw validation("Either serviceNetworkIdentifier or serviceIdentifier is required", [
      { name: "serviceNetworkIdentifier", message: "or serviceIdentifier is required" },
    ]);
  }
  const network =
    networkId === undefined
      ? undefined
      : resolve(ctx, "serviceNetwork", networkId, "serviceNetworkIdentifier", "visible");
  const service =
    serviceId === undefined ? undefined : resolve(ctx, "service", serviceId, "serviceIdentifier", "visible");
  const associations = ctx.state
    .all("serviceNetworkServiceAssociation")
    .filter(
      (association) =>
        (network === undefined || association.serviceNetworkArn === network.arn) &&
        (service === undefined || association.serviceArn === service.arn) &&
        mayUse(ctx, association, "participant"),
    );
  const { page, nextToken } = paginate(ctx, input, associations);
  return { items: page.map((association) => serviceAssociationSummary(ctx, association)), nextToken };
}

function deleteServiceAssociation(ctx: OperationContext, input: Fields): Output {
  const association = serviceAssociationOf(ctx, input, "participant");
  if (association.status !== "DELETE_IN_PROGRESS") {
    requireActive(association, "delete");
    ctx.state.startTransition(association, "DELETE_IN_PROGRESS", "DELETED");
  }
  return { id: association.id, status: "DELETE_IN_PROGRESS", arn: association.arn };
}

function readDnsOptions(fields: Fields | undefined): DnsOptions | undefined {
  if (fields === undefined) return undefined;
  const options: DnsOptions = {};
  const preference = fields.string("privateDnsPreference", { enum: PRIVATE_DNS_PREFERENCES });
  if (preference !== undefined) options.privateDnsPreference = preference;
  const domains = fields.strings("privateDnsSpecifiedDomains", { min: 1, max: 10 }, { min: 1, max: 255 });
  if (domains !== undefined) options.privateDnsSpecifiedDomains = domains;
  return options;
}

function vpcAssociationCreated(association: ServiceNetworkVpcAssociation): Output {
  return {
    id: association.id,
    status: association.status,
    arn: association.arn,
    createdBy: association.account,
    securityGroupIds: association.securityGroupIds,
    privateDnsEnabled: association.privateDnsEnabled,
    dnsOptions: association.dnsOptions,
  };
}

function vpcAssociationSummary(ctx: OperationContext, association: ServiceNetworkVpcAssociation): Output {
  const network = networkOf(ctx, association.serviceNetworkArn);
  return {
    id: association.id,
    arn: association.arn,
    status: association.status,
    createdBy: association.account,
    createdAt: association.createdAt,
    lastUpdatedAt: association.lastUpdatedAt,
    serviceNetworkId: network.id,
    serviceNetworkName: network.name,
    serviceNetworkArn: network.arn,
    vpcId: association.vpcId,
    privateDnsEnabled: association.privateDnsEnabled,
    dnsOptions: association.dnsOptions,
  };
}

function createVpcAssociation(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const network = resolve(
    ctx,
    "serviceNetwork",
    input.requireString("serviceNetworkIdentifier"),
    "serviceNetworkIdentifier",
    "visible",
  );
  const vpcId = input.requireString("vpcIdentifier", VPC_ID);
  const securityGroupIds = input.strings("securityGroupIds", { min: 0, max: 5 }, SECURITY_GROUP_ID) ?? [];
  const privateDnsEnabled = input.boolean("privateDnsEnabled");
  const dnsOptions = readDnsOptions(input.object("dnsOptions"));
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const association = state.byArn(arn);
      return association?.kind === "serviceNetworkVpcAssociation" ? vpcAssociationCreated(association) : undefined;
    },
    () => {
      const taken = state.all("serviceNetworkVpcAssociation").find((association) => association.vpcId === vpcId);
      if (taken !== undefined) {
        throw conflict(
          `VPC ${vpcId} is already associated with service network ${taken.serviceNetworkArn} (${taken.status})`,
          RESOURCE_TYPE.serviceNetworkVpcAssociation,
          taken.id,
        );
      }
      const existing = state
        .all("serviceNetworkVpcAssociation")
        .filter((association) => association.serviceNetworkArn === network.arn);
      const limit = state.config.quotas.vpcAssociationsPerServiceNetwork;
      if (existing.length >= limit) throw quotaExceeded(QUOTAS.vpcAssociationsPerServiceNetwork, limit, network.id);
      const association = state.add<ServiceNetworkVpcAssociation>({
        ...state.base("serviceNetworkVpcAssociation", caller.account, caller.region, tags),
        kind: "serviceNetworkVpcAssociation",
        serviceNetworkArn: network.arn,
        vpcId,
        securityGroupIds,
        privateDnsEnabled,
        dnsOptions,
        status: "CREATE_IN_PROGRESS",
      });
      state.startTransition(association, "CREATE_IN_PROGRESS", "ACTIVE");
      return { arn: association.arn, response: vpcAssociationCreated(association) };
    },
  );
}

function vpcAssociationOf(ctx: OperationContext, input: Fields, access: "owner" | "participant") {
  return resolve(
    ctx,
    "serviceNetworkVpcAssociation",
    input.requireString("serviceNetworkVpcAssociationIdentifier"),
    "serviceNetworkVpcAssociationIdentifier",
    access,
  );
}

function getVpcAssociation(ctx: OperationContext, input: Fields): Output {
  const association = vpcAssociationOf(ctx, input, "participant");
  return { ...vpcAssociationSummary(ctx, association), securityGroupIds: association.securityGroupIds };
}

function listVpcAssociations(ctx: OperationContext, input: Fields): Output {
  const networkId = input.string("serviceNetworkIdentifier");
  const vpcId = input.string("vpcIdentifier", VPC_ID);
  if (networkId === undefined && vpcId === undefined) {
    throw validation("Either serviceNetworkIdentifier or vpcIdentifier is required", [
      { name: "serviceNetworkIdentifier", message: "or vpcIdentifier is required" },
    ]);
  }
  const network =
    networkId === undefined
      ? undefined
      : resolve(ctx, "serviceNetwork", networkId, "serviceNetworkIdentifier", "visible");
  const associations = ctx.state
    .all("serviceNetworkVpcAssociation")
    .filter(
      (association) =>
        (network === undefined || association.serviceNetworkArn === network.arn) &&
        (vpcId === undefined || association.vpcId === vpcId) &&
        mayUse(ctx, association, "participant"),
    );
  const { page, nextToken } = paginate(ctx, input, associations);
  return { items: page.map((association) => vpcAssociationSummary(ctx, association)), nextToken };
}

function updateVpcAssociation(ctx: OperationContext, input: Fields): Output {
  const association = vpcAssociationOf(ctx, input, "owner");
  const securityGroupIds = input.strings("securityGroupIds", { min: 1, max: 5 }, SECURITY_GROUP_ID);
  const privateDnsEnabled = input.boolean("privateDnsEnabled");
  const dnsOptions = readDnsOptions(input.object("dnsOptions"));
  requireActive(association, "update");
  if (securityGroupIds !== undefined) association.securityGroupIds = securityGroupIds;
  if (privateDnsEnabled !== undefined) association.privateDnsEnabled = privateDnsEnabled;
  if (dnsOptions !== undefined) association.dnsOptions = dnsOptions;
  ctx.state.startTransition(association, "UPDATE_IN_PROGRESS", "ACTIVE");
  return vpcAssociationCreated(association);
}

function deleteVpcAssociation(ctx: OperationContext, input: Fields): Output {
  const association = vpcAssociationOf(ctx, input, "participant");
  if (association.status !== "DELETE_IN_PROGRESS") {
    requireActive(association, "delete");
    ctx.state.startTransition(association, "DELETE_IN_PROGRESS", "DELETED");
  }
  return { id: association.id, status: "DELETE_IN_PROGRESS", arn: association.arn };
}

const SNSA = "/servicenetworkserviceassociations";
const SNVA = "/servicenetworkvpcassociations";

export const ASSOCIATION_OPERATIONS: OperationSpec[] = [
  {
    name: "CreateServiceNetworkServiceAssociation",
    method: "POST",
    path: SNSA,
    status: 200,
    handler: createServiceAssociation,
  },
  {
    name: "GetServiceNetworkServiceAssociation",
    method: "GET",
    path: `${SNSA}/{serviceNetworkServiceAssociationIdentifier}`,
    status: 200,
    handler: getServiceAssociation,
  },
  {
    name: "ListServiceNetworkServiceAssociations",
    method: "GET",
    path: SNSA,
    status: 200,
    query: {
      serviceNetworkIdentifier: "string",
      serviceIdentifier: "string",
      maxResults: "integer",
      nextToken: "string",
    },
    handler: listServiceAssociations,
  },
  {
    name: "DeleteServiceNetworkServiceAssociation",
    method: "DELETE",
    path: `${SNSA}/{serviceNetworkServiceAssociationIdentifier}`,
    status: 200,
    handler: deleteServiceAssociation,
  },
  {
    name: "CreateServiceNetworkVpcAssociation",
    method: "POST",
    path: SNVA,
    status: 200,
    handler: createVpcAssociation,
  },
  {
    name: "GetServiceNetworkVpcAssociation",
    method: "GET",
    path: `${SNVA}/{serviceNetworkVpcAssociationIdentifier}`,
    status: 200,
    handler: getVpcAssociation,
  },
  {
    name: "ListServiceNetworkVpcAssociations",
    method: "GET",
    path: SNVA,
    status: 200,
    query: { serviceNetworkIdentifier: "string", vpcIdentifier: "string", maxResults: "integer", nextToken: "string" },
    handler: listVpcAssociations,
  },
  {
    name: "UpdateServiceNetworkVpcAssociation",
    method: "PATCH",
    path: `${SNVA}/{serviceNetworkVpcAssociationIdentifier}`,
    status: 200,
    handler: updateVpcAssociation,
  },
  {
    name: "DeleteServiceNetworkVpcAssociation",
    method: "DELETE",
    path: `${SNVA}/{serviceNetworkVpcAssociationIdentifier}`,
    status: 200,
    handler: deleteVpcAssociation,
  },
];
