import type { ClusterGatewayKey } from "../../keys.ts";
import { isExpired } from "../fencing.ts";
import { type Lease, type LeaseStore, storeKey } from "../state.ts";
import { holds, MemoryTable } from "./table.ts";

/** LeaseStore over a MemoryTable, with the DynamoDB store's semantics (see ../dynamodb/lease-store.ts). */
export class MemoryLeaseStore implements LeaseStore {
  readonly #table: MemoryTable;

  constructor(table: MemoryTable = new MemoryTable()) {
    this.#table = table;
  }

  async acquire(key: ClusterGatewayKey, owner: string, now: number, ttlMs: number): Promise<Lease | undefined> {
    const gatewayKey = storeKey(key);
    const record = this.#table.leases.get(gatewayKey);
    const free = record?.expiresAt === undefined || isExpired(record.expiresAt, now) || record.owner === owner;
    if (!free) return undefined;
    const lease = { gatewayKey, owner, token: (record?.token ?? 0) + 1, expiresAt: now + ttlMs };
    this.#table.leases.set(gatewayKey, { token: lease.token, owner, expiresAt: lease.expiresAt });
    return lease;
  }

  async renew(lease: Lease, now: number, ttlMs: number): Promise<Lease | undefined> {
    const record = this.#table.leases.get(lease.gatewayKey);
    if (!holds(record, lease)) return undefined;
    record.expiresAt = now + ttlMs;
    return { ...lease, expiresAt: record.expiresAt };
  }

  async release(lease: Lease): Promise<void> {
    const record = this.#table.leases.get(lease.gatewayKey);
    if (holds(record, lease)) this.#table.leases.set(lease.gatewayKey, { token: record.token });
  }
}
