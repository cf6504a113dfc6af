/**
 * The stored form of a Gateway's lease: one item under `GATEWAY#<gatewayKey>` / `LEASE` that is
 * never deleted. Its `token` counts every acquisition the Gateway ever had; keeping the item (a
 * release only removes its owner and expiry) is what keeps tokens from being reissued.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { gatewayPartition, LEASE_SORT_KEY, PARTITION_KEY, SORT_KEY } from "./keys.ts";

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

/**
 * A lease is held through its `expiresAt` millisecond and free from the next one (the DynamoDB
 * store's condition `#expiresAt < :now` says the same).
 */
export function isExpired(expiresAt: number, now: number): boolean {
  return expiresAt < now;
}

export function leaseKey(gatewayKey: string): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: LEASE_SORT_KEY } };
}
