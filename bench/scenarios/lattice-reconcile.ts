/**
 * Calls per reconcile of a VPC Lattice Gateway, counted by SDK client middleware (the client
 * factory's `ApiCallCounter`) and on the DynamoDB client, against the Lattice emulator and DynamoDB
 * Local, both started here from the test environment: one Gateway with 10 routes × 2 exact paths =
 * 10 services, 10 listeners, 20 rules, 10 target groups and 300 targets, plus the Gateway service
 * merging the routes that fit its 10-rule listener (5 routes: 10 rules, 5 groups), through create, no-op,
 * drift check, one rule changed, a rule inserted ahead (reordering), endpoint changes and delete.
 * The shape of the ALB scenario (reconcile.ts), as far as Lattice allows: a target group serves one
 * service, so each route has its own backend.
 */

import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsLattice } from "../../shared/aws/lattice/port.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { LatticeModel } from "../../shared/lattice/model.ts";
import { reconcileDataPlane } from "../../shared/reconcile/engine.ts";
import { LATTICE_DATA_PLANE, type LatticeOutcome } from "../../shared/reconcile/lattice-plane.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { DUMMY_CREDENTIALS, TEST_REGION } from "../../test/env/clients.ts";
import { startEnvironment } from "../../test/env/components.ts";
import { LatticeControl } from "../../test/env/lattice/control-client.ts";
import { ENV } from "../../test/env/variables.ts";
import { type LatticeGatewayShape, latticeModel } from "../../test/fixtures/lattice-gateway.ts";
import { countedDynamoDb, delta } from "./reconcile-harness.ts";

const DRIFT_INTERVAL = 600_000;
const ENDPOINT_CHANGES = 10;
const ACCOUNT = "123456789012";

interface Variant {
  /** Route 4's second path: `/svc4-b` at first; `/svc4-x` is the same length (no reordering). */
  path?: string;
  /** A longer path added to route 4, ahead of its two (every rule of its listener moves). */
  inserted?: boolean;
  /** Route 0's endpoints replaced by addresses it did not have. */
  moved?: number;
}

function shape(variant: Variant = {}): LatticeGatewayShape {
  return {
    routes: Array.from({ length: 10 }, (_, i) => ({
      paths: [
        `/svc${i}`,
        i === 4 && variant.path ? variant.path : `/svc${i}-b`,
        ...(i === 4 && variant.inserted ? ["/svc4-inserted-longer"] : []),
      ],
    })),
    backendEndpoints: 30,
    movedEndpoints: variant.moved ?? 0,
  };
}

export async function runLatticeCalls(): Promise<Record<string, string | number>[]> {
  const env = await startEnvironment(["dynamodb", "lattice"]);
  const latticeEndpoint = env.variables[ENV.latticeEndpoint] ?? "";
  const control = new LatticeControl(latticeEndpoint);
  const factory = new AwsClientFactory({ latticeEndpoint, credentials: DUMMY_CREDENTIALS, account: ACCOUNT });
  const { dynamo, counter: dynamoCounter } = countedDynamoDb(env.variables[ENV.dynamoDbEndpoint] ?? "");
  const target: AwsTarget = { account: ACCOUNT, region: TEST_REGION };
  const port = new AwsLattice(
    factory,
    target,
    { clusterId: "bench", gatewayKey: "apps/net" },
    { vpcId: "vpc-0a1b2c3d4e5f60718" },
  );
  const rows: Record<string, string | number>[] = [];
  try {
    await control.reset();
    await createTable(dynamo, "bench-lattice");
    let clock = 1_000_000;
    const deps = {
      leases: createDynamoDbStores(dynamo, "bench-lattice").leases,
      states: createDynamoDbLatticeStates(dynamo, "bench-lattice"),
      now: () => clock,
      owner: "bench",
      driftIntervalMs: DRIFT_INTERVAL,
    };
    const reconcile = (desired: LatticeModel | undefined): Promise<LatticeOutcome> =>
      reconcileDataPlane(
        LATTICE_DATA_PLANE,
        port,
        {
          gatewayKey: clusterGatewayKey("bench", "apps", "net"),
          dataPlane: "lattice",
          account: ACCOUNT,
          region: TEST_REGION,
          desired,
        },
        deps,
      );
    const model = (variant: Variant) => latticeModel(shape(variant), "bench");
    const measure = async (scenario: string, desired: (LatticeModel | undefined)[]) => {
      const aws = factory.counter.snapshot();
      const db = dynamoCounter.snapshot();
      const outcomes: LatticeOutcome["kind"][] = [];
      for (const d of desired) {
        clock += 1_000;
        outcomes.push((await reconcile(d)).kind);
      }
      const lattice = delta(aws, factory.counter.snapshot());
      const dynamodb = delta(db, dynamoCounter.snapshot());
      rows.push({
        scenario,
        outcome: [...new Set(outcomes)].join(", "),
        lattice: lattice.n,
        dynamodb: dynamodb.n,
        "Lattice calls": lattice.ops,
        "DynamoDB calls": dynamodb.ops,
      });
    };
    await measure("create (10 routes, 20 rules, 10 TGs, 300 targets)", [model({})]);
    // Lattice finishes creating (the emulator's clock settles it) before the next reconcile looks.
    await control.settle();
    await measure("next reconcile while services were being created", [model({})]);
    await measure("no-op", [model({})]);
    clock += DRIFT_INTERVAL;
    await measure("drift check (nothing drifted)", [model({})]);
    await measure("one rule's path changed (no reordering)", [model({ path: "/svc4-x" })]);
    await measure("a rule inserted ahead of a route's two (reordering)", [model({ path: "/svc4-x", inserted: true })]);
    await measure(
      `${ENDPOINT_CHANGES} endpoint changes, one reconcile each`,
      Array.from({ length: ENDPOINT_CHANGES }, (_, i) => model({ path: "/svc4-x", inserted: true, moved: i + 1 })),
    );
    await measure("30 endpoints replaced in one reconcile", [model({ path: "/svc4-x", inserted: true, moved: 40 })]);
    await measure("delete", [undefined]);
  } finally {
    factory.destroy();
    dynamo.destroy();
    await env.stop();
  }
  return rows;
}
