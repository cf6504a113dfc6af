/**
 * The backend index: which routes name a backend (a Service or ServiceImport, by namespace and
 * name). Ingest asks it which routes an EndpointSlice or Service change reaches, instead of reading
 * every route of the cluster (bench/RESULTS.md, ingest-throughput).
 *
 * Rules that keep it sound (it may over-approximate, never under-approximate):
 * - a route's entries are added *before* its object is written to the mirror, so no live route
 *   version is ever in the mirror without its entries;
 * - entries a route no longer needs are removed only after the new version is written, and a
 *   left-over entry is harmless: a lookup reads each route it names from the mirror and keeps it
 *   only if the route, as mirrored now, names the backend;
 * - a cluster's index is complete once `markComplete` ran after `add` for every route the mirror
 *   held (ingest builds it on first use: mirrors written before the index existed have none).
 */
import type { RouteKind } from "../gateway-api/types.ts";

/** A route filed under a backend. */
export interface IndexedRoute {
  kind: RouteKind;
  namespace: string;
  name: string;
}

export interface BackendRef {
  namespace: string;
  name: string;
}

export interface BackendIndex {
  /** Files `route` under each of `backends` (idempotent). */
  add(cluster: string, route: IndexedRoute, backends: readonly BackendRef[]): Promise<void>;
  /** Removes `route` from each of `backends` (idempotent). */
  remove(cluster: string, route: IndexedRoute, backends: readonly BackendRef[]): Promise<void>;
  /** The routes filed under `backend` (a superset of those naming it now). */
  routes(cluster: string, backend: BackendRef): Promise<IndexedRoute[]>;
  /** Whether the cluster's index was built (see markComplete). */
  complete(cluster: string): Promise<boolean>;
  markComplete(cluster: string): Promise<void>;
}

/** The sort key of a route within a backend's partition. */
export function indexedRouteKey(route: IndexedRoute): string {
  return `${route.kind}#${route.namespace}/${route.name}`;
}

export function parseIndexedRouteKey(key: string): IndexedRoute | undefined {
  const match = /^([A-Za-z]+Route)#([^/]+)\/(.+)$/.exec(key);
  if (!match) return undefined;
  return { kind: match[1] as RouteKind, namespace: match[2] as string, name: match[3] as string };
}

export class MemoryBackendIndex implements BackendIndex {
  readonly #entries = new Map<string, Map<string, IndexedRoute>>();
  readonly #complete = new Set<string>();

  async add(cluster: string, route: IndexedRoute, backends: readonly BackendRef[]): Promise<void> {
    for (const backend of backends) {
      const key = partitionKey(cluster, backend);
      const entries = this.#entries.get(key) ?? new Map<string, IndexedRoute>();
      entries.set(indexedRouteKey(route), { ...route });
      this.#entries.set(key, entries);
    }
  }

  async remove(cluster: string, route: IndexedRoute, backends: readonly BackendRef[]): Promise<void> {
    for (const backend of backends) this.#entries.get(partitionKey(cluster, backend))?.delete(indexedRouteKey(route));
  }

  async routes(cluster: string, backend: BackendRef): Promise<IndexedRoute[]> {
    return [...(this.#entries.get(partitionKey(cluster, backend))?.values() ?? [])].map((route) => ({ ...route }));
  }

  async complete(cluster: string): Promise<boolean> {
    return this.#complete.has(cluster);
  }

  async markComplete(cluster: string): Promise<void> {
    this.#complete.add(cluster);
  }
}

function partitionKey(cluster: string, backend: BackendRef): string {
  return `${cluster}#${backend.namespace}/${backend.name}`;
}
