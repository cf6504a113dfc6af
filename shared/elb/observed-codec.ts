/**
 * ObservedElb from untrusted JSON: a DynamoDB state item, a CLI `--observed` file. Every field is
 * checked and the value rebuilt from what was checked, so nothing downstream meets `undefined`
 * where the type promises a string, or a field no one asked for. A bad value is a DecodeError
 * naming the source, the path to the field (`listeners[1].rules[0].priority`) and what was
 * expected there.
 */
import type { ObservedLoadBalancerFeatures, SubnetMapping } from "./load-balancer-features.ts";
import type { HealthCheckModel, ListenerCertificates, MutualAuthentication, TargetModel } from "./model.ts";
import type {
  ObservedElb,
  ObservedListener,
  ObservedLoadBalancer,
  ObservedRule,
  ObservedTargetGroup,
} from "./observed.ts";
import type { ListenerProtocol, RuleAction, RuleCondition, RuleTransform } from "./rules.ts";
import type { ObservedIngressRule, ObservedSecurityGroups, ObservedTargetRule } from "./security-group-state.ts";

export class DecodeError extends Error {
  /** Where the value came from, e.g. `state item prod-eu/apps/web` or a file name. */
  readonly source: string;
  /** Path of the offending field from the root, e.g. `listeners[0].port`; `` for the root. */
  readonly path: string;
  readonly expected: string;
  /** What was found instead, described for a person (`nothing`, `an array`, `"abc"`). */
  readonly found: string;

  constructor(source: string, path: string, expected: string, actual: unknown) {
    const found = describe(actual);
    super(`${source}: ${path || "(root)"}: expected ${expected}, got ${found}`);
    this.name = "DecodeError";
    this.source = source;
    this.path = path;
    this.expected = expected;
    this.found = found;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

type Json = Record<string, unknown>;

/** A decoding position: the source and the path so far. */
class At {
  readonly source: string;
  readonly path: string;

  constructor(source: string, path: string) {
    this.source = source;
    this.path = path;
  }

  field(name: string): At {
    return new At(this.source, this.path ? `${this.path}.${name}` : name);
  }

  /** A map entry: `attributes["idle_timeout.timeout_seconds"]` when the key is not a plain name. */
  key(name: string): At {
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)
      ? this.field(name)
      : new At(this.source, `${this.path}[${JSON.stringify(name)}]`);
  }

  index(i: number): At {
    return new At(this.source, `${this.path}[${i}]`);
  }

  fail(expected: string, actual: unknown): never {
    throw new DecodeError(this.source, this.path, expected, actual);
  }
}

function object(value: unknown, at: At): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) at.fail("an object", value);
  return value as Json;
}

function string(value: unknown, at: At): string {
  return typeof value === "string" ? value : at.fail("a string", value);
}

function nonEmpty(value: unknown, at: At): string {
  return typeof value === "string" && value !== "" ? value : at.fail("a non-empty string", value);
}

function integer(value: unknown, at: At): number {
  return typeof value === "number" && Number.isInteger(value) ? value : at.fail("an integer", value);
}

function boolean(value: unknown, at: At): boolean {
  return typeof value === "boolean" ? value : at.fail("a boolean", value);
}

function oneOf<T extends string>(choices: readonly T[]): (value: unknown, at: At) => T {
  return (value, at) => (choices.includes(value as T) ? (value as T) : at.fail(`one of ${choices.join(", ")}`, value));
}

function array<T>(item: (value: unknown, at: At) => T): (value: unknown, at: At) => T[] {
  return (value, at) => {
    if (!Array.isArray(value)) return at.fail("an array", value);
    return value.map((v: unknown, i) => item(v, at.index(i)));
  };
}

function record(value: unknown, at: At): Record<string, string> {
  const o = object(value, at);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, string(v, at.key(k))]));
}

function req<T>(o: Json, at: At, name: string, decode: (value: unknown, at: At) => T): T {
  return decode(o[name], at.field(name));
}

