/**
 * The reconcile engine against the in-memory ELB and stores: zero calls when nothing changed,
 * drift repair, crash recovery without orphans or duplicates, fencing, quota handling, deletion.
 */
import { describe, expect, it, vi } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import {
  type EngineLogger,
  LeaseTooShort,
  type ReconcileDeps,
  type ReconcileRequest,
  reconcileGateway,
} from "../../../shared/reconcile/engine.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import { MemoryTable } from "../../../shared/store/memory/table.ts";
import { FencedOut, type StateStore } from "../../../shared/store/state.ts";
import { MemoryElb } from "../../../shared/testing/index.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";
import { recording } from "./recording-stores.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "gw");

function model(paths: readonly string[]): LoadBalancerModel {
  return gatewayModel(paths.map((path) => ({ path })));
}

/** What AWS holds once `desired` is fully applied, as the simulator builds it. */
async function planElbWorld(desired: LoadBalancerModel) {
  const elb = new MemoryElb("scratch");
  const created = new Map<string, string>();
  let world = elb.world;
  for (const op of planElb(desired, world).operations) world = await elb.execute(op, world, created);
  return world;
}

/** Defaults of ReconcileDeps, spelled out so the timing tests can reason about them. */
/** The store with its `put` replaced (a fault in the record write). */
function withPut<T>(states: StateStore<T>, replaced: Pick<StateStore<T>, "put">): StateStore<T> {
  return {
    claim: (request) => states.claim(request),
    get: (key) => states.get(key),
    put: replaced.put,
    delete: (key, lease, options) => states.delete(key, lease, options),
    list: () => states.list(),
  };
}

const TTL = 60_000;
const CALL_DEADLINE = 20_000;

