/**
 * The whole control plane in one process, for `switchyard dev` and the end-to-end tests: the
 * forwarder watching a cluster, and the ingest, reconcile, status and resync handlers, each fed by
 * the local queue runner from real SQS queues on the given endpoint — so retries, partial batch
 * failures, FIFO groups and dead-letter redrive behave as they do under Lambda. The handlers are
 * the Lambdas' own factories; only the wiring here is local.
 */

import { readFile } from "node:fs/promises";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { ACMClient } from "@aws-sdk/client-acm";
import {
  DescribeTableCommand,
  type DynamoDBClient,
  DynamoDBClient as DynamoDb,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { DescribeVpcsCommand, EC2Client, type EC2ClientConfig } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { KubeConfig } from "@kubernetes/client-node";
import type { HttpHandler } from "@smithy/core/protocols";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { CertificateImporter } from "../../forwarder/acm-importer.ts";
import { systemClock } from "../../forwarder/clock.ts";
import { Forwarder } from "../../forwarder/forwarder.ts";
import { KubeApi } from "../../forwarder/kube-api.ts";
import { KubeConfigStatusApi } from "../../forwarder/status-api.ts";
import { StatusPuller, type StatusWriting } from "../../forwarder/status-puller.ts";
import { createIngestHandler } from "../../functions/ingest/create-handler.ts";
import { type SqsBatchHandler, startQueueRunner } from "../../functions/local/queue-runner.ts";
import { createReconcileHandler } from "../../functions/reconcile/create-handler.ts";
import { elbPortsThrough, latticePortsThrough } from "../../functions/reconcile/environment.ts";
import type { EngineSettings, ReconcilePorts } from "../../functions/reconcile/reconcile-batch.ts";
import { sqsMessageDeferral, sqsReconcileRequeue, sqsStatusIntentSink } from "../../functions/reconcile/sqs.ts";
import { sqsResyncContinuation } from "../../functions/resync/continuation.ts";
import {
  combinedOwnerLookup,
  registryTaggingReach,
  stateRecordOwnerLookup,
  taggingOwnerLookup,
} from "../../functions/resync/owner-lookup.ts";
import { sqsReconcileQueue as resyncReconcileQueue } from "../../functions/resync/reconcile-queue.ts";
import { handleResyncEvent } from "../../functions/resync/resync.ts";
import { createStatusHandler } from "../../functions/status/create-handler.ts";
import { sqsForwarderStatusQueues } from "../../functions/status/environment.ts";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { MirrorSnapshotSource } from "../../shared/mirror/snapshot-source.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import type { PacingSettings } from "../../shared/pipeline/endpoint-pacing.ts";
import type { PipelineMetrics } from "../../shared/pipeline/metrics.ts";
import { decodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { DEFAULT_RECHECK, type RecheckSettings } from "../../shared/pipeline/settle-recheck.ts";
import { describeIntent } from "../../shared/pipeline/status-intent.ts";
import type { EksConnection, RegisteredCluster, StatusMode } from "../../shared/registry/cluster.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { ClusterAlreadyRegistered } from "../../shared/registry/registry.ts";
import { registrySenders } from "../../shared/registry/senders.ts";
import type { KubeEndpoint } from "../../shared/status/writer/kube-api.ts";
import { StatusWriter } from "../../shared/status/writer/writer.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { ensureQueues, type PipelineQueues, queueWithDeadLetter } from "./queues.ts";
import { probeSenderId } from "./senders.ts";
import { localStatusWriters } from "./status-writers.ts";

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Rechecks against the local emulators: they settle at once, so the first look comes after 1 s. */
export const LOCAL_RECHECK: RecheckSettings = { ...DEFAULT_RECHECK, firstDelayMs: 1_000, maxDelayMs: 10_000 };

export interface PipelineOptions {
  /** The cluster to watch and write status to. */
  kubeConfig: KubeConfig;
  clusterId: string;
  region: string;
  /**
   * The cluster's account, where its AWS resources are made. The control plane's own account is
   * always the caller's (STS GetCallerIdentity); another account needs `reconcileRoleArn` in it
   * and an `externalId`, as the registry requires. @default the caller's account
   */
  account?: string;
  /** @default `account`'s default VPC in `region` */
  vpcId?: string;
  /**
   * The EKS cluster name: status is then written with an EKS IAM token for this name (as the status
   * λ does). Without it, status is written with the kubeconfig's own bearer token (local mode only).
   */
  eksClusterName?: string;
  /**
   * How status reaches the cluster. `via-forwarder`: the cluster is registered so, the status λ puts
   * its intents on the cluster's own queue (`<queuePrefix>-status-<clusterId>`) and the forwarder
   * writes them with `kubeConfig`'s identity. @default "direct"
   */
  statusMode?: StatusMode;
  /** Role the reconciler (and the status writer) assume in `account`; @default none: own credentials. */
  reconcileRoleArn?: string;
  externalId?: string;
  /** Endpoint for every AWS service (moto); @default AWS */
  awsEndpoint?: string;
  /** Endpoint for VPC Lattice (the Lattice emulator: moto has none); @default `awsEndpoint` */
  latticeEndpoint?: string;
  /** Endpoint for DynamoDB (DynamoDB Local); @default `awsEndpoint` */
  dynamoDbEndpoint?: string;
  /** The control plane's (and the forwarder's) credentials; @default the SDK's default chain */
  credentials?: Credentials;
  /** @default "switchyard-dev" */
  tableName?: string;
  /** @default "switchyard-dev" */
  queuePrefix?: string;
  /** @default `<queuePrefix>-claim-checks-<the control plane's account>` */
  claimCheckBucket?: string;
  /** Namespaces the forwarder watches; @default all */
  namespaces?: string[];
  /** Receives before a message is dead-lettered; @default 5 */
  maxReceiveCount?: number;
  /** How soon a failed message is retried (the runners' visibility timeout); @default 5 */
  retryAfterSeconds?: number;
  /** The resync schedule's tick: every Gateway gets a drift-check reconcile this often; @default 60 000 */
  resyncIntervalMs?: number;
  /** @default 300 000 (the forwarder's default) */
  snapshotIntervalMs?: number;
  /** @default 1000 */
  endpointSliceWindowMs?: number;
  /**
   * The reconcile engine's lease and call timing; `callDeadlineMs` is also the AWS clients' call
   * deadline. @default the engine's: 60 s lease, 20 s call deadline, 5 s margin. A reconcile that
   * died mid-apply blocks its Gateway until its lease plus one call deadline has passed; a message
   * failing for longer than `maxReceiveCount × retryAfterSeconds` is dead-lettered, and the
   * Gateway then waits for the next resync tick.
   */
  engine?: EngineSettings;
  /**
   * Test-only: the HTTP handler under every AWS client the pipeline makes (the forwarder's SQS, S3
   * and ACM, the handlers' clients and the reconciler's client factory), e.g. one that records
   * what was sent. @default the SDK's own.
   */
  requestHandler?: HttpHandler;
  /**
   * Test-only: wraps the reconcile handler's ports, e.g. to make the handler die after AWS
   * accepted a call and before the state record is written. @default the ports as built.
   */
  reconcilePorts?: (ports: ReconcilePorts) => ReconcilePorts;
  /**
   * Pacing of endpoint-only reconciles (shared/pipeline/endpoint-pacing.ts); `NO_PACING` turns it
   * off. @default DEFAULT_PACING: 2 s, doubling to 20 s while endpoints keep changing.
   */
  pacing?: PacingSettings;
  /**
   * Rechecks while AWS settles (shared/pipeline/settle-recheck.ts). @default LOCAL_RECHECK: 1 s,
   * doubling to 10 s, for 15 min at most — the emulators settle at once (moto answers a create
   * with `provisioning` and says `active` at the next describe), so a Gateway turns Programmed about
   * a second after its first reconcile instead of the 10 s DEFAULT_RECHECK waits on AWS.
   */
  recheck?: RecheckSettings;
  /** Powertools log level of the handlers; @default "WARN" */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
  /** What the pipeline is doing, one event per step. */
  progress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { stage: "queues"; queues: PipelineQueues }
  | { stage: "table"; tableName: string; created: boolean }
  | { stage: "cluster"; cluster: RegisteredCluster; senderId: string }
  | { stage: "forwarder"; state: "started" | "synced" | "stopped" }
  | { stage: "ingest"; records: number; failed: number }
  | {
      stage: "reconcile";
      gatewayKey: string;
      reason: string;
      outcome: string;
      /** SQS's ApproximateReceiveCount: 2 and more for a redelivered message. */
      receiveCount: number;
      /** What the request says caused it (ingest: the event, e.g. `delete ReferenceGrant ns/name rv 42`). */
      cause?: string;
      /** Set when the request was deferred (endpoint-only, paced): it comes back this many seconds later. */
      deferredSeconds?: number;
    }
  /** `via`: set when the forwarder wrote it (via-forwarder mode); else the status λ did. */
  | { stage: "status"; object: string; outcome: string; detail?: string; via?: "forwarder" }
  | { stage: "resync"; enqueued: number }
  | { stage: "log"; message: string };

export interface RunningPipeline {
  readonly queues: PipelineQueues;
  /** The cluster's own status queue, in via-forwarder mode. */
  readonly forwarderStatusQueue: string | undefined;
  readonly tableName: string;
  readonly cluster: RegisteredCluster;
  /** The SenderId SQS reports for the forwarder's messages. */
  readonly senderId: string;
  /** Stops the forwarder only (the handlers keep draining), as when its pod dies. */
  stopForwarder(): Promise<void>;
  /** Starts a new forwarder, which lists everything and sends snapshots, as a restarted pod does. */
  startForwarder(): Promise<void>;
  /** Resolves once the forwarder has listed every served kind; rejects after `timeoutMs`. */
  forwarderSynced(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function ensureTable(dynamo: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await createTable(dynamo, tableName);
  return true;
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    // HeadBucket has no body, so a missing bucket is only a 404.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
    }),
  );
}

async function defaultVpc(config: EC2ClientConfig): Promise<string> {
  const ec2 = new EC2Client(config);
  const { Vpcs = [] } = await ec2
    .send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))
    .finally(() => ec2.destroy());
  const id = Vpcs[0]?.VpcId;
  if (id === undefined) throw new Error("the account has no default VPC in this Region: pass --vpc-id");
  return id;
}

