/**
 * The in-memory stand-in for the DynamoDB table: what the lease and state stores share, since a
 * state write checks the lease. Each store method does its check and its write without an await in
 * between, which makes it atomic in the way one DynamoDB request (or transaction) is.
 */
import type { Lease } from "../state.ts";
import type { StateItem } from "../state-item.ts";

/** The lease item (see lease-item.ts): the token survives release and expiry. */
export interface LeaseRecord {
  token: number;
  owner?: string;
  expiresAt?: number;
}

export class MemoryTable {
  readonly leases = new Map<string, LeaseRecord>();
  /** The same items the DynamoDB store writes, so sizes and copies behave the same. */
  readonly states = new Map<string, StateItem>();
}

/** Whether `lease` is still the latest one: the condition of renew, release and every state write. */
export function holds(record: LeaseRecord | undefined, lease: Lease): record is LeaseRecord {
  return record !== undefined && record.owner === lease.owner && record.token === lease.token;
}
