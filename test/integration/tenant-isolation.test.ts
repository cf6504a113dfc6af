// Tenant isolation through the real ingest and reconcile handlers: events travel through moto SQS
// (events.fifo), ingest writes the objects mirror on DynamoDB Local and asks for reconciles on
// reconcile.fifo, and the reconcile handler builds load balancers in moto from the mirror. Two
// clusters are registered in one account, Region and VPC, with the same namespaces and names.
//
// moto reports one SenderId (AIDAIT2UOQQY3AUEKVGXU) for every message, whoever sent it (QUIRKS.md
// TI1); SQS reports the sending principal's unique id. The records handed to ingest carry the
// SenderId SQS would report for the forwarder that sent them; everything else is as received.
// SWITCHYARD_COMPONENTS=moto,dynamodb
import { createHash } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIngestHandler } from "../../functions/ingest/create-handler.ts";
import { createReconcileHandler } from "../../functions/reconcile/create-handler.ts";
import { elbPortsThrough } from "../../functions/reconcile/environment.ts";
import { sqsReconcileRequeue, sqsStatusIntentSink } from "../../functions/reconcile/sqs.ts";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { TAG, tagValue } from "../../shared/elb/naming.ts";
import { type ChangeEvent, encodeEvent, messageDeduplicationId, messageGroupId } from "../../shared/events/index.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { MirrorSnapshotSource } from "../../shared/mirror/snapshot-source.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { RecordingMetrics } from "../../shared/pipeline/metrics.ts";
import { decodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { decodeStatusIntentMessage, type StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { registrySenders } from "../../shared/registry/senders.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { type KeyPair, pemBodies, selfSigned } from "../unit/forwarder/tls-fixtures.ts";

const GROUP = "gateway.networking.k8s.io";
/** The SenderIds SQS would report for each cluster's forwarder role (any session), and a stranger's. */
const FORWARDER_A = "AROATENANTAFORWARDER1";
const FORWARDER_B = "AROATENANTBFORWARDER2";
const STRANGER = "AROASTRANGERNOCLUSTER";

let dynamo: DynamoDBClient;
let sqs: SQSClient;
let s3: S3Client;
let elbv2: ElasticLoadBalancingV2Client;
let factory: AwsClientFactory;

interface Fixture {
  table: string;
  clusterA: string;
  clusterB: string;
  queues: { events: string; reconcile: string; deadLetters: string; statuses: string };
  ingest: ReturnType<typeof createIngestHandler>;
  reconcile: ReturnType<typeof createReconcileHandler>;
  /** Every EMF record and log line the handlers wrote. */
  output: string[];
  reconcileMetrics: RecordingMetrics;
  resourceVersion: number;
}
let fx: Fixture;

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  sqs = new SQSClient(motoSettings());
  s3 = new S3Client({ ...motoSettings(), forcePathStyle: true });
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
});

afterAll(() => {
  for (const client of [dynamo, sqs, s3, elbv2, factory]) client?.destroy();
});

async function queue(prefix: string, fifo: boolean): Promise<string> {
  const name = `${uniqueName(prefix)}${fifo ? ".fifo" : ""}`;
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: "true" } : {} }),
  );
  return String(created.QueueUrl);
}

/**
 * Everything the handlers write to stdout and stderr — Powertools log lines and EMF metric records,
 * as the Lambda runtime would capture them — goes to `output` instead of the terminal.
 */
function captureOutput(output: string[]): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      output.push(
        ...String(chunk)
          .split("\n")
          .filter((line) => line !== ""),
      );
      return true;
    }) as typeof stream.write;
  }
  return () => {
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original) stream.write = original;
    });
  };
}

let restoreOutput: (() => void) | undefined;
afterEach(() => {
  restoreOutput?.();
  restoreOutput = undefined;
});

