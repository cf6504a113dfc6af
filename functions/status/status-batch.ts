/**
 * The status λ's work on one SQS batch, without middy. Each message holds one cluster's status
 * intents (shared/pipeline/status-intent.ts); the cluster's registration decides where they go:
 * `direct` → written to the API server by the status writer; `via-forwarder` → put on that
 * cluster's status queue for its forwarder.
 *
 * Per intent and per record:
 * - written → StatusWrites; nothing to change (or a newer generation already there) → StatusWritesSkipped.
 * - 404 (the object was deleted meanwhile) → dropped, counted as StatusWritesDropped{reason=not-found}.
 * - 401/403 → StatusWriteDenied and a batch item failure: a token or RBAC problem may be fixed by an
 *   operator, so the message is retried — but only until the queue's redrive policy
 *   (maxReceiveCount) moves it to the dead-letter queue, never forever. After a 401 the rest of
 *   that message is not attempted: the token is the same for every object of the cluster. After a
 *   403 it is: RBAC is granted per kind, and a Role missing one kind (say backendtlspolicies/status)
 *   must not hold back every other status of the message.
 * - another refusal (422: a status the API server will not take) → StatusWritesDropped{reason=refused};
 *   retrying the same status cannot help.
 * - conflicts beyond the writer's own retries, an unreachable cluster, anything thrown → batch item
 *   failure (SQS redelivers; already written intents are then skipped as unchanged).
 * - a body that is not a status intent message, or a cluster not registered → dropped and logged.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { PipelineMetrics } from "../../shared/pipeline/metrics.ts";
import { processSqsBatch, type RecordResult } from "../../shared/pipeline/sqs-batch.ts";
import { decodeStatusIntentMessage, describeIntent } from "../../shared/pipeline/status-intent.ts";
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import type { ClusterRegistry } from "../../shared/registry/registry.ts";
import type { StatusIntent } from "../../shared/status/writer/decision.ts";
import { StatusWriteRefused, type WriteOutcome } from "../../shared/status/writer/writer.ts";

/** Writes one object's status (StatusWriter). */
export interface StatusWriting {
  write(intent: StatusIntent): Promise<WriteOutcome>;
}

/** A status writer per cluster in direct mode (StatusConnections). */
export interface StatusWriters {
  writerFor(clusterId: string): Promise<StatusWriting>;
}

/** The per-cluster queue a via-forwarder cluster's forwarder pulls status from. */
export interface ForwarderStatusQueues {
  /** `not-configured` when no queue is known for the cluster: the message is dropped and logged. */
  send(cluster: RegisteredCluster, body: string): Promise<"sent" | "not-configured">;
}

export interface StatusPorts {
  registry: ClusterRegistry;
  writers: StatusWriters;
  forwarderQueues: ForwarderStatusQueues;
}

export interface Observability {
  logger: Logger;
  metrics: PipelineMetrics;
}

const DENIED = new Set([401, 403]);

export async function handleStatusBatch(
  event: SQSEvent,
  ports: StatusPorts,
  { logger, metrics }: Observability,
): Promise<SQSBatchResponse> {
  return processSqsBatch(
    event.Records,
    async (record): Promise<RecordResult> => {
      const decoded = decodeStatusIntentMessage(record.body);
      if (!decoded.ok) {
        logger.error("dropped a message that is not a status intent message", {
          messageId: record.messageId,
          reason: decoded.reason,
        });
        metrics.count("StatusWritesDropped", 1, { reason: "invalid-message" });
        return "ok";
      }
      const { cluster: clusterId, intents, source } = decoded.message;
      const cluster = await ports.registry.get(clusterId);
      if (!cluster) {
        logger.error("dropped statuses of a cluster that is not registered", { cluster: clusterId, source });
        metrics.count("StatusWritesDropped", intents.length, { reason: "unregistered" });
        return "ok";
      }
      if (cluster.statusMode === "via-forwarder") {
        const sent = await ports.forwarderQueues.send(cluster, record.body);
        if (sent === "not-configured") {
          logger.error("dropped statuses: the cluster is via-forwarder but no status queue is configured for it", {
            cluster: clusterId,
            source,
          });
          metrics.count("StatusWritesDropped", intents.length, { reason: "no-forwarder-queue" });
        } else {
          metrics.count("StatusForwarded", intents.length);
        }
        return "ok";
      }
      const writer = await ports.writers.writerFor(clusterId);
      let forbidden = false;
      for (const intent of intents) {
        const object = describeIntent(intent);
        let written: WriteOutcome;
        try {
          written = await writer.write(intent);
        } catch (error) {
          if (!(error instanceof StatusWriteRefused)) throw error;
          if (DENIED.has(error.status)) {
            metrics.count("StatusWriteDenied", 1);
            logger.error("the API server denied the status writer", {
              cluster: clusterId,
              object,
              status: error.status,
              error: error.message,
            });
            if (error.status === 401) return "retry";
            forbidden = true;
            continue;
          }
          metrics.count("StatusWritesDropped", 1, { reason: "refused" });
          logger.error("the API server refused a status; dropped", {
            cluster: clusterId,
            object,
            error: error.message,
          });
          continue;
        }
        switch (written.outcome) {
          case "written":
            metrics.count("StatusWrites", 1);
            break;
          case "unchanged":
          case "stale":
            metrics.count("StatusWritesSkipped", 1, { reason: written.outcome });
            break;
          case "not-found":
            metrics.count("StatusWritesDropped", 1, { reason: "not-found" });
            logger.info("object deleted before its status was written; dropped", { cluster: clusterId, object });
            break;
        }
      }
      return forbidden ? "retry" : "ok";
    },
    {
      error: (record, error) =>
        logger.error("status write failed; the message will be retried", {
          messageId: record.messageId,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        }),
    },
  );
}
