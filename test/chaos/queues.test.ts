// The chaos runs' in-memory queues keep SQS's redelivery rules; the drain skips ahead with
// `nextAvailableAt`, so it must name a time at which something really becomes receivable.
import { describe, expect, it } from "vitest";
import { MemoryQueue, VirtualClock } from "./queues.ts";

const queue = (clock: VirtualClock, fifo: boolean) =>
  new MemoryQueue(clock, { fifo, retryAfterMs: 5_000, maxReceiveCount: 3 });

describe("the chaos runs' memory queues", () => {
  it("a FIFO group yields only its head, and nothing behind an in-flight head", () => {
    const clock = new VirtualClock();
    const q = queue(clock, true);
    q.push("a", "g");
    q.push("b", "g");
    q.push("c", "h");
    expect(q.receive(10).map((i) => i.body)).toEqual(["a", "c"]);
    expect(q.receive(10)).toEqual([]);
  });

  it("after a failed head, skipping to nextAvailableAt makes the head receivable again", () => {
    const clock = new VirtualClock();
    const q = queue(clock, true);
    q.push("a", "g");
    q.push("b", "g");
    const first = q.receive(10);
    q.settle(first, new Set(first.map((i) => i.id)));
    expect(q.receive(10)).toEqual([]);
    const next = q.nextAvailableAt();
    expect(next).toBeGreaterThan(clock.now());
    clock.advanceTo(next ?? 0);
    expect(q.receive(10).map((i) => i.body)).toEqual(["a"]);
  });

  it("a standard queue's next receivable time is its earliest message's", () => {
    const clock = new VirtualClock();
    const q = queue(clock, false);
    q.push("a");
    const first = q.receive(1);
    q.settle(first, new Set(first.map((i) => i.id)));
    expect(q.nextAvailableAt()).toBeGreaterThan(clock.now());
    q.push("b");
    expect(q.nextAvailableAt()).toBe(0);
  });

  it("a message failing maxReceiveCount times is dead-lettered and frees its group", () => {
    const clock = new VirtualClock();
    const q = queue(clock, true);
    q.push("a", "g");
    q.push("b", "g");
    for (let attempt = 0; attempt < 3; attempt++) {
      clock.advanceTo(q.nextAvailableAt() ?? 0);
      const received = q.receive(10);
      expect(received.map((i) => i.body)).toEqual(["a"]);
      q.settle(received, new Set(received.map((i) => i.id)));
    }
    expect(q.dead.map((i) => i.body)).toEqual(["a"]);
    expect(q.receive(10).map((i) => i.body)).toEqual(["b"]);
  });
});
