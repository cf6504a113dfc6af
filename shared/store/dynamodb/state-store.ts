/**
 * Gateway state records on the Gateway's one item, next to its lease: every write is a single
 * UpdateItem conditioned on the writer's lease being the latest, so fencing needs no second item
 * and no transaction. A claim takes the lease, marks the record and returns it as it was in one
 * UpdateItem (its refusal returns the item too), and the last write of a reconcile releases the
 * lease in the same request as the record.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { ObservedElb } from "../../elb/observed.ts";
import type { ClusterGatewayKey } from "../../keys.ts";
import { type LeaseHolder, refusedClaim } from "../claim.ts";
import { checkLeaseMatches, leaseSuperseded, newerRecordExists } from "../fencing.ts";
import {
  type Claim,
  type ClaimRequest,
  type GatewayState,
  type Lease,
  type StateStore,
  type StoredGatewayState,
  storeKey,
  type WriteOptions,
} from "../state.ts";
import { claimInput } from "./claim-expression.ts";
import { type ConflictRetry, DEFAULT_CONFLICT_RETRY, retryConflicts } from "./conflicts.ts";
import { LEASE_ATTRIBUTES, leaseKey } from "./lease-item.ts";
import { DynamoDbLeaseStore } from "./lease-store.ts";
import {
  type AppliedDecoder,
  decodeElbApplied,
  decodeState,
  encodeState,
  hasRecord,
  OPTIONAL_RECORD_ATTRIBUTES,
  RECORD_ATTRIBUTES,
  type StateItem,
  stateKey,
} from "./state-item.ts";
import { PARTITION_KEY, SORT_KEY, STATE_SORT_KEY } from "./table-keys.ts";

export interface DynamoDbStateStoreOptions<Applied = ObservedElb> {
  /**
   * How `applied` is read for the data plane a record names.
   * @default decodeElbApplied — the ELB store: a Lattice record holds no ELB resource.
   */
  decodeApplied?: AppliedDecoder<Applied>;
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

/** The lease attributes of an item, as the claim rules and the FencedOut messages read them. */
function holderOf(item: StateItem | undefined): LeaseHolder & { token?: number } {
  const owner = item?.[LEASE_ATTRIBUTES.owner]?.S;
  const expiresAt = item?.[LEASE_ATTRIBUTES.expiresAt]?.N;
  const token = item?.[LEASE_ATTRIBUTES.token]?.N;
  return {
    ...(owner !== undefined ? { owner } : {}),
    ...(expiresAt !== undefined ? { expiresAt: Number(expiresAt) } : {}),
    ...(token !== undefined ? { token: Number(token) } : {}),
  };
}

/** A record attribute (S, N or B) as comparable text: a binary is sent as a Buffer and read back as a Uint8Array. */
function canonical(value: AttributeValue | undefined): string {
  return value?.B !== undefined ? `B:${Buffer.from(value.B).toString("base64")}` : JSON.stringify(value);
}

/** Whether `item` is exactly what a releasing write of `set` and `remove` under `lease` leaves. */
function landed(item: StateItem | undefined, lease: Lease, set: StateItem, remove: readonly string[]): boolean {
  const holder = holderOf(item);
  return (
    item !== undefined &&
    holder.token === lease.token &&
    holder.owner === undefined &&
    holder.expiresAt === undefined &&
    Object.entries(set).every(([name, value]) => canonical(item[name]) === canonical(value)) &&
    remove.every((name) => item[name] === undefined)
  );
}

