// The store contract against the in-memory stores the reconciler's pure tests use, plus what only
// reaching into the table can show.
import { describe, expect, test } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import { MemoryTable } from "../../../shared/store/memory/table.ts";
import { FencedOut } from "../../../shared/store/state.ts";
import { storeContract } from "./contract.ts";
import { stateOf, T0, TTL, writerOf } from "./fixtures.ts";

describe("in-memory stores", () => {
  storeContract(async () => createMemoryStores());
});

describe("in-memory table", () => {
  test("a record written under a higher token than the lease item's is never overwritten", async () => {
    // As in DynamoDB (store-dynamodb.test.ts): if the lease item were lost, tokens would restart.
    const GW = clusterGatewayKey("cluster-a", "default", "web");
    const table = new MemoryTable();
    const { leases, states } = createMemoryStores(table);
    for (let i = 0; i < 3; i++) await leases.acquire(GW, "a", T0 + i, TTL);
    const third = await leases.acquire(GW, "a", T0 + 3, TTL);
    if (third === undefined) throw new Error("no lease");
    await states.put(stateOf(GW, "a"), third);
    table.leases.delete(GW);

    const restarted = await leases.acquire(GW, "b", T0 + 4, TTL);
    expect(restarted?.token).toBe(1);
    if (restarted === undefined) throw new Error("no lease");
    await expect(states.put(stateOf(GW, "b"), restarted)).rejects.toBeInstanceOf(FencedOut);
    expect(writerOf(await states.get(GW))).toBe("a");
  });
});