/** `{ name: value }` when present, `{}` when absent: optional fields stay absent, never undefined. */
function opt<K extends string, T>(o: Json, at: At, name: K, decode: (value: unknown, at: At) => T): { [P in K]?: T } {
  if (o[name] === undefined) return {};
  return { [name]: decode(o[name], at.field(name)) } as { [P in K]?: T };
}

const strings = array(string);
const PROTOCOLS = [
  "HTTP",
  "HTTPS",
  "TCP",
  "UDP",
  "TCP_UDP",
  "TLS",
  "QUIC",
  "TCP_QUIC",
] as const satisfies readonly ListenerProtocol[];

function condition(value: unknown, at: At): RuleCondition {
  const o = object(value, at);
  const field = req(
    o,
    at,
    "field",
    oneOf(["host-header", "path-pattern", "http-header", "query-string", "http-request-method", "source-ip"] as const),
  );
  switch (field) {
    case "host-header":
    case "path-pattern":
      return { field, ...opt(o, at, "values", strings), ...opt(o, at, "regexValues", strings) };
    case "http-header":
      return {
        field,
        headerName: req(o, at, "headerName", nonEmpty),
        ...opt(o, at, "values", strings),
        ...opt(o, at, "regexValues", strings),
      };
    case "query-string":
      return {
        field,
        values: req(
          o,
          at,
          "values",
          array((v, a) => {
            const kv = object(v, a);
            return { ...opt(kv, a, "key", string), value: req(kv, a, "value", string) };
          }),
        ),
      };
    case "http-request-method":
    case "source-ip":
      return { field, values: req(o, at, "values", strings) };
  }
}

function action(value: unknown, at: At): RuleAction {
  const o = object(value, at);
  const type = req(
    o,
    at,
    "type",
    oneOf([
      "forward",
      "redirect",
      "fixed-response",
      "authenticate-oidc",
      "authenticate-cognito",
      "jwt-validation",
    ] as const),
  );
  switch (type) {
    case "forward":
      return {
        type,
        targetGroups: req(
          o,
          at,
          "targetGroups",
          array((v, a) => {
            const tg = object(v, a);
            return { targetGroupId: req(tg, a, "targetGroupId", nonEmpty), weight: req(tg, a, "weight", integer) };
          }),
        ),
        ...opt(o, at, "stickiness", (v, a) => {
          const s = object(v, a);
          return { enabled: req(s, a, "enabled", boolean), ...opt(s, a, "durationSeconds", integer) };
        }),
      };
    case "redirect":
      return {
        type,
        ...opt(o, at, "protocol", string),
        ...opt(o, at, "host", string),
        ...opt(o, at, "port", string),
        ...opt(o, at, "path", string),
        ...opt(o, at, "query", string),
        statusCode: req(o, at, "statusCode", oneOf(["HTTP_301", "HTTP_302"] as const)),
      };
    case "fixed-response":
      return {
        type,
        statusCode: req(o, at, "statusCode", nonEmpty),
        ...opt(
          o,
          at,
          "contentType",
          oneOf(["text/plain", "text/css", "text/html", "application/javascript", "application/json"] as const),
        ),
        ...opt(o, at, "messageBody", string),
      };
    default:
      return { type, config: req(o, at, "config", object) };
  }
}

function transform(value: unknown, at: At): RuleTransform {
  const o = object(value, at);
  return {
    type: req(o, at, "type", oneOf(["host-header-rewrite", "url-rewrite"] as const)),
    rewrites: req(
      o,
      at,
      "rewrites",
      array((v, a) => {
        const r = object(v, a);
        return { regex: req(r, a, "regex", string), replace: req(r, a, "replace", string) };
      }),
    ),
  };
}

function rule(value: unknown, at: At): ObservedRule {
  const o = object(value, at);
  return {
    arn: req(o, at, "arn", nonEmpty),
    priority: req(o, at, "priority", integer),
    conditions: req(o, at, "conditions", array(condition)),
    actions: req(o, at, "actions", array(action)),
    ...opt(o, at, "transforms", array(transform)),
  };
}

function certificates(value: unknown, at: At): ListenerCertificates {
  const o = object(value, at);
  return { arns: req(o, at, "arns", array(nonEmpty)), pendingSecrets: req(o, at, "pendingSecrets", strings) };
}

