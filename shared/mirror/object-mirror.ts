/**
 * The objects mirror: the control plane's copy of every forwarded Kubernetes object, per cluster.
 * It is what the reconciler translates, so its one rule is that it converges to the cluster's
 * state whatever order events arrive in: every write is conditional on resourceVersion order, and
 * a delete leaves a tombstone so an upsert older than the delete cannot bring the object back.
 *
 * A retraction (the forwarder stopped forwarding an object that still exists: a Secret that lost
 * its last reference) also leaves a tombstone, marked retracted and at the object's own
 * resourceVersion. A real deletion's event carries a resourceVersion newer than the object's last,
 * so an upsert not newer than a real tombstone is stale; an upsert of the same uid at a version
 * at least a retracted tombstone's brings the object back (it was referenced again, unchanged).
 */
import type { KubeObjectJson, SnapshotItem } from "../events/event.ts";
import { isKnownKind, type KnownKind } from "../manifest/kinds.ts";

/** One object's identity in the mirror. `namespace` is undefined for cluster-scoped kinds. */
export interface ObjectRef {
  cluster: string;
  kind: KnownKind;
  namespace?: string;
  name: string;
}

/**
 * Where a referring kind's watch stood (`namespace` undefined: cluster-wide), or, on a forwarded
 * Secret, which referring object's event (kind, namespace, resourceVersion) the forwarder had
 * processed when it forwarded the Secret. Etcd revisions, so comparable across forwarder restarts.
 */
export interface ReferencePosition {
  kind: string;
  namespace?: string;
  resourceVersion: bigint;
}

/** A live mirrored object with the resourceVersion it was written at. */
export interface MirroredObject {
  ref: ObjectRef;
  uid: string;
  resourceVersion: bigint;
  object: KubeObjectJson;
  /** A Secret's: the reference it was forwarded for (see ReferencePosition); absent otherwise. */
  referencedBy?: ReferencePosition;
}

/**
 * What a write did. `applied`: the mirror now holds this version; `previous` is the live object it
 * replaced (undefined if there was none or it was a tombstone), which the reverse index needs
 * (a route's old parentRefs). `stale`: the mirror already holds this version or a newer one (or a
 * tombstone that outranks it); nothing changed.
 */
export type MirrorWrite = { outcome: "applied"; previous: KubeObjectJson | undefined } | { outcome: "stale" };

/** An object a snapshot found deleted: its last live content, now tombstoned. */
export interface Tombstoned {
  ref: ObjectRef;
  previous: KubeObjectJson;
}

export interface SnapshotScope {
  cluster: string;
  kind: KnownKind;
  items: readonly SnapshotItem[];
  resourceVersion: bigint;
  /** The namespaces the snapshot speaks for; undefined: all. */
  namespaces?: readonly string[];
  /**
   * A Secret snapshot's: where each watch of a referring kind stood when it was taken, i.e. which
   * references its list of referenced Secrets reflects.
   */
  referrerVersions?: readonly ReferencePosition[];
}

export interface ObjectMirror {
  /**
   * Writes `object` unless the mirror holds this resourceVersion or a newer one (live or a real
   * tombstone). Against a retracted tombstone of the same uid, the same resourceVersion applies
   * too (the object referenced again, unchanged), and the object is marked revived at it.
   * `referencedBy` (Secrets): the reference it was forwarded for, kept with it for applySnapshot.
   */
  upsert(
    ref: ObjectRef,
    uid: string,
    resourceVersion: bigint,
    object: KubeObjectJson,
    referencedBy?: ReferencePosition,
  ): Promise<MirrorWrite>;
  /**
   * Tombstones the object at `resourceVersion` unless the mirror holds a newer version. A delete
   * wins a tie with an upsert of the same resourceVersion: a forwarder that saw the object vanish
   * while away reports the delete with the last resourceVersion it knew. It also wins a tie with
   * a retracted tombstone (it turns it into a real one); a replay of itself is stale.
   */
  delete(ref: ObjectRef, uid: string, resourceVersion: bigint, now: number): Promise<MirrorWrite>;
  /**
   * Tombstones the object at `resourceVersion`, its own current version, marked retracted, unless
   * the mirror holds a newer version or any tombstone at it. At a tie with the live object it
   * applies, unless that object was revived at this version: a retraction then is a duplicate of
   * the one that preceded the revival (a redrive), and is stale. A genuine second retraction at
   * the same version is left to the kind's next snapshot (see applySnapshot).
   */
  retract(ref: ObjectRef, uid: string, resourceVersion: bigint, now: number): Promise<MirrorWrite>;
  /**
   * Tombstones, at the snapshot's resourceVersion, every live object of the kind in scope that is
   * absent from `items` and not newer than the snapshot. Returns what it tombstoned. For a kind the
   * forwarder forwards only while referenced (`snapshotRetracts`), absence means unreferenced as
   * well as deleted: the tombstone is a retraction at the object's own resourceVersion instead,
   * and only of an object whose reference the snapshot had seen (`snapshotSawReference`).
   */
  applySnapshot(snapshot: SnapshotScope, now: number): Promise<Tombstoned[]>;
  /**
   * The kinds of which the cluster's forwarder has sent at least one snapshot (recorded by
   * applySnapshot): until then the mirror holds only what events happened to bring, and an object
   * missing from it may still exist in the cluster.
   */
  syncedKinds(cluster: string): Promise<ReadonlySet<KnownKind>>;
  /** The live object, or undefined if absent or tombstoned. */
  get(ref: ObjectRef): Promise<MirroredObject | undefined>;
  /** Live objects of one kind in one cluster (one Query in DynamoDB). */
  listKind(cluster: string, kind: KnownKind): Promise<MirroredObject[]>;
  /** Every live object of the cluster: the core's input (`snapshotOf(loadCluster(...))`). */
  loadCluster(cluster: string): Promise<KubeObjectJson[]>;
}

