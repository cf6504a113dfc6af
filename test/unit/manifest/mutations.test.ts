/**
 * Hand-written mutations of valid objects, one per validation rule (schema keyword or CEL rule).
 * Each case names the rule, changes a known-good object, and asserts that the object is rejected
 * with every problem on exactly the expected field path — and nowhere else.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { type Channel, validateObject } from "../../../shared/manifest/validate.ts";

type Json = Record<string, unknown>;
const REMOVE = Symbol("remove");

function setPath(target: Json, path: string, value: unknown): void {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(([, key, index]) => key ?? Number(index));
  let node: unknown = target;
  keys.forEach((key, i) => {
    const container = node as Record<string | number, unknown>;
    if (i === keys.length - 1) {
      if (value === REMOVE) delete container[key];
      else container[key] = value;
      return;
    }
    if (container[key] === undefined) container[key] = typeof keys[i + 1] === "number" ? [] : {};
    node = container[key];
  });
}

function mutate(base: Json, changes: Record<string, unknown>): KubeObject {
  const copy = structuredClone(base);
  for (const [path, value] of Object.entries(changes)) setPath(copy, path, value);
  return copy as unknown as KubeObject;
}

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const httpRoute: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "web", namespace: "default" },
  spec: {
    parentRefs: [{ name: "gw" }],
    hostnames: ["a.example.com"],
    rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "svc", port: 80 }] }],
  },
};

const grpcRoute: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "GRPCRoute",
  metadata: { name: "rpc", namespace: "default" },
  spec: {
    parentRefs: [{ name: "gw" }],
    rules: [
      { matches: [{ method: { service: "pkg.Svc", method: "Get" } }], backendRefs: [{ name: "svc", port: 50051 }] },
    ],
  },
};

const gateway: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "gw", namespace: "default" },
  spec: { gatewayClassName: "alb", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
};

const gatewayClass: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "GatewayClass",
  metadata: { name: "alb" },
  spec: { controllerName: "switchyard.dev/alb" },
};

const referenceGrant: Json = {
  apiVersion: "gateway.networking.k8s.io/v1beta1",
  kind: "ReferenceGrant",
  metadata: { name: "grant", namespace: "backends" },
  spec: {
    from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "default" }],
    to: [{ group: "", kind: "Service" }],
  },
};

const tlsRoute: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "TLSRoute",
  metadata: { name: "tls", namespace: "default" },
  spec: {
    parentRefs: [{ name: "gw" }],
    hostnames: ["a.example.com"],
    rules: [{ backendRefs: [{ name: "svc", port: 443 }] }],
  },
};

const tcpRoute: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "TCPRoute",
  metadata: { name: "tcp", namespace: "default" },
  spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "svc", port: 9000 }] }] },
};

const udpRoute: Json = { ...tcpRoute, kind: "UDPRoute", metadata: { name: "udp", namespace: "default" } };

const listenerSet: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "ListenerSet",
  metadata: { name: "ls", namespace: "default" },
  spec: { parentRef: { name: "gw" }, listeners: [{ name: "extra", port: 8080, protocol: "HTTP" }] },
};

const backendTLSPolicy: Json = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "BackendTLSPolicy",
  metadata: { name: "btls", namespace: "default" },
  spec: {
    targetRefs: [{ group: "", kind: "Service", name: "svc" }],
    validation: { hostname: "svc.example.com", wellKnownCACertificates: "System" },
  },
};

const BASES = {
  httpRoute,
  grpcRoute,
  gateway,
  gatewayClass,
  referenceGrant,
  tlsRoute,
  tcpRoute,
  udpRoute,
  listenerSet,
  backendTLSPolicy,
};

interface Case {
  rule: string;
  base: Json;
  set: Record<string, unknown>;
  /** Every problem must be on one of these fields (usually exactly one). */
  fields: readonly string[];
  channel?: Channel;
}

const filter = (type: string, config: Json): Json => ({
  type,
  [type === "CORS" ? "cors" : type.charAt(0).toLowerCase() + type.slice(1)]: config,
});
const redirect = (config: Json = {}) => ({ type: "RequestRedirect", requestRedirect: config });
const rewrite = (config: Json = {}) => ({ type: "URLRewrite", urlRewrite: config });
const headerMod = (config: Json = { set: [{ name: "x", value: "1" }] }) => ({
  type: "RequestHeaderModifier",
  requestHeaderModifier: config,
});
const mirror = (config: Json = { backendRef: { name: "m", port: 80 } }) => ({
  type: "RequestMirror",
  requestMirror: config,
});
const prefix = (value: string) => ({ path: { type: "PathPrefix", value } });
const R0 = "spec.rules[0]";
const F0 = `${R0}.filters[0]`;
const M0 = `${R0}.matches[0]`;