function mutualAuthentication(value: unknown, at: At): MutualAuthentication {
  const o = object(value, at);
  return {
    mode: req(o, at, "mode", oneOf(["off", "passthrough", "verify"] as const)),
    ...opt(o, at, "trustStoreArn", nonEmpty),
    ...opt(o, at, "trustStoreName", nonEmpty),
    ...opt(o, at, "ignoreClientCertificateExpiry", boolean),
    ...opt(o, at, "advertiseTrustStoreCaNames", oneOf(["on"] as const)),
  };
}

function listener(value: unknown, at: At): ObservedListener {
  const o = object(value, at);
  return {
    id: req(o, at, "id", nonEmpty),
    arn: req(o, at, "arn", nonEmpty),
    port: req(o, at, "port", integer),
    protocol: req(o, at, "protocol", oneOf(PROTOCOLS)),
    ...opt(o, at, "certificates", certificates),
    ...opt(o, at, "sslPolicy", nonEmpty),
    ...opt(o, at, "alpnPolicy", nonEmpty),
    ...opt(o, at, "mutualAuthentication", mutualAuthentication),
    defaultActions: req(o, at, "defaultActions", array(action)),
    rules: req(o, at, "rules", array(rule)),
    ...opt(o, at, "attributes", record),
  };
}

function healthCheck(value: unknown, at: At): HealthCheckModel {
  const o = object(value, at);
  return {
    enabled: req(o, at, "enabled", boolean),
    protocol: req(o, at, "protocol", oneOf(["HTTP", "HTTPS", "TCP"] as const)),
    port: req(o, at, "port", nonEmpty),
    ...opt(o, at, "path", string),
    intervalSeconds: req(o, at, "intervalSeconds", integer),
    timeoutSeconds: req(o, at, "timeoutSeconds", integer),
    healthyThresholdCount: req(o, at, "healthyThresholdCount", integer),
    unhealthyThresholdCount: req(o, at, "unhealthyThresholdCount", integer),
    ...opt(o, at, "matcher", (v, a) => {
      const m = object(v, a);
      return { ...opt(m, a, "httpCode", string), ...opt(m, a, "grpcCode", string) };
    }),
  };
}

function target(value: unknown, at: At): TargetModel {
  const o = object(value, at);
  return {
    id: req(o, at, "id", nonEmpty),
    port: req(o, at, "port", integer),
    ...opt(o, at, "availabilityZone", nonEmpty),
    ...opt(o, at, "quicServerId", nonEmpty),
  };
}

function targetGroup(value: unknown, at: At): ObservedTargetGroup {
  const o = object(value, at);
  return {
    id: req(o, at, "id", nonEmpty),
    arn: req(o, at, "arn", nonEmpty),
    // Discovery knows a group only by its tags until it is read: name and protocol may be empty.
    name: req(o, at, "name", string),
    protocol: req(o, at, "protocol", string),
    ...opt(o, at, "protocolVersion", nonEmpty),
    port: req(o, at, "port", integer),
    ...opt(o, at, "targetType", oneOf(["ip", "instance", "lambda", "alb"] as const)),
    ...opt(o, at, "targetControlPort", integer),
    ...opt(o, at, "multiCluster", boolean),
    healthCheck: req(o, at, "healthCheck", healthCheck),
    attributes: req(o, at, "attributes", record),
    targets: req(o, at, "targets", array(target)),
  };
}

function loadBalancer(value: unknown, at: At): ObservedLoadBalancer {
  const o = object(value, at);
  return {
    arn: req(o, at, "arn", nonEmpty),
    name: req(o, at, "name", nonEmpty),
    type: req(o, at, "type", oneOf(["application", "network"] as const)),
    scheme: req(o, at, "scheme", oneOf(["internet-facing", "internal"] as const)),
    ipAddressType: req(o, at, "ipAddressType", oneOf(["ipv4", "dualstack", "dualstack-without-public-ipv4"] as const)),
    ...opt(o, at, "dnsName", nonEmpty),
    ...opt(o, at, "state", oneOf(["provisioning", "active", "active_impaired", "failed"] as const)),
    subnets: req(o, at, "subnets", array(nonEmpty)),
    securityGroups: req(o, at, "securityGroups", array(nonEmpty)),
    ...opt(o, at, "enforceInboundRulesOnPrivateLinkTraffic", oneOf(["on", "off"] as const)),
    attributes: req(o, at, "attributes", record),
    ...loadBalancerFeatures(o, at),
  };
}

