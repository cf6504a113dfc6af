/**
 * The stored form of a Gateway's lease: one item under `GATEWAY#<gatewayKey>` / `LEASE` that is
 * never deleted. Its `token` counts every acquisition the Gateway ever had; keeping the item (a
 * release only removes its owner and expiry) is what keeps tokens from being reissued.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ClusterGatewayKey } from "../../keys.ts";
import { gatewayPartition, LEASE_SORT_KEY, PARTITION_KEY, SORT_KEY } from "./table-keys.ts";

/** Attribute names of the lease item. The lease's expiry is not the table's TTL attribute. */
export const LEASE_ATTRIBUTES = {
  gatewayKey: "gatewayKey",
  /** Absent once released. */
  owner: "owner",
  /** Number of acquisitions so far: the current lease's fencing token. */
  token: "token",
  /** Epoch milliseconds; absent once released. */
  expiresAt: "leaseExpiresAt",
} as const;

export function leaseKey(gatewayKey: ClusterGatewayKey): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: LEASE_SORT_KEY } };
}
