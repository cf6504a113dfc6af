/**
 * What to write to an object's /status, decided from the object as read and what switchyard
 * computed, with no I/O: the merged status (other controllers' conditions and route parent entries
 * kept, lastTransitionTime kept while a condition's status holds), or a reason to write nothing.
 */
import type {
  GatewayStatus,
  ListenerStatus,
  ParentReference,
  PolicyAncestorStatus,
  RouteStatus,
} from "../../gateway-api/types.ts";
import type { Condition } from "../../k8s/meta.ts";
import type { ServiceExportStatusUpdate } from "../../lattice/export-status.ts";
import type { LatticePolicyStatusUpdate } from "../../lattice/policy-status.ts";
import type {
  GatewayClassStatusUpdate,
  GatewayStatusUpdate,
  ListenerSetStatusUpdate,
  RouteStatusUpdate,
} from "../compute.ts";
import {
  type GatewayRef,
  mergeConditions,
  mergePolicyAncestors,
  mergeRouteParents,
  namesGateway,
  parentInScope,
  type RouteParentsScope,
  stampConditions,
} from "../merge.ts";

/**
 * The policy kinds whose status switchyard writes as GEP-713 `status.ancestors`. The VPC Lattice
 * policies' CRDs have `status.conditions` only (written as `LatticePolicyStatusUpdate`), and
 * TargetGroupConfiguration's has neither, so an ancestors status would be pruned by the API server.
 */
export const ANCESTOR_POLICY_KINDS = ["BackendTLSPolicy"] as const;
export type AncestorPolicyKind = (typeof ANCESTOR_POLICY_KINDS)[number];

/**
 * One ancestor Gateway's entries in a policy's status, written by that Gateway's reconcile: our
 * entries for other Gateways (their reconciles' business) and other controllers' entries are kept.
 */
export interface PolicyAncestorStatusUpdate {
  kind: AncestorPolicyKind;
  namespace: string;
  name: string;
  /** The ancestor Gateway these entries are for. */
  gateway: GatewayRef;
  /** Our entries naming `gateway`; empty clears the ones there (the policy no longer reaches it). */
  ancestors: PolicyAncestorStatus[];
  /** Controller names whose entries for `gateway` this update replaces. */
  controllerNames: string[];
}

/**
 * A route's parent entries from one Gateway's reconcile: with `scope`, only the entries for that
 * Gateway (and its ListenerSets) are replaced and every other entry is kept, so two Gateways that
 * share a route never overwrite each other's verdicts. Without it, every entry of
 * `controllerNames` is replaced (the whole route's statuses at once, e.g. `switchyard plan`).
 */
export type ScopedRouteStatusUpdate = RouteStatusUpdate & { scope?: RouteParentsScope };

/**
 * A computed status for one object, the generation it was computed from and, when known, the uid
 * of that object: a status computed for an object since deleted must not land on a new object of
 * the same name (its generation starts again at 1, so generations alone cannot tell them apart).
 */
export type StatusIntent = (
  | GatewayClassStatusUpdate
  | GatewayStatusUpdate
  | ListenerSetStatusUpdate
  | ScopedRouteStatusUpdate
  | PolicyAncestorStatusUpdate
  | ServiceExportStatusUpdate
  | LatticePolicyStatusUpdate
) & { observedGeneration: number; uid?: string };

/** The parts of the object as read that the decision needs. */
export interface CurrentObject {
  resourceVersion: string;
  uid?: string;
  status: Record<string, unknown>;
}

export type StatusDecision =
  | { write: true; status: Record<string, unknown> }
  /**
   * `unchanged`: merging changes nothing. `stale`: a newer generation's status is already there, or
   * the intent was computed for an object that has since been replaced by one of the same name.
   */
  | { write: false; reason: "unchanged" | "stale" };

function withGeneration(conditions: readonly Condition[], generation: number): Condition[] {
  return conditions.map((c) => ({ ...c, observedGeneration: c.observedGeneration ?? generation }));
}

function conditionsOf(value: unknown): Condition[] | undefined {
  return Array.isArray(value) ? (value as Condition[]) : undefined;
}

function mergeListeners(ours: readonly ListenerStatus[], previous: unknown, generation: number, now: string) {
  const before = Array.isArray(previous) ? (previous as ListenerStatus[]) : [];
  return ours.map((listener) => ({
    ...listener,
    conditions: stampConditions(
      withGeneration(listener.conditions, generation),
      before.find((b) => b.name === listener.name)?.conditions,
      now,
    ),
  }));
}

