/**
 * The backend index on the switchyard table (see ../backend-index.ts for its rules):
 *
 *   pk = BACKEND#<cluster>#<namespace>/<backend>   sk = <RouteKind>#<namespace>/<route>
 *
 * and one marker per cluster, `BACKEND#<cluster>` / `COMPLETE`, once the index was built. A lookup
 * is one Query of the backend's partition; entries are written with BatchWriteItem (25 a call).
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { BACKEND_PREFIX, PARTITION_KEY, SORT_KEY } from "../../store/dynamodb/table-keys.ts";
import {
  type BackendIndex,
  type BackendRef,
  type IndexedRoute,
  indexedRouteKey,
  parseIndexedRouteKey,
} from "../backend-index.ts";

const COMPLETE_SORT_KEY = "COMPLETE";
const BATCH = 25;

export class DynamoDbBackendIndex implements BackendIndex {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  /** Clusters known complete: the marker never goes away, so once read it is cached. */
  readonly #complete = new Set<string>();

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async add(cluster: string, route: IndexedRoute, backends: readonly BackendRef[]): Promise<void> {
    await this.#write(backends.map((backend) => ({ PutRequest: { Item: { ...entryKey(cluster, backend, route) } } })));
  }

  async remove(cluster: string, route: IndexedRoute, backends: readonly BackendRef[]): Promise<void> {
    await this.#write(backends.map((backend) => ({ DeleteRequest: { Key: entryKey(cluster, backend, route) } })));
  }

  async routes(cluster: string, backend: BackendRef): Promise<IndexedRoute[]> {
    const routes: IndexedRoute[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": PARTITION_KEY },
          ExpressionAttributeValues: { ":pk": { S: backendPartition(cluster, backend) } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const route = parseIndexedRouteKey(item[SORT_KEY]?.S ?? "");
        if (route !== undefined) routes.push(route);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return routes;
  }

  async complete(cluster: string): Promise<boolean> {
    if (this.#complete.has(cluster)) return true;
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: markerKey(cluster), ConsistentRead: true }),
    );
    if (Item !== undefined) this.#complete.add(cluster);
    return Item !== undefined;
  }

  async markComplete(cluster: string): Promise<void> {
    await this.#client.send(new PutItemCommand({ TableName: this.#tableName, Item: markerKey(cluster) }));
    this.#complete.add(cluster);
  }

  async #write(requests: WriteRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH) {
      let pending: WriteRequest[] = requests.slice(start, start + BATCH);
      // Unprocessed items (throttling) are sent again; the SDK's retries back off between calls.
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 10)
          throw new Error(`backend index: ${pending.length} writes still unprocessed after 10 attempts`);
        const { UnprocessedItems } = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#tableName]: pending } }),
        );
        pending = UnprocessedItems?.[this.#tableName] ?? [];
      }
    }
  }
}

function backendPartition(cluster: string, backend: BackendRef): string {
  return `${BACKEND_PREFIX}${cluster}#${backend.namespace}/${backend.name}`;
}

function entryKey(cluster: string, backend: BackendRef, route: IndexedRoute): Record<string, AttributeValue> {
  return {
    [PARTITION_KEY]: { S: backendPartition(cluster, backend) },
    [SORT_KEY]: { S: indexedRouteKey(route) },
  };
}

function markerKey(cluster: string): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: `${BACKEND_PREFIX}${cluster}` }, [SORT_KEY]: { S: COMPLETE_SORT_KEY } };
}
