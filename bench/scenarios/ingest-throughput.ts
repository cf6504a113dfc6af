/**
 * ingest-throughput: a forwarder's initial sync of N objects (a GatewayClass, 10 Gateways, and
 * Services, EndpointSlices and HTTPRoutes in the ratio 1 : 1 : 2) through the ingest handler of
 * the local pipeline (`createIngestHandler`, as `startPipeline` builds it), writing the objects
 * mirror in DynamoDB Local and sending its reconcile requests to moto's reconcile.fifo.
 *
 * The messages are what the forwarder sends after listing each kind — one upsert per object, then
 * one snapshot per kind, claim-checked to S3 when over 240 KiB — built with the forwarder's own
 * code (forwarder/messages.ts), and handed to the handler ten at a time as the SQS event Lambda
 * builds (functions/local/lambda-sqs-event.ts), one batch after another as one Lambda instance
 * would take them. They do not travel through moto's events.fifo: a 100-message sample, measured
 * first and reported, shows what moto takes per message to accept and to deliver them, which would
 * make this a benchmark of moto. Nothing consumes reconcile.fifo: the reconciles ingest asks for
 * are counted, not run. DynamoDB and SQS calls are counted by the recorder
 * (bench/lib/api-recorder.ts); the sample's calls are not.
 */
import { createHash, randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { ensureQueues } from "../../cli/dev/queues.ts";
import {
  type ClaimCheckUpload,
  objectEvent,
  type PreparedMessage,
  prepareMessage,
  snapshotEvent,
} from "../../forwarder/messages.ts";
import { createIngestHandler } from "../../functions/ingest/create-handler.ts";
import { lambdaSqsRecord } from "../../functions/local/lambda-sqs-event.ts";
import type { GroupVersionKind, KubeObjectJson, SnapshotItem } from "../../shared/events/event.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { registrySenders } from "../../shared/registry/senders.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, TEST_REGION } from "../../test/env/clients.ts";
import { startEnvironment } from "../../test/env/components.ts";
import { ENV } from "../../test/env/variables.ts";
import { type ApiCall, installApiRecorder, isDynamoDbRead, isDynamoDbWrite } from "../lib/api-recorder.ts";
import type { Report, Row } from "../lib/report.ts";
import { coveredWithin } from "../lib/statistics.ts";
import { syntheticFleet } from "./synthetic.ts";

const CLUSTER = "bench-ingest";
const GATEWAYS = 10;
const VISIBILITY_SECONDS = 30;
const SEGMENTS = 5;
const MOTO_SAMPLE = 100;

/**
 * Sends `sample` to the FIFO queue ten at a time, then receives and deletes them ten at a time, as
 * the forwarder and the queue runner would: what moto takes per message.
 */
async function motoFifoSample(
  sqs: SQSClient,
  queueUrl: string,
  sample: readonly SyncMessage[],
): Promise<{ sendMs: number; receiveMs: number }> {
  const start = performance.now();
  for (let i = 0; i < sample.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: sample.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          MessageBody: m.body,
          MessageGroupId: m.groupId,
          MessageDeduplicationId: m.dedupId,
        })),
      }),
    );
  }
  const sent = performance.now();
  let received = 0;
  while (received < sample.length) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) continue;
    received += Messages.length;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return { sendMs: sent - start, receiveMs: performance.now() - sent };
}

