/**
 * The single table's key layout (see ../README.md). Every item has a string partition key `pk` and a
 * string sort key `sk`; the prefix of `pk` names the entity, so entities of different kinds never
 * share a partition by accident and new kinds can be added without a migration.
 */
import type { ClusterGatewayKey } from "../../keys.ts";

/** @default "pk" — short, because DynamoDB counts attribute names against every item's 400 KB. */
export const PARTITION_KEY = "pk";
/** @default "sk" — short for the same reason. */
export const SORT_KEY = "sk";

/** Per-Gateway partition: its lease and state item, and its dirty-generation counter. */
export const GATEWAY_PREFIX = "GATEWAY#";
/** Reserved for the objects mirror (`OBJECT#<cluster>/<kind>/<namespace>/<name>`). */
export const OBJECT_PREFIX = "OBJECT#";
/** Reserved for the cluster registry (`CLUSTER#<cluster id>`). */
export const CLUSTER_PREFIX = "CLUSTER#";
/** The mirror's backend index: `BACKEND#<cluster>#<namespace>/<service>` / `<RouteKind>#<namespace>/<name>`. */
export const BACKEND_PREFIX = "BACKEND#";
/** Objects-mirror sync markers: `SYNC#<cluster>` / `<Kind>`, written by each applied snapshot. */
export const SYNC_PREFIX = "SYNC#";

/** The Gateway's lease and its state record: one item, so one request can take the one and read the other. */
export const STATE_SORT_KEY = "STATE";

export function gatewayPartition(gatewayKey: ClusterGatewayKey): string {
  return `${GATEWAY_PREFIX}${gatewayKey}`;
}

/** The gateway key a Gateway partition names, or undefined if `partition` is not one. */
export function gatewayOfPartition(partition: string): string | undefined {
  return partition.startsWith(GATEWAY_PREFIX) ? partition.slice(GATEWAY_PREFIX.length) : undefined;
}