/**
 * How long a tombstone outlives its delete.
 * @default 15 days — longer than SQS's maximum retention (14 days), so no event older than the
 * delete can still be waiting in events.fifo (or its DLQ redrive) when the tombstone expires.
 */
export const DEFAULT_TOMBSTONE_TTL_SECONDS = 15 * 24 * 60 * 60;

/** A resourceVersion that is not a non-negative integer: refused, never compared as text. */
export class InvalidResourceVersion extends Error {
  readonly value: string;
  constructor(value: string) {
    super(`resourceVersion ${JSON.stringify(value)} is not a non-negative integer`);
    this.name = "InvalidResourceVersion";
    this.value = value;
  }
}

/** A kind switchyard does not mirror (not in shared/manifest/kinds.ts). */
export class UnsupportedKind extends Error {
  readonly kind: string;
  constructor(kind: string) {
    super(`kind ${kind} is not mirrored`);
    this.name = "UnsupportedKind";
    this.kind = kind;
  }
}

/** An object that even compressed does not fit in one DynamoDB item. */
export class ObjectTooLarge extends Error {
  readonly bytes: number;
  constructor(ref: ObjectRef, bytes: number) {
    super(`${describeRef(ref)} is ${bytes} bytes as a compressed item, over DynamoDB's 400 KB item limit`);
    this.name = "ObjectTooLarge";
    this.bytes = bytes;
  }
}

/** resourceVersions are etcd revisions: compared as integers (see shared/events/README.md). */
export function parseResourceVersion(value: string): bigint {
  if (!/^(0|[1-9][0-9]{0,37})$/.test(value)) throw new InvalidResourceVersion(value);
  return BigInt(value);
}

export function mirroredKind(kind: string): KnownKind {
  if (!isKnownKind(kind)) throw new UnsupportedKind(kind);
  return kind;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.cluster}/${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** `namespace/name`, or `/name` for cluster-scoped objects: the sort key within a kind's partition. */
export function objectSortKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/**
 * Whether a snapshot with `namespaces` speaks for an object. A namespace filter limits namespaced
 * objects and Namespace objects themselves; other cluster-scoped objects (GatewayClass) are not
 * filtered by namespace, so the kind's snapshot always speaks for them.
 */
export function inSnapshotScope(
  kind: KnownKind,
  namespace: string | undefined,
  name: string,
  namespaces: readonly string[] | undefined,
): boolean {
  if (namespaces === undefined) return true;
  if (namespace !== undefined) return namespaces.includes(namespace);
  return kind === "Namespace" ? namespaces.includes(name) : true;
}

/**
 * Whether a snapshot of `kind` retracts what it does not list rather than deleting it: Secrets,
 * which the forwarder forwards only while a Gateway, ListenerSet or policy references them, so a
 * Secret missing from their snapshot may well still exist. A deleted Secret tombstoned this way
 * can be revived only by a replay of its own last upsert, and the next snapshot retracts it again.
 */
export function snapshotRetracts(kind: KnownKind): boolean {
  return kind === "Secret";
}

/**
 * Whether a Secret snapshot speaks for an object forwarded for `referencedBy`: the watch of the
 * referring object's kind (cluster-wide, or its namespace's) had reached that object's version
 * when the snapshot was taken. If not, the reference is newer than the snapshot's view (the two
 * travel in different SQS FIFO groups, so the snapshot may arrive after the Secret it did not
 * list yet), and retracting the Secret would take a referenced Secret away until it next changes.
 * An object forwarded without a reference (any other kind, an older forwarder) is spoken for.
 */
export function snapshotSawReference(
  referencedBy: ReferencePosition | undefined,
  referrerVersions: readonly ReferencePosition[] | undefined,
): boolean {
  if (referencedBy === undefined) return true;
  const watch = referrerVersions?.find(
    (position) =>
      position.kind === referencedBy.kind &&
      (position.namespace === undefined || position.namespace === referencedBy.namespace),
  );
  return watch !== undefined && watch.resourceVersion >= referencedBy.resourceVersion;
}

/** The tombstone's TTL attribute value: epoch seconds, as DynamoDB TTL wants. */
export function tombstoneExpiry(now: number, ttlSeconds: number): number {
  return Math.floor(now / 1000) + ttlSeconds;
}
