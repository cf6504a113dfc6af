/**
 * Which of a translation's statuses one Gateway's reconcile owes, as status intents. Pure.
 *
 * - The Gateway's own, its ListenerSets', and every route that names it, whether attached,
 *   rejected by it, or detached since (a route still carrying an entry of ours for it). A route's
 *   intent carries only its parent entries for this Gateway (and its ListenerSets), scoped so
 *   the writer keeps the entries other Gateways' reconciles wrote (RouteParentsScope).
 * - Every GatewayClass switchyard controls in the cluster. A class's status depends on the class
 *   (and the LoadBalancerConfiguration it names) only, so every reconcile computes the same one;
 *   the writer's no-op check makes the repeats one GET each. Writing all classes, not only the
 *   Gateway's own, lets a class with no Gateway yet be Accepted at the next reconcile of any
 *   Gateway in the cluster (resync reconciles each one periodically).
 * - For each policy with `status.ancestors` (BackendTLSPolicy): the entries naming this Gateway
 *   only. Each ancestor Gateway's reconcile writes its own entry and the writer keeps the others,
 *   so reconciles of different Gateways never overwrite each other's verdicts. An entry of ours for
 *   this Gateway on a policy that no longer reaches it is cleared. Entries that name no Gateway
 *   (target not found, or not behind any switchyard Gateway) are not written: such a policy is not
 *   known to be switchyard's, and in a cluster shared with other controllers it may be theirs.
 * - For each VPC Lattice policy (`status.conditions`, one list per policy) whose target is
 *   switchyard's alone and whose designated Gateway this is (shared/lattice/policy-status.ts): its
 *   Accepted condition as this Gateway's reconcile computed it. Every other Gateway's reconcile
 *   writes nothing for it, so the verdict cannot flip between Gateways.
 */
import { GATEWAY_GROUP } from "../gateway-api/types.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { GatewayKey } from "../keys.ts";
import { isLatticePolicyKind, latticePolicyConditions, latticePolicyWriters } from "../lattice/policy-status.ts";
import type { Snapshot } from "../snapshot.ts";
import type { PolicyStatusUpdate, StatusUpdate } from "../status/compute.ts";
import { type GatewayRef, namesGateway, parentInScope, type RouteParentsScope } from "../status/merge.ts";
import type { StatusIntent } from "../status/writer/decision.ts";
import type { Translation } from "../translate.ts";

