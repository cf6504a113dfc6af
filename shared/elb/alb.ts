/**
 * A Gateway of an ALB class → the desired Application Load Balancer. Listeners merge per port;
 * each route rule match × effective hostname becomes one listener rule; rules are ordered by the
 * listener hostname's specificity and then by Gateway API precedence, and numbered 1..N.
 * Anything ALB cannot express rejects only the route that asked for it.
 */
import { compareListenerSpecificity, intersectHostnames, listenerHostnamesOverlap } from "../gateway-api/hostname.ts";
import type { GRPCRouteMatch, HTTPRouteMatch } from "../gateway-api/types.ts";
import type { ResolvedGateway, ResolvedListener, ResolvedRoute, ResolvedRule } from "../graph/model.ts";
import { orderByPrecedence } from "../precedence/order.ts";
import type { MatchUnitKey } from "../precedence/unit.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { type ActionContext, FIXED_404, ruleActions, sourceIpCondition } from "./actions.ts";
import { conditionValueProblem } from "./condition-limits.ts";
import { grpcMatchConditions, httpMatchConditions } from "./conditions.ts";
import type { ElbBuild, ElbBuildContext } from "./context.ts";
import { elbBuild, elbEnvelope } from "./envelope.ts";
import { listenerAttributes } from "./listener-features.ts";
import type { ListenerModel, ListenerRuleModel, RuleSource } from "./model.ts";
import type { RuleAction, RuleCondition, RuleTransform } from "./rules.ts";
import { TargetGroupSet } from "./target-groups.ts";

/** ALB's default quota of listener rules per load balancer, default rules not counted. */
export const DEFAULT_MAX_RULES_PER_LOAD_BALANCER = 100;

/** A listener rule before numbering: its precedence key and where it sits. */
interface RuleUnit {
  key: MatchUnitKey;
  route: ResolvedRoute;
  listener: ResolvedListener;
  conditions: RuleCondition[];
  actions: RuleAction[];
  transforms: RuleTransform[];
  source: RuleSource;
}

export function buildAlb(gateway: ResolvedGateway, ctx: ElbBuildContext): ElbBuild {
  const elb = elbEnvelope(gateway, ctx);
  const { envelope, settings } = elb;
  const { routeProblems } = envelope;
  const targetGroups = new TargetGroupSet(ctx.clusterId, gateway.key, {
    type: "application",
    nodes: ctx.snapshot.nodes,
    defaultConfigs: settings.defaultTargetGroupConfigs,
  });

  const unitsByRoute = new Map<string, RuleUnit[]>();
  for (const listener of envelope.listeners) {
    for (const attachment of listener.attachments) {
      const { route } = attachment;
      if (routeProblems.has(route.key)) continue;
      const units = routeUnits(route, listener, attachment.hostnames, gateway, targetGroups, ctx);
      if ("reason" in units) {
        routeProblems.set(route.key, units);
        unitsByRoute.delete(route.key);
        continue;
      }
      if (units.refused) addPartial(envelope.routePartial, route.key, units.refused);
      unitsByRoute.set(route.key, [...(unitsByRoute.get(route.key) ?? []), ...units.units]);
    }
  }

  dropCaseFoldedTwins(unitsByRoute, envelope.routePartial);

  const ports = envelope.listenersByPort();
  const listenerId = (port: number, ls: readonly ResolvedListener[]) =>
    `${ls[0]?.protocol === "HTTPS" ? "HTTPS" : "HTTP"}:${port}`;
  // The rule quota is per load balancer, across all its listeners (default rules not counted), so
  // it is applied before any listener is built: a shed route is gone from every port.
  const limit = ctx.maxRulesPerLoadBalancer ?? DEFAULT_MAX_RULES_PER_LOAD_BALANCER;
  const allRules = ports.flatMap(([, gatewayListeners]) => orderRules(gatewayListeners, unitsByRoute, routeProblems));
  if (allRules.length > limit) {
    const perListener = ports
      .map(([port, ls]) => `${listenerId(port, ls)}: ${orderRules(ls, unitsByRoute, routeProblems).length}`)
      .join(", ");
    for (const victim of routesToShed(allRules, limit)) {
      routeProblems.set(
        victim,
        problem(
          Reason.UnsupportedValue,
          `the load balancer would need ${allRules.length} listener rules (${perListener}); the ALB quota is ${limit} rules per load balancer, so the newest routes are not programmed`,
        ),
      );
    }
  }
  const listeners: ListenerModel[] = [];
  for (const [port, gatewayListeners] of ports) {
    const id = listenerId(port, gatewayListeners);
    const protocol = id.startsWith("HTTPS") ? "HTTPS" : "HTTP";
    const config = settings.listenerConfigurations.get(id);
    const rules = orderRules(gatewayListeners, unitsByRoute, routeProblems);
    const listener: ListenerModel = {
      id,
      port,
      protocol,
      defaultActions: [FIXED_404],
      rules,
      gatewayListeners: gatewayListeners.map((l) => l.id),
      tags: envelope.tagsFor(`listener:${id}`),
      ...listenerAttributes(config),
      ...(config?.sslPolicy ? { sslPolicy: config.sslPolicy } : {}),
      ...(config?.mutualAuthentication?.mode
        ? {
            mutualAuthentication: {
              mode: config.mutualAuthentication.mode,
              ...trustStore(config.mutualAuthentication.trustStore),
              ...(config.mutualAuthentication.ignoreClientCertificateExpiry !== undefined
                ? { ignoreClientCertificateExpiry: config.mutualAuthentication.ignoreClientCertificateExpiry }
                : {}),
              ...(config.mutualAuthentication.advertiseTrustStoreCaNames === "on"
                ? { advertiseTrustStoreCaNames: "on" as const }
                : {}),
            },
          }
        : {}),
    };
    if (protocol === "HTTPS") {
      const certificates = envelope.certificates({
        listenerId: id,
        gatewayListeners,
        routeHostnames: unitsHostnames(rules),
        config,
        hint: "add listener certificateRefs, a LoadBalancerConfiguration certificate, or an ACM certificate covering its hostnames",
      });
      if (!certificates) continue;
      listener.certificates = certificates;
    }
    listeners.push(listener);
  }

  return elbBuild(
    elb,
    ctx,
    "application",
    listeners,
    targetGroups.all().filter((tg) => listeners.some((l) => l.rules.some((r) => usesTargetGroup(r.actions, tg.id)))),
  );
}

