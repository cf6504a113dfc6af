// The ingest handler in-process on DynamoDB Local and moto SQS: events sent to a FIFO queue,
// received as Lambda would (SenderId, MessageGroupId), handed to the handler as an SQSEvent.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { InitializeHandler, InitializeHandlerArguments, MetadataBearer } from "@smithy/types";
import type { Context, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createIngestHandler } from "../../functions/ingest/create-handler.ts";
import { type ChangeEvent, encodeEvent, messageDeduplicationId, messageGroupId } from "../../shared/events/index.ts";
import { parseClusterGatewayKey } from "../../shared/keys.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { decodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { dynamoDbSettings, motoSettings, resetMoto, uniqueName } from "../env/clients.ts";

const GROUP = "gateway.networking.k8s.io";
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let s3: S3Client;

beforeAll(async () => {
  await resetMoto();
  dynamodb = new DynamoDBClient(dynamoDbSettings());
  sqs = new SQSClient(motoSettings());
  s3 = new S3Client({ ...motoSettings(), forcePathStyle: true });
});
afterAll(() => {
  dynamodb?.destroy();
  sqs?.destroy();
  s3?.destroy();
});

function objectEvent(
  kind: string,
  group: string,
  name: string,
  rv: number,
  body: Record<string, unknown>,
  op: "upsert" | "delete" = "upsert",
): ChangeEvent {
  const apiVersion = group ? `${group}/v1` : "v1";
  return {
    schemaVersion: 1,
    clusterId: "c1",
    kind: { group, version: "v1", kind },
    op,
    namespace: "default",
    name,
    uid: `uid-${name}`,
    resourceVersion: String(rv),
    object: {
      apiVersion,
      kind,
      metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: String(rv) },
      ...body,
    },
  };
}
const gatewayClass: ChangeEvent = {
  schemaVersion: 1,
  clusterId: "c1",
  kind: { group: GROUP, version: "v1", kind: "GatewayClass" },
  op: "upsert",
  name: "alb",
  uid: "uid-alb",
  resourceVersion: "1",
  object: {
    apiVersion: `${GROUP}/v1`,
    kind: "GatewayClass",
    metadata: { name: "alb", uid: "uid-alb", resourceVersion: "1" },
    spec: { controllerName: "switchyard.dev/alb" },
  },
};
const gateway = (rv: number) =>
  objectEvent("Gateway", GROUP, "web", rv, {
    spec: { gatewayClassName: "alb", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  });
const route = objectEvent("HTTPRoute", GROUP, "r1", 3, {
  spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
});
const service = (rv: number, port = 80) =>
  objectEvent("Service", "", "svc", rv, { spec: { ports: [{ port, targetPort: 9000 }] } });
const slice = (rv: number, ip: string) =>
  objectEvent("EndpointSlice", "discovery.k8s.io", "svc-x", rv, {
    addressType: "IPv4",
    ports: [{ port: 9000 }],
    endpoints: [{ addresses: [ip] }],
  });
function withSliceLabel(event: ChangeEvent): ChangeEvent {
  if (!("object" in event)) return event;
  const metadata = event.object.metadata as Record<string, unknown>;
  return {
    ...event,
    object: { ...event.object, metadata: { ...metadata, labels: { "kubernetes.io/service-name": "svc" } } },
  };
}

interface Fixture {
  eventsUrl: string;
  reconcileUrl: string;
  dlqUrl: string;
  table: string;
  handler: ReturnType<typeof createIngestHandler>;
  principal: { value: string | undefined };
}
let fx: Fixture;

async function fifo(prefix: string): Promise<string> {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: `${uniqueName(prefix)}.fifo`, Attributes: { FifoQueue: "true" } }),
  );
  return String(created.QueueUrl);
}

