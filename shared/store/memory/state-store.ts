import type { ClusterGatewayKey } from "../../keys.ts";
import { isCurrent, isLeaseFree, isOnPlanes, refusedClaim } from "../claim.ts";
import { encodeState } from "../dynamodb/state-item.ts";
import { checkLeaseMatches, leaseSuperseded, newerRecordExists } from "../fencing.ts";
import {
  type Claim,
  type ClaimRequest,
  type GatewayState,
  type Lease,
  type StateStore,
  type StoredGatewayState,
  storeKey,
  type WriteOptions,
} from "../state.ts";
import { copyState, holds, MemoryTable } from "./table.ts";

/**
 * StateStore over a MemoryTable, fenced by the leases in the same table, with the DynamoDB store's
 * semantics (see ../dynamodb/state-store.ts): a Gateway's lease and record are one item there, so
 * each method here reads and writes both without an await in between.
 */
export class MemoryStateStore implements StateStore {
  readonly #table: MemoryTable;

  constructor(table: MemoryTable = new MemoryTable()) {
    this.#table = table;
  }

  async claim(request: ClaimRequest): Promise<Claim> {
    const gatewayKey = storeKey(request.gatewayKey);
    const { owner, now } = request;
    const holder = this.#table.leases.get(gatewayKey);
    const stored = this.#table.states.get(gatewayKey);
    const current = request.unlessCurrent !== undefined && isCurrent(stored, request.unlessCurrent);
    if (!isLeaseFree(holder, owner, now) || current || !isOnPlanes(stored, request.planes)) {
      return refusedClaim(
        holder,
        owner,
        now,
        () => stored && copyState(stored, gatewayKey, stored.fencingToken),
        request.planes,
      );
    }
    const lease: Lease = { gatewayKey, owner, token: (holder?.token ?? 0) + 1, expiresAt: now + request.ttlMs };
    this.#table.leases.set(gatewayKey, { token: lease.token, owner, expiresAt: lease.expiresAt });
    const { applying, initial } = request;
    const marked: GatewayState = stored
      ? { ...stored, applying }
      : { gatewayKey, ...initial, applying, fencingToken: lease.token };
    this.#table.states.set(gatewayKey, copyState(marked, gatewayKey, lease.token));
    return {
      kind: "claimed",
      lease,
      ...(stored !== undefined ? { previous: copyState(stored, gatewayKey, stored.fencingToken) } : {}),
    };
  }

  async get(key: ClusterGatewayKey): Promise<StoredGatewayState | undefined> {
    const stored = this.#table.states.get(storeKey(key));
    return stored === undefined ? undefined : copyState(stored, stored.gatewayKey, stored.fencingToken);
  }

  async put(state: GatewayState, lease: Lease, options: WriteOptions = {}): Promise<void> {
    const gatewayKey = storeKey(state.gatewayKey);
    checkLeaseMatches(gatewayKey, lease);
    // The 400 KB limit is DynamoDB's, counted on the item it would write: encoding that item (and
    // dropping it) refuses exactly what the DynamoDB store refuses, with the same StateTooLarge.
    encodeState(state, gatewayKey, lease.token);
    this.#fence(lease);
    this.#table.states.set(gatewayKey, copyState(state, gatewayKey, lease.token));
    if (options.release) this.#release(lease);
  }

  async delete(key: ClusterGatewayKey, lease: Lease, options: WriteOptions = {}): Promise<void> {
    const gatewayKey = storeKey(key);
    checkLeaseMatches(gatewayKey, lease);
    this.#fence(lease);
    this.#table.states.delete(gatewayKey);
    if (options.release) this.#release(lease);
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

  /** After #fence: the lease is still `lease`. */
  #release(lease: Lease): void {
    this.#table.leases.set(lease.gatewayKey, { token: lease.token });
  }
}
