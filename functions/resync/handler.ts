/**
 * The resync Lambda: the EventBridge schedule (drift checks), EventBridge rules for ACM and ELBv2
 * CloudTrail events (targeted reconciles), and its own continuation queue. Work is in resync.ts.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { resyncConfigFrom } from "./config.ts";
import { sqsResyncContinuation } from "./continuation.ts";
import { taggingGatewayScan } from "./orphan-scan.ts";
import {
  combinedOwnerLookup,
  OWNER_LOOKUP_SESSION_POLICY,
  registeredTargets,
  registryTaggingReach,
  stateRecordOwnerLookup,
  taggingOwnerLookup,
} from "./owner-lookup.ts";
import { sqsReconcileQueue } from "./reconcile-queue.ts";
import { handleResyncEvent, type ResyncEvent } from "./resync.ts";
import { TaggingClients } from "./tagging-clients.ts";

const logger = new Logger({ serviceName: "switchyard-resync" });
const metrics = new Metrics({ namespace: "switchyard", serviceName: "resync" });
const config = resyncConfigFrom(process.env);
const sqs = new SQSClient({});
const dynamo = new DynamoDBClient({});
const { states } = createDynamoDbStores(dynamo, config.tableName);
const registry = new DynamoDbClusterRegistry(dynamo, config.registryTableName, config.controlPlaneAccount);
// The reconciler's way into each target account (AssumeRole + ExternalId), for the tags there:
// read-only sessions, and the tagging client alone (tagging-clients.ts).
const tagging = new TaggingClients({
  account: config.controlPlaneAccount,
  sessionName: "switchyard-resync",
  sessionPolicy: OWNER_LOOKUP_SESSION_POLICY,
});

export const handler = middy(async (event: ResyncEvent) => {
  const outcomes = await handleResyncEvent(event, {
    ...config,
    states,
    queue: sqsReconcileQueue(sqs, config.reconcileQueueUrl),
    // A fresh lookup per invocation: the state records are read at most once, and never stale.
    owners: combinedOwnerLookup(
      stateRecordOwnerLookup(states),
      taggingOwnerLookup(registryTaggingReach(registry, tagging), (message, context) => logger.warn(message, context)),
    ),
    continuation: sqsResyncContinuation(sqs, config.continuationQueueUrl),
    // One target per tick, through the same read-only tagging sessions as the owner lookup: one
    // client, one listing for load balancers and VPC Lattice resources alike.
    orphans: { targets: () => registeredTargets(registry), scan: taggingGatewayScan((t) => tagging.tagging(t)) },
  });
  for (const outcome of outcomes) {
    if (outcome.kind === "ignored") logger.info("event ignored", { reason: outcome.reason });
    else {
      logger.info("reconciles enqueued", { ...outcome });
      if (outcome.kind === "scheduled" && outcome.orphanCheck) {
        const check = outcome.orphanCheck;
        metrics.addMetric("OrphanReconcilesEnqueued", MetricUnit.Count, check.orphans.length);
        if (check.orphans.length > 0)
          logger.warn("orphan check: tagged resources without a state record", { ...check });
        if (check.shortened.length > 0)
          logger.warn("orphan check: shortened Gateway tags cannot be reconciled; see the runbook", { ...check });
      }
      metrics.addMetric(`${outcome.kind}ReconcilesEnqueued`, MetricUnit.Count, outcome.enqueued.length);
    }
  }
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
