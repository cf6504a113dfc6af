/**
 * The one switchyard table: its definition (shared with the CDK stack, which declares the same
 * table with these constants) and `createTable` for tests and local mode.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { PARTITION_KEY, SORT_KEY } from "./table-keys.ts";

/**
 * The TTL attribute (epoch seconds, as DynamoDB TTL requires).
 * @default "expiresAt" — fixed by the table definition; the CDK stack declares the same name. Only items that may vanish on their
 * own carry it (e.g. objects-mirror tombstones). Never lease items: deleting one would restart its
 * fencing token at 1, and a stale holder's token could then be reissued. DynamoDB Local accepts the
 * setting but never deletes anything.
 */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * The table as the CDK stack declares it: `pk`/`sk` strings, TTL on TTL_ATTRIBUTE, and
 * @default billingMode "PAY_PER_REQUEST" — reconciles come in bursts (a cluster's snapshot, a
 * deploy) and idle otherwise, which on-demand capacity absorbs without throttling or tuning.
 */
export const TABLE_DEFINITION = {
  partitionKey: { name: PARTITION_KEY, type: "S" },
  sortKey: { name: SORT_KEY, type: "S" },
  billingMode: "PAY_PER_REQUEST",
  timeToLiveAttribute: TTL_ATTRIBUTE,
} as const;

export function createTableInput(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: TABLE_DEFINITION.billingMode,
    AttributeDefinitions: [
      { AttributeName: TABLE_DEFINITION.partitionKey.name, AttributeType: TABLE_DEFINITION.partitionKey.type },
      { AttributeName: TABLE_DEFINITION.sortKey.name, AttributeType: TABLE_DEFINITION.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: "HASH" },
      { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: "RANGE" },
    ],
  };
}

/**
 * Creates the table, waits until it is ACTIVE and turns on TTL. There is no default table name:
 * the CDK stack names the table and hands the name to the functions, and tests use a fresh one each.
 *
 * @param maxWaitSeconds how long to wait for ACTIVE. @default 120 — an on-demand table with no
 *   indexes is ACTIVE within seconds on DynamoDB (at once on DynamoDB Local); two minutes outlasts a
 *   slow control plane without hanging a test run.
 */
export async function createTable(client: DynamoDBClient, name: string, maxWaitSeconds = 120): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(name)));
  await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1 }, { TableName: name });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}
