// The reconcile λ's handler, built by its factory with real clients: ELBv2/EC2/SQS on moto (the
// client factory, same-account target), leases and state on DynamoDB Local. The snapshot comes
// from manifests through MemorySnapshotSource (the objects mirror is another branch's), and the
// dirty generation from the DynamoDB counter ingest bumps.
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
import { clusterGatewayKey } from "../../shared/keys.ts";
import { DEFAULT_PENDING_STALE_AFTER_MS, DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { RecordingMetrics } from "../../shared/pipeline/metrics.ts";
import { MemorySnapshotSource } from "../../shared/pipeline/reconcile-gateway.ts";
import { decodeReconcileRequest, encodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { decodeStatusIntentMessage, type StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { FAULTS, FaultInjectingHandler } from "../../shared/testing/index.ts";
import { dynamoDbSettings, motoSettings, uniqueName } from "../env/clients.ts";
import { pipelineObjects } from "../fixtures/pipeline-cluster.ts";
import { sqsEvent, sqsRecord } from "../fixtures/sqs-records.ts";
import { motoReconcileWorld } from "./reconcile-handler-support.ts";

const CLUSTER = "moto-cluster";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");

let dynamo: DynamoDBClient;
let sqs: SQSClient;
let elbv2: ElasticLoadBalancingV2Client;
let factory: AwsClientFactory;
/** Every AWS request of the reconciler goes through it; a test injects throttles and 5xx below the SDK's retries. */
let faults: FaultInjectingHandler;
let snapshots: MemorySnapshotSource;
let dirty: DynamoDbDirtyGenerations;
let duringLoad: (() => Promise<unknown>) | undefined;
let metrics: RecordingMetrics;
let statusQueue: string;
let reconcileQueue: string;
let handler: ReturnType<typeof createReconcileHandler>;
let invocation = 0;

const calls = () => Object.values(factory.counter.snapshot()).reduce((n, c) => n + c.calls, 0);

async function invoke(generation = 0, key = KEY) {
  invocation += 1;
  const body = encodeReconcileRequest({ version: 1, gatewayKey: key, reason: "change", generation });
  const context = { awsRequestId: `request-${invocation}`, functionName: "reconcile" } as Context;
  return handler(sqsEvent([sqsRecord(body, "group")]), context);
}

async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!out.Messages || out.Messages.length === 0) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body ?? ""));
    // Received messages stay invisible for the queue's visibility timeout: the next receive gets only new ones.
  }
}

async function intents(): Promise<StatusIntent[]> {
  return (await drain(statusQueue)).flatMap((body) => {
    const decoded = decodeStatusIntentMessage(body);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.message.intents;
  });
}

const conditionOf = (intent: StatusIntent | undefined, type: string) =>
  intent && "conditions" in intent ? intent.conditions.find((c) => c.type === type) : undefined;

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
  faults = new FaultInjectingHandler();
  const world = await motoReconcileWorld(dynamo, sqs, CLUSTER, { requestHandler: faults });
  factory = world.factory;
  const registry = world.registry;
  const table = world.table;
  reconcileQueue = world.reconcileQueue;
  statusQueue = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("status") }))).QueueUrl ?? "";
  snapshots = new MemorySnapshotSource({ [CLUSTER]: pipelineObjects() });
  dirty = new DynamoDbDirtyGenerations(dynamo, table);
  duringLoad = undefined;
  metrics = new RecordingMetrics();
  handler = createReconcileHandler(
    {
      ...createDynamoDbStores(dynamo, table),
      registry,
      // A test may land a change while the reconcile reads the mirror.
      snapshots: {
        load: async (cluster) => {
          await duringLoad?.();
          return snapshots.load(cluster);
        },
      },
      dirty,
      elbFor: elbPortsThrough(factory),
      requeue: sqsReconcileRequeue(sqs, reconcileQueue),
      statuses: sqsStatusIntentSink(sqs, statusQueue),
      awsCalls: factory.counter,
    },
    { logger: new Logger({ logLevel: "SILENT" }), sink: metrics },
  );
});

