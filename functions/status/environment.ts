/**
 * The status λ's ports from its environment: the registry in DynamoDB, StatusConnections (EKS
 * DescribeCluster and an IAM token as the cluster's reconcile role, through the client factory's
 * AssumeRole + ExternalId), and SQS for via-forwarder clusters.
 *
 * The registry names no status queue per cluster yet: `SWITCHYARD_FORWARDER_STATUS_QUEUE_URL`
 * is a template in which `{cluster}` is replaced by the cluster id; unset, via-forwarder
 * statuses are dropped with a log line naming the cluster.
 */

import { createHash } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EKSClient } from "@aws-sdk/client-eks";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { StatusConnections } from "../../shared/status/writer/connection.ts";
import { requiredSetting } from "../lib/settings.ts";
import type { ForwarderStatusQueues, StatusPorts } from "./status-batch.ts";

/** Queue URLs from a template (`…/switchyard-status-{cluster}.fifo`); FIFO queues get one group per cluster. */
export function sqsForwarderStatusQueues(sqs: SQSClient, template: string | undefined): ForwarderStatusQueues {
  return {
    async send(cluster, body) {
      if (!template) return "not-configured";
      const queueUrl = template.replaceAll("{cluster}", cluster.clusterId);
      const fifo = queueUrl.endsWith(".fifo");
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          ...(fifo
            ? {
                MessageGroupId: cluster.clusterId,
                MessageDeduplicationId: createHash("sha256").update(body).digest("hex"),
              }
            : {}),
        }),
      );
      return "sent";
    },
  };
}

const targetOf = (cluster: RegisteredCluster): AwsTarget => ({
  account: cluster.account,
  region: cluster.region,
  ...(cluster.reconcileRoleArn ? { roleArn: cluster.reconcileRoleArn } : {}),
  ...(cluster.externalId ? { externalId: cluster.externalId } : {}),
  cluster: cluster.clusterId,
});

export function statusPortsFromEnvironment(env: Readonly<Record<string, string | undefined>>): StatusPorts {
  const endpoint = env.SWITCHYARD_AWS_ENDPOINT;
  const clientConfig = endpoint ? { endpoint } : {};
  const dynamo = new DynamoDBClient(clientConfig);
  const account = requiredSetting(env, "SWITCHYARD_CONTROL_PLANE_ACCOUNT");
  const registry = new DynamoDbClusterRegistry(
    dynamo,
    env.SWITCHYARD_REGISTRY_TABLE || requiredSetting(env, "SWITCHYARD_TABLE"),
    account,
  );
  const factory = new AwsClientFactory({ account, ...(endpoint ? { endpoint } : {}) });
  const eksClients = new Map<string, EKSClient>();
  const writers = new StatusConnections({
    registry,
    eksFor: (cluster) => {
      const key = `${cluster.account}/${cluster.region}`;
      let client = eksClients.get(key);
      if (!client) {
        const credentials = factory.credentials(targetOf(cluster));
        client = new EKSClient({ ...clientConfig, region: cluster.region, ...(credentials ? { credentials } : {}) });
        eksClients.set(key, client);
      }
      return client;
    },
    // The identity the cluster maps to a status writer: its reconcile role (or ours, same account).
    credentialsFor: (cluster) => {
      const target = targetOf(cluster);
      // Undefined: the control plane's own default chain, which the factory's STS client resolves.
      return factory.credentials(target) ?? factory.sts(target).config.credentials;
    },
    // No stsEndpoint even against an emulator: the token is a presigned URL the cluster's
    // authenticator checks, and EKS (like the test webhook) accepts only the regional STS host.
  });
  return {
    registry,
    writers,
    forwarderQueues: sqsForwarderStatusQueues(new SQSClient(clientConfig), env.SWITCHYARD_FORWARDER_STATUS_QUEUE_URL),
  };
}
