import { describe, expect, it } from "vitest";
import { coveredWithin, median, percentile } from "../../../bench/lib/statistics.ts";

describe("percentile (nearest rank)", () => {
  const fifty = Array.from({ length: 50 }, (_, i) => 50 - i); // 50, 49, ..., 1: order must not matter

  it("p95 of 50 samples is the 48th smallest", () => {
    expect(percentile(fifty, 95)).toBe(48);
  });

  it("p50 of 50 samples is the 25th smallest, and median is p50", () => {
    expect(percentile(fifty, 50)).toBe(25);
    expect(median(fifty)).toBe(25);
  });

  it("p100 is the largest and a tiny p the smallest", () => {
    expect(percentile(fifty, 100)).toBe(50);
    expect(percentile(fifty, 0.1)).toBe(1);
  });

  it("is always one of the samples, never interpolated", () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
    expect(median([3, 1, 2])).toBe(2);
  });

  it("leaves its input unsorted", () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it("refuses no samples and percentiles outside (0, 100]", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("coveredWithin", () => {
  const window = { start: 100, end: 200 };

  it("counts overlapping intervals once", () => {
    expect(
      coveredWithin(
        [
          { start: 110, end: 130 },
          { start: 120, end: 140 },
        ],
        window,
      ),
    ).toBe(30);
  });

  it("adds disjoint intervals, whatever their order", () => {
    expect(
      coveredWithin(
        [
          { start: 150, end: 160 },
          { start: 110, end: 120 },
        ],
        window,
      ),
    ).toBe(20);
  });

  it("counts an interval contained in another once", () => {
    expect(
      coveredWithin(
        [
          { start: 110, end: 150 },
          { start: 120, end: 130 },
          { start: 160, end: 170 },
        ],
        window,
      ),
    ).toBe(50);
  });

  it("clips intervals to the window and ignores those outside it", () => {
    expect(
      coveredWithin(
        [
          { start: 50, end: 110 },
          { start: 190, end: 250 },
          { start: 0, end: 99 },
          { start: 201, end: 300 },
        ],
        window,
      ),
    ).toBe(20);
    expect(coveredWithin([{ start: 0, end: 1000 }], window)).toBe(100);
  });

  it("touching intervals cover their sum, empty and reversed ones nothing", () => {
    expect(
      coveredWithin(
        [
          { start: 110, end: 120 },
          { start: 120, end: 130 },
          { start: 140, end: 140 },
          { start: 180, end: 170 },
        ],
        window,
      ),
    ).toBe(20);
    expect(coveredWithin([], window)).toBe(0);
  });
});
