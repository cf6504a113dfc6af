import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ObservedLattice } from "../../lattice/observed.ts";
import { DynamoDbLeaseStore } from "./lease-store.ts";
import { decodeLatticeApplied } from "./state-item.ts";
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

/** The state store of Lattice Gateways on the same table: their records, decoded as ObservedLattice. */
export function createDynamoDbLatticeStates(
  client: DynamoDBClient,
  tableName: string,
  options: Omit<DynamoDbStateStoreOptions<ObservedLattice>, "decodeApplied"> = {},
): DynamoDbStateStore<ObservedLattice> {
  return new DynamoDbStateStore<ObservedLattice>(client, tableName, {
    ...options,
    decodeApplied: decodeLatticeApplied,
  });
}
