/**
 * What switchyard claims for an Application Load Balancer Gateway class, feature by feature, and
 * why; what it does not claim, and why not; the conformance profiles; and the explicit list of
 * Gateway API behaviour an ALB cannot express. A conformance test runs only when every feature it
 * names is claimed, as the suite itself decides (`SupportedFeatures`).
 */

/** Claimed on ALB: the data plane can do it and switchyard translates it. */
export const ALB_CLAIMED_FEATURES: ReadonlyMap<string, string> = new Map([
  ["Gateway", "core: a Gateway of an ALB class becomes one Application Load Balancer"],
  ["HTTPRoute", "core: route rules become listener rules (host, path, header, query, method conditions)"],
  ["ReferenceGrant", "core: resolved by the control plane before anything reaches AWS"],
  ["GatewayPort8080", "ALB listeners take any port from 1 to 65535"],
  [
    "GatewayHTTPListenerIsolation",
    "listeners sharing a port merge into one ALB listener; a 404 guard rule per more specific hostname keeps their routes apart",
  ],
  ["ListenerSet", "control-plane feature: ListenerSet listeners merge into the Gateway's load balancer"],
  ["HTTPRouteMethodMatching", "http-request-method condition"],
  [
    "HTTPRouteQueryParamMatching",
    "query-string condition; ALB compares keys and values case-insensitively (see ALB_CANNOT_EXPRESS)",
  ],
  ["HTTPRouteHostRewrite", "host-header-rewrite rule transform"],
  ["HTTPRoutePathRewrite", "url-rewrite rule transform (ReplaceFullPath and ReplacePrefixMatch)"],
  ["HTTPRoutePortRedirect", "redirect action port"],
  ["HTTPRouteSchemeRedirect", "redirect action protocol (HTTP/HTTPS)"],
  ["HTTPRouteParentRefPort", "control-plane feature: attachment by listener port"],
  ["HTTPRouteDestinationPortMatching", "control-plane feature: a parentRef port must name a listener port"],
  ["HTTPRouteNamedRouteRule", "control-plane feature: rule names are carried, ALB never sees them"],
  ["HTTPRouteBackendProtocolWebSocket", "ALB passes WebSocket upgrades through to HTTP/1.1 targets"],
]);

/** Not claimed on ALB, with the reason a reader can check against the ELB documentation. */
export const ALB_UNCLAIMED_FEATURES: ReadonlyMap<string, string> = new Map([
  [
    "GRPCRoute",
    "ALB carries gRPC only on HTTPS listeners (HTTP/2 over TLS); the suite's gRPC tests attach to HTTP listeners and dial cleartext HTTP/2 (h2c), which an ALB listener does not accept",
  ],
  ["GRPCRouteNamedRouteRule", "needs GRPCRoute (above)"],
  ["TLSRoute", "TLS passthrough is a GATEWAY-TLS (NLB) feature; an ALB terminates every HTTPS connection"],
  ["TLSRouteModeTerminate", "TLSRoute is not served by ALB classes"],
  ["TLSRouteModeMixed", "TLSRoute is not served by ALB classes"],
  ["TCPRoute", "layer 4: GATEWAY-TCP belongs to NLB classes"],
  ["UDPRoute", "layer 4: GATEWAY-UDP belongs to NLB classes"],
  ["Mesh", "switchyard is not a mesh"],
  ["GatewayStaticAddresses", "AWS assigns an ALB's addresses; spec.addresses is rejected with UnsupportedAddress"],
  ["GatewayAddressEmpty", "AWS assigns an ALB's addresses; spec.addresses is rejected with UnsupportedAddress"],
  [
    "GatewayHTTPSListenerDetectMisdirectedRequests",
    "ALB routes on the Host header and never answers 421 when it differs from the SNI name",
  ],
  ["GatewayInfrastructurePropagation", "an ALB has no pods or Services to carry infrastructure labels"],
  ["GatewayBackendClientCertificate", "ALB does not present client certificates to targets"],
  [
    "GatewayFrontendClientCertificateValidation",
    "switchyard does not translate spec.tls.frontend into ALB mutual authentication (trust stores)",
  ],
  ["GatewayFrontendClientCertificateValidationInsecureFallback", "needs GatewayFrontendClientCertificateValidation"],
  ["BackendTLSPolicy", "Elastic Load Balancing does not verify target certificates"],
  ["BackendTLSPolicySANValidation", "Elastic Load Balancing does not verify target certificates"],
  [
    "HTTPRouteBackendProtocolH2C",
    "the suite sends cleartext HTTP/2 with prior knowledge to the Gateway, which an ALB HTTP listener does not accept",
  ],
  ["HTTPRouteResponseHeaderModification", "ALB rule transforms rewrite only the Host header and the URL"],
  ["HTTPRouteBackendRequestHeaderModification", "ALB actions are per rule, not per backend, and cannot set headers"],
  ["HTTPRouteRequestMirror", "ALB has no traffic mirroring"],
  ["HTTPRouteRequestMultipleMirrors", "ALB has no traffic mirroring"],
  ["HTTPRouteRequestPercentageMirror", "ALB has no traffic mirroring"],
  ["HTTPRouteRequestTimeout", "ALB has one idle timeout per load balancer, not a per-rule request timeout"],
  ["HTTPRouteBackendTimeout", "ALB has one idle timeout per load balancer, not a per-rule backend timeout"],
  ["HTTPRouteCORS", "ALB cannot answer CORS preflights or add CORS headers per rule"],
  ["HTTPRouteRetry", "ALB does not retry requests"],
  ["HTTPRoute303RedirectStatusCode", "ALB redirect actions answer 301 or 302 only"],
  ["HTTPRoute307RedirectStatusCode", "ALB redirect actions answer 301 or 302 only"],
  ["HTTPRoute308RedirectStatusCode", "ALB redirect actions answer 301 or 302 only"],
  [
    "HTTPRoutePathRedirect",
    "a redirect's path is a literal or the whole request path (#{path}); ReplacePrefixMatch cannot be expressed, ReplaceFullPath can",
  ],
]);

