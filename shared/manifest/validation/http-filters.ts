/**
 * HTTPRoute filters: redirect, URL rewrite, CORS, external auth (experimental) plus the shared
 * ones, and the CRD rules on a filter list (redirect and rewrite exclusive; header modifiers,
 * redirect, rewrite and CORS not repeated; mirrors and extension refs may repeat).
 */
import { fieldForDiscriminator } from "./discriminated.ts";
import { extensionRef, headerModifier, notRepeated, requestMirror, typeFieldRules } from "./filters.ts";
import { preciseHostname } from "./hostnames.ts";
import { HTTP_METHODS } from "./http-matches.ts";
import { CORS_ORIGIN, HEADER_NAME, PATH_CHARACTERS } from "./patterns.ts";
import { backendObjectReference, portNumber } from "./references.ts";
import {
  type ArrayNode,
  bool,
  type Channel,
  int,
  item,
  list,
  listRule,
  type ObjectNode,
  obj,
  type Rule,
  str,
} from "./schema.ts";
import { isRecord } from "./values.ts";

const REDIRECT_STATUS_CODES = [301, 302, 303, 307, 308] as const;
const DEFAULT_REDIRECT_STATUS = 302;

// Four CRD rules on HTTPPathModifier: ReplaceFullPath goes with replaceFullPath and
// ReplacePrefixMatch with replacePrefixMatch, both ways.
const pathModifierRules = (): Rule[] => [
  ...fieldForDiscriminator("type", "ReplaceFullPath", "replaceFullPath", { blame: "discriminator" }),
  ...fieldForDiscriminator("type", "ReplacePrefixMatch", "replacePrefixMatch", { blame: "discriminator" }),
];

function pathModifier(): ObjectNode {
  return obj(
    {
      replaceFullPath: str({ maxLength: 1024 }),
      replacePrefixMatch: str({ maxLength: 1024 }),
      type: str({ enum: ["ReplaceFullPath", "ReplacePrefixMatch"] }),
    },
    { required: ["type"], rules: pathModifierRules() },
  );
}

function requestRedirect(): ObjectNode {
  return obj({
    hostname: preciseHostname(),
    path: pathModifier(),
    port: portNumber(),
    scheme: str({ enum: ["http", "https"] }),
    statusCode: int({ enum: REDIRECT_STATUS_CODES, default: DEFAULT_REDIRECT_STATUS }),
  });
}

function urlRewrite(): ObjectNode {
  return obj({ hostname: preciseHostname(), path: pathModifier() });
}

// Three CRD rules on CORS lists: a '*' wildcard stands alone.
function wildcardAlone(what: string): Rule {
  return listRule(`'*' alone in ${what}`, (items, at, report) => {
    if (items.includes("*") && items.length > 1)
      report(at, `may not mix '*' with other ${what} (got ${items.length} entries including '*')`);
  });
}

function cors(): ObjectNode {
  const headerList = () =>
    list(str({ pattern: HEADER_NAME, minLength: 1, maxLength: 256 }), { maxItems: 64, listType: "set" });
  return obj({
    allowCredentials: bool(),
    allowHeaders: { ...headerList(), rules: [wildcardAlone("headers")] },
    allowMethods: list(str({ enum: [...HTTP_METHODS, "*"] }), {
      maxItems: 9,
      listType: "set",
      rules: [wildcardAlone("methods")],
    }),
    allowOrigins: list(str({ pattern: CORS_ORIGIN, minLength: 1, maxLength: 253 }), {
      maxItems: 64,
      listType: "set",
      rules: [wildcardAlone("origins")],
    }),
    exposeHeaders: headerList(),
    maxAge: int({ minimum: 1, format: "int32", default: 5 }),
  });
}

// Four CRD rules on external auth: protocol HTTP goes with `http`, GRPC with `grpc`, both ways.
const externalAuthRules = (): Rule[] => [
  ...fieldForDiscriminator("protocol", "GRPC", "grpc", { blame: "discriminator" }),
  ...fieldForDiscriminator("protocol", "HTTP", "http", { blame: "discriminator" }),
];

function externalAuth(): ObjectNode {
  const headerSet = () => list(str(), { maxItems: 64, listType: "set" });
  return obj(
    {
      backendRef: backendObjectReference(),
      forwardBody: obj({ maxSize: int() }),
      grpc: obj({ allowedHeaders: headerSet() }),
      http: obj({
        allowedHeaders: headerSet(),
        allowedResponseHeaders: headerSet(),
        path: str({ pattern: PATH_CHARACTERS, maxLength: 1024 }),
      }),
      protocol: str({ enum: ["HTTP", "GRPC"] }),
    },
    { required: ["backendRef", "protocol"], rules: externalAuthRules() },
  );
}

const STANDARD_FILTERS = {
  RequestHeaderModifier: "requestHeaderModifier",
  ResponseHeaderModifier: "responseHeaderModifier",
  RequestMirror: "requestMirror",
  RequestRedirect: "requestRedirect",
  URLRewrite: "urlRewrite",
  ExtensionRef: "extensionRef",
  CORS: "cors",
} as const;

function httpRouteFilter(channel: Channel): ObjectNode {
  const types: Record<string, string> = {
    ...STANDARD_FILTERS,
    ...(channel === "experimental" ? { ExternalAuth: "externalAuth" } : {}),
  };
  const rules = Object.entries(types).flatMap(([type, field]) => typeFieldRules(type, field));
  return obj(
    {
      cors: cors(),
      extensionRef: extensionRef(),
      requestHeaderModifier: headerModifier(channel),
      requestMirror: requestMirror(),
      requestRedirect: requestRedirect(),
      responseHeaderModifier: headerModifier(channel),
      type: str({ enum: Object.keys(types) }),
      urlRewrite: urlRewrite(),
    },
    { required: ["type"], rules, experimental: { channel, fields: { externalAuth: externalAuth() } } },
  );
}

// CRD rule on a filter list: RequestRedirect and URLRewrite cannot both be used.
const redirectOrRewrite: Rule = listRule("RequestRedirect and URLRewrite are exclusive", (items, at, report) => {
  const typeOf = (f: unknown) => (isRecord(f) ? f.type : undefined);
  const redirect = items.findIndex((f) => typeOf(f) === "RequestRedirect");
  const rewrite = items.findIndex((f) => typeOf(f) === "URLRewrite");
  if (redirect >= 0 && rewrite >= 0)
    report(
      item(at, Math.max(redirect, rewrite)),
      `RequestRedirect (${item("filters", redirect)}) and URLRewrite (${item("filters", rewrite)}) cannot be used together`,
    );
});

export function httpRouteFilters(channel: Channel): ArrayNode {
  return list(httpRouteFilter(channel), {
    maxItems: 16,
    listType: "atomic",
    rules: [
      redirectOrRewrite,
      notRepeated("CORS"),
      notRepeated("RequestHeaderModifier"),
      notRepeated("ResponseHeaderModifier"),
      notRepeated("RequestRedirect"),
      notRepeated("URLRewrite"),
    ],
  });
}
