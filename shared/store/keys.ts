/**
 * The single table's key layout (see README.md). Every item has a string partition key `pk` and a
 * string sort key `sk`; the prefix of `pk` names the entity, so entities of different kinds never
 * share a partition by accident and new kinds can be added without a migration.
 */

export const PARTITION_KEY = "pk";
export const SORT_KEY = "sk";

/** Per-Gateway partition: its lease and its state (and later its dirty-generation counter). */
export const GATEWAY_PREFIX = "GATEWAY#";
/** Reserved for the objects mirror (`OBJECT#<cluster>/<kind>/<namespace>/<name>`). */
export const OBJECT_PREFIX = "OBJECT#";
/** Reserved for the cluster registry (`CLUSTER#<cluster id>`). */
export const CLUSTER_PREFIX = "CLUSTER#";

export const LEASE_SORT_KEY = "LEASE";
export const STATE_SORT_KEY = "STATE";

export function gatewayPartition(gatewayKey: string): string {
  return `${GATEWAY_PREFIX}${gatewayKey}`;
}
