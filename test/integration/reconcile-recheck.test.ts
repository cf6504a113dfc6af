// Rechecks while AWS settles, through the reconcile λ's handler: reconcile.fifo on moto (messages
// received, deferred by ChangeMessageVisibility and deleted as Lambda's event source mapping
// does), leases, state and the dirty record on DynamoDB Local, ELBv2 on moto. moto reports a new
// load balancer active at its first describe (QUIRKS M4), so the ELB port below holds it
// `provisioning` for the first reads, as AWS does for minutes: nothing but the rechecks brings
// the Gateway back (no ingest event, no resync, and its status echo reconciles nothing).
// SWITCHYARD_COMPONENTS=moto,dynamodb
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createReconcileHandler } from "../../functions/reconcile/create-handler.ts";
import { elbPortsThrough } from "../../functions/reconcile/environment.ts";
import { sqsMessageDeferral, sqsReconcileRequeue } from "../../functions/reconcile/sqs.ts";
import type { AwsClientFactory } from "../../shared/aws/clients.ts";
import type { ObservedElb } from "../../shared/elb/observed.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { RecordingMetrics } from "../../shared/pipeline/metrics.ts";
import { MemorySnapshotSource } from "../../shared/pipeline/reconcile-gateway.ts";
import { decodeReconcileRequest, type ReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import type { ElbPort } from "../../shared/reconcile/ports.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { dynamoDbSettings, motoSettings, TEST_REGION } from "../env/clients.ts";
import { pipelineObjects } from "../fixtures/pipeline-cluster.ts";
import { motoReconcileWorld } from "./reconcile-handler-support.ts";

const CLUSTER = "moto-cluster";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");
/** Short delays so the test runs in seconds; the chain's shape is DEFAULT_RECHECK's. */
const RECHECK = { firstDelayMs: 1_000, maxDelayMs: 2_000, maxTotalMs: 60_000 };

let dynamo: DynamoDBClient;
let sqs: SQSClient;
let factory: AwsClientFactory;
let dirty: DynamoDbDirtyGenerations;
let reconcileQueue: string;
let handler: ReturnType<typeof createReconcileHandler>;
/** Reads of the load balancer left that still say `provisioning`. */
let provisioningReads: number;
let statuses: StatusIntent[];

/** `observed` with its load balancer provisioning while `provisioningReads` lasts. */
function provisioning(observed: ObservedElb, read: boolean): ObservedElb {
  const lb = observed.loadBalancer;
  if (!lb || provisioningReads <= 0) return observed;
  if (read) provisioningReads -= 1;
  return { ...observed, loadBalancer: { ...lb, state: "provisioning" } };
}

/** The ELB port on moto, but a created load balancer stays provisioning for `provisioningReads` reads. */
function slowToProvision(port: ElbPort): ElbPort {
  return {
    observe: async (applied) => provisioning(await port.observe(applied), true),
    refresh: async (applied) => provisioning(await port.refresh(applied), true),
    discover: async (key) => provisioning(await port.discover(key), true),
    execute: async (op, current, created) => provisioning(await port.execute(op, current, created), false),
  };
}

function recordOf(message: Message): SQSRecord {
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
      SentTimestamp: "0",
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: "0",
      MessageGroupId: message.Attributes?.MessageGroupId ?? "",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:reconcile.fifo",
    awsRegion: TEST_REGION,
  };
}

async function queuedMessages(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: reconcileQueue,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Lambda's event source mapping over reconcile.fifo, one message per invocation, until the queue
 * holds nothing (visible or in flight) or `deadlineMs` passes: a batch item failure stays (its
 * visibility as the handler set it), anything else is deleted.
 */
async function runQueue(deadlineMs: number) {
  const receives = new Map<string, number>();
  const requests: ReconcileRequest[] = [];
  const deadline = Date.now() + deadlineMs;
  let invocation = 0;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: reconcileQueue,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "MessageGroupId"],
      }),
    );
    const message = Messages[0];
    if (!message) {
      if ((await queuedMessages()) === 0) return { receives, requests, drained: true };
      continue;
    }
    const id = message.MessageId ?? "";
    receives.set(id, Number(message.Attributes?.ApproximateReceiveCount ?? 0));
    if ((receives.get(id) ?? 0) === 1) {
      const decoded = decodeReconcileRequest(message.Body ?? "");
      if (decoded.ok) requests.push(decoded.request);
    }
    invocation += 1;
    const context = { awsRequestId: `request-${invocation}`, functionName: "reconcile" } as Context;
    const response = await handler({ Records: [recordOf(message)] }, context);
    if (!response?.batchItemFailures.some((f) => f.itemIdentifier === id)) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: reconcileQueue, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return { receives, requests, drained: false };
}

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  sqs = new SQSClient(motoSettings());
});

