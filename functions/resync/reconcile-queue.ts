/**
 * Sending ReconcileRequests to reconcile.fifo. The message group is the contract's (one per
 * Gateway); the deduplication id is the occasion's — the schedule tick or the AWS event id — so a
 * retried invocation or a redelivered EventBridge event is deduplicated, while the next tick or a
 * second, different event within SQS's 5-minute window is not swallowed (the contract's own
 * `gatewayKey/generation/reason` id would be the same for both, since resync sends generation 0).
 */
import { createHash } from "node:crypto";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import {
  encodeReconcileRequest,
  type ReconcileRequest,
  reconcileRequestAttributes,
} from "../../shared/pipeline/reconcile-request.ts";

export interface OccasionedRequest {
  request: ReconcileRequest;
  /** What this send is about (`tick:<n>`, `event:<id>`): equal occasions are deduplicated. */
  occasion: string;
}

export interface ReconcileQueue {
  send(requests: readonly OccasionedRequest[]): Promise<void>;
}

export function deduplicationId(request: ReconcileRequest, occasion: string): string {
  return createHash("sha256").update(`${request.gatewayKey}/${request.reason}/${occasion}`).digest("hex");
}

/** A batch entry SQS refused: the invocation fails so its trigger retries (deduplication makes that safe). */
export class ReconcileSendFailed extends Error {
  constructor(failures: readonly { Id?: string; Code?: string; Message?: string }[]) {
    super(
      `reconcile.fifo refused ${failures.length} request(s): ${failures.map((f) => `${f.Code}: ${f.Message}`).join("; ")}`,
    );
    this.name = "ReconcileSendFailed";
  }
}

export function sqsReconcileQueue(sqs: SQSClient, queueUrl: string): ReconcileQueue {
  return {
    async send(requests) {
      for (let start = 0; start < requests.length; start += 10) {
        const slice = requests.slice(start, start + 10);
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: slice.map(({ request, occasion }, i) => ({
              Id: String(i),
              MessageBody: encodeReconcileRequest(request),
              MessageGroupId: reconcileRequestAttributes(request).MessageGroupId,
              MessageDeduplicationId: deduplicationId(request, occasion),
            })),
          }),
        );
        if ((result.Failed ?? []).length > 0) throw new ReconcileSendFailed(result.Failed ?? []);
      }
    },
  };
}
