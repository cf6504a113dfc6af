/**
 * The stored form of a registered cluster: one item `CLUSTER#<clusterId>` / `CLUSTER` in the
 * switchyard table (shared/store/README.md). Attributes are flat strings a human can read in the
 * console; reading one back goes through validateCluster, so a malformed item is refused with the
 * field named rather than trusted.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { CLUSTER_PREFIX, PARTITION_KEY, SORT_KEY } from "../store/dynamodb/table-keys.ts";
import { type RegisteredCluster, validateCluster } from "./cluster.ts";

export type ClusterItem = Record<string, AttributeValue>;

export const CLUSTER_SORT_KEY = "CLUSTER";

export function clusterKey(clusterId: string): ClusterItem {
  return { [PARTITION_KEY]: { S: `${CLUSTER_PREFIX}${clusterId}` }, [SORT_KEY]: { S: CLUSTER_SORT_KEY } };
}

export function encodeCluster(cluster: RegisteredCluster): ClusterItem {
  const item: ClusterItem = {
    ...clusterKey(cluster.clusterId),
    clusterId: { S: cluster.clusterId },
    account: { S: cluster.account },
    region: { S: cluster.region },
    vpcId: { S: cluster.vpcId },
    senderPrincipal: { S: cluster.senderPrincipal },
    statusMode: { S: cluster.statusMode },
  };
  if ("clusterName" in cluster.eks) {
    item.eksClusterName = { S: cluster.eks.clusterName };
  } else {
    item.eksEndpoint = { S: cluster.eks.endpoint };
    item.eksCaData = { S: cluster.eks.caData };
  }
  if (cluster.reconcileRoleArn !== undefined) item.reconcileRoleArn = { S: cluster.reconcileRoleArn };
  if (cluster.externalId !== undefined) item.externalId = { S: cluster.externalId };
  if (cluster.senderId !== undefined) item.senderId = { S: cluster.senderId };
  return item;
}

/** A string attribute as stored, or undefined; a non-string attribute stays visible to the validator. */
function attribute(item: ClusterItem, name: string): unknown {
  const value = item[name];
  if (value === undefined) return undefined;
  return value.S ?? value;
}

export function decodeCluster(item: ClusterItem, controlPlaneAccount: string): RegisteredCluster {
  const eksClusterName = attribute(item, "eksClusterName");
  const input: Record<string, unknown> = {
    clusterId: attribute(item, "clusterId"),
    account: attribute(item, "account"),
    region: attribute(item, "region"),
    vpcId: attribute(item, "vpcId"),
    eks:
      eksClusterName !== undefined
        ? { clusterName: eksClusterName }
        : { endpoint: attribute(item, "eksEndpoint"), caData: attribute(item, "eksCaData") },
    reconcileRoleArn: attribute(item, "reconcileRoleArn"),
    externalId: attribute(item, "externalId"),
    senderPrincipal: attribute(item, "senderPrincipal"),
    senderId: attribute(item, "senderId"),
    statusMode: attribute(item, "statusMode"),
  };
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  const cluster = validateCluster(input, controlPlaneAccount);
  const partition = item[PARTITION_KEY]?.S;
  if (partition !== `${CLUSTER_PREFIX}${cluster.clusterId}`) {
    throw new Error(`cluster item ${partition}: clusterId ${cluster.clusterId} does not match its key`);
  }
  return cluster;
}
