/**
 * Snapshot → resolved graph. Pure: the same snapshot always gives the same graph, whatever the
 * order of objects in it.
 */
import type { ControllerConfig } from "../config.ts";
import { AWS_LBC_GROUP, type LoadBalancerConfiguration, type TargetGroupConfiguration } from "../extensions/aws-lbc.ts";
import {
  defaultTargetGroupProblem,
  invalidLoadBalancerFields,
  unsupportedLoadBalancerFields,
} from "../extensions/aws-lbc-support.ts";
import type {
  GatewayClass,
  GRPCRouteRule,
  HTTPRouteMatch,
  HTTPRouteRule,
  ListenerSet,
  Route,
} from "../gateway-api/types.ts";
import { GATEWAY_GROUP } from "../gateway-api/types.ts";
import { selectorMatches } from "../k8s/labels.ts";
import { objectKey } from "../k8s/meta.ts";
import type { Snapshot } from "../snapshot.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { compareAge } from "./age.ts";
import { attachRoute, rejectHttpGrpcClashes } from "./attachment.ts";
import { type BackendContext, indexEndpointSlices, resolveBackend } from "./backends.ts";
import {
  gatewayOrigin,
  type ListenerContext,
  markConflicts,
  markOverlappingTls,
  resolveListener,
} from "./listeners.ts";
import {
  listenerSetAccepted,
  type ResolvedGateway,
  type ResolvedGatewayClass,
  type ResolvedGraph,
  type ResolvedListener,
  type ResolvedListenerSet,
  type ResolvedRoute,
  type ResolvedRule,
} from "./model.ts";
import { resolvePolicies } from "./policies.ts";
import { referenceIndex } from "./reference-grants.ts";

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
const DEFAULT_MATCH: HTTPRouteMatch = { path: { type: "PathPrefix", value: "/" } };

function byKey<T extends { metadata: { name: string; namespace?: string } }>(objects: readonly T[]): Map<string, T> {
  return new Map(objects.map((o) => [objectKey(o.metadata), o]));
}

/** The configuration objects a parametersRef may reach, by `namespace/name`. */
interface ParameterObjects {
  loadBalancer: ReadonlyMap<string, LoadBalancerConfiguration>;
  /** TargetGroupConfigurations, which a LoadBalancerConfiguration names as its target group defaults. */
  targetGroup: ReadonlyMap<string, TargetGroupConfiguration>;
}

