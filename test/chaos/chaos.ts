// One seeded chaos run as the CLI and the vitest suite both use it: generate the schedule, run it,
// and on failure shrink it and say how to replay. Not a test file itself.
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, requireEnv, resetMoto, TEST_REGION } from "../env/clients.ts";
import { ENV } from "../env/variables.ts";
import { type ChaosEnvironment, runSchedule } from "./harness.ts";
import { describeStep, generateSchedule, type Step } from "./schedule.ts";
import { shrink } from "./shrink.ts";

/** Wall time a failing run may spend shrinking (CHAOS_SHRINK_MS, default 4 minutes). */
const SHRINK_MS = Number(process.env.CHAOS_SHRINK_MS ?? 240_000);

export interface ChaosRunReport {
  seed: number;
  ok: boolean;
  ms: number;
  violations: string[];
  /** The smallest failing schedule found (failing runs only). */
  minimal?: Step[];
  summary: string;
}

export function motoChaosEnvironment(): ChaosEnvironment {
  return {
    motoEndpoint: requireEnv(ENV.motoEndpoint),
    dynamoDbEndpoint: requireEnv(ENV.dynamoDbEndpoint),
    region: TEST_REGION,
    account: MOTO_DEFAULT_ACCOUNT_ID,
    credentials: DUMMY_CREDENTIALS,
    resetMoto,
  };
}

export async function chaosRun(
  env: ChaosEnvironment,
  seed: number,
  length: number,
  options: { shrink: boolean },
): Promise<ChaosRunReport> {
  const steps = generateSchedule(seed, length);
  const result = await runSchedule(env, seed, steps);
  const counts = Object.entries(result.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  if (result.violations.length === 0) {
    return {
      seed,
      ok: true,
      ms: result.ms,
      violations: [],
      summary: `seed ${seed}: ok in ${result.ms} ms (${counts})`,
    };
  }
  let minimal: Step[] = steps;
  let shrinking = "";
  if (options.shrink) {
    // Shrinking replays whole runs: bounded so the failure is reported within the test timeout.
    const stopAt = Date.now() + SHRINK_MS;
    const shrunk = await shrink(
      steps,
      async (candidate) => (await runSchedule(env, seed, candidate)).violations.length > 0,
      60,
      () => Date.now() < stopAt,
    );
    minimal = shrunk.steps;
    if (!shrunk.minimal) shrinking = ` (shrinking stopped after ${shrunk.replays} replays: not 1-minimal)`;
  }
  const summary = [
    `seed ${seed}: FAILED in ${result.ms} ms (${counts}); replay: npm run chaos -- --seed ${seed} --runs 1 --steps ${length}`,
    ...result.violations.map((v) => `  violation: ${v}`),
    `  minimal schedule (${minimal.length} of ${steps.length} steps)${shrinking}:`,
    ...minimal.map((s) => `    ${describeStep(s)}`),
  ].join("\n");
  return { seed, ok: false, ms: result.ms, violations: result.violations, minimal, summary };
}
