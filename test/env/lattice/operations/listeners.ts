// Listeners: Create/Get/List/Update/Delete. Names and ports are unique within a service, at most
// `listenersPerService` (2) per service. Every listener has a default rule, whose action is the
// listener's defaultAction. A TLS_PASSTHROUGH listener needs a service with a custom domain name
// and forwards to TCP target groups (User Guide, "TLS listeners").

import { checkActionForListener, readAction } from "../actions.ts";
import { buildArn, RESOURCE_TYPE } from "../arns.ts";
import {
  idempotent,
  type OperationContext,
  type OperationSpec,
  type Output,
  paginate,
  requireNotDeleting,
  resolve,
} from "../context.ts";
import { conflict, notFound, quotaExceeded, validation } from "../errors.ts";
import { type Fields, namePattern } from "../input.ts";
import { LISTENER_PROTOCOLS, type Listener, type ListenerProtocol, type Service } from "../model.ts";
import { checkServiceTargetGroups } from "../references.ts";
import { QUOTAS } from "../state.ts";
import { serviceOf } from "./services.ts";

const NAME = { min: 3, max: 63, pattern: namePattern("listener-") };
const DEFAULT_PORT: Partial<Record<ListenerProtocol, number>> = { HTTP: 80, HTTPS: 443 };

function created(listener: Listener): Output {
  return {
    arn: listener.arn,
    id: listener.id,
    name: listener.name,
    protocol: listener.protocol,
    port: listener.port,
    serviceArn: listener.serviceArn,
    serviceId: listener.serviceId,
    defaultAction: listener.defaultAction,
  };
}

/** The listener named by `listenerIdentifier`, which must belong to `service`. */
export function listenerOf(ctx: OperationContext, input: Fields, service: Service): Listener {
  const identifier = input.requireString("listenerIdentifier");
  const listener = resolve(ctx, "listener", identifier, "listenerIdentifier", "owner");
  if (listener.serviceArn !== service.arn) throw notFound(RESOURCE_TYPE.listener, identifier);
  return listener;
}

function create(ctx: OperationContext, input: Fields): Output {
  const { state } = ctx;
  const service = serviceOf(ctx, input, "owner");
  const name = input.requireString("name", NAME);
  const protocol = input.requireString("protocol", { enum: LISTENER_PROTOCOLS }) as ListenerProtocol;
  const port = input.integer("port", { min: 1, max: 65535 }) ?? DEFAULT_PORT[protocol];
  if (port === undefined) {
    throw validation("A TLS_PASSTHROUGH listener needs a port", [{ name: "port", message: "is required" }]);
  }
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const listener = state.byArn(arn);
      return listener?.kind === "listener" ? created(listener) : undefined;
    },
    () => {
      requireNotDeleting(service);
      const read = readAction(ctx, input.requireObject("defaultAction"));
      if (protocol === "TLS_PASSTHROUGH" && service.customDomainName === undefined) {
        throw validation(`Service ${service.id} needs a custom domain name for a TLS listener`, [
          { name: "protocol", message: "TLS_PASSTHROUGH needs a service with a custom domain name" },
        ]);
      }
      checkActionForListener(protocol, read, "defaultAction");
      const siblings = state.all("listener").filter((listener) => listener.serviceArn === service.arn);
      const clash = siblings.find((listener) => listener.name === name || listener.port === port);
      if (clash !== undefined) {
        throw conflict(
          `Listener ${clash.id} of service ${service.id} already uses ${clash.name === name ? `the name ${name}` : `port ${port}`}`,
          RESOURCE_TYPE.listener,
          clash.id,
        );
      }
      const limit = state.config.quotas.listenersPerService;
      if (siblings.length >= limit) throw quotaExceeded(QUOTAS.listenersPerService, limit, service.id);
      checkServiceTargetGroups(state, service.arn, read.targetGroups);
      const base = state.base("listener", service.account, service.region, tags, { serviceId: service.id });
      const defaultRuleId = state.newId("rule");
      const listener = state.add<Listener>({
        ...base,
        kind: "listener",
        serviceArn: service.arn,
        serviceId: service.id,
        name,
        protocol,
        port,
        defaultAction: read.action,
        defaultRule: {
          id: defaultRuleId,
          arn: buildArn("rule", service.region, service.account, defaultRuleId, {
            serviceId: service.id,
            listenerId: base.id,
          }),
        },
      });
      return { arn: listener.arn, response: created(listener) };
    },
  );
}

function get(ctx: OperationContext, input: Fields): Output {
  const listener = listenerOf(ctx, input, serviceOf(ctx, input, "owner"));
  return { ...created(listener), createdAt: listener.createdAt, lastUpdatedAt: listener.lastUpdatedAt };
}

function list(ctx: OperationContext, input: Fields): Output {
  const service = serviceOf(ctx, input, "owner");
  const listeners = ctx.state.all("listener").filter((listener) => listener.serviceArn === service.arn);
  const { page, nextToken } = paginate(ctx, input, listeners);
  return {
    items: page.map((listener) => ({
      arn: listener.arn,
      id: listener.id,
      name: listener.name,
      protocol: listener.protocol,
      port: listener.port,
      createdAt: listener.createdAt,
      lastUpdatedAt: listener.lastUpdatedAt,
    })),
    nextToken,
  };
}

function update(ctx: OperationContext, input: Fields): Output {
  const service = serviceOf(ctx, input, "owner");
  const listener = listenerOf(ctx, input, service);
  requireNotDeleting(service);
  const read = readAction(ctx, input.requireObject("defaultAction"));
  checkActionForListener(listener.protocol, read, "defaultAction");
  checkServiceTargetGroups(ctx.state, service.arn, read.targetGroups, listener.arn);
  listener.defaultAction = read.action;
  ctx.state.touch(listener);
  return created(listener);
}

function remove(ctx: OperationContext, input: Fields): Output {
  const service = serviceOf(ctx, input, "owner");
  const listener = listenerOf(ctx, input, service);
  requireNotDeleting(service);
  ctx.state.remove(listener.arn);
  return {};
}

const ITEM = "/services/{serviceIdentifier}/listeners/{listenerIdentifier}";

export const LISTENER_OPERATIONS: OperationSpec[] = [
  {
    name: "CreateListener",
    method: "POST",
    path: "/services/{serviceIdentifier}/listeners",
    status: 201,
    handler: create,
  },
  { name: "GetListener", method: "GET", path: ITEM, status: 200, handler: get },
  {
    name: "ListListeners",
    method: "GET",
    path: "/services/{serviceIdentifier}/listeners",
    status: 200,
    query: { maxResults: "integer", nextToken: "string" },
    handler: list,
  },
  { name: "UpdateListener", method: "PATCH", path: ITEM, status: 200, handler: update },
  { name: "DeleteListener", method: "DELETE", path: ITEM, status: 204, handler: remove },
];
