/**
 * The ingest core: one SQS batch of change events from events.fifo in, the objects mirror updated,
 * one ReconcileRequest per affected Gateway out, and the list of records Lambda must retry. All I/O
 * is behind the ports below, so the rules (who may send, what is rejected, what is retried, how a
 * burst coalesces) are tested with in-memory ports and the same code runs in the Lambda.
 *
 * Outcomes of a record:
 * - applied (or stale, which changes nothing): done.
 * - rejected (malformed, including an upserted object with a field of the wrong type; unknown
 *   schema version, unregistered cluster, spoofed cluster, bad claim check, unsupported kind, bad
 *   resourceVersion, object too large): sent to the DLQ with a reason and never retried, since a
 *   retry cannot make it valid.
 * - transient failure (DynamoDB, S3, SQS errors): reported in batchItemFailures, and so is every
 *   later record of the same message group, so FIFO order survives the retry.
 */
import { createHash } from "node:crypto";
import {
  type ChangeEvent,
  type ClaimCheck,
  decodeEvent,
  decodeEventJson,
  type ReferencePosition as EventReferencePosition,
} from "../events/index.ts";
import { redactedForDeadLetter } from "../events/strip.ts";
import { ROUTE_KINDS, type Route } from "../gateway-api/types.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { ClusterGatewayKey } from "../keys.ts";
import { typeProblems } from "../manifest/validate.ts";
import type { BackendIndex } from "../mirror/backend-index.ts";
import {
  InvalidResourceVersion,
  mirroredKind,
  type ObjectMirror,
  type ObjectRef,
  ObjectTooLarge,
  parseResourceVersion,
  type ReferencePosition,
  UnsupportedKind,
} from "../mirror/object-mirror.ts";
import { affectedGateways, affectedLatticeExports, type ObjectChange, routeBackends } from "./affected.ts";
import { indexedRouteOf, worldFor } from "./affected-world.ts";
import type { DirtyGenerations } from "./dirty-generation.ts";
import { classStatusKey, RECONCILE_REQUEST_VERSION, type ReconcileRequest } from "./reconcile-request.ts";

/** One SQS record as ingest needs it (the Lambda event's fields, nothing AWS-typed). */
export interface IngestRecord {
  messageId: string;
  body: string;
  /** `attributes.SenderId`: `AROA…:session` for an assumed role, `AIDA…` for a user. */
  senderId: string | undefined;
  /** `attributes.MessageGroupId` (FIFO). */
  messageGroupId: string | undefined;
}

/**
 * Who may send for a cluster: the principal registered with it, as SQS reports senders — a role's
 * unique id (`AROA…`) or a user's (`AIDA…`). See `senderMatches` for the rule.
 */
export interface SenderDirectory {
  principalOf(clusterId: string): Promise<string | undefined>;
}

/**
 * Fetches a claim-checked event's bytes (S3 in the Lambda); `undefined` when no such object exists,
 * which no retry changes (the forwarder stores the object before it sends the check).
 */
export interface ClaimCheckFetcher {
  fetch(check: ClaimCheck): Promise<Uint8Array | undefined>;
}

/** reconcile.fifo: throws if any request was not accepted. */
export interface ReconcileQueue {
  send(requests: readonly ReconcileRequest[]): Promise<void>;
}

/** The dead-letter queue for rejected events: the original body with a `reason` attribute. */
export interface DeadLetterQueue {
  send(record: IngestRecord, reason: RejectReason, detail: string): Promise<void>;
}

export type RejectReason =
  | "malformed"
  | "unknown-schema-version"
  | "unregistered-cluster"
  | "sender-mismatch"
  | "claim-check-invalid"
  | "unsupported-kind"
  | "invalid-resource-version"
  | "object-too-large";

/** What ingest reports; the Lambda maps it onto Powertools metrics and logs. */
export interface IngestObserver {
  ingested(event: ChangeEvent): void;
  stale(event: ChangeEvent): void;
  rejected(record: IngestRecord, reason: RejectReason, detail: string): void;
  transientFailure(record: IngestRecord, error: unknown): void;
  reconcileRequestsSent(requests: readonly ReconcileRequest[]): void;
}

