/**
 * Via-forwarder status mode, the forwarder's side: long-polls this cluster's status queue (filled
 * by the status λ for clusters registered with `statusMode: "via-forwarder"`), decodes each message
 * (shared/pipeline/status-intent.ts) and writes every intent with the status writer
 * (shared/status/writer/: merge patch of /status, observedGeneration, lastTransitionTime kept,
 * other controllers' entries kept, no-op writes skipped, conflicts retried from a fresh read) using
 * the forwarder's own Kubernetes credentials.
 *
 * A message is deleted only once every intent in it was written, found unchanged or stale, found
 * gone (404), or refused by the API server as invalid (422 and other 4xx but 401/403/429: the same
 * status can never be taken). Otherwise:
 * - 401 (the token), 429, 5xx, conflicts beyond the writer's own retries, an unreachable API
 *   server → the message (and every later one of the batch, so FIFO order holds) is made visible
 *   again after an exponential backoff, and the loop waits as long before its next receive.
 *   Intents already written are skipped as unchanged when it comes back.
 * - 403 (RBAC, which is granted per kind): the other intents of the message are still written, then
 *   the message is retried as above, so one kind missing from a Role holds back nothing else.
 * - A body that is not a status intent message, or one for another cluster → never written.
 *   Released at once (visibility 0) so the queue's redrive policy moves it to the dead-letter queue
 *   after `maxReceiveCount` receives, where a person can read it; if the queue has no redrive
 *   policy (found with GetQueueAttributes at start) it is deleted instead, so it cannot come back
 *   forever. Logged with the decoder's reason and counted either way.
 * Stopping aborts a long poll at once; a write in flight finishes, the rest of the batch is
 * released (visibility 0) for the next forwarder.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { decodeStatusIntentMessage, describeIntent } from "../shared/pipeline/status-intent.ts";
import type { StatusIntent } from "../shared/status/writer/decision.ts";
import { StatusConflict, StatusWriteRefused, type WriteOutcome } from "../shared/status/writer/writer.ts";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import { METRIC, type Metrics } from "./metrics.ts";

/** Writes one object's status (the shared StatusWriter). */
export interface StatusWriting {
  write(intent: StatusIntent): Promise<WriteOutcome>;
}

/** Why a failed write is not simply dropped, or why it is. */
export type WriteFailure =
  /** 401: the token; nothing else of the message can pass either. Retried (until the queue's redrive). */
  | "unauthorized"
  /** 403: RBAC, granted per kind; an operator may fix it, so retried, after the message's other intents. */
  | "forbidden"
  /** The API server will never take this status (422, 400, ...): drop the intent. */
  | "refused"
  /** Another writer kept changing the object through every attempt. */
  | "conflict"
  /** Anything that may pass: 429, 5xx, connection errors. */
  | "transient";

export function classifyWriteFailure(error: unknown): WriteFailure {
  if (error instanceof StatusConflict) return "conflict";
  if (error instanceof StatusWriteRefused) {
    if (error.status === 401) return "unauthorized";
    if (error.status === 403) return "forbidden";
    if (error.status === 429 || error.status >= 500 || error.status === 0) return "transient";
    return "refused";
  }
  return "transient";
}

/** What becomes of one received message. */
export type Disposition =
  | { action: "delete" }
  | { action: "retry"; failure: Exclude<WriteFailure, "refused">; detail: string }
  | { action: "reject"; reason: "malformed" | "other-cluster"; detail: string };

