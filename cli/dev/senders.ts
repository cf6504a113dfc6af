/**
 * Who may send events for a cluster, as ingest checks it. The registry names a cluster's forwarder
 * by IAM principal ARN, while SQS reports a sender by its unique id (`AIDA…`, `AROA…:session`). In
 * the control plane the stack resolves one to the other; locally the forwarder runs in this
 * process, so its SenderId is learnt the one way that cannot disagree with SQS: by sending a probe
 * message with the forwarder's own client and reading the SenderId SQS attaches.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SenderDirectory } from "../../shared/pipeline/ingest.ts";
import type { ClusterRegistry } from "../../shared/registry/registry.ts";

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

/**
 * The registry's principal for a cluster, as a SenderId: the local forwarder's principal maps to
 * the probed id; any other principal is returned as is, an ARN, which no SenderId equals — so an
 * event claiming another cluster is refused as sender-mismatch, never accepted.
 */
export function registrySenderDirectory(
  registry: ClusterRegistry,
  local: { principal: string; senderId: string },
): SenderDirectory {
  return {
    async principalOf(clusterId) {
      const cluster = await registry.get(clusterId);
      if (cluster === undefined) return undefined;
      return cluster.senderPrincipal === local.principal ? local.senderId : cluster.senderPrincipal;
    },
  };
}
