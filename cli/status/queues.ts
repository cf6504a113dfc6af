/**
 * Queue lag for `switchyard status`: the pipeline's queues and their dead-letter queues, each read
 * with one GetQueueAttributes (read-only). SQS answers depth here; the age of the oldest message is
 * only a CloudWatch metric (`ApproximateAgeOfOldestMessage`), which the control plane's dashboard
 * shows.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { awsErrorCode } from "../../shared/aws/errors.ts";
import type { ControlPlane, Env, QueueFlags } from "../control-plane.ts";

export interface QueueLag {
  queue: string;
  url?: string;
  /** Messages waiting to be received. */
  visible?: number;
  /** Received and being processed (or about to be retried). */
  inFlight?: number;
  delayed?: number;
  /** Why the queue could not be read. */
  error?: string;
}

const ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
] as const;

/** Queue name → URL (or a name to look up) from the flags; empty when none was given. */
export function queuesToRead(flags: QueueFlags, env: Env): { queue: string; url?: string; name?: string }[] {
  const prefix = flags["queue-prefix"] ?? env.SWITCHYARD_QUEUE_PREFIX;
  const events = flags["events-queue-url"] ?? env.SWITCHYARD_EVENTS_QUEUE_URL;
  const reconcile = flags["reconcile-queue-url"] ?? env.SWITCHYARD_RECONCILE_QUEUE_URL;
  const queues: { queue: string; url?: string; name?: string }[] = [];
  if (events) queues.push({ queue: "events", url: events });
  if (reconcile) queues.push({ queue: "reconcile", url: reconcile });
  if (prefix) {
    const named: [string, string][] = [
      ["events", `${prefix}-events.fifo`],
      ["events-dlq", `${prefix}-events-dlq.fifo`],
      ["reconcile", `${prefix}-reconcile.fifo`],
      ["reconcile-dlq", `${prefix}-reconcile-dlq.fifo`],
      ["status", `${prefix}-status`],
      ["status-dlq", `${prefix}-status-dlq`],
    ];
    for (const [queue, name] of named) if (!queues.some((q) => q.queue === queue)) queues.push({ queue, name });
  }
  return queues;
}

export async function readQueueLag(plane: ControlPlane, queues: ReturnType<typeof queuesToRead>): Promise<QueueLag[]> {
  const lags: QueueLag[] = [];
  for (const q of queues) {
    try {
      const url = q.url ?? (await plane.queueUrl(q.name ?? q.queue));
      const { Attributes = {} } = await plane.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...ATTRIBUTES] }),
      );
      lags.push({
        queue: q.queue,
        url,
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      });
    } catch (error) {
      const code = awsErrorCode(error);
      lags.push({
        queue: q.queue,
        ...(q.url ? { url: q.url } : {}),
        error:
          code === "QueueDoesNotExist" || code === "AWS.SimpleQueueService.NonExistentQueue"
            ? `no queue ${q.name ?? q.url}`
            : `${code}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return lags;
}

export function renderQueueLag(lags: readonly QueueLag[]): string {
  if (lags.length === 0)
    return "queues: not read (pass --queue-prefix, or --events-queue-url / --reconcile-queue-url)\n";
  const lines = ["queues:"];
  for (const l of lags) {
    if (l.error) lines.push(`  ${l.queue.padEnd(14)} ${l.error}`);
    else {
      const dlq = l.queue.endsWith("-dlq") && (l.visible ?? 0) > 0 ? "  ! dead letters: see the runbook" : "";
      lines.push(`  ${l.queue.padEnd(14)} ${l.visible} waiting, ${l.inFlight} in flight, ${l.delayed} delayed${dlq}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
