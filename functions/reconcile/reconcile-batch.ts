/**
 * The reconcile λ's work on one SQS batch, without middy: decode each ReconcileRequest, run it
 * (shared/pipeline/reconcile-gateway.ts), count it, and answer which records SQS must redeliver.
 *
 * Retry policy, per record:
 * - a body that is not a ReconcileRequest, or a cluster that is not registered: dropped (logged and
 *   counted); no retry can make it succeed.
 * - `busy` (another reconciler holds the lease, or an interrupted apply's calls may still land
 *   until `until`): a batch item failure. With `until` and a `deferral` port, the message's
 *   visibility is set to come back just after `until` (a crash that left no call in doubt: about
 *   a second; one in doubt: one call deadline); otherwise SQS redelivers after the queue's
 *   visibility timeout. A requeue cannot honour `until`: FIFO queues have no per-message delay.
 * - a retryable AWS failure: statuses are still written (Programmed=False, "switchyard retries"),
 *   and the record is a batch item failure.
 * - a terminal AWS failure: statuses say why; the record is done.
 * - deferred (only endpoints changed, and the Gateway's pacing says not yet; or a recheck received
 *   before its `notBefore`): the message's visibility is set to come back then, and it is a batch
 *   item failure. A recheck is deferred once at most: it comes back after its `notBefore`.
 * - done with AWS still settling (a load balancer provisioning, a Lattice resource being created,
 *   an export's targets draining): the record is done, and a fresh `recheck` request with a
 *   `notBefore` was sent (10 s doubling to 60 s, for 15 min at most, then the resync takes over,
 *   logged and said in the Gateway's status): waiting spends none of a message's receives.
 *   Without a `deferral` port nothing is deferred and nothing rechecked (no pacing, NO_RECHECK).
 * - anything thrown (DynamoDB, SQS, the mirror): a batch item failure.
 * FIFO: a failed record fails the later records of its group in the batch (sqs-batch.ts).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type ApiCallCounter, type CallCount, callCountChanges } from "../../shared/aws/call-counter.ts";
import { type ControllerConfig, controllerConfig } from "../../shared/config.ts";
import type { ObservedElb } from "../../shared/elb/observed.ts";
import { NO_PACING } from "../../shared/pipeline/endpoint-pacing.ts";
import type { PipelineMetrics } from "../../shared/pipeline/metrics.ts";
import {
  type GatewayReconcileReport,
  type GatewayReconcilerDeps,
  reconcileGatewayRequest,
} from "../../shared/pipeline/reconcile-gateway.ts";
import { decodeReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { NO_RECHECK } from "../../shared/pipeline/settle-recheck.ts";
import { processSqsBatch, type RecordResult } from "../../shared/pipeline/sqs-batch.ts";
import type { EngineDeps } from "../../shared/reconcile/engine.ts";
import type { LeaseStore, StateStore } from "../../shared/store/state.ts";

/** Engine settings a deployment may tune; every one has the engine's documented default. */
export type EngineSettings = Pick<
  EngineDeps<ObservedElb>,
  "leaseTtlMs" | "driftIntervalMs" | "callDeadlineMs" | "leaseSafetyMarginMs"
>;

/** Sets when a received message comes back (SQS ChangeMessageVisibility on its receipt handle). */
export interface MessageDeferral {
  defer(receiptHandle: string, seconds: number): Promise<void>;
}

/** Everything the reconcile λ talks to; the Lambda, the local runner and tests each build their own. */
export interface ReconcilePorts extends Omit<GatewayReconcilerDeps, "engine" | "config"> {
  leases: LeaseStore;
  states: StateStore<ObservedElb>;
  /** @default controllerConfig(): switchyard's own controller names. */
  config?: ControllerConfig;
  /** @default Date.now */
  now?: () => number;
  engine?: EngineSettings;
  /** How a paced request is put back; without it endpoint-only changes are not paced. */
  deferral?: MessageDeferral;
  /**
   * The client factory's call counter: each reconcile's AWS calls, throttles and errors per service
   * and operation become metrics (emitAwsCallMetrics). @default none — no AWS call metrics
   */
  awsCalls?: Pick<ApiCallCounter, "snapshot">;
}

/** SQS's maximum visibility timeout (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

/** The visibility timeout that brings a message back just after `until`: whole seconds, 1 s at least. */
function visibilityUntil(until: number, now: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil((until - now + 1) / 1000)));
}

export interface Observability {
  logger: Logger;
  metrics: PipelineMetrics;
}

/** The outcome name counted in Reconciles{outcome}. */
export function outcomeName(report: GatewayReconcileReport): string {
  if (report.disposition === "rejected") return "rejected";
  if (report.disposition === "deferred") return "deferred";
  if (report.disposition === "classes") return "class-status";
  const outcome = report.outcome;
  if (outcome.kind === "failed") return outcome.retryable ? "failed-retryable" : "failed-terminal";
  if (outcome.kind === "applied" && outcome.failedRules) return "applied-partially";
  return outcome.kind;
}

