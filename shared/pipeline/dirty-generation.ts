/**
 * The per-Gateway dirty record: what coalesces a burst of changes into a few reconciles.
 *
 * - `generation`: ingest adds one per batch for every Gateway the batch affects.
 * - `pendingSince`: set while a reconcile request of the Gateway is queued or running. Ingest sends
 *   a request only when none is pending (or the pending one is older than `staleAfterMs`, e.g. it
 *   was dead-lettered); otherwise it only bumps the generation, and the running or queued
 *   reconcile picks the change up (see `finish`).
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
  force?: boolean;
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
}

/** `moved`: the generation changed since the reconcile started; the request stays pending, requeue it. */
export type Finish = { moved: false } | { moved: true; generation: number };

export interface DirtyGenerations {
  /**
   * Ingest: adds one; `urgent` when the batch changed more than endpoints for this Gateway;
   * `force` asks for a request even while one is pending (a redelivered record: the request an
   * earlier attempt marked pending may never have gone out).
   */
  bump(gatewayKey: ClusterGatewayKey, change: BumpChange): Promise<Bump>;
  /**
   * Ingest could not send the request a bump asked for: clears `pendingSince` if it is still the
   * one that bump set, so the retried batch sends one (else the Gateway would wait for staleness).
   */
  abandon(gatewayKey: ClusterGatewayKey, pendingSince: number): Promise<void>;
  /** The record, read strongly consistent (zeroes for a Gateway never bumped). */
  read(gatewayKey: ClusterGatewayKey): Promise<DirtyRecord>;
  /**
   * A reconcile ended (done, not retried): records where it started, and clears `pendingSince`
   * only if the generation is still the one it started from.
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

function recordOf(item: Record<string, AttributeValue> | undefined): DirtyRecord {
  return {
    generation: numberOf(item, A.generation) ?? 0,
    pendingSince: numberOf(item, A.pendingSince),
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
    const pending = change.force ? ":now" : "if_not_exists(#pending, :now)";
    const { Attributes } = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: `SET #generation = ${next}, #pending = ${pending}${change.urgent ? `, #urgent = ${next}` : ""}`,
        ExpressionAttributeNames: {
          "#generation": A.generation,
          "#pending": A.pendingSince,
          ...(change.urgent ? { "#urgent": A.urgentGeneration } : {}),
        },
        ExpressionAttributeValues: { ":zero": num(0), ":one": num(1), ":now": num(change.now) },
        ReturnValues: "ALL_OLD",
      }),
    );
    const before = recordOf(Attributes);
    const generation = before.generation + 1;
    if (before.pendingSince === undefined || change.force) return { generation, request: true };
    if (before.pendingSince >= change.now - this.#staleAfterMs) return { generation, request: false };
    // The pending request is stale: this batch sends a fresh one, and later batches wait for it.
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: "SET #pending = :now",
        ExpressionAttributeNames: { "#pending": A.pendingSince },
        ExpressionAttributeValues: { ":now": num(change.now) },
      }),
    );
    return { generation, request: true };
  }

  async abandon(gatewayKey: ClusterGatewayKey, pendingSince: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: dirtyKey(gatewayKey),
          UpdateExpression: "REMOVE #pending",
          ConditionExpression: "#pending = :since",
          ExpressionAttributeNames: { "#pending": A.pendingSince },
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
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: dirtyKey(gatewayKey),
          UpdateExpression: `SET ${pacing} REMOVE #pending`,
          ConditionExpression: "attribute_not_exists(#generation) OR #generation = :started",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return { moved: false };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Moved: the request stays pending (a requeue follows), so ingest keeps only bumping.
    const { "#generation": _unused, ...movedNames } = names;
    const { Attributes } = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: `SET ${pacing}, #pending = :now`,
        ExpressionAttributeNames: movedNames,
        ExpressionAttributeValues: { ...values, ":now": num(finished.now) },
        ReturnValues: "ALL_NEW",
      }),
    );
    return { moved: true, generation: recordOf(Attributes).generation };
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
    const request =
      change.force === true ||
      before.pendingSince === undefined ||
      before.pendingSince < change.now - this.#staleAfterMs;
    this.#records.set(gatewayKey, {
      ...before,
      generation,
      pendingSince: request ? change.now : before.pendingSince,
      ...(change.urgent ? { urgentGeneration: generation } : {}),
    });
    return { generation, request };
  }

  async abandon(gatewayKey: ClusterGatewayKey, pendingSince: number): Promise<void> {
    const before = this.#get(gatewayKey);
    if (before.pendingSince === pendingSince) this.#records.set(gatewayKey, { ...before, pendingSince: undefined });
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
    this.#records.set(gatewayKey, { ...before, ...pacing, pendingSince: moved ? finished.now : undefined });
    return moved ? { moved: true, generation: before.generation } : { moved: false };
  }

  #get(gatewayKey: ClusterGatewayKey): DirtyRecord {
    return (
      this.#records.get(gatewayKey) ?? {
        generation: 0,
        pendingSince: undefined,
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
