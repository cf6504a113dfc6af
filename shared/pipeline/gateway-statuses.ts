/**
 * Which of a translation's statuses one Gateway's reconcile owes, as status intents: the
 * Gateway's own, its ListenerSets', and every route that names it, whether attached, rejected by
 * it, or detached since (a route still carrying an entry of ours for it). Pure.
 */
import { GATEWAY_GROUP } from "../gateway-api/types.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { GatewayKey } from "../keys.ts";
import type { Snapshot } from "../snapshot.ts";
import type { StatusUpdate } from "../status/compute.ts";
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

/**
 * The intents for `gateway` (`namespace/name` within its cluster) out of `translation`, each with
 * its object's generation as observedGeneration. GatewayClass and policy statuses are not a
 * Gateway's to write: they are shared by many Gateways.
 */
export function gatewayStatusIntents(
  translation: Translation,
  snapshot: Snapshot,
  gateway: GatewayKey,
  ownedControllers: readonly string[],
): StatusIntent[] {
  const resolved = translation.graph.gateways.find((g) => g.key === gateway);
  const listenerSets = new Set(
    (resolved?.listenerSets ?? []).map((s) => refKey("ListenerSet", namespaceOf(s.object), s.object.metadata.name)),
  );
  const routes = routesWithOurEntry(snapshot, gateway, new Set(ownedControllers));
  for (const route of translation.graph.routes) {
    if (route.parents.some((p) => p.gatewayKey === gateway)) {
      routes.add(refKey(route.kind, namespaceOf(route.object), route.object.metadata.name));
    }
  }
  const generations = new Map<string, number>();
  for (const object of [...snapshot.gateways, ...snapshot.listenerSets, ...snapshot.routes]) {
    generations.set(refKey(object.kind, namespaceOf(object), object.metadata.name), object.metadata.generation ?? 0);
  }

  const intents: StatusIntent[] = [];
  for (const update of translation.statuses) {
    const intent = intentOf(update, generations);
    if (!intent || !("namespace" in intent)) continue;
    const key = refKey(intent.kind, intent.namespace, intent.name);
    const ours =
      (intent.kind === "Gateway" && `${intent.namespace}/${intent.name}` === gateway) ||
      (intent.kind === "ListenerSet" && listenerSets.has(key)) ||
      ("parents" in intent && routes.has(key));
    if (ours) intents.push(intent);
  }
  return intents;
}

function intentOf(update: StatusUpdate, generations: ReadonlyMap<string, number>): StatusIntent | undefined {
  switch (update.kind) {
    case "GatewayClass":
      return undefined;
    case "Gateway":
    case "ListenerSet":
    case "HTTPRoute":
    case "GRPCRoute":
    case "TCPRoute":
    case "UDPRoute":
    case "TLSRoute": {
      if (!("namespace" in update)) return undefined;
      const generation = generations.get(refKey(update.kind, update.namespace, update.name)) ?? 0;
      return { ...update, observedGeneration: generation } as StatusIntent;
    }
    default:
      // Policies: their status is not a StatusIntent kind the writer handles.
      return undefined;
  }
}