/** The cluster's API server and CA, from the kubeconfig's current context. */
export async function kubeEndpointOf(kc: KubeConfig): Promise<KubeEndpoint> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error("the kubeconfig has no current cluster");
  const caPem =
    cluster.caData !== undefined
      ? Buffer.from(cluster.caData, "base64").toString("utf8")
      : cluster.caFile !== undefined
        ? await readFile(cluster.caFile, "utf8")
        : undefined;
  if (caPem === undefined)
    throw new Error(`the kubeconfig's cluster ${cluster.name} has no CA (certificate-authority)`);
  return { server: cluster.server, caPem };
}

/** Wraps a handler to report each batch's size and failures. */
function reporting(
  handler: SqsBatchHandler,
  report: (event: SQSEvent, response: SQSBatchResponse | undefined) => void,
): SqsBatchHandler {
  return async (event: SQSEvent, context: Context) => {
    const response = (await handler(event, context)) as SQSBatchResponse | undefined;
    report(event, response);
    return response;
  };
}

/**
 * Counts go nowhere but the last reconcile outcome, which the progress line names: `error` until
 * the invocation counts one (a reconcile that threw counts none).
 */
class OutcomeSink implements PipelineMetrics {
  last = "error";
  count(name: string, _value: number, dimensions?: Readonly<Record<string, string>>): void {
    if (name === "Reconciles" && dimensions?.outcome !== undefined) this.last = dimensions.outcome;
  }
  milliseconds(): void {}
}

