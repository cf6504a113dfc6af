// The behaviour every ClusterRegistry must have, registered against a factory: the in-memory
// registry in the unit tier (memory.test.ts), the DynamoDB one on DynamoDB Local in the
// integration tier (test/integration/registry-dynamodb.test.ts).
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { beforeEach, expect, test } from "vitest";
import { InvalidCluster } from "../../../shared/registry/cluster.ts";
import { clusterKey, encodeCluster } from "../../../shared/registry/cluster-item.ts";
import {
  ClusterAlreadyRegistered,
  ClusterNotRegistered,
  type ClusterRegistry,
} from "../../../shared/registry/registry.ts";
import { crossAccountCluster, sameAccountCluster } from "./fixtures.ts";

export interface RegistryUnderTest {
  registry: ClusterRegistry;
  /** Writes an item as is, bypassing validation, as a hand edit in the console would. */
  writeRawItem(item: Record<string, AttributeValue>): Promise<void>;
}

export function registryContract(create: () => Promise<RegistryUnderTest>): void {
  let registry: ClusterRegistry;
  let writeRawItem: RegistryUnderTest["writeRawItem"];

  beforeEach(async () => {
    ({ registry, writeRawItem } = await create());
  });

  test("a created cluster reads back equal, both connection shapes", async () => {
    await registry.put(sameAccountCluster(), "create");
    await registry.put(crossAccountCluster(), "create");
    expect(await registry.get("prod-eu")).toEqual(sameAccountCluster());
    expect(await registry.get("tenant-b")).toEqual(crossAccountCluster());
  });

  test("an unknown cluster id reads as undefined", async () => {
    expect(await registry.get("nowhere")).toBeUndefined();
  });

  test("create refuses an id already registered and leaves the first registration", async () => {
    await registry.put(sameAccountCluster(), "create");
    const again = { ...sameAccountCluster(), vpcId: "vpc-99999999" };
    await expect(registry.put(again, "create")).rejects.toBeInstanceOf(ClusterAlreadyRegistered);
    expect((await registry.get("prod-eu"))?.vpcId).toBe("vpc-0a1b2c3d");
  });

  test("update replaces a registered cluster and refuses an unknown one", async () => {
    await expect(registry.put(sameAccountCluster(), "update")).rejects.toBeInstanceOf(ClusterNotRegistered);
    expect(await registry.get("prod-eu")).toBeUndefined();
    await registry.put(sameAccountCluster(), "create");
    await registry.put({ ...sameAccountCluster(), statusMode: "via-forwarder" }, "update");
    expect((await registry.get("prod-eu"))?.statusMode).toBe("via-forwarder");
  });

  test("put validates: a cross-account cluster without an ExternalId is refused and nothing is written", async () => {
    const { externalId: _, ...withoutExternalId } = crossAccountCluster();
    const refused = registry.put(withoutExternalId, "create");
    await expect(refused).rejects.toBeInstanceOf(InvalidCluster);
    await expect(refused).rejects.toMatchObject({ field: "externalId" });
    expect(await registry.get("tenant-b")).toBeUndefined();
  });

  test("list returns every cluster ordered by id", async () => {
    for (const id of ["c-3", "a-1", "b-2", "d-4", "e-5", "f-6", "g-7"]) {
      await registry.put(sameAccountCluster(id), "create");
    }
    expect((await registry.list()).map((c) => c.clusterId)).toEqual(["a-1", "b-2", "c-3", "d-4", "e-5", "f-6", "g-7"]);
  });

  test("remove deregisters once and then reports nothing removed", async () => {
    await registry.put(sameAccountCluster(), "create");
    expect(await registry.remove("prod-eu")).toBe(true);
    expect(await registry.get("prod-eu")).toBeUndefined();
    expect(await registry.remove("prod-eu")).toBe(false);
    await registry.put(sameAccountCluster(), "create");
  });

  test("a stored item that no longer validates is refused on read, naming the field", async () => {
    await writeRawItem({ ...encodeCluster(sameAccountCluster()), account: { S: "12345" } });
    await expect(registry.get("prod-eu")).rejects.toMatchObject({ name: "InvalidCluster", field: "account" });
  });

  test("a stored item under another cluster's key is refused on read", async () => {
    await writeRawItem({ ...encodeCluster(sameAccountCluster("other")), ...clusterKey("prod-eu") });
    await expect(registry.get("prod-eu")).rejects.toThrow(/does not match its key/);
  });
}
