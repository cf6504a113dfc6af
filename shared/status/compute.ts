/**
 * Every status switchyard owes, computed from the resolved graph and what is known of the data
 * plane. Accepted and ResolvedRefs come from Kubernetes state alone; Programmed and addresses wait
 * for the data plane. Route statuses carry only this controller's parent entries; `merge.ts` folds
 * them into the object's existing status without touching other controllers' entries.
 */

import type { LatticePolicy } from "../extensions/lattice.ts";
import { GATEWAY_GROUP, type ListenerStatus, type PolicyStatus, type RouteParentStatus } from "../gateway-api/types.ts";
import {
  gatewayAccepted,
  listenerIsUsable,
  listenerSetAccepted,
  type ResolvedGateway,
  type ResolvedGraph,
  type ResolvedListener,
  type ResolvedListenerSet,
  type ResolvedRoute,
} from "../graph/model.ts";
import type { ResolvedPolicy } from "../graph/policies.ts";
import type { Condition } from "../k8s/meta.ts";
import { latticePolicyProblem } from "../lattice/policies.ts";
import type { Snapshot } from "../snapshot.ts";
import { Cond, condition, Reason } from "./conditions.ts";

/** What the data plane reported for one Gateway, keyed by `namespace/name` in StatusInputs. */
export interface DataPlaneObservation {
  /** The load balancer / service network exists and is active. */
  programmed: boolean;
  /** DNS name (ALB/NLB) or service network ARN-derived address to publish in status. */
  address?: string;
  /**
   * The Gateway is not accepted and the data plane is held (shared/reconcile/hold.ts): what still
   * serves its last accepted configuration, for the Programmed=False message.
   */
  held?: string;
  /** Why it is not programmed yet, or an AWS error to surface. */
  message?: string;
  /** The Programmed=False reason when not `Pending` (e.g. `NoResources`: no subnet qualifies). */
  reason?: string;
  /**
   * Sentences the Programmed message of the Gateway carries whatever the outcome: what the data
   * plane left out by a limit without failing (a VPC Lattice Gateway service's left-out routes).
   */
  notes?: readonly string[];
  /** Per listener id: a data-plane reason it could not be programmed (limits, AWS errors). */
  listenerProblems?: Readonly<Record<string, string>>;
  /** Per listener id: why it is not programmed yet although nothing is wrong with it. */
  listenerPending?: Readonly<Record<string, string>>;
  /** Per route key: a data-plane reason the route could not be programmed (limits). */
  routeProblems?: Readonly<Record<string, { reason: string; message: string }>>;
  /** Routes programmed without some of their matches, with the reason (PartiallyInvalid). */
  routePartial?: Readonly<Record<string, { reason: string; message: string }>>;
  /**
   * Per policy key (`Kind/namespace/name`): AWS refused to apply the policy on this Gateway's data
   * plane; its entry for this Gateway says Accepted=False with the reason and AWS's words.
   */
  policyProblems?: Readonly<Record<string, { reason: string; message: string }>>;
}

export interface StatusInputs {
  observations?: ReadonlyMap<string, DataPlaneObservation>;
}

export interface GatewayClassStatusUpdate {
  kind: "GatewayClass";
  name: string;
  conditions: Condition[];
}

export interface GatewayStatusUpdate {
  kind: "Gateway";
  namespace: string;
  name: string;
  conditions: Condition[];
  listeners: ListenerStatus[];
  addresses: { type: "Hostname" | "IPAddress"; value: string }[];
  attachedListenerSets: number;
}

export interface ListenerSetStatusUpdate {
  kind: "ListenerSet";
  namespace: string;
  name: string;
  conditions: Condition[];
  listeners: ListenerStatus[];
}

export interface RouteStatusUpdate {
  kind: ResolvedRoute["kind"];
  namespace: string;
  name: string;
  /** This control plane's parent entries (one per parentRef naming one of its Gateways). */
  parents: RouteParentStatus[];
  /** Controller names whose entries this update replaces (stale ones are dropped). */
  controllerNames: string[];
}

export interface PolicyStatusUpdate {
  kind: string;
  namespace: string;
  name: string;
  status: PolicyStatus;
}

export type StatusUpdate =
  | GatewayClassStatusUpdate
  | GatewayStatusUpdate
  | ListenerSetStatusUpdate
  | RouteStatusUpdate
  | PolicyStatusUpdate;

