/**
 * What the forwarder last forwarded of each object of a kind, and the comparison with a fresh list
 * after a relist: listed objects that are new or changed are upserted, and known objects missing
 * from the list were deleted while the watch was down. Pure.
 */
import type { KubeObjectJson, SnapshotItem } from "../shared/events/event.ts";
import { isRecord } from "../shared/events/strip.ts";

export interface ObjectIdentity {
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: string;
}

/** Identity of an object as the API server sent it, or undefined if it lacks one. */
export function identityOf(object: KubeObjectJson): ObjectIdentity | undefined {
  const metadata = object.metadata;
  if (!isRecord(metadata)) return undefined;
  const { name, namespace, uid, resourceVersion } = metadata;
  if (typeof name !== "string" || typeof uid !== "string" || typeof resourceVersion !== "string") return undefined;
  return { ...(typeof namespace === "string" && namespace !== "" ? { namespace } : {}), name, uid, resourceVersion };
}

export function objectKeyOf(identity: Pick<ObjectIdentity, "namespace" | "name">): string {
  return identity.namespace === undefined ? identity.name : `${identity.namespace}/${identity.name}`;
}

export interface KnownObject {
  identity: ObjectIdentity;
  object: KubeObjectJson;
}

export interface RelistDiff {
  upserts: KnownObject[];
  deletes: KnownObject[];
}

/**
 * Compares `listed` (every object of the kind in `namespace`, or cluster-wide when undefined) with
 * `known`. An object re-created under the same name has a new uid and is an upsert of the new one.
 */
export function diffRelist(
  known: ReadonlyMap<string, KnownObject>,
  listed: readonly KnownObject[],
  namespace: string | undefined,
): RelistDiff {
  const listedKeys = new Set<string>();
  const upserts: KnownObject[] = [];
  for (const entry of listed) {
    const key = objectKeyOf(entry.identity);
    listedKeys.add(key);
    const before = known.get(key);
    if (
      before === undefined ||
      before.identity.uid !== entry.identity.uid ||
      before.identity.resourceVersion !== entry.identity.resourceVersion
    ) {
      upserts.push(entry);
    }
  }
  const deletes: KnownObject[] = [];
  for (const [key, entry] of known) {
    if (namespace !== undefined && entry.identity.namespace !== namespace) continue;
    if (!listedKeys.has(key)) deletes.push(entry);
  }
  return { upserts, deletes };
}

/** Snapshot items of the known objects, sorted so equal states give equal snapshots. */
export function snapshotItems(known: ReadonlyMap<string, KnownObject>): SnapshotItem[] {
  return [...known.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { identity }]) => ({ ...identity }));
}
