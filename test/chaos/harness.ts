// The fast chaos tier: the pipeline's own handlers (ingest, reconcile, status — the Lambdas'
// factories, as cli/dev/pipeline.ts wires them) against moto and DynamoDB Local, fed through
// in-memory queues the run controls (duplicates, reordering, redelivery, a virtual clock), with
// the forwarder replaced by the change events its watches would send. One run = one schedule;
// after it the faults stop, the pipeline drains to quiescence, and the invariants are checked.
// Not a test file itself.

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { HttpRequest } from "@smithy/core/protocols";
import type { HttpHandlerOptions, RetryStrategyV2, RetryToken } from "@smithy/types";
import type { Context, SQSBatchResponse } from "aws-lambda";
import { createIngestHandler } from "../../functions/ingest/create-handler.ts";
import { createReconcileHandler } from "../../functions/reconcile/create-handler.ts";
import { elbPortsThrough } from "../../functions/reconcile/environment.ts";
import type { EngineSettings, ReconcilePorts } from "../../functions/reconcile/reconcile-batch.ts";
import { sqsReconcileRequeue, sqsStatusIntentSink } from "../../functions/reconcile/sqs.ts";
import { createStatusHandler } from "../../functions/status/create-handler.ts";
import type { StatusWriters } from "../../functions/status/status-batch.ts";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { TAG, tagValue } from "../../shared/elb/naming.ts";
import { type ChangeEvent, encodeEvent, messageGroupId } from "../../shared/events/index.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { MirrorSnapshotSource } from "../../shared/mirror/snapshot-source.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import type { PipelineMetrics } from "../../shared/pipeline/metrics.ts";
import { encodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import type { ElbPort } from "../../shared/reconcile/ports.ts";
import { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { ClusterUnreachable } from "../../shared/status/writer/connection.ts";
import type { StatusIntent } from "../../shared/status/writer/decision.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { FAULTS, FaultInjectingHandler, requestOperation } from "../../shared/testing/index.ts";
import { MemoryQueue, type Queued, sqsEventOf, sqsRecordOf, VirtualClock } from "./queues.ts";
import { random, type Step } from "./schedule.ts";
import { APPS, type ChaosKind, GATEWAY_CLASS, GATEWAY_GROUP, SHARED, World } from "./world.ts";

export interface ChaosEnvironment {
  motoEndpoint: string;
  dynamoDbEndpoint: string;
  region: string;
  account: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Wipes moto between runs (POST /moto-api/reset). */
  resetMoto: () => Promise<void>;
}

export interface RunResult {
  violations: string[];
  ms: number;
  counts: Record<string, number>;
}

/**
 * Short leases and call deadlines, on the virtual clock: a crashed apply blocks its Gateway for
 * lease + deadline, which the run skips over instead of waiting.
 */
const ENGINE = {
  leaseTtlMs: 10_000,
  callDeadlineMs: 5_000,
  leaseSafetyMarginMs: 1_000,
  driftIntervalMs: 60_000,
} satisfies EngineSettings;
const RETRY_AFTER_MS = ENGINE.leaseTtlMs + ENGINE.callDeadlineMs + 1_000;
const MAX_RECEIVE_COUNT = 5;
const MAX_ATTEMPTS = 2;

/**
 * The SDK's retries without its wall-time backoff: the runs' time is virtual, and adaptive mode's
 * client-side rate limiter and jittered delays (up to a second per throttled call) were most of a
 * throttling storm's run time while testing nothing the pipeline's own retries do not.
 */
function immediateRetries(maxAttempts: number): RetryStrategyV2 {
  const token = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, error) => {
      const next = previous.getRetryCount() + 1;
      if (next >= maxAttempts || error.errorType === "CLIENT_ERROR") throw new Error("no retry");
      return token(next);
    },
    recordSuccess: () => undefined,
  };
}
const SENDER_ID = "AIDACHAOSFORWARDER";
const MUTATING = /^(Create|Modify|Delete|Add|Remove|Set|Register|Deregister|Authorize|Revoke|Update)/;

