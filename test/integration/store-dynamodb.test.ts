// The store contract against the DynamoDB stores on DynamoDB Local, one new table per test, plus
// what only the DynamoDB layout shows: the table definition and the items as stored.
import { gunzipSync } from "node:zlib";
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { FencedOut } from "../../shared/store/state.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";
import { storeContract } from "../unit/store/contract.ts";
import { stateOf, T0, TTL, writerOf } from "../unit/store/fixtures.ts";

let client: DynamoDBClient;

beforeAll(() => {
  client = new DynamoDBClient(dynamoDbSettings());
});

afterAll(() => client?.destroy());

async function newTable(): Promise<string> {
  const table = uniqueName("switchyard");
  await createTable(client, table);
  return table;
}

describe("DynamoDB stores on DynamoDB Local", () => {
  // A small page size makes list() cross many Scan pages, some of them empty after filtering.
  storeContract(async () => createDynamoDbStores(client, await newTable(), { pageSize: 5 }));
});

describe("DynamoDB table layout", () => {
  const GW = clusterGatewayKey("cluster-a", "default", "web");

  test("createTable makes an on-demand table keyed by pk and sk with TTL on expiresAt", async () => {
    const table = await newTable();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    // DynamoDB reports ENABLING for up to an hour; DynamoDB Local reports ENABLED at once.
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe("expiresAt");
    expect(["ENABLING", "ENABLED"]).toContain(ttl.TimeToLiveDescription?.TimeToLiveStatus);
  });

  test("the state item sits at GATEWAY#<key> / STATE with applied as gzip-compressed JSON", async () => {
    const table = await newTable();
    const { leases, states } = createDynamoDbStores(client, table);
    const lease = await leases.acquire(GW, "a", T0, TTL);
    if (lease === undefined) throw new Error("no lease");
    const state = stateOf(GW, "a");
    await states.put(state, lease);

    const { Item } = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: `GATEWAY#${GW}` }, sk: { S: "STATE" } } }),
    );
    expect(Item?.fencingToken).toEqual({ N: String(lease.token) });
    expect(Item?.appliedEncoding).toEqual({ S: "json+gzip" });
    const applied = Item?.applied?.B;
    expect(applied).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(gunzipSync(applied ?? new Uint8Array()).toString("utf8"))).toEqual(state.applied);
  });

  test("the lease lives on the state item and outlives its release and the record's deletion, keeping its token, without a TTL", async () => {
    const table = await newTable();
    const { leases, states } = createDynamoDbStores(client, table);
    const lease = await leases.acquire(GW, "a", T0, TTL);
    if (lease === undefined) throw new Error("no lease");
    await states.put(stateOf(GW, "a"), lease);
    await states.delete(GW, lease, { release: true });

    const { Items } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: `GATEWAY#${GW}` } },
        ConsistentRead: true,
      }),
    );
    expect(Items).toEqual([
      { pk: { S: `GATEWAY#${GW}` }, sk: { S: "STATE" }, gatewayKey: { S: GW }, token: { N: String(lease.token) } },
    ]);
  });

  test("a record written under a higher token than the item's lease is never overwritten", async () => {
    // If the lease attributes were ever removed (by hand), tokens would restart at 1; the record's
    // own fencing token still refuses to go backwards.
    const table = await newTable();
    const { leases, states } = createDynamoDbStores(client, table);
    for (let i = 0; i < 3; i++) await leases.acquire(GW, "a", T0 + i, TTL);
    const third = await leases.acquire(GW, "a", T0 + 3, TTL);
    if (third === undefined) throw new Error("no lease");
    await states.put(stateOf(GW, "a"), third);
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: `GATEWAY#${GW}` }, sk: { S: "STATE" } },
        UpdateExpression: "REMOVE #token, #owner, leaseExpiresAt",
        ExpressionAttributeNames: { "#token": "token", "#owner": "owner" },
      }),
    );

    const restarted = await leases.acquire(GW, "b", T0 + 4, TTL);
    expect(restarted?.token).toBe(1);
    if (restarted === undefined) throw new Error("no lease");
    const refused = states.put(stateOf(GW, "b"), restarted);
    await expect(refused).rejects.toBeInstanceOf(FencedOut);
    await expect(refused).rejects.toThrow(/a record written under a newer lease/);
    expect(writerOf(await states.get(GW))).toBe("a");
  });
});