export function computeStatuses(
  graph: ResolvedGraph,
  snapshot: Snapshot,
  ownedControllers: readonly string[],
  inputs: StatusInputs = {},
): StatusUpdate[] {
  const updates: StatusUpdate[] = [];
  for (const gc of graph.gatewayClasses) {
    const gen = gc.object.metadata.generation;
    updates.push({
      kind: "GatewayClass",
      name: gc.object.metadata.name,
      conditions: [
        gc.problem
          ? condition(Cond.Accepted, false, gc.problem.reason, gc.problem.message, gen)
          : condition(Cond.Accepted, true, Reason.Accepted, `handled by switchyard (${gc.dataPlane})`, gen),
        condition(Cond.SupportedVersion, true, "SupportedVersion", "Gateway API v1.6 CRDs are supported", gen),
      ],
    });
  }
  for (const gateway of graph.gateways) {
    const observation = inputs.observations?.get(gateway.key);
    updates.push(gatewayStatus(gateway, observation));
    for (const set of gateway.listenerSets) updates.push(listenerSetStatus(set, gateway, observation));
  }
  // A loop, not push(...spread): there can be more policies than the stack has room for arguments.
  for (const update of policyStatuses(graph, ownedControllers, inputs)) updates.push(update);
  const routesWithUpdates = new Set<string>();
  const gatewaysByKey = new Map(graph.gateways.map((g) => [g.key, g]));
  for (const route of graph.routes) {
    routesWithUpdates.add(route.key);
    updates.push(routeStatus(route, gatewaysByKey, ownedControllers, inputs));
  }
  // A route that no longer names any of our Gateways still carries our old entries: clear them.
  for (const route of snapshot.routes) {
    const key = `${route.kind}/${route.metadata.namespace ?? "default"}/${route.metadata.name}`;
    if (routesWithUpdates.has(key)) continue;
    const stale = (route.status?.parents ?? []).some((p) => ownedControllers.includes(p.controllerName));
    if (stale) {
      updates.push({
        kind: route.kind,
        namespace: route.metadata.namespace ?? "default",
        name: route.metadata.name,
        parents: [],
        controllerNames: [...ownedControllers],
      });
    }
  }
  return updates;
}

function gatewayStatus(gateway: ResolvedGateway, observation: DataPlaneObservation | undefined): GatewayStatusUpdate {
  const gen = gateway.object.metadata.generation;
  const accepted = gatewayAccepted(gateway);
  const invalidListeners = gateway.listeners.filter((l) => l.acceptedProblem || l.conflict || l.resolvedRefsProblem);
  const conditions: Condition[] = [];
  if (gateway.problem) {
    conditions.push(condition(Cond.Accepted, false, gateway.problem.reason, gateway.problem.message, gen));
  } else if (!accepted) {
    conditions.push(condition(Cond.Accepted, false, Reason.ListenersNotValid, "no listener is valid", gen));
  } else if (invalidListeners.length > 0) {
    conditions.push(
      condition(
        Cond.Accepted,
        true,
        Reason.ListenersNotValid,
        `invalid listeners: ${invalidListeners.map((l) => l.name).join(", ")}`,
        gen,
      ),
    );
  } else {
    conditions.push(condition(Cond.Accepted, true, Reason.Accepted, "accepted", gen));
  }
  conditions.push(programmedCondition(accepted, observation, gen));
  return {
    kind: "Gateway",
    namespace: gateway.object.metadata.namespace ?? "default",
    name: gateway.object.metadata.name,
    conditions,
    listeners: gateway.listeners.map((l) => listenerStatus(l, gen, accepted, observation)),
    addresses: observation?.address ? [{ type: "Hostname", value: observation.address }] : [],
    attachedListenerSets: accepted ? gateway.listenerSets.filter(listenerSetAccepted).length : 0,
  };
}

function programmedCondition(
  accepted: boolean,
  observation: DataPlaneObservation | undefined,
  gen: number | undefined,
): Condition {
  if (!accepted) {
    // Held: Programmed says what serves, but stays False with Invalid, since the Gateway's current
    // generation is not what the data plane serves (True would claim it is).
    const held = observation?.held ? `; ${observation.held}` : "";
    return condition(Cond.Programmed, false, Reason.Invalid, `the Gateway is not accepted${held}`, gen);
  }
  const notes = observation?.notes?.length ? `; ${observation.notes.join("; ")}` : "";
  if (observation?.programmed)
    return condition(Cond.Programmed, true, Reason.Programmed, `${observation.message ?? "programmed"}${notes}`, gen);
  return condition(
    Cond.Programmed,
    false,
    observation?.reason ?? Reason.Pending,
    `${observation?.message ?? "waiting for the data plane"}${notes}`,
    gen,
  );
}

