/**
 * What every fuzz suite shares: how many cases to run, the seed to replay, and the per-case time
 * bound that turns a near-hang into a failure with its counterexample.
 *
 * - `SWITCHYARD_FUZZ_RUNS` (default 10,000): cases per property, as CI runs them.
 * - `SWITCHYARD_FUZZ_SEED`: replays a failure; fast-check prints the seed and path of every
 *   counterexample (`SWITCHYARD_FUZZ_PATH` replays that exact case).
 * - `SWITCHYARD_FUZZ_CASE_MS` (default 10,000): the longest one case may take. The inputs are
 *   bounded (the largest is a 70,000-character string, a 3,000-item list or a 3,000-level
 *   nesting) and take well under a second even on a machine shared many times over, so a case near
 *   the bound means work that grows faster than its input. A case that never returns at all is
 *   caught by the test timeout instead, which is why it is set from the number of runs.
 */
import type fc from "fast-check";

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

export const FUZZ_RUNS = positiveInteger("SWITCHYARD_FUZZ_RUNS", 10_000);
export const CASE_TIME_LIMIT_MS = positiveInteger("SWITCHYARD_FUZZ_CASE_MS", 10_000);

/** Vitest's timeout for a property of `runs` cases: generous, and still a bound on a real hang. */
export function testTimeout(runs = FUZZ_RUNS): number {
  return 60_000 + runs * 50;
}

/** fast-check parameters for `runs` cases, replaying `SWITCHYARD_FUZZ_SEED`/`_PATH` when set. */
export function fuzzParameters<T>(runs = FUZZ_RUNS): fc.Parameters<T> {
  const seed = process.env.SWITCHYARD_FUZZ_SEED;
  const path = process.env.SWITCHYARD_FUZZ_PATH;
  return {
    numRuns: runs,
    ...(seed ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
    // Shrinking a 10,000-case failure is worth its time: the printed case is the minimal one.
    endOnFailure: false,
  };
}

/** Runs `work`, failing when it took longer than the per-case bound. */
export function withinCaseLimit<T>(what: string, work: () => T): T {
  const start = performance.now();
  const result = work();
  const elapsed = performance.now() - start;
  if (elapsed > CASE_TIME_LIMIT_MS) {
    throw new Error(`${what} took ${Math.round(elapsed)} ms, over the per-case bound of ${CASE_TIME_LIMIT_MS} ms`);
  }
  return result;
}

/** The async twin of withinCaseLimit. */
export async function withinCaseLimitAsync<T>(what: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  const elapsed = performance.now() - start;
  if (elapsed > CASE_TIME_LIMIT_MS) {
    throw new Error(`${what} took ${Math.round(elapsed)} ms, over the per-case bound of ${CASE_TIME_LIMIT_MS} ms`);
  }
  return result;
}
