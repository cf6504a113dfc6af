import { checkLeaseMatches, leaseSuperseded, newerRecordExists } from "../fencing.ts";
import type { GatewayState, Lease, StateStore } from "../state.ts";
import { decodeState, encodeState } from "../state-item.ts";
import { holds, MemoryTable } from "./table.ts";

/** StateStore over a MemoryTable, fenced by the leases in the same table. */
export class MemoryStateStore implements StateStore {
  readonly #table: MemoryTable;

  constructor(table: MemoryTable = new MemoryTable()) {
    this.#table = table;
  }

  async get(gatewayKey: string): Promise<GatewayState | undefined> {
    const item = this.#table.states.get(gatewayKey);
    return item === undefined ? undefined : decodeState(item);
  }

  async put(state: GatewayState, lease: Lease): Promise<void> {
    checkLeaseMatches(state.gatewayKey, lease);
    const item = encodeState(state, lease.token);
    this.#fence(lease);
    this.#table.states.set(state.gatewayKey, item);
  }

  async delete(gatewayKey: string, lease: Lease): Promise<void> {
    checkLeaseMatches(gatewayKey, lease);
    this.#fence(lease);
    this.#table.states.delete(gatewayKey);
  }

  async *list(): AsyncIterable<GatewayState> {
    // A snapshot, like a Scan page: writes during the iteration do not disturb it.
    for (const item of [...this.#table.states.values()]) yield decodeState(item);
  }

  #fence(lease: Lease): void {
    const current = this.#table.leases.get(lease.gatewayKey);
    if (!holds(current, lease)) throw leaseSuperseded(lease, current);
    const existing = this.#table.states.get(lease.gatewayKey)?.fencingToken?.N;
    if (existing !== undefined && Number(existing) > lease.token) throw newerRecordExists(lease);
  }
}