function listenerStatus(
  l: ResolvedListener,
  gen: number | undefined,
  gatewayAccepted: boolean,
  observation: DataPlaneObservation | undefined,
): ListenerStatus {
  const conditions: Condition[] = [];
  const acceptedProblem = l.conflict ?? l.acceptedProblem;
  conditions.push(
    acceptedProblem
      ? condition(Cond.Accepted, false, acceptedProblem.reason, acceptedProblem.message, gen)
      : condition(Cond.Accepted, true, Reason.Accepted, "accepted", gen),
  );
  conditions.push(
    l.conflict
      ? condition(Cond.Conflicted, true, l.conflict.reason, l.conflict.message, gen)
      : condition(Cond.Conflicted, false, Reason.NoConflicts, "no conflicts", gen),
  );
  conditions.push(
    l.resolvedRefsProblem
      ? condition(Cond.ResolvedRefs, false, l.resolvedRefsProblem.reason, l.resolvedRefsProblem.message, gen)
      : condition(Cond.ResolvedRefs, true, Reason.ResolvedRefs, "all references resolved", gen),
  );
  if (l.overlappingTls) {
    // Negative polarity: present only while True.
    conditions.push(condition(Cond.OverlappingTLSConfig, true, l.overlappingTls.reason, l.overlappingTls.message, gen));
  }
  const dataPlaneProblem = observation?.listenerProblems?.[l.id];
  if (l.conflict) {
    // Conformance (ListenerSetHostnameConflict/ProtocolConflict) expects the conflict as the reason.
    conditions.push(condition(Cond.Programmed, false, l.conflict.reason, l.conflict.message, gen));
  } else if (!listenerIsUsable(l) || !gatewayAccepted) {
    const why = listenerIsUsable(l) ? "its parent is not accepted" : "the listener is not valid";
    conditions.push(condition(Cond.Programmed, false, Reason.Invalid, why, gen));
  } else if (dataPlaneProblem) {
    conditions.push(condition(Cond.Programmed, false, Reason.Invalid, dataPlaneProblem, gen));
  } else if (observation?.listenerPending?.[l.id]) {
    conditions.push(condition(Cond.Programmed, false, Reason.Pending, observation.listenerPending[l.id] ?? "", gen));
  } else if (observation?.programmed) {
    conditions.push(condition(Cond.Programmed, true, Reason.Programmed, "programmed", gen));
  } else {
    conditions.push(
      condition(Cond.Programmed, false, Reason.Pending, observation?.message ?? "waiting for the data plane", gen),
    );
  }
  return {
    name: l.name,
    supportedKinds: l.mixedTermination
      ? []
      : l.supportedKinds.map((k) => ({ group: k.group ?? GATEWAY_GROUP, kind: k.kind })),
    // Routes the data plane rejected (limits, unsupported values) are not Accepted, so not counted.
    attachedRoutes: new Set(l.attachments.map((a) => a.route.key).filter((k) => !observation?.routeProblems?.[k])).size,
    conditions,
  };
}

