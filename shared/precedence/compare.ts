/**
 * The precedence of match units that share a listener: one total order for HTTPRoute and GRPCRoute
 * units, the order ALB listener rule priorities are assigned in. Levels, each consulted only on a
 * tie of the ones before:
 *
 * 1. Hostname: exact before wildcard before catch-all; longer exact first; wildcard with more
 *    labels, then longer, first (HTTPRoute/GRPCRoute `hostnames` godoc).
 * 2. Path: Exact, PathPrefix, RegularExpression, then longer value; gRPC matches mapped onto the
 *    same scale (see match-specificity.ts).
 * 3. An HTTP method condition.
 * 4. More header matches.
 * 5. More query param matches.
 * 6. Older creationTimestamp.
 * 7. `{namespace}/{name}`, alphabetically (by code unit, so no locale is involved).
 * 8. Rule index, then match index.
 * 9. Hostname text, then route kind, then the match values, timestamp text and namespace, so that
 *    only equal keys compare equal and the order never depends on the order of the input.
 *
 * Every level compares a value derived from one key alone, so the result is a lexicographic order
 * on tuples: a strict weak ordering, and total on keys that differ in anything it reads.
 */
import { compareHostnameSpecificity } from "../gateway-api/hostname.ts";
import { compareMatchSpecificity, effectiveMatch, matchSpecificity } from "./match-specificity.ts";
import { compareCreationTimestamps } from "./timestamp.ts";
import type { MatchUnitKey } from "./unit.ts";

/** Negative when `a` takes precedence (is evaluated first), positive when `b` does, 0 when equal. */
export function compareMatchUnits(a: MatchUnitKey, b: MatchUnitKey): number {
  return (
    compareHostnameSpecificity(a.hostname, b.hostname) ||
    compareMatchSpecificity(matchSpecificity(a), matchSpecificity(b)) ||
    compareCreationTimestamps(a.creationTimestamp, b.creationTimestamp) ||
    compareText(`${a.routeNamespace}/${a.routeName}`, `${b.routeNamespace}/${b.routeName}`) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex ||
    compareOptionalText(a.hostname, b.hostname) ||
    compareText(a.routeKind, b.routeKind) ||
    compareMatchValues(a, b) ||
    compareOptionalText(a.creationTimestamp, b.creationTimestamp) ||
    compareText(a.routeNamespace, b.routeNamespace)
  );
}

/** The match fields the specificity levels reduce to lengths and counts, compared as text. */
function compareMatchValues(a: MatchUnitKey, b: MatchUnitKey): number {
  return compareTuples(matchValues(a), matchValues(b));
}

function matchValues(key: MatchUnitKey): (string | undefined)[] {
  const effective = effectiveMatch(key);
  if (effective.kind === "GRPCRoute") {
    const { methodType, service, method } = effective.match;
    return [methodType, service || undefined, method || undefined];
  }
  const { pathType, pathValue, method } = effective.match;
  return [pathType, pathValue, method || undefined];
}

function compareTuples(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compareOptionalText(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/** Absent sorts after any text. */
function compareOptionalText(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return Number(a === undefined) - Number(b === undefined);
  return compareText(a, b);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
