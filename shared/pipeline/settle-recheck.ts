/**
 * Rechecks while AWS settles. A load balancer leaves `provisioning` minutes after it is created,
 * a VPC Lattice service, network or target group stays CREATE_IN_PROGRESS for a while, and a
 * ServiceExport's gone group drains its targets before it can be deleted. A reconcile that ends
 * with something still settling asks for one more reconcile after a delay (`firstDelayMs`,
 * doubling up to `maxDelayMs`), as a fresh request that carries its `notBefore`: the reconciler
 * completes the current message (so waiting spends none of its receives towards the dead-letter
 * queue) and the fresh one is deferred once, by a visibility change, until then. After
 * `maxTotalMs` since the chain's first recheck was asked for, it stops: the resync looks again.
 *
 * Pure: the outcome, the chain so far and the clock in, a decision out.
 */
import type { DataPlaneOutcome } from "../reconcile/engine.ts";
import type { RecheckChain } from "./reconcile-request.ts";

export interface RecheckSettings {
  /** @default 10_000 */
  firstDelayMs: number;
  /** @default 60_000 */
  maxDelayMs: number;
  /**
   * How long a chain may wait in all before it gives up and leaves the rest to the resync.
   * @default 900_000 (15 min): an ALB or NLB provisions in a few minutes; a target drains within
   * its deregistration delay (5 min by default).
   */
  maxTotalMs: number;
}

export const DEFAULT_RECHECK: RecheckSettings = { firstDelayMs: 10_000, maxDelayMs: 60_000, maxTotalMs: 15 * 60_000 };

/** No rechecks (a runner that cannot defer a message: each recheck would run at once). */
export const NO_RECHECK: RecheckSettings = { firstDelayMs: 0, maxDelayMs: 0, maxTotalMs: 0 };

export type RecheckDecision =
  /** Nothing is settling (or rechecks are off): the chain, if any, ends. */
  | { kind: "none" }
  /** Send a recheck request with `chain`, not to run before `notBefore`. */
  | { kind: "recheck"; notBefore: number; chain: RecheckChain }
  /** Still settling, but the chain has waited `waitedMs` of its `maxTotalMs`: the resync takes over. */
  | { kind: "gave-up"; waitedMs: number };

/**
 * Whether AWS still owes the outcome something a later reconcile must look at: a top-level
 * resource of the record still provisioning or being created (the plane's `isSettling`), or work
 * the plan left `pending` (a deleted group's targets draining).
 */
export function stillSettling<Observed, Operation extends { op: string }>(
  outcome: DataPlaneOutcome<Observed, Operation>,
  isSettling: (observed: Observed) => boolean,
): boolean {
  if (outcome.kind !== "applied" && outcome.kind !== "unchanged") return false;
  return isSettling(outcome.observed) || (outcome.kind === "applied" && outcome.pending !== undefined);
}

/** The next step of the chain `previous` (undefined: none yet) when the reconcile at `now` ended `settling`. */
export function nextRecheck(
  settling: boolean,
  previous: RecheckChain | undefined,
  now: number,
  settings: RecheckSettings = DEFAULT_RECHECK,
): RecheckDecision {
  // Rechecks off (NO_RECHECK): nothing to say in status either; the resync looks again.
  if (!settling || settings.maxTotalMs <= 0) return { kind: "none" };
  const attempt = (previous?.attempt ?? 0) + 1;
  const since = previous?.since ?? now;
  const delay = Math.min(settings.maxDelayMs, settings.firstDelayMs * 2 ** (attempt - 1));
  if (now + delay - since > settings.maxTotalMs) {
    return { kind: "gave-up", waitedMs: now - since };
  }
  return { kind: "recheck", notBefore: now + delay, chain: { attempt, since } };
}

/** What a status or log line says when a chain gave up. */
export function gaveUpNote(waitedMs: number): string {
  return `switchyard stopped rechecking after ${Math.round(waitedMs / 1000)} s; the next resync looks again`;
}
