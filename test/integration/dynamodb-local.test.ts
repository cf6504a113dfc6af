// DynamoDB Local is AWS's own engine: conditional writes behave as in DynamoDB.
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";

describe("DynamoDB Local", () => {
  let ddb: DynamoDBClient;
  const table = uniqueName("leases");

  beforeAll(async () => {
    ddb = new DynamoDBClient(dynamoDbSettings());
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
  });

  afterAll(() => ddb?.destroy());

  it("rejects a put whose condition fails with ConditionalCheckFailedException and keeps the item", async () => {
    const key = { pk: { S: "gateway#default/web" } };
    await ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...key, owner: { S: "reconciler-a" }, version: { N: "1" } },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );

    const rejected = ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...key, owner: { S: "reconciler-b" }, version: { N: "1" } },
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    await expect(rejected).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const error = (await rejected.catch((e: unknown) => e)) as ConditionalCheckFailedException;
    expect(error.name).toBe("ConditionalCheckFailedException");
    expect(error.Item?.owner).toEqual({ S: "reconciler-a" });

    const stored = await ddb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
    expect(stored.Item?.owner).toEqual({ S: "reconciler-a" });
  });
});
