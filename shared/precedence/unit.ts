/**
 * A match unit is one `match × effective hostname` of one route rule: the thing that becomes one
 * listener rule on ALB and competes for precedence with every other unit on the same listener.
 * The key carries only what precedence reads, so the comparator stays a pure function of it.
 */

export type MatchUnitRouteKind = "HTTPRoute" | "GRPCRoute";

/** An HTTPRouteMatch after API-server defaults (path `PathPrefix /` when none was given). */
export interface HTTPMatchKey {
  pathType: "Exact" | "PathPrefix" | "RegularExpression";
  pathValue: string;
  /** HTTP method; absent or "" when the match does not constrain it. */
  method?: string;
  headerCount: number;
  queryParamCount: number;
}

/** A GRPCRouteMatch; `service` and `method` absent (or "") when the match leaves them open. */
export interface GRPCMatchKey {
  methodType: "Exact" | "RegularExpression";
  service?: string;
  method?: string;
  headerCount: number;
}

export interface MatchUnitKey {
  routeKind: MatchUnitRouteKind;
  routeNamespace: string;
  routeName: string;
  /** RFC 3339, as the API server writes it; undefined (or unparseable) sorts as newest. */
  creationTimestamp: string | undefined;
  ruleIndex: number;
  matchIndex: number;
  /** The effective hostname of this unit (see intersectHostnames); undefined = catch-all. */
  hostname: string | undefined;
  /**
   * Read only when `routeKind` is HTTPRoute (and `grpc` only for GRPCRoute). A missing one stands
   * for the match the API server defaults to: `PathPrefix /` for HTTP, every method for gRPC.
   */
  http?: HTTPMatchKey;
  grpc?: GRPCMatchKey;
}
