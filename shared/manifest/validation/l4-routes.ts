/**
 * TCPRoute, UDPRoute and TLSRoute specs. In v1 a route has exactly one rule with 1–16 backendRefs,
 * and a TLSRoute needs 1–1024 hostnames that are DNS names, not IPs. The older v1alpha2 served by
 * the experimental CRDs allows up to 16 named rules and optional TLS hostnames.
 */
import { hostname, tlsRouteHostnameRules } from "./hostnames.ts";
import { backendObjectReference, backendWeight, parentReferences } from "./references.ts";
import { ruleName, uniqueRuleNames, useDefaultGateways } from "./route-rules.ts";
import { type ArrayNode, type Channel, list, type ObjectNode, obj } from "./schema.ts";

/** v1 and v1alpha3 share a shape; v1alpha2 is the older, looser one. */
function l4Rules(version: string): ArrayNode {
  const rule = obj(
    {
      backendRefs: list(backendObjectReference({ weight: backendWeight() }), {
        minItems: 1,
        maxItems: 16,
        listType: "atomic",
      }),
      name: ruleName(),
    },
    { required: ["backendRefs"] },
  );
  return version === "v1alpha2"
    ? list(rule, { minItems: 1, maxItems: 16, listType: "atomic", rules: [uniqueRuleNames] })
    : list(rule, { minItems: 1, maxItems: 1, listType: "atomic" });
}

/** TCPRoute and UDPRoute share one shape. */
export function tcpOrUdpRouteSpec(channel: Channel, version: string): ObjectNode {
  return obj(
    { parentRefs: parentReferences(channel), rules: l4Rules(version) },
    { required: ["rules"], experimental: { channel, fields: { useDefaultGateways: useDefaultGateways() } } },
  );
}

export function tlsRouteSpec(channel: Channel, version: string): ObjectNode {
  const hostnames =
    version === "v1alpha2"
      ? list(hostname(), { maxItems: 1024, listType: "atomic" })
      : list(hostname(), { minItems: 1, maxItems: 1024, listType: "atomic", rules: tlsRouteHostnameRules });
  return obj(
    { hostnames, parentRefs: parentReferences(channel), rules: l4Rules(version) },
    {
      required: version === "v1alpha2" ? ["rules"] : ["hostnames", "rules"],
      experimental: { channel, fields: { useDefaultGateways: useDefaultGateways() } },
    },
  );
}
