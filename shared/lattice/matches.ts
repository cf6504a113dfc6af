/**
 * Gateway API matches → VPC Lattice rule matches. A Lattice rule has one match: a method, one path
 * match (exact or prefix) and up to five header matches. Gateway API semantics are kept exactly:
 *
 * - Paths and header values are sent case-sensitive (Lattice defaults both to case-insensitive;
 *   Gateway API compares them case-sensitively). Header names stay case-insensitive, as in HTTP.
 * - A Lattice prefix is read as a plain string prefix (the user guide documents no segment rule),
 *   so a PathPrefix `/p` that must match whole segments becomes two rules: exact `/p` and prefix
 *   `/p/`. `PathPrefix /` is prefix `/` alone; a trailing slash in the prefix is ignored.
 * - Methods: HttpMatch takes CONNECT, DELETE, GET, HEAD, OPTIONS, POST, PUT and TRACE; a PATCH
 *   match cannot be expressed.
 * - gRPC calls are POSTs to `/service/method`: service and method → exact path, service alone →
 *   prefix `/service/`, neither → prefix `/`. A method without its service cannot be expressed
 *   (Lattice has no wildcard inside a path).
 *
 * A match Lattice cannot express at all (a query parameter, a regex, six headers) is a problem
 * for the route, as on ALB; a value Lattice would refuse (a path too long or with characters it
 * does not take) drops only the rule it is in (`matchValueProblem`), as ALB does with values.
 */
import type { GRPCRouteMatch, HTTPRouteMatch } from "../gateway-api/types.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import {
  MATCHABLE_METHODS,
  MAX_HEADER_MATCHES,
  MAX_HEADER_NAME_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  pathValueProblem,
} from "./limits.ts";
import type { LatticeHeaderMatch, LatticeMatch } from "./model.ts";

/** One Lattice match and, for a segment-wise prefix, which half of the pair it is. */
export interface MatchPart {
  match: LatticeMatch;
  part?: "exact" | "prefix";
}

function unsupported(where: string, message: string): StatusProblem {
  return problem(Reason.UnsupportedValue, `${where}: ${message}`);
}

function headerMatches(
  headers: readonly { name: string; value: string; type?: string }[] | undefined,
  where: string,
): LatticeHeaderMatch[] | StatusProblem {
  const list = headers ?? [];
  if (list.length > MAX_HEADER_MATCHES) {
    return unsupported(
      `${where}.headers`,
      `${list.length} header matches; VPC Lattice allows ${MAX_HEADER_MATCHES} per rule`,
    );
  }
  const out: LatticeHeaderMatch[] = [];
  for (const [i, h] of list.entries()) {
    if ((h.type ?? "Exact") !== "Exact") {
      return unsupported(`${where}.headers[${i}]`, `${h.type} header matches are not supported by VPC Lattice`);
    }
    out.push({ name: h.name, type: "exact", value: h.value, caseSensitive: true });
  }
  return out;
}

function withPath(base: Omit<LatticeMatch, "path">, type: "exact" | "prefix", value: string): LatticeMatch {
  return { ...base, path: { type, value, caseSensitive: true } };
}

export function httpMatchParts(match: HTTPRouteMatch, where: string): MatchPart[] | StatusProblem {
  if (match.queryParams?.length)
    return unsupported(`${where}.queryParams`, "query parameter matching is not supported by VPC Lattice");
  if (match.method && !MATCHABLE_METHODS.includes(match.method)) {
    return unsupported(
      `${where}.method`,
      `VPC Lattice rules match only the methods ${MATCHABLE_METHODS.join(", ")}, not ${match.method}`,
    );
  }
  const headers = headerMatches(match.headers, where);
  if ("reason" in headers) return headers;
  const base: Omit<LatticeMatch, "path"> = { ...(match.method ? { method: match.method } : {}), headers };
  const type = match.path?.type ?? "PathPrefix";
  const value = match.path?.value ?? "/";
  if (type === "RegularExpression")
    return unsupported(`${where}.path`, "RegularExpression paths are not supported by VPC Lattice");
  if (type === "Exact") return [{ match: withPath(base, "exact", value) }];
  const prefix = value.replace(/\/+$/, "");
  if (prefix === "") return [{ match: withPath(base, "prefix", "/") }];
  return [
    { match: withPath(base, "exact", prefix), part: "exact" },
    { match: withPath(base, "prefix", `${prefix}/`), part: "prefix" },
  ];
}

export function grpcMatchParts(match: GRPCRouteMatch, where: string): MatchPart[] | StatusProblem {
  if (match.method?.type === "RegularExpression") {
    return unsupported(`${where}.method`, "RegularExpression method matches are not supported by VPC Lattice");
  }
  const headers = headerMatches(match.headers, where);
  if ("reason" in headers) return headers;
  const base: Omit<LatticeMatch, "path"> = { method: "POST", headers };
  const service = match.method?.service || undefined;
  const method = match.method?.method || undefined;
  if (method && !service) {
    return unsupported(
      `${where}.method`,
      "a method without its service cannot be matched by VPC Lattice (a path match has no wildcard)",
    );
  }
  const path = service && method ? `/${service}/${method}` : service ? `/${service}/` : "/";
  return [{ match: withPath(base, service && method ? "exact" : "prefix", path) }];
}

/** Why Lattice would refuse a value of this match (lengths, path characters), or undefined. */
export function matchValueProblem(match: LatticeMatch, where: string): StatusProblem | undefined {
  if (match.path) {
    const invalid = pathValueProblem(match.path.value);
    if (invalid) return unsupported(where, invalid);
  }
  for (const [i, h] of match.headers.entries()) {
    if (h.name.length > MAX_HEADER_NAME_LENGTH) {
      return unsupported(
        `${where}.headers[${i}].name`,
        `VPC Lattice matches header names of at most ${MAX_HEADER_NAME_LENGTH} characters`,
      );
    }
    if (h.value.length === 0 || h.value.length > MAX_HEADER_VALUE_LENGTH) {
      return unsupported(
        `${where}.headers[${i}].value`,
        `VPC Lattice matches header values of 1–${MAX_HEADER_VALUE_LENGTH} characters`,
      );
    }
  }
  return undefined;
}
