// The dirty record while a recheck waits (`finish` with keepPending): the marker stays pending,
// held by the reconciler, so ingest bumps without sending; the DynamoDB twin is in
// test/integration/reconcile-recheck.test.ts.
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { MemoryDirtyGenerations } from "../../../shared/pipeline/dirty-generation.ts";

const KEY = clusterGatewayKey("c1", "apps", "gw");
const finished = (startedGeneration: number, now: number) => ({
  startedGeneration,
  startedAt: now - 100,
  notBefore: now + 2_000,
  intervalMs: 2_000,
  now,
  keepPending: true,
});

describe("finish with a recheck to follow", () => {
  it("keeps the marker pending (no owner) when nothing moved, and ingest then only bumps", async () => {
    const dirty = new MemoryDirtyGenerations();
    await dirty.bump(KEY, { urgent: true, now: 1_000, owners: ["m1"] });
    expect(await dirty.finish(KEY, finished(1, 2_000))).toEqual({ moved: false });
    const record = await dirty.read(KEY);
    expect(record).toMatchObject({ pendingSince: 2_000, pendingBy: [], startedGeneration: 1, notBefore: 4_000 });
    // A redelivery of the record that set the marker does not resend: the reconciler holds it.
    expect(await dirty.bump(KEY, { urgent: false, now: 2_500, owners: ["m1"] })).toEqual({
      generation: 2,
      request: false,
    });
  });

  it("still says when the generation moved, so a requeue goes instead", async () => {
    const dirty = new MemoryDirtyGenerations();
    await dirty.bump(KEY, { urgent: true, now: 1_000 });
    await dirty.bump(KEY, { urgent: true, now: 1_500 });
    expect(await dirty.finish(KEY, finished(1, 2_000))).toEqual({ moved: true, generation: 2 });
    expect((await dirty.read(KEY)).pendingSince).toBe(2_000);
  });

  it("the recheck's own finish, settled, clears the marker", async () => {
    const dirty = new MemoryDirtyGenerations();
    await dirty.bump(KEY, { urgent: true, now: 1_000 });
    await dirty.finish(KEY, finished(1, 2_000));
    expect(await dirty.finish(KEY, { ...finished(1, 12_000), keepPending: false })).toEqual({ moved: false });
    expect((await dirty.read(KEY)).pendingSince).toBeUndefined();
    expect((await dirty.bump(KEY, { urgent: true, now: 13_000 })).request).toBe(true);
  });
});
