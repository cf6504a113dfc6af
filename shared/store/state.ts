/**
 * Persistence ports of the reconciler: per-Gateway state and leases. One interface each, a
 * DynamoDB implementation (shared/store/dynamodb/) and an in-memory one for pure tests, and the
 * errors both may throw. A Gateway's lease and its record live together (one DynamoDB item), so
 * taking the lease can read the record and mark it in the same request (`StateStore.claim`), and a
 * record write can release the lease (`WriteOptions.release`).
 */
import type { DataPlane } from "../config.ts";
import type { ObservedElb } from "../elb/observed.ts";
import { type ClusterGatewayKey, parseClusterGatewayKey } from "../keys.ts";

/**
 * The ClusterGatewayKey a store works with. The type already says it was built by
 * clusterGatewayKey() or parseClusterGatewayKey(); it is checked again here because a store key
 * addresses a DynamoDB partition, and a cast brand must not reach one. Throws InvalidGatewayKey.
 */
export function storeKey(gatewayKey: ClusterGatewayKey): ClusterGatewayKey {
  return parseClusterGatewayKey(gatewayKey);
}

/** A lease on one Gateway. `token` grows with every acquisition and fences stale holders. */
export interface Lease {
  gatewayKey: ClusterGatewayKey;
  owner: string;
  token: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface LeaseStore {
  /** The lease, or undefined while another owner holds an unexpired one. */
  acquire(gatewayKey: ClusterGatewayKey, owner: string, now: number, ttlMs: number): Promise<Lease | undefined>;
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
  gatewayKey: ClusterGatewayKey;
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
     * Epoch ms after which no AWS call of the writer can still land: its lease expiry while it
     * applies (no call starts with less than a call deadline plus margin left on the lease); once
     * it stopped on an error, the moment it stopped, or one call deadline after a call whose
     * answer never came. A reconciler taking over does nothing before then, since AWS knows
     * nothing of fencing tokens. Absent in records written before it existed: `startedAt` plus
     * one call deadline then.
     */
    callsLandBy?: number;
  };
  /**
   * How the last reconcile that wrote this record ended, recorded in that same write (no request
   * of its own). A reconcile that writes nothing leaves it as it was: one refused as current (the
   * usual no-op, a claim alone), one refused as busy (another holder's lease), and one that waits
   * for an interrupted apply's calls to land (it puts the record back as it found it).
   */
  lastReconcile?: LastReconcile;
  /** The fencing token of the lease under which this record was written. */
  fencingToken: number;
}

/**
 * What a reconcile that wrote the record did:
 * - `applied`: AWS now holds the desired model;
 * - `partial`: applied except the rules AWS refused (`error` names them);
 * - `unchanged`: nothing to change (after a drift check, or re-reading a resource still provisioning);
 * - `failed`: stopped on an AWS refusal or an exception (`error` says which);
 * - `held`: the Gateway's configuration is refused, so nothing was changed and what the record
 *   holds keeps serving (`error` says why it is refused).
 */
export type ReconcileResult = "applied" | "partial" | "unchanged" | "failed" | "held";

export const RECONCILE_RESULTS: readonly ReconcileResult[] = ["applied", "partial", "unchanged", "failed", "held"];

/** The longest `LastReconcile.error` kept, in characters; a longer one is cut and ends in `…`. */
export const MAX_LAST_ERROR_CHARS = 1024;

export interface LastReconcile {
  /** Epoch ms when the reconcile wrote the record. */
  at: number;
  outcome: ReconcileResult;
  /** Why it failed, was partial or is held; absent otherwise. At most MAX_LAST_ERROR_CHARS characters. */
  error?: string;
}

/** `error` cut to MAX_LAST_ERROR_CHARS (code points), so a long AWS message cannot swell the record. */
export function boundedError(error: string): string {
  const chars = Array.from(error);
  return chars.length <= MAX_LAST_ERROR_CHARS ? error : `${chars.slice(0, MAX_LAST_ERROR_CHARS - 1).join("")}…`;
}

/** A record as a store returns it: its key has been checked. */
export interface StoredGatewayState<Applied = ObservedElb> extends GatewayState<Applied> {
  gatewayKey: ClusterGatewayKey;
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

/** A record that would not fit in one DynamoDB item (both stores refuse it, so tests see it too). */
export class StateTooLarge extends Error {
  readonly gatewayKey: string;
  /**
   * The item's size in bytes, as DynamoDB counts it, with room for the lease and the `applying`
   * marker a claim adds (CLAIM_HEADROOM_BYTES in dynamodb/state-item.ts).
   */
  readonly bytes: number;
  /** The item size limit in bytes. */
  readonly limit: number;

