/**
 * The per-Gateway dirty record: what coalesces a burst of changes into a few reconciles.
 *
 * - `generation`: ingest adds one per batch for every Gateway the batch affects.
 * - `pendingSince`: set while a reconcile request of the Gateway is queued or running. Ingest sends
 *   a request only when none is pending (or the pending one is older than `staleAfterMs`, e.g. it
 *   was dead-lettered); otherwise it only bumps the generation, and the running or queued
 *   reconcile picks the change up (see `finish`).
 * - `pendingBy`: present exactly while `pendingSince` is. The owner token of the marker: the SQS
 *   message ids of the records whose announce set it, until that announce confirms its request
 *   went out (`sent`); then, or when the reconciler holds the marker (a requeue), empty. Only a
 *   redelivery of an owner may resend while the marker is pending: its earlier attempt set the
 *   marker and may have failed to send, and to clear it (`abandon`). Any other record's change
 *   is covered by the pending request (its bump moves the generation, so `finish` requeues).
 * - `urgentGeneration`: the generation of the last batch that changed more than endpoints
 *   (anything but an EndpointSlice). Endpoint-only changes are paced (`endpoint-pacing.ts`),
 *   others are not.
 * - `startedGeneration`, `startedAt`, `notBefore`, `intervalMs`: what the last finished reconcile
 *   started from, and when the next endpoint-only reconcile may start.
 *
 * One item in the Gateway's partition (`GATEWAY#<key>` / `DIRTY`). Every write is one UpdateItem,
 * atomic without a read: ingest's bump and the reconciler's `finish` race safely (either the bump
 * lands first and `finish` sees the generation moved, or `finish` clears `pendingSince` first and
 * the bump sees no request pending and sends one).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { ClusterGatewayKey } from "../keys.ts";
import { gatewayPartition, PARTITION_KEY, SORT_KEY } from "../store/dynamodb/table-keys.ts";

export const DIRTY_SORT_KEY = "DIRTY";

/**
 * How long a pending request may go without a reconcile finishing before ingest sends another.
 * @default 300_000 (5 min): longer than a request can legitimately wait (a deferral of at most the
 * pacing's maximum interval, plus a few redeliveries after a busy lease), short enough that a
 * request lost to the dead-letter queue delays the Gateway's next change by minutes, not forever.
 */
export const DEFAULT_PENDING_STALE_AFTER_MS = 5 * 60_000;

/** The dirty record as read (absent attributes as 0 / undefined). */
export interface DirtyRecord {
  generation: number;
  /** Epoch ms the pending request was sent; undefined when none is pending. */
  pendingSince: number | undefined;
  /** The marker's owners while its request is not known to have gone out; undefined when none is pending. */
  pendingBy: readonly string[] | undefined;
  urgentGeneration: number;
  /** The generation the last finished reconcile started from. */
  startedGeneration: number;
  /** Epoch ms the last finished reconcile started; 0 if none ever did. */
  startedAt: number;
  /** Epoch ms before which an endpoint-only reconcile is deferred. */
  notBefore: number;
  /** The pacing interval the last reconcile set. */
  intervalMs: number;
}

/** What ingest tells a bump. */
export interface BumpChange {
  urgent: boolean;
  now: number;
  /**
   * The SQS message ids of the records that changed the Gateway: the marker's owners if this bump
   * sets it, and, if one of them already owns the pending marker (a redelivery), a resend.
   */
  owners?: readonly string[];
}

/** What ingest learns from a bump. */
export interface Bump {
  generation: number;
  /** True when no request is pending (or it is stale): the caller sends one. */
  request: boolean;
}

/** What a reconcile records when it finishes. */
export interface FinishedReconcile {
  /** The generation read when it started, before it loaded the mirror. */
  startedGeneration: number;
  startedAt: number;
  notBefore: number;
  intervalMs: number;
  /** Epoch ms now: the new `pendingSince` when the generation moved (a requeue follows). */
  now: number;
  /**
   * A recheck follows whatever the generation (AWS is still settling, settle-recheck.ts): the
   * marker stays pending, held by the reconciler, as for a move, so ingest sends nothing while
   * the recheck waits (its FIFO group is blocked by the deferred recheck anyway).
   * @default false
   */
  keepPending?: boolean;
}

