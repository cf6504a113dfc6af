/**
 * The objects mirror on the switchyard table. Every write is one conditional PutItem, so the
 * resourceVersion check and the write are atomic: no read-then-write race between two ingest
 * invocations handling events of the same object (which FIFO groups make rare, and redrives and
 * snapshots make possible).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import type { KubeObjectJson } from "../../events/event.ts";
import { KINDS, type KnownKind } from "../../manifest/kinds.ts";
import { PARTITION_KEY, SORT_KEY, SYNC_PREFIX } from "../../store/dynamodb/table-keys.ts";
import {
  DEFAULT_TOMBSTONE_TTL_SECONDS,
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
  tombstoneExpiry,
} from "../object-mirror.ts";
import {
  decodeObjectItem,
  encodeLiveItem,
  encodeReference,
  encodeTombstoneItem,
  kindPartition,
  OBJECT_ATTRIBUTES,
  objectKey,
} from "./object-item.ts";

export interface DynamoDbObjectMirrorOptions {
  /** @default DEFAULT_TOMBSTONE_TTL_SECONDS (15 days): see there. */
  tombstoneTtlSeconds?: number;
  /** Query page size. @default undefined — DynamoDB's 1 MB pages; tests set it to cross pages. */
  pageSize?: number;
}

const NAMES = {
  "#pk": PARTITION_KEY,
  "#rv": OBJECT_ATTRIBUTES.resourceVersion,
  "#tombstone": OBJECT_ATTRIBUTES.tombstone,
  "#retracted": OBJECT_ATTRIBUTES.retracted,
  "#revived": OBJECT_ATTRIBUTES.revived,
  "#uid": OBJECT_ATTRIBUTES.uid,
  "#referencedBy": OBJECT_ATTRIBUTES.referencedBy,
};

