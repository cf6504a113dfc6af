/**
 * The cluster registry in the switchyard table: `CLUSTER#<clusterId>` / `CLUSTER`. Create and
 * update are conditional puts, so two registrations of one id cannot both succeed and an update
 * cannot resurrect a cluster deregistered meanwhile. Reads are strongly consistent: the ingest
 * authenticates senders against this, and a just-registered cluster must be accepted at once.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { CLUSTER_PREFIX, PARTITION_KEY } from "../store/dynamodb/table-keys.ts";
import { type RegisteredCluster, validateCluster } from "./cluster.ts";
import { CLUSTER_SORT_KEY, clusterKey, decodeCluster, encodeCluster } from "./cluster-item.ts";
import { ClusterAlreadyRegistered, ClusterNotRegistered, type ClusterRegistry, type PutMode } from "./registry.ts";

const CONDITIONS: Record<PutMode, string> = {
  create: "attribute_not_exists(#pk)",
  update: "attribute_exists(#pk)",
};

export interface DynamoDbClusterRegistryOptions {
  /** Items evaluated per Scan page in `list()`; default DynamoDB's 1 MB pages. */
  pageSize?: number;
}

export class DynamoDbClusterRegistry implements ClusterRegistry {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #controlPlaneAccount: string;
  readonly #pageSize: number | undefined;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    controlPlaneAccount: string,
    options: DynamoDbClusterRegistryOptions = {},
  ) {
    this.#client = client;
    this.#tableName = tableName;
    this.#controlPlaneAccount = controlPlaneAccount;
    this.#pageSize = options.pageSize;
  }

  async get(clusterId: string): Promise<RegisteredCluster | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: clusterKey(clusterId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : decodeCluster(Item, this.#controlPlaneAccount);
  }

  async put(cluster: RegisteredCluster, mode: PutMode): Promise<void> {
    const valid = validateCluster(cluster, this.#controlPlaneAccount);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: encodeCluster(valid),
          ConditionExpression: CONDITIONS[mode],
          ExpressionAttributeNames: { "#pk": PARTITION_KEY },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw mode === "create"
          ? new ClusterAlreadyRegistered(valid.clusterId)
          : new ClusterNotRegistered(valid.clusterId);
      }
      throw error;
    }
  }

  /**
   * A consistent Scan filtered to cluster items: registries hold tens of clusters, listing is
   * rare (CLI, resync), and an index would cost every mirror write for nothing.
   */
  async list(): Promise<RegisteredCluster[]> {
    const clusters: RegisteredCluster[] = [];
    let exclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          ConsistentRead: true,
          FilterExpression: "begins_with(#pk, :prefix) AND #sk = :sk",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY, "#sk": "sk" },
          ExpressionAttributeValues: { ":prefix": { S: CLUSTER_PREFIX }, ":sk": { S: CLUSTER_SORT_KEY } },
          ExclusiveStartKey: exclusiveStartKey,
          Limit: this.#pageSize,
        }),
      );
      for (const item of page.Items ?? []) clusters.push(decodeCluster(item, this.#controlPlaneAccount));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return clusters.sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0));
  }

  async remove(clusterId: string): Promise<boolean> {
    const { Attributes } = await this.#client.send(
      new DeleteItemCommand({ TableName: this.#tableName, Key: clusterKey(clusterId), ReturnValues: "ALL_OLD" }),
    );
    return Attributes !== undefined;
  }
}