/** `moved`: the generation changed since the reconcile started; the request stays pending, requeue it. */
export type Finish = { moved: false } | { moved: true; generation: number };

export interface DirtyGenerations {
  /**
   * Ingest: adds one; `urgent` when the batch changed more than endpoints for this Gateway. Asks
   * for a request when none is pending, the pending one is stale, or one of `owners` owns the
   * pending marker and its request is not known to have gone out.
   */
  bump(gatewayKey: ClusterGatewayKey, change: BumpChange): Promise<Bump>;
  /**
   * Ingest sent the request a bump with `owners` asked for: the marker, if still theirs, keeps
   * no owner, so a redelivery of those records does not send it again.
   */
  sent(gatewayKey: ClusterGatewayKey, owners: readonly string[]): Promise<void>;
  /**
   * Ingest could not send the request a bump asked for: clears `pendingSince` if it is still the
   * one that bump set, so the retried batch sends one (else the Gateway would wait for staleness).
   */
  abandon(gatewayKey: ClusterGatewayKey, pendingSince: number): Promise<void>;
  /** The record, read strongly consistent (zeroes for a Gateway never bumped). */
  read(gatewayKey: ClusterGatewayKey): Promise<DirtyRecord>;
  /**
   * A reconcile ended (done, not retried): records where it started, and clears `pendingSince`
   * only if the generation is still the one it started from (and no recheck follows, `keepPending`).
   */
  finish(gatewayKey: ClusterGatewayKey, finished: FinishedReconcile): Promise<Finish>;
}

export interface DirtyGenerationOptions {
  /** @default DEFAULT_PENDING_STALE_AFTER_MS */
  staleAfterMs?: number;
}

const A = {
  generation: "generation",
  pendingSince: "pendingSince",
  pendingBy: "pendingBy",
  urgentGeneration: "urgentGeneration",
  startedGeneration: "startedGeneration",
  startedAt: "startedAt",
  notBefore: "notBefore",
  intervalMs: "intervalMs",
} as const;

const num = (value: number) => ({ N: String(value) });
const numberOf = (item: Record<string, AttributeValue> | undefined, name: string): number | undefined => {
  const text = item?.[name]?.N;
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`dirty record: ${name} ${text} is not an integer`);
  return value;
};

const ownersOf = (item: Record<string, AttributeValue> | undefined): readonly string[] | undefined =>
  item?.[A.pendingBy]?.L?.flatMap((entry) => (entry.S === undefined ? [] : [entry.S]));

const ownerList = (owners: readonly string[]) => ({ L: owners.map((owner) => ({ S: owner })) });

/** Whether a redelivery of one of `owners` may resend: the marker is theirs and not known sent. */
export function ownsUnsentMarker(pendingBy: readonly string[] | undefined, owners: readonly string[]): boolean {
  return pendingBy !== undefined && owners.some((owner) => pendingBy.includes(owner));
}

function recordOf(item: Record<string, AttributeValue> | undefined): DirtyRecord {
  const pendingSince = numberOf(item, A.pendingSince);
  return {
    generation: numberOf(item, A.generation) ?? 0,
    pendingSince,
    pendingBy: pendingSince === undefined ? undefined : (ownersOf(item) ?? []),
    urgentGeneration: numberOf(item, A.urgentGeneration) ?? 0,
    startedGeneration: numberOf(item, A.startedGeneration) ?? 0,
    startedAt: numberOf(item, A.startedAt) ?? 0,
    notBefore: numberOf(item, A.notBefore) ?? 0,
    intervalMs: numberOf(item, A.intervalMs) ?? 0,
  };
}

export class DynamoDbDirtyGenerations implements DirtyGenerations {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #staleAfterMs: number;