/** The status switchyard wants the object to have, given what it has now. */
export function mergedStatus(intent: StatusIntent, current: Record<string, unknown>, now: string) {
  const generation = intent.observedGeneration;
  switch (intent.kind) {
    case "GatewayClass":
    case "ServiceExport":
    case "TargetGroupPolicy":
    case "VpcAssociationPolicy":
    case "AccessLogPolicy":
    case "IAMAuthPolicy":
      return {
        ...current,
        conditions: mergeConditions(
          withGeneration(intent.conditions, generation),
          conditionsOf(current.conditions),
          now,
        ),
      };
    case "Gateway": {
      const status: GatewayStatus & Record<string, unknown> = {
        ...current,
        conditions: mergeConditions(
          withGeneration(intent.conditions, generation),
          conditionsOf(current.conditions),
          now,
        ),
        listeners: mergeListeners(intent.listeners, current.listeners, generation, now),
        addresses: intent.addresses,
      };
      if (intent.attachedListenerSets > 0 || current.attachedListenerSets !== undefined) {
        status.attachedListenerSets = intent.attachedListenerSets;
      }
      return status;
    }
    case "ListenerSet":
      return {
        ...current,
        conditions: mergeConditions(
          withGeneration(intent.conditions, generation),
          conditionsOf(current.conditions),
          now,
        ),
        listeners: mergeListeners(intent.listeners, current.listeners, generation, now),
      };
    case "BackendTLSPolicy": {
      const previous = Array.isArray(current.ancestors) ? (current.ancestors as PolicyAncestorStatus[]) : undefined;
      // Nothing of ours to clear and nothing to add: leave a status without ancestors as it is.
      if (previous === undefined && intent.ancestors.length === 0) return current;
      const ours = intent.ancestors.map((a) => ({ ...a, conditions: withGeneration(a.conditions, generation) }));
      const scope = { gateway: intent.gateway, controllerNames: intent.controllerNames };
      const merged = mergePolicyAncestors(
        previous === undefined ? undefined : { ancestors: previous },
        ours,
        scope,
        intent.namespace,
        now,
      );
      return { ...current, ...merged };
    }
    default: {
      const ours = intent.parents.map((p) => ({ ...p, conditions: withGeneration(p.conditions, generation) }));
      const existing = Array.isArray(current.parents) ? (current as unknown as RouteStatus) : undefined;
      const scope = intent.scope;
      const inScope = scope ? (ref: ParentReference) => parentInScope(ref, scope, intent.namespace) : undefined;
      return { ...current, ...mergeRouteParents(existing, ours, intent.controllerNames, now, inScope) };
    }
  }
}

/** The highest observedGeneration on a condition switchyard owns in the current status. */
function ownGeneration(intent: StatusIntent, current: Record<string, unknown>): number | undefined {
  let owned: Condition[];
  if (intent.kind === "BackendTLSPolicy") {
    const ancestors = Array.isArray(current.ancestors) ? (current.ancestors as PolicyAncestorStatus[]) : [];
    owned = ancestors
      .filter(
        (a) =>
          intent.controllerNames.includes(a.controllerName) &&
          namesGateway(a.ancestorRef, intent.gateway, intent.namespace),
      )
      .flatMap((a) => a.conditions);
  } else if ("parents" in intent) {
    const parents = Array.isArray(current.parents) ? (current.parents as RouteStatus["parents"]) : [];
    const scope = "scope" in intent ? intent.scope : undefined;
    owned = parents
      .filter(
        (p) =>
          intent.controllerNames.includes(p.controllerName) &&
          (scope === undefined || parentInScope(p.parentRef, scope, intent.namespace)),
      )
      .flatMap((p) => p.conditions);
  } else {
    const ourTypes = new Set(intent.conditions.map((c) => c.type));
    owned = (conditionsOf(current.conditions) ?? []).filter((c) => ourTypes.has(c.type));
  }
  const generations = owned.flatMap((c) => (typeof c.observedGeneration === "number" ? [c.observedGeneration] : []));
  return generations.length === 0 ? undefined : Math.max(...generations);
}

/** Equality of JSON values regardless of key order (the API server reorders keys). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  // An absent key and an undefined value serialise alike.
  return [...keys].every((key) => sameJson(ra[key], rb[key]));
}

/**
 * Whether and what to write. A status computed from an older generation than the one already
 * written by switchyard is never written: a slow reconcile must not roll status back.
 */
export function decideStatusWrite(intent: StatusIntent, current: CurrentObject, now: string): StatusDecision {
  if (intent.uid !== undefined && current.uid !== undefined && intent.uid !== current.uid) {
    return { write: false, reason: "stale" };
  }
  const written = ownGeneration(intent, current.status);
  if (written !== undefined && written > intent.observedGeneration) return { write: false, reason: "stale" };
  const status = mergedStatus(intent, current.status, now);
  return sameJson(status, current.status) ? { write: false, reason: "unchanged" } : { write: true, status };
}