  constructor(gatewayKey: string, bytes: number, limit: number, appliedJsonBytes: number, appliedGzipBytes: number) {
    super(
      `state of gateway ${gatewayKey} is ${bytes} bytes as a DynamoDB item, over the ${limit}-byte ` +
        "(400 KB) item limit once the lease and the applying marker a reconcile adds are counted: " +
        `its applied resources are ${appliedJsonBytes} bytes of JSON, ` +
        `${appliedGzipBytes} bytes gzip-compressed`,
    );
    this.name = "StateTooLarge";
    this.gatewayKey = gatewayKey;
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * A stored record that is not a GatewayState (written by hand, by another version, or damaged). It
 * names the record and the field, so an operator can find and repair or delete that one item; the
 * store never returns such a record half-read.
 */
export class StateDecodeError extends Error {
  /** The Gateway the record belongs to, as far as the record itself says (its key may be the damage). */
  readonly gatewayKey: string;
  /** The stored attribute that is wrong, or a path inside `applied`, e.g. `applyingStartedAt`, `applied.listeners`. */
  readonly field: string;
  /** What is wrong with it. */
  readonly problem: string;

  constructor(gatewayKey: string, field: string, problem: string) {
    super(`state record of gateway ${gatewayKey} cannot be read: ${field} ${problem}`);
    this.name = "StateDecodeError";
    this.gatewayKey = gatewayKey;
    this.field = field;
    this.problem = problem;
  }
}

/** The `applying` marker with its deadline: what a claim writes before any AWS call can start. */
export type ApplyingMarker = Required<NonNullable<GatewayState["applying"]>>;

/** When a record needs no reconcile: it holds this hash, nothing is applying, drift was checked. */
export interface CurrentRecord {
  /** The hash of the desired model: the record is current only if it applied exactly this one. */
  appliedHash: string;
  /** Epoch ms: the record is current only if drift-checked after it (a record never checked counts as checked at 0). */
  checkedAfter: number;
}

export interface ClaimRequest<Applied = ObservedElb> {
  gatewayKey: ClusterGatewayKey;
  owner: string;
  /** Epoch ms; the lease is held through `now + ttlMs`. */
  now: number;
  ttlMs: number;
  /**
   * Written into the record together with the lease, so a reconciler that dies after an AWS call
   * leaves a record that says so (see GatewayState.applying). A record write that follows replaces it.
   */
  applying: ApplyingMarker;
  /** The record's other fields when the Gateway has none yet: a claim never changes existing ones. */
  initial: Pick<GatewayState<Applied>, "dataPlane" | "account" | "region" | "applied">;
  /** Take nothing and report the record `current` if it matches (see CurrentRecord) and no other lease is in force. */
  unlessCurrent?: CurrentRecord;
  /**
   * The data planes whose records this claim may take: a record naming another one (the Gateway's
   * class moved it from ELB to VPC Lattice or back) makes it take nothing and answer `elsewhere`,
   * so the record and the resources it names stay for that plane's reconcile to delete.
   * @default undefined — a record of any data plane is taken
   */
  planes?: readonly DataPlane[];
}

/** The answer to a claim: exactly one request, which either took the lease or took nothing. */
export type Claim<Applied = ObservedElb> =
  /** The lease is this reconciler's and the record carries its `applying` marker. */
  | { kind: "claimed"; lease: Lease; previous?: StoredGatewayState<Applied> }
  /** Another owner's unexpired lease: nothing was written. */
  | { kind: "busy"; holder: { owner: string; expiresAt: number } }
  /** The record matched `unlessCurrent`: nothing was written. */
  | { kind: "current"; state: StoredGatewayState<Applied> }
  /** The record names a data plane outside `planes`: nothing was written. */
  | { kind: "elsewhere"; dataPlane: DataPlane };

export interface WriteOptions {
  /**
   * Release the lease in the same write (the last write of a reconcile).
   * @default false — the lease stays held, as for the writes during a long apply.
   */
  release?: boolean;
}

export interface StateStore<Applied = ObservedElb> {
  /**
   * Takes the Gateway's lease, as LeaseStore.acquire would, and in the same write replaces the
   * record's `applying` with `request.applying` (starting the record from `request.initial` when
   * there is none); answers with the record as it was before. With `unlessCurrent`, a current
   * record makes it take nothing. Throws StateDecodeError for a damaged record (after releasing).
   */
  claim(request: ClaimRequest<Applied>): Promise<Claim<Applied>>;
  /** The record, or undefined if there is none; throws StateDecodeError for a damaged one. */
  get(gatewayKey: ClusterGatewayKey): Promise<StoredGatewayState<Applied> | undefined>;
  /**
   * Writes the record only if `lease` is still the current lease of the Gateway (its token is the
   * latest); throws FencedOut otherwise.
   */
  put(state: GatewayState<Applied>, lease: Lease, options?: WriteOptions): Promise<void>;
  /** Deletes the record under the same fencing rule (after a Gateway's resources are gone). */
  delete(gatewayKey: ClusterGatewayKey, lease: Lease, options?: WriteOptions): Promise<void>;
  /** Every record, for the resync (its schedule and orphan check); throws StateDecodeError for a damaged one. */
  list(): AsyncIterable<StoredGatewayState<Applied>>;
}