describe("reconcile handler on moto and DynamoDB Local", () => {
  it("creates the ALB, listener, rule and target group, and says Accepted, Programmed and the DNS name", async () => {
    expect((await invoke()).batchItemFailures).toEqual([]);
    const lbs = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    expect(lbs).toHaveLength(1);
    const lb = lbs[0];
    const listeners = (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn })))
      .Listeners;
    expect(listeners?.map((l) => l.Port)).toEqual([80]);
    const rules = (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listeners?.[0]?.ListenerArn }))).Rules;
    expect(rules?.filter((r) => !r.IsDefault)).toHaveLength(1);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toHaveLength(1);

    // moto reports a new load balancer provisioning, then active: the next reconcile re-reads it.
    await intents();
    await invoke();
    const emitted = await intents();
    const gateway = emitted.find((i) => i.kind === "Gateway");
    expect(conditionOf(gateway, "Accepted")?.status).toBe("True");
    expect(conditionOf(gateway, "Programmed")?.status).toBe("True");
    expect(gateway && "addresses" in gateway ? gateway.addresses : []).toEqual([
      { type: "Hostname", value: lb?.DNSName?.toLowerCase() },
    ]);
    const route = emitted.find((i) => i.kind === "HTTPRoute");
    expect(route && "parents" in route ? route.parents[0]?.conditions.map((c) => c.status) : []).toEqual([
      "True",
      "True",
    ]);
  });

  it("a second identical request makes zero AWS calls", async () => {
    await invoke();
    await invoke();
    const before = calls();
    await invoke();
    expect(calls() - before).toBe(0);
    expect(metrics.recorded.filter((m) => m.name === "AwsCalls").at(-1)?.value).toBe(0);
  });

  it("counts AWS calls, throttles and errors per service and operation, the SDK's retries included", async () => {
    faults.inject("CreateRule", FAULTS.throttling, 2);
    faults.inject("CreateTargetGroup", FAULTS.internalError, 1);
    const before = calls();
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect(faults.pending()).toBe(0);
    const metric = (name: string, operation?: string) =>
      metrics.total(name, operation ? { awsService: "ElasticLoadBalancingV2", operation } : undefined) -
      // The totals are undimensioned; a filter by dimension excludes them.
      (operation
        ? 0
        : metrics.recorded.filter((m) => m.name === name && m.dimensions).reduce((n, m) => n + m.value, 0));
    // Throttled and failed attempts, each retried by the SDK until the call succeeded.
    expect(metric("AwsThrottles", "CreateRule")).toBe(2);
    expect(metric("AwsErrors", "CreateTargetGroup")).toBe(1);
    expect(metric("AwsThrottles")).toBe(2);
    expect(metric("AwsErrors")).toBe(1);
    // Calls are logical calls, one per request however often it was retried.
    expect(metric("AwsCalls", "CreateRule")).toBe(factory.counter.calls("ElasticLoadBalancingV2", "CreateRule"));
    expect(metric("AwsCalls", "CreateLoadBalancer")).toBe(1);
    expect(metric("AwsCalls")).toBe(calls() - before);
    // The per-operation counts add up to the total, EC2's included.
    const perOperation = metrics.recorded.filter((m) => m.name === "AwsCalls" && m.dimensions);
    expect(perOperation.reduce((n, m) => n + m.value, 0)).toBe(calls() - before);
    expect([...new Set(perOperation.map((m) => m.dimensions?.awsService))]).toEqual(
      expect.arrayContaining(["ElasticLoadBalancingV2", "EC2"]),
    );
    // An operation that was never throttled reports no throttle metric at all.
    expect(
      metrics.recorded.filter((m) => m.name === "AwsThrottles" && m.dimensions?.operation === "CreateLoadBalancer"),
    ).toEqual([]);
  });

  it("deleting the Gateway from the snapshot deletes every resource it owned", async () => {
    await invoke();
    snapshots.set(
      CLUSTER,
      pipelineObjects().filter((o) => o.kind !== "Gateway"),
    );
    expect((await invoke()).batchItemFailures).toEqual([]);
    expect((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).toEqual([]);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).toEqual([]);
  });

  it("an unregistered cluster is rejected with zero AWS calls", async () => {
    const response = await invoke(0, clusterGatewayKey("nobody", "apps", "gw"));
    expect(response.batchItemFailures).toEqual([]);
    expect(calls()).toBe(0);
    expect(metrics.total("Reconciles", { outcome: "rejected" })).toBe(1);
  });

  it("a dirty generation that moved during the reconcile puts exactly one requeue on reconcile.fifo", async () => {
    const now = Date.now();
    expect(await dirty.bump(KEY, { urgent: true, now })).toEqual({ generation: 1, request: true });
    duringLoad = () => dirty.bump(KEY, { urgent: true, now });
    await invoke(1);
    const requeues = (await drain(reconcileQueue)).map((body) => decodeReconcileRequest(body));
    expect(requeues).toEqual([
      { ok: true, request: expect.objectContaining({ gatewayKey: KEY, reason: "requeue", generation: 2 }) },
    ]);
    // Still pending (the requeue is): ingest's next bump sends nothing.
    expect(await dirty.bump(KEY, { urgent: false, now })).toEqual({ generation: 3, request: false });
  });

  it("bumps before the reconcile started need no requeue; after it, the next bump sends a request", async () => {
    const now = Date.now();
    expect(await dirty.bump(KEY, { urgent: true, now })).toEqual({ generation: 1, request: true });
    expect(await dirty.bump(KEY, { urgent: false, now })).toEqual({ generation: 2, request: false });
    await invoke(1);
    expect(await drain(reconcileQueue)).toEqual([]);
    expect(await dirty.bump(KEY, { urgent: false, now })).toEqual({ generation: 3, request: true });
  });

  it("a pending request older than the stale bound does not hold ingest back", async () => {
    const now = Date.now();
    await dirty.bump(KEY, { urgent: true, now: now - DEFAULT_PENDING_STALE_AFTER_MS - 1 });
    expect(await dirty.bump(KEY, { urgent: false, now })).toEqual({ generation: 2, request: true });
    expect(await dirty.bump(KEY, { urgent: false, now })).toEqual({ generation: 3, request: false });
    await dirty.abandon(KEY, now);
    expect(await dirty.bump(KEY, { urgent: false, now })).toEqual({ generation: 4, request: true });
  });
});