export type Profile =
  | "GATEWAY-HTTP"
  | "GATEWAY-GRPC"
  | "GATEWAY-TLS"
  | "GATEWAY-TCP"
  | "GATEWAY-UDP"
  | "MESH-HTTP"
  | "MESH-GRPC";

const GATEWAY_EXTENDED = [
  "GatewayPort8080",
  "GatewayStaticAddresses",
  "GatewayHTTPListenerIsolation",
  "GatewayHTTPSListenerDetectMisdirectedRequests",
  "GatewayInfrastructurePropagation",
  "GatewayAddressEmpty",
  "GatewayBackendClientCertificate",
  "GatewayFrontendClientCertificateValidation",
  "GatewayFrontendClientCertificateValidationInsecureFallback",
  "ListenerSet",
];

/** Core and extended features per profile (utils/suite/profiles.go, pkg/features of v1.6.1). */
const PROFILES: readonly { name: Profile; core: readonly string[]; extended: (feature: string) => boolean }[] = [
  {
    name: "GATEWAY-HTTP",
    core: ["Gateway", "ReferenceGrant", "HTTPRoute"],
    extended: (f) =>
      GATEWAY_EXTENDED.includes(f) ||
      (f.startsWith("HTTPRoute") && f !== "HTTPRoute") ||
      f === "BackendTLSPolicy" ||
      f === "BackendTLSPolicySANValidation",
  },
  {
    name: "GATEWAY-GRPC",
    core: ["Gateway", "ReferenceGrant", "GRPCRoute"],
    extended: (f) => GATEWAY_EXTENDED.includes(f),
  },
  {
    name: "GATEWAY-TLS",
    core: ["Gateway", "ReferenceGrant", "TLSRoute"],
    extended: (f) => GATEWAY_EXTENDED.includes(f) || f === "TLSRouteModeTerminate" || f === "TLSRouteModeMixed",
  },
  {
    name: "GATEWAY-TCP",
    core: ["Gateway", "TCPRoute", "ReferenceGrant"],
    extended: (f) => GATEWAY_EXTENDED.includes(f) || f === "TCPRoute",
  },
  {
    name: "GATEWAY-UDP",
    core: ["Gateway", "UDPRoute", "ReferenceGrant"],
    extended: (f) => GATEWAY_EXTENDED.includes(f) || f === "UDPRoute",
  },
  { name: "MESH-HTTP", core: ["Mesh", "HTTPRoute"], extended: (f) => f.startsWith("Mesh") && f !== "Mesh" },
  { name: "MESH-GRPC", core: ["Mesh", "GRPCRoute"], extended: (f) => f.startsWith("Mesh") && f !== "Mesh" },
];

/** The profiles an ALB class is run against. */
export const ALB_PROFILES: readonly Profile[] = ["GATEWAY-HTTP", "GATEWAY-GRPC"];

export interface TestProfile {
  /** The first profile holding all the test's features (the suite runs it under each of them). */
  profile: Profile | undefined;
  /** Core in that profile: every feature is one of the profile's core features. */
  core: boolean;
}

export function profileOf(features: readonly string[]): TestProfile {
  for (const p of PROFILES) {
    if (features.every((f) => p.core.includes(f) || p.extended(f))) {
      return { profile: p.name, core: features.every((f) => p.core.includes(f)) };
    }
  }
  return { profile: undefined, core: false };
}

/** The extractor's definition: non-mesh, non-provisional, features ⊆ {Gateway, HTTPRoute, ReferenceGrant}. */
export function isCoreGatewayHttp(test: {
  mesh: boolean;
  provisional?: boolean;
  features: readonly string[];
}): boolean {
  const core = ["Gateway", "HTTPRoute", "ReferenceGrant"];
  return !test.mesh && test.provisional !== true && test.features.every((f) => core.includes(f));
}

