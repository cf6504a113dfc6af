/**
 * What Lambda's SQS event source mapping does with a batch, as pure functions: the event it builds
 * from received messages, and how it reads the function's answer. The local queue runner
 * (`queue-runner.ts`) does the I/O around them, so a handler run locally sees exactly the event and
 * gets exactly the retry behaviour it would get in Lambda.
 */
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from "aws-lambda";

/** The queue a batch came from, as Lambda names it in each record. */
export interface QueueIdentity {
  arn: string;
  region: string;
}

/** Region and account of an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } {
  const parts = arn.split(":");
  if (parts.length !== 6 || parts[2] !== "sqs") throw new Error(`not an SQS queue ARN: ${arn}`);
  const [, , , region = "", account = "", name = ""] = parts;
  return { region, account, name };
}

/**
 * The system attributes Lambda puts in `record.attributes`: the four every queue has, the three of
 * FIFO queues, and the two that appear only when set. ReceiveMessage must ask for them ("All").
 */
const ALWAYS = ["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"] as const;
const WHEN_PRESENT = [
  "SequenceNumber",
  "MessageGroupId",
  "MessageDeduplicationId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

/** A received message lacks something every Lambda record carries: the receive call was wrong. */
export class IncompleteMessage extends Error {
  constructor(messageId: string | undefined, missing: string) {
    super(`received message ${messageId ?? "(no id)"} has no ${missing}; receive with every system attribute`);
    this.name = "IncompleteMessage";
  }
}

/** Lambda's message attribute format: camelCase, binary as base64, the list members always present. */
function lambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
      dataType: value.DataType ?? "String",
    };
  }
  return result;
}

/** The Lambda SQS record for one received message; throws IncompleteMessage if a field is missing. */
export function lambdaSqsRecord(message: Message, queue: QueueIdentity): SQSRecord {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (MessageId === undefined) throw new IncompleteMessage(MessageId, "MessageId");
  if (ReceiptHandle === undefined) throw new IncompleteMessage(MessageId, "ReceiptHandle");
  if (MD5OfBody === undefined) throw new IncompleteMessage(MessageId, "MD5OfBody");
  const received = message.Attributes ?? {};
  const pick = (name: string): string | undefined => received[name as keyof typeof received];
  const always: Record<(typeof ALWAYS)[number], string> = {
    ApproximateReceiveCount: "",
    SentTimestamp: "",
    SenderId: "",
    ApproximateFirstReceiveTimestamp: "",
  };
  for (const name of ALWAYS) {
    const value = pick(name);
    if (value === undefined) throw new IncompleteMessage(MessageId, `attribute ${name}`);
    always[name] = value;
  }
  const attributes: SQSRecordAttributes = { ...always };
  for (const name of WHEN_PRESENT) {
    const value = pick(name);
    if (value !== undefined) attributes[name] = value;
  }
  return {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body ?? "",
    attributes,
    messageAttributes: lambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: MD5OfBody,
    ...(message.MD5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}

/** What Lambda makes of a batch's outcome: which messages it deletes and which it leaves to come back. */
export type BatchOutcome =
  | { kind: "succeeded" }
  | { kind: "partial"; failed: ReadonlySet<string> }
  | { kind: "failed"; reason: string };

/**
 * Lambda's reading of a function's answer with ReportBatchItemFailures on (Lambda Developer Guide,
 * "Reporting batch item failures"): no answer, no `batchItemFailures` or an empty list is success;
 * an answer naming a message that is not in the batch, or an identifier that is empty or not a
 * string, fails the whole batch, since Lambda cannot tell what was done.
 */
export function interpretBatchResponse(response: unknown, messageIds: readonly string[]): BatchOutcome {
  if (response === undefined || response === null) return { kind: "succeeded" };
  if (typeof response !== "object" || Array.isArray(response)) {
    return { kind: "failed", reason: "the response is not a JSON object" };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: "succeeded" };
  if (!Array.isArray(failures)) return { kind: "failed", reason: "batchItemFailures is not a list" };
  if (failures.length === 0) return { kind: "succeeded" };
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id =
      typeof failure === "object" && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== "string" || id === "") {
      return { kind: "failed", reason: "a batchItemFailures entry has no itemIdentifier" };
    }
    if (!inBatch.has(id)) return { kind: "failed", reason: `itemIdentifier ${id} is not a message of the batch` };
    failed.add(id);
  }
  return { kind: "partial", failed };
}

/**
 * Messages of a FIFO batch that the handler reported as processed after an earlier message of the
 * same group failed. Lambda deletes them anyway (it trusts the answer), which breaks the group's
 * order: the failed message comes back after its successors. AWS's guidance is to stop at the first
 * failure and report every later message of the batch too (Powertools' SqsFifoPartialProcessor does).
 * The runner deletes like Lambda and warns with these ids.
 */
export function fifoOrderViolations(records: readonly SQSRecord[], failed: ReadonlySet<string>): string[] {
  const failedGroups = new Set<string>();
  const violations: string[] = [];
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? "";
    if (failed.has(record.messageId)) failedGroups.add(group);
    else if (failedGroups.has(group)) violations.push(record.messageId);
  }
  return violations;
}