export async function handleReconcileBatch(
  event: SQSEvent,
  invocation: { requestId: string },
  ports: ReconcilePorts,
  { logger, metrics }: Observability,
): Promise<SQSBatchResponse> {
  const now = ports.now ?? Date.now;
  const deps: GatewayReconcilerDeps = {
    ...ports,
    config: ports.config ?? controllerConfig(),
    // Without a way to defer a message, a paced request or a recheck would run at once, in a loop.
    ...(ports.deferral ? {} : { pacing: NO_PACING, recheck: NO_RECHECK }),
    engine: {
      ...ports.engine,
      leases: ports.leases,
      states: ports.states,
      now,
      owner: invocation.requestId,
      logger,
    },
  };
  return processSqsBatch(
    event.Records,
    async (record): Promise<RecordResult> => {
      const decoded = decodeReconcileRequest(record.body);
      if (!decoded.ok) {
        logger.error("dropped a message that is not a reconcile request", {
          messageId: record.messageId,
          reason: decoded.reason,
        });
        metrics.count("Reconciles", 1, { outcome: "invalid" });
        return "ok";
      }
      const request = decoded.request;
      const started = now();
      const callsBefore = ports.awsCalls?.snapshot();
      const report = await reconcileGatewayRequest(request, deps);
      const outcome = outcomeName(report);
      metrics.count("Reconciles", 1, { outcome });
      metrics.milliseconds("ReconcileDurationMs", now() - started);
      if (ports.awsCalls && callsBefore) emitAwsCallMetrics(metrics, callsBefore, ports.awsCalls.snapshot());
      const context = { gatewayKey: request.gatewayKey, reason: request.reason, generation: request.generation };
      if (report.disposition === "rejected") {
        logger.error("reconcile rejected", { ...context, why: report.reason });
        return "ok";
      }
      if (report.disposition === "classes") {
        metrics.count("StatusIntents", report.intents);
        logger.info("class statuses sent", { ...context, intents: report.intents });
        return "ok";
      }
      if (report.disposition === "deferred") {
        const seconds = visibilityUntil(report.until, now());
        await ports.deferral?.defer(record.receiptHandle, seconds);
        // Endpoint pacing, or a recheck received before its notBefore.
        logger.info("reconcile deferred", { ...context, seconds });
        return "retry";
      }
      metrics.count("StatusIntents", report.intents);
      if (report.oversized.length > 0) {
        logger.error("statuses too large for one message were not sent", { ...context, objects: report.oversized });
      }
      const o = report.outcome;
      const details =
        o.kind === "failed"
          ? { operation: o.error.operation, code: o.error.code, error: o.error.message }
          : o.kind === "busy"
            ? { until: o.until }
            : o.kind === "applied"
              ? { operations: o.operations.length, drift: o.drift, failedRules: o.failedRules?.length ?? 0 }
              : {};
      if (report.disposition === "retry") {
        logger.warn("reconcile will be retried", { ...context, outcome, ...details });
        // An interrupted apply's calls may land until `until`: come back then, not sooner (a
        // receive spent on waiting brings the message closer to the dead-letter queue) nor later.
        if (o.kind === "busy" && o.until !== undefined && ports.deferral) {
          await ports.deferral.defer(record.receiptHandle, visibilityUntil(o.until, now()));
        }
        return "retry";
      }
      if (report.requeued) metrics.count("Requeues", 1);
      const recheck = report.recheck;
      if (recheck?.kind === "recheck") {
        metrics.count("Rechecks", 1);
      } else if (recheck?.kind === "gave-up") {
        metrics.count("RechecksGivenUp", 1);
        logger.warn("AWS still settling; rechecks stopped, the next resync looks again", {
          ...context,
          waitedMs: recheck.waitedMs,
        });
      }
      logger.info("reconciled", {
        ...context,
        outcome,
        intents: report.intents,
        requeued: report.requeued,
        ...(recheck?.kind === "recheck" ? { recheckAt: recheck.notBefore, recheckAttempt: recheck.chain.attempt } : {}),
        ...details,
      });
      return "ok";
    },
    {
      error: (record, error) =>
        logger.error("reconcile failed; the message will be retried", {
          messageId: record.messageId,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        }),
      skipped: (record) =>
        logger.info("skipped: an earlier message of its group failed", { messageId: record.messageId }),
    },
  );
}

/**
 * One reconcile's AWS traffic as metrics: the totals `AwsCalls`, `AwsThrottles` and `AwsErrors`
 * (always, zeros included, so the throttle-rate alarm's math has both sides every period), then the
 * same three per `awsService` and `operation` for each operation that did something (a throttle
 * or error count only when not zero, to keep the number of CloudWatch metrics down). Throttles
 * and errors count HTTP attempts, so the SDK's retries of one call each count.
 */
export function emitAwsCallMetrics(
  metrics: PipelineMetrics,
  before: Readonly<Record<string, CallCount>>,
  after: Readonly<Record<string, CallCount>>,
): void {
  const changes = callCountChanges(before, after);
  const total = (pick: (c: (typeof changes)[number]) => number) => changes.reduce((n, c) => n + pick(c), 0);
  metrics.count(
    "AwsCalls",
    total((c) => c.calls),
  );
  metrics.count(
    "AwsThrottles",
    total((c) => c.throttles),
  );
  metrics.count(
    "AwsErrors",
    total((c) => c.errors),
  );
  for (const change of changes) {
    const dimensions = { awsService: change.service, operation: change.operation };
    if (change.calls > 0) metrics.count("AwsCalls", change.calls, dimensions);
    if (change.throttles > 0) metrics.count("AwsThrottles", change.throttles, dimensions);
    if (change.errors > 0) metrics.count("AwsErrors", change.errors, dimensions);
  }
}

/** handleReconcileBatch with its ports and observability bound (tests, the local runner). */
export type HandleReconcileBatch = (event: SQSEvent, invocation?: { requestId: string }) => Promise<SQSBatchResponse>;