export interface IngestPorts {
  mirror: ObjectMirror;
  /**
   * Which routes name a backend (shared/mirror/backend-index.ts): ingest keeps it and reads it to
   * find the Gateways an endpoint or Service change reaches. @default none: every route is read.
   */
  backendIndex?: BackendIndex;
  senders: SenderDirectory;
  dirty: DirtyGenerations;
  reconcileQueue: ReconcileQueue;
  claimChecks: ClaimCheckFetcher;
  deadLetters: DeadLetterQueue;
  observer: IngestObserver;
  /** Epoch ms, for tombstone expiry. */
  now: () => number;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/** A record that can never become valid: dead-lettered with `reason`. */
export class Rejection extends Error {
  readonly reason: RejectReason;
  constructor(reason: RejectReason, detail: string) {
    super(detail);
    this.name = "Rejection";
    this.reason = reason;
  }
}

/**
 * The sender matches when its SenderId is the registered principal, or the registered principal is
 * a role's unique id and the SenderId is that role with any session name (`AROA…:<session>`): the
 * forwarder's session names change with every credential refresh, the role's unique id does not
 * (and, unlike a role ARN, is not reused if the role is deleted and recreated by someone else).
 */
export function senderMatches(senderId: string | undefined, principal: string): boolean {
  if (senderId === undefined || principal === "") return false;
  return senderId === principal || (!principal.includes(":") && senderId.startsWith(`${principal}:`));
}

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);

interface Change extends ObjectChange {
  cluster: string;
  cause: string;
  messageId: string;
  /** The event's resourceVersion (a deletion's too, which no object version carries). */
  resourceVersion?: string;
}

export async function ingestBatch(records: readonly IngestRecord[], ports: IngestPorts): Promise<BatchResult> {
  const failed = new Set<string>();
  const failedGroups = new Set<string>();
  const changes: Change[] = [];
  for (const record of records) {
    const group = record.messageGroupId ?? record.messageId;
    if (failedGroups.has(group)) {
      failed.add(record.messageId);
      continue;
    }
    try {
      changes.push(...(await ingestRecord(record, ports)));
    } catch (error) {
      if (error instanceof Rejection && (await deadLetter(record, error, ports))) continue;
      ports.observer.transientFailure(record, error);
      failed.add(record.messageId);
      failedGroups.add(group);
    }
  }
  try {
    await announce(changes, ports);
  } catch (error) {
    // The mirror has the changes but no Gateway heard of them: retry those records. On the retry
    // their writes are stale, and stale events still announce (see ingestRecord), so nothing is lost.
    for (const change of changes) {
      const record = records.find((r) => r.messageId === change.messageId);
      if (record !== undefined && !failed.has(record.messageId)) {
        ports.observer.transientFailure(record, error);
        failed.add(record.messageId);
      }
    }
  }
  return {
    batchItemFailures: records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })),
  };
}

/** True if dead-lettered; false if the DLQ itself failed (then the record is retried). */
async function deadLetter(record: IngestRecord, rejection: Rejection, ports: IngestPorts): Promise<boolean> {
  try {
    // Kept for days and read by people: no Secret material a broken sender put in the event.
    const { body } = redactedForDeadLetter(record.body);
    await ports.deadLetters.send({ ...record, body }, rejection.reason, rejection.message);
  } catch {
    return false;
  }
  ports.observer.rejected(record, rejection.reason, rejection.message);
  return true;
}

async function ingestRecord(record: IngestRecord, ports: IngestPorts): Promise<Change[]> {
  const envelope = decodeOrReject(record.body);
  const principal = await ports.senders.principalOf(envelope.clusterId);
  if (principal === undefined) {
    throw new Rejection("unregistered-cluster", `cluster ${envelope.clusterId} is not registered`);
  }
  if (!senderMatches(record.senderId, principal)) {
    throw new Rejection(
      "sender-mismatch",
      `sender ${record.senderId ?? "(none)"} is not the principal registered for cluster ${envelope.clusterId}`,
    );
  }
  const event = "claimCheck" in envelope ? await redeem(envelope, envelope.claimCheck, ports) : envelope;
  try {
    return await apply(event, record.messageId, ports);
  } catch (error) {
    if (error instanceof UnsupportedKind) throw new Rejection("unsupported-kind", error.message);
    if (error instanceof InvalidResourceVersion) throw new Rejection("invalid-resource-version", error.message);
    if (error instanceof ObjectTooLarge) throw new Rejection("object-too-large", error.message);
    throw error;
  }
}

function decodeOrReject(body: string): ChangeEvent {
  const decoded = decodeEventJson(body);
  if (decoded.ok) return decoded.event;
  const reason: RejectReason = decoded.field === "schemaVersion" ? "unknown-schema-version" : "malformed";
  throw new Rejection(reason, `${decoded.field ? `${decoded.field}: ` : ""}${decoded.reason}`);
}

