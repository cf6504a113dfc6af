import { defineConfig } from "vitest/config";

// Test tiers (see test/README.md). `unit` is pure and needs no server; `integration` starts only
// the real components its suites ask for through test/env/global-setup.ts.
export default defineConfig({
  test: {
    reporters: ["default", "./test/env/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          // test/fuzz: 10,000 cases per property by default (SWITCHYARD_FUZZ_RUNS), see test/fuzz/support.ts.
          include: [
            "test/unit/**/*.test.ts",
            "test/golden/**/*.test.ts",
            "test/conformance/**/*.test.ts",
            "test/fuzz/**/*.test.ts",
          ],
          environment: "node",
          // Pure, but some cases are large (property runs, 130,000 policies): on a loaded 2-core CI
          // machine vitest's 5 s default failed them for time alone. Speed is measured in bench/.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/env/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        // The whole pipeline in one process (cli/dev/pipeline.ts) against every real component:
        // convergence takes several queue round trips and reconciles, hence the long timeouts.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/env/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        // Seeded chaos runs (test/chaos/README.md): the pipeline's handlers on moto and DynamoDB
        // Local under random schedules; each run resets moto, so files never run in parallel.
        test: {
          name: "chaos",
          include: ["test/chaos/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/env/global-setup.ts"],
          // One run takes seconds; a failing one also replays its schedule to shrink it.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        // The live-conformance cluster pieces (test/conformance/live): builds kube-controller-manager
        // and the suite's echo backend with Go and needs root for a private network namespace, so it
        // is not part of `npm test`; `npm run test:conformance-live` runs it, beside `conformance:live`.
        test: {
          name: "conformance-live",
          include: ["test/conformance-live/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/env/global-setup.ts"],
          testTimeout: 600_000,
          hookTimeout: 3_600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