export function resolveGraph(snapshot: Snapshot, config: ControllerConfig): ResolvedGraph {
  const references = referenceIndex(snapshot.referenceGrants);
  const secrets = byKey(snapshot.secrets);
  const namespaces = byKey(snapshot.namespaces);
  const lbConfigs: ParameterObjects = {
    loadBalancer: byKey(snapshot.loadBalancerConfigurations),
    targetGroup: byKey(snapshot.targetGroupConfigurations),
  };
  const namespaceLabels = (ns: string) => ({
    ...(namespaces.get(ns)?.metadata.labels ?? {}),
    [NAMESPACE_NAME_LABEL]: ns,
  });

  const classes = new Map<string, ResolvedGatewayClass>();
  for (const gc of [...snapshot.gatewayClasses].sort(compareAge)) {
    const resolved = resolveGatewayClass(gc, config, lbConfigs);
    if (resolved) classes.set(gc.metadata.name, resolved);
  }

  const gateways = new Map<string, ResolvedGateway>();
  for (const gw of [...snapshot.gateways].sort(compareAge)) {
    const gatewayClass = classes.get(gw.spec?.gatewayClassName ?? "");
    if (!gatewayClass) continue;
    const ctx: ListenerContext = { dataPlane: gatewayClass.dataPlane, secrets, references };
    const origin = gatewayOrigin(gw);
    const listeners = (gw.spec?.listeners ?? []).map((l) => resolveListener(l, origin, ctx));
    const resolved: ResolvedGateway = {
      key: objectKey(gw.metadata),
      object: gw,
      gatewayClass,
      dataPlane: gatewayClass.dataPlane,
      listeners,
      listenerSets: [],
    };
    const gwProblem = gatewayProblem(resolved, lbConfigs);
    if (gwProblem) resolved.problem = gwProblem;
    gateways.set(resolved.key, resolved);
  }

  const listenerSets = new Map<string, { gatewayKey: string; listeners: ResolvedListener[]; accepted: boolean }>();
  for (const set of [...snapshot.listenerSets].sort(compareAge)) {
    const resolved = resolveListenerSet(set, gateways, secrets, references, namespaceLabels);
    if (!resolved?.gatewayKey) continue;
    const gateway = gateways.get(resolved.gatewayKey);
    if (!gateway) continue;
    gateway.listenerSets.push(resolved);
  }
  for (const gateway of gateways.values()) {
    const accepted = gateway.listenerSets.filter((s) => !s.problem).map((s) => s.listeners);
    markConflicts(gateway.dataPlane, [gateway.listeners, ...accepted]);
    markOverlappingTls([...gateway.listeners, ...accepted.flat()]);
    // Known only once conflicts are marked: a set none of whose listeners is valid is not accepted.
    for (const set of gateway.listenerSets) {
      listenerSets.set(objectKey(set.object.metadata), {
        gatewayKey: gateway.key,
        listeners: set.listeners,
        accepted: listenerSetAccepted(set),
      });
    }
  }

  const backendCtx: BackendContext = {
    services: byKey(snapshot.services),
    serviceImports: byKey(snapshot.serviceImports),
    endpointSlices: indexEndpointSlices(snapshot.endpointSlices),
    references,
    endpointCache: new Map(),
  };
  const routes: ResolvedRoute[] = [];
  const sortedRoutes = snapshot.routes
    .map((r) => ({ key: routeSortKey(r), route: r }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { route } of sortedRoutes) {
    const resolved = resolveRoute(route, backendCtx);
    attachRoute(resolved, { gateways, listenerSets, namespaceLabels });
    if (resolved.parents.length > 0) routes.push(resolved);
  }
  rejectHttpGrpcClashes(routes);

  return {
    gatewayClasses: [...classes.values()],
    gateways: [...gateways.values()],
    routes,
    policies: resolvePolicies(snapshot),
  };
}

function routeSortKey(route: Route): string {
  return `${route.kind}/${objectKey(route.metadata)}`;
}

function resolveGatewayClass(
  gc: GatewayClass,
  config: ControllerConfig,
  lbConfigs: ParameterObjects,
): ResolvedGatewayClass | undefined {
  const dataPlane = config.controllers[gc.spec?.controllerName ?? ""];
  if (!dataPlane) return undefined;
  const resolved: ResolvedGatewayClass = { object: gc, dataPlane, accepted: true };
  const ref = gc.spec?.parametersRef;
  if (ref) {
    const p = parametersProblem(ref, dataPlane, lbConfigs, "GatewayClass parametersRef");
    if (p) {
      resolved.accepted = false;
      resolved.problem = p;
    }
  }
  return resolved;
}

function parametersProblem(
  ref: { group: string; kind: string; name: string; namespace?: string },
  dataPlane: ResolvedGatewayClass["dataPlane"],
  lbConfigs: ParameterObjects,
  what: string,
): StatusProblem | undefined {
  const lattice = dataPlane === "lattice";
  if (lattice || ref.group !== AWS_LBC_GROUP || ref.kind !== "LoadBalancerConfiguration") {
    return problem(
      Reason.InvalidParameters,
      `${what} ${ref.group}/${ref.kind} is not supported${lattice ? " for VPC Lattice" : "; use gateway.k8s.aws/LoadBalancerConfiguration"}`,
    );
  }
  if (!ref.namespace)
    return problem(
      Reason.InvalidParameters,
      `${what} must name the namespace of LoadBalancerConfiguration ${ref.name}`,
    );
  const config = lbConfigs.loadBalancer.get(`${ref.namespace}/${ref.name}`);
  if (!config) {
    return problem(
      Reason.InvalidParameters,
      `${what}: LoadBalancerConfiguration ${ref.namespace}/${ref.name} not found`,
    );
  }
  const unsupported = unsupportedLoadBalancerFields(config.spec);
  if (unsupported.length > 0) {
    return problem(
      Reason.InvalidParameters,
      `${what}: LoadBalancerConfiguration ${ref.namespace}/${ref.name} sets fields switchyard does not know and so cannot apply: ${unsupported.join(", ")}`,
    );
  }
  const defaults = defaultTargetGroupProblem(config.spec, ref.namespace, lbConfigs.targetGroup);
  if (defaults) {
    return problem(
      Reason.InvalidParameters,
      `${what}: LoadBalancerConfiguration ${ref.namespace}/${ref.name}: ${defaults}`,
    );
  }
  const invalid = invalidLoadBalancerFields(config.spec, dataPlane);
  if (invalid.length > 0) {
    return problem(
      Reason.InvalidParameters,
      `${what}: LoadBalancerConfiguration ${ref.namespace}/${ref.name}: ${invalid.join("; ")}`,
    );
  }
  return undefined;
}

function gatewayProblem(gateway: ResolvedGateway, lbConfigs: ParameterObjects): StatusProblem | undefined {
  const { object, gatewayClass } = gateway;
  if (!gatewayClass.accepted) {
    return problem(
      Reason.Invalid,
      `GatewayClass ${gatewayClass.object.metadata.name} is not accepted: ${gatewayClass.problem?.message ?? ""}`,
    );
  }
  if (object.spec?.tls !== undefined) {
    return problem(
      Reason.Invalid,
      "spec.tls (Gateway-level client certificate validation and backend TLS) is not supported; for mutual TLS on an ALB use a LoadBalancerConfiguration listenerConfigurations[].mutualAuthentication",
    );
  }
  if ((object.spec?.addresses ?? []).length > 0) {
    return problem(
      Reason.UnsupportedAddress,
      "spec.addresses: static addresses are not supported; the load balancer assigns its DNS name",
    );
  }
  const infraRef = object.spec?.infrastructure?.parametersRef;
  if (infraRef) {
    return parametersProblem(
      { ...infraRef, namespace: object.metadata.namespace ?? "default" },
      gateway.dataPlane,
      lbConfigs,
      "spec.infrastructure.parametersRef",
    );
  }
  return undefined;
}

function resolveListenerSet(
  set: ListenerSet,
  gateways: ReadonlyMap<string, ResolvedGateway>,
  secrets: ListenerContext["secrets"],
  references: ListenerContext["references"],
  namespaceLabels: (ns: string) => Record<string, string>,
): ResolvedListenerSet | undefined {
  const ref = set.spec?.parentRef;
  if (!ref || (ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? "Gateway") !== "Gateway") return undefined;
  const namespace = set.metadata.namespace ?? "default";
  const gatewayKey = `${ref.namespace ?? namespace}/${ref.name}`;
  const gateway = gateways.get(gatewayKey);
  if (!gateway) return undefined;
  const origin = {
    kind: "ListenerSet" as const,
    namespace,
    name: set.metadata.name,
    generation: set.metadata.generation,
  };
  const ctx: ListenerContext = { dataPlane: gateway.dataPlane, secrets, references };
  const resolved: ResolvedListenerSet = {
    object: set,
    gatewayKey,
    listeners: (set.spec?.listeners ?? []).map((l) => resolveListener(l, origin, ctx)),
  };
  const allowed = gateway.object.spec?.allowedListeners?.namespaces;
  const from = allowed?.from ?? "None";
  const gatewayNamespace = gateway.object.metadata.namespace ?? "default";
  const permitted =
    from === "All" ||
    (from === "Same" && namespace === gatewayNamespace) ||
    (from === "Selector" && selectorMatches(allowed?.selector, namespaceLabels(namespace)));
  if (!permitted) {
    resolved.problem = problem(
      Reason.NotAllowed,
      `Gateway ${gatewayKey} does not allow ListenerSets from namespace ${namespace} (allowedListeners from ${from})`,
    );
  }
  return resolved;
}

function resolveRoute(route: Route, ctx: BackendContext): ResolvedRoute {
  const namespace = route.metadata.namespace ?? "default";
  const from = { kind: route.kind, namespace };
  const resolved: ResolvedRoute = {
    key: `${route.kind}/${objectKey(route.metadata)}`,
    kind: route.kind,
    object: route,
    rules: [],
    hostnames:
      "hostnames" in (route.spec ?? {})
        ? normalizeHostnames((route.spec as { hostnames?: string[] }).hostnames)
        : undefined,
    parents: [],
  };
  const rules = route.spec?.rules ?? [];
  resolved.rules = rules.map((rule, index): ResolvedRule => {
    const backends = (rule.backendRefs ?? []).map((ref, i) => resolveBackend(from, ref, i, ctx));
    return {
      index,
      name: rule.name,
      httpMatches: route.kind === "HTTPRoute" ? httpMatches(rule as HTTPRouteRule) : [],
      grpcMatches: route.kind === "GRPCRoute" ? ((rule as GRPCRouteRule).matches ?? [{}]) : [],
      filters: "filters" in rule && Array.isArray(rule.filters) ? rule.filters : [],
      backends,
      source: rule,
    };
  });
  if (route.kind === "HTTPRoute" && rules.length === 0) {
    resolved.rules.push({
      index: 0,
      name: undefined,
      httpMatches: [DEFAULT_MATCH],
      grpcMatches: [],
      filters: [],
      backends: [],
      source: {},
    });
  }
  resolved.resolvedRefsProblem = resolved.rules.flatMap((r) => r.backends).find((b) => b.problem)?.problem;
  return resolved;
}

function httpMatches(rule: { matches?: HTTPRouteMatch[] }): HTTPRouteMatch[] {
  const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [DEFAULT_MATCH];
  return matches.map((m) => ({ ...m, path: { type: m.path?.type ?? "PathPrefix", value: m.path?.value ?? "/" } }));
}

function normalizeHostnames(hostnames: string[] | undefined): string[] | undefined {
  return hostnames && hostnames.length > 0 ? hostnames.map((h) => h.toLowerCase()) : undefined;
}