export class DynamoDbStateStore<Applied = ObservedElb> implements StateStore<Applied> {
  readonly #decode: AppliedDecoder<Applied>;
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #pageSize: number | undefined;
  readonly #conflictRetry: ConflictRetry;
  readonly #leases: DynamoDbLeaseStore;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoDbStateStoreOptions<Applied> = {}) {
    // Without a decoder the store is the ELB one (Applied's default): decodeElbApplied reads it.
    this.#decode = options.decodeApplied ?? (decodeElbApplied as unknown as AppliedDecoder<Applied>);
    this.#client = client;
    this.#tableName = tableName;
    this.#pageSize = options.pageSize;
    this.#conflictRetry = options.conflictRetry ?? DEFAULT_CONFLICT_RETRY;
    this.#leases = new DynamoDbLeaseStore(client, tableName, options);
  }

  async claim(request: ClaimRequest<Applied>): Promise<Claim<Applied>> {
    const gatewayKey = storeKey(request.gatewayKey);
    const expiresAt = request.now + request.ttlMs;
    let old: StateItem;
    try {
      const result = await retryConflicts(
        () =>
          this.#client.send(
            new UpdateItemCommand({
              ...claimInput({ ...request, gatewayKey }, expiresAt),
              TableName: this.#tableName,
              Key: leaseKey(gatewayKey),
            }),
          ),
        this.#conflictRetry,
      );
      old = result.Attributes ?? {};
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const found = error.Item;
      return refusedClaim(
        holderOf(found),
        request.owner,
        request.now,
        () => (hasRecord(found) ? decodeState(found, this.#decode) : undefined),
        request.planes,
      );
    }
    // The update added 1 to the token it found (none: 0), atomically: the new lease's token.
    const lease: Lease = { gatewayKey, owner: request.owner, token: (holderOf(old).token ?? 0) + 1, expiresAt };
    let previous: StoredGatewayState<Applied> | undefined;
    try {
      previous = hasRecord(old) ? decodeState(old, this.#decode) : undefined;
    } catch (error) {
      // The damaged record is the error to report; the lease is freed at once rather than at expiry.
      await this.#leases.release(lease).catch(() => undefined);
      throw error;
    }
    return { kind: "claimed", lease, ...(previous !== undefined ? { previous } : {}) };
  }

  async get(key: ClusterGatewayKey): Promise<StoredGatewayState<Applied> | undefined> {
    // Strongly consistent: a reader must see the last holder's last write.
    const result = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: stateKey(storeKey(key)), ConsistentRead: true }),
    );
    return hasRecord(result.Item) ? decodeState(result.Item, this.#decode) : undefined;
  }

  async put(state: GatewayState<Applied>, lease: Lease, options: WriteOptions = {}): Promise<void> {
    const gatewayKey = storeKey(state.gatewayKey);
    checkLeaseMatches(gatewayKey, lease);
    const item = encodeState(state, gatewayKey, lease.token);
    const set = Object.fromEntries(
      Object.entries(item).filter(([name]) => name !== PARTITION_KEY && name !== SORT_KEY),
    );
    const absent = OPTIONAL_RECORD_ATTRIBUTES.filter((name) => item[name] === undefined);
    await this.#write(lease, set, absent, options);
  }

  async delete(key: ClusterGatewayKey, lease: Lease, options: WriteOptions = {}): Promise<void> {
    const gatewayKey = storeKey(key);
    checkLeaseMatches(gatewayKey, lease);
    // The item stays, with its token: only the record's attributes go.
    await this.#write(lease, {}, Object.values(RECORD_ATTRIBUTES), options);
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
   * Items holding only a lease (a Gateway never recorded, or whose record was deleted) are not
   * records and are skipped. A damaged record stops the listing with StateDecodeError instead of
   * being skipped: a skipped record would make its Gateway's resources look unclaimed to the sweep.
   */
  async *list(): AsyncIterable<StoredGatewayState<Applied>> {
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
      for (const item of page.Items ?? []) if (hasRecord(item)) yield decodeState(item, this.#decode);
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }

  /**
   * One UpdateItem of the record's attributes (`set`, and `remove` gone), and of the lease's owner
   * and expiry with `release`, on condition that `lease` is still the latest (owner and token) and
   * that no record written under a newer lease exists. The second condition is redundant while the
   * item's token is intact (a token only grows); it keeps a record from going backwards if the lease
   * attributes were ever removed by hand and tokens restarted.
   */
  async #write(lease: Lease, set: StateItem, remove: readonly string[], options: WriteOptions): Promise<void> {
    // One placeholder per attribute name, whichever clause names it first.
    const names = new Map<string, string>();
    const alias = (name: string) => {
      const known = names.get(name);
      if (known !== undefined) return known;
      const placeholder = `#a${names.size}`;
      names.set(name, placeholder);
      return placeholder;
    };
    const values: Record<string, AttributeValue> = {
      ":owner": { S: lease.owner },
      ":token": { N: String(lease.token) },
    };
    const fencingToken = alias(RECORD_ATTRIBUTES.fencingToken);
    const condition =
      `${alias(LEASE_ATTRIBUTES.owner)} = :owner AND ${alias(LEASE_ATTRIBUTES.token)} = :token` +
      ` AND (attribute_not_exists(${fencingToken}) OR ${fencingToken} <= :token)`;
    const sets = Object.entries(set).map(([name, value], i) => {
      values[`:v${i}`] = value;
      return `${alias(name)} = :v${i}`;
    });
    const released = options.release ? [LEASE_ATTRIBUTES.owner, LEASE_ATTRIBUTES.expiresAt] : [];
    const removes = [...remove, ...released].map(alias);
    const input: Omit<UpdateItemCommandInput, "TableName" | "Key"> = {
      UpdateExpression: [
        ...(sets.length > 0 ? [`SET ${sets.join(", ")}`] : []),
        ...(removes.length > 0 ? [`REMOVE ${removes.join(", ")}`] : []),
      ].join(" "),
      ConditionExpression: condition,
      ExpressionAttributeNames: Object.fromEntries([...names].map(([name, placeholder]) => [placeholder, name])),
      ExpressionAttributeValues: values,
      // Names the current holder in the FencedOut message.
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    };
    try {
      await retryConflicts(
        () =>
          this.#client.send(
            new UpdateItemCommand({ ...input, TableName: this.#tableName, Key: leaseKey(lease.gatewayKey) }),
          ),
        this.#conflictRetry,
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A releasing write whose answer was lost (a 5xx, a dropped connection) is retried by the
      // SDK and then finds its own lease released: if the item is exactly what it wrote, it landed.
      const retried = (error.$metadata.attempts ?? 1) > 1;
      if (options.release && retried && landed(error.Item, lease, set, remove)) return;
      const current = holderOf(error.Item);
      // Still the holder, so the refusal came from a record written under a newer lease.
      if (current.owner === lease.owner && current.token === lease.token) throw newerRecordExists(lease);
      throw leaseSuperseded(lease, current);
    }
  }
}
