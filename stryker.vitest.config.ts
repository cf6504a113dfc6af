import { defineConfig } from "vitest/config";

// The unit tests that exercise what stryker.config.json mutates (the reconcile engine, the
// stores, the ELB planner), as one project: mutation testing re-runs them for every mutant, so
// nothing else is included.
export default defineConfig({
  test: {
    include: [
      "test/unit/reconcile/**/*.test.ts",
      "test/unit/store/**/*.test.ts",
      "test/unit/elb/plan.test.ts",
      "test/unit/elb/plan-operations.test.ts",
      "test/unit/elb/plan-features.test.ts",
      "test/unit/elb/security-group-plan.test.ts",
      "test/unit/elb/alb-quota.test.ts",
    ],
    environment: "node",
  },
});