const GVK: Record<string, GroupVersionKind> = {
  GatewayClass: { group: "gateway.networking.k8s.io", version: "v1", kind: "GatewayClass" },
  Gateway: { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway" },
  Service: { group: "", version: "v1", kind: "Service" },
  EndpointSlice: { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" },
  HTTPRoute: { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute" },
};

/** The forwarder's messages for an initial sync of `objects`: upserts kind by kind, each kind's snapshot after them. */
export interface SyncMessage {
  body: string;
  groupId: string;
  dedupId: string;
  /** A claim-checked event (a large snapshot): stored in S3 before its pointer is sent. */
  upload?: ClaimCheckUpload;
}

export function initialSyncBodies(objects: readonly KubeObject[], bucket: string): SyncMessage[] {
  let resourceVersion = 1000;
  const out: SyncMessage[] = [];
  const add = (prepared: PreparedMessage) =>
    out.push({
      body: prepared.message.body,
      groupId: prepared.message.groupId,
      dedupId: prepared.message.deduplicationId,
      ...(prepared.kind === "claimCheck" ? { upload: prepared.upload } : {}),
    });
  for (const [kind, gvk] of Object.entries(GVK)) {
    const items: SnapshotItem[] = [];
    for (const object of objects.filter((o) => o.kind === kind)) {
      const { name, namespace } = object.metadata;
      const identity = {
        ...(namespace === undefined ? {} : { namespace }),
        name,
        uid: randomUUID(),
        resourceVersion: String(++resourceVersion),
      };
      const json = {
        ...object,
        metadata: { ...object.metadata, uid: identity.uid, resourceVersion: identity.resourceVersion },
      } as unknown as KubeObjectJson;
      items.push(identity);
      add(prepareMessage(objectEvent(CLUSTER, gvk, "upsert", identity, json), bucket));
    }
    add(prepareMessage(snapshotEvent(CLUSTER, gvk, randomUUID(), String(++resourceVersion), items, undefined), bucket));
  }
  return out;
}

/** What Lambda passes as the context; the handler's middleware reads its names and remaining time. */
function lambdaContext(): Context {
  const unsupported = () => {
    throw new Error("not supported");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "switchyard-ingest",
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:function:switchyard-ingest`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: "/aws/lambda/switchyard-ingest",
    logStreamName: "bench",
    getRemainingTimeInMillis: () => 30_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export async function runIngestThroughput(objects: number): Promise<Report> {
  // Local runs have no CloudWatch to read EMF from (and stdout is not the place for it).
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  const perNamespace = Math.round(objects / GATEWAYS);
  const fleet = syntheticFleet({
    gateways: GATEWAYS,
    routesPerGateway: perNamespace / 2,
    rulesPerRoute: 2,
    servicesPerNamespace: perNamespace / 4,
  });
  const counted = fleet.filter((o) => ["Service", "EndpointSlice", "HTTPRoute"].includes(o.kind)).length;
  const bucket = `bench-claim-checks-${randomUUID().slice(0, 8)}`;
  const messages = initialSyncBodies(fleet, bucket);

  const env = await startEnvironment(["moto", "dynamodb"]);
  const motoEndpoint = env.variables[ENV.motoEndpoint] ?? "";
  const dynamoEndpoint = env.variables[ENV.dynamoDbEndpoint] ?? "";
  const recorder = installApiRecorder({ moto: motoEndpoint, dynamodb: dynamoEndpoint });
  const base = { region: TEST_REGION, credentials: DUMMY_CREDENTIALS };
  const sqs = new SQSClient({ ...base, endpoint: motoEndpoint });
  const s3 = new S3Client({ ...base, endpoint: motoEndpoint, forcePathStyle: true });
  const dynamodb = new DynamoDBClient({ ...base, endpoint: dynamoEndpoint });
  try {
    const tableName = `switchyard-${randomUUID().slice(0, 8)}`;
    await createTable(dynamodb, tableName);
    const queues = await ensureQueues(sqs, {
      prefix: `bench-${randomUUID().slice(0, 8)}`,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    });
    // What the forwarder's claim-check store does for an event over 240 KiB (the larger snapshots).
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const { upload } of messages) {
      if (upload === undefined) continue;
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: upload.key, Body: upload.body, ContentType: "application/json" }),
      );
    }
    const senderId = "AIDABENCHFORWARDER00";
    const registry = new DynamoDbClusterRegistry(dynamodb, tableName, MOTO_DEFAULT_ACCOUNT_ID);
    await registry.put(
      {
        clusterId: CLUSTER,
        account: MOTO_DEFAULT_ACCOUNT_ID,
        region: TEST_REGION,
        vpcId: "vpc-0123456789abcdef0",
        eks: { clusterName: "bench" },
        senderPrincipal: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:user/bench`,
        senderId,
        statusMode: "direct",
      },
      "create",
    );
    const moto = await motoFifoSample(sqs, queues.events, messages.slice(0, MOTO_SAMPLE));
    const ingest = createIngestHandler({
      dynamodb,
      sqs,
      s3,
      tableName,
      reconcileQueueUrl: queues.reconcile,
      deadLetterQueueUrl: queues.eventsDeadLetter,
      senders: registrySenders(registry),
    });
    const queue = {
      arn: `arn:aws:sqs:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:bench-events.fifo`,
      region: TEST_REGION,
    };
    const records = messages.map((m, i) =>
      lambdaSqsRecord(
        {
          MessageId: randomUUID(),
          ReceiptHandle: `receipt-${i}`,
          Body: m.body,
          MD5OfBody: createHash("md5").update(m.body).digest("hex"),
          Attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: String(Date.now()),
            SenderId: senderId,
            ApproximateFirstReceiveTimestamp: String(Date.now()),
            MessageGroupId: m.groupId,
            MessageDeduplicationId: m.dedupId,
            SequenceNumber: String(i + 1),
          },
        },
        queue,
      ),
    );
    recorder.clear();
    const batches: { start: number; end: number; records: number; failed: number }[] = [];
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += 10) {
      const event: SQSEvent = { Records: records.slice(i, i + 10) };
      const start = performance.now();
      const response = (await ingest(event, lambdaContext())) as SQSBatchResponse | undefined;
      const failed = response?.batchItemFailures.length ?? 0;
      if (failed > 0) throw new Error(`ingest failed ${failed} records of batch ${i / 10 + 1}`);
      batches.push({ start, end: performance.now(), records: event.Records.length, failed });
      if ((i / 10 + 1) % 100 === 0) process.stderr.write(`ingest-throughput: ${i + 10}/${records.length} messages\n`);
    }
    const t1 = performance.now();
    return summarise({
      objects: counted,
      messages: messages.length,
      fleetObjects: fleet.length,
      seconds: (t1 - t0) / 1000,
      batches,
      calls: recorder.calls.filter((c) => c.start >= t0 && c.start <= t1),
      window: { start: t0, end: t1 },
      reconcileQueue: queues.reconcile,
      moto,
    });
  } finally {
    for (const client of [sqs, s3, dynamodb]) client.destroy();
    recorder.uninstall();
    await env.stop();
  }
}

