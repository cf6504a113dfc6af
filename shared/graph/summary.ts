/**
 * A plain, stable, reviewable view of the resolved graph: what golden files and `switchyard plan`
 * print. Object identity is replaced by keys so the summary serialises deterministically.
 */
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
      problems?: string[];
      routes: { route: string; hostnames?: string[] }[];
    }[];
  }[];
  routes: {
    route: string;
    parents: { gateway: string; parentRef: number; rejected?: string; listeners: string[] }[];
    rules: { rule: number; matches: number; backends: string[] }[];
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
    ...(problems.length ? { problems } : {}),
    routes: l.attachments.map((a) => ({ route: a.route.key, ...(a.hostnames ? { hostnames: a.hostnames } : {}) })),
  };
}

function backendSummary(b: ResolvedBackend): string {
  const target = `${b.kind} ${b.namespace}/${b.name}${b.port !== undefined ? `:${b.port}` : ""} weight=${b.weight}`;
  return b.problem ? `${target} ${b.problem.reason}` : `${target} endpoints=${b.endpoints.length}`;
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
    rules: r.rules.map((rule) => ({
      rule: rule.index,
      matches: Math.max(rule.httpMatches.length, rule.grpcMatches.length),
      backends: rule.backends.map(backendSummary),
    })),
  };
}

export function summarizeGraph(graph: ResolvedGraph): GraphSummary {
  return {
    gateways: graph.gateways.map((g) => ({
      gateway: g.key,
      dataPlane: g.dataPlane,
      ...(g.problem ? { problem: `${g.problem.reason}: ${g.problem.message}` } : {}),
      listeners: [...g.listeners, ...g.listenerSets.flatMap((s) => s.listeners)].map(listenerSummary),
    })),
    routes: graph.routes.map(routeSummary),
  };
}
