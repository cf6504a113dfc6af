/**
 * Cases of the tests the NLB class runs that fail, each for a documented reason no route status
 * can carry. The conformance test tolerates exactly these failures on NLB, and fails once one of
 * them passes or a new one appears. Limits name entries of NLB_CANNOT_EXPRESS without a status
 * message, or (`core:`) a gap in switchyard's core that the NLB run exposes.
 *
 * - `http-listeners`: the suite's base manifests put Gateways with HTTP listeners in
 *   gateway-conformance-infra (`same-namespace`, …), and NamespacesMustBeReady waits for every
 *   Gateway of the namespace to be Accepted and Programmed. An NLB listener speaks TCP, UDP or
 *   TLS: those listeners are refused (UnsupportedProtocol) and the Gateways are not Accepted, so
 *   every test in that namespace fails this first check on an NLB-only class. The same holds for
 *   a test's own Gateway with an HTTP listener beside its ListenerSets.
 * - `no-sni-routing`: a TLS connection whose SNI no TLSRoute claims must be refused; an NLB
 *   passthrough (TCP) listener never reads the ClientHello, so it reaches the route's backend.
 * - `drops-not-resets`: a TLSRoute whose backend is invalid must refuse connections with a reset
 *   or EOF; the NLB forwards to a target group without targets and nobody answers (NLB resets
 *   nothing), so the client times out.
 * - `core:mixed-termination-supported-kinds`: a listener refused with ProtocolConflict for mixing
 *   TLS Terminate and Passthrough on one port still lists TLSRoute in supportedKinds; the suite
 *   expects none. shared/graph/listeners.ts, not the NLB.
 */
export interface KnownNlbDifference {
  test: string;
  /** Case id, as in baseline-nlb.json. */
  case: string;
  limit: "http-listeners" | "no-sni-routing" | "drops-not-resets" | "core:mixed-termination-supported-kinds";
}

export const KNOWN_NLB_DIFFERENCES: readonly KnownNlbDifference[] = [
  {
    test: "ListenerSetAllowedRoutesSupportedKinds",
    case: "status:@tests/listenerset-allowed-routes-supported-kinds.go:49",
    limit: "http-listeners",
  },
  {
    test: "ListenerSetAllowedRoutesSupportedKinds",
    case: "status:@tests/listenerset-allowed-routes-supported-kinds.go:53",
    limit: "http-listeners",
  },
  {
    test: "TCPRouteInvalidBackendRefNonexistent",
    case: "status:@tests/tcproute-invalid-backendref-nonexistent.go:51",
    limit: "http-listeners",
  },
  {
    test: "TCPRouteInvalidCrossNamespaceBackendRef",
    case: "status:@tests/tcproute-invalid-cross-namespace-backend-ref.go:52",
    limit: "http-listeners",
  },
  {
    test: "TCPRouteInvalidNonTCPListener",
    case: "status:@tests/tcproute-invalid-non-tcp-listener.go:51",
    limit: "http-listeners",
  },
  {
    test: "TCPRouteMultipleRoutesAttachment",
    case: "status:@tests/tcproute-multiple-routes-attachment.go:56",
    limit: "http-listeners",
  },
  {
    test: "TCPRouteParentRefAttachAll",
    case: "status:@tests/tcproute-parentref-attach-all.go:52",
    limit: "http-listeners",
  },
  {
    test: "TCPRouteParentRefPortAndSectionName",
    case: "status:@tests/tcproute-parentref-port-and-section-name.go:51",
    limit: "http-listeners",
  },
  { test: "TCPRouteReferenceGrant", case: "status:@tests/tcproute-reference-grant.go:56", limit: "http-listeners" },
  { test: "TCPRouteWeightedRouting", case: "status:@tests/tcproute-weighted-routing.go:52", limit: "http-listeners" },
  {
    test: "TLSRouteHostnameIntersection",
    case: "status:@tests/tlsroute-hostname-intersection.go:49",
    limit: "http-listeners",
  },
  {
    test: "TLSRouteHostnameIntersection",
    case: "request:TLSRoutes intersect with exact listener hostname › TLS request not matching hostnames intersection should not reach backend@tests/tlsroute-hostname-intersection.go:78",
    limit: "no-sni-routing",
  },
  {
    test: "TLSRouteInvalidBackendRefNonexistent",
    case: "status:@tests/tlsroute-invalid-backendref-nonexistent.go:51",
    limit: "http-listeners",
  },
  {
    test: "TLSRouteInvalidBackendRefNonexistent",
    case: "request:TLS connection to nonexistent backend should be rejected@tests/tlsroute-invalid-backendref-nonexistent.go:69",
    limit: "drops-not-resets",
  },
  {
    test: "TLSRouteInvalidBackendRefUnknownKind",
    case: "status:@tests/tlsroute-invalid-backendref-unknown-kind.go:51",
    limit: "http-listeners",
  },
  {
    test: "TLSRouteInvalidBackendRefUnknownKind",
    case: "request:TLS connection to invalid backend with invalid Kind should be rejected@tests/tlsroute-invalid-backendref-unknown-kind.go:69",
    limit: "drops-not-resets",
  },
  {
    test: "TLSRouteInvalidNoMatchingListenerHostname",
    case: "status:@tests/tlsroute-invalid-no-matching-listener-hostname.go:49",
    limit: "http-listeners",
  },
  {
    test: "TLSRouteInvalidNoMatchingListener",
    case: "status:@tests/tlsroute-invalid-no-matching-listener.go:56",
    limit: "http-listeners",
  },
  {
    test: "TLSRouteListenerMixedTerminationNotSupported",
    case: "status:Listener with unsupported mixed Terminate/Passthrough must have Accepted=False with Reason=ProtocolConflict@tests/tlsroute-listener-mixed-termination-not-supported.go:72",
    limit: "core:mixed-termination-supported-kinds",
  },
  {
    test: "TLSRouteSimpleSameNamespace",
    case: "status:@tests/tlsroute-simple-same-namespace.go:48",
    limit: "http-listeners",
  },
  {
    test: "TLSRouteTerminateSimpleSameNamespace",
    case: "status:@tests/tlsroute-terminate-simple-same-namespace.go:50",
    limit: "http-listeners",
  },
  {
    test: "UDPRouteInvalidBackendRefNonexistent",
    case: "status:@tests/udproute-invalid-backendref-nonexistent.go:51",
    limit: "http-listeners",
  },
  {
    test: "UDPRouteInvalidCrossNamespaceBackendRef",
    case: "status:@tests/udproute-invalid-cross-namespace-backend-ref.go:52",
    limit: "http-listeners",
  },
  {
    test: "UDPRouteMultipleRoutesAttachment",
    case: "status:@tests/udproute-multiple-routes-attachment.go:58",
    limit: "http-listeners",
  },
  {
    test: "UDPRouteNotAllowedByListeners",
    case: "status:@tests/udproute-not-allowed-by-listeners.go:55",
    limit: "http-listeners",
  },
  {
    test: "UDPRouteParentRefAttachAllListeners",
    case: "status:@tests/udproute-parentref-attach-all-listeners.go:53",
    limit: "http-listeners",
  },
  {
    test: "UDPRouteParentRefPortAndSectionName",
    case: "status:@tests/udproute-parentref-port-and-section-name.go:51",
    limit: "http-listeners",
  },
  { test: "UDPRouteReferenceGrant", case: "status:@tests/udproute-reference-grant.go:55", limit: "http-listeners" },
  { test: "UDPRouteWeightedRouting", case: "status:@tests/udproute-weighted-routing.go:59", limit: "http-listeners" },
];