  constructor(client: DynamoDBClient, tableName: string, options: DirtyGenerationOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_PENDING_STALE_AFTER_MS;
  }

  async bump(gatewayKey: ClusterGatewayKey, change: BumpChange): Promise<Bump> {
    // Every right-hand side reads the item as it was, so `urgentGeneration` gets the new generation.
    const next = "if_not_exists(#generation, :zero) + :one";
    const owners = change.owners ?? [];
    // The marker and its owners are set together, only where none is pending: one write, no read.
    const marker = "#pending = if_not_exists(#pending, :now), #by = if_not_exists(#by, :owners)";
    const { Attributes } = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: `SET #generation = ${next}, ${marker}${change.urgent ? `, #urgent = ${next}` : ""}`,
        ExpressionAttributeNames: {
          "#generation": A.generation,
          "#pending": A.pendingSince,
          "#by": A.pendingBy,
          ...(change.urgent ? { "#urgent": A.urgentGeneration } : {}),
        },
        ExpressionAttributeValues: {
          ":zero": num(0),
          ":one": num(1),
          ":now": num(change.now),
          ":owners": ownerList(owners),
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    const before = recordOf(Attributes);
    const generation = before.generation + 1;
    if (before.pendingSince === undefined) return { generation, request: true };
    if (before.pendingSince >= change.now - this.#staleAfterMs) {
      return { generation, request: ownsUnsentMarker(before.pendingBy, owners) };
    }
    // The pending request is stale: this batch sends a fresh one, and later batches wait for it.
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: "SET #pending = :now, #by = :owners",
        ExpressionAttributeNames: { "#pending": A.pendingSince, "#by": A.pendingBy },
        ExpressionAttributeValues: { ":now": num(change.now), ":owners": ownerList(owners) },
      }),
    );
    return { generation, request: true };
  }

  async sent(gatewayKey: ClusterGatewayKey, owners: readonly string[]): Promise<void> {
    if (owners.length === 0) return;
    const values = Object.fromEntries(owners.map((owner, index) => [`:o${index}`, { S: owner }]));
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: dirtyKey(gatewayKey),
          UpdateExpression: "SET #by = :none",
          ConditionExpression: owners.map((_, index) => `contains(#by, :o${index})`).join(" OR "),
          ExpressionAttributeNames: { "#by": A.pendingBy },
          ExpressionAttributeValues: { ...values, ":none": { L: [] } },
        }),
      );
    } catch (error) {
      // The marker is another's now (a reconcile finished and a later batch set one): nothing to do.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async abandon(gatewayKey: ClusterGatewayKey, pendingSince: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: dirtyKey(gatewayKey),
          UpdateExpression: "REMOVE #pending, #by",
          ConditionExpression: "#pending = :since",
          ExpressionAttributeNames: { "#pending": A.pendingSince, "#by": A.pendingBy },
          ExpressionAttributeValues: { ":since": num(pendingSince) },
        }),
      );
    } catch (error) {
      // Someone else's request is pending now: it covers this change too.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async read(gatewayKey: ClusterGatewayKey): Promise<DirtyRecord> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: dirtyKey(gatewayKey), ConsistentRead: true }),
    );
    return recordOf(Item);
  }

  async finish(gatewayKey: ClusterGatewayKey, finished: FinishedReconcile): Promise<Finish> {
    const names = {
      "#generation": A.generation,
      "#pending": A.pendingSince,
      "#by": A.pendingBy,
      "#startedGeneration": A.startedGeneration,
      "#startedAt": A.startedAt,
      "#notBefore": A.notBefore,
      "#interval": A.intervalMs,
    };
    const pacing =
      "#startedGeneration = :started, #startedAt = :startedAt, #notBefore = :notBefore, #interval = :interval";
    const values = {
      ":started": num(finished.startedGeneration),
      ":startedAt": num(finished.startedAt),
      ":notBefore": num(finished.notBefore),
      ":interval": num(finished.intervalMs),
    };
    if (!finished.keepPending) {
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: dirtyKey(gatewayKey),
            UpdateExpression: `SET ${pacing} REMOVE #pending, #by`,
            ConditionExpression: "attribute_not_exists(#generation) OR #generation = :started",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return { moved: false };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    // Moved, or a recheck follows: the request stays pending (a requeue or the recheck follows),
    // so ingest keeps only bumping. The reconciler holds the marker now: no ingest record owns it.
    const { "#generation": _unused, ...movedNames } = names;
    const { Attributes } = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: `SET ${pacing}, #pending = :now, #by = :none`,
        ExpressionAttributeNames: movedNames,
        ExpressionAttributeValues: { ...values, ":now": num(finished.now), ":none": { L: [] } },
        ReturnValues: "ALL_NEW",
      }),
    );
    const generation = recordOf(Attributes).generation;
    return generation === finished.startedGeneration ? { moved: false } : { moved: true, generation };
  }
}