export interface StatusPullerOptions {
  sqs: SQSClient;
  /** This cluster's status queue (standard or FIFO). */
  queueUrl: string;
  /** Messages naming another cluster are rejected, never written here. */
  clusterId: string;
  writer: StatusWriting;
  metrics: Metrics;
  clock: Clock;
  random: () => number;
  log: (message: string) => void;
  /** @default DEFAULT_BACKOFF (200 ms doubling to 30 s) */
  backoff?: BackoffPolicy;
  /** Long-poll wait of each receive. @default 20 (SQS's maximum) */
  waitTimeSeconds?: number;
  /** How long a received message stays hidden while its intents are written. @default 60 */
  visibilityTimeoutSeconds?: number;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export class StatusPuller {
  private readonly options: StatusPullerOptions;
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private hasRedrivePolicy: boolean | undefined;
  private failures = 0;
  /** Whether the last call to the status queue succeeded. */
  reachable = false;
  private readonly countWrite: (labels: Record<string, string>) => void;
  private readonly countMessage: (labels: Record<string, string>) => void;
  private readonly countRejected: (labels: Record<string, string>) => void;
  private readonly countError: (labels: Record<string, string>) => void;

  constructor(options: StatusPullerOptions) {
    this.options = options;
    const { metrics } = options;
    this.countWrite = metrics.counter(
      METRIC.statusWrites,
      "Status intents from the status queue, by outcome (written, unchanged, stale, not-found, refused).",
    );
    this.countMessage = metrics.counter(
      METRIC.statusMessages,
      "Status queue messages handled, by result (done, retry, rejected).",
    );
    this.countRejected = metrics.counter(
      METRIC.statusRejected,
      "Receives of status queue messages that are not status for this cluster, by reason (malformed, other-cluster).",
    );
    this.countError = metrics.counter(
      METRIC.statusErrors,
      "Failures while pulling status, by kind (receive, delete, visibility, unauthorized, forbidden, conflict, transient).",
    );
    metrics.gauge(METRIC.statusQueueReachable, "1 when the last call to the status queue succeeded.", () =>
      this.reachable ? 1 : 0,
    );
  }

  start(): void {
    if (this.running !== undefined) throw new Error("the status puller is already running");
    this.running = this.run(this.controller.signal);
  }

  /** Stops receiving; resolves once the message being written is finished. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { log, queueUrl } = this.options;
    while (!signal.aborted && this.hasRedrivePolicy === undefined) {
      try {
        const { Attributes } = await this.options.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["RedrivePolicy"] }),
          { abortSignal: signal },
        );
        this.hasRedrivePolicy = Attributes?.RedrivePolicy !== undefined && Attributes.RedrivePolicy !== "";
        this.reachable = true;
        this.failures = 0;
        if (!this.hasRedrivePolicy) {
          log(
            `warning: status queue ${queueUrl} has no redrive policy: messages that are not status for this cluster are deleted, not dead-lettered`,
          );
        }
      } catch (error) {
        if (signal.aborted) return;
        await this.failed("receive", `reading the status queue's attributes failed: ${describe(error)}`, signal);
      }
    }
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const received = await this.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.options.waitTimeSeconds ?? 20,
            VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 60,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
          { abortSignal: signal },
        );
        messages = received.Messages ?? [];
        this.reachable = true;
      } catch (error) {
        if (signal.aborted) return;
        await this.failed("receive", `receiving from the status queue failed: ${describe(error)}`, signal);
        continue;
      }
      await this.handleBatch(messages, signal);
    }
  }

  private async handleBatch(messages: Message[], signal: AbortSignal): Promise<void> {
    for (const [index, message] of messages.entries()) {
      if (signal.aborted) {
        // Not started: hand the rest back for the next forwarder at once.
        await this.setVisibility(messages.slice(index), 0);
        return;
      }
      const disposition = await this.handleMessage(message);
      switch (disposition.action) {
        case "delete":
          this.countMessage({ result: "done" });
          this.failures = 0;
          await this.delete(message);
          break;
        case "reject":
          this.countMessage({ result: "rejected" });
          this.countRejected({ reason: disposition.reason });
          if (this.hasRedrivePolicy) {
            this.options.log(
              `status message ${message.MessageId} (receive ${message.Attributes?.ApproximateReceiveCount ?? "?"}) is not status for this cluster (${disposition.reason}: ${disposition.detail}); left to the queue's redrive policy`,
            );
            await this.setVisibility([message], 0);
          } else {
            this.options.log(
              `status message ${message.MessageId} is not status for this cluster (${disposition.reason}: ${disposition.detail}); deleted: the queue has no redrive policy`,
            );
            await this.delete(message);
          }
          break;
        case "retry": {
          this.countMessage({ result: "retry" });
          this.countError({ kind: disposition.failure });
          // The rest of the batch waits too: a later message may hold newer status for the same object.
          const delay = backoffDelay(this.failures++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
          this.options.log(
            `status message ${message.MessageId} will be retried in ${delay} ms (${disposition.failure}): ${disposition.detail}`,
          );
          await this.setVisibility(messages.slice(index), Math.ceil(delay / 1000));
          await this.options.clock.sleep(delay, signal);
          return;
        }
      }
    }
  }

  /** Writes the message's intents in order and says what to do with the message. */
  async handleMessage(message: Pick<Message, "Body" | "MessageId">): Promise<Disposition> {
    const decoded = decodeStatusIntentMessage(message.Body ?? "");
    if (!decoded.ok) return { action: "reject", reason: "malformed", detail: decoded.reason };
    const { cluster, intents, source } = decoded.message;
    if (cluster !== this.options.clusterId) {
      return {
        action: "reject",
        reason: "other-cluster",
        detail: `for cluster ${cluster}, this is ${this.options.clusterId}`,
      };
    }
    let forbidden: string | undefined;
    for (const intent of intents) {
      let outcome: WriteOutcome;
      try {
        outcome = await this.options.writer.write(intent);
      } catch (error) {
        const failure = classifyWriteFailure(error);
        if (failure === "forbidden") {
          forbidden ??= `${describeIntent(intent)}: ${describe(error)}`;
          continue;
        }
        if (failure !== "refused")
          return { action: "retry", failure, detail: `${describeIntent(intent)}: ${describe(error)}` };
        this.countWrite({ outcome: "refused" });
        this.options.log(
          `the API server refused the status of ${describeIntent(intent)}${source ? ` (from ${source})` : ""}; dropped: ${describe(error)}`,
        );
        continue;
      }
      this.countWrite({ outcome: outcome.outcome });
    }
    return forbidden === undefined
      ? { action: "delete" }
      : { action: "retry", failure: "forbidden", detail: forbidden };
  }

  private async delete(message: Message): Promise<void> {
    try {
      await this.options.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    } catch (error) {
      // It comes back after its visibility timeout and is then found unchanged: no harm but a GET.
      this.countError({ kind: "delete" });
      this.options.log(`deleting status message ${message.MessageId} failed: ${describe(error)}`);
    }
  }

  private async setVisibility(messages: readonly Message[], seconds: number): Promise<void> {
    for (const message of messages) {
      try {
        await this.options.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.options.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: seconds,
          }),
        );
      } catch (error) {
        // It becomes visible when the receive's visibility timeout ends instead.
        this.countError({ kind: "visibility" });
        this.options.log(`changing the visibility of status message ${message.MessageId} failed: ${describe(error)}`);
      }
    }
  }

  private async failed(kind: string, detail: string, signal: AbortSignal): Promise<void> {
    this.reachable = false;
    this.countError({ kind });
    const delay = backoffDelay(this.failures++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.options.log(`${detail}; retrying in ${delay} ms`);
    await this.options.clock.sleep(delay, signal);
  }
}
