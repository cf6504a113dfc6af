// Delta debugging (ddmin) over a failing schedule's steps: replays ever smaller subsets and keeps
// any that still fail, until no single chunk can be removed. Not a test file itself.
import type { Step } from "./schedule.ts";

/**
 * The smallest schedule found that still `fails`. `budget` bounds the replays (each is a whole
 * run against moto) and `withinTime` their wall time, so a failure is reported inside the test's
 * timeout instead of being lost to it; the result is 1-minimal when neither ran out.
 */
export async function shrink(
  steps: readonly Step[],
  fails: (candidate: readonly Step[]) => Promise<boolean>,
  budget = 60,
  withinTime: () => boolean = () => true,
): Promise<{ steps: Step[]; replays: number; minimal: boolean }> {
  let current = [...steps];
  let chunks = 2;
  let replays = 0;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length; start += size) {
      if (replays >= budget || !withinTime()) return { steps: current, replays, minimal: false };
      // The complement of one chunk: drop it and see whether the failure stays.
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      replays += 1;
      if (candidate.length > 0 && (await fails(candidate))) {
        current = candidate;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(chunks * 2, current.length);
    }
  }
  return { steps: current, replays, minimal: true };
}
