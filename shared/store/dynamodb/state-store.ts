/**
 * Gateway state records, each write fenced by the Gateway's lease in one transaction: a
 * ConditionCheck that the writer's lease is still the latest, plus the Put or Delete of the record,
 * itself conditioned on never replacing a record written under a newer token.
 */
import {
  type AttributeValue,
  type CancellationReason,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { ClusterGatewayKey } from "../../keys.ts";
import { checkLeaseMatches, leaseSuperseded, newerRecordExists } from "../fencing.ts";
import {
  type FencedOut,
  type GatewayState,
  type Lease,
  type StateStore,
  type StoredGatewayState,
  storeKey,
} from "../state.ts";
import { type ConflictRetry, DEFAULT_CONFLICT_RETRY, retryConflicts } from "./conflicts.ts";
import { LEASE_ATTRIBUTES, leaseKey } from "./lease-item.ts";
import { HELD_CONDITION, HELD_NAMES, heldValues } from "./lease-store.ts";
import { decodeState, encodeState, stateKey } from "./state-item.ts";
import { PARTITION_KEY, SORT_KEY, STATE_SORT_KEY } from "./table-keys.ts";

/** Never replace a record written under a newer lease (also guards against a lease item lost by hand). */
const NOT_NEWER_CONDITION = "attribute_not_exists(#pk) OR #fencingToken <= :token";
const NOT_NEWER_NAMES = { "#pk": PARTITION_KEY, "#fencingToken": "fencingToken" };

export interface DynamoDbStateStoreOptions {
  /**
   * Items evaluated per Scan page in `list()` (before the filter to STATE items).
   * @default undefined — no Limit: DynamoDB's own 1 MB pages, the fewest requests for a full sweep.
   * Tests set a small value to make list() cross many pages, some empty after filtering.
   */
  pageSize?: number;
  /**
   * How transaction conflicts are retried.
   * @default DEFAULT_CONFLICT_RETRY (3 retries, 20 ms base delay): see conflicts.ts for why.
   */
  conflictRetry?: ConflictRetry;
}

export class DynamoDbStateStore implements StateStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #pageSize: number | undefined;
  readonly #conflictRetry: ConflictRetry;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoDbStateStoreOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#pageSize = options.pageSize;
    this.#conflictRetry = options.conflictRetry ?? DEFAULT_CONFLICT_RETRY;
  }

  async get(key: ClusterGatewayKey): Promise<StoredGatewayState | undefined> {
    // Strongly consistent: the reconciler reads its state right after taking the lease and must see
    // the previous holder's last write.
    const result = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: stateKey(storeKey(key)), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : decodeState(result.Item);
  }

  async put(state: GatewayState, lease: Lease): Promise<void> {
    const gatewayKey = storeKey(state.gatewayKey);
    checkLeaseMatches(gatewayKey, lease);
    const item = encodeState(state, gatewayKey, lease.token);
    await this.#fenced(lease, {
      Put: {
        TableName: this.#tableName,
        Item: item,
        ConditionExpression: NOT_NEWER_CONDITION,
        ExpressionAttributeNames: NOT_NEWER_NAMES,
        ExpressionAttributeValues: { ":token": { N: String(lease.token) } },
      },
    });
  }

  async delete(key: ClusterGatewayKey, lease: Lease): Promise<void> {
    const gatewayKey = storeKey(key);
    checkLeaseMatches(gatewayKey, lease);
    await this.#fenced(lease, {
      Delete: {
        TableName: this.#tableName,
        Key: stateKey(gatewayKey),
        ConditionExpression: NOT_NEWER_CONDITION,
        ExpressionAttributeNames: NOT_NEWER_NAMES,
        ExpressionAttributeValues: { ":token": { N: String(lease.token) } },
      },
    });
  }

  /**
   * A Scan filtered to STATE items rather than a Query on an index. The only reader is the orphan
   * sweep, which runs on a schedule and needs every record: a Scan with ConsistentRead cannot miss
   * a record that was just written (a GSI is only eventually consistent, and a missed record would
   * make its resources look unclaimed), and it costs nothing on the write path, where a GSI would
   * copy every state record (the table's largest items) on every put. Its price is reading the
   * whole table, objects mirror included, once per sweep; if that grows too large, a sparse
   * KEYS_ONLY index plus consistent GetItems is the next step.
   *
   * A damaged record stops the listing with StateDecodeError instead of being skipped: a skipped
   * record would make its Gateway's resources look unclaimed to the sweep.
   */
  async *list(): AsyncIterable<StoredGatewayState> {
    let exclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          ConsistentRead: true,
          FilterExpression: "#sk = :state",
          ExpressionAttributeNames: { "#sk": SORT_KEY },
          ExpressionAttributeValues: { ":state": { S: STATE_SORT_KEY } },
          ExclusiveStartKey: exclusiveStartKey,
          Limit: this.#pageSize,
        }),
      );
      // A page may be empty after filtering and still have a successor.
      for (const item of page.Items ?? []) yield decodeState(item);
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }

  async #fenced(lease: Lease, write: TransactWriteItem): Promise<void> {
    const transaction = () =>
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: this.#tableName,
              Key: leaseKey(lease.gatewayKey),
              ConditionExpression: HELD_CONDITION,
              ExpressionAttributeNames: HELD_NAMES,
              ExpressionAttributeValues: heldValues(lease),
              // Names the current holder in the FencedOut message.
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          write,
        ],
      });
    try {
      await retryConflicts(() => this.#client.send(transaction()), this.#conflictRetry);
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const fenced = fencedOut(lease, error.CancellationReasons ?? []);
        if (fenced !== undefined) throw fenced;
      }
      throw error;
    }
  }
}

/** FencedOut if a condition failed; undefined for other cancellations (conflicts, throttling). */
function fencedOut(lease: Lease, reasons: CancellationReason[]): FencedOut | undefined {
  const [leaseCheck, write] = reasons;
  if (leaseCheck?.Code === "ConditionalCheckFailed") {
    const owner = leaseCheck.Item?.[LEASE_ATTRIBUTES.owner]?.S;
    const token = leaseCheck.Item?.[LEASE_ATTRIBUTES.token]?.N;
    return leaseSuperseded(lease, { owner, token: token === undefined ? undefined : Number(token) });
  }
  if (write?.Code === "ConditionalCheckFailed") return newerRecordExists(lease);
  return undefined;
}
