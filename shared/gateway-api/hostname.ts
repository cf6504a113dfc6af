/**
 * Hostname semantics shared by listeners and routes (godoc of `Listener.Hostname`,
 * `HTTPRouteSpec.Hostnames`, `GRPCRouteSpec.Hostnames` and the Gateway's "Listeners that are
 * distinct only by Hostname" section).
 *
 * A hostname is either precise (`foo.example.com`) or a wildcard (`*.example.com`), the wildcard
 * label standing alone as the first label. A wildcard is a suffix match that needs at least one
 * more label, so `*.example.com` covers `a.example.com` and `a.b.example.com` but not
 * `example.com`. An unset hostname (absent, or the empty string a manifest may carry) means "all".
 * Comparisons ignore case: the API only admits lower-case hostnames, but request hosts need not be.
 */

const WILDCARD_PREFIX = "*.";

export function isWildcardHostname(h: string): boolean {
  return h.startsWith(WILDCARD_PREFIX);
}

function isUnset(h: string | undefined): h is undefined | "" {
  return h === undefined || h === "";
}

/**
 * Does a concrete request host (an HTTP Host header or `:authority`) match a listener or route
 * hostname? The port in the request host is ignored, as the HTTPRoute godoc requires.
 */
export function hostnameMatches(pattern: string | undefined, host: string): boolean {
  if (isUnset(pattern)) return true;
  const p = pattern.toLowerCase();
  const h = withoutPort(host.toLowerCase());
  return isWildcardHostname(p) ? wildcardCovers(p, h) : p === h;
}

/**
 * The hostnames a route effectively serves on a listener.
 *
 * - `undefined`: neither side is set, the route is unconstrained (a catch-all).
 * - `[]`: both are set and nothing intersects; the route does not attach to this listener, and if
 *   that holds on every listener it is `Accepted=False` reason `NoMatchingListenerHostname`.
 * - otherwise the intersection in route order without duplicates, each element being the more
 *   specific side of its pair, because that is the set of hosts that can actually reach the route.
 */
export function intersectHostnames(
  listenerHostname: string | undefined,
  routeHostnames: readonly string[] | undefined,
): string[] | undefined {
  const routeSet = routeHostnames !== undefined && routeHostnames.length > 0;
  if (isUnset(listenerHostname)) return routeSet ? distinct(routeHostnames) : undefined;
  if (!routeSet) return [listenerHostname];
  const effective: string[] = [];
  for (const routeHostname of routeHostnames) {
    const narrower = narrowerOfPair(listenerHostname, routeHostname);
    if (narrower !== undefined) effective.push(narrower);
  }
  return distinct(effective);
}

/** Can one request host reach both hostnames? Unset overlaps everything. */
export function listenerHostnamesOverlap(a: string | undefined, b: string | undefined): boolean {
  if (isUnset(a) || isUnset(b)) return true;
  return narrowerOfPair(a, b) !== undefined;
}

/**
 * The order in which listeners that differ only by hostname claim a request: exact hostnames,
 * then wildcards with more dots right of the `*` (the godoc's "precise definition"), then the
 * unset fallback. Ties inside a class go to the longer hostname and finally to the string itself,
 * so only equal hostnames compare equal (unset and `""` are the same). Negative when `a` is more
 * specific.
 */
export function compareListenerSpecificity(a: string | undefined, b: string | undefined): number {
  return compareHostnameSpecificity(a, b) || compareText(a ?? "", b ?? "");
}

/**
 * Hostname specificity without the final textual tie-break: exact before wildcard before unset;
 * among exact hostnames the longer one; among wildcards the one with more labels, then the longer.
 * Two wildcards of which one contains the other always rank the contained one first, since it has
 * more labels. Negative when `a` is more specific; 0 for distinct hostnames of equal rank.
 */
export function compareHostnameSpecificity(a: string | undefined, b: string | undefined): number {
  const ra = specificityRank(a);
  const rb = specificityRank(b);
  return ra.kind - rb.kind || rb.labels - ra.labels || rb.length - ra.length;
}

// Hostname classes, most specific first.
const EXACT = 0;
const WILDCARD = 1;
const UNSET = 2;

interface SpecificityRank {
  kind: typeof EXACT | typeof WILDCARD | typeof UNSET;
  labels: number;
  length: number;
}

function specificityRank(h: string | undefined): SpecificityRank {
  if (isUnset(h)) return { kind: UNSET, labels: 0, length: 0 };
  if (isWildcardHostname(h)) return { kind: WILDCARD, labels: h.split(".").length, length: h.length };
  // Precise hostnames never overlap one another, so their label count carries no meaning here:
  // the godoc ranks them by characters alone.
  return { kind: EXACT, labels: 0, length: h.length };
}

/**
 * The more specific of two set hostnames when they intersect, as written on its own side;
 * `undefined` when no host can match both.
 */
function narrowerOfPair(listener: string, route: string): string | undefined {
  const l = listener.toLowerCase();
  const r = route.toLowerCase();
  if (l === r) return route;
  if (isWildcardHostname(l) && wildcardCovers(l, r)) return route;
  if (isWildcardHostname(r) && wildcardCovers(r, l)) return listener;
  return undefined;
}

/**
 * `*.example.com` covers a host (or a narrower wildcard) that ends in `.example.com` and has at
 * least one non-empty label before it.
 */
function wildcardCovers(wildcard: string, host: string): boolean {
  const suffix = wildcard.slice(WILDCARD_PREFIX.length - 1); // ".example.com"
  if (!host.endsWith(suffix)) return false;
  const extraLabels = host.slice(0, host.length - suffix.length);
  return extraLabels !== "" && extraLabels.split(".").every((label) => label !== "");
}

function withoutPort(host: string): string {
  if (host.startsWith("[")) {
    // Bracketed IPv6 literal, `[::1]:8080`.
    const end = host.indexOf("]");
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(":");
  // More than one colon is a bare IPv6 address, which carries no port.
  if (colon === -1 || host.indexOf(":", colon + 1) !== -1) return host;
  return host.slice(0, colon);
}

function distinct(hostnames: readonly string[]): string[] {
  return [...new Set(hostnames)];
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