export class InjectedCrash extends Error {
  override name = "InjectedCrash";
}

/**
 * The chaos under every AWS client the handlers use: throttling storms (each call a coin flip),
 * 5xx bursts, and a count of the mutating calls that reached the emulator.
 */
export class ChaosWire extends FaultInjectingHandler {
  throttling = false;
  serverErrors = 0;
  mutations: string[] = [];
  readonly #rnd: () => number;

  constructor(rnd: () => number) {
    super();
    this.#rnd = rnd;
  }

  override async handle(request: HttpRequest, options?: HttpHandlerOptions) {
    const operation = requestOperation(request) ?? "";
    if (this.serverErrors > 0) {
      this.serverErrors -= 1;
      this.inject(operation, FAULTS.internalError, 1);
    } else if (this.throttling && this.#rnd() < 0.5) {
      this.inject(operation, FAULTS.throttling, 1);
    }
    const answer = await super.handle(request, options);
    // ELBv2 and EC2 (query protocol, no X-Amz-Target): the data plane, not the pipeline's own stores.
    const query = !Object.keys(request.headers).some((k) => k.toLowerCase() === "x-amz-target");
    if (query && MUTATING.test(operation) && answer.response.statusCode < 300) this.mutations.push(operation);
    return answer;
  }
}

/**
 * The cluster's status as the API server would hold it: the newest intent per object. A status
 * belongs to one object (uid): deleting the object deletes it, and a same-named successor starts
 * with none.
 */
class StatusRecorder implements StatusWriters {
  up = true;
  readonly #written = new Map<string, { uid: string; intent: StatusIntent }>();
  readonly #world: World;

  constructor(world: World) {
    this.#world = world;
  }

  async writerFor(cluster: string) {
    if (!this.up) throw new ClusterUnreachable(cluster, "chaos: the API server is down");
    return {
      write: async (intent: StatusIntent) => {
        const namespace = "namespace" in intent ? intent.namespace : undefined;
        const object = this.#world.get(intent.kind as ChaosKind, namespace, intent.name);
        if (object === undefined) return { outcome: "not-found" as const, attempts: 1 };
        // The writer's own rules (decision.ts): an intent for another object of this name, or older
        // than the status held, is stale.
        if (intent.uid !== undefined && intent.uid !== object.uid) return { outcome: "stale" as const, attempts: 1 };
        const key = `${intent.kind}/${namespace ?? ""}/${intent.name}`;
        const held = this.#written.get(key);
        const current = held?.uid === object.uid ? held.intent : undefined;
        if (current && current.observedGeneration > intent.observedGeneration) {
          return { outcome: "stale" as const, attempts: 1 };
        }
        this.#written.set(key, { uid: object.uid, intent });
        return { outcome: "written" as const, attempts: 1, resourceVersion: "1" };
      },
    };
  }

  /** The status the live object of this name holds, if any. */
  statusOf(kind: ChaosKind, namespace: string | undefined, name: string): StatusIntent | undefined {
    const object = this.#world.get(kind, namespace, name);
    const held = this.#written.get(`${kind}/${namespace ?? ""}/${name}`);
    return object !== undefined && held?.uid === object.uid ? held.intent : undefined;
  }
}

const quiet = new Logger({ logLevel: process.env.CHAOS_LOG_LEVEL === "WARN" ? "WARN" : "SILENT" });
process.env.POWERTOOLS_METRICS_DISABLED = "true";
const silentMetrics = () => new Metrics({ namespace: "switchyard-chaos", logger: new Logger({ logLevel: "SILENT" }) });
const noMetrics: PipelineMetrics = { count: () => undefined, milliseconds: () => undefined };
let invocations = 0;
let runs = 0;
const tables = new Map<string, Promise<string>>();

