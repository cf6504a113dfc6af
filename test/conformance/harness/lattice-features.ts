/**
 * What switchyard claims for a VPC Lattice Gateway class, feature by feature, and why; what it does
 * not claim; and the Gateway API behaviour VPC Lattice cannot express, each with the route status
 * message that reports it (shared/lattice/ and shared/graph/capabilities.ts).
 */
import type { AlbLimit, ConformanceClass } from "./features.ts";

export const LATTICE_CLAIMED_FEATURES: ReadonlyMap<string, string> = new Map([
  ["Gateway", "core: a Gateway of a Lattice class stands for one service network"],
  [
    "HTTPRoute",
    "core: each route becomes one Lattice service; path Exact/PathPrefix, method and exact header matches become rules",
  ],
  ["ReferenceGrant", "core: resolved by the control plane before anything reaches AWS"],
  ["GatewayPort8080", "Lattice listeners take any port from 1 to 65535"],
  ["HTTPRouteMethodMatching", "rule method match (exact, case-sensitive)"],
  ["HTTPRouteParentRefPort", "control-plane feature: attachment by listener port"],
  ["HTTPRouteDestinationPortMatching", "control-plane feature: a parentRef port must name a listener port"],
  ["HTTPRouteNamedRouteRule", "control-plane feature: rule names are carried, Lattice never sees them"],
  [
    "TLSRoute",
    "a TLS passthrough listener (TLS_PASSTHROUGH) of the route's service, found by SNI through its custom domain name",
  ],
]);

export const LATTICE_UNCLAIMED_FEATURES: ReadonlyMap<string, string> = new Map([
  [
    "GRPCRoute",
    "Lattice carries gRPC on HTTPS listeners; the suite's gRPC tests attach to HTTP listeners and dial cleartext HTTP/2 (h2c)",
  ],
  ["GRPCRouteNamedRouteRule", "needs GRPCRoute (above)"],
  ["TLSRouteModeTerminate", "a Lattice TLS listener is passthrough only"],
  ["TLSRouteModeMixed", "a Lattice TLS listener is passthrough only"],
  ["TCPRoute", "Lattice services have HTTP, HTTPS and TLS passthrough listeners only"],
  ["UDPRoute", "Lattice services have HTTP, HTTPS and TLS passthrough listeners only"],
  ["Mesh", "switchyard is not a mesh"],
  [
    "ListenerSet",
    "ListenerSet tests route by listener hostname on one port; Lattice has no listener hostnames, only one custom domain name per route's service",
  ],
  [
    "GatewayHTTPListenerIsolation",
    "Lattice has no listener hostnames: isolation between listeners of one port cannot be expressed",
  ],
  [
    "GatewayStaticAddresses",
    "a service network has no addresses to assign; spec.addresses is rejected with UnsupportedAddress",
  ],
  [
    "GatewayAddressEmpty",
    "a service network has no addresses to assign; spec.addresses is rejected with UnsupportedAddress",
  ],
  ["GatewayHTTPSListenerDetectMisdirectedRequests", "Lattice finds the service by SNI and Host and never answers 421"],
  ["GatewayInfrastructurePropagation", "a service network has no pods or Services to carry infrastructure labels"],
  ["GatewayBackendClientCertificate", "Lattice does not present client certificates to targets"],
  ["GatewayFrontendClientCertificateValidation", "Lattice services do not validate client certificates"],
  ["GatewayFrontendClientCertificateValidationInsecureFallback", "needs GatewayFrontendClientCertificateValidation"],
  ["BackendTLSPolicy", "Lattice does not verify target certificates"],
  ["BackendTLSPolicySANValidation", "Lattice does not verify target certificates"],
  ["HTTPRouteQueryParamMatching", "Lattice rules cannot match query parameters"],
  ["HTTPRouteHostRewrite", "Lattice rules have forward and fixed-response actions only: no rewrites"],
  ["HTTPRoutePathRewrite", "Lattice rules have forward and fixed-response actions only: no rewrites"],
  ["HTTPRoutePortRedirect", "Lattice rules have no redirect action"],
  ["HTTPRouteSchemeRedirect", "Lattice rules have no redirect action"],
  ["HTTPRoutePathRedirect", "Lattice rules have no redirect action"],
  ["HTTPRoute303RedirectStatusCode", "Lattice rules have no redirect action"],
  ["HTTPRoute307RedirectStatusCode", "Lattice rules have no redirect action"],
  ["HTTPRoute308RedirectStatusCode", "Lattice rules have no redirect action"],
  ["HTTPRouteResponseHeaderModification", "Lattice rules cannot modify headers"],
  ["HTTPRouteBackendRequestHeaderModification", "Lattice rules cannot modify headers"],
  ["HTTPRouteRequestMirror", "Lattice has no traffic mirroring"],
  ["HTTPRouteRequestMultipleMirrors", "Lattice has no traffic mirroring"],
  ["HTTPRouteRequestPercentageMirror", "Lattice has no traffic mirroring"],
  ["HTTPRouteRequestTimeout", "Lattice rules have no per-rule timeouts"],
  ["HTTPRouteBackendTimeout", "Lattice rules have no per-rule timeouts"],
  ["HTTPRouteCORS", "Lattice rules cannot answer CORS preflights or add headers"],
  ["HTTPRouteRetry", "Lattice does not retry requests"],
  [
    "HTTPRouteBackendProtocolH2C",
    "the suite sends cleartext HTTP/2 with prior knowledge, which a Lattice HTTP listener is not documented to accept",
  ],
  ["HTTPRouteBackendProtocolWebSocket", "VPC Lattice does not support WebSockets (user guide, Listeners)"],
]);