async function drain(queueUrl: string): Promise<Message[]> {
  const received: Message[] = [];
  for (let round = 0; round < 50; round++) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = batch.Messages ?? [];
    if (messages.length === 0) return received;
    received.push(...messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  throw new Error("queue never emptied");
}

/** Sends the events, receives them back from SQS and runs the handler on them as one batch. */
async function deliver(
  events: (ChangeEvent | string)[],
): Promise<{ batchItemFailures: { itemIdentifier: string }[]; messages: Message[] }> {
  for (const [i, event] of events.entries()) {
    const body = typeof event === "string" ? event : encodeEvent(event);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: fx.eventsUrl,
        MessageBody: body,
        MessageGroupId: typeof event === "string" ? "raw" : messageGroupId(event),
        MessageDeduplicationId: typeof event === "string" ? `raw-${i}-${Date.now()}` : messageDeduplicationId(event),
      }),
    );
  }
  const messages = await drain(fx.eventsUrl);
  // The real principal is whoever moto says sent them, unless a test registers another.
  fx.principal.value ??= messages[0]?.Attributes?.SenderId;
  return { batchItemFailures: await handle(messages), messages };
}

/** Runs `handler` on received messages as one batch: again, with a higher count, for a redelivery. */
async function handle(
  messages: Message[],
  receiveCount = 1,
  handler: ReturnType<typeof createIngestHandler> = fx.handler,
): Promise<{ itemIdentifier: string }[]> {
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: String(m.MessageId),
      receiptHandle: String(m.ReceiptHandle),
      body: String(m.Body),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: "0",
        SenderId: String(m.Attributes?.SenderId),
        ApproximateFirstReceiveTimestamp: "0",
        MessageGroupId: m.Attributes?.MessageGroupId,
        MessageDeduplicationId: m.Attributes?.MessageDeduplicationId,
      },
      messageAttributes: {},
      md5OfBody: String(m.MD5OfBody),
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:events.fifo",
      awsRegion: "us-east-1",
    })),
  };
  const context = {
    functionName: "ingest",
    awsRequestId: "test",
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
  const result = await handler(event, context);
  return result?.batchItemFailures ?? [];
}

async function reconcileRequests() {
  return (await drain(fx.reconcileUrl)).map((m) => {
    const decoded = decodeReconcileRequest(String(m.Body));
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.request;
  });
}

beforeEach(async () => {
  const table = uniqueName("switchyard");
  await createTable(dynamodb, table);
  const principal: { value: string | undefined } = { value: undefined };
  const [eventsUrl, reconcileUrl, dlqUrl] = await Promise.all([fifo("events"), fifo("reconcile"), fifo("events-dlq")]);
  fx = {
    eventsUrl,
    reconcileUrl,
    dlqUrl,
    table,
    principal,
    handler: createIngestHandler({
      dynamodb,
      sqs,
      s3,
      tableName: table,
      reconcileQueueUrl: reconcileUrl,
      deadLetterQueueUrl: dlqUrl,
      senders: { principalOf: async (cluster) => (cluster === "c1" ? principal.value : undefined) },
    }),
  };
});

const mirror = () => new DynamoDbObjectMirror(dynamodb, fx.table);

/** What a reconcile of `gatewayKey` does to its dirty record when nothing moved while it ran. */
async function reconciled(gatewayKey: string) {
  const dirty = new DynamoDbDirtyGenerations(dynamodb, fx.table);
  const key = parseClusterGatewayKey(gatewayKey);
  const { generation } = await dirty.read(key);
  const now = Date.now();
  expect(
    await dirty.finish(key, { startedGeneration: generation, startedAt: now, notBefore: now, intervalMs: 0, now }),
  ).toEqual({
    moved: false,
  });
}

