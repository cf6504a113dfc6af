// The chaos runs' delivery layer: in-memory queues with SQS's redelivery rules (a failed message
// comes back after the visibility timeout, FIFO groups deliver in order and one at a time, a
// message failing `maxReceiveCount` times is dead-lettered), timed by the run's virtual clock so a
// run never waits for a lease or a visibility timeout to pass. Not a test file itself.
import type { SQSEvent, SQSRecord } from "aws-lambda";

/**
 * The run's time: it starts at the wall clock and moves only when the run skips ahead, so a replay
 * sees the same times whatever the machine's load (a lease or a visibility timeout never passes
 * because a step happened to be slow). The reconciler, ingest and queues share it.
 */
export class VirtualClock {
  readonly #start = Date.now();
  #offset = 0;
  now = (): number => this.#start + this.#offset;
  advanceTo(at: number): void {
    const gap = at - this.now();
    if (gap > 0) this.#offset += gap;
  }
}

export interface Queued {
  id: string;
  body: string;
  group?: string;
  receives: number;
  availableAt: number;
}

let ids = 0;

export class MemoryQueue {
  readonly items: Queued[] = [];
  readonly dead: Queued[] = [];
  readonly #clock: VirtualClock;
  readonly #fifo: boolean;
  readonly #retryAfterMs: number;
  readonly #maxReceiveCount: number;

  constructor(clock: VirtualClock, options: { fifo: boolean; retryAfterMs: number; maxReceiveCount: number }) {
    this.#clock = clock;
    this.#fifo = options.fifo;
    this.#retryAfterMs = options.retryAfterMs;
    this.#maxReceiveCount = options.maxReceiveCount;
  }

  push(body: string, group?: string): void {
    ids += 1;
    this.items.push({
      id: `m-${ids}`,
      body,
      ...(group !== undefined ? { group } : {}),
      receives: 0,
      availableAt: 0,
    });
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * When the next message becomes receivable, if any is waiting. In a FIFO queue only a group's head
   * can be received, so the messages queued behind an in-flight head wait for it, not for their own
   * `availableAt` (which is 0 until they are first received).
   */
  nextAvailableAt(): number | undefined {
    const heads = new Set<string>();
    let next: number | undefined;
    for (const item of this.items) {
      if (this.#fifo && item.group !== undefined) {
        if (heads.has(item.group)) continue;
        heads.add(item.group);
      }
      next = next === undefined ? item.availableAt : Math.min(next, item.availableAt);
    }
    return next;
  }

  /** Up to `count` receivable messages; a FIFO group yields only its head, and only when it is visible. */
  receive(count: number): Queued[] {
    const now = this.#clock.now();
    const seen = new Set<string>();
    const out: Queued[] = [];
    for (const item of this.items) {
      if (out.length >= count) break;
      if (this.#fifo && item.group !== undefined) {
        if (seen.has(item.group)) continue;
        seen.add(item.group);
      }
      if (item.availableAt <= now) out.push(item);
    }
    for (const item of out) {
      item.receives += 1;
      // In flight: invisible until deleted or the visibility timeout passes.
      item.availableAt = now + this.#retryAfterMs;
    }
    return out;
  }

  /**
   * SQS's ChangeMessageVisibility: the in-flight message `receiptHandle` names comes back `seconds`
   * from now (the reconcile λ's deferral of a paced request or an early recheck).
   */
  defer(receiptHandle: string, seconds: number): void {
    const item = this.items.find((i) => receiptHandleOf(i) === receiptHandle);
    if (item) item.availableAt = this.#clock.now() + seconds * 1000;
  }

  /** The handler's verdict: done messages are deleted; failed ones come back later or die. */
  settle(received: readonly Queued[], failedIds: ReadonlySet<string>): void {
    for (const item of received) {
      const at = this.items.indexOf(item);
      if (at < 0) continue;
      if (!failedIds.has(item.id)) {
        this.items.splice(at, 1);
      } else if (item.receives >= this.#maxReceiveCount) {
        this.items.splice(at, 1);
        this.dead.push(item);
      }
    }
  }
}

/** A receipt handle per receive, as SQS gives. */
const receiptHandleOf = (item: Queued) => `receipt-${item.id}-${item.receives}`;

export function sqsRecordOf(item: Queued, senderId: string): SQSRecord {
  return {
    messageId: item.id,
    receiptHandle: receiptHandleOf(item),
    body: item.body,
    attributes: {
      ApproximateReceiveCount: String(item.receives),
      SentTimestamp: "0",
      SenderId: senderId,
      ApproximateFirstReceiveTimestamp: "0",
      ...(item.group !== undefined ? { MessageGroupId: item.group } : {}),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:chaos",
    awsRegion: "us-east-1",
  };
}

export function sqsEventOf(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
