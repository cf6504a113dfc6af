import { describe, expect, it } from "vitest";
import { type Clock, callClass, RateLimiter, RateLimiterRegistry } from "../../../shared/aws/rate-limiter.ts";

function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const limits = { read: { capacity: 2, ratePerSecond: 10 }, write: { capacity: 1, ratePerSecond: 1 } };

describe("rate limiter", () => {
  it("classifies Describe, Get and List calls as reads and everything else as writes", () => {
    expect(["DescribeRules", "GetResources", "ListTagsForResource"].map(callClass)).toEqual(["read", "read", "read"]);
    expect(["CreateRule", "SetRulePriorities", "AssumeRole", "RegisterTargets"].map(callClass)).toEqual([
      "write",
      "write",
      "write",
      "write",
    ]);
  });

  it("keeps separate buckets for reads and writes", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(limits, clock);
    await limiter.acquire("CreateRule");
    await limiter.acquire("DescribeRules");
    await limiter.acquire("DescribeRules");
    expect(clock.slept).toEqual([]);
    await limiter.acquire("CreateRule");
    expect(clock.slept).toEqual([1000]);
    await limiter.acquire("DescribeListeners");
    expect(clock.slept).toEqual([1000]);
    expect(limiter.waited).toEqual({ read: 0, write: 1000 });
  });

  it("shares one limiter per account and Region", () => {
    const registry = new RateLimiterRegistry(limits, fakeClock());
    expect(registry.for("111111111111", "eu-west-1")).toBe(registry.for("111111111111", "eu-west-1"));
    expect(registry.for("111111111111", "eu-west-1")).not.toBe(registry.for("111111111111", "us-east-1"));
    expect(registry.for("111111111111", "eu-west-1")).not.toBe(registry.for("222222222222", "eu-west-1"));
  });
});
