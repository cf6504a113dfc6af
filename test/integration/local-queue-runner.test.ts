// The local SQS → Lambda runner against moto's SQS: the event a handler sees, and what happens to
// messages after success, partial failure, a thrown error, repeated failure and abort.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEAD_LETTER_ATTRIBUTES,
  type QueueRunnerOptions,
  type QueueRunnerSummary,
  type RunnerLogger,
  startQueueRunner,
} from "../../functions/local/queue-runner.ts";
import { MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION, uniqueName, waitFor } from "../env/clients.ts";

const quietLogger: RunnerLogger = { info: () => {}, warn: () => {}, error: () => {} };
const DEADLINE = { timeoutMs: 20_000, intervalMs: 50 };

describe("local queue runner on moto SQS", () => {
  let sqs: SQSClient;
  const running: { controller: AbortController; stopped: Promise<QueueRunnerSummary> }[] = [];

  beforeAll(async () => {
    await resetMoto();
    sqs = new SQSClient(motoSettings());
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.controller.abort();
      await r.stopped;
    }
  });
  afterAll(() => sqs?.destroy());

  async function createQueue(options: { fifo: boolean; attributes?: Record<string, string> }): Promise<string> {
    const name = uniqueName("runner") + (options.fifo ? ".fifo" : "");
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { ...(options.fifo ? { FifoQueue: "true" } : {}), ...options.attributes },
      }),
    );
    return String(created.QueueUrl);
  }

  async function queueArn(queueUrl: string): Promise<string> {
    const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
    return String(result.Attributes?.QueueArn);
  }

  async function send(queueUrl: string, body: string, group?: string): Promise<string> {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        ...(group !== undefined ? { MessageGroupId: group, MessageDeduplicationId: body } : {}),
      }),
    );
    return String(sent.MessageId);
  }

  /** Messages visible or in flight, as SQS counts them. */
  async function messagesLeft(queueUrl: string): Promise<number> {
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  }

  async function receiveOne(queueUrl: string): Promise<Message | undefined> {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    return received.Messages?.[0];
  }

  function run(options: Omit<QueueRunnerOptions, "sqs" | "signal" | "logger">) {
    const controller = new AbortController();
    const runner = startQueueRunner({
      sqs,
      signal: controller.signal,
      logger: quietLogger,
      visibilityTimeoutSeconds: 1,
      waitTimeSeconds: 1,
      ...options,
    });
    const entry = { controller, stopped: runner.stopped };
    running.push(entry);
    return entry;
  }

  /** A handler that records every record it is given and answers with `decide`. */
  function recording(decide: (record: SQSRecord) => "ok" | "fail" = () => "ok") {
    const seen: SQSRecord[] = [];
    const events: { event: SQSEvent; context: Context }[] = [];
    const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
      events.push({ event, context });
      seen.push(...event.Records);
      return {
        batchItemFailures: event.Records.filter((r) => decide(r) === "fail").map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    };
    return { handler, seen, events };
  }

  it("gives the handler every field of Lambda's SQS record, with Lambda's types, and a Lambda context", async () => {
    const queueUrl = await createQueue({ fifo: true });
    const arn = await queueArn(queueUrl);
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"hello":"world"}',
        MessageGroupId: "gw-1",
        MessageDeduplicationId: "dedup-1",
        MessageAttributes: {
          cluster: { DataType: "String", StringValue: "prod-1" },
          blob: { DataType: "Binary", BinaryValue: Buffer.from("bytes") },
        },
      }),
    );
    const { handler, events } = recording();
    run({ queueUrl, handler, functionName: "reconcile" });
    const { event, context } = await waitFor("an invocation", async () => events[0], DEADLINE);

    expect(event.Records).toHaveLength(1);
    const [record] = event.Records;
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"hello":"world"}',
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.stringMatching(/^[A-Z0-9:.@-]+$/i),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        SequenceNumber: expect.stringMatching(/^\d+$/),
        MessageGroupId: "gw-1",
        MessageDeduplicationId: "dedup-1",
      },
      messageAttributes: {
        cluster: { stringValue: "prod-1", stringListValues: [], binaryListValues: [], dataType: "String" },
        blob: {
          binaryValue: Buffer.from("bytes").toString("base64"),
          stringListValues: [],
          binaryListValues: [],
          dataType: "Binary",
        },
      },
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: "aws:sqs",
      eventSourceARN: arn,
      awsRegion: TEST_REGION,
    });
    expect(context).toMatchObject({
      functionName: "reconcile",
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:function:reconcile`,
      memoryLimitInMB: expect.stringMatching(/^\d+$/),
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      logGroupName: "/aws/lambda/reconcile",
      logStreamName: expect.any(String),
    });
    const remaining = context.getRemainingTimeInMillis();
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(30_000);
  });

  it("deletes only the messages not reported as failed; a failed one returns with ApproximateReceiveCount 2", async () => {
    const queueUrl = await createQueue({ fifo: false });
    const ids = { a: await send(queueUrl, "a"), b: await send(queueUrl, "b"), c: await send(queueUrl, "c") };
    const { handler, seen } = recording((r) =>
      r.body === "b" && r.attributes.ApproximateReceiveCount === "1" ? "fail" : "ok",
    );
    run({ queueUrl, handler });

    const again = await waitFor(
      "b delivered a second time",
      async () => seen.find((r) => r.messageId === ids.b && r.attributes.ApproximateReceiveCount === "2"),
      DEADLINE,
    );
    expect(again.body).toBe("b");
    await waitFor(
      "the queue to empty",
      async () => ((await messagesLeft(queueUrl)) === 0 ? true : undefined),
      DEADLINE,
    );
    const deliveries = (id: string) => seen.filter((r) => r.messageId === id).length;
    expect([deliveries(ids.a), deliveries(ids.b), deliveries(ids.c)]).toEqual([1, 2, 1]);
  });

  it("fails the whole batch when the handler throws: every message returns", async () => {
    const queueUrl = await createQueue({ fifo: false });
    await send(queueUrl, "x");
    await send(queueUrl, "y");
    const seen: SQSRecord[] = [];
    run({
      queueUrl,
      handler: async (event) => {
        seen.push(...event.Records);
        if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === "1")) throw new Error("boom");
      },
    });
    await waitFor(
      "the queue to empty",
      async () => ((await messagesLeft(queueUrl)) === 0 ? true : undefined),
      DEADLINE,
    );
    const counts = (body: string) =>
      seen.filter((r) => r.body === body).map((r) => r.attributes.ApproximateReceiveCount);
    expect(counts("x")).toEqual(["1", "2"]);
    expect(counts("y")).toEqual(["1", "2"]);
  });

  // One message per batch: with several failed messages of a group in flight, moto returns them out
  // of order (test/env/QUIRKS-runner.md R1), where AWS keeps the group's order.
  it("keeps each FIFO group in order when a message fails: the group waits for its failed message", async () => {
    const queueUrl = await createQueue({ fifo: true });
    const sent = ["g-1", "g-2", "g-3", "g-4", "h-1", "h-2"];
    for (const body of sent) await send(queueUrl, body, body.slice(0, 1));
    const processed: string[] = [];
    let failedOnce = false;
    // AWS's rule for FIFO handlers: after a failure, report every later message of the batch too.
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const failures: { itemIdentifier: string }[] = [];
      for (const record of event.Records) {
        if (failures.length > 0 || (record.body === "g-2" && !failedOnce)) {
          failedOnce ||= record.body === "g-2";
          failures.push({ itemIdentifier: record.messageId });
          continue;
        }
        processed.push(record.body);
      }
      return { batchItemFailures: failures };
    };
    run({ queueUrl, handler, batchSize: 1 });
    await waitFor(
      "every message processed",
      async () => (processed.length === sent.length ? true : undefined),
      DEADLINE,
    );
    expect(failedOnce).toBe(true);
    expect(processed.filter((b) => b.startsWith("g"))).toEqual(["g-1", "g-2", "g-3", "g-4"]);
    expect(processed.filter((b) => b.startsWith("h"))).toEqual(["h-1", "h-2"]);
  });

  it("leaves dead-lettering to the queue's RedrivePolicy: after maxReceiveCount failures the message is in the DLQ", async () => {
    const dlqUrl = await createQueue({ fifo: true });
    const queueUrl = await createQueue({
      fifo: true,
      attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(dlqUrl), maxReceiveCount: 2 }),
      },
    });
    const messageId = await send(queueUrl, "poison", "g");
    const { handler, seen } = recording(() => "fail");
    const runner = run({ queueUrl, handler, maxReceiveCount: 5, deadLetterQueueUrl: dlqUrl });

    const dead = await waitFor("the message in the DLQ", () => receiveOne(dlqUrl), DEADLINE);
    expect(dead.MessageId).toBe(messageId);
    expect(dead.Body).toBe("poison");
    expect(seen.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["1", "2"]);
    runner.controller.abort();
    expect((await runner.stopped).deadLettered).toBe(0);
  });

  it("dead-letters by itself, with the reason, when the queue has no RedrivePolicy", async () => {
    const dlqUrl = await createQueue({ fifo: true });
    const queueUrl = await createQueue({ fifo: true });
    await send(queueUrl, "poison", "g");
    const seen: SQSRecord[] = [];
    const runner = run({
      queueUrl,
      maxReceiveCount: 2,
      deadLetterQueueUrl: dlqUrl,
      handler: async (event) => {
        seen.push(...event.Records);
        throw new Error("certificate not found");
      },
    });

    const dead = await waitFor("the message in the DLQ", () => receiveOne(dlqUrl), DEADLINE);
    expect(dead.Body).toBe("poison");
    expect(dead.Attributes?.MessageGroupId).toBe("g");
    expect(dead.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue).toBe("Error: certificate not found");
    expect(dead.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceQueueArn]?.StringValue).toBe(await queueArn(queueUrl));
    expect(seen.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["1", "2"]);
    expect(await messagesLeft(queueUrl)).toBe(0);
    runner.controller.abort();
    expect((await runner.stopped).deadLettered).toBe(1);
  });

  it("stops polling at abort without waiting out the long poll, and receives nothing afterwards", async () => {
    const queueUrl = await createQueue({ fifo: false });
    const { handler, seen } = recording();
    const runner = run({ queueUrl, handler, waitTimeSeconds: 20 });
    const before = Date.now();
    runner.controller.abort();
    const summary = await runner.stopped;
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(summary.batches).toBe(0);

    await send(queueUrl, "after-abort");
    const left = await receiveOne(queueUrl);
    expect(left?.Body).toBe("after-abort");
    expect(left?.Attributes?.ApproximateReceiveCount).toBe("1");
    expect(seen).toEqual([]);
  });

  it("finishes the batch in flight at abort, deleting it, before it stops", async () => {
    const queueUrl = await createQueue({ fifo: false });
    await send(queueUrl, "in-flight");
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const runner = run({
      queueUrl,
      handler: async () => {
        started = true;
        await released;
      },
    });
    await waitFor("the handler to start", async () => (started ? true : undefined), DEADLINE);
    runner.controller.abort();
    let stopped = false;
    void runner.stopped.then(() => {
      stopped = true;
    });
    // The runner cannot have stopped while its handler has not returned.
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    const summary = await runner.stopped;
    expect(summary).toEqual({ batches: 1, succeeded: 1, failed: 0, deadLettered: 0 });
    expect(await messagesLeft(queueUrl)).toBe(0);
  });
});