afterAll(() => {
  dynamo?.destroy();
  sqs?.destroy();
  factory?.destroy();
});

beforeEach(async () => {
  factory?.destroy();
  const world = await motoReconcileWorld(dynamo, sqs, CLUSTER);
  factory = world.factory;
  const registry = world.registry;
  const table = world.table;
  reconcileQueue = world.reconcileQueue;
  dirty = new DynamoDbDirtyGenerations(dynamo, table);
  statuses = [];
  const elbFor = elbPortsThrough(factory);
  handler = createReconcileHandler(
    {
      ...createDynamoDbStores(dynamo, table),
      registry,
      snapshots: new MemorySnapshotSource({ [CLUSTER]: pipelineObjects() }),
      dirty,
      elbFor: (cluster, gateway) => slowToProvision(elbFor(cluster, gateway)),
      requeue: sqsReconcileRequeue(sqs, reconcileQueue),
      deferral: sqsMessageDeferral(sqs, reconcileQueue),
      recheck: RECHECK,
      statuses: {
        send: async (_cluster, intents) => {
          statuses.push(...intents);
          return { messages: 1, oversized: [] };
        },
      },
    },
    { logger: new Logger({ logLevel: "SILENT" }), sink: new RecordingMetrics() },
  );
});

const programmed = () => {
  const gateway = statuses.filter((i) => i.kind === "Gateway" && i.name === "gw").at(-1);
  return gateway && "conditions" in gateway ? gateway.conditions.find((c) => c.type === "Programmed") : undefined;
};

describe("rechecks while a load balancer provisions (reconcile handler, moto, DynamoDB Local)", () => {
  it("a Gateway whose load balancer is still provisioning at its first 3 rechecks turns Programmed at the 4th with no ingest event or resync; no message is received more than twice, and the chain stops", async () => {
    provisioningReads = 3;
    // What ingest did for the Gateway's one change: bumped (the marker set) and sent one request.
    const { generation } = await dirty.bump(KEY, { urgent: true, now: Date.now() });
    await sqsReconcileRequeue(sqs, reconcileQueue).send({ version: 1, gatewayKey: KEY, reason: "change", generation });

    const { receives, requests, drained } = await runQueue(60_000);
    expect(drained).toBe(true);
    expect(requests.map((r) => r.reason)).toEqual(["change", "recheck", "recheck", "recheck", "recheck"]);
    expect(requests.slice(1).map((r) => r.recheck?.attempt)).toEqual([1, 2, 3, 4]);
    // Each recheck is received early once (deferred by a visibility change), then once to run.
    expect(Math.max(...receives.values())).toBe(2);
    expect(provisioningReads).toBe(0);
    expect(programmed()?.status).toBe("True");
    // Settled: nothing pending, nothing queued.
    expect((await dirty.read(KEY)).pendingSince).toBeUndefined();
    expect(await queuedMessages()).toBe(0);
  });

  it("DynamoDB: finish with a recheck to follow keeps the marker, held by the reconciler, and still reports a move", async () => {
    const key = clusterGatewayKey(CLUSTER, "apps", "other");
    const finished = (startedGeneration: number, now: number) => ({
      startedGeneration,
      startedAt: now,
      notBefore: now,
      intervalMs: 0,
      now,
      keepPending: true,
    });
    await dirty.bump(key, { urgent: true, now: 1_000, owners: ["m1"] });
    expect(await dirty.finish(key, finished(1, 2_000))).toEqual({ moved: false });
    expect(await dirty.read(key)).toMatchObject({ pendingSince: 2_000, pendingBy: [], startedGeneration: 1 });
    expect(await dirty.bump(key, { urgent: false, now: 2_500, owners: ["m1"] })).toEqual({
      generation: 2,
      request: false,
    });
    expect(await dirty.finish(key, finished(1, 3_000))).toEqual({ moved: true, generation: 2 });
    expect(await dirty.finish(key, { ...finished(2, 4_000), keepPending: false })).toEqual({ moved: false });
    expect((await dirty.read(key)).pendingSince).toBeUndefined();
  });
});
