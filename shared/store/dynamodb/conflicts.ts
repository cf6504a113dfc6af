/**
 * Transaction conflicts: DynamoDB refuses a write that touches an item while a transaction holds it
 * (a plain write with TransactionConflictException, a transaction with TransactionCanceledException
 * and a `TransactionConflict` reason), and the SDK does not retry either. A refused write did not
 * happen and every write here is conditional, so trying again is always safe: it either succeeds or
 * reports the real outcome (lease taken, FencedOut). The stores themselves write one item per
 * request, without transactions; a Gateway item still meets any transaction that touches it, which
 * is brief contention, not a fault worth failing an SQS message for.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { TransactionCanceledException, TransactionConflictException } from "@aws-sdk/client-dynamodb";

export interface ConflictRetry {
  /**
   * Attempts after the first.
   * @default 3 — a conflict lasts as long as the other transaction (milliseconds); four attempts
   * over ~140 ms outlast a competing reconciler's write without holding up an SQS batch for long.
   */
  retries: number;
  /**
   * Upper bound of the first delay in ms; doubles per retry, full jitter (20, 40, 80 ms bounds).
   * @default 20 — about one DynamoDB transaction's latency, so the first retry usually finds the item free.
   */
  baseDelayMs: number;
}

/** The retry policy both DynamoDB stores use unless told otherwise (see ConflictRetry for each default). */
export const DEFAULT_CONFLICT_RETRY: ConflictRetry = { retries: 3, baseDelayMs: 20 };

/** A conflict and nothing else: a cancellation that also has a failed condition is a real answer. */
export function isTransactionConflict(error: unknown): boolean {
  if (error instanceof TransactionConflictException) return true;
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
  return codes.includes("TransactionConflict") && !codes.includes("ConditionalCheckFailed");
}

/** Runs `write`, again after a short random delay while it fails with a conflict only. */
export async function retryConflicts<T>(write: () => Promise<T>, policy: ConflictRetry): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= policy.retries || !isTransactionConflict(error)) throw error;
      await sleep(Math.random() * policy.baseDelayMs * 2 ** attempt);
    }
  }
}