/** The claim-checked event, verified against the check and against the envelope that carried it. */
async function redeem(envelope: ChangeEvent, check: ClaimCheck, ports: IngestPorts): Promise<ChangeEvent> {
  const bytes = await ports.claimChecks.fetch(check);
  if (bytes === undefined) {
    throw new Rejection("claim-check-invalid", `s3://${check.bucket}/${check.key} does not exist`);
  }
  if (bytes.byteLength !== check.size) {
    throw new Rejection(
      "claim-check-invalid",
      `s3://${check.bucket}/${check.key} is ${bytes.byteLength} bytes, the check says ${check.size}`,
    );
  }
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== check.sha256) {
    throw new Rejection(
      "claim-check-invalid",
      `s3://${check.bucket}/${check.key} has sha256 ${digest}, the check says ${check.sha256}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new Rejection("claim-check-invalid", `s3://${check.bucket}/${check.key} is not JSON`);
  }
  const decoded = decodeEvent(parsed);
  if (!decoded.ok)
    throw new Rejection("claim-check-invalid", `claim-checked event: ${decoded.field}: ${decoded.reason}`);
  const event = decoded.event;
  // The sender was authenticated for the envelope's cluster: the stored event must say the same.
  const same =
    event.clusterId === envelope.clusterId &&
    event.op === envelope.op &&
    "retraction" in event === "retraction" in envelope &&
    event.kind.kind === envelope.kind.kind &&
    event.kind.group === envelope.kind.group &&
    event.resourceVersion === envelope.resourceVersion &&
    !("claimCheck" in event);
  if (!same) throw new Rejection("claim-check-invalid", "the claim-checked event is not the one its envelope names");
  return event;
}

function referencePosition(position: EventReferencePosition): ReferencePosition {
  const { kind, namespace, resourceVersion } = position;
  return {
    kind,
    ...(namespace === undefined ? {} : { namespace }),
    resourceVersion: parseResourceVersion(resourceVersion),
  };
}

async function apply(event: ChangeEvent, messageId: string, ports: IngestPorts): Promise<Change[]> {
  const kind = mirroredKind(event.kind.kind);
  const resourceVersion = parseResourceVersion(event.resourceVersion);
  if (event.op === "snapshot") {
    if (!("items" in event)) throw new Rejection("claim-check-invalid", "snapshot without items");
    const tombstoned = await ports.mirror.applySnapshot(
      {
        cluster: event.clusterId,
        kind,
        items: event.items,
        resourceVersion,
        ...(event.namespaces ? { namespaces: event.namespaces } : {}),
        ...(event.referrerVersions ? { referrerVersions: event.referrerVersions.map(referencePosition) } : {}),
      },
      ports.now(),
    );
    ports.observer.ingested(event);
    return tombstoned.map(({ ref, previous }) => ({
      cluster: event.clusterId,
      kind,
      before: previous as unknown as KubeObject,
      cause: `snapshot ${event.snapshotId} of ${kind}: ${ref.namespace ?? ""}/${ref.name} gone`,
      messageId,
    }));
  }
  if (!("object" in event)) throw new Rejection("claim-check-invalid", "object event without object");
  if (event.op === "upsert") {
    // No API server serves a field of the wrong type, and neither the affected-Gateway index nor
    // translation could read one: refuse it here, before it reaches the mirror and every reconcile.
    const [problem] = typeProblems(event.object as unknown as KubeObject);
    if (problem !== undefined) throw new Rejection("malformed", `object.${problem.field}: ${problem.message}`);
  }
  const ref: ObjectRef = {
    cluster: event.clusterId,
    kind,
    name: event.name,
    ...(event.namespace ? { namespace: event.namespace } : {}),
  };
  const route = ROUTE_KIND_SET.has(kind) && ports.backendIndex !== undefined;
  const after = event.op === "upsert" ? (event.object as unknown as Route) : undefined;
  // Filed before it is written: no route version is in the mirror without its index entries.
  if (route && after !== undefined) {
    await ports.backendIndex?.add(event.clusterId, indexedRouteOf(after), routeBackends(after));
  }
  const write =
    event.op === "upsert"
      ? await ports.mirror.upsert(
          ref,
          event.uid,
          resourceVersion,
          event.object,
          event.referencedBy === undefined ? undefined : referencePosition(event.referencedBy),
        )
      : event.retraction === true
        ? await ports.mirror.retract(ref, event.uid, resourceVersion, ports.now())
        : await ports.mirror.delete(ref, event.uid, resourceVersion, ports.now());
  if (route && write.outcome === "applied" && write.previous !== undefined) {
    const kept = new Set((after ? routeBackends(after) : []).map((b) => `${b.namespace}/${b.name}`));
    const before = write.previous as unknown as Route;
    const dropped = routeBackends(before).filter((b) => !kept.has(`${b.namespace}/${b.name}`));
    if (dropped.length > 0) await ports.backendIndex?.remove(event.clusterId, indexedRouteOf(before), dropped);
  }
  const cause = `${event.op} ${kind} ${event.namespace ?? ""}/${event.name} rv ${event.resourceVersion}`;
  if (write.outcome === "stale") {
    ports.observer.stale(event);
    // A replay after a failed announce must still reach the Gateways: announce what the mirror holds.
    const current = await ports.mirror.get(ref);
    return current === undefined
      ? []
      : [{ cluster: event.clusterId, kind, after: current.object as unknown as KubeObject, cause, messageId }];
  }
  ports.observer.ingested(event);
  return [
    {
      cluster: event.clusterId,
      kind,
      ...(write.previous === undefined ? {} : { before: write.previous as unknown as KubeObject }),
      ...(event.op === "upsert" ? { after: event.object as unknown as KubeObject } : {}),
      cause,
      messageId,
      resourceVersion: event.resourceVersion,
    },
  ];
}