describe("ingest on DynamoDB Local and moto SQS", () => {
  test("a Gateway, HTTPRoute, Service and EndpointSlice land in the mirror and the Gateway is asked to reconcile", async () => {
    const { batchItemFailures } = await deliver([
      gatewayClass,
      gateway(2),
      route,
      service(4),
      withSliceLabel(slice(5, "10.0.0.1")),
    ]);
    expect(batchItemFailures).toEqual([]);
    const kinds = (await mirror().loadCluster("c1")).map((o) => o.kind).sort();
    expect(kinds).toEqual(["EndpointSlice", "Gateway", "GatewayClass", "HTTPRoute", "Service"]);
    expect((await reconcileRequests()).map((r) => r.gatewayKey)).toEqual(["c1/default/web"]);
  });

  test("a replayed older event changes nothing; a stale upsert after a delete does not resurrect", async () => {
    await deliver([service(5, 80)]);
    await deliver([service(4, 9999)]);
    expect(
      (await mirror().get({ cluster: "c1", kind: "Service", namespace: "default", name: "svc" }))?.resourceVersion,
    ).toBe(5n);
    await deliver([{ ...service(6), op: "delete" } as ChangeEvent]);
    await deliver([service(5, 80)]);
    expect(await mirror().get({ cluster: "c1", kind: "Service", namespace: "default", name: "svc" })).toBeUndefined();
  });

  test("a snapshot tombstones the object it no longer lists", async () => {
    await deliver([service(5)]);
    await deliver([
      {
        schemaVersion: 1,
        clusterId: "c1",
        kind: { group: "", version: "v1", kind: "Service" },
        op: "snapshot",
        snapshotId: "s1",
        resourceVersion: "10",
        items: [],
      },
    ]);
    expect(await mirror().listKind("c1", "Service")).toEqual([]);
  });

  test("an EndpointSlice change enqueues exactly one reconcile, for the Gateway whose route uses the Service", async () => {
    await deliver([gatewayClass, gateway(2), route, service(4)]);
    await reconcileRequests();
    await reconciled("c1/default/web");
    await deliver([withSliceLabel(slice(7, "10.0.0.2"))]);
    expect((await reconcileRequests()).map((r) => r.gatewayKey)).toEqual(["c1/default/web"]);
  });

  test("a Node is mirrored and its change reconciles the Gateway with instance targets, not one with IP targets", async () => {
    const node = (rv: number, ready: boolean): ChangeEvent => ({
      schemaVersion: 1,
      clusterId: "c1",
      kind: { group: "", version: "v1", kind: "Node" },
      op: "upsert",
      name: "n1",
      uid: "uid-n1",
      resourceVersion: String(rv),
      object: {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: "n1", uid: "uid-n1", resourceVersion: String(rv), labels: { pool: "web" } },
        spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0" },
        status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }], addresses: [] },
      },
    });
    const instanceTargets = objectEvent("TargetGroupConfiguration", "gateway.k8s.aws", "svc", 6, {
      spec: { targetReference: { name: "svc" }, defaultConfiguration: { targetType: "instance" } },
    });
    const other = objectEvent("Gateway", GROUP, "ip-only", 7, {
      spec: { gatewayClassName: "alb", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    });
    await deliver([gatewayClass, gateway(2), route, service(4), other, node(8, true)]);
    expect(await mirror().get({ cluster: "c1", kind: "Node", name: "n1" })).toMatchObject({ resourceVersion: 8n });
    await reconcileRequests();
    await reconciled("c1/default/web");
    await reconciled("c1/default/ip-only");
    // Without a configuration asking for instance targets, a node matters to no Gateway.
    await deliver([node(9, false)]);
    expect(await reconcileRequests()).toEqual([]);
    await deliver([instanceTargets]);
    await reconcileRequests();
    await reconciled("c1/default/web");
    await deliver([node(10, true)]);
    expect((await reconcileRequests()).map((r) => r.gatewayKey)).toEqual(["c1/default/web"]);
  });

  test("while a reconcile request is pending, further batches send none; once it finished, the next sends one", async () => {
    await deliver([gatewayClass, gateway(2), route, service(4)]);
    expect((await reconcileRequests()).map((r) => r.generation)).toEqual([1]);
    await deliver([withSliceLabel(slice(7, "10.0.0.2"))]);
    await deliver([withSliceLabel(slice(8, "10.0.0.3"))]);
    expect(await reconcileRequests()).toEqual([]);
    await reconciled("c1/default/web");
    await deliver([withSliceLabel(slice(9, "10.0.0.4"))]);
    expect((await reconcileRequests()).map((r) => [r.gatewayKey, r.generation])).toEqual([["c1/default/web", 4]]);
  });

  test("a redelivered event resends the request its earlier attempt marked pending but neither sent nor cleared", async () => {
    await deliver([gatewayClass, gateway(2), route, service(4)]);
    await reconciled("c1/default/web");
    expect((await reconcileRequests()).map((r) => r.generation)).toEqual([1]);
    // The first attempt: DynamoDB took the marker, then the send failed and so did its clearing.
    const broken = new DynamoDBClient(dynamoDbSettings());
    broken.middlewareStack.add(
      (next: InitializeHandler<object, MetadataBearer>) => async (args: InitializeHandlerArguments<object>) => {
        const { UpdateExpression } = args.input as { UpdateExpression?: string };
        if (UpdateExpression?.startsWith("REMOVE #pending")) throw new Error("ThrottlingException");
        return next(args);
      },
      { step: "initialize" },
    );
    const failing = createIngestHandler({
      dynamodb: broken,
      sqs,
      s3,
      tableName: fx.table,
      reconcileQueueUrl: `${fx.reconcileUrl}-gone`,
      deadLetterQueueUrl: fx.dlqUrl,
      senders: { principalOf: async () => fx.principal.value },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: fx.eventsUrl,
        MessageBody: encodeEvent(withSliceLabel(slice(7, "10.0.0.2"))),
        MessageGroupId: "g",
        MessageDeduplicationId: "slice-7",
      }),
    );
    const messages = await drain(fx.eventsUrl);
    expect(await handle(messages, 1, failing)).toHaveLength(1);
    const dirty = new DynamoDbDirtyGenerations(dynamodb, fx.table);
    expect((await dirty.read(parseClusterGatewayKey("c1/default/web"))).pendingSince).toBeDefined();
    // Another record's change meanwhile is covered by that marker: it sends nothing.
    await deliver([withSliceLabel(slice(8, "10.0.0.3"))]);
    expect(await reconcileRequests()).toEqual([]);
    // The redelivery of the record that owns the marker sends the request that never went out.
    expect(await handle(messages, 2)).toEqual([]);
    expect((await reconcileRequests()).map((r) => [r.gatewayKey, r.generation])).toEqual([["c1/default/web", 4]]);
  });

  test("a redelivered event whose request already went out sends none (no no-op reconcile)", async () => {
    await deliver([gatewayClass, gateway(2), route, service(4)]);
    await reconciled("c1/default/web");
    await reconcileRequests();
    const { messages } = await deliver([withSliceLabel(slice(7, "10.0.0.2"))]);
    expect((await reconcileRequests()).map((r) => r.generation)).toEqual([2]);
    // The same records again (the function timed out after sending, say): the marker they own was
    // sent, so no second request.
    expect(await handle(messages, 2)).toEqual([]);
    expect(await reconcileRequests()).toEqual([]);
    expect(
      (await new DynamoDbDirtyGenerations(dynamodb, fx.table).read(parseClusterGatewayKey("c1/default/web")))
        .generation,
    ).toBe(3);
  });

  test("a burst of 50 events for one Gateway in one batch sends one ReconcileRequest", async () => {
    await deliver([gatewayClass]);
    await reconcileRequests();
    // Lambda batches from a FIFO queue hold at most 10 messages; the core coalesces whatever it gets.
    const burst = Array.from({ length: 50 }, (_, i) => gateway(10 + i));
    await deliver(burst);
    const requests = await reconcileRequests();
    expect(requests.map((r) => r.gatewayKey)).toEqual(["c1/default/web"]);
  });

  test("a spoofed sender and a malformed body go to the DLQ with a reason; the mirror is unchanged", async () => {
    fx.principal.value = "AROAREGISTEREDROLE";
    const { batchItemFailures } = await deliver([gateway(2), "{not json"]);
    expect(batchItemFailures).toEqual([]);
    const dead = await drain(fx.dlqUrl);
    expect(dead.map((m) => m.MessageAttributes?.reason?.StringValue).sort()).toEqual(["malformed", "sender-mismatch"]);
    expect(await mirror().loadCluster("c1")).toEqual([]);
  });
});
