/**
 * The orphan sweep against the in-memory ELB and stores: a Gateway is swept only under its own
 * lease and only if it still has no record when its turn comes.
 */
import { describe, expect, it } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { tagValue } from "../../../shared/elb/naming.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { type ReconcileDeps, reconcileGateway } from "../../../shared/reconcile/engine.ts";
import { sweepOrphans } from "../../../shared/reconcile/orphans.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { StateStore } from "../../../shared/store/state.ts";
import { MemoryElb } from "../../../shared/testing/index.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";

const CLUSTER = "test";
const GATEWAY = "apps/gw";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");

async function orphaned() {
  const stores = createMemoryStores();
  const elb = new MemoryElb(KEY);
  const clock = 1_000_000;
  const deps = (owner: string, states: StateStore = stores.states): ReconcileDeps => ({
    leases: stores.leases,
    states,
    elb,
    now: () => clock,
    owner,
  });
  const desired: LoadBalancerModel = gatewayModel([{ path: "/a" }]);
  const request = { gatewayKey: KEY, dataPlane: "alb" as const, account: "1", region: "r", desired };
  await reconcileGateway(request, deps("reconciler"));
  // The record is lost; the resources stay.
  const lease = await stores.leases.acquire(KEY, "ops", clock, 60_000);
  if (!lease) throw new Error("setup failed");
  await stores.states.delete(KEY, lease);
  await stores.leases.release(lease);
  const target = { cluster: CLUSTER, account: "1", region: "r", tagged: new Set([GATEWAY]), port: () => elb };
  return { stores, elb, deps, request, target, clock };
}

describe("sweeping orphans", () => {
  it("deletes the resources of a Gateway without a record", async () => {
    const { elb, deps, target } = await orphaned();
    const result = await sweepOrphans(target, deps("sweeper"));
    expect(result).toMatchObject({ orphans: [GATEWAY], spared: [] });
    expect(result.deleted).toBeGreaterThan(0);
    expect(elb.world.loadBalancer).toBeUndefined();
  });

  it("spares a Gateway whose lease is held when its turn comes", async () => {
    const { stores, elb, deps, target, clock } = await orphaned();
    expect(await stores.leases.acquire(KEY, "reconciler", clock, 60_000)).toBeDefined();
    const calls = elb.calls.length;
    const result = await sweepOrphans(target, deps("sweeper"));
    expect(result).toEqual({ orphans: [GATEWAY], spared: [GATEWAY], deleted: 0 });
    expect(elb.calls.length).toBe(calls);
    expect(elb.world.loadBalancer).toBeDefined();
  });

  it("spares a Gateway whose record was written after the listing", async () => {
    const { stores, elb, deps, request, target } = await orphaned();
    const states: StateStore = {
      claim: (claim) => stores.states.claim(claim),
      get: (key) => stores.states.get(key),
      put: (state, lease) => stores.states.put(state, lease),
      delete: (key, lease) => stores.states.delete(key, lease),
      async *list() {
        yield* stores.states.list();
        // The Gateway comes back right after the listing and is reconciled.
        await reconcileGateway(request, deps("reconciler"));
      },
    };
    const result = await sweepOrphans(target, { ...deps("sweeper"), states });
    expect(result).toEqual({ orphans: [GATEWAY], spared: [GATEWAY], deleted: 0 });
    expect(elb.world.loadBalancer).toBeDefined();
  });
});

describe("sweeping orphans whose Gateway key was too long for a tag", () => {
  const LONG = `${"n".repeat(63)}/${"g".repeat(253)}`;
  const LONG_KEY = clusterGatewayKey(CLUSTER, "n".repeat(63), "g".repeat(253));

  async function reconciled() {
    const stores = createMemoryStores();
    const elb = new MemoryElb(LONG_KEY);
    const deps = (owner: string): ReconcileDeps => ({ ...stores, elb, now: () => 1_000_000, owner });
    const request = {
      gatewayKey: LONG_KEY,
      dataPlane: "alb" as const,
      account: "1",
      region: "r",
      desired: gatewayModel([{ path: "/a" }]),
    };
    await reconcileGateway(request, deps("reconciler"));
    const tagged = new Set([tagValue(LONG)]);
    const target = { cluster: CLUSTER, account: "1", region: "r", tagged, port: () => elb };
    return { stores, elb, deps, target };
  }

  it("a record claims resources tagged with its shortened key", async () => {
    const { elb, deps, target } = await reconciled();
    expect(tagValue(LONG)).not.toBe(LONG);
    const result = await sweepOrphans(target, deps("sweeper"));
    expect(result).toEqual({ orphans: [], spared: [], deleted: 0 });
    expect(elb.world.loadBalancer).toBeDefined();
  });

  it("a shortened key without a record is reported and left alone, since its lease cannot be named", async () => {
    const { stores, elb, deps, target } = await reconciled();
    const lease = await stores.leases.acquire(LONG_KEY, "ops", 1_000_000, 60_000);
    if (!lease) throw new Error("setup failed");
    await stores.states.delete(LONG_KEY, lease);
    await stores.leases.release(lease);
    const warnings: unknown[] = [];
    const result = await sweepOrphans(target, {
      ...deps("sweeper"),
      logger: { warn: (message, context) => warnings.push({ message, context }) },
    });
    expect(result).toEqual({ orphans: [tagValue(LONG)], spared: [tagValue(LONG)], deleted: 0 });
    expect(warnings).toHaveLength(1);
    expect(elb.world.loadBalancer).toBeDefined();
  });
});