const safeOrZero = (value: number) => (Number.isSafeInteger(value) && value >= 0 ? value : 0);

/** Kinds whose changes only move targets: their reconciles are paced (endpoint-pacing.ts). */
const ENDPOINT_KINDS: ReadonlySet<string> = new Set(["EndpointSlice"]);

/**
 * Bumps each affected Gateway's generation once, and sends a request for those that have none
 * pending (dirty-generation.ts): while one is queued or running, the bump alone is enough.
 */
async function announce(changes: readonly Change[], ports: IngestPorts): Promise<void> {
  const affected = new Map<ClusterGatewayKey, { cause: string; urgent: boolean; owners: string[] }>();
  const classes = new Map<ClusterGatewayKey, ReconcileRequest>();
  const clusters = new Set(changes.map((change) => change.cluster));
  for (const cluster of clusters) {
    const ofCluster = changes.filter((change) => change.cluster === cluster);
    const world = await worldFor(cluster, ofCluster, ports.mirror, ports.backendIndex);
    for (const change of ofCluster) {
      const urgent = !ENDPOINT_KINDS.has(change.kind);
      const keys = affectedGateways(cluster, change, world);
      for (const key of keys) {
        const seen = affected.get(key);
        if (seen === undefined) affected.set(key, { cause: change.cause, urgent, owners: [change.messageId] });
        else {
          seen.urgent ||= urgent;
          if (!seen.owners.includes(change.messageId)) seen.owners.push(change.messageId);
        }
      }
      // A federated ServiceExport's own unit: its target groups (shared/lattice/exports.ts). Sent
      // without a dirty generation, like a class-status request.
      for (const key of affectedLatticeExports(cluster, change, world)) {
        classes.set(key, {
          version: RECONCILE_REQUEST_VERSION,
          gatewayKey: key,
          reason: "lattice-export",
          // The event's resourceVersion: each change is a new request for SQS's deduplication.
          generation: safeOrZero(
            Number(change.resourceVersion ?? (change.after ?? change.before)?.metadata.resourceVersion ?? 0),
          ),
          cause: change.cause,
        });
      }
      // A class no Gateway uses: no Gateway reconcile would write its status (Accepted).
      const name = (change.after ?? change.before)?.metadata.name;
      if (change.kind === "GatewayClass" && keys.size === 0 && change.after !== undefined && name !== undefined) {
        const key = classStatusKey(cluster, name);
        classes.set(key, {
          version: RECONCILE_REQUEST_VERSION,
          gatewayKey: key,
          reason: "class-status",
          // The class's resourceVersion: each change of it is a new request for SQS's deduplication.
          generation: safeOrZero(Number(change.after.metadata.resourceVersion ?? 0)),
          cause: change.cause,
        });
      }
    }
  }
  const requests: ReconcileRequest[] = [...classes.values()];
  const now = ports.now();
  // Every Gateway whose marker this call may have set, even by a bump whose answer was lost.
  const marked: ClusterGatewayKey[] = [];
  // The markers whose requests this call sends, with the records that own them.
  const owned: [ClusterGatewayKey, readonly string[]][] = [];
  try {
    for (const [gatewayKey, { cause, urgent, owners }] of affected) {
      marked.push(gatewayKey);
      const bump = await ports.dirty.bump(gatewayKey, { urgent, now, owners });
      if (!bump.request) continue;
      owned.push([gatewayKey, owners]);
      requests.push({
        version: RECONCILE_REQUEST_VERSION,
        gatewayKey,
        reason: "change",
        generation: bump.generation,
        cause,
      });
    }
    if (requests.length === 0) return;
    await ports.reconcileQueue.send(requests);
  } catch (error) {
    // No request went out, or not all of them: clear the markers this call set (only those: the
    // removal is conditional on this call's time), so the retried batch's bumps send them. If the
    // clearing fails too, the retried records still own their markers, and their bumps resend.
    await Promise.allSettled(marked.map((key) => ports.dirty.abandon(key, now)));
    throw error;
  }
  // The requests went out: a redelivery of these records (a timeout after this point) must not
  // send them again. Best effort: if it fails, such a redelivery costs one no-op reconcile.
  await Promise.allSettled(owned.map(([key, owners]) => ports.dirty.sent(key, owners)));
  ports.observer.reconcileRequestsSent(requests);
}