const CASES: Case[] = [
  // ---- HTTPRoute: list limits
  {
    rule: "HTTPRoute hostnames: at most 16",
    base: httpRoute,
    set: { "spec.hostnames": range(17, (i) => `h${i}.example.com`) },
    fields: ["spec.hostnames"],
  },
  {
    rule: "HTTPRoute hostnames: RFC 1123 with optional leading *.",
    base: httpRoute,
    set: { "spec.hostnames[0]": "Bad_Host.example.com" },
    fields: ["spec.hostnames[0]"],
  },
  {
    rule: "HTTPRoute hostnames: a wildcard only as the first label",
    base: httpRoute,
    set: { "spec.hostnames[0]": "a.*.example.com" },
    fields: ["spec.hostnames[0]"],
  },
  {
    rule: "HTTPRoute parentRefs: at most 32",
    base: httpRoute,
    set: { "spec.parentRefs": range(33, (i) => ({ name: "gw", sectionName: `l${i}` })) },
    fields: ["spec.parentRefs"],
  },
  {
    rule: "HTTPRoute rules: at most 16",
    base: httpRoute,
    set: { "spec.rules": range(17, () => ({ backendRefs: [{ name: "s", port: 80 }] })) },
    fields: ["spec.rules"],
  },
  {
    rule: "HTTPRoute rules: at least 1 when given",
    base: httpRoute,
    set: { "spec.rules": [] },
    fields: ["spec.rules"],
  },
  {
    rule: "HTTPRoute matches: at most 64 per rule",
    base: httpRoute,
    set: { [`${R0}.matches`]: range(65, (i) => prefix(`/p${i}`)) },
    fields: [`${R0}.matches`],
  },
  {
    rule: "HTTPRoute matches: at most 128 across rules",
    base: httpRoute,
    set: { "spec.rules": range(3, (r) => ({ matches: range(43, (i) => prefix(`/r${r}/${i}`)) })) },
    fields: ["spec.rules"],
  },
  {
    rule: "HTTPRoute headers: at most 16 per match",
    base: httpRoute,
    set: { [`${M0}.headers`]: range(17, (i) => ({ name: `h${i}`, value: "v" })) },
    fields: [`${M0}.headers`],
  },
  {
    rule: "HTTPRoute headers: names unique per match",
    base: httpRoute,
    set: {
      [`${M0}.headers`]: [
        { name: "x", value: "1" },
        { name: "x", value: "2" },
      ],
    },
    fields: [`${M0}.headers[1].name`],
  },
  {
    rule: "HTTPRoute headers: name is an HTTP token",
    base: httpRoute,
    set: { [`${M0}.headers`]: [{ name: "bad header", value: "1" }] },
    fields: [`${M0}.headers[0].name`],
  },
  {
    rule: "HTTPRoute headers: match type Exact or RegularExpression",
    base: httpRoute,
    set: { [`${M0}.headers`]: [{ name: "x", value: "1", type: "Prefix" }] },
    fields: [`${M0}.headers[0].type`],
  },
  {
    rule: "HTTPRoute queryParams: at most 16 per match",
    base: httpRoute,
    set: { [`${M0}.queryParams`]: range(17, (i) => ({ name: `q${i}`, value: "v" })) },
    fields: [`${M0}.queryParams`],
  },
  {
    rule: "HTTPRoute queryParams: names unique per match",
    base: httpRoute,
    set: {
      [`${M0}.queryParams`]: [
        { name: "q", value: "1" },
        { name: "q", value: "2" },
      ],
    },
    fields: [`${M0}.queryParams[1].name`],
  },
  {
    rule: "HTTPRoute method: one of the HTTP methods",
    base: httpRoute,
    set: { [`${M0}.method`]: "FETCH" },
    fields: [`${M0}.method`],
  },
  {
    rule: "HTTPRoute filters: at most 16",
    base: httpRoute,
    set: { [`${R0}.filters`]: range(17, () => mirror()) },
    fields: [`${R0}.filters`],
  },
  {
    rule: "HTTPRoute backendRefs: at most 16",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: range(17, (i) => ({ name: `s${i}`, port: 80 })) },
    fields: [`${R0}.backendRefs`],
  },
  {
    rule: "backendRef weight: at most 1,000,000",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].weight`]: 1_000_001 },
    fields: [`${R0}.backendRefs[0].weight`],
  },
  {
    rule: "backendRef weight: not negative",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].weight`]: -1 },
    fields: [`${R0}.backendRefs[0].weight`],
  },
  {
    rule: "backendRef port: 1-65535",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].port`]: 65536 },
    fields: [`${R0}.backendRefs[0].port`],
  },
  {
    rule: "backendRef port: an integer, not a string",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].port`]: "80" },
    fields: [`${R0}.backendRefs[0].port`],
  },
  {
    rule: "backendRef to a Service needs a port (CEL)",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].port`]: REMOVE },
    fields: [`${R0}.backendRefs[0].port`],
  },
  {
    rule: "backendRef namespace: a DNS label",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].namespace`]: "Other_NS" },
    fields: [`${R0}.backendRefs[0].namespace`],
  },
  // ---- HTTPRoute: path match CEL rules
  {
    rule: "path value: at most 1024 characters",
    base: httpRoute,
    set: { [`${M0}.path.value`]: `/${"a".repeat(1024)}` },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: starts with /",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "api" },
    fields: [`${M0}.path.value`],
  },
  { rule: "path value: no //", base: httpRoute, set: { [`${M0}.path.value`]: "/a//b" }, fields: [`${M0}.path.value`] },
  {
    rule: "path value: no /./",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a/./b" },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: no /../",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a/../b" },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: no %2f",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a%2fb" },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: no %2F",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a%2Fb" },
    fields: [`${M0}.path.value`],
  },
  { rule: "path value: no #", base: httpRoute, set: { [`${M0}.path.value`]: "/a#b" }, fields: [`${M0}.path.value`] },
  {
    rule: "path value: does not end with /..",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a/.." },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: does not end with /.",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a/." },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: only URL path characters",
    base: httpRoute,
    set: { [`${M0}.path.value`]: "/a b" },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path value: rules apply to Exact too",
    base: httpRoute,
    set: { [`${M0}.path`]: { type: "Exact", value: "/a//b" } },
    fields: [`${M0}.path.value`],
  },
  {
    rule: "path type: Exact, PathPrefix or RegularExpression",
    base: httpRoute,
    set: { [`${M0}.path.type`]: "Glob" },
    fields: [`${M0}.path.type`],
  },
  // ---- HTTPRoute: filters
  {
    rule: "filter type: a known filter type",
    base: httpRoute,
    set: { [`${R0}.filters`]: [{ type: "Rewrite" }] },
    fields: [`${F0}.type`],
  },
  {
    rule: "filter type RequestRedirect needs requestRedirect",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [{ type: "RequestRedirect" }] },
    fields: [`${F0}.requestRedirect`],
  },
  {
    rule: "filter config only for its own type",
    base: httpRoute,
    set: { [`${R0}.filters`]: [{ ...headerMod(), urlRewrite: {} }] },
    fields: [`${F0}.urlRewrite`],
  },
  {
    rule: "filters: RequestRedirect and URLRewrite are exclusive",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [redirect(), rewrite()] },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "filters: a redirect rule has no backendRefs",
    base: httpRoute,
    set: { [`${R0}.filters`]: [redirect({ scheme: "https" })] },
    fields: [`${R0}.backendRefs`],
  },
  {
    rule: "filters: RequestHeaderModifier not repeated",
    base: httpRoute,
    set: { [`${R0}.filters`]: [headerMod(), headerMod()] },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "filters: ResponseHeaderModifier not repeated",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [
        filter("ResponseHeaderModifier", { remove: ["x"] }),
        filter("ResponseHeaderModifier", { remove: ["y"] }),
      ],
    },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "filters: URLRewrite not repeated",
    base: httpRoute,
    set: { [`${R0}.filters`]: [rewrite({ hostname: "a.example" }), rewrite({ hostname: "b.example" })] },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "filters: RequestRedirect not repeated",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [redirect(), redirect()] },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "filters: CORS not repeated",
    base: httpRoute,
    set: { [`${R0}.filters`]: [filter("CORS", { allowOrigins: ["*"] }), filter("CORS", { allowOrigins: ["*"] })] },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "filters on a backendRef: header modifier not repeated",
    base: httpRoute,
    set: { [`${R0}.backendRefs[0].filters`]: [headerMod(), headerMod()] },
    fields: [`${R0}.backendRefs[0].filters[1]`],
  },
  {
    rule: "ReplacePrefixMatch redirect needs exactly one match",
    base: httpRoute,
    set: {
      [`${R0}.backendRefs`]: REMOVE,
      [`${R0}.matches`]: [prefix("/a"), prefix("/b")],
      [`${R0}.filters`]: [redirect({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
    },
    fields: [`${R0}.matches`],
  },
  {
    rule: "ReplacePrefixMatch rewrite needs a PathPrefix match",
    base: httpRoute,
    set: {
      [`${R0}.matches`]: [{ path: { type: "Exact", value: "/a" } }],
      [`${R0}.filters`]: [rewrite({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
    },
    fields: [`${R0}.matches`],
  },
  {
    rule: "ReplacePrefixMatch in a backendRef filter needs a PathPrefix match",
    base: httpRoute,
    set: {
      [`${R0}.matches`]: [{ path: { type: "Exact", value: "/a" } }],
      [`${R0}.backendRefs[0].filters`]: [rewrite({ path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/c" } })],
    },
    fields: [`${R0}.matches`],
  },
  {
    rule: "redirect statusCode: 301, 302, 303, 307 or 308",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [redirect({ statusCode: 304 })] },
    fields: [`${F0}.requestRedirect.statusCode`],
  },
  {
    rule: "redirect scheme: http or https",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [redirect({ scheme: "ftp" })] },
    fields: [`${F0}.requestRedirect.scheme`],
  },
  {
    rule: "redirect hostname: precise, no wildcard",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [redirect({ hostname: "*.example.com" })] },
    fields: [`${F0}.requestRedirect.hostname`],
  },
  {
    rule: "redirect port: 1-65535",
    base: httpRoute,
    set: { [`${R0}.backendRefs`]: REMOVE, [`${R0}.filters`]: [redirect({ port: 0 })] },
    fields: [`${F0}.requestRedirect.port`],
  },
  {
    rule: "path modifier ReplaceFullPath needs replaceFullPath",
    base: httpRoute,
    set: { [`${R0}.filters`]: [rewrite({ path: { type: "ReplaceFullPath" } })] },
    fields: [`${F0}.urlRewrite.path.replaceFullPath`],
  },
  {
    rule: "path modifier replacePrefixMatch needs type ReplacePrefixMatch",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [
        rewrite({ path: { type: "ReplaceFullPath", replaceFullPath: "/x", replacePrefixMatch: "/y" } }),
      ],
    },
    fields: [`${F0}.urlRewrite.path.type`],
  },
  {
    rule: "ExtensionRef: group, kind and name required",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [{ type: "ExtensionRef", extensionRef: { kind: "ListenerRuleConfiguration", name: "x" } }],
    },
    fields: [`${F0}.extensionRef.group`],
  },
  {
    rule: "ExtensionRef: kind is a Kind",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [
        { type: "ExtensionRef", extensionRef: { group: "gateway.k8s.aws", kind: "Listener Rule", name: "x" } },
      ],
    },
    fields: [`${F0}.extensionRef.kind`],
  },
  {
    rule: "mirror: percent and fraction are exclusive",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [mirror({ backendRef: { name: "m", port: 80 }, percent: 10, fraction: { numerator: 1 } })],
    },
    fields: [`${F0}.requestMirror.fraction`],
  },
  {
    rule: "mirror: fraction at most 1",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [mirror({ backendRef: { name: "m", port: 80 }, fraction: { numerator: 3, denominator: 2 } })],
    },
    fields: [`${F0}.requestMirror.fraction.numerator`],
  },
  {
    rule: "mirror: percent 0-100",
    base: httpRoute,
    set: { [`${R0}.filters`]: [mirror({ backendRef: { name: "m", port: 80 }, percent: 101 })] },
    fields: [`${F0}.requestMirror.percent`],
  },
  {
    rule: "mirror: a Service backendRef needs a port",
    base: httpRoute,
    set: { [`${R0}.filters`]: [mirror({ backendRef: { name: "m" } })] },
    fields: [`${F0}.requestMirror.backendRef.port`],
  },
  {
    rule: "header modifier: set names unique",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [
        headerMod({
          set: [
            { name: "x", value: "1" },
            { name: "x", value: "2" },
          ],
        }),
      ],
    },
    fields: [`${F0}.requestHeaderModifier.set[1].name`],
  },
  {
    rule: "header modifier: at most 16 adds",
    base: httpRoute,
    set: { [`${R0}.filters`]: [headerMod({ add: range(17, (i) => ({ name: `h${i}`, value: "v" })) })] },
    fields: [`${F0}.requestHeaderModifier.add`],
  },
  {
    rule: "header modifier: removed names unique",
    base: httpRoute,
    set: { [`${R0}.filters`]: [headerMod({ remove: ["a", "a"] })] },
    fields: [`${F0}.requestHeaderModifier.remove[1]`],
  },
  {
    rule: "CORS: '*' origin stands alone",
    base: httpRoute,
    set: { [`${R0}.filters`]: [filter("CORS", { allowOrigins: ["*", "https://a.example"] })] },
    fields: [`${F0}.cors.allowOrigins`],
  },
  {
    rule: "CORS: '*' method stands alone",
    base: httpRoute,
    set: { [`${R0}.filters`]: [filter("CORS", { allowMethods: ["GET", "*"] })] },
    fields: [`${F0}.cors.allowMethods`],
  },
  {
    rule: "CORS: origins are scheme://host[:port]",
    base: httpRoute,
    set: { [`${R0}.filters`]: [filter("CORS", { allowOrigins: ["ftp://a.example"] })] },
    fields: [`${F0}.cors.allowOrigins[0]`],
  },
  {
    rule: "CORS: maxAge at least 1",
    base: httpRoute,
    set: { [`${R0}.filters`]: [filter("CORS", { maxAge: 0 })] },
    fields: [`${F0}.cors.maxAge`],
  },
  {
    rule: "external auth: protocol HTTP needs http",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [
        { type: "ExternalAuth", externalAuth: { protocol: "HTTP", backendRef: { name: "auth", port: 80 } } },
      ],
    },
    fields: [`${F0}.externalAuth.http`],
  },
  {
    rule: "external auth: grpc settings need protocol GRPC",
    base: httpRoute,
    set: {
      [`${R0}.filters`]: [
        {
          type: "ExternalAuth",
          externalAuth: { protocol: "HTTP", http: {}, grpc: {}, backendRef: { name: "auth", port: 80 } },
        },
      ],
    },
    fields: [`${F0}.externalAuth.protocol`],
  },
  // ---- HTTPRoute: rule-level and route-level CEL rules
  {
    rule: "timeouts: backendRequest within request",
    base: httpRoute,
    set: { [`${R0}.timeouts`]: { request: "10s", backendRequest: "1m" } },
    fields: [`${R0}.timeouts.backendRequest`],
  },
  {
    rule: "timeouts: Gateway API duration format",
    base: httpRoute,
    set: { [`${R0}.timeouts`]: { request: "1d" } },
    fields: [`${R0}.timeouts.request`],
  },
  {
    rule: "rule names: unique within a route (experimental)",
    base: httpRoute,
    set: {
      "spec.rules": [
        { name: "a", backendRefs: [{ name: "s", port: 80 }] },
        { name: "a", backendRefs: [{ name: "s", port: 80 }] },
      ],
    },
    fields: ["spec.rules[1].name"],
  },
  { rule: "rule names: DNS subdomains", base: httpRoute, set: { [`${R0}.name`]: "Rule One" }, fields: [`${R0}.name`] },
  {
    rule: "retry: codes 400-599",
    base: httpRoute,
    set: { [`${R0}.retry`]: { codes: [600] } },
    fields: [`${R0}.retry.codes[0]`],
  },
  {
    rule: "retry: experimental channel only",
    base: httpRoute,
    set: { [`${R0}.retry`]: { attempts: 2 } },
    fields: [`${R0}.retry`],
    channel: "standard",
  },
  {
    rule: "session persistence: cookieConfig only with type Cookie",
    base: httpRoute,
    set: { [`${R0}.sessionPersistence`]: { type: "Header", cookieConfig: {} } },
    fields: [`${R0}.sessionPersistence.cookieConfig`],
  },
  {
    rule: "session persistence: Permanent cookies need absoluteTimeout",
    base: httpRoute,
    set: { [`${R0}.sessionPersistence`]: { cookieConfig: { lifetimeType: "Permanent" } } },
    fields: [`${R0}.sessionPersistence.absoluteTimeout`],
  },
  {
    rule: "header values: visible characters only (experimental)",
    base: httpRoute,
    set: { [`${M0}.headers`]: [{ name: "x", value: "a\nb" }] },
    fields: [`${M0}.headers[0].value`],
  },
  {
    rule: "parentRefs: a repeated parent needs sectionName on every reference",
    base: httpRoute,
    set: { "spec.parentRefs": [{ name: "gw", sectionName: "http" }, { name: "gw" }] },
    fields: ["spec.parentRefs[1]"],
  },
  {
    rule: "parentRefs: no duplicate references",
    base: httpRoute,
    set: {
      "spec.parentRefs": [
        { name: "gw", sectionName: "http" },
        { name: "gw", sectionName: "http" },
      ],
    },
    fields: ["spec.parentRefs[1]"],
  },
  {
    rule: "parentRefs: the standard channel tells repeats apart by sectionName only",
    base: httpRoute,
    set: {
      "spec.parentRefs": [
        { name: "gw", port: 80 },
        { name: "gw", port: 443 },
      ],
    },
    fields: ["spec.parentRefs[1]"],
    channel: "standard",
  },
  {
    rule: "parentRefs: sectionName is a DNS subdomain",
    base: httpRoute,
    set: { "spec.parentRefs[0].sectionName": "HTTP" },
    fields: ["spec.parentRefs[0].sectionName"],
  },
  {
    rule: "unknown fields are refused (strict field validation)",
    base: httpRoute,
    set: { [`${R0}.backendRef`]: [{ name: "s" }] },
    fields: [`${R0}.backendRef`],
  },
  {
    rule: "useDefaultGateways: experimental channel only",
    base: httpRoute,
    set: { "spec.useDefaultGateways": "All" },
    fields: ["spec.useDefaultGateways"],
    channel: "standard",
  },
  // ---- GRPCRoute
  {
    rule: "GRPC method match: service or method required",
    base: grpcRoute,
    set: { [`${M0}.method`]: {} },
    fields: [`${M0}.method`],
  },
  {
    rule: "GRPC method match: Exact service is a gRPC service name",
    base: grpcRoute,
    set: { [`${M0}.method.service`]: "my service" },
    fields: [`${M0}.method.service`],
  },
  {
    rule: "GRPC method match: Exact method is an identifier",
    base: grpcRoute,
    set: { [`${M0}.method.method`]: "Get-Thing" },
    fields: [`${M0}.method.method`],
  },
  {
    rule: "GRPC filters: RequestHeaderModifier not repeated",
    base: grpcRoute,
    set: { [`${R0}.filters`]: [headerMod(), headerMod()] },
    fields: [`${R0}.filters[1]`],
  },
  {
    rule: "GRPC filters: no redirect filter type",
    base: grpcRoute,
    set: { [`${R0}.filters`]: [redirect()] },
    fields: [`${F0}.type`, `${F0}.requestRedirect`],
  },
  {
    rule: "GRPC matches: at most 128 across rules",
    base: grpcRoute,
    set: { "spec.rules": range(3, () => ({ matches: range(43, () => ({ method: { service: "a.B" } })) })) },
    fields: ["spec.rules"],
  },
  {
    rule: "GRPC header matches: names unique",
    base: grpcRoute,
    set: {
      [`${M0}.headers`]: [
        { name: "x", value: "1" },
        { name: "x", value: "2" },
      ],
    },
    fields: [`${M0}.headers[1].name`],
  },
  // ---- Gateway
  { rule: "Gateway listeners: at least 1", base: gateway, set: { "spec.listeners": [] }, fields: ["spec.listeners"] },
  {
    rule: "Gateway listeners: at most 64",
    base: gateway,
    set: { "spec.listeners": range(65, (i) => ({ name: `l${i}`, port: 1000 + i, protocol: "HTTP" })) },
    fields: ["spec.listeners"],
  },
  {
    rule: "Gateway listeners: names unique",
    base: gateway,
    set: { "spec.listeners[1]": { name: "http", port: 81, protocol: "HTTP" } },
    fields: ["spec.listeners[1].name"],
  },
  {
    rule: "Gateway listeners: port, protocol and hostname unique",
    base: gateway,
    set: { "spec.listeners[1]": { name: "other", port: 80, protocol: "HTTP" } },
    fields: ["spec.listeners[1]"],
  },
  {
    rule: "Gateway listeners: no hostname on TCP",
    base: gateway,
    set: { "spec.listeners[0]": { name: "tcp", port: 9000, protocol: "TCP", hostname: "a.example.com" } },
    fields: ["spec.listeners[0].hostname"],
  },
  {
    rule: "Gateway listeners: no tls on HTTP",
    base: gateway,
    set: { "spec.listeners[0].tls": { certificateRefs: [{ name: "c" }] } },
    fields: ["spec.listeners[0].tls"],
  },
  {
    rule: "Gateway listeners: no tls on UDP",
    base: gateway,
    set: { "spec.listeners[0]": { name: "udp", port: 53, protocol: "UDP", tls: { mode: "Passthrough" } } },
    fields: ["spec.listeners[0].tls"],
  },
  {
    rule: "Gateway listeners: HTTPS terminates",
    base: gateway,
    set: { "spec.listeners[0]": { name: "https", port: 443, protocol: "HTTPS", tls: { mode: "Passthrough" } } },
    fields: ["spec.listeners[0].tls.mode"],
  },
  {
    rule: "Gateway listeners: TLS needs tls with a mode",
    base: gateway,
    set: { "spec.listeners[0]": { name: "tls", port: 443, protocol: "TLS" } },
    fields: ["spec.listeners[0].tls"],
  },
  {
    rule: "Gateway listeners: Terminate needs certificateRefs or options",
    base: gateway,
    set: { "spec.listeners[0]": { name: "https", port: 443, protocol: "HTTPS", tls: { mode: "Terminate" } } },
    fields: ["spec.listeners[0].tls.certificateRefs"],
  },
  {
    rule: "Gateway listeners: protocol pattern",
    base: gateway,
    set: { "spec.listeners[0].protocol": "HTTP 2" },
    fields: ["spec.listeners[0].protocol"],
  },
  {
    rule: "Gateway listeners: port 1-65535",
    base: gateway,
    set: { "spec.listeners[0].port": 0 },
    fields: ["spec.listeners[0].port"],
  },
  {
    rule: "Gateway listeners: name is a DNS subdomain",
    base: gateway,
    set: { "spec.listeners[0].name": "HTTP" },
    fields: ["spec.listeners[0].name"],
  },
  {
    rule: "Gateway listeners: hostname pattern",
    base: gateway,
    set: { "spec.listeners[0].hostname": "*" },
    fields: ["spec.listeners[0].hostname"],
  },
  {
    rule: "Gateway listeners: allowedRoutes from All, Selector or Same",
    base: gateway,
    set: { "spec.listeners[0].allowedRoutes": { namespaces: { from: "None" } } },
    fields: ["spec.listeners[0].allowedRoutes.namespaces.from"],
  },
  {
    rule: "Gateway listeners: at most 8 allowed route kinds",
    base: gateway,
    set: { "spec.listeners[0].allowedRoutes": { kinds: range(9, (i) => ({ kind: `K${i}` })) } },
    fields: ["spec.listeners[0].allowedRoutes.kinds"],
  },
  {
    rule: "Gateway listeners: at most 64 certificateRefs",
    base: gateway,
    set: {
      "spec.listeners[0]": {
        name: "https",
        port: 443,
        protocol: "HTTPS",
        tls: { certificateRefs: range(65, (i) => ({ name: `c${i}` })) },
      },
    },
    fields: ["spec.listeners[0].tls.certificateRefs"],
  },
  {
    rule: "Gateway listeners: at most 16 tls options",
    base: gateway,
    set: {
      "spec.listeners[0]": {
        name: "https",
        port: 443,
        protocol: "HTTPS",
        tls: { options: Object.fromEntries(range(17, (i) => [`example.com/o${i}`, "v"])) },
      },
    },
    fields: ["spec.listeners[0].tls.options"],
  },
  {
    rule: "Gateway gatewayClassName required",
    base: gateway,
    set: { "spec.gatewayClassName": REMOVE },
    fields: ["spec.gatewayClassName"],
  },
  {
    rule: "Gateway addresses: at most 16",
    base: gateway,
    set: { "spec.addresses": range(17, (i) => ({ value: `10.0.0.${i}` })) },
    fields: ["spec.addresses"],
  },
  {
    rule: "Gateway addresses: IPAddress values are IPs",
    base: gateway,
    set: { "spec.addresses": [{ type: "IPAddress", value: "10.0.0" }] },
    fields: ["spec.addresses[0].value"],
  },
  {
    rule: "Gateway addresses: IPAddress values unique",
    base: gateway,
    set: { "spec.addresses": [{ value: "10.0.0.1" }, { value: "10.0.0.1" }] },
    fields: ["spec.addresses[1].value"],
  },
  {
    rule: "Gateway addresses: Hostname values are hostnames",
    base: gateway,
    set: { "spec.addresses": [{ type: "Hostname", value: "lb.example.com:443" }] },
    fields: ["spec.addresses[0].value"],
  },
  {
    rule: "Gateway addresses: Hostname values unique",
    base: gateway,
    set: {
      "spec.addresses": [
        { type: "Hostname", value: "a.example" },
        { type: "Hostname", value: "a.example" },
      ],
    },
    fields: ["spec.addresses[1].value"],
  },
  {
    rule: "Gateway addresses: type pattern",
    base: gateway,
    set: { "spec.addresses": [{ type: "bad type", value: "x" }] },
    fields: ["spec.addresses[0].type"],
  },
  {
    rule: "Gateway infrastructure: label keys are qualified names",
    base: gateway,
    set: { "spec.infrastructure": { labels: { "bad key!": "v" } } },
    fields: ["spec.infrastructure.labels[bad key!]"],
  },
  {
    rule: "Gateway infrastructure: at most 8 labels",
    base: gateway,
    set: { "spec.infrastructure": { labels: Object.fromEntries(range(9, (i) => [`l${i}`, "v"])) } },
    fields: ["spec.infrastructure.labels"],
  },
  {
    rule: "Gateway infrastructure: label values",
    base: gateway,
    set: { "spec.infrastructure": { labels: { app: "-bad-" } } },
    fields: ["spec.infrastructure.labels[app]"],
  },
  {
    rule: "Gateway infrastructure: annotation key prefixes under 253 characters",
    base: gateway,
    set: { "spec.infrastructure": { annotations: { [`${"a".repeat(253)}/x`]: "v" } } },
    fields: [`spec.infrastructure.annotations[${"a".repeat(253)}/x]`],
  },
  {
    rule: "Gateway tls: per-port frontend ports unique",
    base: gateway,
    set: {
      "spec.tls": {
        frontend: {
          default: {},
          perPort: [
            { port: 443, tls: {} },
            { port: 443, tls: {} },
          ],
        },
      },
    },
    fields: ["spec.tls.frontend.perPort[1].port"],
  },
  {
    rule: "Gateway tls: frontend default required",
    base: gateway,
    set: { "spec.tls": { frontend: { perPort: [] } } },
    fields: ["spec.tls.frontend.default"],
  },
  {
    rule: "Gateway tls: frontend validation needs a CA ref",
    base: gateway,
    set: { "spec.tls": { frontend: { default: { validation: { caCertificateRefs: [] } } } } },
    fields: ["spec.tls.frontend.default.validation.caCertificateRefs"],
  },
  {
    rule: "Gateway allowedListeners: from All, Selector, Same or None",
    base: gateway,
    set: { "spec.allowedListeners": { namespaces: { from: "Any" } } },
    fields: ["spec.allowedListeners.namespaces.from"],
  },
  {
    rule: "Gateway defaultScope: experimental channel only",
    base: gateway,
    set: { "spec.defaultScope": "All" },
    fields: ["spec.defaultScope"],
    channel: "standard",
  },
  // ---- GatewayClass
  {
    rule: "GatewayClass controllerName: a domain-prefixed path",
    base: gatewayClass,
    set: { "spec.controllerName": "switchyard" },
    fields: ["spec.controllerName"],
  },
  {
    rule: "GatewayClass description: at most 64 characters",
    base: gatewayClass,
    set: { "spec.description": "d".repeat(65) },
    fields: ["spec.description"],
  },
  {
    rule: "GatewayClass parametersRef: kind required",
    base: gatewayClass,
    set: { "spec.parametersRef": { group: "gateway.k8s.aws", name: "lbc" } },
    fields: ["spec.parametersRef.kind"],
  },
  // ---- ReferenceGrant
  {
    rule: "ReferenceGrant from: at most 16",
    base: referenceGrant,
    set: { "spec.from": range(17, (i) => ({ group: "", kind: "Service", namespace: `n${i}` })) },
    fields: ["spec.from"],
  },
  { rule: "ReferenceGrant to: at least 1", base: referenceGrant, set: { "spec.to": [] }, fields: ["spec.to"] },
  {
    rule: "ReferenceGrant from: group required",
    base: referenceGrant,
    set: { "spec.from[0].group": REMOVE },
    fields: ["spec.from[0].group"],
  },
  {
    rule: "ReferenceGrant to: kind is a Kind",
    base: referenceGrant,
    set: { "spec.to[0].kind": "*" },
    fields: ["spec.to[0].kind"],
  },
  // ---- L4 routes
  { rule: "TLSRoute hostnames: at least 1", base: tlsRoute, set: { "spec.hostnames": [] }, fields: ["spec.hostnames"] },
  {
    rule: "TLSRoute hostnames: at most 1024",
    base: tlsRoute,
    set: { "spec.hostnames": range(1025, (i) => `h${i}.example.com`) },
    fields: ["spec.hostnames"],
  },
  {
    rule: "TLSRoute hostnames: not IP addresses",
    base: tlsRoute,
    set: { "spec.hostnames[0]": "10.1.2.3" },
    fields: ["spec.hostnames[0]"],
  },
  {
    rule: "TLSRoute rules: exactly one in v1",
    base: tlsRoute,
    set: { "spec.rules[1]": { backendRefs: [{ name: "b", port: 443 }] } },
    fields: ["spec.rules"],
  },
  {
    rule: "TLSRoute rules: backendRefs required",
    base: tlsRoute,
    set: { "spec.rules[0].backendRefs": REMOVE },
    fields: ["spec.rules[0].backendRefs"],
  },
  {
    rule: "TLSRoute v1alpha2: not served by the standard channel",
    base: tlsRoute,
    set: { apiVersion: "gateway.networking.k8s.io/v1alpha2" },
    fields: ["apiVersion"],
    channel: "standard",
  },
  {
    rule: "TLSRoute v1alpha2: rule names unique",
    base: tlsRoute,
    set: {
      apiVersion: "gateway.networking.k8s.io/v1alpha2",
      "spec.rules": [
        { name: "a", backendRefs: [{ name: "s", port: 1 }] },
        { name: "a", backendRefs: [{ name: "s", port: 1 }] },
      ],
    },
    fields: ["spec.rules[1].name"],
  },
  {
    rule: "TCPRoute rules: exactly one in v1",
    base: tcpRoute,
    set: { "spec.rules[1]": { backendRefs: [{ name: "b", port: 1 }] } },
    fields: ["spec.rules"],
  },
  { rule: "TCPRoute rules: required", base: tcpRoute, set: { "spec.rules": REMOVE }, fields: ["spec.rules"] },
  {
    rule: "TCPRoute backendRefs: at least 1",
    base: tcpRoute,
    set: { "spec.rules[0].backendRefs": [] },
    fields: ["spec.rules[0].backendRefs"],
  },
  {
    rule: "TCPRoute backendRefs: at most 16",
    base: tcpRoute,
    set: { "spec.rules[0].backendRefs": range(17, (i) => ({ name: `s${i}`, port: 1 })) },
    fields: ["spec.rules[0].backendRefs"],
  },
  {
    rule: "UDPRoute: a Service backendRef needs a port",
    base: udpRoute,
    set: { "spec.rules[0].backendRefs[0].port": REMOVE },
    fields: ["spec.rules[0].backendRefs[0].port"],
  },
  {
    rule: "UDPRoute parentRefs: port 1-65535",
    base: udpRoute,
    set: { "spec.parentRefs[0].port": 70000 },
    fields: ["spec.parentRefs[0].port"],
  },
  // ---- ListenerSet
  {
    rule: "ListenerSet parentRef required",
    base: listenerSet,
    set: { "spec.parentRef": REMOVE },
    fields: ["spec.parentRef"],
  },
  {
    rule: "ListenerSet listeners: names unique",
    base: listenerSet,
    set: { "spec.listeners[1]": { name: "extra", port: 8081, protocol: "HTTP" } },
    fields: ["spec.listeners[1].name"],
  },
  {
    rule: "ListenerSet listeners: TLS needs tls",
    base: listenerSet,
    set: { "spec.listeners[0].protocol": "TLS" },
    fields: ["spec.listeners[0].tls"],
  },
  // ---- BackendTLSPolicy
  {
    rule: "BackendTLSPolicy: not both CA refs and well-known CAs",
    base: backendTLSPolicy,
    set: { "spec.validation.caCertificateRefs": [{ group: "", kind: "ConfigMap", name: "ca" }] },
    fields: ["spec.validation.wellKnownCACertificates"],
  },
  {
    rule: "BackendTLSPolicy: CA refs or well-known CAs",
    base: backendTLSPolicy,
    set: { "spec.validation.wellKnownCACertificates": REMOVE },
    fields: ["spec.validation"],
  },
  {
    rule: "BackendTLSPolicy: well-known CAs are System or domain-prefixed",
    base: backendTLSPolicy,
    set: { "spec.validation.wellKnownCACertificates": "Everything" },
    fields: ["spec.validation.wellKnownCACertificates"],
  },
  {
    rule: "BackendTLSPolicy: SAN type Hostname needs hostname",
    base: backendTLSPolicy,
    set: { "spec.validation.subjectAltNames": [{ type: "Hostname" }] },
    fields: ["spec.validation.subjectAltNames[0].hostname"],
  },
  {
    rule: "BackendTLSPolicy: SAN type URI takes no hostname",
    base: backendTLSPolicy,
    set: { "spec.validation.subjectAltNames": [{ type: "URI", uri: "spiffe://a/b", hostname: "a.example" }] },
    fields: ["spec.validation.subjectAltNames[0].hostname"],
  },
  {
    rule: "BackendTLSPolicy: targetRefs not repeated",
    base: backendTLSPolicy,
    set: { "spec.targetRefs[1]": { group: "", kind: "Service", name: "svc" } },
    fields: ["spec.targetRefs[1]"],
  },
  {
    rule: "BackendTLSPolicy: targetRefs at least 1",
    base: backendTLSPolicy,
    set: { "spec.targetRefs": [] },
    fields: ["spec.targetRefs"],
  },
  {
    rule: "BackendTLSPolicy: validation hostname is precise",
    base: backendTLSPolicy,
    set: { "spec.validation.hostname": "*.example.com" },
    fields: ["spec.validation.hostname"],
  },
  // ---- metadata (every create)
  {
    rule: "metadata.name: a DNS subdomain",
    base: httpRoute,
    set: { "metadata.name": "Web_Route" },
    fields: ["metadata.name"],
  },
  {
    rule: "metadata.namespace: a DNS label",
    base: httpRoute,
    set: { "metadata.namespace": "my.ns" },
    fields: ["metadata.namespace"],
  },
  {
    rule: "metadata.labels: values at most 63 characters",
    base: httpRoute,
    set: { "metadata.labels": { app: "a".repeat(64) } },
    fields: ["metadata.labels[app]"],
  },
  {
    rule: "metadata: unknown fields are refused",
    base: httpRoute,
    set: { "metadata.lables": { app: "a" } },
    fields: ["metadata.lables"],
  },
  { rule: "spec is required", base: gateway, set: { spec: REMOVE }, fields: ["spec"] },
];