function listenerSetStatus(
  set: ResolvedListenerSet,
  gateway: ResolvedGateway,
  observation: DataPlaneObservation | undefined,
): ListenerSetStatusUpdate {
  const gen = set.object.metadata.generation;
  const gwAccepted = gatewayAccepted(gateway);
  const conditions: Condition[] = [];
  const invalid = set.listeners.filter((l) => l.acceptedProblem || l.conflict || l.resolvedRefsProblem);
  if (set.problem) {
    conditions.push(condition(Cond.Accepted, false, set.problem.reason, set.problem.message, gen));
  } else if (!gwAccepted) {
    conditions.push(
      condition(Cond.Accepted, false, Reason.ParentNotAccepted, `Gateway ${gateway.key} is not accepted`, gen),
    );
  } else if (invalid.length === set.listeners.length && set.listeners.length > 0) {
    conditions.push(condition(Cond.Accepted, false, Reason.ListenersNotValid, "no listener is valid", gen));
  } else if (invalid.length > 0) {
    conditions.push(
      condition(
        Cond.Accepted,
        true,
        Reason.ListenersNotValid,
        `invalid listeners: ${invalid.map((l) => l.name).join(", ")}`,
        gen,
      ),
    );
  } else {
    conditions.push(condition(Cond.Accepted, true, Reason.Accepted, "accepted", gen));
  }
  const accepted = conditions[0]?.status === "True";
  const rejection = conditions[0];
  conditions.push(
    // Conformance (ListenerSetDefaultNotAllowed, …) expects the rejection's reason on Programmed too.
    !accepted && rejection
      ? condition(Cond.Programmed, false, rejection.reason, rejection.message, gen)
      : programmedCondition(accepted, observation, gen),
  );
  return {
    kind: "ListenerSet",
    namespace: set.object.metadata.namespace ?? "default",
    name: set.object.metadata.name,
    conditions,
    listeners: set.problem ? [] : set.listeners.map((l) => listenerStatus(l, gen, accepted, observation)),
  };
}

function routeStatus(
  route: ResolvedRoute,
  gatewaysByKey: ReadonlyMap<string, ResolvedGateway>,
  ownedControllers: readonly string[],
  inputs: StatusInputs,
): RouteStatusUpdate {
  const gen = route.object.metadata.generation;
  // Every controller name this control plane owns: an entry left by one of them for a parentRef the
  // route no longer has (say it moved from an ALB to a Lattice Gateway) is stale and must go.
  const controllerNames = new Set<string>(ownedControllers);
  const parents: RouteParentStatus[] = route.parents.map((parent) => {
    const gateway = gatewaysByKey.get(parent.gatewayKey);
    const controllerName = gateway?.gatewayClass.object.spec?.controllerName ?? "";
    controllerNames.add(controllerName);
    const dataPlaneProblem = inputs.observations?.get(parent.gatewayKey)?.routeProblems?.[route.key];
    const conditions: Condition[] = [];
    if (parent.acceptedProblem) {
      conditions.push(
        condition(Cond.Accepted, false, parent.acceptedProblem.reason, parent.acceptedProblem.message, gen),
      );
    } else if (dataPlaneProblem) {
      conditions.push(condition(Cond.Accepted, false, dataPlaneProblem.reason, dataPlaneProblem.message, gen));
    } else {
      conditions.push(condition(Cond.Accepted, true, Reason.Accepted, "accepted", gen));
    }
    conditions.push(
      route.resolvedRefsProblem
        ? condition(Cond.ResolvedRefs, false, route.resolvedRefsProblem.reason, route.resolvedRefsProblem.message, gen)
        : condition(Cond.ResolvedRefs, true, Reason.ResolvedRefs, "all references resolved", gen),
    );
    const partial = inputs.observations?.get(parent.gatewayKey)?.routePartial?.[route.key];
    if (partial && conditions[0]?.status === "True") {
      // Negative polarity: present only while True.
      conditions.push(condition(Cond.PartiallyInvalid, true, partial.reason, partial.message, gen));
    }
    return {
      parentRef: echoParentRef(route, parent.parentRefIndex),
      controllerName,
      conditions,
    };
  });
  return {
    kind: route.kind,
    namespace: route.object.metadata.namespace ?? "default",
    name: route.object.metadata.name,
    parents,
    controllerNames: [...controllerNames],
  };
}

/** The parentRef as the user wrote it, with group and kind filled in as conformance expects. */
function echoParentRef(route: ResolvedRoute, index: number): RouteParentStatus["parentRef"] {
  const ref = route.object.spec?.parentRefs?.[index];
  if (!ref) return { name: "" };
  return { group: ref.group ?? GATEWAY_GROUP, kind: ref.kind ?? "Gateway", ...ref };
}

/**
 * Policy status per ancestor Gateway (GEP-713). A policy whose target reaches none of our Gateways
 * gets one entry naming the target itself, so TargetNotFound and Conflicted are still visible.
 */
