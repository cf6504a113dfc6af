/**
 * Partial batch responses for SQS-triggered Lambdas, with FIFO order kept: once a record of a
 * message group fails, the later records of that group in the batch are reported failed without
 * being handled, so SQS redelivers them after it, in order (what AWS requires of FIFO sources:
 * a later message must never be processed before an earlier one that will be retried).
 */
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";

/** `ok`: delete the message. `retry`: report it failed, SQS redelivers it after its visibility timeout. */
export type RecordResult = "ok" | "retry";

export interface BatchHooks {
  /** A handler threw: logged by the caller, and the record is retried. */
  error(record: SQSRecord, error: unknown): void;
  /** A record skipped because an earlier record of its group failed. */
  skipped?(record: SQSRecord): void;
}

export async function processSqsBatch(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<RecordResult>,
  hooks: BatchHooks,
): Promise<SQSBatchResponse> {
  const failed: string[] = [];
  const blockedGroups = new Set<string>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    if (group !== undefined && blockedGroups.has(group)) {
      hooks.skipped?.(record);
      failed.push(record.messageId);
      continue;
    }
    let result: RecordResult;
    try {
      result = await handle(record);
    } catch (error) {
      hooks.error(record, error);
      result = "retry";
    }
    if (result === "retry") {
      failed.push(record.messageId);
      if (group !== undefined) blockedGroups.add(group);
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
