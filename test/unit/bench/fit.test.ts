import { describe, expect, it } from "vitest";
import { fitPowerLaw } from "../../../bench/lib/fit.ts";

const sizes = [100, 300, 1_000, 3_000, 10_000];

describe("fitPowerLaw (least squares on log-log)", () => {
  it("recovers the exponent and constant of an exact power law", () => {
    const fit = fitPowerLaw(sizes.map((x) => ({ x, y: 0.5 * x ** 1.5 })));
    expect(fit.exponent).toBeCloseTo(1.5, 10);
    expect(fit.coefficient).toBeCloseTo(0.5, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
  });

  it("gives 1 for linear growth and 2 for quadratic growth", () => {
    expect(fitPowerLaw(sizes.map((x) => ({ x, y: 3 * x }))).exponent).toBeCloseTo(1, 10);
    expect(fitPowerLaw(sizes.map((x) => ({ x, y: x * x }))).exponent).toBeCloseTo(2, 10);
  });

  it("fits n log n over two decades a little above 1", () => {
    const k = fitPowerLaw(sizes.map((x) => ({ x, y: x * Math.log(x) }))).exponent;
    expect(k).toBeGreaterThan(1.05);
    expect(k).toBeLessThan(1.2);
  });

  it("fits scattered points by least squares, not by their end points", () => {
    // log10 y = 1, 1, 1, 4 against log10 x = 1, 2, 3, 4: the end points give slope 1, least squares
    // 0.9 (sxy 4.5 / sxx 5), intercept 1.75 − 0.9 × 2.5 = −0.5, R² = 4.5² / (5 × 6.75) = 0.6.
    const fit = fitPowerLaw([
      { x: 10, y: 10 },
      { x: 100, y: 10 },
      { x: 1_000, y: 10 },
      { x: 10_000, y: 10_000 },
    ]);
    expect(fit.exponent).toBeCloseTo(0.9, 10);
    expect(fit.coefficient).toBeCloseTo(10 ** -0.5, 10);
    expect(fit.r2).toBeCloseTo(0.6, 10);
  });

  it("refuses fewer than two points, non-positive values and a single x", () => {
    expect(() => fitPowerLaw([{ x: 1, y: 1 }])).toThrow(RangeError);
    expect(() =>
      fitPowerLaw([
        { x: 1, y: 0 },
        { x: 2, y: 1 },
      ]),
    ).toThrow(RangeError);
    expect(() =>
      fitPowerLaw([
        { x: 5, y: 1 },
        { x: 5, y: 2 },
      ]),
    ).toThrow(RangeError);
  });
});
