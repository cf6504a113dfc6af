/**
 * Persistence ports of the reconciler: per-Gateway state and leases. One interface each, a
 * DynamoDB implementation (shared/store/dynamodb/) and an in-memory one for pure tests.
 */
import type { DataPlane } from "../config.ts";
import type { ObservedElb } from "../elb/observed.ts";

/** A lease on one Gateway. `token` grows with every acquisition and fences stale holders. */
export interface Lease {
  gatewayKey: string;
  owner: string;
  token: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface LeaseStore {
  /** The lease, or undefined while another owner holds an unexpired one. */
  acquire(gatewayKey: string, owner: string, now: number, ttlMs: number): Promise<Lease | undefined>;
  /** Extends a lease still held; undefined if it was lost (expired and taken). */
  renew(lease: Lease, now: number, ttlMs: number): Promise<Lease | undefined>;
  release(lease: Lease): Promise<void>;
}

/**
 * What the last apply left for one Gateway: the hash of the desired model it applied and the
 * resulting resources (with ARNs), so a no-op reconcile needs no AWS call and a change is planned
 * against this record instead of against region-wide Describe calls.
 */
export interface GatewayState<Applied = ObservedElb> {
  /** `cluster/namespace/name`. */
  gatewayKey: string;
  dataPlane: DataPlane;
  /** Target account and region the resources live in. */
  account: string;
  region: string;
  appliedHash?: string;
  /** The resources as last applied or observed (ELB today; the data plane's observed shape). */
  applied: Applied;
  /** Epoch ms of the last drift check against AWS. */
  lastDriftCheck?: number;
  /** Set while an apply is running: a reconcile that finds it re-discovers resources by tags. */
  applying?: {
    startedAt: number;
    desiredHash: string;
    /**
     * Epoch ms after which no AWS call of the writer can still land (its lease expiry plus one
     * call deadline while it applies; one call deadline after it stopped). A reconciler taking
     * over does nothing before then, since AWS knows nothing of fencing tokens. Absent in records
     * written before it existed: `startedAt` plus one call deadline then.
     */
    callsLandBy?: number;
  };
  /** The fencing token of the lease under which this record was written. */
  fencingToken: number;
}

/** A write refused because a newer lease holder has written (or holds the lease). */
export class FencedOut extends Error {
  readonly gatewayKey: string;

  constructor(gatewayKey: string, message: string) {
    super(message);
    this.name = "FencedOut";
    this.gatewayKey = gatewayKey;
  }
}

export interface StateStore<Applied = ObservedElb> {
  get(gatewayKey: string): Promise<GatewayState<Applied> | undefined>;
  /**
   * Writes the record only if `lease` is still the current lease of the Gateway (its token is the
   * latest); throws FencedOut otherwise.
   */
  put(state: GatewayState<Applied>, lease: Lease): Promise<void>;
  /** Deletes the record under the same fencing rule (after a Gateway's resources are gone). */
  delete(gatewayKey: string, lease: Lease): Promise<void>;
  /** Every record, for the orphan sweep (which ARNs are claimed). */
  list(): AsyncIterable<GatewayState<Applied>>;
}
