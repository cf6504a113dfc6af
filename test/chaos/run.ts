// `npm run chaos -- --seed N --runs K [--steps S] [--no-shrink]`: K seeded chaos runs from seed N
// (N, N+1, …) through the pipeline's handlers on moto and DynamoDB Local. Uses the endpoints in
// SWITCHYARD_MOTO_ENDPOINT / SWITCHYARD_DYNAMODB_ENDPOINT when set (`node test/env/run.ts
// moto,dynamodb`), else starts its own. A failing run prints its seed, its violations and the
// minimal schedule that still fails; the exit code is the number of failing runs (capped at 100).
import { parseArgs } from "node:util";
import { parseComponents, startEnvironment } from "../env/components.ts";
import { ENV } from "../env/variables.ts";
import { type ChaosRunReport, chaosRun, motoChaosEnvironment } from "./chaos.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    runs: { type: "string", default: "1" },
    steps: { type: "string", default: "30" },
    "no-shrink": { type: "boolean", default: false },
  },
});
const seed = Number(values.seed);
const runs = Number(values.runs);
const length = Number(values.steps);

const started =
  process.env[ENV.motoEndpoint] && process.env[ENV.dynamoDbEndpoint]
    ? undefined
    : await startEnvironment(parseComponents("moto,dynamodb"));
for (const [name, value] of Object.entries(started?.variables ?? {})) process.env[name] = value;

const reports: ChaosRunReport[] = [];
try {
  const env = motoChaosEnvironment();
  for (let i = 0; i < runs; i++) {
    const report = await chaosRun(env, seed + i, length, { shrink: !values["no-shrink"] });
    reports.push(report);
    process.stdout.write(`${report.summary}\n`);
  }
} finally {
  await started?.stop();
}
const failed = reports.filter((r) => !r.ok);
const ms = reports.map((r) => r.ms).sort((a, b) => a - b);
process.stdout.write(
  `${reports.length} runs, ${failed.length} failed; per run: median ${ms[Math.floor(ms.length / 2)]} ms, max ${ms.at(-1)} ms\n`,
);
process.exitCode = Math.min(failed.length, 100);
