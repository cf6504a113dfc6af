/**
 * The ingest λ's ports from its environment: `SWITCHYARD_TABLE` (mirror, dirty generations,
 * registry unless `SWITCHYARD_REGISTRY_TABLE`), `SWITCHYARD_CONTROL_PLANE_ACCOUNT`,
 * `SWITCHYARD_RECONCILE_QUEUE_URL`, `SWITCHYARD_EVENTS_DLQ_URL` (where refused events go, with
 * their reason), optional `SWITCHYARD_AWS_ENDPOINT` (an AWS-compatible endpoint: `switchyard dev`).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { registrySenders } from "../../shared/registry/senders.ts";
import { awsClientSettings, type Environment, requiredSetting } from "../lib/settings.ts";
import type { IngestHandlerOptions } from "./create-handler.ts";

export function ingestOptionsFromEnvironment(env: Environment): IngestHandlerOptions {
  const settings = awsClientSettings(env);
  const dynamodb = new DynamoDBClient(settings);
  const tableName = requiredSetting(env, "SWITCHYARD_TABLE");
  const registry = new DynamoDbClusterRegistry(
    dynamodb,
    env.SWITCHYARD_REGISTRY_TABLE || tableName,
    requiredSetting(env, "SWITCHYARD_CONTROL_PLANE_ACCOUNT"),
  );
  return {
    dynamodb,
    sqs: new SQSClient(settings),
    // Emulators serve buckets by path, not by virtual host.
    s3: new S3Client({ ...settings, ...(settings.endpoint ? { forcePathStyle: true } : {}) }),
    tableName,
    reconcileQueueUrl: requiredSetting(env, "SWITCHYARD_RECONCILE_QUEUE_URL"),
    deadLetterQueueUrl: requiredSetting(env, "SWITCHYARD_EVENTS_DLQ_URL"),
    senders: registrySenders(registry),
  };
}
