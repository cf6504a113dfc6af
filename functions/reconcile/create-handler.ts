/**
 * The reconcile λ as a middy handler over its ports: Powertools logging (Lambda context
 * injected) and metrics (EMF, namespace `switchyard`, flushed after each invocation).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { METRICS_NAMESPACE, type PipelineMetrics, powertoolsMetrics } from "../../shared/pipeline/metrics.ts";
import { handleReconcileBatch, type ReconcilePorts } from "./reconcile-batch.ts";

export interface HandlerObservability {
  /** @default a Logger for service `switchyard-reconcile` */
  logger?: Logger;
  /** @default Powertools Metrics in namespace `switchyard` */
  metrics?: Metrics;
  /** Where counts go instead of `metrics` (tests read a RecordingMetrics). */
  sink?: PipelineMetrics;
}

export function createReconcileHandler(ports: ReconcilePorts, observability: HandlerObservability = {}) {
  const logger = observability.logger ?? new Logger({ serviceName: "switchyard-reconcile" });
  const metrics = observability.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: "reconcile" });
  const sink = observability.sink ?? powertoolsMetrics(metrics);
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      handleReconcileBatch(event, { requestId: context.awsRequestId }, ports, { logger, metrics: sink }),
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
