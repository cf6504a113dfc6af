/**
 * Pure statistics for the benchmarks: percentiles of samples, and how much of a time window a set
 * of intervals covers (the time some emulator call was in flight).
 */

/**
 * The nearest-rank percentile: the smallest sample such that at least `p` % of the samples are
 * less than or equal to it. Always one of the samples, never interpolated; p95 of 50 samples is
 * the 48th smallest. Throws on an empty list or a `p` outside (0, 100].
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError("percentile of no samples");
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

/** The nearest-rank median (p50): for an even count, the lower of the two middle samples. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export interface Interval {
  start: number;
  end: number;
}

/**
 * How much of `window` the union of `intervals` covers: overlapping intervals count once, and the
 * parts outside the window not at all. Intervals with end ≤ start cover nothing.
 */
export function coveredWithin(intervals: readonly Interval[], window: Interval): number {
  const clipped = intervals
    .map((i) => ({ start: Math.max(i.start, window.start), end: Math.min(i.end, window.end) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  let covered = 0;
  let runStart = Number.NEGATIVE_INFINITY;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (const interval of clipped) {
    if (interval.start > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = interval.start;
      runEnd = interval.end;
    } else if (interval.end > runEnd) {
      runEnd = interval.end;
    }
  }
  if (runEnd > runStart) covered += runEnd - runStart;
  return covered;
}