describe("valid bases", () => {
  for (const [name, base] of Object.entries(BASES)) {
    for (const channel of ["standard", "experimental"] as const)
      it(`${name} is valid (${channel} channel)`, () => {
        expect(validateObject(base as unknown as KubeObject, { channel })).toEqual([]);
      });
  }
});

describe("mutations", () => {
  it("covers at least 60 rules, each named once", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.rule)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    const channel = c.channel ?? "experimental";
    it(`${c.rule} → ${c.fields.join(", ")}`, () => {
      const object = mutate(c.base, c.set);
      const problems = validateObject(object, { channel });
      expect(problems.length).toBeGreaterThan(0);
      expect([...new Set(problems.map((p) => p.field))].sort()).toEqual([...c.fields].sort());
      // The same object, through the manifest loader, is rejected rather than loaded.
      const loaded = loadManifests(stringify(object), "case.yaml", { channel });
      expect(loaded.objects).toEqual([]);
      expect(loaded.rejected.map((r) => r.problems.length)).toEqual([problems.length]);
    });
  }
});

describe("accepted on purpose", () => {
  const valid: { rule: string; base: Json; set: Record<string, unknown>; channel?: Channel }[] = [
    {
      rule: "regular-expression paths are not held to the literal path rules",
      base: httpRoute,
      set: { [`${M0}.path`]: { type: "RegularExpression", value: "/a//b[0-9]+" } },
    },
    { rule: "RequestMirror may repeat", base: httpRoute, set: { [`${R0}.filters`]: [mirror(), mirror()] } },
    {
      rule: "a non-Service backendRef needs no port",
      base: httpRoute,
      set: { [`${R0}.backendRefs[0]`]: { group: "multicluster.x-k8s.io", kind: "ServiceImport", name: "s" } },
    },
    {
      rule: "header names differing only in case are both kept (the first wins at runtime)",
      base: httpRoute,
      set: {
        [`${M0}.headers`]: [
          { name: "X-A", value: "1" },
          { name: "x-a", value: "2" },
        ],
      },
    },
    {
      rule: "the experimental channel tells repeated parents apart by port",
      base: httpRoute,
      set: {
        "spec.parentRefs": [
          { name: "gw", port: 80 },
          { name: "gw", port: 443 },
        ],
      },
    },
    {
      rule: "a zero request timeout does not bound backendRequest",
      base: httpRoute,
      set: { [`${R0}.timeouts`]: { request: "0s", backendRequest: "1h" } },
    },
    {
      rule: "TLSRoute v1alpha2 takes several rules and no hostnames",
      base: tlsRoute,
      set: {
        apiVersion: "gateway.networking.k8s.io/v1alpha2",
        "spec.hostnames": REMOVE,
        "spec.rules[1]": { backendRefs: [{ name: "b", port: 1 }] },
      },
    },
    {
      rule: "GRPC regular-expression service names are not held to the name pattern",
      base: grpcRoute,
      set: { [`${M0}.method`]: { type: "RegularExpression", service: "my .* service" } },
    },
    {
      rule: "an HTTPS listener without tls is left to the implementation",
      base: gateway,
      set: { "spec.listeners[0]": { name: "https", port: 443, protocol: "HTTPS" } },
    },
    {
      rule: "a Terminate listener with only tls options is accepted",
      base: gateway,
      set: {
        "spec.listeners[0]": {
          name: "https",
          port: 443,
          protocol: "HTTPS",
          tls: { options: { "example.com/cert": "arn" } },
        },
      },
    },
  ];
  for (const v of valid)
    it(v.rule, () => {
      expect(validateObject(mutate(v.base, v.set), { channel: v.channel ?? "experimental" })).toEqual([]);
    });
});