/** One table per DynamoDB endpoint for all runs of a process: every run's keys carry its cluster id. */
function sharedTable(dynamo: DynamoDBClient, endpoint: string): Promise<string> {
  let table = tables.get(endpoint);
  if (table === undefined) {
    const name = `chaos-${Date.now().toString(36)}`;
    table = createTable(dynamo, name).then(() => name);
    tables.set(endpoint, table);
  }
  return table;
}
const context = (): Context =>
  ({
    awsRequestId: `chaos-${++invocations}`,
    functionName: "chaos",
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

function failedIds(response: SQSBatchResponse | undefined, received: readonly Queued[]): Set<string> {
  if (response === undefined) return new Set();
  return new Set(
    response.batchItemFailures.map((f) => f.itemIdentifier).filter((id) => received.some((r) => r.id === id)),
  );
}

/** Snapshot of the foreign resources a run must never touch. */
export async function foreignState(elbv2: ElasticLoadBalancingV2Client, ec2: EC2Client, ids: ForeignIds) {
  const [lbs, tgs, listeners, tags, sgs] = await Promise.all([
    elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [ids.lb] })),
    elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [ids.tg] })),
    elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: ids.lb })),
    elbv2.send(new DescribeTagsCommand({ ResourceArns: [ids.lb, ids.tg] })),
    ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [ids.sg] })),
  ]);
  return JSON.stringify({
    lbs: lbs.LoadBalancers?.map((l) => ({ ...l, State: undefined })),
    tgs: tgs.TargetGroups,
    listeners: listeners.Listeners,
    tags: tags.TagDescriptions,
    sgs: sgs.SecurityGroups,
  });
}

export interface ForeignIds {
  lb: string;
  tg: string;
  sg: string;
}

/**
 * Resources another tenant owns in the same account and VPC: an ALB tagged as another cluster's
 * Gateway with the very key a chaos Gateway uses, a target group, and a security group.
 */
export async function createForeign(
  elbv2: ElasticLoadBalancingV2Client,
  ec2: EC2Client,
  vpcId: string,
  clusterId: string,
): Promise<ForeignIds> {
  const subnets = (
    (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).Subnets ?? []
  ).map((s) => s.SubnetId ?? "");
  const sg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: `foreign-${clusterId}`, Description: "foreign", VpcId: vpcId }),
    )
  ).GroupId;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    }),
  );
  const foreignTags = [
    { Key: TAG.managedBy, Value: "switchyard" },
    { Key: TAG.cluster, Value: tagValue(`other-${clusterId}`) },
    { Key: TAG.gateway, Value: tagValue(`${APPS}/g1`) },
  ];
  const lb = (
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "foreign-lb",
        Subnets: subnets.slice(0, 2),
        SecurityGroups: sg ? [sg] : [],
        Tags: foreignTags,
      }),
    )
  ).LoadBalancers?.[0]?.LoadBalancerArn;
  const tg = (
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: "foreign-tg",
        Protocol: "HTTP",
        Port: 8080,
        VpcId: vpcId,
        TargetType: "ip",
        Tags: foreignTags,
      }),
    )
  ).TargetGroups?.[0]?.TargetGroupArn;
  if (!lb || !tg || !sg) throw new Error("moto did not create the foreign resources");
  await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: tg }],
    }),
  );
  return { lb, tg, sg };
}

function backendParts(backend: string): { namespace: string; name: string } {
  const [namespace = APPS, name = ""] = backend.split("/");
  return { namespace, name };
}

