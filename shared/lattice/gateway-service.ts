/**
 * The Gateway service: one VPC Lattice service per Lattice Gateway, beside the per-route services,
 * merging the rules of every HTTPRoute and GRPCRoute attached to the Gateway without a hostname.
 * A service network has no address of its own, so the Gateway publishes this service's generated
 * DNS name as its address, and every hostname-less route is reached there as Gateway API merges
 * routes on a listener: rules ordered by precedence across routes, priorities 1..N per listener.
 *
 * Left out (each still reachable at its own service, and named in `explain`): a route with a
 * hostname (its custom domain name is its address), a `standalone` one, one this Gateway refuses,
 * one with its own IAMAuthPolicy or AccessLogPolicy (merged, its requests would bypass that auth or
 * logging), one forwarding to a target group another service uses (a ServiceImport's export group
 * or a group named by ARN: a Lattice target group serves one service), and — stated in the
 * Gateway's status — a route that no longer fits a listener's rule limit (whole routes only, in
 * precedence order) or a listener beyond the service's listener limit (the lowest ports kept).
 *
 * Pure; translate.ts adds it once every route's refusals across Gateways are known.
 */
import { ownershipTags, shortHash } from "../elb/naming.ts";
import { SwitchyardLatticeAnnotation } from "../extensions/lattice.ts";
import type { ResolvedGateway, ResolvedListener, ResolvedRoute } from "../graph/model.ts";
import { programmableListeners } from "../graph/model.ts";
import { objectKey } from "../k8s/meta.ts";
import { FIXED_404 } from "./actions.ts";
import {
  customDomain,
  type GatewayServiceReport,
  isStandalone,
  type LatticeBuild,
  type LatticeBuildContext,
  latticeProtocol,
  numberRules,
  policyFor,
  pruneTargetGroups,
  type RuleUnit,
  routeUnits,
  ruleCount,
  targetGroupPolicies,
} from "./build.ts";
import { MAX_RULE_PRIORITY } from "./limits.ts";
import type { LatticeListenerModel, LatticeServiceModel, LatticeTargetGroupReference } from "./model.ts";
import { listenerName, SERVICE_NAME_MAX, slug } from "./naming.ts";
import { LatticeTargetGroupSet } from "./target-groups.ts";

/** Model id of a Gateway's Gateway service: `Gateway/ns/name` (a route key never starts so). */
export function gatewayServiceId(gatewayKey: string): string {
  return `Gateway/${gatewayKey}`;
}

/** Whether a service model id is a Gateway service's rather than a route's. */
export function isGatewayServiceId(id: string): boolean {
  return id.startsWith("Gateway/");
}

/**
 * `gw-<name>-<namespace>-<hash>`, ≤40 characters: the hash of (cluster, Gateway) keeps it unique
 * across clusters of one account, and the `gw-` prefix apart from the names of route services.
 */
export function gatewayServiceName(clusterId: string, namespace: string, name: string): string {
  const hash = shortHash(clusterId, `${namespace}/${name}`).slice(0, 8);
  const room = SERVICE_NAME_MAX - "gw-".length - hash.length - 1;
  const base = slug(`${slug(name, 20)}-${slug(namespace, 18)}`, room) || "gateway";
  return `gw-${base}-${hash}`;
}

/** A short, stable prefix that keeps rule ids of several routes apart in one listener. */
function rulePrefix(routeKey: string): string {
  return `q${shortHash(routeKey).slice(0, 8)}-`;
}

/** The annotation's verdict: build it or not, and why not when its value is invalid. */
function enabled(gateway: ResolvedGateway): { on: boolean; note?: string } {
  const key = SwitchyardLatticeAnnotation.gatewayService;
  const own = gateway.object.metadata.annotations?.[key];
  const value = own ?? gateway.gatewayClass.object.metadata.annotations?.[key];
  if (value === undefined || value === "true") return { on: true };
  if (value === "false") return { on: false };
  const where = own !== undefined ? "" : ` (on GatewayClass ${gateway.gatewayClass.object.metadata.name})`;
  return {
    on: false,
    note: `annotation ${key}${where}: ${JSON.stringify(value)} is neither "true" nor "false"; no Gateway service is built until it is`,
  };
}

interface Candidate {
  route: ResolvedRoute;
  /** This Gateway's usable listeners the route attaches to. */
  listeners: ResolvedListener[];
}

