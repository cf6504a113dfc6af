/**
 * The harness the ELBv2 calls-per-reconcile scenarios share (reconcile.ts for ALB, nlb-reconcile.ts
 * for NLB): moto and DynamoDB Local started from the test environment, the client factory's
 * `ApiCallCounter` for the target account and a second counter on the DynamoDB client, one Gateway
 * `apps/gw` of cluster `bench` reconciled against a clock the scenario advances, and one row of
 * counted calls per measured step.
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

export const DRIFT_INTERVAL = 600_000;
export const ENDPOINT_CHANGES = 10;

/** 100 addresses per Service; `moved` of web's are replaced by addresses it did not have. */
export function endpoints(moved = 0): Record<string, string[]> {
  const ips = (svc: number, from: number) =>
    Array.from({ length: 100 }, (_, i) => `10.${svc}.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`);
  return { web: ips(1, moved), api: ips(2, 0), ui: ips(3, 0) };
}

type Counts = Record<string, { calls: number }>;

/** Calls made between two snapshots (of the operations `service` keeps): total and `Operation×n` in name order. */
export function delta(
  before: Counts,
  after: Counts,
  service: (op: string) => boolean = () => true,
): { n: number; ops: string } {
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

/** A DynamoDB client on `endpoint` (DynamoDB Local) whose calls `counter` counts. */
export function countedDynamoDb(endpoint: string): { dynamo: DynamoDBClient; counter: ApiCallCounter } {
  const counter = new ApiCallCounter();
  const dynamo = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: DUMMY_CREDENTIALS });
  dynamo.middlewareStack.use(callCounterPlugin(counter));
  return { dynamo, counter };
}

export interface ElbCallsBench {
  /** Runs the reconciles, one clock second apart, and records their calls as one row. */
  measure(scenario: string, desired: ReconcileRequest["desired"][]): Promise<void>;
  /** Moves the reconciler's clock on, e.g. past the drift interval. */
  advanceClock(ms: number): void;
}

/** Starts the emulators, runs `steps` against them and stops them; returns one row per measured step. */
export async function runElbCallsBench(
  options: { table: string; dataPlane: ReconcileRequest["dataPlane"] },
  steps: (bench: ElbCallsBench) => Promise<void>,
): Promise<Record<string, string | number>[]> {
  const env = await startEnvironment(["moto", "dynamodb"]);
  const factory = new AwsClientFactory({
    endpoint: env.variables[ENV.motoEndpoint] ?? "",
    credentials: DUMMY_CREDENTIALS,
  });
  const { dynamo, counter: dynamoCounter } = countedDynamoDb(env.variables[ENV.dynamoDbEndpoint] ?? "");
  const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
  const elb = new AwsElb(factory, target, { clusterId: "bench", gatewayKey: "apps/gw" });
  const rows: Record<string, string | number>[] = [];
  try {
    await createTable(dynamo, options.table);
    let clock = 1_000_000;
    const deps = {
      ...createDynamoDbStores(dynamo, options.table),
      elb,
      now: () => clock,
      owner: "bench",
      driftIntervalMs: DRIFT_INTERVAL,
    };
    const request = (desired: ReconcileRequest["desired"]): ReconcileRequest => ({
      gatewayKey: clusterGatewayKey("bench", "apps", "gw"),
      dataPlane: options.dataPlane,
      account: target.account,
      region: target.region,
      desired,
    });
    await steps({
      measure: async (scenario, desired) => {
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
      },
      advanceClock: (ms) => {
        clock += ms;
      },
    });
  } finally {
    factory.destroy();
    dynamo.destroy();
    await env.stop();
  }
  return rows;
}
