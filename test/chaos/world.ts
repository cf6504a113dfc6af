// The cluster a chaos run changes: its objects with Kubernetes' bookkeeping (uid, resourceVersion
// from one counter as etcd's revision, generation bumped on spec changes), and the change events a
// forwarder would send for each change. Not a test file itself.
import type { ChangeEvent, GroupVersionKind, KubeObjectJson, SnapshotEvent } from "../../shared/events/index.ts";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const APPS = "apps";
/** Backends another namespace's routes may reach only through a ReferenceGrant. */
export const SHARED = "shared";
export const GATEWAY_CLASS = "alb";

export type ChaosKind = "GatewayClass" | "Gateway" | "HTTPRoute" | "Service" | "EndpointSlice" | "ReferenceGrant";

export const KINDS: Record<ChaosKind, GroupVersionKind> = {
  GatewayClass: { group: GATEWAY_GROUP, version: "v1", kind: "GatewayClass" },
  Gateway: { group: GATEWAY_GROUP, version: "v1", kind: "Gateway" },
  HTTPRoute: { group: GATEWAY_GROUP, version: "v1", kind: "HTTPRoute" },
  Service: { group: "", version: "v1", kind: "Service" },
  EndpointSlice: { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" },
  ReferenceGrant: { group: GATEWAY_GROUP, version: "v1beta1", kind: "ReferenceGrant" },
};

export interface WorldObject {
  kind: ChaosKind;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: number;
  generation: number;
  /** Everything but apiVersion, kind and metadata. */
  body: Record<string, unknown>;
  labels?: Record<string, string>;
}

const keyOf = (kind: ChaosKind, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

export class World {
  readonly clusterId: string;
  readonly objects = new Map<string, WorldObject>();
  /** Every Gateway name ever created (for the final drift checks of deleted ones too). */
  readonly gatewaysEver = new Set<string>();
  #revision = 1;
  #uids = 0;
  #snapshots = 0;

  constructor(clusterId: string) {
    this.clusterId = clusterId;
  }

  get(kind: ChaosKind, namespace: string | undefined, name: string): WorldObject | undefined {
    return this.objects.get(keyOf(kind, namespace, name));
  }

  list(kind: ChaosKind): WorldObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }

  /** Creates or replaces the object; the generation moves when the spec does. */
  upsert(
    kind: ChaosKind,
    namespace: string | undefined,
    name: string,
    body: Record<string, unknown>,
    labels?: Record<string, string>,
  ): ChangeEvent {
    const key = keyOf(kind, namespace, name);
    const existing = this.objects.get(key);
    this.#revision += 1;
    const specChanged = JSON.stringify(existing?.body) !== JSON.stringify(body);
    const object: WorldObject = {
      kind,
      ...(namespace !== undefined ? { namespace } : {}),
      name,
      uid: existing?.uid ?? `uid-${this.clusterId}-${++this.#uids}`,
      resourceVersion: this.#revision,
      generation: existing === undefined ? 1 : existing.generation + (specChanged ? 1 : 0),
      body,
      ...(labels ? { labels } : {}),
    };
    this.objects.set(key, object);
    if (kind === "Gateway") this.gatewaysEver.add(name);
    return this.event(object, "upsert");
  }

  delete(kind: ChaosKind, namespace: string | undefined, name: string): ChangeEvent | undefined {
    const key = keyOf(kind, namespace, name);
    const existing = this.objects.get(key);
    if (existing === undefined) return undefined;
    this.objects.delete(key);
    this.#revision += 1;
    return this.event({ ...existing, resourceVersion: this.#revision }, "delete");
  }

  /** What a restarted forwarder sends after a 410 relist: every object, then a snapshot per kind. */
  relist(): ChangeEvent[] {
    const upserts = [...this.objects.values()].map((o) => this.event(o, "upsert"));
    this.#snapshots += 1;
    const snapshots = (Object.keys(KINDS) as ChaosKind[]).map(
      (kind): SnapshotEvent => ({
        schemaVersion: 1,
        clusterId: this.clusterId,
        kind: KINDS[kind],
        op: "snapshot",
        snapshotId: `${this.clusterId}-relist-${this.#snapshots}-${kind}`,
        resourceVersion: String(this.#revision),
        items: this.list(kind).map((o) => ({
          ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
          name: o.name,
          uid: o.uid,
          resourceVersion: String(o.resourceVersion),
        })),
      }),
    );
    return [...upserts, ...snapshots];
  }

  event(object: WorldObject, op: "upsert" | "delete"): ChangeEvent {
    const gvk = KINDS[object.kind];
    const json: KubeObjectJson = {
      apiVersion: gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version,
      kind: object.kind,
      metadata: {
        name: object.name,
        ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
        uid: object.uid,
        resourceVersion: String(object.resourceVersion),
        generation: object.generation,
        ...(object.labels ? { labels: object.labels } : {}),
      },
      ...object.body,
    };
    return {
      schemaVersion: 1,
      clusterId: this.clusterId,
      kind: gvk,
      op,
      ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
      name: object.name,
      uid: object.uid,
      resourceVersion: String(object.resourceVersion),
      object: json,
    };
  }
}
