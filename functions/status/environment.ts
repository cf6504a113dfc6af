/**
 * The status λ's ports from its environment: the registry in DynamoDB, StatusConnections (EKS
 * DescribeCluster and an IAM token as the cluster's reconcile role, through TargetCredentials'
 * AssumeRole + ExternalId: STS alone, not the client factory, whose ELBv2, EC2, Lattice and other
 * clients the status λ never calls and its bundle need not carry), and SQS for via-forwarder
 * clusters.
 *
 * The registry names no status queue per cluster yet: `SWITCHYARD_FORWARDER_STATUS_QUEUE_URL`
 * is a template in which `{cluster}` is replaced by the cluster id; unset, via-forwarder
 * statuses are dropped with a log line naming the cluster.
 */

import { createHash } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EKSClient } from "@aws-sdk/client-eks";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { type AwsTarget, TargetCredentials } from "../../shared/aws/target-credentials.ts";
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
  // Roles are assumed in us-east-1 (STS's global endpoint), as the client factory does.
  const targets = new TargetCredentials(new STSClient({ ...clientConfig, region: "us-east-1" }), { account });
  const eksClients = new Map<string, EKSClient>();
  const writers = new StatusConnections({
    registry,
    eksFor: (cluster) => {
      const key = `${cluster.account}/${cluster.region}`;
      let client = eksClients.get(key);
      if (!client) {
        const credentials = targets.for(targetOf(cluster));
        client = new EKSClient({ ...clientConfig, region: cluster.region, ...(credentials ? { credentials } : {}) });
        eksClients.set(key, client);
      }
      return client;
    },
    // The identity the cluster maps to a status writer: its reconcile role (or ours, same account).
    credentialsFor: (cluster) => {
      const target = targetOf(cluster);
      // Undefined: the control plane's own default chain, which its STS client resolves.
      return targets.for(target) ?? targets.own();
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
