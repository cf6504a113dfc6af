/**
 * The reconcile λ's queues: the requeue onto reconcile.fifo and the status queue the status λ
 * reads. The status queue may be FIFO: then one message group per cluster, so a cluster's
 * statuses are written in the order they were computed (the writer's generation check already
 * refuses older generations; the order settles same-generation writes, e.g. Programmed flipping
 * to True after a retry).
 */
import { createHash } from "node:crypto";
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type {
  ReconcileRequeue,
  StatusIntentDelivery,
  StatusIntentSink,
} from "../../shared/pipeline/reconcile-gateway.ts";
import { encodeReconcileRequest, reconcileRequestAttributes } from "../../shared/pipeline/reconcile-request.ts";
import { batchStatusIntents, describeIntent } from "../../shared/pipeline/status-intent.ts";
import type { MessageDeferral } from "./reconcile-batch.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function sqsReconcileRequeue(sqs: SQSClient, queueUrl: string): ReconcileRequeue {
  return {
    async send(request) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: encodeReconcileRequest(request),
          // The contract's ids: a retried send of the same generation is deduplicated by SQS.
          ...reconcileRequestAttributes(request),
        }),
      );
    },
  };
}

export function sqsStatusIntentSink(sqs: SQSClient, queueUrl: string): StatusIntentSink {
  const fifo = queueUrl.endsWith(".fifo");
  return {
    async send(cluster, intents, source): Promise<StatusIntentDelivery> {
      const { bodies, oversized } = batchStatusIntents(cluster, intents, { source });
      for (const body of bodies) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            ...(fifo ? { MessageGroupId: sha256(cluster).slice(0, 64), MessageDeduplicationId: sha256(body) } : {}),
          }),
        );
      }
      return { messages: bodies.length, oversized: oversized.map(describeIntent) };
    },
  };
}

/**
 * Defers a received reconcile.fifo message: its visibility timeout becomes `seconds` from now, and
 * the handler reports it as a batch item failure, which Lambda (and the local runner) leaves
 * untouched. Its FIFO group (the Gateway) stays blocked meanwhile, as it should.
 */
export function sqsMessageDeferral(sqs: SQSClient, queueUrl: string): MessageDeferral {
  return {
    async defer(receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}
