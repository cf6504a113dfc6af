/**
 * What ingest reads to find the Gateways a batch affects: only the objects `affectedGateways`
 * follows for these changes, not the whole cluster. `affectedGateways` (affected.ts) is pure over
 * a snapshot; for the common changes it needs a handful of objects:
 *
 * - a Gateway or ListenerSet: nothing (it names its Gateway);
 * - a route: the ListenerSets its parents name (by key);
 * - an EndpointSlice, Service, ServiceImport or ServiceExport, a BackendTLSPolicy, a
 *   TargetGroupConfiguration or Lattice policy aimed at a Service: the routes filed under that
 *   backend in the backend index (one Query, then each route by key) and their ListenerSets, and
 *   the backend's ServiceExport (one read: `affectedLatticeExports` asks whether it is federated);
 * - anything else (GatewayClass, ReferenceGrant, Namespace, Secret, LoadBalancerConfiguration,
 *   ListenerRuleConfiguration, a TargetGroupConfiguration with no target): rare, so the whole
 *   cluster, as before.
 *
 * Given those objects `affectedGateways` answers exactly as it does over the whole cluster: each
 * rule it follows looks objects up by the keys collected here (test/unit/pipeline/affected-world.test.ts).
 */

import { isRecord } from "../events/strip.ts";
import type { TargetGroupConfiguration } from "../extensions/aws-lbc.ts";
import type { LatticePolicy } from "../extensions/lattice.ts";
import { type BackendTLSPolicy, GATEWAY_GROUP, ROUTE_KINDS, type Route, type RouteKind } from "../gateway-api/types.ts";
import { type EndpointSlice, SERVICE_NAME_LABEL } from "../k8s/core.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { BackendIndex, BackendRef, IndexedRoute } from "../mirror/backend-index.ts";
import type { ObjectMirror } from "../mirror/object-mirror.ts";
import { emptySnapshot, type Snapshot, snapshotOf } from "../snapshot.ts";
import { type ObjectChange, routeBackends } from "./affected.ts";

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);

/** What the changes need: whole cluster, or these backends, routes and ListenerSets by key. */
interface Needs {
  all: boolean;
  backends: Map<string, BackendRef>;
  routes: Map<string, IndexedRoute>;
}

const namespaceOf = (object: KubeObject) => object.metadata.namespace ?? "default";

export function needsOf(changes: readonly ObjectChange[]): Needs {
  const needs: Needs = { all: false, backends: new Map(), routes: new Map() };
  const backend = (namespace: string, name: string) => needs.backends.set(`${namespace}/${name}`, { namespace, name });
  for (const change of changes) {
    for (const object of [change.before, change.after]) {
      if (object === undefined) continue;
      const namespace = namespaceOf(object);
      if (ROUTE_KIND_SET.has(change.kind) || change.kind === "Gateway" || change.kind === "ListenerSet") continue;
      switch (change.kind) {
        case "EndpointSlice": {
          const service = (object as EndpointSlice).metadata.labels?.[SERVICE_NAME_LABEL];
          if (service !== undefined) backend(namespace, service);
          break;
        }
        case "Service":
        case "ServiceImport":
        case "ServiceExport":
          backend(namespace, object.metadata.name);
          break;
        case "BackendTLSPolicy":
          for (const target of (object as BackendTLSPolicy).spec?.targetRefs ?? []) backend(namespace, target.name);
          break;
        case "TargetGroupConfiguration": {
          // Unvalidated input: a null or malformed reference must not crash ingest.
          const target = (object as TargetGroupConfiguration).spec?.targetReference as unknown;
          if (!isRecord(target) || typeof target.name !== "string") needs.all = true;
          else if (target.kind !== "Gateway") backend(namespace, target.name);
          break;
        }
        case "TargetGroupPolicy":
        case "VpcAssociationPolicy":
        case "AccessLogPolicy":
        case "IAMAuthPolicy": {
          const ref = (object as LatticePolicy).spec?.targetRef as unknown;
          if (!isRecord(ref) || typeof ref.kind !== "string" || typeof ref.name !== "string") break;
          if (ref.kind === "Gateway") break;
          const targetNamespace = typeof ref.namespace === "string" ? ref.namespace : namespace;
          if (ROUTE_KIND_SET.has(ref.kind)) {
            const route = { kind: ref.kind as RouteKind, namespace: targetNamespace, name: ref.name };
            needs.routes.set(`${route.kind}#${targetNamespace}/${ref.name}`, route);
          } else backend(targetNamespace, ref.name);
          break;
        }
        default:
          needs.all = true;
      }
    }
  }
  return needs;
}