interface Measured {
  objects: number;
  messages: number;
  fleetObjects: number;
  seconds: number;
  batches: { start: number; end: number; records: number; failed: number }[];
  calls: ApiCall[];
  window: { start: number; end: number };
  reconcileQueue: string;
  moto: { sendMs: number; receiveMs: number };
}

function summarise(m: Measured): Report {
  const per = (n: number) => Math.round((n / m.messages) * 100) / 100;
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const dynamo = m.calls.filter((c) => c.service === "dynamodb");
  const writes = dynamo.filter(isDynamoDbWrite);
  const reads = dynamo.filter(isDynamoDbRead);
  const byOp = (calls: ApiCall[]) => {
    const tally = new Map<string, number>();
    for (const c of calls) tally.set(c.operation, (tally.get(c.operation) ?? 0) + 1);
    return [...tally]
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${op}×${n}`)
      .join(" ");
  };
  const itemsWritten = writes.reduce((n, c) => n + (c.items ?? 0), 0);
  const itemsRead = reads.reduce((n, c) => n + (c.itemsRead ?? 0), 0);
  const sqsCalls = m.calls.filter((c) => c.service === "sqs");
  const requests = sqsCalls
    .filter((c) => c.queueUrl === m.reconcileQueue && /^SendMessage/.test(c.operation))
    .reduce((n, c) => n + (c.items ?? 1), 0);
  const dynamoSeconds = coveredWithin(dynamo, m.window) / 1000;
  const sqsSeconds =
    coveredWithin(
      sqsCalls.filter((c) => c.operation !== "ReceiveMessage"),
      m.window,
    ) / 1000;
  const summary: Row[] = [
    {
      measure: "objects (Services, EndpointSlices, HTTPRoutes)",
      value: m.objects,
      detail: `plus ${m.fleetObjects - m.objects} GatewayClass and Gateways; ${m.messages} messages with the 5 snapshots`,
    },
    { measure: "ingest batches (10 messages each)", value: m.batches.length, detail: "none failed" },
    { measure: "seconds, first batch to last", value: r1(m.seconds), detail: "" },
    { measure: "messages per second", value: r1(m.messages / m.seconds), detail: "" },
    {
      measure: "DynamoDB writes per message",
      value: per(writes.length),
      detail: `${byOp(writes)}; items written ${itemsWritten} (${per(itemsWritten)} per message)`,
    },
    {
      measure: "DynamoDB reads per message",
      value: per(reads.length),
      detail: `${byOp(reads)}; items read ${itemsRead} (${per(itemsRead)} per message)`,
    },
    {
      measure: "reconcile requests sent",
      value: requests,
      detail: `${r1(requests / m.batches.length)} per batch (${GATEWAYS} Gateways)`,
    },
    { measure: "SQS calls per message", value: per(sqsCalls.length), detail: byOp(sqsCalls) },
    {
      measure: "seconds DynamoDB Local was answering (union)",
      value: r1(dynamoSeconds),
      detail: `${Math.round((dynamoSeconds / m.seconds) * 100)}% of the run`,
    },
    {
      measure: "seconds moto SQS was answering (reconcile.fifo sends)",
      value: r1(sqsSeconds),
      detail: `${Math.round((sqsSeconds / m.seconds) * 100)}% of the run`,
    },
    {
      measure: "messages per second, emulator time taken out",
      value: r1(m.messages / (m.seconds - coveredWithin([...dynamo, ...sqsCalls], m.window) / 1000)),
      detail: "ingest's own time only: what a faster DynamoDB and SQS would approach",
    },
  ];
  // The cost of a batch as the mirror fills: each batch reads the whole cluster to find the Gateways it affects.
  const segments: Row[] = [];
  const size = Math.ceil(m.batches.length / SEGMENTS);
  for (let s = 0; s < SEGMENTS; s++) {
    const part = m.batches.slice(s * size, (s + 1) * size);
    if (part.length === 0) continue;
    const from = part[0]?.start ?? 0;
    const to = part.at(-1)?.end ?? 0;
    const inPart = dynamo.filter((c) => c.start >= from && c.start <= to);
    const records = part.reduce((n, b) => n + b.records, 0);
    segments.push({
      batches: `${s * size + 1}–${s * size + part.length}`,
      "messages/s": r1(records / ((to - from) / 1000)),
      "ms per batch (median)": Math.round(
        part.map((b) => b.end - b.start).sort((a, b) => a - b)[Math.floor(part.length / 2)] ?? 0,
      ),
      "DynamoDB reads per message": per(inPart.filter(isDynamoDbRead).length * (m.messages / records)),
      "items read per message": per(inPart.reduce((n, c) => n + (c.itemsRead ?? 0), 0) * (m.messages / records)),
    });
  }
  return {
    tables: [
      { title: `ingest-throughput: initial sync of ${m.objects} objects through ingest`, rows: summary },
      { title: "ingest-throughput: by fifth of the run (the mirror fills as it goes)", rows: segments },
      {
        title: `ingest-throughput: moto's events.fifo, a ${MOTO_SAMPLE}-message sample (why the run bypasses it)`,
        rows: [
          {
            step: "SendMessageBatch (10 per call), ms per message",
            value: r1(m.moto.sendMs / MOTO_SAMPLE),
            [`all ${m.messages} messages, s`]: r1((m.moto.sendMs / MOTO_SAMPLE) * (m.messages / 1000)),
          },
          {
            step: "ReceiveMessage (10) + DeleteMessageBatch, ms per message",
            value: r1(m.moto.receiveMs / MOTO_SAMPLE),
            [`all ${m.messages} messages, s`]: r1((m.moto.receiveMs / MOTO_SAMPLE) * (m.messages / 1000)),
          },
        ],
      },
    ],
    settings: { batchSize: 10, gateways: GATEWAYS, delivery: "direct invocation, one batch at a time" },
  };
}
