// The resync tick's orphan check over real parts: load balancers created by the reconcile pipeline
// on moto, state records in DynamoDB Local, the tags read with moto's Resource Groups Tagging API.
// A load balancer tagged as a Gateway with no record and no Gateway is deleted by the reconcile the
// tick enqueues; one whose Gateway has a record is left.
// SWITCHYARD_COMPONENTS=moto,dynamodb

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { elbPortsThrough } from "../../functions/reconcile/environment.ts";
import { taggingGatewayScan } from "../../functions/resync/orphan-scan.ts";
import { registeredTargets } from "../../functions/resync/owner-lookup.ts";
import type { OccasionedRequest } from "../../functions/resync/reconcile-queue.ts";
import { type ResyncDependencies, resyncTick } from "../../functions/resync/resync.ts";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { controllerConfig } from "../../shared/config.ts";
import { TAG } from "../../shared/elb/naming.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { NO_PACING } from "../../shared/pipeline/endpoint-pacing.ts";
import {
  type GatewayReconcilerDeps,
  MemorySnapshotSource,
  reconcileGatewayRequest,
} from "../../shared/pipeline/reconcile-gateway.ts";
import type { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
} from "../env/clients.ts";
import { pipelineObjects } from "../fixtures/pipeline-cluster.ts";
import { registeredInDefaultVpc } from "./reconcile-handler-support.ts";

const CLUSTER = "moto-cluster";
const KEPT = clusterGatewayKey(CLUSTER, "apps", "gw");
const GONE = clusterGatewayKey(CLUSTER, "apps", "gone");
/** A second ALB Gateway of the pipeline cluster, with a listener and no route. */
const GONE_GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gone, namespace: apps}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, port: 80, protocol: HTTP}
`;

let dynamo: DynamoDBClient;
let elbv2: ElasticLoadBalancingV2Client;
let factory: AwsClientFactory;
let deps: GatewayReconcilerDeps;
let registry: MemoryClusterRegistry;
let snapshots: MemorySnapshotSource;
let sent: OccasionedRequest[];
let resync: ResyncDependencies;

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
});

afterAll(() => {
  dynamo?.destroy();
  elbv2?.destroy();
});

beforeEach(async () => {
  await resetMoto();
  factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    account: MOTO_DEFAULT_ACCOUNT_ID,
  });
  const registered = await registeredInDefaultVpc(dynamo, CLUSTER);
  registry = registered.registry;
  const table = registered.table;
  const { leases, states } = createDynamoDbStores(dynamo, table);
  snapshots = new MemorySnapshotSource({ [CLUSTER]: pipelineObjects(GONE_GATEWAY) });
  deps = {
    registry,
    snapshots,
    elbFor: elbPortsThrough(factory),
    engine: { leases, states, now: () => Date.now(), owner: "reconciler", driftIntervalMs: 600_000 },
    dirty: new MemoryDirtyGenerations(),
    pacing: NO_PACING,
    requeue: { send: async () => {} },
    statuses: { send: async () => ({ messages: 1, oversized: [] }) },
    config: controllerConfig(),
  };
  sent = [];
  resync = {
    states,
    queue: {
      send: async (requests) => {
        sent.push(...requests);
      },
    },
    owners: { gatewaysOwning: async () => [] },
    continuation: { continueFrom: async () => {} },
    // Nothing due on any tick: only the orphan check enqueues here.
    schedule: { tickMs: 60_000, periodTicks: 1_000_000, seed: "orphans" },
    ownRoleArns: new Set(),
    maxGatewaysPerInvocation: 500,
    orphans: { targets: () => registeredTargets(registry), scan: taggingGatewayScan((t) => factory.tagging(t)) },
  };
});

afterEach(() => {
  factory?.destroy();
});

const reconcile = (gatewayKey: typeof KEPT) =>
  reconcileGatewayRequest({ version: 1, gatewayKey, reason: "change", generation: 0 }, deps);

/** Gateway tag of each load balancer moto holds. */
async function taggedLoadBalancers(): Promise<string[]> {
  const arns = ((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map(
    (lb) => lb.LoadBalancerArn ?? "",
  );
  if (arns.length === 0) return [];
  const tags = (await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }))).TagDescriptions ?? [];
  return tags.map((d) => d.Tags?.find((t) => t.Key === TAG.gateway)?.Value ?? "").sort();
}

describe("the resync tick's orphan check", () => {
  it("enqueues a reconcile for a Gateway with tagged load balancers and no record; the reconcile deletes them; a recorded one is left", async () => {
    expect(await reconcile(KEPT)).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(await reconcile(GONE)).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(await taggedLoadBalancers()).toEqual(["apps/gone", "apps/gw"]);
    // The Gateway is deleted and its record lost (written by hand, a restored table, a bug): its
    // load balancer is an orphan nothing would reconcile again.
    snapshots.set(CLUSTER, pipelineObjects());
    const lease = await deps.engine.leases.acquire(GONE, "operator", Date.now(), 60_000);
    if (!lease) throw new Error("the lease of apps/gone is held");
    await deps.engine.states.delete(GONE, lease, { release: true });

    const outcome = await resyncTick({ tick: 7, done: 0 }, resync);
    expect(outcome).toMatchObject({
      kind: "scheduled",
      enqueued: [GONE],
      orphanCheck: {
        target: { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION },
        orphans: [{ key: GONE, planes: ["elb"] }],
        shortened: [],
        // One listing for both planes through the target's one tagging client, as in production.
        calls: 1,
      },
    });
    expect(sent.map((s) => [s.request.gatewayKey, s.request.reason, s.request.orphanedOn, s.occasion])).toEqual([
      [GONE, "resync", "elb", "orphans:7"],
    ]);
    // The reconcile λ takes the request: no Gateway, no record → what the tags name is deleted.
    const request = sent[0]?.request;
    if (!request) throw new Error("nothing enqueued");
    expect(await reconcileGatewayRequest(request, deps)).toMatchObject({
      disposition: "done",
      outcome: { kind: "deleted" },
    });
    expect(await taggedLoadBalancers()).toEqual(["apps/gw"]);
    expect(await deps.engine.states.get(GONE)).toBeUndefined();

    // The next tick finds nothing to enqueue.
    sent = [];
    expect(await resyncTick({ tick: 8, done: 0 }, resync)).toMatchObject({ enqueued: [] });
    expect(sent).toEqual([]);
  });

  it("a Gateway that still exists with no record yet is reconciled, not deleted", async () => {
    expect(await reconcile(GONE)).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    const lease = await deps.engine.leases.acquire(GONE, "operator", Date.now(), 60_000);
    if (!lease) throw new Error("the lease of apps/gone is held");
    await deps.engine.states.delete(GONE, lease, { release: true });
    await resyncTick({ tick: 1, done: 0 }, resync);
    const request = sent[0]?.request;
    if (!request) throw new Error("nothing enqueued");
    const report = await reconcileGatewayRequest(request, deps);
    expect(report.disposition).toBe("done");
    expect(await taggedLoadBalancers()).toEqual(["apps/gone"]);
    expect((await deps.engine.states.get(GONE))?.dataPlane).toBe("alb");
  });
});
