/**
 * The per-Gateway dirty generation: a counter ingest bumps once per batch for every Gateway a
 * batch affects, and the reconciler compares before and after a reconcile (moved: run once more).
 * One item in the Gateway's partition (`GATEWAY#<key>` / `DIRTY`), incremented with `ADD`, which
 * DynamoDB applies atomically without a read.
 */
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { ClusterGatewayKey } from "../keys.ts";
import { gatewayPartition, PARTITION_KEY, SORT_KEY } from "../store/dynamodb/table-keys.ts";

export const DIRTY_SORT_KEY = "DIRTY";
const GENERATION_ATTRIBUTE = "generation";

export interface DirtyGenerations {
  /** Adds one and returns the new generation (1 for a Gateway never bumped). */
  bump(gatewayKey: ClusterGatewayKey): Promise<number>;
  /** The current generation (0 for a Gateway never bumped), read strongly consistent. */
  current(gatewayKey: ClusterGatewayKey): Promise<number>;
}

export class DynamoDbDirtyGenerations implements DirtyGenerations {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async bump(gatewayKey: ClusterGatewayKey): Promise<number> {
    const { Attributes } = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: dirtyKey(gatewayKey),
        UpdateExpression: "ADD #generation :one",
        ExpressionAttributeNames: { "#generation": GENERATION_ATTRIBUTE },
        ExpressionAttributeValues: { ":one": { N: "1" } },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const generation = Number(Attributes?.[GENERATION_ATTRIBUTE]?.N);
    if (!Number.isSafeInteger(generation)) throw new Error(`dirty generation of ${gatewayKey}: no number returned`);
    return generation;
  }

  async current(gatewayKey: ClusterGatewayKey): Promise<number> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: dirtyKey(gatewayKey), ConsistentRead: true }),
    );
    return Number(Item?.[GENERATION_ATTRIBUTE]?.N ?? 0);
  }
}

export class MemoryDirtyGenerations implements DirtyGenerations {
  readonly #generations = new Map<ClusterGatewayKey, number>();

  async bump(gatewayKey: ClusterGatewayKey): Promise<number> {
    const next = (this.#generations.get(gatewayKey) ?? 0) + 1;
    this.#generations.set(gatewayKey, next);
    return next;
  }

  async current(gatewayKey: ClusterGatewayKey): Promise<number> {
    return this.#generations.get(gatewayKey) ?? 0;
  }
}

function dirtyKey(gatewayKey: ClusterGatewayKey) {
  return { [PARTITION_KEY]: { S: gatewayPartition(gatewayKey) }, [SORT_KEY]: { S: DIRTY_SORT_KEY } };
}
