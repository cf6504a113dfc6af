// The mirror contract on DynamoDB Local, one new table per test, plus the item layout as stored.
import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { DEFAULT_TOMBSTONE_TTL_SECONDS } from "../../shared/mirror/object-mirror.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";
import { mirrorContract, NOW, serviceObject, serviceRef } from "../unit/mirror/contract.ts";

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

describe("DynamoDB objects mirror on DynamoDB Local", () => {
  // A page size of 1 makes every listKind and snapshot cross Query pages.
  mirrorContract(async () => new DynamoDbObjectMirror(client, await newTable(), { pageSize: 1 }));
});

describe("mirror item layout", () => {
  test("objects of a kind share the partition OBJECT#<cluster>#<Kind>, sorted by namespace/name", async () => {
    const table = await newTable();
    const mirror = new DynamoDbObjectMirror(client, table);
    await mirror.upsert(serviceRef("b", "ns1"), "u", 1n, serviceObject("b", 1n, "ns1"));
    await mirror.upsert(serviceRef("a", "ns2"), "u", 1n, serviceObject("a", 1n, "ns2"));
    const { Items } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "OBJECT#cluster-a#Service" } },
      }),
    );
    expect(Items?.map((item) => item.sk?.S)).toEqual(["ns1/b", "ns2/a"]);
    expect(Items?.[0]?.encoding?.S).toBe("json+gzip");
    expect(Items?.[0]?.rv?.N).toBe("1");
  });

  test("a tombstone keeps the deleting resourceVersion, drops the object and carries the TTL in epoch seconds", async () => {
    const table = await newTable();
    const mirror = new DynamoDbObjectMirror(client, table);
    await mirror.upsert(serviceRef("web"), "u", 1n, serviceObject("web", 1n));
    await mirror.delete(serviceRef("web"), "u", 2n, NOW);
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: "OBJECT#cluster-a#Service" }, sk: { S: "default/web" } },
      }),
    );
    expect(Item?.tombstone?.BOOL).toBe(true);
    expect(Item?.rv?.N).toBe("2");
    expect(Item?.object).toBeUndefined();
    expect(Item?.expiresAt?.N).toBe(String(NOW / 1000 + DEFAULT_TOMBSTONE_TTL_SECONDS));
  });
});
