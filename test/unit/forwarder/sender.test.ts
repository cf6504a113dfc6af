// The SQS sender against a scripted queue: batching, resending refused entries before anything
// newer, and waiting out an unreachable SQS without dropping a message.
import {
  GetQueueAttributesCommand,
  type GetQueueAttributesCommandOutput,
  type SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { BoundedBuffer } from "../../../forwarder/buffer.ts";
import type { Clock } from "../../../forwarder/clock.ts";
import type { OutgoingMessage } from "../../../forwarder/messages.ts";
import { type SqsPort, SqsSender } from "../../../forwarder/sender.ts";

/** What the fake queue does with one SendMessageBatch call. */
type Answer = "accept" | { refuse: string[] } | "unreachable";

class ScriptedQueue implements SqsPort {
  /** Bodies per call, in request order. */
  readonly calls: string[][] = [];
  readonly accepted: string[] = [];
  private readonly answers: Answer[];

  constructor(answers: Answer[]) {
    this.answers = answers;
  }

  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
  send(command: GetQueueAttributesCommand): Promise<GetQueueAttributesCommandOutput>;
  async send(
    command: SendMessageBatchCommand | GetQueueAttributesCommand,
  ): Promise<SendMessageBatchCommandOutput | GetQueueAttributesCommandOutput> {
    if (command instanceof GetQueueAttributesCommand) return { $metadata: {} };
    const entries = command.input.Entries ?? [];
    this.calls.push(entries.map((e) => String(e.MessageBody)));
    const answer = this.answers.shift() ?? "accept";
    if (answer === "unreachable") throw Object.assign(new Error("connect ECONNREFUSED"), { name: "Error" });
    const refused = answer === "accept" ? [] : answer.refuse;
    const failed = entries.filter((e) => refused.includes(String(e.MessageBody)));
    for (const e of entries) if (!refused.includes(String(e.MessageBody))) this.accepted.push(String(e.MessageBody));
    return {
      $metadata: {},
      Successful: [],
      Failed: failed.map((e) => ({ Id: e.Id, Code: "InternalError", SenderFault: false, Message: "try again" })),
    };
  }
}

function message(body: string): OutgoingMessage {
  return {
    body,
    bytes: body.length,
    groupId: body.split("-")[0] ?? body,
    deduplicationId: body,
    event: {
      schemaVersion: 1,
      clusterId: "c",
      kind: { group: "", version: "v1", kind: "Service" },
      op: "upsert",
      name: body,
      uid: body,
      resourceVersion: "1",
      object: {},
    },
  };
}

const instantClock: Clock & { slept: number[] } = {
  slept: [],
  now: () => 0,
  sleep: async function (ms) {
    this.slept.push(ms);
  },
  setTimer: () => () => undefined,
};

async function sendAll(
  bodies: string[],
  answers: Answer[],
): Promise<{ queue: ScriptedQueue; sent: string[]; errors: string[]; reachable: boolean }> {
  const queue = new ScriptedQueue(answers);
  const buffer = new BoundedBuffer<OutgoingMessage>(100);
  const sent: string[] = [];
  const errors: string[] = [];
  const controller = new AbortController();
  const sender = new SqsSender({
    sqs: queue,
    queueUrl: "https://sqs.example/q.fifo",
    buffer,
    clock: instantClock,
    random: () => 0,
    backoff: { initialMs: 10, maxMs: 100 },
    log: () => undefined,
    sent: (m) => {
      sent.push(m.body);
      if (sent.length === bodies.length) controller.abort();
    },
    failed: (code) => errors.push(code),
  });
  for (const body of bodies) await buffer.push(message(body));
  await sender.run(controller.signal);
  expect(buffer.depth).toBe(0);
  return { queue, sent, errors, reachable: sender.reachable };
}

describe("SqsSender", () => {
  it("sends in batches of at most ten", async () => {
    const bodies = Array.from({ length: 23 }, (_, i) => `g${i}`);
    const { queue, sent } = await sendAll(bodies, []);
    expect(queue.calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(sent).toEqual(bodies);
  });

  it("resends refused entries, alone, before taking newer messages", async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => `a-${i}`);
    const { queue, errors } = await sendAll(bodies, [{ refuse: ["a-3", "a-7"] }, { refuse: ["a-7"] }]);
    expect(queue.calls).toEqual([bodies.slice(0, 10), ["a-3", "a-7"], ["a-7"], ["a-10", "a-11"]]);
    expect(errors).toEqual(["InternalError", "InternalError", "InternalError"]);
    expect(new Set(queue.accepted)).toEqual(new Set(bodies));
  });

  it("keeps retrying while SQS is unreachable, with backoff, and delivers everything after", async () => {
    instantClock.slept.length = 0;
    const { queue, sent, reachable } = await sendAll(["x-1", "x-2"], ["unreachable", "unreachable", "unreachable"]);
    expect(queue.calls).toHaveLength(4);
    expect(sent).toEqual(["x-1", "x-2"]);
    expect(instantClock.slept).toEqual([5, 10, 20]);
    expect(reachable).toBe(true);
  });
});
