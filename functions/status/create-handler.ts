/** The status λ as a middy handler over its ports, with Powertools logging and metrics. */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { METRICS_NAMESPACE, type PipelineMetrics, powertoolsMetrics } from "../../shared/pipeline/metrics.ts";
import { handleStatusBatch, type StatusPorts } from "./status-batch.ts";

export interface HandlerObservability {
  /** @default a Logger for service `switchyard-status` */
  logger?: Logger;
  /** @default Powertools Metrics in namespace `switchyard` */
  metrics?: Metrics;
  /** Where counts go instead of `metrics` (tests read a RecordingMetrics). */
  sink?: PipelineMetrics;
}

export function createStatusHandler(ports: StatusPorts, observability: HandlerObservability = {}) {
  const logger = observability.logger ?? new Logger({ serviceName: "switchyard-status" });
  const metrics = observability.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: "status" });
  const sink = observability.sink ?? powertoolsMetrics(metrics);
  return middy(
    async (event: SQSEvent): Promise<SQSBatchResponse> => handleStatusBatch(event, ports, { logger, metrics: sink }),
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
