import type { ClusterGatewayKey } from "../../keys.ts";
import { encodeState } from "../dynamodb/state-item.ts";
import { checkLeaseMatches, leaseSuperseded, newerRecordExists } from "../fencing.ts";
import { type GatewayState, type Lease, type StateStore, type StoredGatewayState, storeKey } from "../state.ts";
import { copyState, holds, MemoryTable } from "./table.ts";

/** StateStore over a MemoryTable, fenced by the leases in the same table. */
export class MemoryStateStore implements StateStore {
  readonly #table: MemoryTable;

  constructor(table: MemoryTable = new MemoryTable()) {
    this.#table = table;
  }

  async get(key: ClusterGatewayKey): Promise<StoredGatewayState | undefined> {
    const stored = this.#table.states.get(storeKey(key));
    return stored === undefined ? undefined : copyState(stored, stored.gatewayKey, stored.fencingToken);
  }

  async put(state: GatewayState, lease: Lease): Promise<void> {
    const gatewayKey = storeKey(state.gatewayKey);
    checkLeaseMatches(gatewayKey, lease);
    // The 400 KB limit is DynamoDB's, counted on the item it would write: encoding that item (and
    // dropping it) refuses exactly what the DynamoDB store refuses, with the same StateTooLarge.
    encodeState(state, gatewayKey, lease.token);
    this.#fence(lease);
    this.#table.states.set(gatewayKey, copyState(state, gatewayKey, lease.token));
  }

  async delete(key: ClusterGatewayKey, lease: Lease): Promise<void> {
    const gatewayKey = storeKey(key);
    checkLeaseMatches(gatewayKey, lease);
    this.#fence(lease);
    this.#table.states.delete(gatewayKey);
  }

  async *list(): AsyncIterable<StoredGatewayState> {
    // A snapshot, like a Scan page: writes during the iteration do not disturb it.
    for (const stored of [...this.#table.states.values()]) {
      yield copyState(stored, stored.gatewayKey, stored.fencingToken);
    }
  }

  #fence(lease: Lease): void {
    const current = this.#table.leases.get(lease.gatewayKey);
    if (!holds(current, lease)) throw leaseSuperseded(lease, current);
    const existing = this.#table.states.get(lease.gatewayKey)?.fencingToken;
    if (existing !== undefined && existing > lease.token) throw newerRecordExists(lease);
  }
}
