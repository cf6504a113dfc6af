import { MemoryLeaseStore } from "./lease-store.ts";
import { MemoryStateStore } from "./state-store.ts";
import { MemoryTable } from "./table.ts";

/** A lease store and a state store sharing one (new, empty) in-memory table. */
export function createMemoryStores(table: MemoryTable = new MemoryTable()): {
  leases: MemoryLeaseStore;
  states: MemoryStateStore;
} {
  return { leases: new MemoryLeaseStore(table), states: new MemoryStateStore(table) };
}