/** A trust store named by ARN, or by name (resolved to its ARN when applied). */
function trustStore(value: string | undefined): { trustStoreArn: string } | { trustStoreName: string } | object {
  if (!value) return {};
  return value.startsWith("arn:") ? { trustStoreArn: value } : { trustStoreName: value };
}

/**
 * ALB compares query-string and http-header values without regard to case, where the Gateway API
 * is case-sensitive. A match that only case tells apart from an earlier one would silently route
 * to the wrong rule: it is dropped, and its route reports PartiallyInvalid.
 */
function dropCaseFoldedTwins(unitsByRoute: Map<string, RuleUnit[]>, partial: Map<string, StatusProblem>): void {
  const seen = new Map<string, RuleUnit>();
  const all = orderByPrecedence([...unitsByRoute.values()].flat(), (u) => u.key);
  const dropped = new Set<RuleUnit>();
  for (const unit of all) {
    const key = `${unit.listener.port}|${JSON.stringify(unit.conditions.map(foldCase))}`;
    const other = seen.get(key);
    if (!other) {
      seen.set(key, unit);
      continue;
    }
    if (JSON.stringify(other.conditions) === JSON.stringify(unit.conditions)) continue;
    dropped.add(unit);
    addPartial(
      partial,
      unit.source.route,
      problem(
        Reason.UnsupportedValue,
        `spec.rules[${unit.source.rule}].matches[${unit.source.match}] is not programmed: Application Load Balancer compares header and query values without regard to case, so it cannot be told apart from spec.rules[${other.source.rule}].matches[${other.source.match}] of ${other.source.route}`,
      ),
    );
  }
  for (const [route, units] of unitsByRoute)
    unitsByRoute.set(
      route,
      units.filter((u) => !dropped.has(u)),
    );
}

/** Records why part of a route is not programmed, keeping every distinct reason given. */
function addPartial(partial: Map<string, StatusProblem>, route: string, found: StatusProblem): void {
  const known = partial.get(route);
  if (!known) partial.set(route, found);
  else if (!known.message.includes(found.message)) {
    partial.set(route, problem(known.reason, `${known.message}; ${found.message}`));
  }
}

