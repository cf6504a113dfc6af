/**
 * The bounded queue between the watches and the SQS sender. When it is full, `push` waits: the
 * watch loops stop reading from the API server (TCP flow control does the rest) instead of dropping
 * events. Items leave the count only when the sender reports them sent, so a long SQS outage fills
 * the buffer and stalls the watches rather than growing memory without limit. Waiters are served in
 * arrival order, which keeps per-object order.
 */

export interface Sized {
  bytes: number;
}

export class BoundedBuffer<T extends Sized> {
  private readonly items: T[] = [];
  private inFlight = 0;
  private readonly capacity: number;
  private readonly spaceWaiters: (() => void)[] = [];
  private itemWaiter: (() => void) | undefined;
  private closed = false;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`buffer capacity must be ≥ 1, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Queued plus taken-but-not-yet-sent items. */
  get depth(): number {
    return this.items.length + this.inFlight;
  }

  /** Rejects with BufferClosed once the forwarder stops, so a waiting watch loop can end. */
  async push(item: T): Promise<void> {
    while (this.depth >= this.capacity || this.spaceWaiters.length > 0) {
      if (this.closed) throw new BufferClosed();
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (this.closed) throw new BufferClosed();
      if (this.depth < this.capacity) break;
    }
    this.items.push(item);
    const waiter = this.itemWaiter;
    this.itemWaiter = undefined;
    waiter?.();
  }

  /**
   * Up to `maxCount` items whose bytes sum to at most `maxBytes` (always at least one), waiting for
   * one if empty; undefined when `signal` aborts. Call `release` once they are sent.
   */
  async take(maxCount: number, maxBytes: number, signal: AbortSignal): Promise<T[] | undefined> {
    while (this.items.length === 0) {
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        this.itemWaiter = resolve;
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    const batch: T[] = [];
    let bytes = 0;
    for (const item of this.items) {
      if (batch.length >= maxCount || (batch.length > 0 && bytes + item.bytes > maxBytes)) break;
      batch.push(item);
      bytes += item.bytes;
    }
    this.items.splice(0, batch.length);
    this.inFlight += batch.length;
    return batch;
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.spaceWaiters.splice(0)) waiter();
  }

  release(count: number): void {
    this.inFlight -= count;
    let free = this.capacity - this.depth;
    while (free > 0 && this.spaceWaiters.length > 0) {
      this.spaceWaiters.shift()?.();
      free--;
    }
  }
}

export class BufferClosed extends Error {
  constructor() {
    super("the forwarder is stopping");
    this.name = "BufferClosed";
  }
}
