/**
 * Cases of the tests the NLB class runs that fail, each for a documented reason no route status
 * can carry. The conformance test tolerates exactly these failures on NLB, and fails once one of
 * them passes or a new one appears. Limits name entries of NLB_CANNOT_EXPRESS without a status
 * message. (Gateways refused for their HTTP listeners, and TLS connections reaching a backend
 * whatever their SNI, are recognised by the harness as `http-listeners` and `no-sni-routing`:
 * unsupported, not listed.)
 *
 * - `drops-not-resets`: a TLSRoute whose backend is invalid must refuse connections with a reset
 *   or EOF; the NLB forwards to a target group without targets and nobody answers (NLB resets
 *   nothing), so the client times out.
 */
export interface KnownNlbDifference {
  test: string;
  /** Case id, as in baseline-nlb.json. */
  case: string;
  limit: "drops-not-resets";
}

export const KNOWN_NLB_DIFFERENCES: readonly KnownNlbDifference[] = [
  {
    test: "TLSRouteInvalidBackendRefNonexistent",
    case: "request:TLS connection to nonexistent backend should be rejected@tests/tlsroute-invalid-backendref-nonexistent.go:69",
    limit: "drops-not-resets",
  },
  {
    test: "TLSRouteInvalidBackendRefUnknownKind",
    case: "request:TLS connection to invalid backend with invalid Kind should be rejected@tests/tlsroute-invalid-backendref-unknown-kind.go:69",
    limit: "drops-not-resets",
  },
];
