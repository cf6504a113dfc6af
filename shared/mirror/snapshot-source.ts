/**
 * The reconciler's view of a cluster: every live mirrored object, as the core's snapshot. It
 * refuses a cluster whose forwarder has not yet sent a snapshot of the kinds that decide whether
 * a Gateway is switchyard's at all: read too early, a Gateway missing from the mirror would look
 * deleted, and its reconcile would delete a load balancer that still serves.
 */
import type { ServiceExport } from "../extensions/lattice.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { KnownKind } from "../manifest/kinds.ts";
import type { SnapshotSource } from "../pipeline/reconcile-gateway.ts";
import { type Snapshot, snapshotOf } from "../snapshot.ts";
import type { ObjectMirror } from "./object-mirror.ts";

/** Kinds whose absence from the mirror deletes AWS resources: they must have been snapshotted. */
export const KINDS_TO_SYNC: readonly KnownKind[] = ["GatewayClass", "Gateway"];

/** The cluster's mirror is not complete yet; retry once its forwarder's snapshots have arrived. */
export class ClusterNotSynced extends Error {
  readonly cluster: string;
  readonly missing: readonly KnownKind[];

  constructor(cluster: string, missing: readonly KnownKind[]) {
    super(`cluster ${cluster} has not been synced yet: no snapshot of ${missing.join(", ")} from its forwarder`);
    this.name = "ClusterNotSynced";
    this.cluster = cluster;
    this.missing = missing;
  }
}

export class MirrorSnapshotSource implements SnapshotSource {
  readonly #mirror: ObjectMirror;

  constructor(mirror: ObjectMirror) {
    this.#mirror = mirror;
  }

  /** A cluster's ServiceExports alone (one kind read), for other clusters' Lattice imports. */
  async serviceExports(clusterId: string): Promise<ServiceExport[]> {
    return (await this.#mirror.listKind(clusterId, "ServiceExport")).map((m) => m.object as unknown as ServiceExport);
  }

  async load(clusterId: string): Promise<Snapshot> {
    const synced = await this.#mirror.syncedKinds(clusterId);
    const missing = KINDS_TO_SYNC.filter((kind) => !synced.has(kind));
    if (missing.length > 0) throw new ClusterNotSynced(clusterId, missing);
    // The API server validated and defaulted every object before the forwarder saw it.
    return snapshotOf((await this.#mirror.loadCluster(clusterId)) as unknown as KubeObject[]);
  }
}