/** Routes attached to the Gateway's usable listeners, oldest first (then by key). */
function attachedRoutes(gateway: ResolvedGateway): Candidate[] {
  const attached = new Map<string, Candidate>();
  for (const listener of programmableListeners(gateway)) {
    for (const a of listener.attachments) {
      const entry = attached.get(a.route.key) ?? { route: a.route, listeners: [] };
      if (!entry.listeners.includes(listener)) entry.listeners.push(listener);
      attached.set(a.route.key, entry);
    }
  }
  return [...attached.values()].sort((a, b) => {
    const ta = a.route.object.metadata.creationTimestamp ?? "";
    const tb = b.route.object.metadata.creationTimestamp ?? "";
    return ta < tb ? -1 : ta > tb ? 1 : a.route.key < b.route.key ? -1 : 1;
  });
}

/** Why a route is not merged into the Gateway service, or undefined when it may be. */
function exclusion(
  gateway: ResolvedGateway,
  route: ResolvedRoute,
  build: LatticeBuild,
  ctx: LatticeBuildContext,
): string | undefined {
  if (route.kind !== "HTTPRoute" && route.kind !== "GRPCRoute") return `a ${route.kind} is served by its own service`;
  if (build.routeProblems.has(route.key)) return "the route is refused";
  const domain = customDomain(route, gateway.key);
  if ("reason" in domain) return "the route is refused";
  if (domain.name !== undefined) return `its hostname ${domain.name} is its own service's custom domain name`;
  if (isStandalone(gateway, route)) return "it is standalone (its service joins no service network)";
  const key = objectKey(route.object.metadata);
  const auth = policyFor(ctx.policies.iamAuth, route.kind, key);
  if (auth) {
    return `IAMAuthPolicy ${objectKey(auth.metadata)} applies to the route's own service only; merged, its requests would bypass it`;
  }
  const log = policyFor(ctx.policies.accessLog, route.kind, key);
  if (log) {
    return `AccessLogPolicy ${objectKey(log.metadata)} applies to the route's own service only; merged, its requests would not be logged`;
  }
  return undefined;
}

/**
 * Adds the Gateway's Gateway service to its build (model, target groups, association, address),
 * with the report of what it merges and leaves out. `build.routeProblems` must already hold every
 * refusal, including those another parent Gateway found.
 */
