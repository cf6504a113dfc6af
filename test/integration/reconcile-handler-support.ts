// Set-up the reconcile λ's integration suites share: moto emptied, a client factory in moto's
// default account, the cluster registered in that account's default VPC, a table of its own on
// DynamoDB Local and a reconcile FIFO queue on moto. Each suite builds its handler from these.
// The resync and plane-switch suites take only the registered cluster and table (registeredInDefaultVpc).
// SWITCHYARD_COMPONENTS=moto,dynamodb
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { HttpHandler } from "@smithy/core/protocols";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import {
  DUMMY_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";

export interface MotoReconcileWorld {
  /** The caller destroys it. */
  factory: AwsClientFactory;
  registry: MemoryClusterRegistry;
  table: string;
  reconcileQueue: string;
}

/**
 * The cluster registered (in memory) in moto's default account and its default VPC, and a table of
 * its own on DynamoDB Local.
 */
export async function registeredInDefaultVpc(
  dynamo: DynamoDBClient,
  clusterId: string,
): Promise<{ registry: MemoryClusterRegistry; table: string }> {
  const ec2 = new EC2Client(motoSettings());
  const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
    .Vpcs?.[0]?.VpcId;
  ec2.destroy();
  if (!vpcId) throw new Error("moto has no default VPC");
  const registry = new MemoryClusterRegistry(MOTO_DEFAULT_ACCOUNT_ID);
  await registry.put(
    {
      clusterId,
      account: MOTO_DEFAULT_ACCOUNT_ID,
      region: TEST_REGION,
      vpcId,
      eks: { clusterName: clusterId },
      senderPrincipal: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/forwarder`,
      statusMode: "direct",
    },
    "create",
  );
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  return { registry, table };
}

export async function motoReconcileWorld(
  dynamo: DynamoDBClient,
  sqs: SQSClient,
  clusterId: string,
  options: { requestHandler?: HttpHandler } = {},
): Promise<MotoReconcileWorld> {
  await resetMoto();
  const factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    account: MOTO_DEFAULT_ACCOUNT_ID,
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  });
  const { registry, table } = await registeredInDefaultVpc(dynamo, clusterId);
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: `${uniqueName("reconcile")}.fifo`, Attributes: { FifoQueue: "true" } }),
  );
  return { factory, registry, table, reconcileQueue: created.QueueUrl ?? "" };
}
