/**
 * The tests `npm run conformance:live` passes to the suite's own `--skip-tests` flag: core tests of
 * GATEWAY-HTTP that an Application Load Balancer cannot express. Each names the ALB limit
 * (test/conformance/harness/features.ts ALB_CANNOT_EXPRESS) whose status message switchyard puts
 * on the route, so the skip is the same judgement the route's status already states. Tests of
 * features switchyard does not claim need no entry: `--supported-features` leaves them out.
 */
import { ALB_CANNOT_EXPRESS, type AlbLimit } from "../harness/features.ts";

export interface SuiteSkip {
  /** The suite's test ShortName. */
  test: string;
  /** ALB_CANNOT_EXPRESS id. */
  limit: string;
  /** The route status the test's manifest gets (Accepted=False, reason UnsupportedValue). */
  status: string;
}

export const ALB_SUITE_SKIPS: readonly SuiteSkip[] = [
  {
    test: "HTTPRouteRequestHeaderModifier",
    limit: "request-header-modifier",
    status:
      "Accepted=False, reason UnsupportedValue: spec.rules[0].filters[0]: filter RequestHeaderModifier is not supported by Application Load Balancer",
  },
];

export function skipLimit(skip: SuiteSkip): AlbLimit | undefined {
  return ALB_CANNOT_EXPRESS.find((l) => l.id === skip.limit);
}

/** The suite flag: `--skip-tests=A,B`. */
export function skipTestsFlag(skips: readonly SuiteSkip[]): string {
  return `--skip-tests=${skips.map((s) => s.test).join(",")}`;
}
