/**
 * A plain, stable, reviewable view of the resolved graph: what golden files and `switchyard plan`
 * print. Object identity is replaced by keys so the summary serialises deterministically.
 */
import type { GRPCRouteFilter, GRPCRouteMatch, HTTPRouteFilter, HTTPRouteMatch } from "../gateway-api/types.ts";
import type { ResolvedBackend, ResolvedGraph, ResolvedListener, ResolvedRoute } from "./model.ts";

export interface GraphSummary {
  gateways: {
    gateway: string;
    dataPlane: string;
    problem?: string;
    listeners: {
      id: string;
      port: number;
      protocol: string;
      hostname?: string;
      tlsMode?: string;
      certificates?: string[];
      allowedRoutes: string;
      problems?: string[];
      routes: { route: string; hostnames?: string[] }[];
    }[];
  }[];
  routes: {
    route: string;
    parents: { gateway: string; parentRef: number; rejected?: string; listeners: string[] }[];
    rules: { rule: number; matches?: string[]; filters?: string[]; backends: string[] }[];
  }[];
}

function listenerSummary(l: ResolvedListener): GraphSummary["gateways"][number]["listeners"][number] {
  const problems = [l.acceptedProblem, l.conflict, l.resolvedRefsProblem]
    .filter((p) => p !== undefined)
    .map((p) => `${p.reason}: ${p.message}`);
  return {
    id: l.id,
    port: l.port,
    protocol: l.protocol,
    ...(l.hostname ? { hostname: l.hostname } : {}),
    ...(l.tlsMode ? { tlsMode: l.tlsMode } : {}),
    ...(l.certificates.length
      ? { certificates: l.certificates.map((c) => (c.secretKey ? `Secret ${c.secretKey}` : `ACM ${c.arn ?? "?"}`)) }
      : {}),
    allowedRoutes: l.allowedRoutes.from,
    ...(problems.length ? { problems } : {}),
    routes: l.attachments.map((a) => ({ route: a.route.key, ...(a.hostnames ? { hostnames: a.hostnames } : {}) })),
  };
}

function backendSummary(b: ResolvedBackend): string {
  const kind = b.group ? `${b.group}/${b.kind}` : b.kind;
  const target = `${kind} ${b.namespace}/${b.name}${b.port !== undefined ? `:${b.port}` : ""} weight=${b.weight}`;
  if (b.problem) return `${target} ${b.problem.reason}`;
  const endpoints = b.endpoints.map((e) => `${e.ip}:${e.port}`).join(",");
  return `${target} endpoints=${endpoints || "none"}`;
}

/** Match fields as written after defaulting, so a golden file shows which defaults were applied. */
function httpMatchSummary(m: HTTPRouteMatch): string {
  const parts = [`path ${m.path?.type ?? "(unset)"} ${m.path?.value ?? "(unset)"}`];
  if (m.method) parts.push(`method ${m.method}`);
  for (const h of m.headers ?? []) parts.push(`header ${h.type ?? "(unset)"} ${h.name}=${h.value}`);
  for (const q of m.queryParams ?? []) parts.push(`query ${q.type ?? "(unset)"} ${q.name}=${q.value}`);
  return parts.join(", ");
}

function grpcMatchSummary(m: GRPCRouteMatch): string {
  const parts: string[] = [];
  if (m.method) parts.push(`method ${m.method.type ?? "(unset)"} ${m.method.service ?? "*"}/${m.method.method ?? "*"}`);
  for (const h of m.headers ?? []) parts.push(`header ${h.type ?? "(unset)"} ${h.name}=${h.value}`);
  return parts.length ? parts.join(", ") : "any";
}

function filterSummary(f: HTTPRouteFilter | GRPCRouteFilter): string {
  if (f.type === "RequestRedirect" && "requestRedirect" in f) {
    return `RequestRedirect statusCode=${f.requestRedirect?.statusCode ?? "(unset)"}`;
  }
  return f.type;
}

function routeSummary(r: ResolvedRoute): GraphSummary["routes"][number] {
  return {
    route: r.key,
    parents: r.parents.map((p) => ({
      gateway: p.gatewayKey,
      parentRef: p.parentRefIndex,
      ...(p.acceptedProblem ? { rejected: `${p.acceptedProblem.reason}: ${p.acceptedProblem.message}` } : {}),
      listeners: p.attachments.map((a) => a.listener.id),
    })),
    rules: r.rules.map((rule) => {
      const matches = [...rule.httpMatches.map(httpMatchSummary), ...rule.grpcMatches.map(grpcMatchSummary)];
      return {
        rule: rule.index,
        ...(matches.length ? { matches } : {}),
        ...(rule.filters.length ? { filters: rule.filters.map(filterSummary) } : {}),
        backends: rule.backends.map(backendSummary),
      };
    }),
  };
}

export function summarizeGraph(graph: ResolvedGraph): GraphSummary {
  return {
    gateways: graph.gateways.map((g) => ({
      gateway: g.key,
      dataPlane: g.dataPlane,
      ...(g.problem ? { problem: `${g.problem.reason}: ${g.problem.message}` } : {}),
      // Listeners of ListenerSets the Gateway does not admit are not part of it.
      listeners: [...g.listeners, ...g.listenerSets.filter((s) => !s.problem).flatMap((s) => s.listeners)].map(
        listenerSummary,
      ),
    })),
    routes: graph.routes.map(routeSummary),
  };
}
