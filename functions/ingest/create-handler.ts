/**
 * The ingest Lambda: events.fifo → objects mirror → reconcile.fifo. Wiring only; the rules are in
 * shared/pipeline/ingest.ts. Configuration comes from the environment the CDK stack sets.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { DynamoDbBackendIndex } from "../../shared/mirror/dynamodb/backend-index.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import {
  type IngestPorts,
  type IngestRecord,
  ingestBatch,
  type SenderDirectory,
} from "../../shared/pipeline/ingest.ts";
import { powertoolsObserver, s3ClaimChecks, sqsDeadLetters, sqsReconcileQueue } from "./adapters.ts";

export const METRICS_NAMESPACE = "switchyard";

export interface IngestHandlerOptions {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  tableName: string;
  reconcileQueueUrl: string;
  deadLetterQueueUrl: string;
  senders: SenderDirectory;
  logger?: Logger;
  metrics?: Metrics;
  /** @default Date.now */
  now?: () => number;
}

export function recordsOf(event: SQSEvent): IngestRecord[] {
  return event.Records.map((record) => ({
    messageId: record.messageId,
    body: record.body,
    senderId: record.attributes.SenderId,
    messageGroupId: record.attributes.MessageGroupId,
  }));
}

/** The handler with its ports; tests build it against DynamoDB Local and moto. */
export function createIngestHandler(options: IngestHandlerOptions) {
  const logger = options.logger ?? new Logger({ serviceName: "ingest" });
  const metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: "ingest" });
  const ports: IngestPorts = {
    mirror: new DynamoDbObjectMirror(options.dynamodb, options.tableName),
    backendIndex: new DynamoDbBackendIndex(options.dynamodb, options.tableName),
    senders: options.senders,
    dirty: new DynamoDbDirtyGenerations(options.dynamodb, options.tableName),
    reconcileQueue: sqsReconcileQueue(options.sqs, options.reconcileQueueUrl),
    claimChecks: s3ClaimChecks(options.s3),
    deadLetters: sqsDeadLetters(options.sqs, options.deadLetterQueueUrl),
    observer: powertoolsObserver(logger, metrics),
    now: options.now ?? Date.now,
  };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler((event) => ingestBatch(recordsOf(event), ports));
}