function subnetMapping(value: unknown, at: At): SubnetMapping {
  const o = object(value, at);
  return {
    subnetId: req(o, at, "subnetId", nonEmpty),
    ...opt(o, at, "allocationId", nonEmpty),
    ...opt(o, at, "privateIPv4Address", nonEmpty),
    ...opt(o, at, "ipv6Address", nonEmpty),
    ...opt(o, at, "sourceNatIpv6Prefix", nonEmpty),
  };
}

function loadBalancerFeatures(o: Json, at: At): ObservedLoadBalancerFeatures {
  return {
    ...opt(o, at, "customerOwnedIpv4Pool", nonEmpty),
    ...opt(o, at, "subnetMappings", array(subnetMapping)),
    ...opt(o, at, "ipv4IpamPool", nonEmpty),
    ...opt(o, at, "minimumCapacityUnits", integer),
    ...opt(o, at, "webAcl", nonEmpty),
    ...opt(o, at, "shieldProtection", (v, a) => {
      const p = object(v, a);
      return { id: req(p, a, "id", nonEmpty), managed: req(p, a, "managed", boolean) };
    }),
  };
}

// ---------- security groups ----------

const IP_PROTOCOLS = ["tcp", "udp", "icmp", "icmpv6"] as const;

function ingressRule(value: unknown, at: At): ObservedIngressRule {
  const o = object(value, at);
  return {
    ruleId: req(o, at, "ruleId", nonEmpty),
    owned: req(o, at, "owned", boolean),
    protocol: req(o, at, "protocol", oneOf(IP_PROTOCOLS)),
    fromPort: req(o, at, "fromPort", integer),
    toPort: req(o, at, "toPort", integer),
    ...opt(o, at, "cidrIpv4", nonEmpty),
    ...opt(o, at, "cidrIpv6", nonEmpty),
    ...opt(o, at, "prefixListId", nonEmpty),
  };
}

function targetRule(value: unknown, at: At): ObservedTargetRule {
  const o = object(value, at);
  return {
    groupId: req(o, at, "groupId", nonEmpty),
    ruleId: req(o, at, "ruleId", nonEmpty),
    protocol: req(o, at, "protocol", oneOf(["tcp", "udp"] as const)),
    port: req(o, at, "port", integer),
    targets: req(o, at, "targets", array(nonEmpty)),
    claimed: req(o, at, "claimed", boolean),
  };
}

function securityGroups(value: unknown, at: At): ObservedSecurityGroups {
  const o = object(value, at);
  const group = (v: unknown, a: At) => {
    const g = object(v, a);
    return { id: req(g, a, "id", nonEmpty), name: req(g, a, "name", string) };
  };
  return {
    ...opt(o, at, "frontend", (v, a) => ({
      ...group(v, a),
      ingress: req(object(v, a), a, "ingress", array(ingressRule)),
    })),
    ...opt(o, at, "backend", group),
    targetRules: req(o, at, "targetRules", array(targetRule)),
    ...opt(o, at, "unresolvedTargets", array(nonEmpty)),
  };
}

/** ObservedElb from `value`, or a DecodeError naming `source`, the field's path and what it needed. */
export function decodeObservedElb(value: unknown, source: string): ObservedElb {
  const at = new At(source, "");
  const o = object(value, at);
  return {
    ...opt(o, at, "loadBalancer", loadBalancer),
    listeners: req(o, at, "listeners", array(listener)),
    targetGroups: req(o, at, "targetGroups", array(targetGroup)),
    strayLoadBalancers: req(o, at, "strayLoadBalancers", array(nonEmpty)),
    ...opt(o, at, "securityGroups", securityGroups),
  };
}
