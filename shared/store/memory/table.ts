/**
 * The in-memory stand-in for the DynamoDB table: what the lease and state stores share, since a
 * state write checks the lease. Each store method does its check and its write without an await in
 * between, which makes it atomic in the way one DynamoDB request (or transaction) is.
 *
 * It holds plain domain values, never DynamoDB attribute values, and copies them on the way in and
 * out, so a caller mutating what it wrote or read cannot change the stored record (in DynamoDB the
 * network does that copy).
 */
import type { ClusterGatewayKey } from "../../keys.ts";
import { boundedError, type GatewayState, type Lease, type StoredGatewayState } from "../state.ts";

/** The lease item (see ../dynamodb/lease-item.ts): the token survives release and expiry. */
export interface LeaseRecord {
  token: number;
  owner?: string;
  expiresAt?: number;
}

export class MemoryTable {
  readonly leases = new Map<ClusterGatewayKey, LeaseRecord>();
  /** Records as the stores returned them; only ever a copy of what a caller passed or gets. */
  readonly states = new Map<ClusterGatewayKey, StoredGatewayState>();
}

/** Whether `lease` is still the latest one: the condition of renew, release and every state write. */
export function holds(record: LeaseRecord | undefined, lease: Lease): record is LeaseRecord {
  return record !== undefined && record.owner === lease.owner && record.token === lease.token;
}

/**
 * A deep copy of `state` under `gatewayKey` and `fencingToken`, with exactly the fields the DynamoDB
 * codec keeps: optional fields only when set, and `applied` through JSON as the codec stores it, so
 * whatever JSON loses (undefined members, non-JSON values) is lost here too and a test cannot pass
 * on the twin with a record DynamoDB would return differently.
 */
export function copyState(
  state: GatewayState,
  gatewayKey: ClusterGatewayKey,
  fencingToken: number,
): StoredGatewayState {
  const copy: StoredGatewayState = {
    gatewayKey,
    dataPlane: state.dataPlane,
    account: state.account,
    region: state.region,
    applied: JSON.parse(JSON.stringify(state.applied)),
    fencingToken,
  };
  if (state.appliedHash !== undefined) copy.appliedHash = state.appliedHash;
  if (state.lastDriftCheck !== undefined) copy.lastDriftCheck = state.lastDriftCheck;
  if (state.applying !== undefined) {
    const { startedAt, desiredHash, callsLandBy } = state.applying;
    copy.applying = { startedAt, desiredHash, ...(callsLandBy !== undefined ? { callsLandBy } : {}) };
  }
  if (state.lastReconcile !== undefined) {
    const { at, outcome, error } = state.lastReconcile;
    copy.lastReconcile = { at, outcome, ...(error ? { error: boundedError(error) } : {}) };
  }
  return copy;
}
