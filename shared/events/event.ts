/**
 * The change events a cluster's forwarder sends to the control plane's events.fifo queue, version 1.
 *
 * An event names one object (upsert, delete) or lists every object of one kind (snapshot, so the
 * mirror can tombstone what was deleted while the forwarder was away). The payload is inline or,
 * when the encoded event would not fit in an SQS message, a claim check pointing at the full event
 * stored in S3.
 */

export const SCHEMA_VERSION = 1;

export interface GroupVersionKind {
  /** "" for the core group (Service, Namespace, Secret). */
  group: string;
  version: string;
  kind: string;
}

/** Where the full encoded event lives when it is too large for SQS; `sha256` is of those bytes. */
export interface ClaimCheck {
  bucket: string;
  key: string;
  sha256: string;
  size: number;
}

/** One object as the forwarder forwards it: see `strip.ts` for what is left out. */
export type KubeObjectJson = Record<string, unknown>;

interface ObjectEventBase {
  schemaVersion: typeof SCHEMA_VERSION;
  clusterId: string;
  kind: GroupVersionKind;
  /** Absent for cluster-scoped kinds (Namespace, GatewayClass). */
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /**
   * Only on a `delete`, and only `true` when present: the object still exists but the forwarder
   * stopped forwarding it (a Secret that lost its last reference). `resourceVersion` is then the
   * object's current version, not a deletion's, so the mirror lets an upsert of that same version
   * bring it back when it is referenced again. Absent: a real deletion.
   */
  retraction?: true;
  /**
   * Only on an `upsert` of a Secret (which the forwarder forwards only while something references
   * it): the referring object (its kind, namespace and resourceVersion) whose event the forwarder
   * had processed when it sent this. The mirror compares it with a Secret snapshot's
   * `referrerVersions`, so a snapshot taken before the reference cannot retract the Secret.
   */
  referencedBy?: ReferencePosition;
}

/** A referring object's version, or where a watch of a referring kind stood (`namespace` absent: all). */
export interface ReferencePosition {
  kind: string;
  namespace?: string;
  resourceVersion: string;
}

export type ObjectPayload = { object: KubeObjectJson } | { claimCheck: ClaimCheck };

/**
 * `upsert`: the object exists with this content (created, updated, or listed after a relist).
 * `delete`: the object is gone; `resourceVersion` and the payload are its last state seen. With
 * `retraction: true`, gone from what the forwarder forwards only (see `retraction`).
 */
export type ObjectOp = "upsert" | "delete";

export type ObjectEvent = ObjectEventBase & { op: ObjectOp } & ObjectPayload;

/** Key and version of one object in a snapshot. */
export interface SnapshotItem {
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: string;
}

export type SnapshotPayload = { items: SnapshotItem[] } | { claimCheck: ClaimCheck };

/**
 * Every object of one kind that the forwarder forwards, as of `resourceVersion` (the list's or the
 * watch's position). A mirrored object of this kind absent from `items` whose resourceVersion is
 * not newer than the snapshot's was deleted while nobody watched. `namespaces`, when present,
 * limits what the snapshot speaks for (the forwarder's namespace filter).
 */
export type SnapshotEvent = {
  schemaVersion: typeof SCHEMA_VERSION;
  clusterId: string;
  kind: GroupVersionKind;
  op: "snapshot";
  /** Unique per snapshot the forwarder takes; resends of the same snapshot keep it. */
  snapshotId: string;
  resourceVersion: string;
  namespaces?: string[];
  /**
   * Only on a Secret snapshot: where each watch of a kind that references Secrets (Gateway,
   * ListenerSet, BackendTLSPolicy, ...) stood when it was taken, so the references its list of
   * referenced Secrets reflects.
   */
  referrerVersions?: ReferencePosition[];
} & SnapshotPayload;

export type ChangeEvent = ObjectEvent | SnapshotEvent;