export const LATTICE_CANNOT_EXPRESS: readonly AlbLimit[] = [
  {
    id: "filters",
    what: "any HTTPRoute or GRPCRoute filter",
    why: "Lattice rule actions are forward and fixed-response only",
    statusMessage: /filter \S+ is not supported by VPC Lattice/,
  },
  {
    id: "backend-filters",
    what: "per-backendRef filters",
    why: "Lattice rule actions are forward and fixed-response only",
    statusMessage: /per-backend filter .* is not supported by VPC Lattice/,
  },
  {
    id: "query-params",
    what: "query parameter matches",
    why: "HttpMatch has method, path and header matches only",
    statusMessage: /query parameter matching is not supported by VPC Lattice/,
  },
  {
    id: "regex",
    what: "RegularExpression path, header or method matches",
    why: "PathMatchType is exact or prefix; HeaderMatchType exact, prefix or contains",
    statusMessage: /RegularExpression .* not supported by VPC Lattice/,
  },
  {
    id: "methods",
    what: "a PATCH method match",
    why: "HttpMatch methods are CONNECT, DELETE, GET, HEAD, OPTIONS, POST, PUT and TRACE",
    statusMessage: /VPC Lattice rules match only the methods/,
  },
  {
    id: "timeouts-retries",
    what: "rule timeouts, retries, session persistence",
    why: "Lattice listener rules have none of these",
    statusMessage: /(timeouts|retries|session persistence) (are|is) not supported by VPC Lattice/,
  },
  {
    id: "shared-hostname",
    what: "two routes with the same hostname on one Gateway",
    why: "each route is one Lattice service, and a custom domain name belongs to one service per service network",
    statusMessage: /a custom domain name belongs to one service per service network/,
  },
  {
    id: "several-hostnames",
    what: "a route serving several hostnames, or a wildcard hostname",
    why: "a Lattice service has one custom domain name, a fully qualified name",
    statusMessage:
      /(a VPC Lattice service has one custom domain name|a VPC Lattice custom domain name is one fully qualified name)/,
  },
  {
    id: "listeners-per-service",
    what: "a route attached to more than 2 listener ports",
    why: "a Lattice service has at most 2 listeners (adjustable quota)",
    statusMessage: /a VPC Lattice service has at most \d+ listeners/,
  },
  {
    id: "rules-per-listener",
    what: "a route needing more than 10 rules",
    why: "a Lattice listener holds 10 rules (adjustable quota); a segment-wise PathPrefix takes two",
    statusMessage: /VPC Lattice rules .* a listener holds/,
  },
  {
    id: "header-matches",
    what: "more than 5 header matches in one match",
    why: "HttpMatch takes at most 5 header matches",
    statusMessage: /header matches; VPC Lattice allows 5/,
  },
  {
    id: "tls-hostname",
    what: "a TLSRoute without exactly one hostname",
    why: "TLS passthrough finds the service by SNI through its custom domain name",
    statusMessage: /a TLSRoute on VPC Lattice needs exactly one hostname/,
  },
  {
    id: "unknown-host",
    what: "a request whose Host no route claims, expected to answer 404",
    why: "a service network has no address of its own; a request reaches a service through its DNS name, and Lattice documents no answer for a name no service has. A custom domain name is one fully qualified name per service, so no configuration covers every name no route claims",
    recognisedBy:
      "the request expects 404 without a backend, no service of the network has its Host, and no route of the Gateway names that Host (a refused route that does makes the case unsupported by that route's limit instead)",
  },
];

export const LATTICE_CLASS: ConformanceClass = {
  dataPlane: "lattice",
  label: "VPC Lattice",
  controllerName: "switchyard.dev/lattice",
  claimed: LATTICE_CLAIMED_FEATURES,
  unclaimed: LATTICE_UNCLAIMED_FEATURES,
  profiles: ["GATEWAY-HTTP", "GATEWAY-TLS"],
  cannotExpress: LATTICE_CANNOT_EXPRESS,
  addressSuffix: ".lattice.example",
};
