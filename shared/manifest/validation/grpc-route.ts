/**
 * GRPCRoute spec: method and header matches (Exact by default), the four gRPC filter types, and
 * the CRD rules on method matches (service or method required; Exact names must be identifiers).
 */
import { extensionRef, headerModifier, notRepeated, requestMirror, typeFieldRules } from "./filters.ts";
import { hostname } from "./hostnames.ts";
import { headerName } from "./http-matches.ts";
import { GRPC_METHOD, GRPC_SERVICE, matches } from "./patterns.ts";
import { backendObjectReference, backendWeight, parentReferences } from "./references.ts";
import { ruleName, sessionPersistence, totalMatches, uniqueRuleNames, useDefaultGateways } from "./route-rules.ts";
import {
  type ArrayNode,
  type Channel,
  child,
  list,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  str,
} from "./schema.ts";
import { has, stringField } from "./values.ts";

const isExact = (self: Record<string, unknown>) => !has(self, "type") || self.type === "Exact";

// Three CRD rules on GRPCMethodMatch.
const methodMatchRules: readonly Rule[] = [
  objectRule("service or method is set", (self, at, report) => {
    if (has(self, "type") && !has(self, "service") && !has(self, "method"))
      report(at, "must set service, method or both");
  }),
  objectRule("Exact service is a gRPC service name", (self, at, report) => {
    const service = stringField(self, "service");
    if (isExact(self) && service !== undefined && !matches(GRPC_SERVICE, service))
      report(
        child(at, "service"),
        `${JSON.stringify(service)} is not ${GRPC_SERVICE.meaning} (must match ${GRPC_SERVICE.source})`,
      );
  }),
  objectRule("Exact method is a gRPC method name", (self, at, report) => {
    const method = stringField(self, "method");
    if (isExact(self) && method !== undefined && !matches(GRPC_METHOD, method))
      report(
        child(at, "method"),
        `${JSON.stringify(method)} is not ${GRPC_METHOD.meaning} (must match ${GRPC_METHOD.source})`,
      );
  }),
];

const matchType = () => str({ enum: ["Exact", "RegularExpression"], default: "Exact" });

function grpcRouteMatch(): ObjectNode {
  return obj({
    headers: list(
      obj(
        { name: headerName(), type: matchType(), value: str({ minLength: 1, maxLength: 4096 }) },
        { required: ["name", "value"] },
      ),
      { maxItems: 16, listType: "map", listMapKeys: ["name"] },
    ),
    method: obj(
      { method: str({ maxLength: 1024 }), service: str({ maxLength: 1024 }), type: matchType() },
      { rules: methodMatchRules },
    ),
  });
}

function grpcRouteFilters(channel: Channel): ArrayNode {
  const filter = obj(
    {
      extensionRef: extensionRef(),
      requestHeaderModifier: headerModifier(channel),
      requestMirror: requestMirror(),
      responseHeaderModifier: headerModifier(channel),
      type: str({ enum: ["ResponseHeaderModifier", "RequestHeaderModifier", "RequestMirror", "ExtensionRef"] }),
    },
    {
      required: ["type"],
      rules: [
        ...typeFieldRules("RequestHeaderModifier", "requestHeaderModifier"),
        ...typeFieldRules("ResponseHeaderModifier", "responseHeaderModifier"),
        ...typeFieldRules("RequestMirror", "requestMirror"),
        ...typeFieldRules("ExtensionRef", "extensionRef"),
      ],
    },
  );
  return list(filter, {
    maxItems: 16,
    listType: "atomic",
    rules: [notRepeated("RequestHeaderModifier"), notRepeated("ResponseHeaderModifier")],
  });
}

function grpcRouteRule(channel: Channel): ObjectNode {
  return obj(
    {
      backendRefs: list(backendObjectReference({ weight: backendWeight(), filters: grpcRouteFilters(channel) }), {
        maxItems: 16,
        listType: "atomic",
      }),
      filters: grpcRouteFilters(channel),
      matches: list(grpcRouteMatch(), { maxItems: 64, listType: "atomic" }),
      name: ruleName(),
    },
    { experimental: { channel, fields: { sessionPersistence: sessionPersistence() } } },
  );
}

export function grpcRouteSpec(channel: Channel): ObjectNode {
  return obj(
    {
      hostnames: list(hostname(), { maxItems: 16, listType: "atomic" }),
      parentRefs: parentReferences(channel),
      rules: list(grpcRouteRule(channel), {
        maxItems: 16,
        listType: "atomic",
        rules: [totalMatches, ...(channel === "experimental" ? [uniqueRuleNames] : [])],
      }),
    },
    { experimental: { channel, fields: { useDefaultGateways: useDefaultGateways() } } },
  );
}
