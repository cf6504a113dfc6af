/**
 * The stored form of a Gateway's lease: attributes of the Gateway's one item under
 * `GATEWAY#<gatewayKey>` / `STATE`, next to its record (state-item.ts). The item is never deleted
 * by the stores: its `token` counts every acquisition the Gateway ever had, and keeping it (a
 * release only removes the owner and expiry, a record deletion only the record's attributes) is
 * what keeps tokens from being reissued.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ClusterGatewayKey } from "../../keys.ts";
import { gatewayPartition, PARTITION_KEY, SORT_KEY, STATE_SORT_KEY } from "./table-keys.ts";

/** Attribute names of the lease. The lease's expiry is not the table's TTL attribute. */
export const LEASE_ATTRIBUTES = {
  gatewayKey: "gatewayKey",
  /** Absent once released. */
  owner: "owner",
  /** Number of acquisitions so far: the current lease's fencing token. */
  token: "token",
  /** Epoch milliseconds; absent once released. */
  expiresAt: "leaseExpiresAt",
} as const;

/** The Gateway's item, which holds its lease and its record. */
export function leaseKey(gatewayKey: ClusterGatewayKey): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: STATE_SORT_KEY } };
}
