/**
 * The in-memory twin of the DynamoDB mirror, for pure tests of the ingest and the reconciler. Each
 * method checks and writes without an await in between, so it is as atomic as one conditional
 * PutItem. Objects are copied through JSON on the way in and out, and the 400 KB limit is measured
 * on the item the DynamoDB codec would write, so what fits here fits there.
 */
import type { KubeObjectJson } from "../../events/event.ts";
import { KINDS, type KnownKind } from "../../manifest/kinds.ts";
import { encodeLiveItem, kindPartition } from "../dynamodb/object-item.ts";
import {
  inSnapshotScope,
  type MirroredObject,
  type MirrorWrite,
  type ObjectMirror,
  type ObjectRef,
  objectSortKey,
  type ReferencePosition,
  type SnapshotScope,
  snapshotRetracts,
  snapshotSawReference,
  type Tombstoned,
} from "../object-mirror.ts";

interface MemoryRecord {
  ref: ObjectRef;
  uid: string;
  resourceVersion: bigint;
  /** JSON text of the live object; undefined for a tombstone. */
  json: string | undefined;
  /** A tombstone left by a retraction rather than a deletion. */
  retracted: boolean;
  /** A live object written at the version of the retracted tombstone it replaced. */
  revived: boolean;
  /** A live Secret's: the reference it was forwarded for. */
  referencedBy?: ReferencePosition;
}

export class MemoryObjectMirror implements ObjectMirror {
  /** partition → sort key → record, laid out like the table. */
  readonly #partitions = new Map<string, Map<string, MemoryRecord>>();
  readonly #synced = new Map<string, Set<KnownKind>>();

  async upsert(
    ref: ObjectRef,
    uid: string,
    resourceVersion: bigint,
    object: KubeObjectJson,
    referencedBy?: ReferencePosition,
  ): Promise<MirrorWrite> {
    encodeLiveItem(ref, uid, resourceVersion, object, referencedBy);
    const current = this.#record(ref);
    const revived =
      current !== undefined && current.resourceVersion === resourceVersion && current.retracted && current.uid === uid;
    if (current !== undefined && current.resourceVersion >= resourceVersion && !revived) return { outcome: "stale" };
    this.#set({
      ref: copyRef(ref),
      uid,
      resourceVersion,
      json: JSON.stringify(object),
      retracted: false,
      revived,
      ...(referencedBy === undefined ? {} : { referencedBy: { ...referencedBy } }),
    });
    return { outcome: "applied", previous: parsed(current) };
  }

  async delete(ref: ObjectRef, uid: string, resourceVersion: bigint): Promise<MirrorWrite> {
    const current = this.#record(ref);
    if (current !== undefined) {
      const tie = current.resourceVersion === resourceVersion;
      const realTombstone = current.json === undefined && !current.retracted;
      if (current.resourceVersion > resourceVersion || (tie && realTombstone)) return { outcome: "stale" };
    }
    this.#set({ ref: copyRef(ref), uid, resourceVersion, json: undefined, retracted: false, revived: false });
    return { outcome: "applied", previous: parsed(current) };
  }

  async retract(ref: ObjectRef, uid: string, resourceVersion: bigint): Promise<MirrorWrite> {
    const current = this.#record(ref);
    if (current !== undefined) {
      const tie = current.resourceVersion === resourceVersion;
      if (current.resourceVersion > resourceVersion || (tie && (current.json === undefined || current.revived))) {
        return { outcome: "stale" };
      }
    }
    this.#set({ ref: copyRef(ref), uid, resourceVersion, json: undefined, retracted: true, revived: false });
    return { outcome: "applied", previous: parsed(current) };
  }

  async applySnapshot(snapshot: SnapshotScope): Promise<Tombstoned[]> {
    const present = new Set(snapshot.items.map((item) => objectSortKey(item.namespace, item.name)));
    const retracts = snapshotRetracts(snapshot.kind);
    const tombstoned: Tombstoned[] = [];
    for (const record of this.#partition(snapshot.cluster, snapshot.kind).values()) {
      const { ref } = record;
      const previous = parsed(record);
      if (previous === undefined) continue;
      if (!inSnapshotScope(ref.kind, ref.namespace, ref.name, snapshot.namespaces)) continue;
      if (present.has(objectSortKey(ref.namespace, ref.name))) continue;
      if (record.resourceVersion > snapshot.resourceVersion) continue;
      if (retracts && !snapshotSawReference(record.referencedBy, snapshot.referrerVersions)) continue;
      const { referencedBy: _reference, ...tombstone } = record;
      this.#set(
        retracts
          ? { ...tombstone, json: undefined, retracted: true, revived: false }
          : {
              ...tombstone,
              resourceVersion: snapshot.resourceVersion,
              json: undefined,
              retracted: false,
              revived: false,
            },
      );
      tombstoned.push({ ref: copyRef(ref), previous });
    }
    const synced = this.#synced.get(snapshot.cluster) ?? new Set<KnownKind>();
    synced.add(snapshot.kind);
    this.#synced.set(snapshot.cluster, synced);
    return tombstoned;
  }

  async syncedKinds(cluster: string): Promise<ReadonlySet<KnownKind>> {
    return new Set(this.#synced.get(cluster));
  }

  async get(ref: ObjectRef): Promise<MirroredObject | undefined> {
    const record = this.#record(ref);
    return record === undefined ? undefined : liveOf(record);
  }

  async listKind(cluster: string, kind: KnownKind): Promise<MirroredObject[]> {
    // Sorted by sort key, as a Query returns them.
    const records = [...this.#partition(cluster, kind).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return records.flatMap(([, record]) => liveOf(record) ?? []);
  }

  async loadCluster(cluster: string): Promise<KubeObjectJson[]> {
    const objects: KubeObjectJson[] = [];
    for (const kind of Object.keys(KINDS) as KnownKind[]) {
      for (const mirrored of await this.listKind(cluster, kind)) objects.push(mirrored.object);
    }
    return objects;
  }

  #partition(cluster: string, kind: KnownKind): Map<string, MemoryRecord> {
    const key = kindPartition(cluster, kind);
    let partition = this.#partitions.get(key);
    if (partition === undefined) {
      partition = new Map();
      this.#partitions.set(key, partition);
    }
    return partition;
  }

  #record(ref: ObjectRef): MemoryRecord | undefined {
    return this.#partition(ref.cluster, ref.kind).get(objectSortKey(ref.namespace, ref.name));
  }

  #set(record: MemoryRecord): void {
    this.#partition(record.ref.cluster, record.ref.kind).set(
      objectSortKey(record.ref.namespace, record.ref.name),
      record,
    );
  }
}

function copyRef(ref: ObjectRef): ObjectRef {
  return {
    cluster: ref.cluster,
    kind: ref.kind,
    name: ref.name,
    ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
  };
}

function parsed(record: MemoryRecord | undefined): KubeObjectJson | undefined {
  return record?.json === undefined ? undefined : (JSON.parse(record.json) as KubeObjectJson);
}

function liveOf(record: MemoryRecord): MirroredObject | undefined {
  const object = parsed(record);
  if (object === undefined) return undefined;
  return {
    ref: copyRef(record.ref),
    uid: record.uid,
    resourceVersion: record.resourceVersion,
    object,
    ...(record.referencedBy === undefined ? {} : { referencedBy: { ...record.referencedBy } }),
  };
}