function foldCase(c: RuleCondition): RuleCondition {
  if (c.field === "query-string")
    return {
      ...c,
      values: c.values.map((v) => ({
        ...(v.key !== undefined ? { key: v.key.toLowerCase() } : {}),
        value: v.value.toLowerCase(),
      })),
    };
  if (c.field === "http-header")
    return {
      ...c,
      headerName: c.headerName.toLowerCase(),
      ...(c.values ? { values: c.values.map((v) => v.toLowerCase()) } : {}),
    };
  return c;
}

function usesTargetGroup(actions: readonly RuleAction[], id: string): boolean {
  return actions.some((a) => a.type === "forward" && a.targetGroups.some((t) => t.targetGroupId === id));
}

function unitsHostnames(rules: readonly ListenerRuleModel[]): string[] {
  return [...new Set(rules.map((r) => r.source.hostname).filter((h): h is string => h !== undefined))];
}

/** The newest routes whose removal brings the rule count within `limit`, newest first. */
function routesToShed(rules: readonly ListenerRuleModel[], limit: number): string[] {
  const perRoute = new Map<string, { count: number; created: string }>();
  for (const r of rules) {
    if (r.source.isolation) continue;
    const entry = perRoute.get(r.source.route) ?? { count: 0, created: r.source.created ?? "" };
    entry.count += 1;
    perRoute.set(r.source.route, entry);
  }
  const newestFirst = [...perRoute.entries()].sort(([ka, a], [kb, b]) =>
    b.created > a.created ? 1 : b.created < a.created ? -1 : kb > ka ? 1 : kb < ka ? -1 : 0,
  );
  const shed: string[] = [];
  let count = rules.length;
  for (const [route, entry] of newestFirst) {
    if (count <= limit) break;
    shed.push(route);
    count -= entry.count;
  }
  return shed;
}

/** A route's rule units on one listener, and the rules left out for values ALB refuses. */
interface RouteUnits {
  units: RuleUnit[];
  refused?: StatusProblem;
}

function routeUnits(
  route: ResolvedRoute,
  listener: ResolvedListener,
  hostnames: string[] | undefined,
  gateway: ResolvedGateway,
  targetGroups: TargetGroupSet,
  ctx: ElbBuildContext,
): RouteUnits | StatusProblem {
  const namespace = route.object.metadata.namespace ?? "default";
  const actionCtx: ActionContext = {
    clusterId: ctx.clusterId,
    gatewayKey: gateway.key,
    routeKind: route.kind,
    routeNamespace: namespace,
    routeName: route.object.metadata.name,
    configs: ctx.targetGroupConfigs,
    targetGroups,
    ruleConfigs: ctx.ruleConfigs,
    listenerProtocol: listener.protocol === "HTTPS" ? "HTTPS" : "HTTP",
    listenerPort: listener.port,
  };
  const units: RuleUnit[] = [];
  const refused: StatusProblem[] = [];
  let programmedRules = 0;
  const hosts: (string | undefined)[] = hostnames ?? [listener.hostname];
  for (const rule of route.rules) {
    const where = `spec.rules[${rule.index}]`;
    const extras = ruleActions(rule, where, actionCtx);
    if ("reason" in extras) return extras;
    const ruleUnits: RuleUnit[] = [];
    let ruleRefused: StatusProblem | undefined;
    for (const [m, match] of routeMatches(route, rule).entries()) {
      for (const hostname of hosts) {
        const conditionSets = matchConditions(match, hostname, `${where}.matches[${m}]`);
        if ("reason" in conditionSets) return conditionSets;
        for (const conditions of conditionSets) {
          ruleRefused ??= conditionValueProblem(conditions, `${where}.matches[${m}]`);
          ruleUnits.push({
            key: unitKey(route, rule.index, m, hostname, match),
            route,
            listener,
            conditions: [...conditions, ...sourceIpCondition(extras, m)],
            actions: extras.actions,
            transforms: extras.transforms,
            source: {
              route: route.key,
              rule: rule.index,
              match: m,
              ...(hostname ? { hostname } : {}),
              ...(route.object.metadata.creationTimestamp ? { created: route.object.metadata.creationTimestamp } : {}),
            },
          });
        }
      }
    }
    // A value ALB would refuse drops its rule, not the route: the other rules keep serving.
    if (ruleRefused) {
      refused.push(ruleRefused);
      continue;
    }
    programmedRules++;
    units.push(...ruleUnits);
  }
  if (refused.length === 0) return { units };
  const all = problem(Reason.UnsupportedValue, refused.map((p) => p.message).join("; "));
  return programmedRules === 0 ? all : { units, refused: all };
}