function policyStatuses(
  graph: ResolvedGraph,
  ownedControllers: readonly string[],
  inputs: StatusInputs,
): PolicyStatusUpdate[] {
  if (graph.policies.length === 0) return [];
  const gatewaysOf = new Map<string, Set<ResolvedGateway>>();
  const link = (target: string, gateway: ResolvedGateway) => {
    const set = gatewaysOf.get(target) ?? new Set();
    set.add(gateway);
    gatewaysOf.set(target, set);
  };
  const gatewaysByKey = new Map(graph.gateways.map((g) => [g.key, g]));
  for (const g of graph.gateways) link(`Gateway/${g.key}`, g);
  for (const route of graph.routes) {
    for (const parent of route.parents) {
      const gateway = gatewaysByKey.get(parent.gatewayKey);
      if (!gateway) continue;
      link(route.key, gateway);
      for (const rule of route.rules)
        for (const b of rule.backends) link(`${b.kind}/${b.namespace}/${b.name}`, gateway);
    }
  }
  // With no ancestor Gateway to take it from, a policy's entry names a controller of the data plane
  // its kind belongs to (a Lattice policy is not an ALB controller's business).
  const controllerFor = (policy: ResolvedPolicy): string => {
    const plane =
      policy.kind === "TargetGroupConfiguration" ? "alb" : policy.kind === "BackendTLSPolicy" ? "" : "lattice";
    const owner = graph.gatewayClasses.find((c) => c.dataPlane === plane)?.object.spec?.controllerName;
    return owner ?? ownedControllers[0] ?? "";
  };
  return graph.policies.map((policy) => {
    const gen = policy.object.metadata.generation;
    const namespace = policy.object.metadata.namespace ?? "default";
    const gateways = [...new Set(policy.targets.flatMap((t) => [...(gatewaysOf.get(t) ?? [])]))];
    const verdict = (gateway: ResolvedGateway | undefined): Condition => {
      if (policy.problem) return condition(Cond.Accepted, false, policy.problem.reason, policy.problem.message, gen);
      const unenforceable = gateway && policyUnenforceable(policy, gateway);
      if (unenforceable) return condition(Cond.Accepted, false, Reason.Invalid, unenforceable, gen);
      // Accepted by Kubernetes' rules, refused by AWS when this Gateway's reconcile applied it.
      const refused = gateway && inputs.observations?.get(gateway.key)?.policyProblems?.[policy.key];
      if (refused) return condition(Cond.Accepted, false, refused.reason, refused.message, gen);
      return condition(Cond.Accepted, true, Reason.Accepted, "accepted", gen);
    };
    const ancestors =
      gateways.length > 0
        ? gateways.map((g) => ({
            ancestorRef: {
              group: GATEWAY_GROUP,
              kind: "Gateway",
              namespace: g.object.metadata.namespace ?? "default",
              name: g.object.metadata.name,
            },
            controllerName: g.gatewayClass.object.spec?.controllerName ?? controllerFor(policy),
            conditions: [verdict(g)],
          }))
        : policy.targets.slice(0, 1).map((t) => {
            const [kind = "", ns = namespace, name = ""] = t.split("/");
            return {
              ancestorRef: { group: kind === "Service" ? "" : GATEWAY_GROUP, kind, namespace: ns, name },
              controllerName: controllerFor(policy),
              conditions: [verdict(undefined)],
            };
          });
    // A policy whose only target reference was rejected still reports why, on that reference.
    if (ancestors.length === 0 && policy.rejectedTarget) {
      ancestors.push({
        ancestorRef: policy.rejectedTarget,
        controllerName: controllerFor(policy),
        conditions: [verdict(undefined)],
      });
    }
    return { kind: policy.kind, namespace, name: policy.object.metadata.name, status: { ancestors } };
  });
}

/** A policy the ancestor's data plane cannot honour, with the reason in words. */
function policyUnenforceable(policy: ResolvedPolicy, gateway: ResolvedGateway): string | undefined {
  const lattice = gateway.dataPlane === "lattice";
  switch (policy.kind) {
    case "BackendTLSPolicy":
      return `${gateway.dataPlane === "lattice" ? "VPC Lattice" : "Elastic Load Balancing"} does not verify target certificates, so the validation this policy asks for cannot be enforced`;
    case "TargetGroupPolicy":
    case "VpcAssociationPolicy":
    case "AccessLogPolicy":
    case "IAMAuthPolicy":
      if (!lattice) return `${policy.kind} applies to VPC Lattice Gateways only`;
      return latticePolicyProblem(policy.object as LatticePolicy);
    case "TargetGroupConfiguration":
      return lattice
        ? "TargetGroupConfiguration applies to ALB and NLB Gateways only; use TargetGroupPolicy"
        : undefined;
  }
}
