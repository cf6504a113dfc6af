/**
 * Would a Gateway API route match this request, by the spec's own rules (not ALB's)? Used only to
 * decide which route a failing request case is about: when that route's status says ALB cannot
 * express it, the case is unsupported-by-ALB rather than a failure.
 *
 * Rules: hostnames (wildcards need one more label, the Host port is ignored); PathPrefix by whole
 * segments ignoring a trailing `/`; Exact paths case-sensitive; header names case-insensitive and
 * values exact; query names and values exact; method exact; a rule without matches matches `/`;
 * GRPCRoute service and method against `/service/method`.
 */
import { hostnameMatches } from "../../../shared/gateway-api/hostname.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";

export interface MatchRequest {
  host: string;
  method: string;
  path: string;
  query?: string;
  headers: Record<string, string>;
}

interface StringMatch {
  type?: string;
  name?: string;
  value?: string;
}

interface HttpMatch {
  path?: { type?: string; value?: string };
  headers?: StringMatch[];
  queryParams?: StringMatch[];
  method?: string;
}

interface GrpcMatch {
  method?: { type?: string; service?: string; method?: string };
  headers?: StringMatch[];
}

function wholeRegex(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

function pathMatches(match: HttpMatch["path"], path: string): boolean {
  const type = match?.type ?? "PathPrefix";
  const value = match?.value ?? "/";
  if (type === "Exact") return path === value;
  if (type === "RegularExpression") return wholeRegex(value, path);
  const prefix = value.replace(/\/+$/, "");
  return prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
}

function headersMatch(matches: readonly StringMatch[] | undefined, headers: Record<string, string>): boolean {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (matches ?? []).every((m) => {
    const actual = lower[(m.name ?? "").toLowerCase()];
    if (actual === undefined) return false;
    return m.type === "RegularExpression" ? wholeRegex(m.value ?? "", actual) : actual === m.value;
  });
}

function queryMatches(matches: readonly StringMatch[] | undefined, query: string | undefined): boolean {
  const params = new Map<string, string>();
  for (const part of (query ?? "").split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    // The first value of a repeated parameter is the one matched.
    if (!params.has(key)) params.set(key, decodeURIComponent(eq === -1 ? "" : part.slice(eq + 1)));
  }
  return (matches ?? []).every((m) => {
    const actual = params.get(m.name ?? "");
    if (actual === undefined) return false;
    return m.type === "RegularExpression" ? wholeRegex(m.value ?? "", actual) : actual === m.value;
  });
}

function httpMatchMatches(match: HttpMatch, request: MatchRequest): boolean {
  return (
    pathMatches(match.path, request.path) &&
    headersMatch(match.headers, request.headers) &&
    queryMatches(match.queryParams, request.query) &&
    (match.method === undefined || match.method === request.method)
  );
}

function grpcMatchMatches(match: GrpcMatch, request: MatchRequest): boolean {
  const [, service = "", method = ""] = request.path.split("/");
  const m = match.method;
  const regex = m?.type === "RegularExpression";
  const serviceOk = !m?.service || (regex ? wholeRegex(m.service, service) : m.service === service);
  const methodOk = !m?.method || (regex ? wholeRegex(m.method, method) : m.method === method);
  return serviceOk && methodOk && headersMatch(match.headers, request.headers);
}

export function routeMatchesRequest(route: KubeObject, request: MatchRequest): boolean {
  const spec = (route.spec ?? {}) as { hostnames?: string[]; rules?: { matches?: unknown[] }[] };
  const hostnames = spec.hostnames ?? [];
  if (hostnames.length > 0 && !hostnames.some((h) => hostnameMatches(h, request.host))) return false;
  const rules = spec.rules && spec.rules.length > 0 ? spec.rules : [{}];
  return rules.some((rule) => {
    const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
    return matches.some((m) =>
      route.kind === "GRPCRoute"
        ? grpcMatchMatches(m as GrpcMatch, request)
        : httpMatchMatches(m as HttpMatch, request),
    );
  });
}
