// Where moto's SQS differs from AWS in what the local queue runner relies on (test/env/QUIRKS-runner.md).
// Each test asserts moto's behaviour, so a moto upgrade that fixes it shows up as a failure here.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoSettings, resetMoto, uniqueName, waitFor } from "../env/clients.ts";

describe("moto SQS quirks seen by the queue runner", () => {
  let sqs: SQSClient;

  beforeAll(async () => {
    await resetMoto();
    sqs = new SQSClient(motoSettings());
  });
  afterAll(() => sqs?.destroy());

  async function fifoQueue(attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${uniqueName("quirk")}.fifo`,
        Attributes: { FifoQueue: "true", ...attributes },
      }),
    );
    const url = String(created.QueueUrl);
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    return { url, arn: String(a.QueueArn) };
  }

  async function receive(url: string, max: number): Promise<Message[]> {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: max,
        VisibilityTimeout: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    return r.Messages ?? [];
  }

  it("R1: returns the last of several timed-out messages of a FIFO group first", async () => {
    const { url } = await fifoQueue();
    for (const body of ["g-1", "g-2", "g-3"]) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: "g", MessageDeduplicationId: body }),
      );
    }
    expect((await receive(url, 10)).map((m) => m.Body)).toEqual(["g-1", "g-2", "g-3"]);
    // None deleted: after the visibility timeout AWS delivers g-1 first again.
    const again = await waitFor(
      "the group to come back",
      async () => {
        const messages = await receive(url, 10);
        return messages.length > 0 ? messages : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(again.map((m) => m.Body)).toEqual(["g-3"]);
  });

  it("R2: a message moved by a RedrivePolicy carries no DeadLetterQueueSourceArn", async () => {
    const dlq = await fifoQueue();
    const source = await fifoQueue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: source.url,
        MessageBody: "p",
        MessageGroupId: "g",
        MessageDeduplicationId: "p",
      }),
    );
    expect(await receive(source.url, 1)).toHaveLength(1);
    const dead = await waitFor(
      "the message in the DLQ",
      async () => {
        // A receive on the source is what makes moto move it (AWS moves it on the receive too).
        await receive(source.url, 1);
        return (await receive(dlq.url, 1))[0];
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(dead.Body).toBe("p");
    expect(dead.Attributes?.DeadLetterQueueSourceArn).toBeUndefined();
    expect(dead.Attributes?.ApproximateReceiveCount).toBe("2");
  });
});
