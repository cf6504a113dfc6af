/**
 * The ingest ports on AWS: S3 for claim checks, SQS for reconcile.fifo and the dead-letter queue,
 * Powertools for metrics and logs. Each is a few lines over one SDK call; the rules are in
 * shared/pipeline/ingest.ts.
 */

import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type {
  ClaimCheckFetcher,
  DeadLetterQueue,
  IngestObserver,
  IngestRecord,
  ReconcileQueue,
  RejectReason,
} from "../../shared/pipeline/ingest.ts";
import {
  encodeReconcileRequest,
  type ReconcileRequest,
  reconcileRequestAttributes,
} from "../../shared/pipeline/reconcile-request.ts";

/** SQS: at most 10 entries per SendMessageBatch. */
const SQS_BATCH = 10;

export function s3ClaimChecks(s3: S3Client): ClaimCheckFetcher {
  return {
    async fetch(check) {
      let object: GetObjectCommandOutput;
      try {
        object = await s3.send(new GetObjectCommand({ Bucket: check.bucket, Key: check.key }));
      } catch (error) {
        // Only a missing key is final; anything else (throttling, 5xx, access) may pass on a retry.
        if (error instanceof Error && error.name === "NoSuchKey") return undefined;
        throw error;
      }
      if (object.Body === undefined) throw new Error(`s3://${check.bucket}/${check.key}: empty body`);
      return object.Body.transformToByteArray();
    },
  };
}

export function sqsReconcileQueue(sqs: SQSClient, queueUrl: string): ReconcileQueue {
  return {
    async send(requests: readonly ReconcileRequest[]) {
      for (let start = 0; start < requests.length; start += SQS_BATCH) {
        const entries = requests.slice(start, start + SQS_BATCH).map((request, index) => ({
          Id: String(index),
          MessageBody: encodeReconcileRequest(request),
          ...reconcileRequestAttributes(request),
        }));
        const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const failed = result.Failed ?? [];
        if (failed.length > 0) {
          throw new Error(`reconcile.fifo refused ${failed.length} requests: ${failed.map((f) => f.Code).join(", ")}`);
        }
      }
    },
  };
}

/**
 * The DLQ of events.fifo is FIFO too (SQS requires a FIFO queue's DLQ to be FIFO): the original
 * group keeps the rejected events of one object in order; the message id deduplicates a resend.
 */
export function sqsDeadLetters(sqs: SQSClient, queueUrl: string): DeadLetterQueue {
  return {
    async send(record: IngestRecord, reason: RejectReason, detail: string) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          MessageGroupId: record.messageGroupId ?? "rejected",
          MessageDeduplicationId: record.messageId,
          MessageAttributes: {
            reason: { DataType: "String", StringValue: reason },
            detail: { DataType: "String", StringValue: detail.slice(0, 1024) },
            senderId: { DataType: "String", StringValue: record.senderId ?? "(none)" },
          },
        }),
      );
    },
  };
}

export function powertoolsObserver(logger: Logger, metrics: Metrics): IngestObserver {
  return {
    ingested() {
      metrics.addMetric("EventsIngested", MetricUnit.Count, 1);
    },
    stale(event) {
      metrics.addMetric("StaleEventsIgnored", MetricUnit.Count, 1);
      logger.debug("stale event ignored", { clusterId: event.clusterId, kind: event.kind.kind, op: event.op });
    },
    rejected(record, reason, detail) {
      // One metric per reason, so an alarm can tell a spoofing attempt from a forwarder bug.
      const single = metrics.singleMetric();
      single.addDimension("reason", reason);
      single.addMetric("EventsRejected", MetricUnit.Count, 1);
      logger.warn("event rejected", { messageId: record.messageId, senderId: record.senderId, reason, detail });
    },
    transientFailure(record, error) {
      logger.error("event will be retried", {
        messageId: record.messageId,
        error: error instanceof Error ? error : String(error),
      });
    },
    reconcileRequestsSent(requests) {
      metrics.addMetric("ReconcileRequestsSent", MetricUnit.Count, requests.length);
    },
  };
}
