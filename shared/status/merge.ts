/**
 * Folding computed conditions into an object's existing status: a condition keeps its
 * lastTransitionTime while its status is unchanged, other controllers' route parent entries are
 * kept as they are, and a policy's ancestor entries for other Gateways are kept where they are.
 */
import {
  GATEWAY_GROUP,
  type ParentReference,
  type PolicyAncestorStatus,
  type PolicyStatus,
  type RouteParentStatus,
  type RouteStatus,
} from "../gateway-api/types.ts";
import type { Condition } from "../k8s/meta.ts";

/** Stamps lastTransitionTime: kept from `previous` when the status did not flip, `now` otherwise. */
export function stampConditions(
  next: readonly Condition[],
  previous: readonly Condition[] | undefined,
  now: string,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
}

/** Conditions owned by others (types we did not compute) survive a merge untouched. */
export function mergeConditions(
  ours: readonly Condition[],
  existing: readonly Condition[] | undefined,
  now: string,
): Condition[] {
  const stamped = stampConditions(ours, existing, now);
  const ourTypes = new Set(ours.map((c) => c.type));
  return [...stamped, ...(existing ?? []).filter((c) => !ourTypes.has(c.type))];
}

function sameParentRef(a: RouteParentStatus["parentRef"], b: RouteParentStatus["parentRef"]): boolean {
  return (
    a.name === b.name &&
    (a.namespace ?? "") === (b.namespace ?? "") &&
    (a.sectionName ?? "") === (b.sectionName ?? "") &&
    (a.port ?? 0) === (b.port ?? 0) &&
    (a.kind ?? "Gateway") === (b.kind ?? "Gateway") &&
    (a.group ?? "gateway.networking.k8s.io") === (b.group ?? "gateway.networking.k8s.io")
  );
}

/**
 * Replaces every parent entry written by one of `controllerNames` with `ours`; entries of other
 * controllers stay in place and in order. With `inScope` (one Gateway's reconcile: see
 * RouteParentsScope) only our entries in scope are replaced, in place (at the first such entry,
 * else at the end), and our entries for other Gateways stay: their own reconciles write them.
 */
export function mergeRouteParents(
  existing: RouteStatus | undefined,
  ours: readonly RouteParentStatus[],
  controllerNames: readonly string[],
  now: string,
  inScope?: (parentRef: ParentReference) => boolean,
): RouteStatus {
  const previous = existing?.parents ?? [];
  const mine = ours.map((p) => {
    const before = previous.find(
      (q) => q.controllerName === p.controllerName && sameParentRef(q.parentRef, p.parentRef),
    );
    return { ...p, conditions: stampConditions(p.conditions, before?.conditions, now) };
  });
  if (inScope === undefined) {
    const others = previous.filter((p) => !controllerNames.includes(p.controllerName));
    return { parents: [...others, ...mine] };
  }
  const parents: RouteParentStatus[] = [];
  let placed = false;
  for (const entry of previous) {
    if (!controllerNames.includes(entry.controllerName) || !inScope(entry.parentRef)) parents.push(entry);
    else if (!placed) {
      parents.push(...mine);
      placed = true;
    }
  }
  if (!placed) parents.push(...mine);
  return { parents };
}

/**
 * The parent entries of a route one Gateway's reconcile speaks for: those naming the Gateway (any
 * section or port) and those naming one of its ListenerSets.
 */
export interface RouteParentsScope {
  gateway: GatewayRef;
  listenerSets: GatewayRef[];
}

/** Whether a route's `parentRef` (the route in `routeNamespace`) is in `scope`. */
export function parentInScope(ref: ParentReference, scope: RouteParentsScope, routeNamespace: string): boolean {
  if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) return false;
  const namespace = ref.namespace ?? routeNamespace;
  if ((ref.kind ?? "Gateway") === "Gateway") {
    return namespace === scope.gateway.namespace && ref.name === scope.gateway.name;
  }
  return ref.kind === "ListenerSet" && scope.listenerSets.some((s) => s.namespace === namespace && s.name === ref.name);
}

/** A Gateway by namespace and name. */
export interface GatewayRef {
  namespace: string;
  name: string;
}

/**
 * Whether `ref` names `gateway` (any of its sections). A policy's ancestorRef without a namespace
 * is in the policy's own namespace.
 */
export function namesGateway(ref: ParentReference, gateway: GatewayRef, policyNamespace: string): boolean {
  return (
    (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
    (ref.kind ?? "Gateway") === "Gateway" &&
    (ref.namespace ?? policyNamespace) === gateway.namespace &&
    ref.name === gateway.name
  );
}

/** Which of a policy's ancestor entries one Gateway's reconcile speaks for. */
export interface AncestorScope {
  gateway: GatewayRef;
  controllerNames: readonly string[];
}

/**
 * Replaces the entries of `scope.controllerNames` that name `scope.gateway` with `ours`, in place
 * (at the first such entry, else at the end): entries for other Gateways, written by their own
 * reconciles, and other controllers' entries stay where they are, so writes for different
 * ancestors never reorder each other's entries.
 */
export function mergePolicyAncestors(
  existing: PolicyStatus | undefined,
  ours: readonly PolicyAncestorStatus[],
  scope: AncestorScope,
  policyNamespace: string,
  now: string,
): PolicyStatus {
  const previous = existing?.ancestors ?? [];
  const inScope = (entry: PolicyAncestorStatus) =>
    scope.controllerNames.includes(entry.controllerName) &&
    namesGateway(entry.ancestorRef, scope.gateway, policyNamespace);
  const stamped = ours.map((entry) => {
    const before = previous.find(
      (q) => q.controllerName === entry.controllerName && sameParentRef(q.ancestorRef, entry.ancestorRef),
    );
    return { ...entry, conditions: stampConditions(entry.conditions, before?.conditions, now) };
  });
  const ancestors: PolicyAncestorStatus[] = [];
  let placed = false;
  for (const entry of previous) {
    if (!inScope(entry)) {
      ancestors.push(entry);
    } else if (!placed) {
      ancestors.push(...stamped);
      placed = true;
    }
  }
  if (!placed) ancestors.push(...stamped);
  return { ancestors };
}
