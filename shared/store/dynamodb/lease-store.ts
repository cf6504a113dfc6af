/**
 * Leases as conditional updates of one item per Gateway (the item that also holds its state record,
 * see lease-item.ts; claims, which take the lease and read the record at once, are the state
 * store's). DynamoDB applies each update atomically,
 * so the condition is the whole protocol: no read-then-write, no clock on the server side (the
 * caller's `now` decides expiry, as everywhere else in switchyard).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { ClusterGatewayKey } from "../../keys.ts";
import { type Lease, type LeaseStore, storeKey } from "../state.ts";
import { type ConflictRetry, DEFAULT_CONFLICT_RETRY, retryConflicts } from "./conflicts.ts";
import { LEASE_ATTRIBUTES, leaseKey } from "./lease-item.ts";

/** Condition of every write by a holder (renew, release, state writes): its lease is the latest. */
export const HELD_CONDITION = "#owner = :owner AND #token = :token";

export function heldValues(lease: Lease): Record<string, AttributeValue> {
  return { ":owner": { S: lease.owner }, ":token": { N: String(lease.token) } };
}

export const HELD_NAMES = { "#owner": LEASE_ATTRIBUTES.owner, "#token": LEASE_ATTRIBUTES.token };

export interface DynamoDbLeaseStoreOptions {
  /**
   * How transaction conflicts on the lease item are retried.
   * @default DEFAULT_CONFLICT_RETRY (3 retries, 20 ms base delay): see conflicts.ts for why.
   */
  conflictRetry?: ConflictRetry;
}

export class DynamoDbLeaseStore implements LeaseStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #conflictRetry: ConflictRetry;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoDbLeaseStoreOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#conflictRetry = options.conflictRetry ?? DEFAULT_CONFLICT_RETRY;
  }

  async acquire(key: ClusterGatewayKey, owner: string, now: number, ttlMs: number): Promise<Lease | undefined> {
    const gatewayKey = storeKey(key);
    const expiresAt = now + ttlMs;
    const updated = await this.#update(gatewayKey, {
      // ADD treats a missing token as 0: the first lease of a Gateway gets token 1.
      UpdateExpression: "SET #gatewayKey = :gatewayKey, #owner = :owner, #expiresAt = :expiresAt ADD #token :one",
      // Free: never acquired or released (no expiry), expired, or already this owner's.
      ConditionExpression: "attribute_not_exists(#expiresAt) OR #expiresAt < :now OR #owner = :owner",
      ExpressionAttributeNames: {
        ...HELD_NAMES,
        "#gatewayKey": LEASE_ATTRIBUTES.gatewayKey,
        "#expiresAt": LEASE_ATTRIBUTES.expiresAt,
      },
      ExpressionAttributeValues: {
        ":gatewayKey": { S: gatewayKey },
        ":owner": { S: owner },
        ":expiresAt": { N: String(expiresAt) },
        ":now": { N: String(now) },
        ":one": { N: "1" },
      },
      ReturnValues: "UPDATED_NEW",
    });
    if (updated === undefined) return undefined;
    const token = Number(updated[LEASE_ATTRIBUTES.token]?.N);
    if (!Number.isSafeInteger(token)) throw new Error(`lease of ${gatewayKey}: the update returned no token`);
    return { gatewayKey, owner, token, expiresAt };
  }

  async renew(lease: Lease, now: number, ttlMs: number): Promise<Lease | undefined> {
    const expiresAt = now + ttlMs;
    const updated = await this.#update(lease.gatewayKey, {
      UpdateExpression: "SET #expiresAt = :expiresAt",
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeNames: { ...HELD_NAMES, "#expiresAt": LEASE_ATTRIBUTES.expiresAt },
      ExpressionAttributeValues: { ...heldValues(lease), ":expiresAt": { N: String(expiresAt) } },
    });
    return updated === undefined ? undefined : { ...lease, expiresAt };
  }

  /** Frees the lease if it is still this one; a lease already lost needs nothing. */
  async release(lease: Lease): Promise<void> {
    await this.#update(lease.gatewayKey, {
      // Not a delete: the item carries the token counter.
      UpdateExpression: "REMOVE #owner, #expiresAt",
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeNames: { ...HELD_NAMES, "#expiresAt": LEASE_ATTRIBUTES.expiresAt },
      ExpressionAttributeValues: heldValues(lease),
    });
  }

  /** The updated attributes, or undefined if the condition failed. */
  async #update(
    gatewayKey: ClusterGatewayKey,
    input: Omit<UpdateItemCommandInput, "TableName" | "Key">,
  ): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const result = await retryConflicts(
        () =>
          this.#client.send(new UpdateItemCommand({ ...input, TableName: this.#tableName, Key: leaseKey(gatewayKey) })),
        this.#conflictRetry,
      );
      return result.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
