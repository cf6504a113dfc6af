/**
 * When each Gateway's scheduled drift check is due. The EventBridge schedule fires every tick (for
 * example every minute); over a period of `periodTicks` ticks every Gateway is enqueued exactly once,
 * on the tick of its own slot. The slot is a hash of the Gateway key and a configured seed, so the
 * spread is deterministic (a retried invocation enqueues the same Gateways) yet even across the
 * period, and a fleet of Gateways never lands on the reconciler and the AWS APIs in one burst.
 *
 * Why slots and not delays: reconcile.fifo is a FIFO queue, and FIFO queues refuse per-message
 * DelaySeconds (only a queue-wide delay exists). Pacing sends inside one invocation would spend
 * Lambda time sleeping, and a `notBefore` field would need the reconciler to hold or re-queue
 * messages. Choosing which Gateways are due on each tick spreads the load with neither.
 */
import { createHash } from "node:crypto";
import type { ClusterGatewayKey } from "../../shared/keys.ts";

export interface ResyncSchedule {
  /** The EventBridge schedule's rate in milliseconds: one tick. */
  tickMs: number;
  /** Ticks per drift-check period: each Gateway is due once per `tickMs * periodTicks`. */
  periodTicks: number;
  /** Mixed into the slot hash; the injected randomness that places Gateways in the period. */
  seed: string;
}

/** The tick a schedule event belongs to, from its `time` (never the clock: a retry is the same tick). */
export function tickOf(time: string, schedule: ResyncSchedule): number {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`schedule event time is not a date: ${JSON.stringify(time)}`);
  return Math.floor(ms / schedule.tickMs);
}

/** The Gateway's slot in the period, in [0, periodTicks). */
export function slotOf(key: ClusterGatewayKey, schedule: ResyncSchedule): number {
  const digest = createHash("sha256").update(`${schedule.seed}\u0000${key}`).digest();
  // 48 bits: uniform enough over any realistic period, and exact in a JavaScript number.
  return digest.readUIntBE(0, 6) % schedule.periodTicks;
}

export function isDue(key: ClusterGatewayKey, tick: number, schedule: ResyncSchedule): boolean {
  return slotOf(key, schedule) === ((tick % schedule.periodTicks) + schedule.periodTicks) % schedule.periodTicks;
}

export function checkSchedule(schedule: ResyncSchedule): ResyncSchedule {
  if (!Number.isSafeInteger(schedule.tickMs) || schedule.tickMs < 1)
    throw new Error("tickMs must be a positive integer");
  if (!Number.isSafeInteger(schedule.periodTicks) || schedule.periodTicks < 1) {
    throw new Error("periodTicks must be a positive integer");
  }
  return schedule;
}
