/**
 * The SQS FIFO attributes of an event, derived here and nowhere else. Groups order the events of
 * one object (a snapshot has a group per kind); the deduplication id makes a resend of the same
 * event (a retried batch entry, a forwarder restart replaying a list) a no-op within SQS's window.
 */
import { createHash } from "node:crypto";
import type { ChangeEvent } from "./event.ts";

/** SQS: MessageGroupId and MessageDeduplicationId are at most 128 characters. */
export const SQS_ID_MAX_LENGTH = 128;
/** SQS: alphanumerics and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~). */
const SQS_ID_CHARACTERS = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** True when `id` is acceptable to SQS as a group or deduplication id. */
export function isValidSqsId(id: string): boolean {
  return id.length > 0 && id.length <= SQS_ID_MAX_LENGTH && SQS_ID_CHARACTERS.test(id);
}

/**
 * A readable id when it fits; otherwise its start plus a hash of the whole, so long names still get
 * a stable group of their own.
 */
function boundedId(readable: string): string {
  const safe = readable.replace(/[^A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, "_");
  if (safe === readable && safe.length <= SQS_ID_MAX_LENGTH) return safe;
  const hash = sha256Hex(readable);
  return `${safe.slice(0, SQS_ID_MAX_LENGTH - hash.length - 1)}#${hash}`;
}

/** `cluster/kind/namespace/name` (namespace empty for cluster-scoped objects); `cluster/kind` for snapshots. */
export function messageGroupId(event: ChangeEvent): string {
  if (event.op === "snapshot") return boundedId(`${event.clusterId}/${event.kind.kind}`);
  return boundedId(`${event.clusterId}/${event.kind.kind}/${event.namespace ?? ""}/${event.name}`);
}

/**
 * A hash of `uid/resourceVersion/op` (`retract` for a retraction, so a retraction and a real delete
 * at the same version are distinct messages); for a snapshot, of its cluster, kind and snapshot id.
 * `occasion` sets apart a deliberate re-send of the same version that SQS must not drop as a
 * duplicate: a Secret referenced again after its retraction is re-sent unchanged.
 */
export function messageDeduplicationId(event: ChangeEvent, occasion?: string): string {
  if (event.op === "snapshot") {
    return sha256Hex(`snapshot/${event.clusterId}/${event.kind.group}/${event.kind.kind}/${event.snapshotId}`);
  }
  const op = event.op === "delete" && event.retraction === true ? "retract" : event.op;
  const base = `${event.uid}/${event.resourceVersion}/${op}`;
  return sha256Hex(occasion === undefined ? base : `${base}/${occasion}`);
}
