/**
 * A local stand-in for Lambda's SQS event source mapping, for `switchyard dev` and end-to-end tests:
 * it long-polls one queue (moto's or a real one) and invokes a Lambda SQS handler in-process with
 * the event Lambda would build, then does what Lambda does with the answer — deletes the batch, or
 * only the messages not reported in `batchItemFailures`, or nothing when the handler throws. Failed
 * messages are not touched: they come back when their visibility timeout ends, as in Lambda.
 *
 * Dead letters: when the queue has its own RedrivePolicy, SQS moves a message that was received
 * more than maxReceiveCount times (moto does too, at receive time; see test/env/QUIRKS-runner.md),
 * and the runner leaves it to the queue. Without one, `maxReceiveCount` and `deadLetterQueueUrl`
 * make the runner move a message itself once it has failed that many receives, with the reason.
 */
import { randomUUID } from "node:crypto";
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import {
  type BatchOutcome,
  fifoOrderViolations,
  interpretBatchResponse,
  lambdaSqsRecord,
  parseQueueArn,
  type QueueIdentity,
} from "./lambda-sqs-event.ts";

/** A Lambda SQS handler as middy produces it: event and context in, maybe a batch response out. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** The part of a logger the runner uses (Powertools' Logger fits). */
export interface RunnerLogger {
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
}

export interface QueueRunnerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** @default 10 — SQS's maximum per receive, Lambda's default batch size. */
  batchSize?: number;
  /** @default undefined — the queue's own VisibilityTimeout. Tests set 1–2 s so failures return fast. */
  visibilityTimeoutSeconds?: number;
  /** @default 20 — Lambda's long poll. Abort ends a poll at once, so this does not delay stopping. */
  waitTimeSeconds?: number;
  /**
   * Receives after which the runner dead-letters a failing message itself. Used only when the queue
   * has no RedrivePolicy, and only together with `deadLetterQueueUrl`.
   * @default undefined — no runner redrive: a failing message returns until it succeeds or expires.
   */
  maxReceiveCount?: number;
  /** Where the runner moves dead letters (a FIFO queue for a FIFO source, as SQS requires). */
  deadLetterQueueUrl?: string;
  /** @default 30 — the function timeout: the context's remaining time, and a batch still running after it fails. */
  timeoutSeconds?: number;
  /** @default "local-" + the queue name — the context's functionName. */
  functionName?: string;
  /** Stops polling; a batch already received is finished first. */
  signal: AbortSignal;
  logger: RunnerLogger;
}

/** What a runner did, when it stopped. */
export interface QueueRunnerSummary {
  batches: number;
  succeeded: number;
  failed: number;
  deadLettered: number;
}

export interface QueueRunner {
  /** Settles once the runner has stopped after abort (rejects only on a configuration error). */
  readonly stopped: Promise<QueueRunnerSummary>;
}

/** Message attributes the runner adds to a message it dead-letters itself. */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: "switchyard.deadLetterReason",
  sourceQueueArn: "switchyard.deadLetterSourceQueueArn",
} as const;

/** @default 1 s — wait after a failed receive before the next, so a down endpoint is not hammered. */
const RECEIVE_RETRY_MS = 1_000;

interface QueueFacts extends QueueIdentity {
  fifo: boolean;
  /** The queue redrives by itself. */
  hasRedrivePolicy: boolean;
}

export function startQueueRunner(options: QueueRunnerOptions): QueueRunner {
  const batchSize = options.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    return { stopped: Promise.reject(new Error(`batchSize must be 1 to 10, got ${batchSize}`)) };
  }
  if ((options.maxReceiveCount === undefined) !== (options.deadLetterQueueUrl === undefined)) {
    return { stopped: Promise.reject(new Error("maxReceiveCount and deadLetterQueueUrl go together")) };
  }
  return { stopped: run(options, batchSize) };
}

async function run(options: QueueRunnerOptions, batchSize: number): Promise<QueueRunnerSummary> {
  const { sqs, queueUrl, signal, logger } = options;
  const summary: QueueRunnerSummary = { batches: 0, succeeded: 0, failed: 0, deadLettered: 0 };
  const queue = await queueFacts(sqs, queueUrl);
  const runnerRedrive =
    !queue.hasRedrivePolicy && options.maxReceiveCount !== undefined && options.deadLetterQueueUrl !== undefined
      ? { maxReceiveCount: options.maxReceiveCount, deadLetterQueueUrl: options.deadLetterQueueUrl }
      : undefined;
  if (queue.hasRedrivePolicy && options.maxReceiveCount !== undefined) {
    logger.warn("queue has its own RedrivePolicy; the runner leaves dead-lettering to it", { queueUrl });
  }
  const functionName = options.functionName ?? `local-${parseQueueArn(queue.arn).name.replace(/\.fifo$/, "")}`;
  const timeoutMs = (options.timeoutSeconds ?? 30) * 1000;

  while (!signal.aborted) {
    let messages: Message[];
    try {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: options.waitTimeSeconds ?? 20,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        // Aborting the long poll stops at once. A message SQS handed out in that instant stays
        // invisible until its timeout and is then received again: at-least-once, as always.
        { abortSignal: signal },
      );
      messages = received.Messages ?? [];
    } catch (error) {
      if (signal.aborted) break;
      logger.error("receive failed; retrying", { queueUrl, error: describe(error) });
      await abortableDelay(RECEIVE_RETRY_MS, signal);
      continue;
    }
    if (messages.length === 0) continue;
    // From here on the batch is in flight: it is finished even if the signal fires meanwhile.
    summary.batches += 1;
    const records = messages.map((m) => lambdaSqsRecord(m, queue));
    const outcome = await invoke(options.handler, records, functionName, queue, timeoutMs);
    await settle(options, queue, records, outcome, runnerRedrive, summary);
  }
  logger.info("queue runner stopped", { queueUrl, ...summary });
  return summary;
}

