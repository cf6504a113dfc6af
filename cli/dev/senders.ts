/**
 * The local forwarder's SenderId, for the registry's `senderId`. SQS reports a sender by its unique
 * id (`AIDA…`, `AROA…:session`); in the control plane registration resolves it with IAM, locally the
 * forwarder runs in this process, so it is learnt the one way that cannot disagree with SQS: by
 * sending a probe message with the forwarder's own client and reading the SenderId SQS attaches.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** The SenderId SQS reports for messages `sqs` sends; `probeQueueName` is created if missing. */
export async function probeSenderId(sqs: SQSClient, probeQueueName: string, deadline: number): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: probeQueueName }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${probeQueueName} returned no QueueUrl`);
  const marker = `switchyard-dev-probe-${process.pid}-${Date.now()}`;
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: marker }));
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["SenderId"],
      }),
    );
    for (const message of Messages) {
      // Every probe is removed, including those a crashed earlier run left behind.
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      const senderId = message.Attributes?.SenderId;
      if (message.Body === marker && senderId !== undefined) return senderId;
    }
  }
  throw new Error(`the sender probe on ${probeQueueName} did not come back`);
}
