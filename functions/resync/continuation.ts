/**
 * Continuing a scheduled resync that has more due Gateways than one invocation may enqueue. The
 * cursor names the tick and how many of its due Gateways are done; it travels as a message on a
 * standard SQS queue that triggers the resync function again (a standard queue, so DelaySeconds
 * spaces the pages out; no Lambda Invoke permission on itself needed).
 *
 * StateStore.list() has no resume token, so a continuation walks the records again and skips the
 * first `done` due ones. DynamoDB's Scan order is stable for an unchanged table; a Gateway added or
 * removed between pages can shift the walk by one, so one Gateway may be enqueued twice (the tick's
 * deduplication id absorbs it) or be missed until the next period (a new Gateway was reconciled on
 * creation anyway).
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

export interface ResyncCursor {
  tick: number;
  /** Due Gateways of this tick already enqueued. */
  done: number;
}

export interface ResyncContinuation {
  continueFrom(cursor: ResyncCursor): Promise<void>;
}

const KIND = "switchyard.resync.continuation";

export function encodeCursor(cursor: ResyncCursor): string {
  return JSON.stringify({ kind: KIND, ...cursor });
}

/** The cursor in a continuation message, or undefined for any other body. */
export function decodeCursor(body: string): ResyncCursor | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { kind, tick, done } = value as Record<string, unknown>;
  if (kind !== KIND || !Number.isSafeInteger(tick) || !Number.isSafeInteger(done) || (done as number) < 0) {
    return undefined;
  }
  return { tick: tick as number, done: done as number };
}

/** @param delaySeconds spacing between pages (0 to 900). */
export function sqsResyncContinuation(sqs: SQSClient, queueUrl: string, delaySeconds = 0): ResyncContinuation {
  return {
    async continueFrom(cursor) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeCursor(cursor), DelaySeconds: delaySeconds }),
      );
    },
  };
}
