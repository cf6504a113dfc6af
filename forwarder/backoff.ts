/**
 * Exponential backoff with jitter for watch restarts and SQS resends. Pure: randomness is passed in.
 * "Equal jitter": half the capped exponential delay is fixed, half random, so retries of many
 * watchers spread out without ever retrying at once.
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 30_000 };

/** Delay before retry number `attempt` (0 for the first retry); `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const capped = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.floor(capped / 2 + random() * (capped / 2));
}
