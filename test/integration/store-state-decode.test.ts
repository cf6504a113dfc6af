// Damaged state items written straight into DynamoDB Local (by hand, by another version, by a bug)
// are refused by the DynamoDB state store with StateDecodeError naming the gateway and the field:
// never a crash on a missing attribute, never a record with a silent `undefined` in it.
import { type AttributeValue, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ClusterGatewayKey, clusterGatewayKey } from "../../shared/keys.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { StateDecodeError } from "../../shared/store/state.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";
import { CORRUPT_STATE_ITEMS } from "../unit/store/corrupt-state-items.ts";
import { stateOf, T0, TTL } from "../unit/store/fixtures.ts";

let client: DynamoDBClient;
let table: string;
let stores: ReturnType<typeof createDynamoDbStores>;

beforeAll(async () => {
  client = new DynamoDBClient(dynamoDbSettings());
  table = uniqueName("switchyard");
  await createTable(client, table);
  stores = createDynamoDbStores(client, table);
});

afterAll(() => client?.destroy());

/** Writes a good record for `gatewayKey` through the store and returns the item as stored. */
async function goodItemOf(gatewayKey: ClusterGatewayKey): Promise<Record<string, AttributeValue>> {
  const lease = await stores.leases.acquire(gatewayKey, "a", T0, TTL);
  if (lease === undefined) throw new Error(`no lease on ${gatewayKey}`);
  await stores.states.put(stateOf(gatewayKey, "a"), lease);
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: table,
      ConsistentRead: true,
      Key: { pk: { S: `GATEWAY#${gatewayKey}` }, sk: { S: "STATE" } },
    }),
  );
  if (Item === undefined) throw new Error(`no item for ${gatewayKey}`);
  return Item;
}

async function refusal(read: Promise<unknown>): Promise<StateDecodeError> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof StateDecodeError) return error;
  throw new Error(`expected StateDecodeError, got ${String(error)}`);
}

describe("damaged state items in DynamoDB Local", () => {
  test.each(CORRUPT_STATE_ITEMS.map((c, index) => ({ ...c, index })))(
    "get of an item with $damage throws StateDecodeError naming $field",
    async ({ corrupt, field, problem, index }) => {
      const gatewayKey = clusterGatewayKey("cluster-a", "decode", `gw-${index}`);
      const item = await goodItemOf(gatewayKey);
      await client.send(new PutItemCommand({ TableName: table, Item: corrupt(item, gatewayKey) }));

      const error = await refusal(stores.states.get(gatewayKey));
      expect(error).toMatchObject({ field });
      expect(error.problem).toContain(problem);
      expect(error.message).toContain(field);
      // The error names the Gateway whose partition holds the item, where an operator finds it.
      expect(error.gatewayKey).toBe(gatewayKey);
    },
  );

  test("a claim of a damaged record throws StateDecodeError and frees the lease it took at once", async () => {
    const gatewayKey = clusterGatewayKey("cluster-a", "decode", "claimed");
    const item = await goodItemOf(gatewayKey);
    await client.send(new PutItemCommand({ TableName: table, Item: { ...item, appliedEncoding: { S: "json+zstd" } } }));
    const claim = stores.states.claim({
      gatewayKey,
      owner: "b",
      now: T0 + TTL + 1,
      ttlMs: TTL,
      applying: { startedAt: T0 + TTL + 1, desiredHash: "sha256:b", callsLandBy: T0 + 2 * TTL },
      initial: { ...stateOf(gatewayKey, "b") },
    });
    const error = await refusal(claim);
    expect(error).toMatchObject({ gatewayKey, field: "appliedEncoding" });
    expect(await stores.leases.acquire(gatewayKey, "c", T0 + TTL + 2, TTL)).toMatchObject({ owner: "c" });
  });

  test("list stops at a damaged record with StateDecodeError instead of skipping it", async () => {
    const listTable = uniqueName("switchyard");
    await createTable(client, listTable);
    const listStores = createDynamoDbStores(client, listTable);
    const good = clusterGatewayKey("cluster-a", "list", "good");
    const damaged = clusterGatewayKey("cluster-a", "list", "damaged");
    for (const key of [good, damaged]) {
      const lease = await listStores.leases.acquire(key, "a", T0, TTL);
      if (lease === undefined) throw new Error(`no lease on ${key}`);
      await listStores.states.put(stateOf(key, "a"), lease);
    }
    await client.send(
      new PutItemCommand({
        TableName: listTable,
        Item: {
          pk: { S: `GATEWAY#${damaged}` },
          sk: { S: "STATE" },
          gatewayKey: { S: damaged },
          dataPlane: { S: "alb" },
        },
      }),
    );

    const listing = (async () => {
      for await (const _ of listStores.states.list()) {
        // Drain: the damaged record must surface however the Scan orders the two.
      }
    })();
    const error = await refusal(listing);
    expect(error).toMatchObject({ gatewayKey: damaged, field: "account" });
  });
});
