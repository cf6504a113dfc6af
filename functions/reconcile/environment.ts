/**
 * The reconcile λ's ports from its environment, with real clients: DynamoDB for leases, state and
 * the cluster registry; the client factory (AssumeRole + ExternalId per target account) for ELBv2;
 * SQS for the requeue and the status queue. The snapshot source and dirty generations are passed
 * in: they belong to the objects mirror (functions/ingest).
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { AwsLattice } from "../../shared/aws/lattice/port.ts";
import { type ControllerConfig, controllerConfig } from "../../shared/config.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { MirrorSnapshotSource } from "../../shared/mirror/snapshot-source.ts";
import { type DirtyGenerations, DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import type { ElbPortFor, LatticePortFor, SnapshotSource } from "../../shared/pipeline/reconcile-gateway.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { type Environment, InvalidSetting, requiredSetting } from "../lib/settings.ts";
import { recheckSettingsFromEnvironment } from "./recheck-settings.ts";
import type { ReconcilePorts } from "./reconcile-batch.ts";

export { InvalidSetting } from "../lib/settings.ts";

import { sqsMessageDeferral, sqsReconcileRequeue, sqsStatusIntentSink } from "./sqs.ts";

/** ELBv2 ports through the client factory, in the registered cluster's account, Region and VPC. */
export function elbPortsThrough(factory: AwsClientFactory): ElbPortFor {
  return (cluster, { clusterId, gatewayKey }) =>
    new AwsElb(
      factory,
      {
        account: cluster.account,
        region: cluster.region,
        ...(cluster.reconcileRoleArn ? { roleArn: cluster.reconcileRoleArn } : {}),
        ...(cluster.externalId ? { externalId: cluster.externalId } : {}),
        cluster: clusterId,
      },
      { clusterId, gatewayKey },
      {
        vpc: { id: cluster.vpcId },
        ...("clusterName" in cluster.eks ? { eksClusterName: cluster.eks.clusterName } : {}),
      },
    );
}

/** VPC Lattice ports through the client factory, in the registered cluster's account, Region and VPC. */
export function latticePortsThrough(factory: AwsClientFactory): LatticePortFor {
  return (cluster, { clusterId, gatewayKey }) =>
    new AwsLattice(
      factory,
      {
        account: cluster.account,
        region: cluster.region,
        ...(cluster.reconcileRoleArn ? { roleArn: cluster.reconcileRoleArn } : {}),
        ...(cluster.externalId ? { externalId: cluster.externalId } : {}),
        cluster: clusterId,
      },
      { clusterId, gatewayKey },
      { vpcId: cluster.vpcId },
    );
}

/**
 * The controller names the reconciler owns: switchyard's own, plus the AWS controllers' when
 * `SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES` is `true` (the ControlPlane's `acceptAwsControllerNames`).
 * Unset or empty is `false`; any other value than `true` or `false` is refused rather than guessed.
 */
export function controllerConfigFromEnvironment(env: Environment): ControllerConfig {
  const name = "SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES";
  const value = env[name] ?? "";
  if (value !== "" && value !== "true" && value !== "false") throw new InvalidSetting(name, value, "true or false");
  return controllerConfig({ acceptAwsControllerNames: value === "true" });
}

/**
 * `SWITCHYARD_TABLE` (leases and state), `SWITCHYARD_REGISTRY_TABLE` (default the same table),
 * `SWITCHYARD_CONTROL_PLANE_ACCOUNT`, `SWITCHYARD_RECONCILE_QUEUE_URL`, `SWITCHYARD_STATUS_QUEUE_URL`,
 * optional `SWITCHYARD_AWS_ENDPOINT` (an AWS-compatible endpoint for every client: `switchyard dev`),
 * optional `SWITCHYARD_LATTICE_ENDPOINT` (VPC Lattice's alone; default the former), optional
 * `SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES` (`true` or `false`, default `false`: controllerConfigFromEnvironment),
 * optional `SWITCHYARD_RECHECK_*` (recheckSettingsFromEnvironment).
 */
export function reconcilePortsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  mirror?: { snapshots: SnapshotSource; dirty: Pick<DirtyGenerations, "read" | "finish"> },
): ReconcilePorts {
  const config = controllerConfigFromEnvironment(env);
  const recheck = recheckSettingsFromEnvironment(env);
  const endpoint = env.SWITCHYARD_AWS_ENDPOINT;
  const clientConfig = endpoint ? { endpoint } : {};
  const dynamo = new DynamoDBClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  const table = requiredSetting(env, "SWITCHYARD_TABLE");
  const account = requiredSetting(env, "SWITCHYARD_CONTROL_PLANE_ACCOUNT");
  const latticeEndpoint = env.SWITCHYARD_LATTICE_ENDPOINT;
  const factory = new AwsClientFactory({
    account,
    ...(endpoint ? { endpoint } : {}),
    ...(latticeEndpoint ? { latticeEndpoint } : {}),
  });
  return {
    config,
    recheck,
    ...createDynamoDbStores(dynamo, table),
    registry: new DynamoDbClusterRegistry(dynamo, env.SWITCHYARD_REGISTRY_TABLE || table, account),
    // The objects mirror and dirty generations ingest writes, on the same table.
    snapshots: mirror?.snapshots ?? new MirrorSnapshotSource(new DynamoDbObjectMirror(dynamo, table)),
    dirty: mirror?.dirty ?? new DynamoDbDirtyGenerations(dynamo, table),
    elbFor: elbPortsThrough(factory),
    lattice: { portFor: latticePortsThrough(factory), states: createDynamoDbLatticeStates(dynamo, table) },
    requeue: sqsReconcileRequeue(sqs, requiredSetting(env, "SWITCHYARD_RECONCILE_QUEUE_URL")),
    deferral: sqsMessageDeferral(sqs, requiredSetting(env, "SWITCHYARD_RECONCILE_QUEUE_URL")),
    statuses: sqsStatusIntentSink(sqs, requiredSetting(env, "SWITCHYARD_STATUS_QUEUE_URL")),
    awsCalls: factory.counter,
  };
}