function setup(options: { maxRulesPerLoadBalancer?: number } = {}) {
  let clock = 1_000_000;
  const table = new MemoryTable();
  const stores = createMemoryStores(table);
  const elb = new MemoryElb(GATEWAY, options);
  const warnings: { message: string; context: Record<string, unknown> }[] = [];
  const logger: EngineLogger = { warn: (message, context) => warnings.push({ message, context }) };
  const deps = (owner = "reconciler-a"): ReconcileDeps => ({
    leases: stores.leases,
    states: stores.states,
    elb,
    now: () => clock,
    owner,
    driftIntervalMs: 600_000,
    logger,
  });
  const request = (desired: LoadBalancerModel | undefined): ReconcileRequest => ({
    gatewayKey: GATEWAY,
    dataPlane: "alb",
    account: "111122223333",
    region: "us-east-1",
    desired,
  });
  return {
    stores,
    table,
    elb,
    deps,
    request,
    warnings,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
  };
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

  it("a crash after AWS accepted any step of a first apply converges on the next reconcile with no orphan and no duplicate", async () => {
    const desired = model(["/a", "/b", "/c"]);
    const total = planElb(desired, { listeners: [], targetGroups: [], strayLoadBalancers: [] }).operations.length;
    for (let crashAt = 0; crashAt < total; crashAt++) {
      const { elb, deps, request, advance } = setup();
      // The call took effect in AWS; the Lambda died before it saw the answer.
      elb.failAfter = (_op, index) => (index === crashAt ? new Error("Lambda timed out") : undefined);
      await expect(reconcileGateway(request(desired), deps())).rejects.toThrow("Lambda timed out");
      elb.failAfter = () => undefined;
      advance(TTL + CALL_DEADLINE + 1);
      const outcome = await reconcileGateway(request(desired), deps("reconciler-b"));
      expect(outcome.kind === "applied" || outcome.kind === "unchanged", `crash after step ${crashAt}`).toBe(true);
      expect(planElb(desired, elb.world).operations, `crash after step ${crashAt}`).toEqual([]);
      expect(elb.world.targetGroups).toHaveLength(desired.targetGroups.length);
      expect(elb.world.listeners[0]?.rules).toHaveLength(3);
      expect(elb.world.strayLoadBalancers).toEqual([]);
    }
  });

  it("a crash after AWS accepted any step of a change to a recorded Gateway is re-discovered, not re-applied from the record", async () => {
    const before = model(["/a", "/b"]);
    const desired = model(["/x", "/a", "/c"]);
    const total = planElb(desired, await planElbWorld(before)).operations.length;
    expect(total).toBeGreaterThan(1);
    for (let crashAt = 0; crashAt < total; crashAt++) {
      const { elb, deps, request, advance } = setup();
      await reconcileGateway(request(before), deps());
      const first = elb.calls.length;
      elb.failAfter = (_op, index) => (index === first + crashAt ? new Error("Lambda timed out") : undefined);
      await expect(reconcileGateway(request(desired), deps())).rejects.toThrow("Lambda timed out");
      elb.failAfter = () => undefined;
      advance(TTL + CALL_DEADLINE + 1);
      const outcome = await reconcileGateway(request(desired), deps("reconciler-b"));
      expect(outcome.kind === "applied" || outcome.kind === "unchanged", `crash after step ${crashAt}`).toBe(true);
      expect(planElb(desired, elb.world).operations, `crash after step ${crashAt}`).toEqual([]);
      expect(elb.world.listeners[0]?.rules, `crash after step ${crashAt}`).toHaveLength(3);
      expect(elb.world.targetGroups).toHaveLength(desired.targetGroups.length);
    }
  });

  it("a takeover after a holder failed mid-call waits one call deadline from that call, not the lease", async () => {
    const { elb, deps, request, advance, stores } = setup();
    const desired = model(["/a", "/b"]);
    // The third call went out and its answer never came: it may still land for one call deadline.
    elb.failAfter = (_op, index) => (index === 2 ? new Error("Lambda timed out") : undefined);
    await expect(reconcileGateway(request(desired), deps())).rejects.toThrow("Lambda timed out");
    elb.failAfter = () => undefined;
    const landBy = (await stores.states.get(GATEWAY))?.applying?.callsLandBy;
    expect(landBy).toBe(1_000_000 + CALL_DEADLINE);
    const calls = elb.calls.length;
    const reads = elb.reads;
    advance(CALL_DEADLINE);
    expect(await reconcileGateway(request(desired), deps("reconciler-b"))).toEqual({ kind: "busy", until: landBy });
    expect([elb.calls.length, elb.reads]).toEqual([calls, reads]);
    advance(1);
    expect((await reconcileGateway(request(desired), deps("reconciler-b"))).kind).toBe("applied");
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a holder that failed after AWS answered (its record write refused) is taken over at once, and the takeover re-discovers", async () => {
    const { elb, deps, request, stores, advance } = setup();
    const desired = model(["/a", "/b"]);
    const put = stores.states.put.bind(stores.states);
    let refuse = true;
    const states = withPut(stores.states, {
      put: async (...args: Parameters<typeof put>) => {
        // The last record write fails once (throttled); every AWS call before it was answered.
        if (refuse && args[2]?.release && args[0].appliedHash !== undefined) {
          refuse = false;
          throw new Error("ProvisionedThroughputExceededException");
        }
        return put(...args);
      },
    });
    await expect(reconcileGateway(request(desired), { ...deps(), states })).rejects.toThrow(
      "ProvisionedThroughputExceededException",
    );
    const record = await stores.states.get(GATEWAY);
    expect(record?.applying?.callsLandBy).toBe(1_000_000);
    const reads = elb.reads;
    // A millisecond later (no lease, no call deadline to wait for), the next delivery converges,
    // discovering by tags what the first one made.
    advance(1);
    expect((await reconcileGateway(request(desired), deps("reconciler-b"))).kind).toBe("unchanged");
    expect(elb.reads).toBeGreaterThan(reads);
    expect((await stores.states.get(GATEWAY))?.applying).toBeUndefined();
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a holder that vanished with its lease held (a killed process) is taken over when the lease expires", async () => {
    const { elb, deps, request, advance, stores } = setup();
    const desired = model(["/a", "/b"]);
    const original = elb.execute.bind(elb);
    let n = 0;
    elb.execute = async (op, current, created) => {
      n += 1;
      // The second call never returns and nothing after it runs: no finally, no release.
      if (n === 2) return new Promise<never>(() => undefined);
      return original(op, current, created);
    };
    void reconcileGateway(request(desired), deps("reconciler-a"));
    await vi.waitFor(() => expect(n).toBe(2));
    elb.execute = original;
    expect((await stores.states.get(GATEWAY))?.applying?.callsLandBy).toBe(1_000_000 + TTL);
    expect((await reconcileGateway(request(desired), deps("reconciler-b"))).kind).toBe("busy");
    advance(TTL + 1);
    expect((await reconcileGateway(request(desired), deps("reconciler-b"))).kind).toBe("applied");
    expect(planElb(desired, elb.world).operations).toEqual([]);
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

  it("a reconciler whose lease expired during a slow call and was taken over makes no further AWS call", async () => {
    const { elb, deps, request, advance } = setup();
    const desired = model(["/a", "/b"]);
    let resumeA: () => void = () => undefined;
    let pausedA: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (pausedA = resolve));
    const stall = new Promise<void>((resolve) => (resumeA = resolve));
    const original = elb.execute.bind(elb);
    let n = 0;
    // A's second call hangs until B has taken over and finished.
    elb.execute = async (op, current, created) => {
      n += 1;
      if (n === 2) {
        pausedA();
        await stall;
      }
      return original(op, current, created);
    };
    const runA = reconcileGateway(request(desired), deps("reconciler-a"));
    await paused;
    advance(TTL + CALL_DEADLINE + 1);
    const outcomeB = await reconcileGateway(request(desired), deps("reconciler-b"));
    expect(outcomeB.kind).toBe("applied");
    const afterB = elb.calls.length;
    resumeA();
    await expect(runA).rejects.toBeInstanceOf(FencedOut);
    // A's hung call itself ran when resumed (AWS knows no fencing); A started nothing after it.
    expect(elb.calls.length).toBe(afterB + 1);
    expect(elb.calls.at(-1)).toBe(elb.calls[1]);
  });

  it("no AWS call starts with less than a call deadline plus margin left on the lease", async () => {
    const { elb, table, deps, request, advance, now } = setup();
    const original = elb.execute.bind(elb);
    const leftAtCall: number[] = [];
    elb.execute = async (op, current, created) => {
      leftAtCall.push((table.leases.get(GATEWAY)?.expiresAt ?? 0) - now());
      // Every call takes 6 s: over a 30 s lease, a half-TTL renewal alone would let a call start
      // with 15 s left, under the 20 s deadline plus 5 s margin.
      advance(6_000);
      return original(op, current, created);
    };
    const outcome = await reconcileGateway(request(model(["/a", "/b", "/c"])), {
      ...deps(),
      leaseTtlMs: 30_000,
      callDeadlineMs: 20_000,
      leaseSafetyMarginMs: 5_000,
    });
    expect(outcome.kind).toBe("applied");
    expect(leftAtCall.length).toBeGreaterThan(4);
    expect(Math.min(...leftAtCall)).toBeGreaterThanOrEqual(25_000);
  });

  it("a renewed lease moves the point a takeover waits for in the state record", async () => {
    const { elb, stores, deps, request, advance, now } = setup();
    const original = elb.execute.bind(elb);
    let n = 0;
    let during: number | undefined;
    elb.execute = async (op, current, created) => {
      n += 1;
      if (n === 4) {
        during = (await stores.states.get(GATEWAY))?.applying?.callsLandBy;
        throw new Error("Lambda timed out");
      }
      advance(6_000);
      return original(op, current, created);
    };
    const options = { leaseTtlMs: 30_000, callDeadlineMs: 20_000, leaseSafetyMarginMs: 5_000 };
    await expect(reconcileGateway(request(model(["/a", "/b"])), { ...deps(), ...options })).rejects.toThrow();
    // Renewed before the fourth call (18 s in, 24 s left): the record says so before that call
    // starts — calls land by the renewed lease's expiry.
    expect(now()).toBe(1_000_000 + 18_000);
    expect(during).toBe(now() + 30_000);
    // The fourth call failed without an answer: after the crash the record says it may land for one deadline.
    expect((await stores.states.get(GATEWAY))?.applying?.callsLandBy).toBe(now() + 20_000);
  });

  it("a lease TTL that a call could outlive is refused before anything is done", async () => {
    const { elb, table, deps, request } = setup();
    const run = reconcileGateway(request(model(["/a"])), { ...deps(), leaseTtlMs: 25_000 });
    await expect(run).rejects.toBeInstanceOf(LeaseTooShort);
    await expect(run).rejects.toMatchObject({ leaseTtlMs: 25_000, requiredMs: 25_000 });
    expect(table.leases.size).toBe(0);
    expect([elb.calls.length, elb.reads]).toEqual([0, 0]);
  });

  it("a failed lease release is logged with the Gateway key, and the reconcile's own error still surfaces", async () => {
    // A reconcile that completes releases in its last record write; only one cut short (here by a
    // crash after AWS accepted a call) releases on its own, and that release failing must not hide why.
    const { elb, stores, deps, request, warnings } = setup();
    const failing = {
      acquire: stores.leases.acquire.bind(stores.leases),
      renew: stores.leases.renew.bind(stores.leases),
      release: async () => {
        throw new Error("ProvisionedThroughputExceededException");
      },
    };
    // The record write that would release the lease with the crash's marker fails as well.
    const states = withPut(stores.states, {
      put: async () => {
        throw new Error("ProvisionedThroughputExceededException");
      },
    });
    elb.failAfter = (_op, index) => (index === 0 ? new Error("Lambda timed out") : undefined);
    await expect(reconcileGateway(request(model(["/a"])), { ...deps(), leases: failing, states })).rejects.toThrow(
      "Lambda timed out",
    );
    expect(warnings).toEqual([
      {
        message: expect.stringContaining("lease release failed"),
        context: expect.objectContaining({ gatewayKey: GATEWAY, error: "ProvisionedThroughputExceededException" }),
      },
    ]);
  });

  it("a rule AWS refuses as invalid is reported with its route while every other operation runs", async () => {
    const { elb, deps, request } = setup();
    const desired = model(["/a", "/b", "/c"]);
    const refusedPath = (op: { op: string; conditions?: unknown }) =>
      op.op === "CreateRule" && JSON.stringify(op.conditions).includes('"/b"');
    elb.failBefore = (op) =>
      refusedPath(op) ? ElbOperationError.fromCode("ValidationError", op.op, "condition value too long") : undefined;
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [
        {
          operation: "CreateRule",
          listenerId: "HTTP:80",
          code: "ValidationError",
          message: "condition value too long",
        },
      ],
    });
    const route = outcome.kind === "applied" ? outcome.failedRules?.[0]?.route : undefined;
    expect(route).toBe(desired.listeners[0]?.rules[1]?.source.route);
    expect(elb.world.listeners[0]?.rules).toHaveLength(2);
    expect(planElb(desired, elb.world).operations.map((o) => o.op)).toEqual(["CreateRule"]);

    // Once AWS accepts it, the next reconcile creates just that rule: the hash was not recorded.
    elb.failBefore = () => undefined;
    const calls = elb.calls.length;
    expect(await reconcileGateway(request(desired), deps())).toMatchObject({ kind: "applied" });
    expect(elb.calls.slice(calls)).toEqual(["CreateRule"]);
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a refused load balancer still stops the apply: only rules are isolated", async () => {
    const { elb, deps, request } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateLoadBalancer" ? ElbOperationError.fromCode("ValidationError", op.op, "bad subnets") : undefined;
    const outcome = await reconcileGateway(request(model(["/a"])), deps());
    expect(outcome).toMatchObject({ kind: "failed", retryable: false, error: { kind: "terminal" } });
    expect(elb.calls).not.toContain("CreateRule");
  });

  it("a taken rule priority fails retryably (a re-plan resolves it); a taken name does not", async () => {
    for (const [code, retryable] of [
      ["PriorityInUse", true],
      ["DuplicateTargetGroupName", false],
    ] as const) {
      const { elb, deps, request } = setup();
      elb.failBefore = (op) =>
        op.op === "CreateRule" || op.op === "CreateTargetGroup"
          ? ElbOperationError.fromCode(code, op.op, "taken")
          : undefined;
      const outcome = await reconcileGateway(request(model(["/a"])), deps());
      expect(outcome, code).toMatchObject({ kind: "failed", retryable, error: { kind: "conflict", code } });
    }
  });

  it("an uncertain failure keeps the record marked as applying until a call given up on can no longer land", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const desired = model(["/a"]);
    elb.failBefore = (op) =>
      op.op === "CreateRule" ? ElbOperationError.fromCode("ServiceUnavailable", op.op, "try later") : undefined;
    expect(await reconcileGateway(request(desired), deps())).toMatchObject({
      kind: "failed",
      retryable: true,
      error: { kind: "retryable" },
    });
    expect((await stores.states.get(GATEWAY))?.applying?.callsLandBy).toBe(1_000_000 + CALL_DEADLINE);
    elb.failBefore = () => undefined;
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("busy");
    advance(CALL_DEADLINE + 1);
    const reads = elb.reads;
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("applied");
    expect(elb.reads - reads).toBe(1);
    expect(elb.world.listeners[0]?.rules).toHaveLength(1);
  });

  it("the in-memory double classifies the simulator's refusals by the AWS error table", async () => {
    const { elb } = setup();
    const created = new Map<string, string>();
    const tg = model(["/a"]).targetGroups[0];
    if (!tg) throw new Error("no target group");
    const op = { op: "CreateTargetGroup" as const, targetGroup: tg };
    const world = await elb.execute(op, elb.world, created);
    const refused = await elb.execute(op, world, created).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: "conflict", code: "DuplicateTargetGroupName", retryable: false });
  });

  it("TooManyRules while creating rules runs the listener's pending deletions first and converges", async () => {
    const { elb, deps, request } = setup({ maxRulesPerLoadBalancer: 3 });
    await reconcileGateway(request(model(["/a", "/b", "/c"])), deps());
    // The plan creates /x before it deletes /a (make before break): at the quota, /a goes first.
    const desired = model(["/b", "/c", "/x"]);
    expect(planElb(desired, elb.world).operations.map((o) => o.op)).toEqual(["CreateRule", "DeleteRule"]);
    const calls = elb.calls.length;
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome.kind).toBe("applied");
    expect(elb.calls.slice(calls)).toEqual(["CreateRule", "DeleteRule", "CreateRule"]);
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

describe("the engine's edges (mutation testing)", () => {
  /** The store with one record write refused (throttled) the first time `refuse` matches it. */
  function refusingOnce(states: StateStore, refuse: (...args: Parameters<StateStore["put"]>) => boolean) {
    const put = states.put.bind(states);
    let refused = false;
    return withPut(states, {
      put: async (...args: Parameters<typeof put>) => {
        if (!refused && refuse(...args)) {
          refused = true;
          throw new Error("ProvisionedThroughputExceededException");
        }
        return put(...args);
      },
    });
  }

  /** Replaces the record with `edit` of it, under a lease taken and released for the write. */
  async function rewrite(
    stores: ReturnType<typeof setup>["stores"],
    now: number,
    edit: (state: NonNullable<Awaited<ReturnType<StateStore["get"]>>>) => Parameters<StateStore["put"]>[0],
  ) {
    const state = await stores.states.get(GATEWAY);
    const lease = await stores.leases.acquire(GATEWAY, "test", now, 60_000);
    if (!state || !lease) throw new Error("setup failed");
    await stores.states.put(edit(state), lease);
    await stores.leases.release(lease);
  }

  it("with no drift interval given, a drift check falls due after ten minutes and not before", async () => {
    const { elb, deps, request, advance } = setup();
    const { driftIntervalMs: _, ...defaults } = deps();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), defaults);
    const reads = elb.reads;
    advance(600_000 - 1);
    expect((await reconcileGateway(request(desired), defaults)).kind).toBe("unchanged");
    expect(elb.reads).toBe(reads);
    advance(2);
    expect((await reconcileGateway(request(desired), defaults)).kind).toBe("unchanged");
    expect(elb.reads).toBe(reads + 1);
  });

  it("a drift interval given is the one used", async () => {
    const { elb, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), { ...deps(), driftIntervalMs: 1_000 });
    const reads = elb.reads;
    advance(1_000);
    await reconcileGateway(request(desired), { ...deps(), driftIntervalMs: 1_000 });
    expect(elb.reads).toBe(reads + 1);
  });

  it("a drift check that finds nothing to change keeps what AWS holds in the record and the outcome", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    advance(600_001);
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome).toEqual({ kind: "unchanged", observed: elb.world });
    expect((await stores.states.get(GATEWAY))?.applied).toEqual(elb.world);
  });

  it("a lease with exactly the renewal threshold left is not renewed; one with less is", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const recorded = recording(stores);
    const original = elb.execute.bind(elb);
    let n = 0;
    elb.execute = async (op, current, created) => {
      n += 1;
      // Half the 60 s lease goes by in the first call: the second starts with exactly 30 s left.
      if (n === 1) advance(30_000);
      return original(op, current, created);
    };
    await reconcileGateway(request(model(["/a"])), { ...deps(), leases: recorded.leases, states: recorded.states });
    expect(recorded.calls.filter((c) => c.method === "leases.renew")).toEqual([]);
    n = 0;
    elb.execute = async (op, current, created) => {
      n += 1;
      if (n === 1) advance(30_001);
      return original(op, current, created);
    };
    await reconcileGateway(request(model(["/a", "/b", "/c"])), {
      ...deps(),
      leases: recorded.leases,
      states: recorded.states,
    });
    expect(recorded.calls.filter((c) => c.method === "leases.renew")).toHaveLength(1);
  });

  it("a lease that cannot be renewed stops the apply with FencedOut before the next call", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const original = elb.execute.bind(elb);
    let n = 0;
    elb.execute = async (op, current, created) => {
      n += 1;
      if (n === 1) {
        // Another reconciler took the expired lease over meanwhile.
        advance(TTL + 1);
        await stores.leases.acquire(GATEWAY, "reconciler-b", 1_000_000 + TTL + 1, TTL);
      }
      return original(op, current, created);
    };
    await expect(reconcileGateway(request(model(["/a"])), deps())).rejects.toBeInstanceOf(FencedOut);
    expect(elb.calls).toHaveLength(1);
  });

  it("a refusal AWS answered leaves no call in doubt: if the record write after it fails, a takeover need not wait", async () => {
    const { elb, stores, deps, request } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateLoadBalancer" ? ElbOperationError.fromCode("ValidationError", op.op, "bad subnets") : undefined;
    const states = refusingOnce(stores.states, (_state, _lease, options) => options?.release === true);
    await expect(reconcileGateway(request(model(["/a"])), { ...deps(), states })).rejects.toThrow(
      "ProvisionedThroughputExceededException",
    );
    expect((await stores.states.get(GATEWAY))?.applying?.callsLandBy).toBe(1_000_000);
  });

  it("an uncertain failure whose record write fails still records that its call may land for one call deadline", async () => {
    const { elb, stores, deps, request } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateRule" ? ElbOperationError.fromCode("ServiceUnavailable", op.op, "try later") : undefined;
    const states = refusingOnce(stores.states, (_state, _lease, options) => options?.release === true);
    await expect(reconcileGateway(request(model(["/a"])), { ...deps(), states })).rejects.toThrow(
      "ProvisionedThroughputExceededException",
    );
    expect((await stores.states.get(GATEWAY))?.applying?.callsLandBy).toBe(1_000_000 + CALL_DEADLINE);
  });

  it("an interrupted apply recorded without callsLandBy is waited for until one call deadline after it started", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    await rewrite(stores, 1_000_000, (state) => ({ ...state, applying: { startedAt: 1_000_000, desiredHash: "x" } }));
    const reads = elb.reads;
    advance(CALL_DEADLINE - 1);
    // Putting the record back fails: the marker written instead keeps the same moment.
    const states = refusingOnce(stores.states, () => true);
    await expect(reconcileGateway(request(desired), { ...deps("reconciler-b"), states })).rejects.toThrow(
      "ProvisionedThroughputExceededException",
    );
    expect((await stores.states.get(GATEWAY))?.applying?.callsLandBy).toBe(1_000_000 + CALL_DEADLINE);
    advance(1);
    expect(await reconcileGateway(request(desired), deps("reconciler-b"))).toEqual({
      kind: "busy",
      until: 1_000_000 + CALL_DEADLINE,
    });
    expect(elb.reads).toBe(reads);
    advance(1);
    expect((await reconcileGateway(request(desired), deps("reconciler-b"))).kind).toBe("unchanged");
    expect(elb.reads).toBe(reads + 1);
  });

  it("a current record written before records kept how the last reconcile ended is still current", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    await rewrite(stores, 1_000_000, ({ lastReconcile: _, ...state }) => state);
    const reads = elb.reads;
    advance(1);
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("unchanged");
    expect(elb.reads).toBe(reads);
  });

  it("a hold that ends with the configuration unchanged releases the lease with its record write", async () => {
    const { table, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    advance(1);
    expect((await reconcileGateway({ ...request(undefined), hold: "refused" }, deps())).kind).toBe("held");
    advance(1);
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("unchanged");
    expect(table.leases.get(GATEWAY)?.owner).toBeUndefined();
    expect((await reconcileGateway({ ...request(undefined), hold: "again" }, deps("reconciler-b"))).kind).toBe("held");
  });

  it("a provisioning load balancer re-read records the reconcile as unchanged", async () => {
    const { stores, deps, request, advance } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    await rewrite(stores, 1_000_001, (state) => {
      if (!state.applied.loadBalancer) throw new Error("no load balancer");
      return {
        ...state,
        applied: { ...state.applied, loadBalancer: { ...state.applied.loadBalancer, state: "provisioning" } },
      };
    });
    advance(1_000);
    await reconcileGateway(request(desired), deps());
    expect((await stores.states.get(GATEWAY))?.lastReconcile).toEqual({ at: 1_001_000, outcome: "unchanged" });
  });

  it("the record written at a lease renewal keeps how the previous reconcile ended", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const options = { leaseTtlMs: 30_000, callDeadlineMs: 20_000, leaseSafetyMarginMs: 5_000 };
    await reconcileGateway(request(model(["/a"])), { ...deps(), ...options });
    const previous = (await stores.states.get(GATEWAY))?.lastReconcile;
    expect(previous?.outcome).toBe("applied");
    const original = elb.execute.bind(elb);
    const during: unknown[] = [];
    elb.execute = async (op, current, created) => {
      during.push((await stores.states.get(GATEWAY))?.lastReconcile);
      advance(6_000);
      return original(op, current, created);
    };
    await reconcileGateway(request(model(["/a", "/b", "/c", "/d", "/e", "/f"])), { ...deps(), ...options });
    expect(during).toHaveLength(5);
    expect(during.every((r) => JSON.stringify(r) === JSON.stringify(previous))).toBe(true);
  });

  it("only a drift check that finds the applied configuration changed reports drift", async () => {
    const { deps, request, advance } = setup();
    await reconcileGateway(request(model(["/a"])), deps());
    expect(await reconcileGateway(request(model(["/a", "/b"])), deps())).toMatchObject({
      kind: "applied",
      drift: false,
    });
    advance(600_001);
    // A drift check falls due with a changed configuration: the change is no drift.
    const outcome = await reconcileGateway(request(model(["/b"])), deps());
    expect(outcome).toMatchObject({ kind: "applied", drift: false });
    expect(outcome).not.toHaveProperty("failedRules");
  });

  it("an operation that is no deletion failing as not found fails the reconcile", async () => {
    const { elb, deps, request } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateRule" ? new ElbOperationError("notFound", "ListenerNotFound", op.op, "gone") : undefined;
    expect(await reconcileGateway(request(model(["/a"])), deps())).toMatchObject({
      kind: "failed",
      error: { kind: "notFound" },
    });
  });

  it("a refused rule is recorded with its listener, route, operation, code and message", async () => {
    const { elb, stores, deps, request } = setup();
    const desired = model(["/a"]);
    elb.failBefore = (op) =>
      op.op === "CreateRule"
        ? ElbOperationError.fromCode("ValidationError", op.op, "condition value too long")
        : undefined;
    await reconcileGateway(request(desired), deps());
    const route = desired.listeners[0]?.rules[0]?.source.route;
    expect((await stores.states.get(GATEWAY))?.lastReconcile).toMatchObject({
      outcome: "partial",
      error: `1 rule(s) refused: HTTP:80 ${route} CreateRule: ValidationError: condition value too long`,
    });
  });
});
