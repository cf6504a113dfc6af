// Transaction conflicts. DynamoDB refuses a write to an item held by a concurrent transaction; the
// SDK does not retry that, the stores do (shared/store/dynamodb/conflicts.ts), on every write: the
// lease updates, claims and record writes are each one UpdateItem of the Gateway's item. DynamoDB Local never
// produces a conflict (QUIRKS.md D1, pinned by the last test), so the conflicts are injected by a
// request handler that answers chosen calls with DynamoDB's own error responses and passes every
// other call to DynamoDB Local: the SDK's real deserialisation and retry path run unchanged.
import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { ConflictRetry } from "../../shared/store/dynamodb/conflicts.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { FencedOut, type Lease } from "../../shared/store/state.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";
import { stateOf, T0, TTL, writerOf } from "../unit/store/fixtures.ts";

type Operation = "UpdateItem" | "GetItem";

/** One injected answer: DynamoDB's JSON error body for `operation`. */
interface Fault {
  operation: Operation;
  body: Record<string, unknown>;
  /** HTTP status of the answer. @default 400 */
  status?: number;
  /** Pass the request on to DynamoDB Local first, so it takes effect and only its answer is lost. */
  land?: boolean;
  /** Run before answering, as another writer would between the attempts. */
  meanwhile?: () => Promise<unknown>;
}

const TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#";

const conflictOnWrite = (): Fault => ({
  operation: "UpdateItem",
  body: { __type: `${TYPE_PREFIX}TransactionConflictException`, message: "Transaction is ongoing for the item" },
});

const validationError = (): Fault => ({
  operation: "UpdateItem",
  body: { __type: `${TYPE_PREFIX}ValidationException`, message: "injected" },
});

/** A 500, which the SDK retries: with `land`, a write that took effect but whose answer was lost. */
const lostAnswer = (fault: Partial<Fault> = {}): Fault => ({
  operation: "UpdateItem",
  status: 500,
  body: { __type: `${TYPE_PREFIX}InternalServerError`, message: "injected" },
  ...fault,
});

const GW = clusterGatewayKey("cluster-a", "default", "web");
const FAST: ConflictRetry = { retries: 3, baseDelayMs: 1 };

let real: DynamoDBClient;
let client: DynamoDBClient;
/** Answers still to inject, in order. */
let faults: Fault[];
/** Every call that reached the handler, injected or not. */
let calls: Operation[];

beforeAll(() => {
  real = new DynamoDBClient(dynamoDbSettings());
  const handler = real.config.requestHandler;
  client = new DynamoDBClient({
    ...dynamoDbSettings(),
    requestHandler: {
      handle: async (request: Parameters<typeof handler.handle>[0], options?: Parameters<typeof handler.handle>[1]) => {
        const operation = String(request.headers["x-amz-target"]).split(".")[1] as Operation;
        calls.push(operation);
        const index = faults.findIndex((fault) => fault.operation === operation);
        if (index < 0) return handler.handle(request, options);
        const [fault] = faults.splice(index, 1);
        if (fault?.land) await handler.handle(request, options);
        await fault?.meanwhile?.();
        return {
          response: {
            statusCode: fault?.status ?? 400,
            reason: "Injected",
            headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "injected" },
            body: Buffer.from(JSON.stringify(fault?.body)),
          },
        };
      },
    },
  });
});

afterAll(() => {
  client?.destroy();
  real?.destroy();
});

describe("transaction conflicts, injected", () => {
  let stores: ReturnType<typeof createDynamoDbStores>;

  beforeEach(async () => {
    const table = uniqueName("switchyard");
    await createTable(real, table);
    stores = createDynamoDbStores(client, table, { conflictRetry: FAST });
    faults = [];
    calls = [];
  });

  async function mustAcquire(owner: string, now: number): Promise<Lease> {
    const lease = await stores.leases.acquire(GW, owner, now, TTL);
    if (lease === undefined) throw new Error(`${owner} could not acquire`);
    return lease;
  }

  test("an acquire refused with TransactionConflictException is tried again and succeeds", async () => {
    faults.push(conflictOnWrite(), conflictOnWrite());
    const lease = await stores.leases.acquire(GW, "a", T0, TTL);
    expect(lease).toMatchObject({ owner: "a", token: 1 });
    expect(calls).toEqual(["UpdateItem", "UpdateItem", "UpdateItem"]);
  });

  test("a put refused with TransactionConflictException is tried again and succeeds", async () => {
    const lease = await mustAcquire("a", T0);
    calls = [];
    faults.push(conflictOnWrite());
    await stores.states.put(stateOf(GW, "a"), lease, { release: true });
    expect(writerOf(await stores.states.get(GW))).toBe("a");
    expect(calls).toEqual(["UpdateItem", "UpdateItem", "GetItem"]);
  });

  test("a claim refused with TransactionConflictException is tried again and takes the lease", async () => {
    faults.push(conflictOnWrite());
    const claim = await stores.states.claim({
      gatewayKey: GW,
      owner: "a",
      now: T0,
      ttlMs: TTL,
      applying: { startedAt: T0, desiredHash: "sha256:a", callsLandBy: T0 + TTL + 1 },
      initial: { ...stateOf(GW, "a") },
    });
    expect(claim).toMatchObject({ kind: "claimed", lease: { owner: "a", token: 1 } });
    expect(calls).toEqual(["UpdateItem", "UpdateItem"]);
  });

  test("a conflict that outlasts the retries propagates unchanged", async () => {
    const lease = await mustAcquire("a", T0);
    await stores.states.put(stateOf(GW, "a"), lease);
    calls = [];
    faults.push(...Array.from({ length: FAST.retries + 1 }, conflictOnWrite));

    const failed = stores.states.put(stateOf(GW, "a2"), lease);
    await expect(failed).rejects.toBeInstanceOf(TransactionConflictException);
    await expect(failed).rejects.not.toBeInstanceOf(FencedOut);
    expect(calls).toHaveLength(FAST.retries + 1);
    expect(writerOf(await stores.states.get(GW))).toBe("a");
  });

  test("a lease update conflict that outlasts the retries propagates unchanged", async () => {
    const lease = await mustAcquire("a", T0);
    faults.push(...Array.from({ length: FAST.retries + 1 }, conflictOnWrite));
    await expect(stores.leases.renew(lease, T0 + 1, TTL)).rejects.toBeInstanceOf(TransactionConflictException);
  });

  test("a refusal for another reason is not tried again and propagates unchanged", async () => {
    const lease = await mustAcquire("a", T0);
    calls = [];
    faults.push(validationError());
    await expect(stores.states.put(stateOf(GW, "a"), lease)).rejects.toMatchObject({
      name: "ValidationException",
      message: "injected",
    });
    expect(calls).toEqual(["UpdateItem"]);
  });

  test("a put whose lease was superseded is FencedOut at once, not tried again", async () => {
    const stale = await mustAcquire("a", T0);
    await mustAcquire("b", T0 + TTL + 1);
    calls = [];
    await expect(stores.states.put(stateOf(GW, "a"), stale)).rejects.toBeInstanceOf(FencedOut);
    expect(calls).toEqual(["UpdateItem"]);
  });
});

