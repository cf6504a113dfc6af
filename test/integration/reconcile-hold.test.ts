// A Gateway whose LoadBalancerConfiguration turns invalid keeps its ALB: the reconcile λ's handler
// with real clients (ELBv2/EC2/SQS on moto, leases and state on DynamoDB Local), the snapshot
// from manifests. Programmed, broken (held: zero ELBv2 writes, the load balancer still there,
// status says so), fixed (converges), deleted (everything goes).
// SWITCHYARD_COMPONENTS=moto,dynamodb
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createReconcileHandler } from "../../functions/reconcile/create-handler.ts";
import { elbPortsThrough } from "../../functions/reconcile/environment.ts";
import { sqsReconcileRequeue, sqsStatusIntentSink } from "../../functions/reconcile/sqs.ts";
import type { AwsClientFactory } from "../../shared/aws/clients.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { RecordingMetrics } from "../../shared/pipeline/metrics.ts";
import { MemorySnapshotSource } from "../../shared/pipeline/reconcile-gateway.ts";
import { encodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { decodeStatusIntentMessage, type StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { dynamoDbSettings, motoSettings, uniqueName } from "../env/clients.ts";
import { pipelineObjects } from "../fixtures/pipeline-cluster.ts";
import { sqsEvent, sqsRecord } from "../fixtures/sqs-records.ts";
import { motoReconcileWorld } from "./reconcile-handler-support.ts";

const CLUSTER = "moto-cluster";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");

const VALID = `apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: lbc, namespace: apps, generation: 1}
spec: {scheme: internal}
`;
// Valid as a manifest; an ALB cannot apply it (target group stickiness needs a duration there).
const INVALID = `apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: lbc, namespace: apps, generation: 2}
spec:
  scheme: internal
  listenerConfigurations:
  - {protocolPort: "HTTP:80", targetGroupStickiness: true}
`;

/** The pipeline fixture with its Gateway pointing at LoadBalancerConfiguration apps/lbc. */
function cluster(lbc: string, options: { gateway?: boolean } = {}): KubeObject[] {
  return pipelineObjects(lbc)
    .filter((o) => options.gateway !== false || o.kind !== "Gateway")
    .map((o) =>
      o.kind === "Gateway"
        ? {
            ...o,
            spec: {
              ...(o as { spec: Record<string, unknown> }).spec,
              infrastructure: {
                parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "lbc" },
              },
            },
          }
        : o,
    );
}

let dynamo: DynamoDBClient;
let sqs: SQSClient;
let elbv2: ElasticLoadBalancingV2Client;
let factory: AwsClientFactory;
let snapshots: MemorySnapshotSource;
let metrics: RecordingMetrics;
let statusQueue: string;
let table: string;
let handler: ReturnType<typeof createReconcileHandler>;
let invocation = 0;

/** ELBv2 calls that change something: every operation but the Describe* reads. */
function elbv2Writes(): number {
  return Object.entries(factory.counter.snapshot())
    .filter(([key]) => key.startsWith("ElasticLoadBalancingV2:") && !key.includes(":Describe"))
    .reduce((n, [, c]) => n + c.calls, 0);
}

async function invoke() {
  invocation += 1;
  const body = encodeReconcileRequest({ version: 1, gatewayKey: KEY, reason: "change", generation: 0 });
  const context = { awsRequestId: `request-${invocation}`, functionName: "reconcile" } as Context;
  return handler(sqsEvent([sqsRecord(body, "group")]), context);
}

async function gatewayIntent(): Promise<StatusIntent | undefined> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: statusQueue, MaxNumberOfMessages: 10 }));
    if (!out.Messages || out.Messages.length === 0) break;
    bodies.push(...out.Messages.map((m) => m.Body ?? ""));
  }
  const intents = bodies.flatMap((body) => {
    const decoded = decodeStatusIntentMessage(body);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.message.intents;
  });
  return intents.filter((i) => i.kind === "Gateway").at(-1);
}

const conditionOf = (intent: StatusIntent | undefined, type: string) =>
  intent && "conditions" in intent ? intent.conditions.find((c) => c.type === type) : undefined;
const addressesOf = (intent: StatusIntent | undefined) => (intent && "addresses" in intent ? intent.addresses : []);

async function loadBalancers() {
  return (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
}

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  sqs = new SQSClient(motoSettings());
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
});

afterAll(() => {
  dynamo?.destroy();
  sqs?.destroy();
  elbv2?.destroy();
  factory?.destroy();
});

