/**
 * Pacing of endpoint-only reconciles. During a rollout every EndpointSlice update changes a
 * Gateway's targets; reconciling each one makes reconciles ≈ slices × rollout seconds ÷ the
 * forwarder's window (bench/RESULTS.md, rollout-churn). So a reconcile that only endpoints asked
 * for waits until the Gateway's `notBefore`, and each reconcile sets the next `notBefore` a
 * growing interval after its own start: the first endpoint change after a quiet spell is
 * reconciled at once, the next after `firstIntervalMs`, then 2×, 4×… up to `maxIntervalMs`, so a
 * rollout of D seconds costs about log2(max/first) + D / max reconciles, and the last endpoints
 * reach the load balancer at most `maxIntervalMs` after the rollout ends. Any other change (a
 * route, a Gateway, a Service), a resync and an AWS event run at once.
 *
 * Pure: the dirty record and the clock in, a decision out.
 */
import type { DirtyRecord } from "./dirty-generation.ts";
import type { ReconcileReason } from "./reconcile-request.ts";

export interface PacingSettings {
  /** @default 2_000 */
  firstIntervalMs: number;
  /** @default 20_000: a 100 s rollout is about 9 reconciles; targets lag by at most 20 s. */
  maxIntervalMs: number;
}

export const DEFAULT_PACING: PacingSettings = { firstIntervalMs: 2_000, maxIntervalMs: 20_000 };

/** No pacing: every reconcile runs at once (a deployment that prefers target latency to reconciles). */
export const NO_PACING: PacingSettings = { firstIntervalMs: 0, maxIntervalMs: 0 };

export type PacingDecision =
  /** Start now; a finished reconcile records `notBefore` and `intervalMs`. */
  | { run: true; notBefore: number; intervalMs: number }
  /** Only endpoints changed and the Gateway was reconciled too recently: come back at `until`. */
  | { run: false; until: number };

export function pace(
  record: DirtyRecord,
  reason: ReconcileReason,
  now: number,
  settings: PacingSettings = DEFAULT_PACING,
): PacingDecision {
  const endpointsOnly =
    (reason === "change" || reason === "requeue") && record.urgentGeneration <= record.startedGeneration;
  if (endpointsOnly && now < record.notBefore) return { run: false, until: record.notBefore };
  // Quiet since the last reconcile: start again from the first interval.
  const quiet = record.startedAt === 0 || now - record.startedAt > settings.maxIntervalMs + record.intervalMs;
  const intervalMs = quiet
    ? settings.firstIntervalMs
    : Math.min(settings.maxIntervalMs, Math.max(settings.firstIntervalMs, record.intervalMs * 2));
  return { run: true, notBefore: now + intervalMs, intervalMs };
}