/** Runs one schedule from a clean moto and a fresh table; returns every invariant it broke. */
export async function runSchedule(env: ChaosEnvironment, seed: number, steps: readonly Step[]): Promise<RunResult> {
  const started = Date.now();
  const rnd = random(seed ^ 0x9e3779b9);
  // Unique per run: runs share one table, and a shrink replays the same seed.
  const clusterId = `chaos-${seed}-${(++runs).toString(36)}`;
  const settings = { endpoint: env.motoEndpoint, region: env.region, credentials: env.credentials };
  const wire = new ChaosWire(rnd);
  // The harness's own view of AWS: never faulted.
  const elbv2 = new ElasticLoadBalancingV2Client(settings);
  const ec2 = new EC2Client(settings);
  const tagging = new ResourceGroupsTaggingAPIClient(settings);
  const sqsPlain = new SQSClient(settings);
  // The handlers' clients: every call through the chaos wire.
  // Two attempts, not the SDK's three: its backoff waits in wall time, and a failure that gets
  // past the SDK is what the pipeline's own retries (on the virtual clock) must absorb.
  const faulted = { ...settings, requestHandler: wire, retryStrategy: immediateRetries(MAX_ATTEMPTS) };
  const sqs = new SQSClient(faulted);
  const s3 = new S3Client({ ...faulted, forcePathStyle: true });
  const dynamo = new DynamoDBClient({ ...faulted, endpoint: env.dynamoDbEndpoint });
  const dynamoPlain = new DynamoDBClient({ ...settings, endpoint: env.dynamoDbEndpoint });
  const factory = new AwsClientFactory({
    endpoint: env.motoEndpoint,
    credentials: env.credentials,
    account: env.account,
    requestHandler: wire,
    retryStrategy: immediateRetries(MAX_ATTEMPTS),
    callDeadlineMs: ENGINE.callDeadlineMs,
  });
  const violations: string[] = [];
  const counts: Record<string, number> = {};
  let last = started;
  const timings: string[] = [];
  const mark = (phase: string) => {
    timings.push(`${phase} ${Date.now() - last}`);
    last = Date.now();
  };
  const bump = (name: string, by = 1) => {
    counts[name] = (counts[name] ?? 0) + by;
  };

  try {
    await env.resetMoto();
    mark("reset");
    const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
      .Vpcs?.[0]?.VpcId;
    if (!vpcId) throw new Error("moto has no default VPC");
    const tableName = await sharedTable(dynamoPlain, env.dynamoDbEndpoint);
    const queueUrl = async (name: string, fifo: boolean) =>
      (
        await sqsPlain.send(
          new CreateQueueCommand({
            QueueName: fifo ? `${name}.fifo` : name,
            ...(fifo ? { Attributes: { FifoQueue: "true" } } : {}),
          }),
        )
      ).QueueUrl ?? "";
    const [reconcileUrl, statusUrl, deadLetterUrl] = await Promise.all([
      queueUrl("chaos-reconcile", true),
      queueUrl("chaos-status", false),
      queueUrl("chaos-events-dlq", true),
    ]);
    mark("table+queues");
    const foreign = await createForeign(elbv2, ec2, vpcId, clusterId);
    const foreignBefore = await foreignState(elbv2, ec2, foreign);
    mark("foreign");

    const registry = new MemoryClusterRegistry(env.account);
    await registry.put(
      {
        clusterId,
        account: env.account,
        region: env.region,
        vpcId,
        eks: { clusterName: clusterId },
        senderPrincipal: `arn:aws:iam::${env.account}:role/forwarder`,
        senderId: SENDER_ID,
        statusMode: "direct",
      },
      "create",
    );
    const clock = new VirtualClock();
    const world = new World(clusterId);
    const events = new MemoryQueue(clock, { fifo: true, retryAfterMs: 5_000, maxReceiveCount: MAX_RECEIVE_COUNT });
    const reconciles = new MemoryQueue(clock, {
      fifo: true,
      retryAfterMs: RETRY_AFTER_MS,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const statuses = new MemoryQueue(clock, { fifo: false, retryAfterMs: 5_000, maxReceiveCount: MAX_RECEIVE_COUNT });
    const recorder = new StatusRecorder(world);

    const ingest = createIngestHandler({
      dynamodb: dynamo,
      sqs,
      s3,
      tableName,
      reconcileQueueUrl: reconcileUrl,
      deadLetterQueueUrl: deadLetterUrl,
      senders: { principalOf: async (cluster) => (cluster === clusterId ? SENDER_ID : undefined) },
      logger: quiet,
      metrics: silentMetrics(),
      now: clock.now,
    });

    // Arming for the reconcile step in progress.
    let crashAfter: number | undefined;
    let stall: { reached: () => void; release: Promise<void> } | undefined;
    const chaoticPort = (port: ElbPort): ElbPort => {
      let applied = 0;
      return {
        observe: (a) => port.observe(a),
        refresh: (a) => port.refresh(a),
        discover: (key) => port.discover(key),
        async execute(op, current, created) {
          const after = await port.execute(op, current, created);
          applied += 1;
          // AWS accepted the call; the reconciler dies before it learns so.
          if (crashAfter !== undefined && applied === crashAfter) {
            crashAfter = undefined;
            bump("crashes");
            throw new InjectedCrash(`died after AWS accepted ${op.op}`);
          }
          const held = stall;
          if (held) {
            // Accepted, then the answer takes longer than the lease: another reconciler takes over.
            stall = undefined;
            held.reached();
            await held.release;
          }
          return after;
        },
      };
    };
    const ports: ReconcilePorts = {
      ...createDynamoDbStores(dynamo, tableName),
      registry,
      snapshots: new MirrorSnapshotSource(new DynamoDbObjectMirror(dynamo, tableName)),
      dirty: new DynamoDbDirtyGenerations(dynamo, tableName),
      elbFor: (cluster, gateway) => chaoticPort(elbPortsThrough(factory)(cluster, gateway)),
      requeue: sqsReconcileRequeue(sqs, reconcileUrl),
      // Paced requests and early rechecks are put back on the run's queue, on its virtual clock.
      deferral: { defer: async (receiptHandle, seconds) => reconciles.defer(receiptHandle, seconds) },
      statuses: sqsStatusIntentSink(sqs, statusUrl),
      engine: ENGINE,
      now: clock.now,
    };
    const reconcile = createReconcileHandler(ports, { logger: quiet, metrics: silentMetrics(), sink: noMetrics });
    const status = createStatusHandler(
      { registry, writers: recorder, forwarderQueues: { send: async () => "not-configured" } },
      { logger: quiet, metrics: silentMetrics(), sink: noMetrics },
    );

    /** What the handlers sent to moto's queues moves into the run's queues. */
    const collect = async () => {
      for (const [url, queue, fifo] of [
        [reconcileUrl, reconciles, true],
        [statusUrl, statuses, false],
      ] as const) {
        for (;;) {
          const { Messages = [] } = await sqsPlain.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 0,
              MessageSystemAttributeNames: ["MessageGroupId"],
            }),
          );
          if (Messages.length === 0) break;
          for (const m of Messages) queue.push(m.Body ?? "", fifo ? m.Attributes?.MessageGroupId : undefined);
          await sqsPlain.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      }
    };

    // What the forwarder's watches saw but it has not sent yet; `deliver` sends it first.
    let unsent: ChangeEvent[] = [];
    const send = (event: ChangeEvent | undefined) => {
      if (event) unsent.push(event);
    };
    const flush = () => {
      for (const event of unsent) events.push(encodeEvent(event), messageGroupId(event));
      unsent = [];
    };
    const malformed = new Set<string>();

    const deliver = async (count: number, shuffle: boolean, duplicate: boolean) => {
      flush();
      const received = events.receive(count);
      if (received.length === 0) return;
      const order = [...received];
      if (shuffle) order.sort(() => rnd() - 0.5);
      const records = order.flatMap((item) => {
        const record = sqsRecordOf(item, SENDER_ID);
        return duplicate ? [record, { ...record, messageId: `${record.messageId}-dup` }] : [record];
      });
      bump("events", records.length);
      try {
        const response = await ingest(sqsEventOf(records), context());
        const failed = failedIds(response, received);
        for (const f of response?.batchItemFailures ?? []) {
          const base = f.itemIdentifier.replace(/-dup$/, "");
          if (received.some((r) => r.id === base)) failed.add(base);
        }
        events.settle(received, failed);
      } catch {
        events.settle(received, new Set(received.map((r) => r.id)));
      }
    };

    const runReconcile = async (item: Queued) => {
      bump("reconciles");
      const record = sqsRecordOf(item, SENDER_ID);
      try {
        const response = await reconcile(sqsEventOf([record]), context());
        return (response?.batchItemFailures.length ?? 0) > 0 ? "failed" : "ok";
      } catch {
        return "failed";
      }
    };

    const reconcileStep = async (count: number, concurrent: boolean, leaseExpiry: boolean) => {
      await collect();
      const received = reconciles.receive(count);
      const failed = new Set<string>();
      for (const item of received) {
        let results: string[];
        if (leaseExpiry) {
          let reached: () => void = () => undefined;
          let release: () => void = () => undefined;
          const reachedP = new Promise<void>((resolve) => (reached = resolve));
          stall = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
          const first = runReconcile(item);
          // The first reconciler is stuck after an accepted call: once its lease has run out, a
          // redelivery of the same message starts a second one, which finishes before the first resumes.
          const finishedFirst = await Promise.race([reachedP.then(() => false), first.then(() => true)]);
          if (!finishedFirst) {
            bump("lease-expiries");
            clock.advanceTo(clock.now() + ENGINE.leaseTtlMs + ENGINE.callDeadlineMs + 1);
            const second = await runReconcile(item);
            release();
            results = [await first, second];
          } else {
            stall = undefined;
            results = [await first];
          }
        } else if (concurrent) {
          bump("concurrent");
          results = await Promise.all([runReconcile(item), runReconcile(item)]);
        } else {
          results = [await runReconcile(item)];
        }
        if (results.every((r) => r === "failed")) failed.add(item.id);
      }
      reconciles.settle(received, failed);
      stall = undefined;
      await collect();
    };

    const statusStep = async (count: number) => {
      await collect();
      const received = statuses.receive(count);
      if (received.length === 0) return;
      try {
        const response = await status(sqsEventOf(received.map((i) => sqsRecordOf(i, SENDER_ID))), context());
        statuses.settle(received, failedIds(response, received));
      } catch {
        statuses.settle(received, new Set(received.map((r) => r.id)));
      }
    };

    const apply = async (step: Step) => {
      switch (step.op) {
        case "gateway":
          return send(
            world.upsert("Gateway", APPS, step.name, {
              spec: {
                gatewayClassName: GATEWAY_CLASS,
                listeners: step.ports.map((port) => ({ name: `http-${port}`, port, protocol: "HTTP" })),
              },
            }),
          );
        case "delete-gateway":
          return send(world.delete("Gateway", APPS, step.name));
        case "route": {
          const { namespace, name } = backendParts(step.backend);
          return send(
            world.upsert("HTTPRoute", APPS, step.name, {
              spec: {
                parentRefs: [{ name: step.gateway }],
                rules: [
                  {
                    matches: [{ path: { type: "PathPrefix", value: step.path } }],
                    backendRefs: [{ name, port: 8080, ...(namespace !== APPS ? { namespace } : {}) }],
                  },
                ],
              },
            }),
          );
        }
        case "delete-route":
          return send(world.delete("HTTPRoute", APPS, step.name));
        case "service": {
          const { namespace, name } = backendParts(step.backend);
          if (!world.get("Service", namespace, name)) {
            send(
              world.upsert("Service", namespace, name, {
                spec: { ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
              }),
            );
          }
          return send(
            world.upsert(
              "EndpointSlice",
              namespace,
              `${name}-1`,
              {
                addressType: "IPv4",
                ports: [{ name: "http", port: 8080, protocol: "TCP" }],
                endpoints: [{ addresses: [step.ip], conditions: { ready: true } }],
              },
              { "kubernetes.io/service-name": name },
            ),
          );
        }
        case "delete-service": {
          const { namespace, name } = backendParts(step.backend);
          send(world.delete("EndpointSlice", namespace, `${name}-1`));
          return send(world.delete("Service", namespace, name));
        }
        case "grant":
          return send(
            world.upsert("ReferenceGrant", SHARED, "apps-to-shared", {
              spec: {
                from: [{ group: GATEWAY_GROUP, kind: "HTTPRoute", namespace: APPS }],
                to: [{ group: "", kind: "Service" }],
              },
            }),
          );
        case "revoke":
          return send(world.delete("ReferenceGrant", SHARED, "apps-to-shared"));
        case "deliver":
          return deliver(step.count, step.shuffle, step.duplicate);
        case "malformed": {
          const body = `{"schemaVersion":1,"clusterId":"${clusterId}","op":"explode","n":${malformed.size}}`;
          malformed.add(body);
          return events.push(body, `${clusterId}/malformed`);
        }
        case "reconcile":
          crashAfter = step.crashAfter;
          await reconcileStep(step.count, step.concurrent, step.leaseExpiry);
          crashAfter = undefined;
          return;
        case "status":
          return statusStep(step.count);
        case "throttle":
          wire.throttling = step.on;
          return;
        case "burst5xx":
          wire.serverErrors = step.count;
          return;
        case "status-endpoint":
          recorder.up = step.up;
          return;
        case "relist": {
          // The watch died with 410 Gone and the forwarder restarted: what it had not sent is
          // lost (what is in SQS stays); its relist and snapshots replace it.
          bump("relists");
          bump("lostEvents", unsent.length);
          unsent = world.relist();
          flush();
          return;
        }
      }
    };

    // The cluster exists before the chaos: the class every Gateway uses.
    send(world.upsert("GatewayClass", undefined, GATEWAY_CLASS, { spec: { controllerName: "switchyard.dev/alb" } }));
    // The forwarder's first list: the snapshots that mark the cluster synced.
    for (const event of world.relist()) send(event);
    flush();
    for (const step of steps) await apply(step);
    mark("steps");

    // Quiescence: the faults stop and everything queued drains.
    wire.throttling = false;
    wire.serverErrors = 0;
    recorder.up = true;
    flush();
    const drain = async (label: string) => {
      for (let round = 0; round < 400; round++) {
        await collect();
        if (events.size + reconciles.size + statuses.size === 0) return true;
        const before = events.size + reconciles.size + statuses.size;
        await deliver(10, false, false);
        await reconcileStep(10, false, false);
        await statusStep(10);
        await collect();
        const after = events.size + reconciles.size + statuses.size;
        if (after > 0 && after >= before) {
          // Nothing receivable: skip ahead to the next visibility timeout or lease expiry.
          const next = Math.min(
            ...[events, reconciles, statuses].map((q) => q.nextAvailableAt() ?? Number.POSITIVE_INFINITY),
          );
          if (Number.isFinite(next)) clock.advanceTo(next);
        }
      }
      violations.push(
        `${label}: the pipeline did not quiesce (${events.size} events, ${reconciles.size} reconciles, ${statuses.size} statuses queued)`,
      );
      return false;
    };
    const resyncAll = () => {
      for (const name of world.gatewaysEver) {
        reconciles.push(
          encodeReconcileRequest({
            version: 1,
            gatewayKey: clusterGatewayKey(clusterId, APPS, name),
            reason: "resync",
            generation: 0,
          }),
          `${clusterId}/${APPS}/${name}`,
        );
      }
    };
    await drain("after the schedule");
    mark("drain");
    // A dead-lettered reconcile leaves its Gateway to the scheduled resync, which runs first;
    // then one more drift check, past the drift interval, must find nothing to do: plan against
    // observed is empty.
    counts.deadReconciles = reconciles.dead.length;
    if (reconciles.dead.length > 0) {
      clock.advanceTo(clock.now() + ENGINE.driftIntervalMs + 1);
      resyncAll();
      await drain("after the resync");
      mark("resync");
    }
    clock.advanceTo(clock.now() + ENGINE.driftIntervalMs + 1);
    wire.mutations = [];
    resyncAll();
    await drain("after the drift check");
    mark("drift check");
    if (wire.mutations.length > 0) {
      violations.push(`a drift check after quiescence still changed AWS: ${wire.mutations.join(", ")}`);
    }

    // AWS: every live Gateway has its load balancer with one listener per port; nothing tagged for
    // a deleted Gateway is left.
    const { ResourceTagMappingList = [] } = await tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: TAG.cluster, Values: [tagValue(clusterId)] }] }),
    );
    const liveKeys = new Set(
      world.list("Gateway").flatMap((g) => [`${APPS}/${g.name}`, `${clusterId}/${APPS}/${g.name}`].map(tagValue)),
    );
    for (const r of ResourceTagMappingList) {
      const gw = r.Tags?.find((t) => t.Key === TAG.gateway)?.Value;
      // Untagged for a Gateway: the cluster's own (its backend security group), not a Gateway's.
      if (gw !== undefined && !liveKeys.has(gw)) {
        violations.push(
          `orphan: ${r.ResourceARN} (${JSON.stringify(r.Tags)}) is tagged for Gateway ${gw}, which is gone`,
        );
      }
    }
    const { LoadBalancers = [] } = await elbv2.send(new DescribeLoadBalancersCommand({}));
    for (const gateway of world.list("Gateway")) {
      const keys = new Set([`${APPS}/${gateway.name}`, `${clusterId}/${APPS}/${gateway.name}`].map(tagValue));
      const arns = new Set(
        ResourceTagMappingList.filter((r) => r.Tags?.some((t) => t.Key === TAG.gateway && keys.has(t.Value ?? ""))).map(
          (r) => r.ResourceARN,
        ),
      );
      const lbs = LoadBalancers.filter((lb) => arns.has(lb.LoadBalancerArn));
      if (lbs.length !== 1) {
        violations.push(`Gateway ${gateway.name}: ${lbs.length} load balancers, expected 1`);
        continue;
      }
      const { Listeners = [] } = await elbv2.send(
        new DescribeListenersCommand({ LoadBalancerArn: lbs[0]?.LoadBalancerArn }),
      );
      const want = ((gateway.body.spec as { listeners: { port: number }[] }).listeners ?? []).map((l) => l.port).sort();
      const got = Listeners.map((l) => l.Port ?? 0).sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        violations.push(`Gateway ${gateway.name}: listeners on ${got.join(",")}, expected ${want.join(",")}`);
      }
    }
    mark("aws checks");
    if ((await foreignState(elbv2, ec2, foreign)) !== foreignBefore) {
      violations.push("a foreign load balancer, target group or security group was changed");
    }

    // Status: current for every live Gateway and route, at its generation.
    for (const gateway of world.list("Gateway")) {
      const intent = recorder.statusOf("Gateway", APPS, gateway.name);
      const conditions = intent && "conditions" in intent ? intent.conditions : [];
      const programmed = conditions.find((c) => c.type === "Programmed")?.status;
      if (intent?.observedGeneration !== gateway.generation || programmed !== "True") {
        violations.push(
          `Gateway ${gateway.name} status: generation ${intent?.observedGeneration} Programmed=${programmed}, expected generation ${gateway.generation} Programmed=True`,
        );
      }
    }
    for (const route of world.list("HTTPRoute")) {
      const parent = (route.body.spec as { parentRefs: { name: string }[] }).parentRefs[0]?.name ?? "";
      if (!world.get("Gateway", APPS, parent)) continue;
      const intent = recorder.statusOf("HTTPRoute", APPS, route.name);
      if (intent?.observedGeneration !== route.generation) {
        violations.push(
          `HTTPRoute ${route.name} status: generation ${intent?.observedGeneration}, expected ${route.generation}`,
        );
      }
    }

    // Dead letters: only the malformed events.
    const dead: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqsPlain.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      dead.push(...Messages.map((m) => m.Body ?? ""));
    }
    for (const body of dead) {
      if (!malformed.has(body)) violations.push(`dead-lettered but not malformed: ${body.slice(0, 200)}`);
    }
    for (const body of malformed) {
      if (!dead.includes(body)) violations.push(`a malformed event is not in the dead-letter queue: ${body}`);
    }
    for (const item of events.dead) violations.push(`an event was retried until dead: ${item.body.slice(0, 200)}`);
    counts.deadLetters = dead.length;
    counts.faultsInjected = wire.injected.length;
  } finally {
    for (const client of [elbv2, ec2, tagging, sqsPlain, sqs, s3, dynamo, dynamoPlain]) client.destroy();
    factory.destroy();
  }
  if (process.env.CHAOS_TIMING) process.stderr.write(`seed ${seed} ms: ${timings.join(", ")}\n`);
  return { violations, ms: Date.now() - started, counts };
}