beforeEach(async () => {
  factory?.destroy();
  const world = await motoReconcileWorld(dynamo, sqs, CLUSTER);
  factory = world.factory;
  const registry = world.registry;
  table = world.table;
  const reconcileQueue = world.reconcileQueue;
  statusQueue = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("status") }))).QueueUrl ?? "";
  snapshots = new MemorySnapshotSource({ [CLUSTER]: cluster(VALID) });
  metrics = new RecordingMetrics();
  handler = createReconcileHandler(
    {
      ...createDynamoDbStores(dynamo, table),
      registry,
      snapshots,
      dirty: new DynamoDbDirtyGenerations(dynamo, table),
      elbFor: elbPortsThrough(factory),
      requeue: sqsReconcileRequeue(sqs, reconcileQueue),
      statuses: sqsStatusIntentSink(sqs, statusQueue),
      awsCalls: factory.counter,
    },
    { logger: new Logger({ logLevel: "SILENT" }), sink: metrics },
  );
});

describe("a Gateway whose LoadBalancerConfiguration turns invalid (moto, DynamoDB Local)", () => {
  it("keeps its ALB untouched while the configuration is invalid, converges once fixed, and is deleted with the Gateway", async () => {
    // Programmed: moto reports the new load balancer provisioning, then active on the next reconcile.
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect((await invoke()).batchItemFailures).toEqual([]);
    const programmed = await gatewayIntent();
    expect(conditionOf(programmed, "Programmed")?.status).toBe("True");
    const [lb] = await loadBalancers();
    const dnsName = lb?.DNSName?.toLowerCase();
    expect(dnsName).toBeTruthy();
    const listenerArn = (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn })))
      .Listeners?.[0]?.ListenerArn;
    const rules = (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules;
    const targetGroups = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups;
    const states = createDynamoDbStores(dynamo, table).states;
    const record = await states.get(KEY);

    // Broken: held. Not one ELBv2 write (not one AWS call at all), everything still there.
    snapshots.set(CLUSTER, cluster(INVALID));
    const writes = elbv2Writes();
    const calls = factory.counter.calls();
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect(elbv2Writes() - writes).toBe(0);
    expect(factory.counter.calls() - calls).toBe(0);
    expect(metrics.total("Reconciles", { outcome: "held" })).toBe(1);
    expect((await loadBalancers()).map((l) => l.LoadBalancerArn)).toEqual([lb?.LoadBalancerArn]);
    expect((await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules).toEqual(rules);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual(targetGroups);
    const held = await states.get(KEY);
    expect(held?.applied).toEqual(record?.applied);
    expect(held?.appliedHash).toBe(record?.appliedHash);
    expect(held?.lastReconcile).toMatchObject({ outcome: "held", error: expect.stringContaining("UnsupportedValue") });
    const status = await gatewayIntent();
    expect(conditionOf(status, "Accepted")).toMatchObject({
      status: "False",
      reason: "UnsupportedValue",
      message: expect.stringContaining("targetGroupStickiness"),
    });
    expect(conditionOf(status, "Programmed")).toMatchObject({
      status: "False",
      reason: "Invalid",
      message: expect.stringContaining("keeps serving the last accepted configuration"),
    });
    expect(addressesOf(status)).toEqual([{ type: "Hostname", value: dnsName }]);

    // Fixed: the record still matches what AWS holds, so it converges with no ELBv2 write.
    snapshots.set(CLUSTER, cluster(VALID));
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect(elbv2Writes() - writes).toBe(0);
    const fixed = await gatewayIntent();
    expect(conditionOf(fixed, "Accepted")?.status).toBe("True");
    expect(conditionOf(fixed, "Programmed")?.status).toBe("True");
    expect(addressesOf(fixed)).toEqual([{ type: "Hostname", value: dnsName }]);
    expect((await states.get(KEY))?.lastReconcile?.outcome).toBe("unchanged");
    expect((await loadBalancers()).map((l) => l.LoadBalancerArn)).toEqual([lb?.LoadBalancerArn]);

    // Deleted: everything goes, held or not before.
    snapshots.set(CLUSTER, cluster(INVALID, { gateway: false }));
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect(await loadBalancers()).toEqual([]);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).toEqual([]);
    expect(await states.get(KEY)).toBeUndefined();
  });

  it("a Gateway never programmed with an invalid configuration creates nothing", async () => {
    snapshots.set(CLUSTER, cluster(INVALID));
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect(factory.counter.calls()).toBe(0);
    expect(await loadBalancers()).toEqual([]);
    const status = await gatewayIntent();
    expect(conditionOf(status, "Programmed")).toMatchObject({
      status: "False",
      reason: "Invalid",
      message: "the Gateway is not accepted",
    });
    expect(addressesOf(status)).toEqual([]);
  });
});
