/**
 * The pure parts of the ALB data-plane emulator around the project's evaluator
 * (shared/elb/evaluate.ts): the request as the evaluator reads it, the target group a weighted
 * forward picks, the target within it, and the headers ALB adds before a request reaches a target.
 * No I/O: randomness comes in as a number in [0, 1).
 */

import type { AlbRequest, WeightedTargetGroupShare } from "../../../shared/elb/evaluate.ts";
import type { ServedTarget } from "./alb-snapshot.ts";

/**
 * Node's `rawHeaders` (name, value, name, value, ...) as the evaluator's header record: every value
 * of every header, in request order, under its lower-cased name.
 */
export function headerRecord(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? "").toLowerCase();
    const existing = headers[name];
    if (existing) existing.push(rawHeaders[i + 1] ?? "");
    else headers[name] = [rawHeaders[i + 1] ?? ""];
  }
  return headers;
}

/** The request line's target split as ALB matches it: path and raw query apart. */
export function splitTarget(target: string): { path: string; query?: string } {
  const mark = target.indexOf("?");
  if (mark === -1) return { path: target || "/" };
  return { path: target.slice(0, mark) || "/", query: target.slice(mark + 1) };
}

export interface IncomingShape {
  method: string;
  /** The request-target of the request line (`/path?query`). */
  url: string;
  rawHeaders: readonly string[];
  remoteAddress?: string;
}

export function albRequest(incoming: IncomingShape, scheme: "http" | "https", port: number): AlbRequest {
  const headers = headerRecord(incoming.rawHeaders);
  const { path, query } = splitTarget(incoming.url);
  return {
    method: incoming.method,
    scheme,
    host: headers.host?.[0] ?? "",
    port,
    path,
    ...(query !== undefined ? { query } : {}),
    headers,
    ...(incoming.remoteAddress ? { sourceIp: stripMappedPrefix(incoming.remoteAddress) } : {}),
  };
}

function stripMappedPrefix(address: string): string {
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}

/**
 * The target group a weighted forward sends this request to: the shares laid end to end on [0, 1)
 * and `random` falls in one of them. Groups of weight 0 are never picked.
 */
export function pickTargetGroup(
  shares: readonly WeightedTargetGroupShare[],
  random: number,
): WeightedTargetGroupShare | undefined {
  let upper = 0;
  let last: WeightedTargetGroupShare | undefined;
  for (const share of shares) {
    if (share.share <= 0) continue;
    upper += share.share;
    last = share;
    if (random < upper) return share;
  }
  // Floating-point sums may end just below 1.
  return last;
}

/**
 * The targets ALB routes to: the healthy ones, or, when none is healthy, every target that is
 * neither draining nor unused by a disabled zone — ALB "fails open" and routes to all targets when
 * all are unhealthy ("Health checks for Application Load Balancer target groups").
 */
export function routableTargets(targets: readonly ServedTarget[]): ServedTarget[] {
  const healthy = targets.filter((t) => t.state === "healthy");
  if (healthy.length > 0) return healthy;
  return targets.filter((t) => t.state !== "draining");
}

/** One of the routable targets, by `random`; undefined when the group has none. */
export function pickTarget(targets: readonly ServedTarget[], random: number): ServedTarget | undefined {
  const routable = routableTargets(targets);
  if (routable.length === 0) return undefined;
  return routable[Math.min(routable.length - 1, Math.floor(random * routable.length))];
}

/** Connection-scoped headers a proxy never passes on (RFC 9110 §7.6.1), plus Host, which is rewritten. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/**
 * The headers a target receives: the client's own (hop-by-hop ones dropped), Host as the rule's
 * transforms left it, and X-Forwarded-For/-Proto/-Port as ALB appends them ("HTTP headers and
 * Application Load Balancers").
 */
export function forwardedHeaders(
  request: AlbRequest,
  host: string,
  clientIp: string | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(request.headers ?? {})) {
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    out[name] = values;
  }
  out.host = host;
  const prior = out["x-forwarded-for"];
  const chain = prior === undefined ? [] : typeof prior === "string" ? [prior] : prior;
  out["x-forwarded-for"] = clientIp ? [...chain, clientIp].join(", ") : chain.join(", ");
  if (out["x-forwarded-for"] === "") delete out["x-forwarded-for"];
  out["x-forwarded-proto"] = request.scheme;
  out["x-forwarded-port"] = String(request.port);
  return out;
}
