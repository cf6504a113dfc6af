/**
 * From a watched object to the SQS message that carries it. Pure: building events, and deciding
 * when an event is too large for SQS and must travel as a claim check (the full event in S3, the
 * message carrying only its address and hash). Nothing is ever dropped for its size.
 */
import { createHash } from "node:crypto";
import { encodeEvent } from "../shared/events/codec.ts";
import {
  type ChangeEvent,
  type ClaimCheck,
  type GroupVersionKind,
  type KubeObjectJson,
  type ObjectOp,
  type ReferencePosition,
  SCHEMA_VERSION,
  type SnapshotEvent,
  type SnapshotItem,
} from "../shared/events/event.ts";
import { messageDeduplicationId, messageGroupId } from "../shared/events/sqs-attributes.ts";
import type { ObjectIdentity } from "./object-state.ts";

/**
 * SQS's message size limit is 256 KiB (262,144 bytes) for body and attributes together; bodies
 * above this go to S3, which leaves room for the attributes and for a batch of one.
 */
export const MAX_INLINE_BODY_BYTES = 240 * 1024;
/** A SendMessageBatch request may carry at most 256 KiB in all; keep the same margin. */
export const MAX_BATCH_BODY_BYTES = 240 * 1024;
export const MAX_BATCH_ENTRIES = 10;

export function objectEvent(
  clusterId: string,
  kind: GroupVersionKind,
  op: ObjectOp,
  identity: ObjectIdentity,
  object: KubeObjectJson,
  retraction = false,
  referencedBy?: ReferencePosition,
): ChangeEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    clusterId,
    kind,
    op,
    ...(retraction && op === "delete" ? { retraction: true as const } : {}),
    ...(referencedBy !== undefined && op === "upsert" ? { referencedBy: { ...referencedBy } } : {}),
    ...(identity.namespace === undefined ? {} : { namespace: identity.namespace }),
    name: identity.name,
    uid: identity.uid,
    resourceVersion: identity.resourceVersion,
    object,
  };
}

export function snapshotEvent(
  clusterId: string,
  kind: GroupVersionKind,
  snapshotId: string,
  resourceVersion: string,
  items: SnapshotItem[],
  namespaces: readonly string[] | undefined,
  referrerVersions?: readonly ReferencePosition[],
): SnapshotEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    clusterId,
    kind,
    op: "snapshot",
    snapshotId,
    resourceVersion,
    ...(namespaces === undefined ? {} : { namespaces: [...namespaces] }),
    ...(referrerVersions === undefined ? {} : { referrerVersions: referrerVersions.map((p) => ({ ...p })) }),
    items,
  };
}

/** One SQS message ready to send. */
export interface OutgoingMessage {
  event: ChangeEvent;
  body: string;
  bytes: number;
  groupId: string;
  deduplicationId: string;
}

/** The S3 object a claim check points at: the full encoded event. */
export interface ClaimCheckUpload {
  key: string;
  body: string;
  check: ClaimCheck;
}

export type PreparedMessage =
  | { kind: "inline"; message: OutgoingMessage }
  | { kind: "claimCheck"; upload: ClaimCheckUpload; message: OutgoingMessage };

function outgoing(event: ChangeEvent, body: string, occasion: string | undefined): OutgoingMessage {
  return {
    event,
    body,
    bytes: Buffer.byteLength(body),
    // Ids come from the original event, so the claim check keeps the object's group and dedup.
    groupId: messageGroupId(event),
    deduplicationId: messageDeduplicationId(event, occasion),
  };
}

/**
 * The message for `event`, inline when it fits, else a claim check to upload first. `occasion`:
 * see messageDeduplicationId.
 */
export function prepareMessage(
  event: ChangeEvent,
  bucket: string,
  maxInlineBytes = MAX_INLINE_BODY_BYTES,
  occasion?: string,
): PreparedMessage {
  const body = encodeEvent(event);
  const size = Buffer.byteLength(body);
  if (size <= maxInlineBytes) return { kind: "inline", message: outgoing(event, body, occasion) };
  const sha256 = createHash("sha256").update(body).digest("hex");
  // Content-addressed: a resend uploads the same key, and equal events share one object.
  const key = `events/${event.clusterId}/${sha256}.json`;
  const check: ClaimCheck = { bucket, key, sha256, size };
  const pointer = pointerTo(event, check);
  const message = outgoing(event, encodeEvent(pointer), occasion);
  return { kind: "claimCheck", upload: { key, body, check }, message: { ...message, event: pointer } };
}

/** The event's envelope with the claim check in place of the inline payload. */
function pointerTo(event: ChangeEvent, check: ClaimCheck): ChangeEvent {
  if (event.op === "snapshot") {
    const { schemaVersion, clusterId, kind, op, snapshotId, resourceVersion, namespaces } = event;
    const scope = namespaces === undefined ? {} : { namespaces };
    return { schemaVersion, clusterId, kind, op, snapshotId, resourceVersion, ...scope, claimCheck: check };
  }
  const { schemaVersion, clusterId, kind, op, retraction, namespace, name, uid, resourceVersion } = event;
  const scope = namespace === undefined ? {} : { namespace };
  // The envelope says what the stored event says: ingest compares them.
  const marker = retraction === true ? { retraction } : {};
  return { schemaVersion, clusterId, kind, op, ...marker, ...scope, name, uid, resourceVersion, claimCheck: check };
}
