// The in-memory stores with every call the engine makes recorded, in order, with its arguments
// (deep-copied when made): what the engine's store-call budget tests assert on. The stores behave
// exactly as the unwrapped ones; only the record is added.
import type { LeaseStore, StateStore } from "../../../shared/store/state.ts";

export interface StoreCall {
  method: string;
  args: unknown[];
}

export function recording(stores: { leases: LeaseStore; states: StateStore }): {
  leases: LeaseStore;
  states: StateStore;
  calls: StoreCall[];
} {
  const calls: StoreCall[] = [];
  const note = (method: string, args: unknown[]) => calls.push({ method, args: structuredClone(args) });
  const { leases, states } = stores;
  return {
    calls,
    leases: {
      acquire: (...args) => {
        note("leases.acquire", args);
        return leases.acquire(...args);
      },
      renew: (...args) => {
        note("leases.renew", args);
        return leases.renew(...args);
      },
      release: (...args) => {
        note("leases.release", args);
        return leases.release(...args);
      },
    },
    states: {
      claim: (...args) => {
        note("states.claim", args);
        return states.claim(...args);
      },
      get: (...args) => {
        note("states.get", args);
        return states.get(...args);
      },
      put: (...args) => {
        note("states.put", args);
        return states.put(...args);
      },
      delete: (...args) => {
        note("states.delete", args);
        return states.delete(...args);
      },
      list: (...args) => {
        note("states.list", args);
        return states.list(...args);
      },
    },
  };
}