describe("answers lost in transit, injected", () => {
  let stores: ReturnType<typeof createDynamoDbStores>;
  /** The same table through the client that injects nothing: the other writer. */
  let direct: ReturnType<typeof createDynamoDbStores>;

  beforeEach(async () => {
    const table = uniqueName("switchyard");
    await createTable(real, table);
    stores = createDynamoDbStores(client, table);
    direct = createDynamoDbStores(real, table);
    faults = [];
    calls = [];
  });

  async function mustAcquire(owner: string, now: number): Promise<Lease> {
    const lease = await stores.leases.acquire(GW, owner, now, TTL);
    if (lease === undefined) throw new Error(`${owner} could not acquire`);
    return lease;
  }

  test("a releasing put that landed but whose answer was lost succeeds when the SDK's retry finds it done", async () => {
    const lease = await mustAcquire("a", T0);
    calls = [];
    faults.push(lostAnswer({ land: true }));
    await stores.states.put(stateOf(GW, "a"), lease, { release: true });
    expect(calls).toEqual(["UpdateItem", "UpdateItem"]);
    expect(await stores.states.get(GW)).toEqual({ ...stateOf(GW, "a"), fencingToken: lease.token });
    expect(await stores.leases.acquire(GW, "b", T0 + 1, TTL)).toMatchObject({ owner: "b" });
  });

  test("a releasing delete that landed but whose answer was lost succeeds the same way", async () => {
    const lease = await mustAcquire("a", T0);
    await stores.states.put(stateOf(GW, "a"), lease);
    faults.push(lostAnswer({ land: true }));
    await stores.states.delete(GW, lease, { release: true });
    expect(await stores.states.get(GW)).toBeUndefined();
  });

  test("a releasing put whose retry finds the lease released but not its record is FencedOut", async () => {
    const lease = await mustAcquire("a", T0);
    await stores.states.put(stateOf(GW, "a"), lease);
    // The first attempt never lands; the lease is released before the retry.
    faults.push(lostAnswer({ meanwhile: () => direct.leases.release(lease) }));
    await expect(stores.states.put(stateOf(GW, "a2"), lease, { release: true })).rejects.toBeInstanceOf(FencedOut);
    expect(writerOf(await stores.states.get(GW))).toBe("a");
  });

  test("a put that keeps the lease is not taken for landed when its lease is gone", async () => {
    const lease = await mustAcquire("a", T0);
    faults.push(lostAnswer({ land: true, meanwhile: () => direct.leases.release(lease) }));
    await expect(stores.states.put(stateOf(GW, "a"), lease)).rejects.toBeInstanceOf(FencedOut);
  });
});

describe("DynamoDB Local quirks", () => {
  test("D1: never reports a transaction conflict, however many writers meet on one item", async () => {
    const table = uniqueName("switchyard");
    await createTable(real, table);
    const key = { pk: { S: "GATEWAY#contended" }, sk: { S: "LEASE" } };
    const seen: string[] = [];
    const note = (error: unknown) => {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      seen.push(`${(error as Error).name}${reasons ? ` [${reasons.map((r) => r.Code).join(",")}]` : ""}`);
    };
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => [
          real
            .send(
              new UpdateItemCommand({
                TableName: table,
                Key: key,
                UpdateExpression: "ADD #n :one",
                ExpressionAttributeNames: { "#n": "n" },
                ExpressionAttributeValues: { ":one": { N: "1" } },
              }),
            )
            .catch(note),
          real
            .send(
              new TransactWriteItemsCommand({
                TransactItems: [
                  {
                    Update: {
                      TableName: table,
                      Key: key,
                      UpdateExpression: "ADD #n :one",
                      ExpressionAttributeNames: { "#n": "n" },
                      ExpressionAttributeValues: { ":one": { N: "1" } },
                    },
                  },
                  { Put: { TableName: table, Item: { pk: { S: `GATEWAY#${round}-${i}` }, sk: { S: "STATE" } } } },
                ],
              }),
            )
            .catch(note),
        ]).flat(),
      );
    }
    // On DynamoDB, 200 concurrent writes to one item, half of them in transactions, are refused
    // with TransactionConflictException / TransactionCanceledException [TransactionConflict] at times.
    expect(seen).toEqual([]);
  });
});
