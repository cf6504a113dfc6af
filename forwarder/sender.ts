/**
 * Sends buffered messages to the events FIFO queue in batches of up to ten. Entries SQS refuses
 * are resent, with backoff, before anything newer is taken from the buffer, so the events of one
 * object keep their order; while SQS cannot be reached the sender waits and retries, never drops.
 */
import {
  GetQueueAttributesCommand,
  type GetQueueAttributesCommandOutput,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
} from "@aws-sdk/client-sqs";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";
import type { BoundedBuffer } from "./buffer.ts";
import type { Clock } from "./clock.ts";
import { MAX_BATCH_BODY_BYTES, MAX_BATCH_ENTRIES, type OutgoingMessage } from "./messages.ts";

/** The two SQS calls the sender makes (an SQSClient; a scripted fake in unit tests). */
export interface SqsPort {
  send(
    command: SendMessageBatchCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<SendMessageBatchCommandOutput>;
  send(
    command: GetQueueAttributesCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetQueueAttributesCommandOutput>;
}

export interface SenderOptions {
  sqs: SqsPort;
  queueUrl: string;
  buffer: BoundedBuffer<OutgoingMessage>;
  clock: Clock;
  random: () => number;
  backoff: BackoffPolicy;
  log: (message: string) => void;
  sent: (message: OutgoingMessage) => void;
  failed: (code: string) => void;
}

export class SqsSender {
  /** Whether the last call to SQS succeeded (readiness). */
  reachable = false;
  private readonly options: SenderOptions;

  constructor(options: SenderOptions) {
    this.options = options;
  }

  /** One GetQueueAttributes call, so readiness reflects SQS even when nothing is being sent. */
  async probe(): Promise<void> {
    try {
      await this.options.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: this.options.queueUrl, AttributeNames: ["FifoQueue"] }),
      );
      this.reachable = true;
    } catch (error) {
      this.reachable = false;
      this.options.log(`SQS probe failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const { buffer } = this.options;
    while (!signal.aborted) {
      const batch = await buffer.take(MAX_BATCH_ENTRIES, MAX_BATCH_BODY_BYTES, signal);
      if (batch === undefined) return;
      await this.sendUntilAccepted(batch, signal);
      buffer.release(batch.length);
    }
  }

  private async sendUntilAccepted(batch: OutgoingMessage[], signal: AbortSignal): Promise<void> {
    const { sqs, queueUrl, clock, random, backoff, log, sent, failed } = this.options;
    let pending = batch;
    let attempt = 0;
    while (pending.length > 0 && !signal.aborted) {
      const entries = pending.map((message, index) => ({
        Id: String(index),
        MessageBody: message.body,
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.deduplicationId,
      }));
      try {
        const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }), {
          abortSignal: signal,
        });
        this.reachable = true;
        const refused = new Set<number>();
        for (const failure of result.Failed ?? []) {
          refused.add(Number(failure.Id));
          failed(failure.Code ?? "unknown");
          log(`SQS refused a message (${failure.Code}: ${failure.Message}); resending`);
        }
        pending.forEach((message, index) => {
          if (!refused.has(index)) sent(message);
        });
        pending = pending.filter((_, index) => refused.has(index));
      } catch (error) {
        if (signal.aborted) return;
        this.reachable = false;
        const name = error instanceof Error ? error.name : "Error";
        failed(name);
        log(`SendMessageBatch failed (${name}: ${error instanceof Error ? error.message : String(error)}); retrying`);
      }
      if (pending.length > 0) await clock.sleep(backoffDelay(attempt++, backoff, random), signal);
    }
  }
}
