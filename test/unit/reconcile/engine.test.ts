/**
 * The reconcile engine against the in-memory ELB and stores: zero calls when nothing changed,
 * drift repair, crash recovery without orphans or duplicates, fencing, quota handling, deletion.
 */
import { describe, expect, it } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { type ReconcileDeps, type ReconcileRequest, reconcileGateway } from "../../../shared/reconcile/engine.ts";
import { MemoryElb } from "../../../shared/reconcile/memory-elb.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import { FencedOut } from "../../../shared/store/state.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";

const GATEWAY = "test/apps/gw";

function model(paths: readonly string[]): LoadBalancerModel {
  return gatewayModel(paths.map((path) => ({ path })));
}

function setup(options: { maxRulesPerListener?: number } = {}) {
  let clock = 1_000_000;
  const stores = createMemoryStores();
  const elb = new MemoryElb(GATEWAY, options);
  const deps = (owner = "reconciler-a"): ReconcileDeps => ({
    leases: stores.leases,
    states: stores.states,
    elb,
    now: () => clock,
    owner,
    driftIntervalMs: 600_000,
  });
  const request = (desired: LoadBalancerModel | undefined): ReconcileRequest => ({
    gatewayKey: GATEWAY,
    dataPlane: "alb",
    account: "111122223333",
    region: "us-east-1",
    desired,
  });
  return { stores, elb, deps, request, advance: (ms: number) => (clock += ms) };
}

