/**
 * The rules of a claim (StateStore.claim) both stores enforce: when a lease is free to take, when
 * a record is current, and what a refused claim found. The DynamoDB store states the first two as
 * its condition expression (dynamodb/claim-expression.ts) and reads a refusal with the third.
 */

import type { DataPlane } from "../config.ts";
import { isExpired } from "./fencing.ts";
import type { Claim, CurrentRecord, GatewayState, StoredGatewayState } from "./state.ts";

/** The lease attributes of a Gateway's item, as a claim sees them. */
export interface LeaseHolder {
  owner?: string;
  /** Epoch ms; absent once released. */
  expiresAt?: number;
}

/** Free for `owner`: never held or released, expired, or already `owner`'s. */
export function isLeaseFree(holder: LeaseHolder | undefined, owner: string, now: number): boolean {
  return holder?.expiresAt === undefined || isExpired(holder.expiresAt, now) || holder.owner === owner;
}

/** A record that applied exactly `current.appliedHash`, is not applying, and was drift-checked after `checkedAfter`. */
export function isCurrent(state: GatewayState<unknown> | undefined, current: CurrentRecord): boolean {
  return (
    state !== undefined &&
    state.applying === undefined &&
    state.appliedHash === current.appliedHash &&
    (state.lastDriftCheck ?? 0) > current.checkedAfter
  );
}

/** A record a claim limited to `planes` may take: none yet, or one naming one of them (no limit: any). */
export function isOnPlanes(
  state: Pick<GatewayState<unknown>, "dataPlane"> | undefined,
  planes: readonly DataPlane[] | undefined,
): boolean {
  return state === undefined || planes === undefined || planes.includes(state.dataPlane);
}

/**
 * What a claim that took nothing found: another owner's lease in force, or else a record of
 * another data plane than `planes`, or else a current record (read by `record` only then, so a
 * busy Gateway's record is never decoded). A refusal with none of these means the store's
 * condition and these rules disagree: a bug, thrown.
 */
export function refusedClaim<Applied>(
  holder: LeaseHolder | undefined,
  owner: string,
  now: number,
  record: () => StoredGatewayState<Applied> | undefined,
  planes?: readonly DataPlane[],
): Claim<Applied> {
  if (holder?.owner !== undefined && holder.expiresAt !== undefined && !isLeaseFree(holder, owner, now)) {
    return { kind: "busy", holder: { owner: holder.owner, expiresAt: holder.expiresAt } };
  }
  const state = record();
  if (state === undefined) {
    throw new Error("a claim was refused while the lease was free and there is no record to be current");
  }
  if (!isOnPlanes(state, planes)) return { kind: "elsewhere", dataPlane: state.dataPlane };
  return { kind: "current", state };
}