const namespaceOf = (object: KubeObject) => object.metadata.namespace ?? "default";
const refKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** Routes whose stored status carries an entry of ours for `gateway`: the ones a detach must clear. */
function routesWithOurEntry(snapshot: Snapshot, gateway: GatewayKey, owned: ReadonlySet<string>): Set<string> {
  const keys = new Set<string>();
  for (const route of snapshot.routes) {
    const namespace = namespaceOf(route);
    const names = (route.status?.parents ?? []).some(
      (p) =>
        owned.has(p.controllerName) &&
        (p.parentRef.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
        (p.parentRef.kind ?? "Gateway") === "Gateway" &&
        `${p.parentRef.namespace ?? namespace}/${p.parentRef.name}` === gateway,
    );
    if (names) keys.add(refKey(route.kind, namespace, route.metadata.name));
  }
  return keys;
}

function gatewayRefOf(gateway: GatewayKey): GatewayRef {
  const slash = gateway.indexOf("/");
  return { namespace: gateway.slice(0, slash), name: gateway.slice(slash + 1) };
}

/**
 * The intents for `gateway` (`namespace/name` within its cluster) out of `translation`, each with
 * its object's generation as observedGeneration.
 */
export function gatewayStatusIntents(
  translation: Translation,
  snapshot: Snapshot,
  gateway: GatewayKey,
  ownedControllers: readonly string[],
): StatusIntent[] {
  const owned = new Set(ownedControllers);
  const resolved = translation.graph.gateways.find((g) => g.key === gateway);
  const listenerSets = new Set(
    (resolved?.listenerSets ?? []).map((s) => refKey("ListenerSet", namespaceOf(s.object), s.object.metadata.name)),
  );
  const routes = routesWithOurEntry(snapshot, gateway, owned);
  for (const route of translation.graph.routes) {
    if (route.parents.some((p) => p.gatewayKey === gateway)) {
      routes.add(refKey(route.kind, namespaceOf(route.object), route.object.metadata.name));
    }
  }
  const generations = new Map<string, number>();
  const uids = new Map<string, string>();
  for (const object of [
    ...snapshot.gatewayClasses,
    ...snapshot.gateways,
    ...snapshot.listenerSets,
    ...snapshot.routes,
    ...snapshot.backendTLSPolicies,
    ...snapshot.latticePolicies,
  ]) {
    const key = refKey(object.kind, namespaceOf(object), object.metadata.name);
    generations.set(key, object.metadata.generation ?? 0);
    if (object.metadata.uid !== undefined) uids.set(key, object.metadata.uid);
  }
  // The generation and uid of the object as translated: the writer refuses a status for an object
  // since replaced by another of the same name.
  const identityOf = (kind: string, namespace: string, name: string) => {
    const key = refKey(kind, namespace, name);
    const uid = uids.get(key);
    return { observedGeneration: generations.get(key) ?? 0, ...(uid === undefined ? {} : { uid }) };
  };

  const intents: StatusIntent[] = [];
  const ancestor = gatewayRefOf(gateway);
  const routeScope = scopeOf(snapshot, ancestor);
  const latticeWriters = latticePolicyWriters(translation.graph, snapshot);
  for (const update of translation.statuses) {
    if (update.kind === "GatewayClass" && "conditions" in update && !("namespace" in update)) {
      intents.push({ ...update, ...identityOf("GatewayClass", "default", update.name) });
      continue;
    }
    if (update.kind === "BackendTLSPolicy" && "status" in update) {
      const intent = policyIntent(update, snapshot, ancestor, ownedControllers);
      if (intent) intents.push({ ...intent, ...identityOf(update.kind, update.namespace, update.name) });
      continue;
    }
    if (isLatticePolicyKind(update.kind) && "status" in update) {
      if (latticeWriters.get(refKey(update.kind, update.namespace, update.name)) !== gateway) continue;
      const conditions = latticePolicyConditions(update, gateway);
      if (conditions === undefined) continue;
      intents.push({
        kind: update.kind,
        namespace: update.namespace,
        name: update.name,
        conditions,
        ...identityOf(update.kind, update.namespace, update.name),
      });
      continue;
    }
    const intent = intentOf(update, identityOf);
    if (!intent || !("namespace" in intent)) continue;
    const key = refKey(intent.kind, intent.namespace, intent.name);
    if ("parents" in intent) {
      if (!routes.has(key)) continue;
      // Only this Gateway's entries: another Gateway's, computed here without its observation,
      // would overwrite what its own reconcile wrote (and back again at its next reconcile).
      const scope = routeScope;
      intents.push({
        ...intent,
        parents: intent.parents.filter((p) => parentInScope(p.parentRef, scope, intent.namespace)),
        scope,
      });
      continue;
    }
    const ours =
      (intent.kind === "Gateway" && `${intent.namespace}/${intent.name}` === gateway) ||
      (intent.kind === "ListenerSet" && listenerSets.has(key));
    if (ours) intents.push(intent);
  }
  return intents;
}

/** This Gateway and the ListenerSets that name it as their parent (accepted or not). */
function scopeOf(snapshot: Snapshot, gateway: GatewayRef): RouteParentsScope {
  const sets = snapshot.listenerSets.filter((set) => {
    const ref = set.spec?.parentRef;
    return (
      ref !== undefined &&
      (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
      (ref.kind ?? "Gateway") === "Gateway" &&
      (ref.namespace ?? namespaceOf(set)) === gateway.namespace &&
      ref.name === gateway.name
    );
  });
  return { gateway, listenerSets: sets.map((set) => ({ namespace: namespaceOf(set), name: set.metadata.name })) };
}

/**
 * The policy's entries for `gateway` among those computed, or an empty set when none is computed
 * but the stored status still has one of ours for it (the policy stopped reaching this Gateway).
 */
function policyIntent(
  update: PolicyStatusUpdate,
  snapshot: Snapshot,
  gateway: GatewayRef,
  ownedControllers: readonly string[],
) {
  const ours = (entry: { ancestorRef: Parameters<typeof namesGateway>[0]; controllerName: string }) =>
    ownedControllers.includes(entry.controllerName) && namesGateway(entry.ancestorRef, gateway, update.namespace);
  const ancestors = update.status.ancestors.filter(ours);
  if (ancestors.length === 0) {
    const stored = snapshot.backendTLSPolicies.find(
      (p) => namespaceOf(p) === update.namespace && p.metadata.name === update.name,
    );
    if (!(stored?.status?.ancestors ?? []).some(ours)) return undefined;
  }
  return {
    kind: "BackendTLSPolicy" as const,
    namespace: update.namespace,
    name: update.name,
    gateway,
    ancestors,
    controllerNames: [...ownedControllers],
  };
}

function intentOf(
  update: StatusUpdate,
  identityOf: (kind: string, namespace: string, name: string) => { observedGeneration: number; uid?: string },
): StatusIntent | undefined {
  switch (update.kind) {
    case "Gateway":
    case "ListenerSet":
    case "HTTPRoute":
    case "GRPCRoute":
    case "TCPRoute":
    case "UDPRoute":
    case "TLSRoute": {
      if (!("namespace" in update)) return undefined;
      return {
        ...update,
        ...identityOf(update.kind, update.namespace, update.name),
      } as StatusIntent;
    }
    default:
      // TargetGroupConfiguration: its CRD has no status to write to.
      return undefined;
  }
}

/** The status intents of GatewayClass `className` alone (a class no Gateway uses). */
export function classIntents(translation: Translation, snapshot: Snapshot, className: string): StatusIntent[] {
  const metadata = snapshot.gatewayClasses.find((c) => c.metadata.name === className)?.metadata;
  const identity = {
    observedGeneration: metadata?.generation ?? 0,
    ...(metadata?.uid === undefined ? {} : { uid: metadata.uid }),
  };
  return translation.statuses.flatMap((update) =>
    update.kind === "GatewayClass" && "conditions" in update && !("namespace" in update) && update.name === className
      ? [{ ...update, ...identity }]
      : [],
  );
}
