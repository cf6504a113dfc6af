/**
 * How specific a unit's match is, on one scale shared by HTTPRoute and GRPCRoute units, because
 * ALB evaluates both kinds in a single priority list per listener.
 *
 * The scale is the HTTP path (ranks Exact > PathPrefix > RegularExpression, then the longer value)
 * followed by method presence, header count and query-param count, as the HTTPRouteRule godoc
 * orders them. A gRPC call is an HTTP/2 POST to `/<service>/<method>`, so a gRPC match is placed
 * where the path it selects would be:
 *
 * | gRPC match (type Exact)       | selects the paths | rank              | first length |
 * |-------------------------------|-------------------|-------------------|--------------|
 * | service and method            | `/svc/method`     | Exact             | `/svc/`      |
 * | service only                  | `/svc/…`          | PathPrefix        | `/svc/`      |
 * | method only                   | `/…/method`       | PathPrefix        | `/`          |
 * | neither (every call)          | `/…`              | PathPrefix        | `/`          |
 * | any, type RegularExpression   | a pattern         | RegularExpression | `/svc/`, `/` |
 *
 * The first length is that of the path prefix the match pins down, so it lines up with HTTP path
 * lengths; the second is the gRPC method's length (0 for HTTP units). Inside a rank this yields
 * the gRPC godoc's tie-breaks, more characters in the service and then in the method, and across
 * kinds it follows the paths: a GRPCRoute for `pkg.Svc` ranks above an HTTPRoute `PathPrefix /`
 * and below `PathPrefix /pkg.Svc/Get`.
 *
 * A method-only match is a narrowed `PathPrefix /` rather than a pattern: as a pattern it would
 * rank below a GRPCRoute that matches every call (a rule without matches), which the godoc ranks
 * after it (fewer characters in a matching method) and which would shadow it on ALB. With this
 * mapping every pair of GRPCRoute Exact matches that can select the same call is ordered as the
 * godoc orders it. RegularExpression matches rank below every PathPrefix, HTTP ones included, as
 * HTTP RegularExpression paths do; the godoc leaves both implementation-specific.
 */
import type { GRPCMatchKey, HTTPMatchKey, MatchUnitKey } from "./unit.ts";

const EXACT = 3;
const PREFIX = 2;
const PATTERN = 1;

export interface MatchSpecificity {
  /** 3 Exact, 2 PathPrefix, 1 RegularExpression; higher first. */
  pathRank: number;
  /** HTTP path length, or the length of `/svc/` (`/`) for gRPC; longer first. */
  pathLength: number;
  /** gRPC method length, 0 for HTTP; longer first. */
  methodNameLength: number;
  /** An HTTP method condition; present first. */
  hasHTTPMethod: boolean;
  headerCount: number;
  queryParamCount: number;
}

const DEFAULT_HTTP_MATCH: HTTPMatchKey = { pathType: "PathPrefix", pathValue: "/", headerCount: 0, queryParamCount: 0 };
const DEFAULT_GRPC_MATCH: GRPCMatchKey = { methodType: "Exact", headerCount: 0 };

/** The match a unit's key stands for, chosen by route kind. */
export function effectiveMatch(
  key: MatchUnitKey,
): { kind: "HTTPRoute"; match: HTTPMatchKey } | { kind: "GRPCRoute"; match: GRPCMatchKey } {
  return key.routeKind === "GRPCRoute"
    ? { kind: "GRPCRoute", match: key.grpc ?? DEFAULT_GRPC_MATCH }
    : { kind: "HTTPRoute", match: key.http ?? DEFAULT_HTTP_MATCH };
}

export function matchSpecificity(key: MatchUnitKey): MatchSpecificity {
  const effective = effectiveMatch(key);
  return effective.kind === "GRPCRoute" ? grpcSpecificity(effective.match) : httpSpecificity(effective.match);
}

/** Negative when `a` is the more specific match. */
export function compareMatchSpecificity(a: MatchSpecificity, b: MatchSpecificity): number {
  return (
    b.pathRank - a.pathRank ||
    b.pathLength - a.pathLength ||
    b.methodNameLength - a.methodNameLength ||
    Number(b.hasHTTPMethod) - Number(a.hasHTTPMethod) ||
    b.headerCount - a.headerCount ||
    b.queryParamCount - a.queryParamCount
  );
}

function httpSpecificity(match: HTTPMatchKey): MatchSpecificity {
  const pathRank = match.pathType === "Exact" ? EXACT : match.pathType === "PathPrefix" ? PREFIX : PATTERN;
  return {
    pathRank,
    pathLength: match.pathValue.length,
    methodNameLength: 0,
    hasHTTPMethod: isSet(match.method),
    headerCount: match.headerCount,
    queryParamCount: match.queryParamCount,
  };
}

function grpcSpecificity(match: GRPCMatchKey): MatchSpecificity {
  const service = match.service ?? "";
  const method = match.method ?? "";
  return {
    pathRank: grpcPathRank(match.methodType, service !== "", method !== ""),
    pathLength: service === "" ? "/".length : service.length + "//".length,
    methodNameLength: method.length,
    hasHTTPMethod: false,
    headerCount: match.headerCount,
    queryParamCount: 0,
  };
}

function grpcPathRank(methodType: GRPCMatchKey["methodType"], hasService: boolean, hasMethod: boolean): number {
  if (methodType === "RegularExpression") return PATTERN;
  return hasService && hasMethod ? EXACT : PREFIX;
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}
