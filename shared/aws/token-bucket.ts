/**
 * Token-bucket arithmetic, the algorithm ELB and EC2 use to throttle their APIs per account and
 * Region. Pure: the caller passes the time, so the limiter built on it is tested without a clock.
 *
 * A request that finds the bucket short still takes its token (the balance goes negative) and is
 * told how long to wait: concurrent callers queue in arrival order without polling, and the
 * balance refills at the configured rate whether anyone waits or not.
 */

export interface TokenBucketConfig {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Maximum tokens held: the burst allowed after an idle period. */
  capacity: number;
}

export interface TokenBucketState {
  /** May be negative: tokens already promised to waiting requests. */
  tokens: number;
  /** Epoch milliseconds of the last update. */
  updatedAt: number;
}

export function fullBucket(config: TokenBucketConfig, now: number): TokenBucketState {
  return { tokens: config.capacity, updatedAt: now };
}

/** The bucket at `now`: refilled for the time elapsed, never above capacity. */
export function refill(state: TokenBucketState, config: TokenBucketConfig, now: number): TokenBucketState {
  const elapsed = Math.max(0, now - state.updatedAt);
  const tokens = Math.min(config.capacity, state.tokens + (elapsed / 1000) * config.ratePerSecond);
  return { tokens, updatedAt: Math.max(now, state.updatedAt) };
}

export interface TakeResult {
  state: TokenBucketState;
  /** Milliseconds the caller must wait before sending; 0 when a token was available. */
  waitMs: number;
}

/** Takes `cost` tokens at `now`, reserving them if the bucket is short. */
export function take(state: TokenBucketState, config: TokenBucketConfig, now: number, cost = 1): TakeResult {
  if (!(config.ratePerSecond > 0) || !(config.capacity > 0)) {
    throw new RangeError(`token bucket needs a positive rate and capacity, got ${JSON.stringify(config)}`);
  }
  const current = refill(state, config, now);
  const tokens = current.tokens - cost;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens / config.ratePerSecond) * 1000);
  return { state: { tokens, updatedAt: current.updatedAt }, waitMs };
}
