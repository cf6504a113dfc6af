// itemSize() against the real engine: an item at exactly MAX_ITEM_BYTES by our count is stored and
// one byte more is refused, so StateTooLarge fires exactly where DynamoDB itself would refuse.
import { type AttributeValue, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { itemSize, MAX_ITEM_BYTES } from "../../shared/store/dynamodb/item-size.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";

describe("item size limit on DynamoDB Local", () => {
  let client: DynamoDBClient;
  const table = uniqueName("switchyard");

  beforeAll(async () => {
    client = new DynamoDBClient(dynamoDbSettings());
    await createTable(client, table);
  });

  afterAll(() => client?.destroy());

  /** Every kind of attribute the store writes and more, padded by a binary to exactly `bytes`. */
  function itemOf(bytes: number): Record<string, AttributeValue> {
    const base: Record<string, AttributeValue> = {
      pk: { S: "GATEWAY#cluster-a/default/web" },
      sk: { S: "STATE" },
      "naïve-ütf8": { S: "€uro" },
      token: { N: "12345" },
      at: { N: "1750000000000" },
      hundred: { N: "120" },
      negative: { N: "-120" },
      fraction: { N: "123.456" },
      big: { N: "99999999999999999999999999999999999999" },
      flag: { BOOL: true },
      nothing: { NULL: true },
      applying: { M: { startedAt: { N: "1750000000000" }, desiredHash: { S: "sha256:abc" } } },
      list: { L: [{ S: "x" }, { N: "7" }, { M: {} }] },
      applied: { B: new Uint8Array(0) },
    };
    return { ...base, applied: { B: new Uint8Array(bytes - itemSize(base)).fill(7) } };
  }

  test("an item of exactly MAX_ITEM_BYTES by our count is stored", async () => {
    const item = itemOf(MAX_ITEM_BYTES);
    expect(itemSize(item)).toBe(MAX_ITEM_BYTES);
    await client.send(new PutItemCommand({ TableName: table, Item: item }));
  });

  test("an item one byte over by our count is refused by DynamoDB for its size", async () => {
    const item = itemOf(MAX_ITEM_BYTES + 1);
    await expect(client.send(new PutItemCommand({ TableName: table, Item: item }))).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringMatching(/size/i),
    });
  });
});
