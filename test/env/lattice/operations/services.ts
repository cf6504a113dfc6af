// Services: Create/Get/List/Update/Delete. A service is CREATE_IN_PROGRESS, then ACTIVE; it takes
// no update until ACTIVE, cannot be deleted while associated with a service network, and its
// deletion (DELETE_IN_PROGRESS, then gone) takes its listeners, rules, policies and access log
// subscriptions with it. Its DNS name is derived from its id, so it is stable for a given emulator.
import { RESOURCE_TYPE, serviceDnsEntry } from "../arns.ts";
import {
  idempotent,
  mayUse,
  type OperationContext,
  type OperationSpec,
  type Output,
  paginate,
  requireActive,
  resolve,
} from "../context.ts";
import { conflict, quotaExceeded } from "../errors.ts";
import { type Fields, namePattern } from "../input.ts";
import { AUTH_TYPES, type AuthType, type Service } from "../model.ts";
import { QUOTAS } from "../state.ts";

const NAME = { min: 3, max: 40, pattern: namePattern("svc-") };
const CERTIFICATE_ARN = {
  max: 2048,
  pattern: /^(arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:certificate\/[0-9a-z-]+)?$/,
};
const IDLE_TIMEOUT = { min: 60, max: 600 };

function created(service: Service): Output {
  return {
    id: service.id,
    arn: service.arn,
    name: service.name,
    customDomainName: service.customDomainName,
    certificateArn: service.certificateArn,
    status: service.status,
    authType: service.authType,
    idleTimeoutSeconds: service.idleTimeoutSeconds,
    dnsEntry: service.dnsEntry,
  };
}

export function serviceOf(ctx: OperationContext, input: Fields, access: "owner" | "visible"): Service {
  return resolve(ctx, "service", input.requireString("serviceIdentifier"), "serviceIdentifier", access);
}

function create(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const name = input.requireString("name", NAME);
  const customDomainName = input.string("customDomainName", { min: 3, max: 255 });
  const certificateArn = input.string("certificateArn", CERTIFICATE_ARN);
  const authType = (input.string("authType", { enum: AUTH_TYPES }) ?? "NONE") as AuthType;
  const idleTimeoutSeconds = input.integer("idleTimeoutSeconds", IDLE_TIMEOUT);
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const service = state.byArn(arn);
      return service?.kind === "service" ? created(service) : undefined;
    },
    () => {
      const own = state.all("service").filter((s) => s.account === caller.account && s.region === caller.region);
      const existing = own.find((s) => s.name === name);
      if (existing !== undefined) {
        throw conflict(`A service named ${name} already exists`, RESOURCE_TYPE.service, existing.id);
      }
      const limit = state.config.quotas.servicesPerRegion;
      if (own.length >= limit) throw quotaExceeded(QUOTAS.servicesPerRegion, limit);
      const base = state.base("service", caller.account, caller.region, tags);
      const service = state.add<Service>({
        ...base,
        kind: "service",
        name,
        customDomainName,
        certificateArn,
        authType,
        idleTimeoutSeconds,
        dnsEntry: serviceDnsEntry(name, base.id, caller.account, caller.region),
        status: "CREATE_IN_PROGRESS",
      });
      state.startTransition(service, "CREATE_IN_PROGRESS", "ACTIVE");
      return { arn: service.arn, response: created(service) };
    },
  );
}

function get(ctx: OperationContext, input: Fields): Output {
  const service = serviceOf(ctx, input, "visible");
  return { ...created(service), createdAt: service.createdAt, lastUpdatedAt: service.lastUpdatedAt };
}

function list(ctx: OperationContext, input: Fields): Output {
  const { state, caller } = ctx;
  const visible = state
    .all("service")
    .filter((service) => service.region === caller.region && mayUse(ctx, service, "visible"));
  const { page, nextToken } = paginate(ctx, input, visible);
  return {
    items: page.map((service) => ({
      id: service.id,
      name: service.name,
      arn: service.arn,
      createdAt: service.createdAt,
      lastUpdatedAt: service.lastUpdatedAt,
      dnsEntry: service.dnsEntry,
      customDomainName: service.customDomainName,
      status: service.status,
    })),
    nextToken,
  };
}

function update(ctx: OperationContext, input: Fields): Output {
  const service = serviceOf(ctx, input, "owner");
  const certificateArn = input.string("certificateArn", CERTIFICATE_ARN);
  const authType = input.string("authType", { enum: AUTH_TYPES }) as AuthType | undefined;
  const idleTimeoutSeconds = input.integer("idleTimeoutSeconds", IDLE_TIMEOUT);
  requireActive(service, "update");
  if (certificateArn !== undefined) service.certificateArn = certificateArn === "" ? undefined : certificateArn;
  if (authType !== undefined) service.authType = authType;
  if (idleTimeoutSeconds !== undefined) service.idleTimeoutSeconds = idleTimeoutSeconds;
  ctx.state.touch(service);
  return {
    id: service.id,
    arn: service.arn,
    name: service.name,
    customDomainName: service.customDomainName,
    certificateArn: service.certificateArn,
    authType: service.authType,
    idleTimeoutSeconds: service.idleTimeoutSeconds,
  };
}

function remove(ctx: OperationContext, input: Fields): Output {
  const service = serviceOf(ctx, input, "owner");
  if (service.status !== "DELETE_IN_PROGRESS") {
    requireActive(service, "delete");
    const associations = ctx.state
      .all("serviceNetworkServiceAssociation")
      .filter((association) => association.serviceArn === service.arn);
    if (associations.length > 0) {
      throw conflict(
        `Service ${service.id} is associated with ${associations.length} service network(s); delete the associations first`,
        RESOURCE_TYPE.service,
        service.id,
      );
    }
    ctx.state.startTransition(service, "DELETE_IN_PROGRESS", "DELETED");
  }
  return { id: service.id, arn: service.arn, name: service.name, status: "DELETE_IN_PROGRESS" };
}

export const SERVICE_OPERATIONS: OperationSpec[] = [
  { name: "CreateService", method: "POST", path: "/services", status: 201, handler: create },
  { name: "GetService", method: "GET", path: "/services/{serviceIdentifier}", status: 200, handler: get },
  {
    name: "ListServices",
    method: "GET",
    path: "/services",
    status: 200,
    query: { maxResults: "integer", nextToken: "string" },
    handler: list,
  },
  { name: "UpdateService", method: "PATCH", path: "/services/{serviceIdentifier}", status: 200, handler: update },
  { name: "DeleteService", method: "DELETE", path: "/services/{serviceIdentifier}", status: 200, handler: remove },
];
