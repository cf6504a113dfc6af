/**
 * Calls per reconcile of an NLB Gateway, counted like the ALB scenario (reconcile.ts): the client
 * factory's `ApiCallCounter` for the target account and a second counter on the DynamoDB client,
 * against moto and DynamoDB Local started here from the test environment. One Gateway of the
 * `switchyard.dev/nlb` class with 10 TCP listeners (ports 5000–5009), each with one TCPRoute to one
 * of three Services (`web`, `api`, `ui`, 100 ready endpoints each): 10 listeners, 3 target groups,
 * 300 targets — the ALB scenario's shape, with listeners in place of listener rules (an NLB has no
 * rules). Scenarios: create, next reconcile while provisioning, no-op, drift check, one route's
 * backend changed, 10 endpoint changes, delete.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ApiCallCounter, callCounterPlugin } from "../../shared/aws/call-counter.ts";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { type ReconcileOutcome, type ReconcileRequest, reconcileGateway } from "../../shared/reconcile/engine.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { translate } from "../../shared/translate.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, TEST_REGION } from "../../test/env/clients.ts";
import { startEnvironment } from "../../test/env/components.ts";
import { ENV } from "../../test/env/variables.ts";
import { serviceManifests } from "../../test/fixtures/services.ts";

const DRIFT_INTERVAL = 600_000;
const ENDPOINT_CHANGES = 10;
const LISTENERS = 10;
const SERVICES = ["web", "api", "ui"] as const;

/** 100 addresses per Service; `moved` of web's are replaced by addresses it did not have. */
function endpoints(moved: number): Record<string, string[]> {
  const ips = (svc: number, from: number) =>
    Array.from({ length: 100 }, (_, i) => `10.${svc}.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`);
  return { web: ips(1, moved), api: ips(2, 0), ui: ips(3, 0) };
}

/** The NLB Gateway's model; `rerouted` sends route 4 to `api` as well as its own Service. */
export function nlbModel(options: { rerouted?: boolean; moved?: number }): LoadBalancerModel {
  const addresses = endpoints(options.moved ?? 0);
  const listeners = Array.from({ length: LISTENERS }, (_, i) => `{name: tcp${i}, port: ${5000 + i}, protocol: TCP}`);
  const routes = Array.from({ length: LISTENERS }, (_, i) => {
    const own = SERVICES[i % SERVICES.length] ?? "web";
    const backends =
      i === 4 && options.rerouted
        ? `[{name: ${own}, port: 80, weight: 1}, {name: ${own === "api" ? "ui" : "api"}, port: 80, weight: 1}]`
        : `[{name: ${own}, port: 80}]`;
    return `---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t${i}, namespace: apps}
spec: {parentRefs: [{name: gw, sectionName: tcp${i}}], rules: [{backendRefs: ${backends}}]}
`;
  });
  const manifests = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: switchyard.dev/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: nlb
  listeners: [${listeners.join(", ")}]
${routes.join("")}${SERVICES.map((name) => serviceManifests({ name, addresses: addresses[name] ?? [] })).join("")}`;
  const loaded = loadManifests(manifests, "nlb-bench.yaml");
  if (loaded.rejected.length > 0) throw new Error(`NLB fixture rejected: ${JSON.stringify(loaded.rejected)}`);
  const model = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "bench" }).loadBalancers[0]
    ?.model;
  if (!model) throw new Error("the NLB fixture built no load balancer");
  if (model.listeners.length !== LISTENERS)
    throw new Error(`expected ${LISTENERS} listeners, built ${model.listeners.length}`);
  return model;
}

type Counts = Record<string, { calls: number }>;

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

export async function runNlbCalls(): Promise<Record<string, string | number>[]> {
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
    await createTable(dynamo, "bench-nlb");
    let clock = 1_000_000;
    const deps = {
      ...createDynamoDbStores(dynamo, "bench-nlb"),
      elb,
      now: () => clock,
      owner: "bench",
      driftIntervalMs: DRIFT_INTERVAL,
    };
    const request = (desired: ReconcileRequest["desired"]): ReconcileRequest => ({
      gatewayKey: clusterGatewayKey("bench", "apps", "gw"),
      dataPlane: "nlb",
      account: target.account,
      region: target.region,
      desired,
    });
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
    await measure("create (10 TCP listeners, 3 TGs, 300 targets)", [nlbModel({})]);
    await measure("next reconcile while the load balancer is provisioning", [nlbModel({})]);
    await measure("no-op", [nlbModel({})]);
    clock += DRIFT_INTERVAL;
    await measure("drift check (nothing drifted)", [nlbModel({})]);
    await measure("one route's backends changed (1 listener)", [nlbModel({ rerouted: true })]);
    await measure(
      `${ENDPOINT_CHANGES} endpoint changes, one reconcile each`,
      Array.from({ length: ENDPOINT_CHANGES }, (_, i) => nlbModel({ rerouted: true, moved: i + 1 })),
    );
    await measure("delete", [undefined]);
  } finally {
    factory.destroy();
    dynamo.destroy();
    await env.stop();
  }
  return rows;
}
