/**
 * The mirror's item codec. One partition per cluster and kind, one item per object:
 *
 *   pk = OBJECT#<cluster>#<Kind>   sk = <namespace>/<name>   (`/<name>` for cluster-scoped kinds)
 *
 * so "every object of a kind in a cluster" is one Query and a namespace of it a `begins_with`
 * Query; loading a cluster is one Query per mirrored kind. The object is stored gzip-compressed
 * (Kubernetes JSON compresses 5-10x), so the largest object etcd accepts (1.5 MB) fits in the
 * 400 KB item in practice; an object that still does not fit is refused with ObjectTooLarge rather
 * than stored by reference, so the mirror never depends on S3 objects outliving their events.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { KubeObjectJson } from "../../events/event.ts";
import { isRecord } from "../../events/strip.ts";
import { isKnownKind } from "../../manifest/kinds.ts";
import { itemSize, MAX_ITEM_BYTES } from "../../store/dynamodb/item-size.ts";
import { TTL_ATTRIBUTE } from "../../store/dynamodb/table.ts";
import { OBJECT_PREFIX, PARTITION_KEY, SORT_KEY } from "../../store/dynamodb/table-keys.ts";
import {
  type MirroredObject,
  type ObjectRef,
  ObjectTooLarge,
  objectSortKey,
  type ReferencePosition,
} from "../object-mirror.ts";

export const OBJECT_ATTRIBUTES = {
  uid: "uid",
  resourceVersion: "rv",
  object: "object",
  encoding: "encoding",
  tombstone: "tombstone",
  /** On a tombstone: left by a retraction, at the object's own resourceVersion. */
  retracted: "retracted",
  /** On a live object: written at the version of the retracted tombstone it replaced. */
  revived: "revived",
  /** On a live Secret: the reference it was forwarded for, `<Kind>/<namespace>/<rv>`. */
  referencedBy: "referencedBy",
  expiresAt: TTL_ATTRIBUTE,
} as const;

export const OBJECT_ENCODING = "json+gzip";

export function kindPartition(cluster: string, kind: string): string {
  return `${OBJECT_PREFIX}${cluster}#${kind}`;
}

export function objectKey(ref: ObjectRef): Record<string, AttributeValue> {
  return {
    [PARTITION_KEY]: { S: kindPartition(ref.cluster, ref.kind) },
    [SORT_KEY]: { S: objectSortKey(ref.namespace, ref.name) },
  };
}

/** The item of a live object; throws ObjectTooLarge if it would not fit. */
export function encodeLiveItem(
  ref: ObjectRef,
  uid: string,
  resourceVersion: bigint,
  object: KubeObjectJson,
  referencedBy?: ReferencePosition,
): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    ...objectKey(ref),
    [OBJECT_ATTRIBUTES.uid]: { S: uid },
    [OBJECT_ATTRIBUTES.resourceVersion]: { N: resourceVersion.toString() },
    [OBJECT_ATTRIBUTES.object]: { B: gzipSync(JSON.stringify(object)) },
    [OBJECT_ATTRIBUTES.encoding]: { S: OBJECT_ENCODING },
    ...(referencedBy === undefined ? {} : { [OBJECT_ATTRIBUTES.referencedBy]: { S: encodeReference(referencedBy) } }),
  };
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw new ObjectTooLarge(ref, size);
  return item;
}

/** `<Kind>/<namespace>/<rv>`: neither a kind nor a namespace holds a slash. */
export function encodeReference(reference: ReferencePosition): string {
  return `${reference.kind}/${reference.namespace ?? ""}/${reference.resourceVersion}`;
}

function decodeReference(text: string): ReferencePosition | undefined {
  const match = /^([A-Za-z0-9]+)\/([^/]*)\/(0|[1-9][0-9]*)$/.exec(text);
  if (match === null) return undefined;
  const [, kind = "", namespace = "", rv = "0"] = match;
  return { kind, ...(namespace === "" ? {} : { namespace }), resourceVersion: BigInt(rv) };
}