/** The same rules in memory (each method atomic: no await between its read and its write). */
export class MemoryDirtyGenerations implements DirtyGenerations {
  readonly #records = new Map<ClusterGatewayKey, DirtyRecord>();
  readonly #staleAfterMs: number;

  constructor(options: DirtyGenerationOptions = {}) {
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_PENDING_STALE_AFTER_MS;
  }

  async bump(gatewayKey: ClusterGatewayKey, change: BumpChange): Promise<Bump> {
    const before = this.#get(gatewayKey);
    const generation = before.generation + 1;
    const owners = [...(change.owners ?? [])];
    const fresh = before.pendingSince === undefined || before.pendingSince < change.now - this.#staleAfterMs;
    this.#records.set(gatewayKey, {
      ...before,
      generation,
      pendingSince: fresh ? change.now : before.pendingSince,
      pendingBy: fresh ? owners : before.pendingBy,
      ...(change.urgent ? { urgentGeneration: generation } : {}),
    });
    return { generation, request: fresh || ownsUnsentMarker(before.pendingBy, owners) };
  }

  async sent(gatewayKey: ClusterGatewayKey, owners: readonly string[]): Promise<void> {
    const before = this.#get(gatewayKey);
    if (ownsUnsentMarker(before.pendingBy, owners)) this.#records.set(gatewayKey, { ...before, pendingBy: [] });
  }

  async abandon(gatewayKey: ClusterGatewayKey, pendingSince: number): Promise<void> {
    const before = this.#get(gatewayKey);
    if (before.pendingSince === pendingSince) {
      this.#records.set(gatewayKey, { ...before, pendingSince: undefined, pendingBy: undefined });
    }
  }

  async read(gatewayKey: ClusterGatewayKey): Promise<DirtyRecord> {
    return this.#get(gatewayKey);
  }

  async finish(gatewayKey: ClusterGatewayKey, finished: FinishedReconcile): Promise<Finish> {
    const before = this.#get(gatewayKey);
    const pacing = {
      startedGeneration: finished.startedGeneration,
      startedAt: finished.startedAt,
      notBefore: finished.notBefore,
      intervalMs: finished.intervalMs,
    };
    const moved = before.generation !== finished.startedGeneration;
    const pending = moved || finished.keepPending === true;
    this.#records.set(gatewayKey, {
      ...before,
      ...pacing,
      pendingSince: pending ? finished.now : undefined,
      pendingBy: pending ? [] : undefined,
    });
    return moved ? { moved: true, generation: before.generation } : { moved: false };
  }

  #get(gatewayKey: ClusterGatewayKey): DirtyRecord {
    return (
      this.#records.get(gatewayKey) ?? {
        generation: 0,
        pendingSince: undefined,
        pendingBy: undefined,
        urgentGeneration: 0,
        startedGeneration: 0,
        startedAt: 0,
        notBefore: 0,
        intervalMs: 0,
      }
    );
  }
}

function dirtyKey(gatewayKey: ClusterGatewayKey) {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: DIRTY_SORT_KEY } };
}
