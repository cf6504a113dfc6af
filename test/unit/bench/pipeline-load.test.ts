import { describe, expect, it } from "vitest";
import type { ApiCall } from "../../../bench/lib/api-recorder.ts";
import { handlerInvocations, itemSize } from "../../../bench/scenarios/pipeline-load.ts";

const sqs = (queueUrl: string, operation: string, start: number, end: number, receivedIds?: string[]): ApiCall => ({
  endpoint: "moto",
  service: "sqs",
  operation,
  start,
  end,
  queueUrl,
  ...(receivedIds ? { receivedIds } : {}),
});

describe("handlerInvocations", () => {
  const queues = ["q-events", "q-reconcile", "q-status"];

  it("an invocation runs from a receive that returned messages to the next delete on its queue", () => {
    const calls = [
      sqs("q-events", "ReceiveMessage", 0, 100, ["a", "b", "c"]),
      sqs("q-reconcile", "ReceiveMessage", 50, 150, ["r"]),
      sqs("q-events", "DeleteMessageBatch", 400, 410),
      sqs("q-reconcile", "ChangeMessageVisibility", 900, 905),
    ];
    expect(handlerInvocations(calls, queues)).toEqual([
      { queue: "events", messages: 3, ms: 300 },
      { queue: "reconcile", messages: 1, ms: 750 },
    ]);
  });

  it("ignores empty long polls, sends, and a receive whose batch was never deleted", () => {
    const calls = [
      sqs("q-status", "ReceiveMessage", 0, 20_000, []),
      sqs("q-status", "SendMessage", 10, 20),
      sqs("q-status", "ReceiveMessage", 20_000, 20_010, ["s"]),
    ];
    expect(handlerInvocations(calls, queues)).toEqual([]);
  });

  it("a send made by the handler (to another queue's URL or its own) does not end the invocation", () => {
    const calls = [
      sqs("q-reconcile", "ReceiveMessage", 0, 10, ["r"]),
      sqs("q-reconcile", "SendMessage", 15, 20),
      sqs("q-reconcile", "DeleteMessageBatch", 30, 35),
    ];
    expect(handlerInvocations(calls, queues)).toEqual([{ queue: "reconcile", messages: 1, ms: 20 }]);
  });

  it("pairs each receive with its own delete when batches follow each other", () => {
    const calls = [
      sqs("q-status", "ReceiveMessage", 0, 10, ["1"]),
      sqs("q-status", "DeleteMessageBatch", 30, 35),
      sqs("q-status", "ReceiveMessage", 35, 40, ["2"]),
      sqs("q-status", "DeleteMessageBatch", 100, 105),
    ];
    expect(handlerInvocations(calls, queues).map((i) => i.ms)).toEqual([20, 60]);
  });
});

describe("itemSize (DynamoDB's item size rules)", () => {
  it("counts attribute names and string bytes", () => {
    expect(itemSize({ pk: { S: "abc" }, é: { S: "€" } })).toBe(2 + 3 + 2 + 3);
  });

  it("counts a number by its significant digits, two per byte, plus one", () => {
    expect(itemSize({ n: { N: "12345" } })).toBe(1 + 4);
  });

  it("counts nested maps and lists with their overhead", () => {
    expect(itemSize({ m: { M: { a: { BOOL: true } } } })).toBe(1 + 3 + (1 + 1) + 1);
    expect(itemSize({ l: { L: [{ S: "xy" }, { NULL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
  });
});
