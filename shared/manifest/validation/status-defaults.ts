/**
 * The defaults the Gateway API CRDs declare under `status`. The API server never validates a
 * status a manifest carries on create (it discards it), but it does default status when it serves
 * the object: a new GatewayClass reads back as Accepted=Unknown "Waiting for controller", a route's
 * status parentRefs read back with group and kind filled in. Only the paths that lead to a default
 * are described here, and nothing under them is validated.
 */
import { GATEWAY_GROUP } from "../../gateway-api/types.ts";
import { list, type ObjectNode, obj, type SchemaNode, str } from "./schema.ts";

/** The placeholder condition the CRDs put on objects no controller has looked at yet. */
function pendingCondition(type: string): Record<string, string> {
  return {
    lastTransitionTime: "1970-01-01T00:00:00Z",
    message: "Waiting for controller",
    reason: "Pending",
    status: "Unknown",
    type,
  };
}

function open(properties: Record<string, SchemaNode>, defaultValue?: unknown): ObjectNode {
  return obj(properties, {
    openFields: true,
    defaultsOnly: true,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

function pendingStatus(conditionTypes: readonly string[], more: Record<string, SchemaNode> = {}): ObjectNode {
  const conditions = conditionTypes.map(pendingCondition);
  return open({ conditions: list(open({}), { default: conditions }), ...more }, { conditions });
}

const supportedKindsGroup = () =>
  list(open({ supportedKinds: list(open({ group: str({ default: GATEWAY_GROUP }) })) }));

export const gatewayClassStatus = (): ObjectNode => pendingStatus(["Accepted"]);

export const gatewayStatus = (): ObjectNode =>
  pendingStatus(["Accepted", "Programmed"], {
    addresses: list(open({ type: str({ default: "IPAddress" }) })),
    listeners: supportedKindsGroup(),
  });

export const listenerSetStatus = (): ObjectNode =>
  pendingStatus(["Accepted", "Programmed"], { listeners: supportedKindsGroup() });

const gatewayRef = () => open({ group: str({ default: GATEWAY_GROUP }), kind: str({ default: "Gateway" }) });

export const routeStatus = (): ObjectNode => open({ parents: list(open({ parentRef: gatewayRef() })) });

export const policyStatus = (): ObjectNode => open({ ancestors: list(open({ ancestorRef: gatewayRef() })) });

/** Kinds whose status declares no default. */
export const plainStatus = (): ObjectNode => open({});