async function queueFacts(sqs: SQSClient, queueUrl: string): Promise<QueueFacts> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn", "FifoQueue", "RedrivePolicy"] }),
  );
  const arn = attributes.QueueArn;
  if (arn === undefined) throw new Error(`queue ${queueUrl} reports no QueueArn`);
  return {
    arn,
    region: parseQueueArn(arn).region,
    fifo: attributes.FifoQueue === "true",
    hasRedrivePolicy: attributes.RedrivePolicy !== undefined && attributes.RedrivePolicy !== "",
  };
}

async function invoke(
  handler: SqsBatchHandler,
  records: SQSRecord[],
  functionName: string,
  queue: QueueIdentity,
  timeoutMs: number,
): Promise<BatchOutcome> {
  const deadline = Date.now() + timeoutMs;
  const context = lambdaContext(functionName, queue, timeoutMs, deadline);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<BatchOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ kind: "failed", reason: `Task timed out after ${timeoutMs / 1000} seconds` }),
      timeoutMs,
    );
  });
  const ran = handler({ Records: records }, context).then(
    (response) =>
      interpretBatchResponse(
        response,
        records.map((r) => r.messageId),
      ),
    (error: unknown): BatchOutcome => ({ kind: "failed", reason: describe(error) }),
  );
  try {
    // Lambda ends a function at its timeout and counts the whole batch as failed; the local handler
    // cannot be killed, but its late answer is ignored in the same way.
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function lambdaContext(functionName: string, queue: QueueIdentity, timeoutMs: number, deadline: number): Context {
  const { region, account } = parseQueueArn(queue.arn);
  const unsupported = () => {
    throw new Error("context.done/fail/succeed are not supported: return or throw from an async handler");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${new Date().toISOString().slice(0, 10)}/[$LATEST]${randomUUID().replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, Math.min(timeoutMs, deadline - Date.now())),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

async function settle(
  options: QueueRunnerOptions,
  queue: QueueFacts,
  records: SQSRecord[],
  outcome: BatchOutcome,
  runnerRedrive: { maxReceiveCount: number; deadLetterQueueUrl: string } | undefined,
  summary: QueueRunnerSummary,
): Promise<void> {
  const { sqs, queueUrl, logger } = options;
  const failedIds =
    outcome.kind === "succeeded"
      ? new Set<string>()
      : outcome.kind === "partial"
        ? outcome.failed
        : new Set(records.map((r) => r.messageId));
  const reason = outcome.kind === "failed" ? outcome.reason : "reported in batchItemFailures";
  if (outcome.kind !== "succeeded") {
    logger.warn("batch failed", { queueUrl, failed: [...failedIds], of: records.length, reason });
  }
  if (queue.fifo && outcome.kind === "partial") {
    const violations = fifoOrderViolations(records, outcome.failed);
    if (violations.length > 0) {
      logger.warn("handler reported messages after a failure in their FIFO group as processed; order is broken", {
        queueUrl,
        messageIds: violations,
      });
    }
  }
  const succeeded = records.filter((r) => !failedIds.has(r.messageId));
  summary.succeeded += succeeded.length;
  summary.failed += failedIds.size;
  await deleteRecords(sqs, queueUrl, succeeded, logger);

  if (runnerRedrive === undefined) return;
  for (const record of records) {
    if (!failedIds.has(record.messageId)) continue;
    if (Number(record.attributes.ApproximateReceiveCount) < runnerRedrive.maxReceiveCount) continue;
    await deadLetter(sqs, queueUrl, queue, record, runnerRedrive.deadLetterQueueUrl, reason);
    summary.deadLettered += 1;
    logger.warn("message moved to the dead-letter queue", {
      queueUrl,
      messageId: record.messageId,
      receiveCount: record.attributes.ApproximateReceiveCount,
      reason,
    });
  }
}

async function deleteRecords(sqs: SQSClient, queueUrl: string, records: SQSRecord[], logger: RunnerLogger) {
  if (records.length === 0) return;
  const result = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: records.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
    }),
  );
  // Lambda does not fail the batch when a delete fails: the message simply comes back (at-least-once).
  for (const failure of result.Failed ?? []) {
    logger.warn("delete failed; the message will be delivered again", { queueUrl, failure });
  }
}

/** Sends a copy with the reason to the dead-letter queue, then deletes the original: a crash in between duplicates, never loses. */
async function deadLetter(
  sqs: SQSClient,
  queueUrl: string,
  queue: QueueFacts,
  record: SQSRecord,
  deadLetterQueueUrl: string,
  reason: string,
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes)) {
    attributes[name] = {
      DataType: value.dataType,
      ...(value.stringValue !== undefined ? { StringValue: value.stringValue } : {}),
      ...(value.binaryValue !== undefined ? { BinaryValue: Buffer.from(value.binaryValue, "base64") } : {}),
    };
  }
  attributes[DEAD_LETTER_ATTRIBUTES.reason] = { DataType: "String", StringValue: reason.slice(0, 1024) || "failed" };
  attributes[DEAD_LETTER_ATTRIBUTES.sourceQueueArn] = { DataType: "String", StringValue: queue.arn };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MessageBody: record.body,
      MessageAttributes: attributes,
      ...(queue.fifo
        ? {
            MessageGroupId: record.attributes.MessageGroupId,
            // The source message id: a retried move is deduplicated by the dead-letter queue.
            MessageDeduplicationId: record.messageId,
          }
        : {}),
    }),
  );
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Resolves after `ms` or at abort, whichever is first (a back-off, not a synchronisation). */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