export function addGatewayService(gateway: ResolvedGateway, build: LatticeBuild, ctx: LatticeBuildContext): void {
  const report: GatewayServiceReport = { merged: [], leftOut: [], notes: [] };
  build.gatewayService = report;
  const verdict = enabled(gateway);
  if (verdict.note) report.notes.push(verdict.note);
  if (!verdict.on || build.networkProblem !== undefined) return;

  const serviceId = gatewayServiceId(gateway.key);
  const targetGroups = new LatticeTargetGroupSet(ctx.clusterId, gateway.key, targetGroupPolicies(ctx));
  const routes: { candidate: Candidate; units: RuleUnit[] }[] = [];
  for (const candidate of attachedRoutes(gateway)) {
    const { route } = candidate;
    const why = exclusion(gateway, route, build, ctx);
    if (why) {
      report.leftOut.push({ route: route.key, why });
      continue;
    }
    // Problems were recorded by the route's own service: a scratch map keeps them from doubling.
    const references = new Map<string, LatticeTargetGroupReference>();
    const units = routeUnits(route, serviceId, targetGroups, ctx, references, new Map());
    if ("reason" in units) {
      report.leftOut.push({ route: route.key, why: "the route is refused" });
      continue;
    }
    if (references.size > 0) {
      report.leftOut.push({
        route: route.key,
        why: `it forwards to ${[...references.values()].map((r) => r.backend).join(", ")}, whose target group another service uses (a VPC Lattice target group serves one service)`,
      });
      continue;
    }
    routes.push({ candidate, units });
  }

  // One Lattice listener per protocol and port; beyond the quota, the lowest ports are kept.
  const byPort = new Map<string, { protocol: "HTTP" | "HTTPS"; port: number; gatewayListeners: Set<string> }>();
  for (const { candidate } of routes) {
    for (const l of candidate.listeners) {
      const protocol = latticeProtocol(l);
      if (protocol === "TLS_PASSTHROUGH") continue;
      const id = `${protocol}:${l.port}`;
      const entry = byPort.get(id) ?? { protocol, port: l.port, gatewayListeners: new Set<string>() };
      entry.gatewayListeners.add(l.id);
      byPort.set(id, entry);
    }
  }
  const ports = [...byPort.entries()].sort((a, b) => a[1].port - b[1].port || (a[0] < b[0] ? -1 : 1));
  const kept = ports.slice(0, ctx.limits.maxListenersPerService);
  const dropped = ports.slice(ctx.limits.maxListenersPerService).map(([id]) => id);
  if (dropped.length > 0) {
    report.notes.push(
      `the Gateway service has no listener ${dropped.join(", ")} (a VPC Lattice service has at most ${ctx.limits.maxListenersPerService} listeners; the lowest ports are kept): routes there are reached at their own services`,
    );
  }

  const limit = Math.min(ctx.limits.maxRulesPerListener, MAX_RULE_PRIORITY);
  const listeners: LatticeListenerModel[] = [];
  const merged = new Set<string>();
  const overflow = new Map<string, string[]>();
  for (const [id, entry] of kept) {
    const here = routes.filter(({ candidate }) => candidate.listeners.some((l) => entry.gatewayListeners.has(l.id)));
    // Whole routes, in the order their best rule ranks: never half a route.
    const unitsOf = new Map(here.map((r) => [r.candidate.route.key, r.units]));
    const chosen = new Set<string>();
    let used = 0;
    for (const rule of numberRules(here.flatMap((r) => r.units))) {
      const route = rule.source.route;
      if (chosen.has(route) || overflow.get(route)?.includes(id)) continue;
      const need = ruleCount(unitsOf.get(route) ?? []);
      if (used + need <= limit) {
        chosen.add(route);
        used += need;
      } else overflow.set(route, [...(overflow.get(route) ?? []), id]);
    }
    if (chosen.size === 0) continue;
    for (const route of chosen) merged.add(route);
    listeners.push({
      id,
      name: listenerName(entry.protocol, entry.port),
      protocol: entry.protocol,
      port: entry.port,
      defaultAction: FIXED_404,
      rules: numberRules(
        here.filter((r) => chosen.has(r.candidate.route.key)).flatMap((r) => r.units),
        rulePrefix,
      ),
      gatewayListeners: [...entry.gatewayListeners].sort(),
      tags: ownershipTags(ctx.clusterId, gateway.key, `listener:${serviceId}:${id}`),
    });
  }
  for (const [route, at] of [...overflow.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const why = `it does not fit the Gateway service's listener ${at.join(", ")} (at most ${limit} rules each, filled with whole routes in precedence order)`;
    report.leftOut.push({ route, why });
    report.notes.push(`${route} is not merged into the Gateway service: ${why}; it is reached at its own service`);
  }
  for (const { candidate } of routes) {
    const key = candidate.route.key;
    if (merged.has(key) || overflow.has(key)) continue;
    report.leftOut.push({
      route: key,
      why: `it attaches only to listeners the Gateway service does not have (${dropped.join(", ")})`,
    });
  }
  report.merged = [...merged].sort();
  if (listeners.length === 0) return;

  const service: LatticeServiceModel = {
    id: serviceId,
    name: gatewayServiceName(
      ctx.clusterId,
      gateway.object.metadata.namespace ?? "default",
      gateway.object.metadata.name,
    ),
    accessLogs: [],
    listeners,
    associateWithServiceNetwork: true,
    tags: ownershipTags(ctx.clusterId, gateway.key, `service:${serviceId}`),
  };
  report.serviceId = serviceId;
  const model = build.model;
  model.services = [...model.services, service].sort((a, b) => (a.id < b.id ? -1 : 1));
  model.serviceAssociations = [...model.serviceAssociations, serviceId].sort();
  model.targetGroups = [...model.targetGroups, ...targetGroups.all()].sort((a, b) => (a.id < b.id ? -1 : 1));
  pruneTargetGroups(model);
}

/** Drops a build's Gateway service again (its name is taken), with the sentence for status. */
export function removeGatewayService(build: LatticeBuild, note: string): void {
  const id = build.gatewayService?.serviceId;
  if (!id || !build.gatewayService) return;
  build.model.services = build.model.services.filter((s) => s.id !== id);
  build.model.serviceAssociations = build.model.serviceAssociations.filter((k) => k !== id);
  build.gatewayService = { merged: [], leftOut: [], notes: [...build.gatewayService.notes, note] };
  pruneTargetGroups(build.model);
}
