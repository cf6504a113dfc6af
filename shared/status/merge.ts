/**
 * Folding computed conditions into an object's existing status: a condition keeps its
 * lastTransitionTime while its status is unchanged, and other controllers' route parent entries
 * are kept as they are.
 */
import type { RouteParentStatus, RouteStatus } from "../gateway-api/types.ts";
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
 * controllers stay in place and in order.
 */
export function mergeRouteParents(
  existing: RouteStatus | undefined,
  ours: readonly RouteParentStatus[],
  controllerNames: readonly string[],
  now: string,
): RouteStatus {
  const previous = existing?.parents ?? [];
  const others = previous.filter((p) => !controllerNames.includes(p.controllerName));
  const mine = ours.map((p) => {
    const before = previous.find(
      (q) => q.controllerName === p.controllerName && sameParentRef(q.parentRef, p.parentRef),
    );
    return { ...p, conditions: stampConditions(p.conditions, before?.conditions, now) };
  });
  return { parents: [...others, ...mine] };
}
