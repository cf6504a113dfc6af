import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALB_SUITE_SKIPS, skipLimit, skipTestsFlag } from "./suite-skips.ts";

const baseline = JSON.parse(readFileSync(join(import.meta.dirname, "..", "baseline.json"), "utf8")) as {
  tests: Record<string, Record<string, string>>;
};

describe("the core tests the live run skips", () => {
  it.each(ALB_SUITE_SKIPS.map((s) => [s.test, s] as const))(
    "%s: an ALB limit whose status message is the one the route gets",
    (_test, skip) => {
      const limit = skipLimit(skip);
      expect(limit?.statusMessage).toBeDefined();
      expect(skip.status).toMatch(limit?.statusMessage ?? /never/);
      expect(skip.status).toContain("Accepted=False, reason UnsupportedValue");
    },
  );

  it.each(ALB_SUITE_SKIPS.map((s) => [s.test] as const))(
    "%s: offline, its status checks end in unsupported and none fails",
    (test) => {
      const outcomes = Object.entries(baseline.tests[test] ?? {});
      expect(outcomes.some(([check, outcome]) => check.startsWith("status:") && outcome === "unsupported")).toBe(true);
      expect(outcomes.filter(([, outcome]) => outcome === "fail")).toEqual([]);
    },
  );

  it("become the suite's own --skip-tests flag", () => {
    expect(skipTestsFlag(ALB_SUITE_SKIPS)).toBe("--skip-tests=HTTPRouteRequestHeaderModifier");
  });
});
