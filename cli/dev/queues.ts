/**
 * The pipeline's queues on an SQS endpoint, created when missing, with the shape the CDK stack
 * gives them: events.fifo and reconcile.fifo are FIFO (per-object and per-Gateway order), the
 * status queue is standard, and each has a dead-letter queue that SQS itself redrives to after
 * `maxReceiveCount` receives — so a poisoned message leaves the local runner's loop exactly as it
 * would leave Lambda's.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

export interface PipelineQueues {
  events: string;
  eventsDeadLetter: string;
  reconcile: string;
  reconcileDeadLetter: string;
  status: string;
  statusDeadLetter: string;
}

export interface QueueSettings {
  /** Prefix of every queue name, e.g. `switchyard-dev` → `switchyard-dev-events.fifo`. */
  prefix: string;
  /** Receives before SQS moves a message to the queue's dead-letter queue. */
  maxReceiveCount: number;
  /** The queues' own visibility timeout (Lambda wants at least the function timeout). */
  visibilityTimeoutSeconds: number;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${queueUrl} reports no QueueArn`);
  return arn;
}

/**
 * CreateQueue is idempotent for identical attributes, and answers QueueAlreadyExists when they
 * differ: a queue created earlier with other settings is an error the user must resolve, not
 * something to silently reuse with a different redrive policy.
 */
async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}

export async function queueWithDeadLetter(
  sqs: SQSClient,
  base: string,
  fifo: boolean,
  settings: QueueSettings,
): Promise<{ url: string; deadLetter: string }> {
  const suffix = fifo ? ".fifo" : "";
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: "true" } : {};
  const deadLetter = await createQueue(sqs, `${base}-dlq${suffix}`, {
    ...fifoAttributes,
    // Dead letters wait for a person: keep them as long as SQS allows (14 days).
    MessageRetentionPeriod: String(14 * 24 * 60 * 60),
  });
  const url = await createQueue(sqs, `${base}${suffix}`, {
    ...fifoAttributes,
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, deadLetter),
      maxReceiveCount: settings.maxReceiveCount,
    }),
  });
  return { url, deadLetter };
}

export async function ensureQueues(sqs: SQSClient, settings: QueueSettings): Promise<PipelineQueues> {
  const events = await queueWithDeadLetter(sqs, `${settings.prefix}-events`, true, settings);
  const reconcile = await queueWithDeadLetter(sqs, `${settings.prefix}-reconcile`, true, settings);
  const status = await queueWithDeadLetter(sqs, `${settings.prefix}-status`, false, settings);
  return {
    events: events.url,
    eventsDeadLetter: events.deadLetter,
    reconcile: reconcile.url,
    reconcileDeadLetter: reconcile.deadLetter,
    status: status.url,
    statusDeadLetter: status.deadLetter,
  };
}
