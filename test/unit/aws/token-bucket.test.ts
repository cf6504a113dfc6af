import { describe, expect, it } from "vitest";
import { fullBucket, refill, take } from "../../../shared/aws/token-bucket.ts";

const config = { capacity: 40, ratePerSecond: 10 };

describe("token bucket", () => {
  it("serves a full burst without waiting", () => {
    let state = fullBucket(config, 0);
    for (let i = 0; i < 40; i++) {
      const r = take(state, config, 0);
      expect(r.waitMs).toBe(0);
      state = r.state;
    }
    expect(state.tokens).toBe(0);
  });

  it("makes the request after the burst wait for one refill interval", () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(take(empty, config, 0).waitMs).toBe(100);
  });

  it("queues concurrent requests in arrival order by reserving tokens", () => {
    let state = { tokens: 0, updatedAt: 0 };
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = take(state, config, 0);
      waits.push(r.waitMs);
      state = r.state;
    }
    expect(waits).toEqual([100, 200, 300]);
    expect(state.tokens).toBe(-3);
  });

  it("refills at the configured rate and never above capacity", () => {
    expect(refill({ tokens: 0, updatedAt: 0 }, config, 500).tokens).toBe(5);
    expect(refill({ tokens: 0, updatedAt: 0 }, config, 60_000).tokens).toBe(40);
    expect(refill({ tokens: -3, updatedAt: 0 }, config, 300).tokens).toBeCloseTo(0);
  });

  it("ignores a clock that goes backwards", () => {
    expect(refill({ tokens: 1, updatedAt: 1000 }, config, 500)).toEqual({ tokens: 1, updatedAt: 1000 });
  });

  it("rejects a bucket without a positive rate", () => {
    expect(() => take(fullBucket(config, 0), { capacity: 1, ratePerSecond: 0 }, 0)).toThrow(RangeError);
  });
});