export class DynamoDbObjectMirror implements ObjectMirror {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #ttlSeconds: number;
  readonly #pageSize: number | undefined;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoDbObjectMirrorOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#ttlSeconds = options.tombstoneTtlSeconds ?? DEFAULT_TOMBSTONE_TTL_SECONDS;
    this.#pageSize = options.pageSize;
  }

  async upsert(
    ref: ObjectRef,
    uid: string,
    resourceVersion: bigint,
    object: KubeObjectJson,
    referencedBy?: ReferencePosition,
  ): Promise<MirrorWrite> {
    const item = encodeLiveItem(ref, uid, resourceVersion, object, referencedBy);
    const rv = { N: resourceVersion.toString() };
    const write = await this.#write(item, "attribute_not_exists(#pk) OR #rv < :rv", { ":rv": rv });
    if (write.outcome === "applied") return write;
    // Refused: the same version against a retracted tombstone of the same uid still applies. The
    // refusal returned the item (no read), so the second put is tried only when it can succeed. A
    // live item (the usual refusal: a replay) is not decoded, which would gunzip its object.
    const tombstone = write.held?.[OBJECT_ATTRIBUTES.tombstone]?.BOOL === true;
    const held = tombstone && write.held !== undefined ? decodeObjectItem(write.held) : undefined;
    if (held?.tombstone !== true || !held.retracted || held.resourceVersion !== resourceVersion || held.uid !== uid) {
      return { outcome: "stale" };
    }
    return this.#put(
      { ...item, [OBJECT_ATTRIBUTES.revived]: { BOOL: true } },
      "#rv = :rv AND #retracted = :true AND #uid = :uid",
      { ":rv": rv, ":true": { BOOL: true }, ":uid": { S: uid } },
    );
  }

  async delete(ref: ObjectRef, uid: string, resourceVersion: bigint, now: number): Promise<MirrorWrite> {
    return this.#put(
      encodeTombstoneItem(ref, uid, resourceVersion, tombstoneExpiry(now, this.#ttlSeconds)),
      // A tie goes to the delete (over a live object or a retraction), unless it is this delete
      // replayed (already a real tombstone).
      "attribute_not_exists(#pk) OR #rv < :rv OR (#rv = :rv AND (attribute_not_exists(#tombstone) OR #retracted = :true))",
      { ":rv": { N: resourceVersion.toString() }, ":true": { BOOL: true } },
    );
  }

  async retract(ref: ObjectRef, uid: string, resourceVersion: bigint, now: number): Promise<MirrorWrite> {
    return this.#put(
      encodeTombstoneItem(ref, uid, resourceVersion, tombstoneExpiry(now, this.#ttlSeconds), true),
      // A tie goes to the retraction over the live object, unless that object was revived at this
      // version (this is then the retraction before the revival, replayed).
      "attribute_not_exists(#pk) OR #rv < :rv OR (#rv = :rv AND attribute_not_exists(#tombstone) AND attribute_not_exists(#revived))",
      { ":rv": { N: resourceVersion.toString() } },
    );
  }

  async applySnapshot(snapshot: SnapshotScope, now: number): Promise<Tombstoned[]> {
    const present = new Set(snapshot.items.map((item) => objectSortKey(item.namespace, item.name)));
    const retracts = snapshotRetracts(snapshot.kind);
    const tombstoned: Tombstoned[] = [];
    for (const mirrored of await this.listKind(snapshot.cluster, snapshot.kind)) {
      const { ref } = mirrored;
      if (!inSnapshotScope(ref.kind, ref.namespace, ref.name, snapshot.namespaces)) continue;
      if (present.has(objectSortKey(ref.namespace, ref.name))) continue;
      if (mirrored.resourceVersion > snapshot.resourceVersion) continue;
      if (retracts && !snapshotSawReference(mirrored.referencedBy, snapshot.referrerVersions)) continue;
      // The tombstone is at the snapshot's resourceVersion: at that point the object did not exist,
      // so any upsert not newer than it is stale. A retraction's is at the object's own version
      // (it may still exist). Conditional on the version and reference read, so an event that
      // landed since the Query wins (a retraction and a revival at the same version included).
      const expiry = tombstoneExpiry(now, this.#ttlSeconds);
      const seenReference: { condition: string; values: Record<string, AttributeValue> } =
        mirrored.referencedBy === undefined
          ? { condition: "attribute_not_exists(#referencedBy)", values: {} }
          : {
              condition: "#referencedBy = :reference",
              values: { ":reference": { S: encodeReference(mirrored.referencedBy) } },
            };
      const write = await this.#put(
        retracts
          ? encodeTombstoneItem(ref, mirrored.uid, mirrored.resourceVersion, expiry, true)
          : encodeTombstoneItem(ref, mirrored.uid, snapshot.resourceVersion, expiry),
        `#rv = :seen AND attribute_not_exists(#tombstone) AND ${seenReference.condition}`,
        { ":seen": { N: mirrored.resourceVersion.toString() }, ...seenReference.values },
      );
      if (write.outcome === "applied") tombstoned.push({ ref, previous: mirrored.object });
    }
    // Recorded after the tombstones: a crash in between leaves the kind unsynced, and the
    // forwarder's next snapshot repeats the work.
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: {
          [PARTITION_KEY]: { S: syncPartition(snapshot.cluster) },
          [SORT_KEY]: { S: snapshot.kind },
          snapshotResourceVersion: { N: snapshot.resourceVersion.toString() },
          at: { N: String(now) },
        },
      }),
    );
    return tombstoned;
  }

  async syncedKinds(cluster: string): Promise<ReadonlySet<KnownKind>> {
    const kinds = new Set<KnownKind>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY },
          ExpressionAttributeValues: { ":pk": { S: syncPartition(cluster) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const kind = item[SORT_KEY]?.S;
        if (kind !== undefined && kind in KINDS) kinds.add(kind as KnownKind);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return kinds;
  }

  async get(ref: ObjectRef): Promise<MirroredObject | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: objectKey(ref), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const decoded = decodeObjectItem(Item);
    return decoded.tombstone ? undefined : liveOf(decoded);
  }

  async listKind(cluster: string, kind: KnownKind): Promise<MirroredObject[]> {
    const objects: MirroredObject[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY },
          ExpressionAttributeValues: { ":pk": { S: kindPartition(cluster, kind) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(this.#pageSize === undefined ? {} : { Limit: this.#pageSize }),
        }),
      );
      for (const item of page.Items ?? []) {
        const decoded = decodeObjectItem(item);
        if (!decoded.tombstone) objects.push(liveOf(decoded));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return objects;
  }

  async loadCluster(cluster: string): Promise<KubeObjectJson[]> {
    const kinds = Object.keys(KINDS) as KnownKind[];
    const perKind = await Promise.all(kinds.map((kind) => this.listKind(cluster, kind)));
    return perKind.flat().map((mirrored) => mirrored.object);
  }

  async #put(
    item: Record<string, AttributeValue>,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<MirrorWrite> {
    const write = await this.#write(item, condition, values);
    return write.outcome === "applied" ? write : { outcome: "stale" };
  }

  /** A conditional put; a refusal carries the item that refused it (`held`), at no read cost. */
  async #write(
    item: Record<string, AttributeValue>,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<
    | { outcome: "applied"; previous: KubeObjectJson | undefined }
    | { outcome: "stale"; held?: Record<string, AttributeValue> }
  > {
    try {
      const { Attributes } = await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesUsedBy(condition),
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_OLD",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      if (Attributes === undefined) return { outcome: "applied", previous: undefined };
      const old = decodeObjectItem(Attributes);
      return { outcome: "applied", previous: old.tombstone ? undefined : old.object };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return error.Item === undefined ? { outcome: "stale" } : { outcome: "stale", held: error.Item };
      }
      throw error;
    }
  }
}

/** DynamoDB refuses expression attribute names an expression does not use. */
function namesUsedBy(expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => expression.includes(placeholder)));
}

function liveOf(decoded: MirroredObject): MirroredObject {
  const { ref, uid, resourceVersion, object, referencedBy } = decoded;
  return { ref, uid, resourceVersion, object, ...(referencedBy === undefined ? {} : { referencedBy }) };
}

/** The partition of a cluster's sync markers: one item per kind it has had a snapshot of. */
function syncPartition(cluster: string): string {
  return `${SYNC_PREFIX}${cluster}`;
}
