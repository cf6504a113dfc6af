/**
 * What switchyard claims for a Network Load Balancer Gateway class, feature by feature, and why;
 * what it does not claim; and the Gateway API behaviour an NLB cannot express, each with the route
 * status message that reports it (shared/elb/nlb.ts, shared/graph/capabilities.ts) or, without
 * one, the documented NLB behaviour that makes the suite's check fail (known-nlb-differences.ts).
 */
import type { AlbLimit, ConformanceClass } from "./features.ts";

export const NLB_CLAIMED_FEATURES: ReadonlyMap<string, string> = new Map([
  ["Gateway", "core: a Gateway of an NLB class becomes one Network Load Balancer"],
  ["ReferenceGrant", "core: resolved by the control plane before anything reaches AWS"],
  [
    "TCPRoute",
    "a TCP listener per port whose default action forwards to the route's backends, weighted as NLB weighs target groups (0–999)",
  ],
  ["UDPRoute", "a UDP listener per port (TCP_UDP when a TCPRoute shares the port with the same backends)"],
  [
    "TLSRoute",
    "TLS Passthrough is a TCP listener: the targets terminate TLS. NLB does not read SNI on it, so hostnames do not select backends (see below)",
  ],
  [
    "TLSRouteModeTerminate",
    "a TLS listener terminates with the listener's certificates (chosen by SNI) and forwards plain TCP to the targets",
  ],
  ["GatewayPort8080", "NLB listeners take any port from 1 to 65535"],
  ["ListenerSet", "control-plane feature: ListenerSet listeners merge into the Gateway's load balancer"],
]);

export const NLB_UNCLAIMED_FEATURES: ReadonlyMap<string, string> = new Map([
  ["HTTPRoute", "layer 7: HTTPRoute belongs to ALB classes; an NLB listener has no rules to match requests"],
  ["GRPCRoute", "layer 7: GRPCRoute belongs to ALB classes"],
  ["GRPCRouteNamedRouteRule", "needs GRPCRoute (above)"],
  [
    "TLSRouteModeMixed",
    "NLB has one listener per port: a port is either a TLS listener (terminate) or a TCP listener (passthrough), never both",
  ],
  ["Mesh", "switchyard is not a mesh"],
  [
    "GatewayHTTPListenerIsolation",
    "an NLB listener has no rules: listeners sharing a port cannot be kept apart by hostname",
  ],
  [
    "GatewayStaticAddresses",
    "spec.addresses is rejected with UnsupportedAddress; an NLB's fixed addresses come from its LoadBalancerConfiguration subnet mappings (Elastic IP allocations)",
  ],
  ["GatewayAddressEmpty", "spec.addresses is rejected with UnsupportedAddress"],
  ["GatewayHTTPSListenerDetectMisdirectedRequests", "an NLB never reads HTTP: it cannot answer 421"],
  ["GatewayInfrastructurePropagation", "an NLB has no pods or Services to carry infrastructure labels"],
  ["GatewayBackendClientCertificate", "a TLS target group does not present client certificates to targets"],
  ["GatewayFrontendClientCertificateValidation", "switchyard does not translate spec.tls.frontend into NLB listeners"],
  ["GatewayFrontendClientCertificateValidationInsecureFallback", "needs GatewayFrontendClientCertificateValidation"],
  ["BackendTLSPolicy", "Elastic Load Balancing does not verify target certificates"],
  ["BackendTLSPolicySANValidation", "Elastic Load Balancing does not verify target certificates"],
  ...[
    "HTTPRouteMethodMatching",
    "HTTPRouteQueryParamMatching",
    "HTTPRouteHostRewrite",
    "HTTPRoutePathRewrite",
    "HTTPRoutePortRedirect",
    "HTTPRouteSchemeRedirect",
    "HTTPRoutePathRedirect",
    "HTTPRoute303RedirectStatusCode",
    "HTTPRoute307RedirectStatusCode",
    "HTTPRoute308RedirectStatusCode",
    "HTTPRouteResponseHeaderModification",
    "HTTPRouteBackendRequestHeaderModification",
    "HTTPRouteRequestMirror",
    "HTTPRouteRequestMultipleMirrors",
    "HTTPRouteRequestPercentageMirror",
    "HTTPRouteRequestTimeout",
    "HTTPRouteBackendTimeout",
    "HTTPRouteCORS",
    "HTTPRouteRetry",
    "HTTPRouteParentRefPort",
    "HTTPRouteDestinationPortMatching",
    "HTTPRouteNamedRouteRule",
    "HTTPRouteBackendProtocolH2C",
    "HTTPRouteBackendProtocolWebSocket",
  ].map((f): [string, string] => [f, "needs HTTPRoute, which NLB classes do not serve"]),
]);

export const NLB_CANNOT_EXPRESS: readonly AlbLimit[] = [
  {
    id: "one-route-per-listener",
    what: "several TLSRoutes on one listener",
    why: "an NLB listener has no rules and does not route by SNI: the oldest TLSRoute is served, the newer are refused (newer TCP and UDP routes stay Accepted without traffic, as the Gateway API prescribes)",
    statusMessage: /a Network Load Balancer listener cannot choose between routes/,
  },
  {
    id: "one-listener-per-port",
    what: "Gateway listeners sharing a port whose routes forward differently (TLS hostnames, TCP and UDP to different backends)",
    why: "a port is one NLB listener with one default action; NLB routes by neither hostname nor SNI",
    statusMessage: /which is one Network Load Balancer listener with one default action/,
  },
  {
    id: "one-rule",
    what: "an L4 route with several rules",
    why: "an NLB listener has no rules to choose between them",
    statusMessage: /an L4 route may have one rule/,
  },
  {
    id: "weights",
    what: "weights that do not reduce to 0–999",
    why: "NLB target group weights are integers from 0 to 999",
    statusMessage: /target group weights 0–999/,
  },
  {
    id: "http-listeners",
    what: "Gateways with HTTP or HTTPS listeners (the suite's shared base Gateways)",
    why: "an NLB listener speaks TCP, UDP or TLS: HTTP listeners are refused (UnsupportedProtocol), so such a Gateway is not Accepted, and NamespacesMustBeReady waits for every Gateway of the namespace",
    recognisedBy:
      "a check that a Gateway be Accepted or Programmed (NamespacesMustBeReady, GatewayMustHaveCondition) fails only on Gateways whose listeners are all HTTP or HTTPS and refused with UnsupportedProtocol",
  },
  {
    id: "no-sni-routing",
    what: "refusing a TLS connection whose SNI name no TLSRoute claims",
    why: "a TCP (passthrough) listener never reads the ClientHello and a TLS listener uses SNI only to choose a certificate; either forwards every connection by its one default action",
    recognisedBy:
      "a TLS connection the suite expects refused reaches a backend pod through the port's listener (the listener carries the route; only the SNI name differs)",
  },
  {
    id: "drops-not-resets",
    what: "refusing a connection with a reset (no listener, no backend)",
    why: "NLB drops traffic that matches no listener without answering, and a target group without targets has nobody to answer: the client times out, where the suite waits for a reset or EOF",
  },
];

export const NLB_CLASS: ConformanceClass = {
  dataPlane: "nlb",
  label: "NLB",
  controllerName: "switchyard.dev/nlb",
  claimed: NLB_CLAIMED_FEATURES,
  unclaimed: NLB_UNCLAIMED_FEATURES,
  profiles: ["GATEWAY-TLS", "GATEWAY-TCP", "GATEWAY-UDP"],
  cannotExpress: NLB_CANNOT_EXPRESS,
  addressSuffix: ".nlb.example",
};
