/**
 * The resync Lambda: the EventBridge schedule (drift checks), EventBridge rules for ACM and ELBv2
 * CloudTrail events (targeted reconciles), and its own continuation queue. Work is in resync.ts.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { resyncConfigFrom } from "./config.ts";
import { sqsResyncContinuation } from "./continuation.ts";
import { combinedOwnerLookup, stateRecordOwnerLookup, taggingOwnerLookup } from "./owner-lookup.ts";
import { sqsReconcileQueue } from "./reconcile-queue.ts";
import { handleResyncEvent, type ResyncEvent } from "./resync.ts";

const logger = new Logger({ serviceName: "switchyard-resync" });
const metrics = new Metrics({ namespace: "switchyard", serviceName: "resync" });
const config = resyncConfigFrom(process.env);
const sqs = new SQSClient({});
const { states } = createDynamoDbStores(new DynamoDBClient({}), config.tableName);
const tagging = new ResourceGroupsTaggingAPIClient({});

export const handler = middy(async (event: ResyncEvent) => {
  const outcomes = await handleResyncEvent(event, {
    ...config,
    states,
    queue: sqsReconcileQueue(sqs, config.reconcileQueueUrl),
    // A fresh lookup per invocation: the state records are read at most once, and never stale.
    owners: combinedOwnerLookup(stateRecordOwnerLookup(states), taggingOwnerLookup(tagging)),
    continuation: sqsResyncContinuation(sqs, config.continuationQueueUrl),
  });
  for (const outcome of outcomes) {
    if (outcome.kind === "ignored") logger.info("event ignored", { reason: outcome.reason });
    else {
      logger.info("reconciles enqueued", { ...outcome });
      metrics.addMetric(`${outcome.kind}ReconcilesEnqueued`, MetricUnit.Count, outcome.enqueued.length);
    }
  }
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
