import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbLeaseStore } from "./lease-store.ts";
import { DynamoDbStateStore, type DynamoDbStateStoreOptions } from "./state-store.ts";

/** The lease store and the state store on one table (see ../README.md for its layout). */
export function createDynamoDbStores(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoDbStateStoreOptions = {},
): { leases: DynamoDbLeaseStore; states: DynamoDbStateStore } {
  return {
    leases: new DynamoDbLeaseStore(client, tableName, options),
    states: new DynamoDbStateStore(client, tableName, options),
  };
}
