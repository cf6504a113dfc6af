/**
 * Calls per reconcile, counted by SDK client middleware (the client factory's `ApiCallCounter` for
 * the target account, a second counter on the DynamoDB client) against moto and DynamoDB Local,
 * both started here from the test environment: for one ALB Gateway with 10 routes × 2 matches = 20
 * listener rules, 3 target groups and 300 targets, through create, no-op, drift check, rule changes
 * with and without reordering, endpoint changes and delete.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ApiCallCounter, callCounterPlugin } from "../../shared/aws/call-counter.ts";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { type ReconcileOutcome, type ReconcileRequest, reconcileGateway } from "../../shared/reconcile/engine.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, TEST_REGION } from "../../test/env/clients.ts";
import { startEnvironment } from "../../test/env/components.ts";
import { ENV } from "../../test/env/variables.ts";
import { gatewayModel, type RouteShape } from "../../test/fixtures/gateway-model.ts";

const DRIFT_INTERVAL = 600_000;
const ENDPOINT_CHANGES = 10;

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

/** 100 addresses per Service; `moved` of web's are replaced by addresses it did not have. */
function endpoints(moved = 0): Record<string, string[]> {
  const ips = (svc: number, from: number) =>
    Array.from({ length: 100 }, (_, i) => `10.${svc}.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`);
  return { web: ips(1, moved), api: ips(2, 0), ui: ips(3, 0) };
}

type Counts = Record<string, { calls: number }>;

/** Calls made between two snapshots, per service: total and `Operation×n` in name order. */
function delta(before: Counts, after: Counts, service: (op: string) => boolean): { n: number; ops: string } {
  let n = 0;
  const ops: string[] = [];
  for (const [op, c] of Object.entries(after)) {
    const calls = c.calls - (before[op]?.calls ?? 0);
    if (calls === 0 || !service(op)) continue;
    n += calls;
    ops.push(`${op.split(":")[1]}×${calls}`);
  }
  return { n, ops: ops.join(" ") || "—" };
}

export async function runReconcileCalls(): Promise<Record<string, string | number>[]> {
  const env = await startEnvironment(["moto", "dynamodb"]);
  const factory = new AwsClientFactory({
    endpoint: env.variables[ENV.motoEndpoint] ?? "",
    credentials: DUMMY_CREDENTIALS,
  });
  const dynamoCounter = new ApiCallCounter();
  const dynamo = new DynamoDBClient({
    endpoint: env.variables[ENV.dynamoDbEndpoint] ?? "",
    region: TEST_REGION,
    credentials: DUMMY_CREDENTIALS,
  });
  dynamo.middlewareStack.use(callCounterPlugin(dynamoCounter));
  const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
  const elb = new AwsElb(factory, target, { clusterId: "bench", gatewayKey: "apps/gw" });
  const rows: Record<string, string | number>[] = [];
  try {
    await createTable(dynamo, "bench-reconcile");
    let clock = 1_000_000;
    const deps = {
      ...createDynamoDbStores(dynamo, "bench-reconcile"),
      elb,
      now: () => clock,
      owner: "bench",
      driftIntervalMs: DRIFT_INTERVAL,
    };
    const request = (desired: ReconcileRequest["desired"]): ReconcileRequest => ({
      gatewayKey: clusterGatewayKey("bench", "apps", "gw"),
      dataPlane: "alb",
      account: target.account,
      region: target.region,
      desired,
    });
    const model = (variant: Variant, moved = 0) =>
      gatewayModel(routes(variant), { clusterId: "bench", endpoints: endpoints(moved) });
    /** Runs the reconciles, one clock second apart, and records their calls as one row. */
    const measure = async (scenario: string, desired: ReconcileRequest["desired"][]) => {
      const aws = factory.counter.snapshot();
      const db = dynamoCounter.snapshot();
      const outcomes: ReconcileOutcome["kind"][] = [];
      for (const d of desired) {
        clock += 1_000;
        outcomes.push((await reconcileGateway(request(d), deps)).kind);
      }
      const awsAfter = factory.counter.snapshot();
      const elbv2 = delta(aws, awsAfter, (op) => op.startsWith("ElasticLoadBalancingV2:"));
      const other = delta(aws, awsAfter, (op) => !op.startsWith("ElasticLoadBalancingV2:"));
      const dynamodb = delta(db, dynamoCounter.snapshot(), () => true);
      rows.push({
        scenario,
        outcome: [...new Set(outcomes)].join(", "),
        elbv2: elbv2.n,
        dynamodb: dynamodb.n,
        "other AWS": other.n,
        "ELBv2 calls": elbv2.ops,
        "DynamoDB calls": dynamodb.ops,
        "other AWS calls": other.ops,
      });
    };
    await measure("create (10 routes, 20 rules, 3 TGs, 300 targets)", [model({})]);
    await measure("next reconcile while the load balancer is provisioning", [model({})]);
    await measure("no-op", [model({})]);
    clock += DRIFT_INTERVAL;
    await measure("drift check (nothing drifted)", [model({})]);
    await measure("one route's backends changed (2 rules)", [model({ backends: true })]);
    await measure("path change without reordering (2 rules)", [model({ backends: true, path: "/app4" })]);
    await measure("path change with reordering (2 rules)", [model({ backends: true, path: "/app4/v2" })]);
    await measure(
      `${ENDPOINT_CHANGES} endpoint changes, one reconcile each`,
      Array.from({ length: ENDPOINT_CHANGES }, (_, i) => model({ backends: true, path: "/app4/v2" }, i + 1)),
    );
    await measure("delete", [undefined]);
  } finally {
    factory.destroy();
    dynamo.destroy();
    await env.stop();
  }
  return rows;
}
