// The cluster registry contract on DynamoDB Local (one new table per test), plus the item layout.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";
import { registryContract } from "../unit/registry/contract.ts";
import { CONTROL_PLANE_ACCOUNT, sameAccountCluster } from "../unit/registry/fixtures.ts";

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

describe("DynamoDB cluster registry on DynamoDB Local", () => {
  registryContract(async () => {
    const table = await newTable();
    // A page size of 2 makes list() cross several Scan pages.
    const registry = new DynamoDbClusterRegistry(client, table, CONTROL_PLANE_ACCOUNT, { pageSize: 2 });
    return {
      registry,
      async writeRawItem(item) {
        await client.send(new PutItemCommand({ TableName: table, Item: item }));
      },
    };
  });

  test("a cluster is one item at CLUSTER#<id> / CLUSTER with flat string attributes", async () => {
    const table = await newTable();
    await new DynamoDbClusterRegistry(client, table, CONTROL_PLANE_ACCOUNT).put(sameAccountCluster(), "create");
    const { Item } = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "CLUSTER#prod-eu" }, sk: { S: "CLUSTER" } } }),
    );
    expect(Item).toEqual({
      pk: { S: "CLUSTER#prod-eu" },
      sk: { S: "CLUSTER" },
      clusterId: { S: "prod-eu" },
      account: { S: CONTROL_PLANE_ACCOUNT },
      region: { S: "eu-west-1" },
      vpcId: { S: "vpc-0a1b2c3d" },
      eksClusterName: { S: "prod-eu-1" },
      senderPrincipal: { S: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/switchyard-forwarder-prod-eu` },
      statusMode: { S: "direct" },
    });
  });

  test("list skips other entities of the table", async () => {
    const table = await newTable();
    const registry = new DynamoDbClusterRegistry(client, table, CONTROL_PLANE_ACCOUNT);
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: "GATEWAY#prod-eu/default/web" }, sk: { S: "LEASE" }, token: { N: "1" } },
      }),
    );
    await registry.put(sameAccountCluster(), "create");
    expect((await registry.list()).map((c) => c.clusterId)).toEqual(["prod-eu"]);
  });
});