beforeEach(async () => {
  await resetMoto();
  factory?.destroy();
  factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    account: MOTO_DEFAULT_ACCOUNT_ID,
  });
  const ec2 = new EC2Client(motoSettings());
  const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
    .Vpcs?.[0]?.VpcId;
  ec2.destroy();
  if (!vpcId) throw new Error("moto has no default VPC");
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const registry = new DynamoDbClusterRegistry(dynamo, table, MOTO_DEFAULT_ACCOUNT_ID);
  const clusterA = uniqueName("tenant-a");
  const clusterB = uniqueName("tenant-b");
  for (const [clusterId, senderId] of [
    [clusterA, FORWARDER_A],
    [clusterB, FORWARDER_B],
  ] as const) {
    await registry.put(
      {
        clusterId,
        account: MOTO_DEFAULT_ACCOUNT_ID,
        region: TEST_REGION,
        vpcId,
        eks: { clusterName: clusterId },
        senderPrincipal: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/${clusterId}-forwarder`,
        senderId,
        statusMode: "direct",
      },
      "create",
    );
  }
  const [events, reconcile, deadLetters, statuses] = await Promise.all([
    queue("events", true),
    queue("reconcile", true),
    queue("events-dlq", true),
    queue("status", false),
  ]);
  const output: string[] = [];
  restoreOutput = captureOutput(output);
  const logger = new Logger({ serviceName: "ingest", logLevel: "DEBUG" });
  const metrics = new Metrics({ namespace: "switchyard", serviceName: "ingest" });
  const dirty = new DynamoDbDirtyGenerations(dynamo, table);
  const reconcileMetrics = new RecordingMetrics();
  const reconcileLogger = new Logger({ serviceName: "reconcile", logLevel: "DEBUG" });
  fx = {
    table,
    clusterA,
    clusterB,
    queues: { events, reconcile, deadLetters, statuses },
    output,
    reconcileMetrics,
    resourceVersion: 100,
    ingest: createIngestHandler({
      dynamodb: dynamo,
      sqs,
      s3,
      tableName: table,
      reconcileQueueUrl: reconcile,
      deadLetterQueueUrl: deadLetters,
      senders: registrySenders(registry, { ttlMs: 0 }),
      logger,
      metrics,
    }),
    reconcile: createReconcileHandler(
      {
        ...createDynamoDbStores(dynamo, table),
        registry,
        snapshots: new MirrorSnapshotSource(new DynamoDbObjectMirror(dynamo, table)),
        dirty,
        elbFor: elbPortsThrough(factory),
        requeue: sqsReconcileRequeue(sqs, reconcile),
        statuses: sqsStatusIntentSink(sqs, statuses),
        awsCalls: factory.counter,
      },
      { logger: reconcileLogger, sink: reconcileMetrics },
    ),
  };
});

// ---------- events as each cluster's forwarder sends them ----------

function nextVersion(): string {
  fx.resourceVersion += 1;
  return String(fx.resourceVersion);
}

function objectEvent(
  clusterId: string,
  kind: string,
  apiVersion: string,
  name: string,
  namespace: string | undefined,
  body: Record<string, unknown>,
  op: "upsert" | "delete" = "upsert",
): ChangeEvent {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const resourceVersion = nextVersion();
  // The uid is the same in both clusters on purpose: nothing may key on it across clusters.
  const uid = `uid-${kind}-${namespace ?? ""}-${name}`;
  return {
    schemaVersion: 1,
    clusterId,
    kind: { group, version, kind },
    op,
    ...(namespace ? { namespace } : {}),
    name,
    uid,
    resourceVersion,
    object: {
      apiVersion,
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}), uid, resourceVersion, generation: 1 },
      ...body,
    },
  };
}

/** The snapshots a forwarder sends after its first list, so the reconciler may trust the mirror. */
function syncedSnapshots(clusterId: string, gateways: { namespace: string; name: string }[]): ChangeEvent[] {
  const snapshot = (kind: string, items: { namespace?: string; name: string }[]): ChangeEvent => {
    const resourceVersion = nextVersion();
    return {
      schemaVersion: 1,
      clusterId,
      kind: { group: GROUP, version: "v1", kind },
      op: "snapshot",
      snapshotId: `${kind}-${resourceVersion}`,
      resourceVersion,
      items: items.map((item) => ({
        ...item,
        uid: `uid-${kind}-${item.namespace ?? ""}-${item.name}`,
        resourceVersion: "1",
      })),
    };
  };
  return [snapshot("GatewayClass", [{ name: "alb" }]), snapshot("Gateway", gateways)];
}

const gatewayClass = (clusterId: string) =>
  objectEvent(clusterId, "GatewayClass", `${GROUP}/v1`, "alb", undefined, {
    spec: { controllerName: "switchyard.dev/alb" },
  });
const gateway = (clusterId: string, allowedRoutes?: unknown, op: "upsert" | "delete" = "upsert") =>
  objectEvent(
    clusterId,
    "Gateway",
    `${GROUP}/v1`,
    "web",
    "apps",
    {
      spec: {
        gatewayClassName: "alb",
        listeners: [{ name: "http", port: 80, protocol: "HTTP", ...(allowedRoutes ? { allowedRoutes } : {}) }],
      },
    },
    op,
  );
const route = (clusterId: string, namespace: string, backend: { name: string; namespace?: string }) =>
  objectEvent(clusterId, "HTTPRoute", `${GROUP}/v1`, "shop", namespace, {
    spec: {
      parentRefs: [{ name: "web", namespace: "apps" }],
      rules: [{ backendRefs: [{ ...backend, port: 8080 }] }],
    },
  });
const service = (clusterId: string, namespace: string, name: string) =>
  objectEvent(clusterId, "Service", "v1", name, namespace, {
    spec: { ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
  });
const endpoints = (clusterId: string, namespace: string, service: string, ip: string) =>
  withOwnIdentity(
    objectEvent(clusterId, "EndpointSlice", "discovery.k8s.io/v1", `${service}-1`, namespace, {
      metadata: { name: `${service}-1`, namespace, labels: { "kubernetes.io/service-name": service } },
      addressType: "IPv4",
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    }),
  );
const namespaceObject = (clusterId: string, name: string, labels: Record<string, string>) =>
  withOwnIdentity(objectEvent(clusterId, "Namespace", "v1", name, undefined, { metadata: { name, labels } }));
const referenceGrant = (clusterId: string, op: "upsert" | "delete" = "upsert") =>
  objectEvent(
    clusterId,
    "ReferenceGrant",
    `${GROUP}/v1beta1`,
    "shop-may-use-shared",
    "shared",
    {
      spec: {
        from: [{ group: GROUP, kind: "HTTPRoute", namespace: "team" }],
        to: [{ group: "", kind: "Service" }],
      },
    },
    op,
  );

/** An event whose body replaced the metadata: the metadata gets the envelope's uid and resourceVersion back. */
function withOwnIdentity(event: ChangeEvent): ChangeEvent {
  if (!("object" in event)) return event;
  const metadata = event.object.metadata as Record<string, unknown>;
  return {
    ...event,
    object: { ...event.object, metadata: { ...metadata, uid: event.uid, resourceVersion: event.resourceVersion } },
  };
}

// ---------- the queues and the handlers ----------

async function drain(queueUrl: string): Promise<Message[]> {
  const received: Message[] = [];
  for (let round = 0; round < 100; round++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return received;
    received.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  throw new Error("queue never emptied");
}

let invocation = 0;
const context = (name: string) => ({ functionName: name, awsRequestId: `${name}-${++invocation}` }) as Context;

function lambdaEvent(messages: Message[], senderOf: (message: Message) => string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: String(m.MessageId),
      receiptHandle: String(m.ReceiptHandle),
      body: String(m.Body),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(m.Attributes?.SentTimestamp ?? "0"),
        SenderId: senderOf(m),
        ApproximateFirstReceiveTimestamp: "0",
        ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
        ...(m.Attributes?.MessageDeduplicationId
          ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId }
          : {}),
      },
      messageAttributes: {},
      md5OfBody: String(m.MD5OfBody),
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:events.fifo",
      awsRegion: TEST_REGION,
    })),
  };
}

/**
 * `sender` sends the events on events.fifo; ingest takes them as one batch (with the SenderId SQS
 * reports for `sender`); then every reconcile it asked for runs, until reconcile.fifo is empty.
 */
async function deliver(sender: string, events: ChangeEvent[]): Promise<void> {
  for (const event of events) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: fx.queues.events,
        MessageBody: encodeEvent(event),
        MessageGroupId: messageGroupId(event),
        MessageDeduplicationId: messageDeduplicationId(event),
      }),
    );
  }
  const received = await drain(fx.queues.events);
  expect(received).toHaveLength(events.length);
  const ingested = await fx.ingest(
    lambdaEvent(received, () => sender),
    context("ingest"),
  );
  expect(ingested?.batchItemFailures ?? []).toEqual([]);
  for (let round = 0; round < 10; round++) {
    const requests = await drain(fx.queues.reconcile);
    if (requests.length === 0) return;
    for (const request of requests) {
      const decoded = decodeReconcileRequest(String(request.Body));
      if (!decoded.ok) throw new Error(decoded.reason);
      const result = await fx.reconcile(
        lambdaEvent([request], () => "AROARECONCILEQUEUE01"),
        context("reconcile"),
      );
      expect(result?.batchItemFailures ?? []).toEqual([]);
    }
  }
  throw new Error("reconciles kept asking for more");
}

async function deadLetters(): Promise<{ reason: string | undefined; body: string }[]> {
  return (await drain(fx.queues.deadLetters)).map((m) => ({
    reason: m.MessageAttributes?.reason?.StringValue,
    body: String(m.Body),
  }));
}

async function statusIntents(): Promise<StatusIntent[]> {
  return (await drain(fx.queues.statuses)).flatMap((m) => {
    const decoded = decodeStatusIntentMessage(String(m.Body));
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.message.intents;
  });
}

/** Counted rejections, from the EMF records the ingest handler wrote. */
function rejectionsCounted(reason: string): number {
  return fx.output
    .filter((line) => line.includes('"EventsRejected"'))
    .map((line) => JSON.parse(line) as { reason?: string; EventsRejected?: number })
    .filter((record) => record.reason === reason)
    .reduce((sum, record) => sum + (record.EventsRejected ?? 0), 0);
}

// ---------- AWS as moto has it ----------

interface OwnedLoadBalancer {
  arn: string;
  cluster: string | undefined;
  gateway: string | undefined;
}

async function loadBalancers(): Promise<OwnedLoadBalancer[]> {
  const { LoadBalancers = [] } = await elbv2.send(new DescribeLoadBalancersCommand({}));
  if (LoadBalancers.length === 0) return [];
  const { TagDescriptions = [] } = await elbv2.send(
    new DescribeTagsCommand({ ResourceArns: LoadBalancers.map((lb) => String(lb.LoadBalancerArn)) }),
  );
  return TagDescriptions.map((d) => {
    const tag = (key: string) => d.Tags?.find((t) => t.Key === key)?.Value;
    return { arn: String(d.ResourceArn), cluster: tag(TAG.cluster), gateway: tag(TAG.gateway) };
  });
}

async function targetGroupsOf(cluster: string): Promise<{ name: string; arn: string }[]> {
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  if (TargetGroups.length === 0) return [];
  const { TagDescriptions = [] } = await elbv2.send(
    new DescribeTagsCommand({ ResourceArns: TargetGroups.map((tg) => String(tg.TargetGroupArn)) }),
  );
  return TagDescriptions.filter((d) => d.Tags?.some((t) => t.Key === TAG.cluster && t.Value === tagValue(cluster))).map(
    (d) => ({
      arn: String(d.ResourceArn),
      name: String(TargetGroups.find((tg) => tg.TargetGroupArn === d.ResourceArn)?.TargetGroupName),
    }),
  );
}

function condition(intents: StatusIntent[], kind: string, namespace: string, name: string, type: string) {
  const found = intents.filter(
    (i) => i.kind === kind && "namespace" in i && i.namespace === namespace && i.name === name,
  );
  const last = found.at(-1);
  if (!last) return undefined;
  const conditions =
    "parents" in last
      ? last.parents.flatMap((p) => p.conditions)
      : "conditions" in last
        ? (last.conditions as { type: string; status: string; reason: string }[])
        : [];
  return conditions.find((c) => c.type === type);
}

/** A cluster with the shared Gateway apps/web and a route to an in-namespace Service. */
function baseCluster(clusterId: string, ip: string): ChangeEvent[] {
  return [
    ...syncedSnapshots(clusterId, [{ namespace: "apps", name: "web" }]),
    gatewayClass(clusterId),
    gateway(clusterId),
    service(clusterId, "apps", "shop"),
    endpoints(clusterId, "apps", "shop", ip),
    route(clusterId, "apps", { name: "shop" }),
  ];
}

// ---------- the rules ----------

describe("tenant isolation through ingest and reconcile", () => {
  it("an unregistered sender and a spoofed cluster id are dead-lettered with their reason, counted, and change nothing", async () => {
    // A principal registered for no cluster, for a cluster that is not registered and for A;
    // then B's own forwarder claiming to be A.
    await deliver(STRANGER, [gateway("tenant-nobody"), gateway(fx.clusterA)]);
    await deliver(FORWARDER_B, [gateway(fx.clusterA), ...syncedSnapshots(fx.clusterA, [])]);
    expect((await deadLetters()).map((d) => d.reason)).toEqual([
      "unregistered-cluster",
      "sender-mismatch",
      "sender-mismatch",
      "sender-mismatch",
      "sender-mismatch",
    ]);
    expect(rejectionsCounted("unregistered-cluster")).toBe(1);
    expect(rejectionsCounted("sender-mismatch")).toBe(4);
    const mirror = new DynamoDbObjectMirror(dynamo, fx.table);
    expect(await mirror.loadCluster(fx.clusterA)).toEqual([]);
    expect(await mirror.loadCluster("tenant-nobody")).toEqual([]);
    expect(await loadBalancers()).toEqual([]);
  });

  it("two clusters with the same Gateway apps/web each get and keep their own load balancer; deleting A's leaves B's", async () => {
    await deliver(FORWARDER_A, baseCluster(fx.clusterA, "10.0.1.10"));
    await deliver(FORWARDER_B, baseCluster(fx.clusterB, "10.0.2.20"));
    const both = await loadBalancers();
    expect(both.map((lb) => lb.cluster).sort()).toEqual([tagValue(fx.clusterA), tagValue(fx.clusterB)].sort());
    expect(new Set(both.map((lb) => lb.arn)).size).toBe(2);
    expect(both.every((lb) => lb.gateway === tagValue("apps/web"))).toBe(true);
    const groupsA = await targetGroupsOf(fx.clusterA);
    const groupsB = await targetGroupsOf(fx.clusterB);
    expect(groupsA).toHaveLength(1);
    expect(groupsB).toHaveLength(1);
    expect(groupsA[0]?.arn).not.toBe(groupsB[0]?.arn);

    // B's forwarder cannot delete A's Gateway, even naming it exactly.
    await deliver(FORWARDER_B, [{ ...gateway(fx.clusterA, undefined, "delete") }]);
    expect((await deadLetters()).map((d) => d.reason)).toEqual(["sender-mismatch"]);
    expect((await loadBalancers()).map((lb) => lb.cluster).sort()).toEqual(
      [tagValue(fx.clusterA), tagValue(fx.clusterB)].sort(),
    );

    // A deletes its own Gateway: A's load balancer and target group go, B's stay as they were.
    const lbB = both.find((lb) => lb.cluster === tagValue(fx.clusterB));
    await deliver(FORWARDER_A, [gateway(fx.clusterA, undefined, "delete")]);
    expect(await loadBalancers()).toEqual([lbB]);
    expect(await targetGroupsOf(fx.clusterA)).toEqual([]);
    expect(await targetGroupsOf(fx.clusterB)).toEqual(groupsB);
    expect(await deadLetters()).toEqual([]);
  });

  it("a ReferenceGrant admits only its own cluster's routes, and revoking it removes access on the next reconcile", async () => {
    const crossNamespace = [
      ...syncedSnapshots(fx.clusterA, [{ namespace: "apps", name: "web" }]),
      gatewayClass(fx.clusterA),
      gateway(fx.clusterA, { namespaces: { from: "All" } }),
      service(fx.clusterA, "shared", "catalog"),
      endpoints(fx.clusterA, "shared", "catalog", "10.0.1.30"),
      route(fx.clusterA, "team", { name: "catalog", namespace: "shared" }),
    ];
    // B grants routes of namespace "team" access to Services in "shared": in B, not in A.
    await deliver(FORWARDER_B, [referenceGrant(fx.clusterB)]);
    await deliver(FORWARDER_A, crossNamespace);
    let intents = await statusIntents();
    expect(condition(intents, "HTTPRoute", "team", "shop", "ResolvedRefs")).toMatchObject({
      status: "False",
      reason: "RefNotPermitted",
    });
    expect(await targetGroupsOf(fx.clusterA)).toEqual([]);

    await deliver(FORWARDER_A, [referenceGrant(fx.clusterA)]);
    intents = await statusIntents();
    expect(condition(intents, "HTTPRoute", "team", "shop", "ResolvedRefs")).toMatchObject({ status: "True" });
    expect(await targetGroupsOf(fx.clusterA)).toHaveLength(1);

    await deliver(FORWARDER_A, [referenceGrant(fx.clusterA, "delete")]);
    intents = await statusIntents();
    expect(condition(intents, "HTTPRoute", "team", "shop", "ResolvedRefs")).toMatchObject({
      status: "False",
      reason: "RefNotPermitted",
    });
    expect(await targetGroupsOf(fx.clusterA)).toEqual([]);
    expect(await deadLetters()).toEqual([]);
  });

  it("allowedRoutes select namespaces by the labels of the Gateway's own cluster only", async () => {
    const selector = { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-access": "true" } } } };
    // In B the namespace "team" carries the label; in A it does not.
    await deliver(FORWARDER_B, [namespaceObject(fx.clusterB, "team", { "gateway-access": "true" })]);
    await deliver(FORWARDER_A, [
      ...syncedSnapshots(fx.clusterA, [{ namespace: "apps", name: "web" }]),
      namespaceObject(fx.clusterA, "team", {}),
      namespaceObject(fx.clusterA, "apps", {}),
      gatewayClass(fx.clusterA),
      gateway(fx.clusterA, selector),
      service(fx.clusterA, "team", "shop"),
      endpoints(fx.clusterA, "team", "shop", "10.0.1.40"),
      route(fx.clusterA, "team", { name: "shop" }),
    ]);
    let intents = await statusIntents();
    expect(condition(intents, "HTTPRoute", "team", "shop", "Accepted")).toMatchObject({
      status: "False",
      reason: "NotAllowedByListeners",
    });
    expect(await targetGroupsOf(fx.clusterA)).toEqual([]);

    await deliver(FORWARDER_A, [namespaceObject(fx.clusterA, "team", { "gateway-access": "true" })]);
    intents = await statusIntents();
    expect(condition(intents, "HTTPRoute", "team", "shop", "Accepted")).toMatchObject({ status: "True" });
    expect(await targetGroupsOf(fx.clusterA)).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
  });

  it("Secret key material reaches no log line, mirrored object or status, even when a forwarder sends it", async () => {
    const pairs: KeyPair[] = [selfSigned("shop.example.com"), selfSigned("api.example.com", "ec256")];
    const acm = new ACMClient(motoSettings());
    const arns: string[] = [];
    for (const pair of pairs) {
      const imported = await acm.send(
        new ImportCertificateCommand({
          Certificate: Buffer.from(pair.certificate),
          PrivateKey: Buffer.from(pair.privateKey),
        }),
      );
      arns.push(String(imported.CertificateArn));
    }
    acm.destroy();
    const tlsSecret = (name: string, extra: Record<string, unknown>) =>
      objectEvent(fx.clusterA, "Secret", "v1", name, "apps", { type: "kubernetes.io/tls", ...extra });
    const httpsGateway = objectEvent(fx.clusterA, "Gateway", `${GROUP}/v1`, "web", "apps", {
      spec: {
        gatewayClassName: "alb",
        listeners: [
          { name: "http", port: 80, protocol: "HTTP" },
          ...["shop", "api"].map((name, i) => ({
            name: `https-${name}`,
            port: 443 + i,
            protocol: "HTTPS",
            hostname: `${name}.example.com`,
            tls: { mode: "Terminate", certificateRefs: [{ name: `${name}-tls` }] },
          })),
        ],
      },
    });
    const [shop, api] = pairs;
    if (!shop || !api) throw new Error("no key pairs");
    await deliver(FORWARDER_A, [
      ...baseCluster(fx.clusterA, "10.0.1.50").filter((e) => e.kind.kind !== "Gateway" || e.op === "snapshot"),
      httpsGateway,
      // What the forwarder sends: the import's outcome in place of the data.
      tlsSecret("shop-tls", { acmCertificateArn: arns[0] }),
      tlsSecret("api-tls", { acmCertificateArn: arns[1] }),
      // What a broken forwarder could send: the key itself, as data and as stringData.
      tlsSecret("leaked-tls", {
        data: {
          "tls.crt": Buffer.from(shop.certificate).toString("base64"),
          "tls.key": Buffer.from(shop.privateKey).toString("base64"),
        },
      }),
      tlsSecret("leaked-string-tls", { stringData: { "tls.key": api.privateKey } }),
    ]);
    expect((await loadBalancers()).map((lb) => lb.cluster)).toEqual([tagValue(fx.clusterA)]);
    const rejected = await deadLetters();
    expect(rejected.map((d) => d.reason)).toEqual(["malformed", "malformed"]);
    expect(rejectionsCounted("malformed")).toBe(2);

    const markers = pairs.flatMap((pair) => [
      ...pemBodies(pair.privateKey),
      ...pemBodies(pair.privateKey).map((body) => body.slice(0, 64)),
      Buffer.from(pair.privateKey).toString("base64").slice(0, 60),
    ]);
    const mirrored = JSON.stringify(await new DynamoDbObjectMirror(dynamo, fx.table).loadCluster(fx.clusterA));
    const statuses = JSON.stringify(await statusIntents());
    // The capture holds the handlers' lines, the two rejections among them.
    expect(fx.output.filter((line) => line.includes('"event rejected"'))).toHaveLength(2);
    expect(mirrored).toContain("shop-tls");
    const places = { output: fx.output.join("\n"), mirrored, statuses };
    for (const [place, text] of Object.entries(places)) {
      expect({ place, pem: /BEGIN [A-Z ]*PRIVATE KEY/.test(text) }).toEqual({ place, pem: false });
      for (const marker of markers) expect({ place, leaked: text.includes(marker) }).toEqual({ place, leaked: false });
    }
  });

  it("moto reports the same SenderId whichever credentials sent a message (QUIRKS.md TI1)", async () => {
    const other = new SQSClient(motoSettings({ accessKeyId: "AKIAOTHERSENDER00001", secretAccessKey: "testing" }));
    for (const [client, body] of [
      [sqs, "from the default credentials"],
      [other, "from other credentials"],
    ] as const) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: fx.queues.events,
          MessageBody: body,
          MessageGroupId: "quirk",
          MessageDeduplicationId: body.replaceAll(" ", "-"),
        }),
      );
    }
    other.destroy();
    const senders = (await drain(fx.queues.events)).map((m) => m.Attributes?.SenderId);
    expect(senders).toEqual(["AIDAIT2UOQQY3AUEKVGXU", "AIDAIT2UOQQY3AUEKVGXU"]);
  });

  it("a claim check naming another cluster's stored event, or no object at all, is dead-lettered, not retried", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "claim-checks" }));
    // A's forwarder stored a large event of A's and sent its check; B's forwarder reuses that check.
    const stored = gateway(fx.clusterA);
    const bytes = Buffer.from(encodeEvent(stored));
    await s3.send(new PutObjectCommand({ Bucket: "claim-checks", Key: "a/gateway", Body: bytes }));
    const check = (key: string) => ({
      bucket: "claim-checks",
      key,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      size: bytes.byteLength,
    });
    const envelope = (clusterId: string, key: string, resourceVersion: string): ChangeEvent => {
      const { object: _object, ...header } = { ...stored, clusterId, resourceVersion } as ChangeEvent & {
        object: unknown;
      };
      return { ...header, claimCheck: check(key) } as ChangeEvent;
    };
    await deliver(FORWARDER_B, [
      envelope(fx.clusterB, "a/gateway", stored.resourceVersion),
      envelope(fx.clusterB, "b/never-stored", nextVersion()),
    ]);
    expect((await deadLetters()).map((d) => d.reason)).toEqual(["claim-check-invalid", "claim-check-invalid"]);
    expect(fx.output.filter((line) => line.includes("does not exist") || line.includes("is not the one"))).toHaveLength(
      2,
    );
    expect(await new DynamoDbObjectMirror(dynamo, fx.table).loadCluster(fx.clusterB)).toEqual([]);
  });
});
