/**
 * Calls per reconcile, counted by SDK client middleware (the client factory's `ApiCallCounter` for
 * the target account, a second counter on the DynamoDB client) against moto and DynamoDB Local,
 * both started here from the test environment: for one ALB Gateway with 10 routes × 2 matches = 20
 * listener rules, 3 target groups and 300 targets, through create, no-op, drift check, rule changes
 * with and without reordering, endpoint changes and delete.
 */

import { gatewayModel, type RouteShape } from "../../test/fixtures/gateway-model.ts";
import { DRIFT_INTERVAL, ENDPOINT_CHANGES, endpoints, runElbCallsBench } from "./reconcile-harness.ts";

interface Variant {
  /** Route 4's backends change (its rules' actions, not their conditions). */
  backends?: boolean;
  /**
   * Route 4's path: `/svc4` at first; `/app4` keeps its place (same length, same creation time);
   * `/app4/v2` is longer, so its rules move ahead of every other route's.
   */
  path?: string;
}

function routes(variant: Variant = {}): RouteShape[] {
  return Array.from({ length: 10 }, (_, i) => ({
    path: i === 4 && variant.path ? variant.path : `/svc${i}`,
    header: "canary",
    backends: variant.backends && i === 4 ? { web: 1, api: 1 } : { [["web", "api", "ui"][i % 3] ?? "web"]: 1 },
  }));
}

export function runReconcileCalls(): Promise<Record<string, string | number>[]> {
  const model = (variant: Variant, moved = 0) =>
    gatewayModel(routes(variant), { clusterId: "bench", endpoints: endpoints(moved) });
  return runElbCallsBench({ table: "bench-reconcile", dataPlane: "alb" }, async ({ measure, advanceClock }) => {
    await measure("create (10 routes, 20 rules, 3 TGs, 300 targets)", [model({})]);
    await measure("next reconcile while the load balancer is provisioning", [model({})]);
    await measure("no-op", [model({})]);
    advanceClock(DRIFT_INTERVAL);
    await measure("drift check (nothing drifted)", [model({})]);
    await measure("one route's backends changed (2 rules)", [model({ backends: true })]);
    await measure("path change without reordering (2 rules)", [model({ backends: true, path: "/app4" })]);
    await measure("path change with reordering (2 rules)", [model({ backends: true, path: "/app4/v2" })]);
    await measure(
      `${ENDPOINT_CHANGES} endpoint changes, one reconcile each`,
      Array.from({ length: ENDPOINT_CHANGES }, (_, i) => model({ backends: true, path: "/app4/v2" }, i + 1)),
    );
    await measure("delete", [undefined]);
  });
}