/** A match of an L7 route, tagged with its route kind so that reading it needs no cast. */
type RouteMatch = { kind: "HTTPRoute"; match: HTTPRouteMatch } | { kind: "GRPCRoute"; match: GRPCRouteMatch };

function routeMatches(route: ResolvedRoute, rule: ResolvedRule): RouteMatch[] {
  return route.kind === "GRPCRoute"
    ? rule.grpcMatches.map((match) => ({ kind: "GRPCRoute", match }))
    : rule.httpMatches.map((match) => ({ kind: "HTTPRoute", match }));
}

function matchConditions(
  m: RouteMatch,
  hostname: string | undefined,
  where: string,
): RuleCondition[][] | StatusProblem {
  return m.kind === "GRPCRoute"
    ? grpcMatchConditions(m.match, hostname, where)
    : httpMatchConditions(m.match, hostname, where);
}

function unitKey(
  route: ResolvedRoute,
  ruleIndex: number,
  matchIndex: number,
  hostname: string | undefined,
  routeMatch: RouteMatch,
): MatchUnitKey {
  const base = {
    routeNamespace: route.object.metadata.namespace ?? "default",
    routeName: route.object.metadata.name,
    creationTimestamp: route.object.metadata.creationTimestamp,
    ruleIndex,
    matchIndex,
    hostname,
  };
  if (routeMatch.kind === "GRPCRoute") {
    const m = routeMatch.match;
    return {
      ...base,
      routeKind: "GRPCRoute",
      grpc: {
        methodType: m.method?.type ?? "Exact",
        ...(m.method?.service ? { service: m.method.service } : {}),
        ...(m.method?.method ? { method: m.method.method } : {}),
        headerCount: m.headers?.length ?? 0,
      },
    };
  }
  const m = routeMatch.match;
  return {
    ...base,
    routeKind: "HTTPRoute",
    http: {
      pathType: m.path?.type ?? "PathPrefix",
      pathValue: m.path?.value ?? "/",
      ...(m.method ? { method: m.method } : {}),
      headerCount: m.headers?.length ?? 0,
      queryParamCount: m.queryParams?.length ?? 0,
    },
  };
}

function shadowedBy(hostnames: readonly (string | undefined)[], hostname: string | undefined): boolean {
  if (hostname === undefined) return false;
  return hostnames.some((h) => h !== undefined && intersectHostnames(h, [hostname])?.[0] === hostname);
}

/**
 * Rules of one ALB listener: gateway listeners from the most specific hostname to the least; the
 * units of each in precedence order; then, for a hostname a less specific listener on the port
 * also covers, a 404 guard so its requests never fall through to the other listener's routes
 * (listener isolation).
 */
function orderRules(
  gatewayListeners: readonly ResolvedListener[],
  unitsByRoute: ReadonlyMap<string, RuleUnit[]>,
  rejected: ReadonlyMap<string, StatusProblem>,
): ListenerRuleModel[] {
  const ordered = [...gatewayListeners].sort(
    (a, b) => compareListenerSpecificity(a.hostname, b.hostname) || (a.id < b.id ? -1 : 1),
  );
  const rules: ListenerRuleModel[] = [];
  const push = (r: Omit<ListenerRuleModel, "priority">) => rules.push({ ...r, priority: rules.length + 1 });
  for (const [i, listener] of ordered.entries()) {
    // A unit whose hostname a more specific listener on this port already owns can never be
    // reached (that listener's requests stop at its isolation guard), so it costs no rule.
    const moreSpecific = ordered.slice(0, i).map((l) => l.hostname);
    const units = [...unitsByRoute.entries()]
      .filter(([route]) => !rejected.has(route))
      .flatMap(([, units]) =>
        units.filter((u) => u.listener === listener && !shadowedBy(moreSpecific, u.source.hostname)),
      );
    for (const unit of orderByPrecedence(units, (u) => u.key)) {
      push({
        conditions: unit.conditions,
        actions: unit.actions,
        ...(unit.transforms.length ? { transforms: unit.transforms } : {}),
        source: unit.source,
      });
    }
    const hostname = listener.hostname;
    const shadowed =
      hostname !== undefined && ordered.slice(i + 1).some((l) => listenerHostnamesOverlap(l.hostname, hostname));
    if (hostname && shadowed) {
      push({
        conditions: [{ field: "host-header", values: [hostname] }],
        actions: [FIXED_404],
        source: { route: "", rule: -1, match: -1, hostname, isolation: listener.id },
      });
    }
  }
  return rules;
}
