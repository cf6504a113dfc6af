// SQS FIFO semantics against moto: order within a message group, deduplication by id.
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoSettings, resetMoto, uniqueName } from "../env/clients.ts";

describe("SQS FIFO on moto", () => {
  let sqs: SQSClient;

  beforeAll(async () => {
    await resetMoto();
    sqs = new SQSClient(motoSettings());
  });

  afterAll(() => sqs?.destroy());

  async function createFifoQueue(): Promise<string> {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: `${uniqueName("events")}.fifo`, Attributes: { FifoQueue: "true" } }),
    );
    return String(created.QueueUrl);
  }

  /**
   * Receives and deletes until a long poll comes back empty. Deleting matters: FIFO hides the rest
   * of a message group while any of its messages is in flight.
   */
  async function drain(queueUrl: string): Promise<Message[]> {
    const received: Message[] = [];
    for (let round = 0; round < 50; round++) {
      const batch = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["MessageGroupId"],
        }),
      );
      const messages = batch.Messages ?? [];
      if (messages.length === 0) return received;
      received.push(...messages);
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      expect(deleted.Failed ?? []).toEqual([]);
    }
    throw new Error(`queue ${queueUrl} still delivered messages after 50 receives`);
  }

  it("delivers the messages of one group in the order they were sent", async () => {
    const queueUrl = await createFifoQueue();
    const sent: Record<string, string[]> = { a: [], b: [] };
    // Interleave two groups; only the order within each group is guaranteed.
    for (let i = 0; i < 12; i++) {
      const group = i % 3 === 0 ? "b" : "a";
      const body = `${group}-${i}`;
      sent[group]?.push(body);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: body,
        }),
      );
    }

    const received = await drain(queueUrl);
    const byGroup = (group: string): string[] =>
      received.filter((m) => m.Attributes?.MessageGroupId === group).map((m) => String(m.Body));
    expect(byGroup("a")).toEqual(sent.a);
    expect(byGroup("b")).toEqual(sent.b);
  });

  it("accepts but does not deliver a second message with an already used deduplication id", async () => {
    const queueUrl = await createFifoQueue();
    const first = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "original",
        MessageGroupId: "g1",
        MessageDeduplicationId: "gateway-default-web-7",
      }),
    );
    // Another group, so a delivered duplicate could not hide behind the first message's group.
    const duplicate = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "duplicate",
        MessageGroupId: "g2",
        MessageDeduplicationId: "gateway-default-web-7",
      }),
    );
    expect(first.MessageId).toBeTruthy();
    expect(duplicate.MessageId).toBeTruthy();

    const received = await drain(queueUrl);
    expect(received.map((m) => m.Body)).toEqual(["original"]);
  });
});