/** The part of the cluster `affectedGateways` reads for `changes`. */
export async function worldFor(
  cluster: string,
  changes: readonly ObjectChange[],
  mirror: ObjectMirror,
  index: BackendIndex | undefined,
): Promise<Snapshot> {
  const needs = needsOf(changes);
  if (needs.all) return snapshotOf((await mirror.loadCluster(cluster)) as unknown as KubeObject[]);
  const world = emptySnapshot();
  const routes = new Map<string, Route>();
  if (needs.backends.size > 0) {
    if (index === undefined || !(await index.complete(cluster))) {
      for (const route of await allRoutes(cluster, mirror, index)) routes.set(routeKey(route), route);
    } else {
      const filed = await Promise.all([...needs.backends.values()].map((backend) => index.routes(cluster, backend)));
      for (const route of filed.flat()) needs.routes.set(`${route.kind}#${route.namespace}/${route.name}`, route);
    }
  }
  const wanted = [...needs.routes.values()].filter((r) => !routes.has(`${r.kind}#${r.namespace}/${r.name}`));
  const fetched = await Promise.all(
    wanted.map((r) => mirror.get({ cluster, kind: r.kind, namespace: r.namespace, name: r.name })),
  );
  for (const mirrored of fetched) {
    if (mirrored !== undefined)
      routes.set(routeKey(mirrored.object as unknown as Route), mirrored.object as unknown as Route);
  }
  world.routes = [...routes.values()];
  // The federated ServiceExports of those backends: their export units (affectedLatticeExports).
  const exports = await Promise.all(
    [...needs.backends.values()].map((b) =>
      mirror.get({ cluster, kind: "ServiceExport", namespace: b.namespace, name: b.name }),
    ),
  );
  world.serviceExports = exports.flatMap((m) =>
    m === undefined ? [] : [m.object as unknown as Snapshot["serviceExports"][number]],
  );
  // The ListenerSets that the changed routes and the routes found above name as parents.
  const changedRoutes = changes
    .filter((change) => ROUTE_KIND_SET.has(change.kind))
    .flatMap((change) => [change.before, change.after].filter((o): o is KubeObject => o !== undefined) as Route[]);
  const sets = new Map<string, BackendRef>();
  for (const route of [...world.routes, ...changedRoutes]) {
    const parents = [...(route.spec?.parentRefs ?? []), ...(route.status?.parents ?? []).map((p) => p.parentRef)];
    for (const ref of parents) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || ref.kind !== "ListenerSet") continue;
      const namespace = ref.namespace ?? namespaceOf(route);
      sets.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
    }
  }
  const listenerSets = await Promise.all(
    [...sets.values()].map((s) => mirror.get({ cluster, kind: "ListenerSet", namespace: s.namespace, name: s.name })),
  );
  world.listenerSets = listenerSets.flatMap((m) =>
    m === undefined ? [] : [m.object as unknown as Snapshot["listenerSets"][number]],
  );
  return world;
}

/**
 * Every route of the cluster; with an index that is not complete yet, files each of them first and
 * marks the index complete (a mirror written before the index existed).
 */
async function allRoutes(cluster: string, mirror: ObjectMirror, index: BackendIndex | undefined): Promise<Route[]> {
  const routes: Route[] = [];
  for (const kind of ROUTE_KINDS) {
    for (const mirrored of await mirror.listKind(cluster, kind)) routes.push(mirrored.object as unknown as Route);
  }
  if (index !== undefined) {
    for (const route of routes) await index.add(cluster, indexedRouteOf(route), routeBackends(route));
    await index.markComplete(cluster);
  }
  return routes;
}

export function indexedRouteOf(route: Route): IndexedRoute {
  return { kind: route.kind as RouteKind, namespace: namespaceOf(route), name: route.metadata.name };
}

function routeKey(route: Route): string {
  return `${route.kind}#${namespaceOf(route)}/${route.metadata.name}`;
}
