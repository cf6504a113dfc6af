/**
 * Growth exponent of a measured curve: the least-squares line through (log x, log y). A time that
 * grows as x^k has slope k on log-log axes, so k ≈ 1 is linear, 2 quadratic; n log n over two
 * decades fits about 1.1.
 */
export interface PowerFit {
  /** The exponent k in y ≈ c · x^k. */
  exponent: number;
  /** The constant c. */
  coefficient: number;
  /** R² of the fit on log-log axes (1 = every point on the line). */
  r2: number;
}

export function fitPowerLaw(points: readonly { x: number; y: number }[]): PowerFit {
  if (points.length < 2) throw new RangeError("a power-law fit needs at least two points");
  if (points.some((p) => !(p.x > 0 && p.y > 0))) throw new RangeError("a power-law fit needs positive x and y");
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError("a power-law fit needs at least two distinct x");
  const exponent = sxy / sxx;
  const intercept = my - exponent * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent, coefficient: Math.exp(intercept), r2 };
}
