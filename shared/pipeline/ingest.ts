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
import { type ChangeEvent, type ClaimCheck, decodeEvent, decodeEventJson } from "../events/index.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { ClusterGatewayKey } from "../keys.ts";
import { typeProblems } from "../manifest/validate.ts";
import {
  InvalidResourceVersion,
  mirroredKind,
  type ObjectMirror,
  type ObjectRef,
  ObjectTooLarge,
  parseResourceVersion,
  UnsupportedKind,
} from "../mirror/object-mirror.ts";
import { snapshotOf } from "../snapshot.ts";
import { affectedGateways, type ObjectChange } from "./affected.ts";
import type { DirtyGenerations } from "./dirty-generation.ts";
import { RECONCILE_REQUEST_VERSION, type ReconcileRequest } from "./reconcile-request.ts";

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

interface Change extends ObjectChange {
  cluster: string;
  cause: string;
  messageId: string;
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
    await ports.deadLetters.send(record, rejection.reason, rejection.message);
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
    event.kind.kind === envelope.kind.kind &&
    event.kind.group === envelope.kind.group &&
    event.resourceVersion === envelope.resourceVersion &&
    !("claimCheck" in event);
  if (!same) throw new Rejection("claim-check-invalid", "the claim-checked event is not the one its envelope names");
  return event;
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
  const write =
    event.op === "upsert"
      ? await ports.mirror.upsert(ref, event.uid, resourceVersion, event.object)
      : await ports.mirror.delete(ref, event.uid, resourceVersion, ports.now());
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
    },
  ];
}

/** Bumps each affected Gateway's generation once and sends one request per Gateway. */
async function announce(changes: readonly Change[], ports: IngestPorts): Promise<void> {
  const causes = new Map<ClusterGatewayKey, string>();
  const clusters = new Set(changes.map((change) => change.cluster));
  for (const cluster of clusters) {
    const world = snapshotOf((await ports.mirror.loadCluster(cluster)) as unknown as KubeObject[]);
    for (const change of changes) {
      if (change.cluster !== cluster) continue;
      for (const key of affectedGateways(cluster, change, world)) {
        if (!causes.has(key)) causes.set(key, change.cause);
      }
    }
  }
  const requests: ReconcileRequest[] = [];
  for (const [gatewayKey, cause] of causes) {
    const generation = await ports.dirty.bump(gatewayKey);
    requests.push({ version: RECONCILE_REQUEST_VERSION, gatewayKey, reason: "change", generation, cause });
  }
  if (requests.length === 0) return;
  await ports.reconcileQueue.send(requests);
  ports.observer.reconcileRequestsSent(requests);
}