describe("reconciling one Gateway", () => {
  it("creates everything on the first reconcile", async () => {
    const { elb, deps, request } = setup();
    const outcome = await reconcileGateway(request(model(["/a", "/b"])), deps());
    expect(outcome.kind).toBe("applied");
    expect(elb.world.loadBalancer).toBeDefined();
    expect(elb.world.listeners[0]?.rules).toHaveLength(2);
  });

  it("a reconcile with nothing changed and no drift check due makes zero AWS calls", async () => {
    const { elb, deps, request, advance } = setup();
    await reconcileGateway(request(model(["/a", "/b"])), deps());
    const calls = elb.calls.length;
    const reads = elb.reads;
    advance(60_000);
    const outcome = await reconcileGateway(request(model(["/a", "/b"])), deps());
    expect(outcome.kind).toBe("unchanged");
    expect(elb.calls.length - calls).toBe(0);
    expect(elb.reads - reads).toBe(0);
  });

  it("a load balancer recorded as provisioning is re-read until it is active, then left alone", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    const state = await stores.states.get(GATEWAY);
    const lease = await stores.leases.acquire(GATEWAY, "test", 1_000_000 + 1, 60_000);
    if (!state?.applied.loadBalancer || !lease) throw new Error("setup failed");
    await stores.states.put(
      {
        ...state,
        applied: { ...state.applied, loadBalancer: { ...state.applied.loadBalancer, state: "provisioning" } },
      },
      lease,
    );
    await stores.leases.release(lease);
    advance(1_000);
    const reads = elb.reads;
    const settled = await reconcileGateway(request(desired), deps());
    expect(elb.reads - reads).toBe(1);
    expect(settled.kind === "unchanged" && settled.observed.loadBalancer?.state).toBe("active");
    advance(1_000);
    await reconcileGateway(request(desired), deps());
    expect(elb.reads - reads).toBe(1);
  });

  it("a changed route is planned from the state record without reading AWS", async () => {
    const { elb, deps, request } = setup();
    await reconcileGateway(request(model(["/a", "/b"])), deps());
    const reads = elb.reads;
    await reconcileGateway(request(model(["/a", "/c"])), deps());
    expect(elb.reads).toBe(reads);
    expect(elb.world.listeners[0]?.rules.map((r) => r.conditions[0])).toContainEqual({
      field: "path-pattern",
      values: ["/c", "/c/*"],
    });
  });

  it("a drift check restores a rule changed behind switchyard's back", async () => {
    const { elb, deps, request, advance } = setup();
    const desired = model(["/a", "/b"]);
    await reconcileGateway(request(desired), deps());
    const tampered = structuredClone(elb.world);
    const rule = tampered.listeners[0]?.rules[0];
    if (!rule) throw new Error("no rule");
    rule.actions = [{ type: "fixed-response", statusCode: "503" }];
    elb.accounts.set(GATEWAY, tampered);
    advance(600_001);
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome).toMatchObject({ kind: "applied", drift: true, operations: ["ModifyRule"] });
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a crash after any apply step converges on the next reconcile with no orphan and no duplicate", async () => {
    const desired = model(["/a", "/b", "/c"]);
    const total = planElb(desired, { listeners: [], targetGroups: [], strayLoadBalancers: [] }).operations.length;
    for (let crashAt = 0; crashAt < total; crashAt++) {
      const { elb, deps, request } = setup();
      elb.failBefore = (_op, index) => (index === crashAt ? new Error("Lambda timed out") : undefined);
      await expect(reconcileGateway(request(desired), deps())).rejects.toThrow("Lambda timed out");
      elb.failBefore = () => undefined;
      const outcome = await reconcileGateway(request(desired), deps("reconciler-b"));
      expect(outcome.kind === "applied" || outcome.kind === "unchanged").toBe(true);
      expect(planElb(desired, elb.world).operations, `crash before step ${crashAt}`).toEqual([]);
      expect(elb.world.targetGroups).toHaveLength(desired.targetGroups.length);
      expect(elb.world.strayLoadBalancers).toEqual([]);
    }
  });

  it("after AWS refuses an operation, the next attempt plans from the record instead of re-discovering", async () => {
    const { elb, deps, request } = setup();
    const desired = model(["/a", "/b"]);
    elb.failBefore = (op) =>
      op.op === "CreateRule"
        ? new ElbOperationError("quota", "TooManyRules", "CreateRule", "rule quota reached")
        : undefined;
    const failed = await reconcileGateway(request(desired), deps());
    expect(failed).toMatchObject({ kind: "failed", retryable: false });
    elb.failBefore = () => undefined;
    const reads = elb.reads;
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("applied");
    expect(elb.reads).toBe(reads);
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a second reconciler finds the Gateway busy while the lease is held", async () => {
    const { stores, deps, request } = setup();
    const held = await stores.leases.acquire(GATEWAY, "someone-else", 1_000_000, 60_000);
    expect(held).toBeDefined();
    expect((await reconcileGateway(request(model(["/a"])), deps())).kind).toBe("busy");
  });

  it("a reconciler whose lease expired and was taken over cannot write state", async () => {
    const { elb, deps, request, advance } = setup();
    let resumeA: () => void = () => undefined;
    let pausedA: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (pausedA = resolve));
    // Reconciler A stalls before its third operation, until B has taken over and finished.
    const stall = new Promise<void>((resolve) => (resumeA = resolve));
    const original = elb.execute.bind(elb);
    let n = 0;
    elb.execute = async (op, current, created) => {
      n += 1;
      if (n === 3) {
        pausedA();
        await stall;
      }
      return original(op, current, created);
    };
    const runA = reconcileGateway(request(model(["/a", "/b"])), { ...deps("reconciler-a"), leaseTtlMs: 1_000 });
    await paused;
    advance(5_000);
    const outcomeB = await reconcileGateway(request(model(["/a", "/b"])), deps("reconciler-b"));
    expect(outcomeB.kind).not.toBe("busy");
    resumeA();
    await expect(runA).rejects.toBeInstanceOf(FencedOut);
    expect(planElb(model(["/a", "/b"]), elb.world).operations).toEqual([]);
  });

  it("TooManyRules while creating rules runs the listener's pending deletions first and converges", async () => {
    const { elb, deps, request } = setup({ maxRulesPerListener: 3 });
    await reconcileGateway(request(model(["/a", "/b", "/c"])), deps());
    const desired = model(["/x", "/y", "/z"]);
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome.kind).toBe("applied");
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a deleted Gateway deletes everything it owns and its state record", async () => {
    const { elb, stores, deps, request } = setup();
    await reconcileGateway(request(model(["/a"])), deps());
    expect((await reconcileGateway(request(undefined), deps())).kind).toBe("deleted");
    expect(elb.world.loadBalancer).toBeUndefined();
    expect(elb.world.targetGroups).toEqual([]);
    expect(await stores.states.get(GATEWAY)).toBeUndefined();
  });
});