/**
 * A tombstone keeps the deleting resourceVersion (for a retraction: the object's own, and
 * `retracted` = true) and expires on its own (TTL).
 */
export function encodeTombstoneItem(
  ref: ObjectRef,
  uid: string,
  resourceVersion: bigint,
  expiresAtSeconds: number,
  retracted = false,
): Record<string, AttributeValue> {
  return {
    ...objectKey(ref),
    [OBJECT_ATTRIBUTES.uid]: { S: uid },
    [OBJECT_ATTRIBUTES.resourceVersion]: { N: resourceVersion.toString() },
    [OBJECT_ATTRIBUTES.tombstone]: { BOOL: true },
    ...(retracted ? { [OBJECT_ATTRIBUTES.retracted]: { BOOL: true } } : {}),
    [OBJECT_ATTRIBUTES.expiresAt]: { N: String(expiresAtSeconds) },
  };
}

/** An item read back that is not what this codec writes. */
export class ObjectItemDecodeError extends Error {
  constructor(partition: string, sortKey: string, problem: string) {
    super(`mirror item ${partition} ${sortKey}: ${problem}`);
    this.name = "ObjectItemDecodeError";
  }
}

export type DecodedItem =
  | { tombstone: true; resourceVersion: bigint; uid: string | undefined; retracted: boolean }
  | ({ tombstone: false; revived: boolean } & MirroredObject);

export function decodeObjectItem(item: Record<string, AttributeValue>): DecodedItem {
  const pk = item[PARTITION_KEY]?.S ?? "";
  const sk = item[SORT_KEY]?.S ?? "";
  const fail = (problem: string): never => {
    throw new ObjectItemDecodeError(pk, sk, problem);
  };
  const rvText = item[OBJECT_ATTRIBUTES.resourceVersion]?.N ?? fail("no rv");
  const resourceVersion = BigInt(rvText);
  if (item[OBJECT_ATTRIBUTES.tombstone]?.BOOL === true) {
    const retracted = item[OBJECT_ATTRIBUTES.retracted]?.BOOL === true;
    return { tombstone: true, resourceVersion, uid: item[OBJECT_ATTRIBUTES.uid]?.S, retracted };
  }
  const [cluster, kind] = pk.startsWith(OBJECT_PREFIX) ? pk.slice(OBJECT_PREFIX.length).split("#") : [];
  if (cluster === undefined || kind === undefined || !isKnownKind(kind)) return fail("not an object partition");
  const slash = sk.indexOf("/");
  if (slash < 0) return fail("sort key is not namespace/name");
  const namespace = sk.slice(0, slash);
  const ref: ObjectRef = { cluster, kind, name: sk.slice(slash + 1), ...(namespace ? { namespace } : {}) };
  if (item[OBJECT_ATTRIBUTES.encoding]?.S !== OBJECT_ENCODING) return fail(`encoding is not ${OBJECT_ENCODING}`);
  const bytes = item[OBJECT_ATTRIBUTES.object]?.B ?? fail("no object");
  const object: unknown = JSON.parse(gunzipSync(bytes).toString("utf8"));
  if (!isRecord(object)) return fail("object is not a JSON object");
  const uid = item[OBJECT_ATTRIBUTES.uid]?.S ?? fail("no uid");
  const revived = item[OBJECT_ATTRIBUTES.revived]?.BOOL === true;
  const referenceText = item[OBJECT_ATTRIBUTES.referencedBy]?.S;
  const referencedBy = referenceText === undefined ? undefined : decodeReference(referenceText);
  if (referenceText !== undefined && referencedBy === undefined)
    return fail(`referencedBy ${referenceText} unreadable`);
  return {
    tombstone: false,
    revived,
    ref,
    uid,
    resourceVersion,
    object,
    ...(referencedBy === undefined ? {} : { referencedBy }),
  };
}
