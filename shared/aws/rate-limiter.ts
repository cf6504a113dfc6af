/**
 * Client-side rate limiting per (account, Region), mirroring how ELB and EC2 throttle: one bucket
 * for read calls (Describe*, Get*, List*) and one for everything that changes something. Every
 * attempt, retries included, takes a token before it is signed and sent, so a burst of plans for
 * many Gateways in one account queues here instead of burning the account's AWS-side tokens
 * (which other tools in that account share) and the SDK's retry quota.
 *
 * The limiter is local to one process; AWS's own buckets stay the authority, and the SDK's
 * adaptive retry mode backs off further when it sees throttling anyway.
 */
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  MetadataBearer,
  Pluggable,
} from "@smithy/types";
import { operationOf } from "./call-counter.ts";
import { fullBucket, type TokenBucketConfig, type TokenBucketState, take } from "./token-bucket.ts";

export type CallClass = "read" | "write";

export interface RateLimits {
  read: TokenBucketConfig;
  write: TokenBucketConfig;
}

/**
 * ELB documents its non-mutating bucket as 40 tokens refilled at 10 per second (Request throttling
 * for the ELB API). Mutating calls have smaller, per-action buckets there; 20 at 5 per second is a
 * conservative common floor for the calls a reconciler makes, not a documented figure.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  read: { capacity: 40, ratePerSecond: 10 },
  write: { capacity: 20, ratePerSecond: 5 },
};

export function callClass(operation: string): CallClass {
  return /^(Describe|Get|List)/.test(operation) ? "read" : "write";
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The two buckets of one (account, Region). */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #clock: Clock;
  readonly #buckets: Record<CallClass, TokenBucketState>;
  /** Milliseconds spent waiting, per class, for benchmarks. */
  readonly waited: Record<CallClass, number> = { read: 0, write: 0 };

  constructor(limits: RateLimits = DEFAULT_RATE_LIMITS, clock: Clock = systemClock) {
    this.#limits = limits;
    this.#clock = clock;
    const now = clock.now();
    this.#buckets = { read: fullBucket(limits.read, now), write: fullBucket(limits.write, now) };
  }

  /** Resolves when a token of the operation's class is available (immediately while tokens last). */
  async acquire(operation: string): Promise<void> {
    const kind = callClass(operation);
    const result = take(this.#buckets[kind], this.#limits[kind], this.#clock.now());
    this.#buckets[kind] = result.state;
    if (result.waitMs > 0) {
      this.waited[kind] += result.waitMs;
      await this.#clock.sleep(result.waitMs);
    }
  }
}

/** Shares one RateLimiter per (account, Region) across every client and service that uses them. */
export class RateLimiterRegistry {
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #limits: RateLimits;
  readonly #clock: Clock;

  constructor(limits: RateLimits = DEFAULT_RATE_LIMITS, clock: Clock = systemClock) {
    this.#limits = limits;
    this.#clock = clock;
  }

  for(account: string, region: string): RateLimiter {
    const key = `${account}/${region}`;
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiter(this.#limits, this.#clock);
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }
}

/** Middleware taking a token per attempt: after the retry middleware, before signing. */
export function rateLimitPlugin<Input extends object, Output extends MetadataBearer>(
  limiter: RateLimiter,
): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      stack.addRelativeTo(
        (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) =>
          async (args: FinalizeHandlerArguments<Input>) => {
            await limiter.acquire(operationOf(context).operation);
            return next(args);
          },
        { relation: "before", toMiddleware: "httpSigningMiddleware", name: "switchyardRateLimit", override: true },
      );
    },
  };
}
