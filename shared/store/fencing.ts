/**
 * The fencing rule both stores enforce, and the errors it produces: a state write succeeds only
 * under the Gateway's latest lease, and never replaces a record written under a newer one.
 */
import type { ClusterGatewayKey } from "../keys.ts";
import { FencedOut, type Lease } from "./state.ts";

/**
 * A lease is held through its `expiresAt` millisecond and free from the next one (the DynamoDB
 * store's condition `#expiresAt < :now` says the same).
 */
export function isExpired(expiresAt: number, now: number): boolean {
  return expiresAt < now;
}

/** The lease item as a FencedOut message describes it. */
export interface CurrentLease {
  owner?: string;
  token?: number;
}

/** A write for one Gateway under another Gateway's lease is a programming error, not a fence. */
export function checkLeaseMatches(gatewayKey: ClusterGatewayKey, lease: Lease): void {
  if (gatewayKey !== lease.gatewayKey) {
    throw new Error(`state of gateway ${gatewayKey} cannot be written under the lease of ${lease.gatewayKey}`);
  }
}

function describe(lease: Lease): string {
  return `lease token ${lease.token} of ${lease.owner}`;
}

export function leaseSuperseded(lease: Lease, current: CurrentLease | undefined): FencedOut {
  let now: string;
  if (current?.token === undefined) now = "no lease exists";
  else if (current.owner === undefined) now = `released at token ${current.token}`;
  else now = `now token ${current.token} of ${current.owner}`;
  return new FencedOut(lease.gatewayKey, `gateway ${lease.gatewayKey}: ${describe(lease)} is superseded (${now})`);
}

export function newerRecordExists(lease: Lease): FencedOut {
  return new FencedOut(
    lease.gatewayKey,
    `gateway ${lease.gatewayKey}: a record written under a newer lease than ${describe(lease)} exists`,
  );
}