export async function startPipeline(options: PipelineOptions): Promise<RunningPipeline> {
  const progress = options.progress ?? (() => undefined);
  const region = options.region;
  const endpoint = options.awsEndpoint;
  const credentials = options.credentials;
  const base = {
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  };
  const dynamoEndpoint = options.dynamoDbEndpoint ?? endpoint;
  const sqs = new SQSClient(base);
  const s3 = new S3Client({ ...base, forcePathStyle: endpoint !== undefined });
  const dynamo = new DynamoDb({ ...base, ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}) });
  const sts = new STSClient(base);
  const closers: (() => void)[] = [
    () => sqs.destroy(),
    () => s3.destroy(),
    () => dynamo.destroy(),
    () => sts.destroy(),
  ];
  const controller = new AbortController();
  const runners: Promise<unknown>[] = [];
  let forwarder: Forwarder | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;

  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    // The control plane is whoever runs it; the cluster may be in another account, reached by role.
    const controlPlaneAccount = identity.Account;
    if (controlPlaneAccount === undefined) throw new Error("STS GetCallerIdentity returned no account");
    const account = options.account ?? controlPlaneAccount;
    const principal = identity.Arn;
    if (principal === undefined) throw new Error("STS GetCallerIdentity returned no ARN");
    const tableName = options.tableName ?? "switchyard-dev";
    const prefix = options.queuePrefix ?? "switchyard-dev";
    const bucket = options.claimCheckBucket ?? `${prefix}-claim-checks-${controlPlaneAccount}`;
    const retryAfterSeconds = options.retryAfterSeconds ?? 5;

    const queues = await ensureQueues(sqs, {
      prefix,
      maxReceiveCount: options.maxReceiveCount ?? 5,
      visibilityTimeoutSeconds: 60,
    });
    await ensureBucket(s3, bucket, region);
    progress({ stage: "queues", queues });
    const statusMode = options.statusMode ?? "direct";
    const forwarderStatusQueue =
      statusMode === "via-forwarder"
        ? (
            await queueWithDeadLetter(sqs, `${prefix}-status-${options.clusterId}`, false, {
              prefix,
              maxReceiveCount: options.maxReceiveCount ?? 5,
              visibilityTimeoutSeconds: 60,
            })
          ).url
        : undefined;
    const created = await ensureTable(dynamo, tableName);
    progress({ stage: "table", tableName, created });

    const factory = new AwsClientFactory({
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
      ...(options.engine?.callDeadlineMs !== undefined ? { callDeadlineMs: options.engine.callDeadlineMs } : {}),
      ...(options.latticeEndpoint ? { latticeEndpoint: options.latticeEndpoint } : {}),
      account: controlPlaneAccount,
    });
    closers.push(() => factory.destroy());
    const target: AwsTarget = {
      account,
      region,
      ...(options.reconcileRoleArn ? { roleArn: options.reconcileRoleArn } : {}),
      ...(options.externalId ? { externalId: options.externalId } : {}),
      cluster: options.clusterId,
    };
    // The default VPC is the cluster's account's: looked up through its role when it is another's.
    const vpcId =
      options.vpcId ??
      (await defaultVpc(
        account === controlPlaneAccount ? base : { ...base, credentials: factory.credentials(target) },
      ));
    const kubeEndpoint = await kubeEndpointOf(options.kubeConfig);
    const eks: EksConnection = options.eksClusterName
      ? { clusterName: options.eksClusterName }
      : { endpoint: kubeEndpoint.server, caData: Buffer.from(kubeEndpoint.caPem).toString("base64") };
    const senderId = await probeSenderId(sqs, `${prefix}-sender-probe`, Date.now() + 30_000);
    const cluster: RegisteredCluster = {
      clusterId: options.clusterId,
      account,
      region,
      vpcId,
      eks,
      ...(options.reconcileRoleArn ? { reconcileRoleArn: options.reconcileRoleArn } : {}),
      ...(options.externalId ? { externalId: options.externalId } : {}),
      senderPrincipal: principal,
      senderId,
      statusMode,
    };
    const registry = new DynamoDbClusterRegistry(dynamo, tableName, controlPlaneAccount);
    try {
      await registry.put(cluster, "create");
    } catch (error) {
      // The flags of this run win over an earlier run's registration.
      if (!(error instanceof ClusterAlreadyRegistered)) throw error;
      await registry.put(cluster, "update");
    }
    progress({ stage: "cluster", cluster, senderId });

    const logger = (serviceName: string) => new Logger({ serviceName, logLevel: options.logLevel ?? "WARN" });
    const quiet = new Logger({ logLevel: "SILENT" });
    const metrics = (serviceName: string) => new Metrics({ namespace: "switchyard", serviceName, logger: quiet });
    // The runner's warnings (failed batches, dead letters) are progress a developer wants to see.
    const runnerLogger = {
      info: () => undefined,
      warn: (message: string, ...extra: object[]) =>
        progress({ stage: "log", message: `runner: ${message} ${JSON.stringify(extra)}` }),
      error: (message: string, ...extra: object[]) =>
        progress({ stage: "log", message: `runner: ${message} ${JSON.stringify(extra)}` }),
    };
    const run = (queueUrl: string, handler: SqsBatchHandler, functionName: string, batchSize = 10) => {
      runners.push(
        startQueueRunner({
          sqs,
          queueUrl,
          handler,
          batchSize,
          visibilityTimeoutSeconds: retryAfterSeconds,
          waitTimeSeconds: 20,
          functionName,
          signal: controller.signal,
          logger: runnerLogger,
        }).stopped,
      );
    };

    const mirror = new DynamoDbObjectMirror(dynamo, tableName);
    const dirty = new DynamoDbDirtyGenerations(dynamo, tableName);
    const ingest = createIngestHandler({
      dynamodb: dynamo,
      sqs,
      s3,
      tableName,
      reconcileQueueUrl: queues.reconcile,
      deadLetterQueueUrl: queues.eventsDeadLetter,
      senders: registrySenders(registry),
      logger: logger("switchyard-ingest"),
      metrics: metrics("ingest"),
    });
    run(
      queues.events,
      reporting(ingest, (event, response) =>
        progress({ stage: "ingest", records: event.Records.length, failed: response?.batchItemFailures.length ?? 0 }),
      ),
      "switchyard-ingest",
    );

    const stores = createDynamoDbStores(dynamo, tableName);
    const outcomes = new OutcomeSink();
    const deferral = sqsMessageDeferral(sqs, queues.reconcile);
    let deferredSeconds: number | undefined;
    const ports: ReconcilePorts = {
      ...stores,
      registry,
      snapshots: new MirrorSnapshotSource(mirror),
      dirty,
      elbFor: elbPortsThrough(factory),
      lattice: { portFor: latticePortsThrough(factory), states: createDynamoDbLatticeStates(dynamo, tableName) },
      requeue: sqsReconcileRequeue(sqs, queues.reconcile),
      deferral: {
        defer: async (receiptHandle, seconds) => {
          deferredSeconds = seconds;
          await deferral.defer(receiptHandle, seconds);
        },
      },
      ...(options.pacing ? { pacing: options.pacing } : {}),
      recheck: options.recheck ?? LOCAL_RECHECK,
      statuses: sqsStatusIntentSink(sqs, queues.status),
      awsCalls: factory.counter,
      ...(options.engine ? { engine: options.engine } : {}),
    };
    const reconcile = createReconcileHandler(options.reconcilePorts?.(ports) ?? ports, {
      logger: logger("switchyard-reconcile"),
      metrics: metrics("reconcile"),
      sink: outcomes,
    });
    // One message per invocation: a FIFO group is one Gateway, so each progress line is one reconcile.
    run(
      queues.reconcile,
      reporting(
        (event, context) => {
          outcomes.last = "error";
          deferredSeconds = undefined;
          return reconcile(event, context);
        },
        (event, response) => {
          for (const record of event.Records) {
            const decoded = decodeReconcileRequest(record.body);
            const failed = response?.batchItemFailures.some((f) => f.itemIdentifier === record.messageId) ?? true;
            progress({
              stage: "reconcile",
              gatewayKey: decoded.ok ? decoded.request.gatewayKey : "(undecodable)",
              reason: decoded.ok ? decoded.request.reason : "",
              outcome: failed ? `${outcomes.last}, will retry` : outcomes.last,
              receiveCount: Number(record.attributes.ApproximateReceiveCount),
              ...(decoded.ok && decoded.request.cause !== undefined ? { cause: decoded.request.cause } : {}),
              ...(deferredSeconds !== undefined ? { deferredSeconds } : {}),
            });
          }
        },
      ),
      "switchyard-reconcile",
      1,
    );

    const user = options.kubeConfig.getCurrentUser();
    const writers = localStatusWriters(
      cluster.clusterId,
      kubeEndpoint,
      options.eksClusterName
        ? {
            kind: "iam",
            tokenClusterName: options.eksClusterName,
            region,
            // The identity the status λ uses: the cluster's reconcile role, or the control plane's own.
            credentials: factory.credentials(target) ?? factory.sts(target).config.credentials,
          }
        : { kind: "kubeconfig", token: kubeconfigToken(user) },
      (intent, outcome) =>
        progress({
          stage: "status",
          object: `${intent.kind} ${"namespace" in intent ? `${intent.namespace}/` : ""}${intent.name}`,
          outcome: outcome.outcome,
          ...("error" in outcome ? { detail: describe(outcome.error) } : {}),
        }),
    );
    // The λ's own routing to the cluster's queue: a template naming the queue with `{cluster}`.
    const at = forwarderStatusQueue?.lastIndexOf(cluster.clusterId) ?? -1;
    const statusQueueTemplate =
      forwarderStatusQueue === undefined || at < 0
        ? undefined
        : `${forwarderStatusQueue.slice(0, at)}{cluster}${forwarderStatusQueue.slice(at + cluster.clusterId.length)}`;
    const status = createStatusHandler(
      { registry, writers, forwarderQueues: sqsForwarderStatusQueues(sqs, statusQueueTemplate) },
      { logger: logger("switchyard-status"), metrics: metrics("status"), sink: new OutcomeSink() },
    );
    run(queues.status, status, "switchyard-status");

    // The EventBridge schedule: one tick per interval, every Gateway due on every tick.
    const resyncMs = options.resyncIntervalMs ?? 60_000;
    const resyncDeps = {
      states: stores.states,
      queue: resyncReconcileQueue(sqs, queues.reconcile),
      owners: combinedOwnerLookup(
        stateRecordOwnerLookup(stores.states),
        taggingOwnerLookup(registryTaggingReach(registry, factory)),
      ),
      // A tick enqueues every Gateway at once (maxGatewaysPerInvocation is large): no continuation.
      continuation: sqsResyncContinuation(sqs, queues.reconcile),
      schedule: { tickMs: resyncMs, periodTicks: 1, seed: "switchyard-dev" },
      ownRoleArns: new Set<string>(),
      maxGatewaysPerInvocation: 100_000,
    };
    const resync = (): void => {
      resyncTimer = setTimeout(() => {
        handleResyncEvent(
          { source: "aws.events", "detail-type": "Scheduled Event", time: new Date().toISOString() },
          resyncDeps,
        )
          .then((results) => {
            const enqueued = results.reduce((n, r) => n + ("enqueued" in r ? r.enqueued.length : 0), 0);
            if (enqueued > 0) progress({ stage: "resync", enqueued });
          })
          .catch((error: unknown) => progress({ stage: "log", message: `resync failed: ${describe(error)}` }))
          .finally(() => {
            if (!controller.signal.aborted) resync();
          });
      }, resyncMs);
    };
    resync();

    const forwarderSqs = sqs;
    // Via-forwarder mode: the forwarder's status puller writes with the forwarder's own identity.
    const forwarderWriter = new StatusWriter(new KubeConfigStatusApi(options.kubeConfig));
    const observedForwarderWriter: StatusWriting = {
      async write(intent) {
        const object = describeIntent(intent);
        try {
          const outcome = await forwarderWriter.write(intent);
          progress({ stage: "status", object, outcome: outcome.outcome, via: "forwarder" });
          return outcome;
        } catch (error) {
          progress({ stage: "status", object, outcome: "failed", detail: describe(error), via: "forwarder" });
          throw error;
        }
      },
    };
    let statusPuller: StatusPuller | undefined;
    const startForwarder = async () => {
      if (forwarder !== undefined) throw new Error("the forwarder is already running");
      const started = new Forwarder({
        config: {
          clusterId: cluster.clusterId,
          queueUrl: queues.events,
          region,
          claimCheckBucket: bucket,
          namespaces: options.namespaces,
          listenHost: "127.0.0.1",
          listenPort: 0,
          snapshotIntervalMs: options.snapshotIntervalMs ?? 300_000,
          endpointSliceWindowMs: options.endpointSliceWindowMs ?? 1000,
          kindRecheckIntervalMs: 60_000,
          bufferCapacity: 1000,
          sqsEndpoint: undefined,
          s3Endpoint: undefined,
          acmImport: true,
          acmEndpoint: endpoint,
        },
        api: new KubeApi(options.kubeConfig),
        sqs: forwarderSqs,
        s3,
        // TLS Secrets named by listeners are imported into ACM on the same endpoint, as in a cluster.
        certificates: new CertificateImporter({
          acm: new ACMClient(base),
          clusterId: cluster.clusterId,
          log: (message: string) => progress({ stage: "log", message }),
        }),
        clock: systemClock,
        random: Math.random,
        log: (message) => progress({ stage: "log", message: `forwarder: ${message}` }),
      });
      await started.start();
      forwarder = started;
      if (forwarderStatusQueue !== undefined) {
        statusPuller = new StatusPuller({
          sqs: forwarderSqs,
          queueUrl: forwarderStatusQueue,
          clusterId: cluster.clusterId,
          writer: observedForwarderWriter,
          metrics: started.metrics,
          clock: systemClock,
          random: Math.random,
          log: (message) => progress({ stage: "log", message: `forwarder status: ${message}` }),
        });
        statusPuller.start();
      }
      progress({ stage: "forwarder", state: "started" });
    };
    const stopForwarder = async () => {
      const running = forwarder;
      const puller = statusPuller;
      forwarder = undefined;
      statusPuller = undefined;
      if (running === undefined) return;
      await Promise.all([puller?.stop(), running.stop()]);
      progress({ stage: "forwarder", state: "stopped" });
    };
    const forwarderSynced = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const readiness = forwarder?.readiness();
        if (readiness?.ready) {
          progress({ stage: "forwarder", state: "synced" });
          return;
        }
        if (Date.now() > deadline) {
          throw new Error(`the forwarder did not sync within ${timeoutMs} ms: ${readiness?.detail ?? "not running"}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await startForwarder();

    return {
      queues,
      forwarderStatusQueue,
      tableName,
      cluster,
      senderId,
      startForwarder,
      stopForwarder,
      forwarderSynced,
      async stop() {
        await stopForwarder();
        controller.abort();
        clearTimeout(resyncTimer);
        await Promise.allSettled(runners);
        for (const close of closers) close();
      },
    };
  } catch (error) {
    await forwarder?.stop();
    controller.abort();
    clearTimeout(resyncTimer);
    await Promise.allSettled(runners);
    for (const close of closers) close();
    throw error;
  }
}

function kubeconfigToken(user: ReturnType<KubeConfig["getCurrentUser"]>): string {
  const token = user?.token;
  if (token === undefined || token === "") {
    throw new Error(
      "writing status with the kubeconfig's identity needs a bearer-token user; pass --eks-cluster-name to use an IAM token",
    );
  }
  return token;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