/**
 * Gateway API behaviour an Application Load Balancer cannot express. A request case counts as
 * unsupported-by-ALB only when the status of the route that would serve it says so (Accepted
 * False, UnsupportedValue or IncompatibleFilters) with a message matching one of these; a route
 * accepted without saying so is a failure ("silently dropped"). Entries without `statusMessage`
 * are semantic differences the core does not report in status: their cases show up as failures.
 */
export interface AlbLimit {
  id: string;
  what: string;
  /** Why ALB cannot do it, from the ELB documentation. */
  why: string;
  statusMessage?: RegExp;
  /**
   * For a limit the route status cannot carry: how the harness recognises a case no configuration
   * of the data plane could pass. Such a case counts as unsupported with this limit.
   */
  recognisedBy?: string;
}

export const ALB_CANNOT_EXPRESS: readonly AlbLimit[] = [
  {
    id: "case-sensitive-values",
    what: "header or query values told apart only by case",
    why: "http-header and query-string conditions compare values case-insensitively (HttpHeaderConditionConfig, QueryStringConditionConfig)",
    statusMessage: /compares header and query values without regard to case/,
  },
  {
    id: "request-header-modifier",
    what: "RequestHeaderModifier filter",
    why: "rule transforms rewrite only the Host header (host-header-rewrite) and the URL (url-rewrite); no action adds, sets or removes request headers",
    statusMessage: /filter RequestHeaderModifier is not supported/,
  },
  {
    id: "response-header-modifier",
    what: "ResponseHeaderModifier filter",
    why: "response headers can only be set per listener (routing.http.response.* attributes), never per rule",
    statusMessage: /filter ResponseHeaderModifier is not supported/,
  },
  {
    id: "request-mirror",
    what: "RequestMirror filter",
    why: "ALB has no traffic mirroring",
    statusMessage: /filter RequestMirror is not supported/,
  },
  {
    id: "cors",
    what: "CORS filter",
    why: "ALB cannot answer preflight requests or add CORS headers per rule",
    statusMessage: /filter CORS is not supported/,
  },
  {
    id: "timeouts",
    what: "rule timeouts",
    why: "ALB has one idle timeout per load balancer, no per-rule request or backend timeout",
    statusMessage: /\.timeouts: request timeouts are not supported/,
  },
  {
    id: "retry",
    what: "rule retry",
    why: "ALB does not retry requests",
    statusMessage: /\.retry: retries are not supported/,
  },
  {
    id: "redirect-status-code",
    what: "303, 307 and 308 redirects",
    why: "redirect actions answer HTTP_301 or HTTP_302 only",
    statusMessage: /requestRedirect\.statusCode: 30[378] is not supported/,
  },
  {
    id: "prefix-redirect",
    what: "ReplacePrefixMatch redirects",
    why: "a redirect's path is a literal or the whole request path (#{path}); transforms do not apply to redirects",
    statusMessage: /ReplacePrefixMatch redirects are not supported/,
  },
  {
    id: "backend-filters",
    what: "per-backendRef filters",
    why: "actions belong to a listener rule, not to one target group of a weighted forward",
    statusMessage: /per-backend filter .* is not supported/,
  },
  {
    id: "case-insensitive-query",
    what: "case-sensitive query parameter values",
    why: "query-string conditions compare keys and values case-insensitively",
  },
  {
    id: "case-insensitive-header-glob",
    what: "case-sensitive header values through glob conditions",
    why: "http-header glob values compare case-insensitively (regex values do not)",
  },
];

export function albLimitFor(message: string): AlbLimit | undefined {
  return ALB_CANNOT_EXPRESS.find((l) => l.statusMessage?.test(message));
}

/**
 * A data plane the harness runs the suite against: the controller name its GatewayClass carries,
 * what it claims and why, the profiles it is run under, and what it cannot express (each entry a
 * limit its route status reports, so an unsupported case is told apart from a failure).
 */
export interface ConformanceClass {
  dataPlane: "alb" | "lattice" | "nlb";
  /** Short name in reports: `ALB`, `VPC Lattice`, `NLB`. */
  label: string;
  controllerName: string;
  claimed: ReadonlyMap<string, string>;
  unclaimed: ReadonlyMap<string, string>;
  profiles: readonly Profile[];
  cannotExpress: readonly AlbLimit[];
  /** Suffix of the synthetic address every Gateway of the class is observed at. */
  addressSuffix: string;
}

export const ALB_CLASS: ConformanceClass = {
  dataPlane: "alb",
  label: "ALB",
  controllerName: "switchyard.dev/alb",
  claimed: ALB_CLAIMED_FEATURES,
  unclaimed: ALB_UNCLAIMED_FEATURES,
  profiles: ALB_PROFILES,
  cannotExpress: ALB_CANNOT_EXPRESS,
  addressSuffix: ".elb.example",
};

export function limitFor(cls: ConformanceClass, message: string): AlbLimit | undefined {
  return cls.cannotExpress.find((l) => l.statusMessage?.test(message));
}
