/**
 * What a reconcile costs the store, call by call: one claim for a reconcile with nothing to do, a
 * claim and one releasing write for one that applies, and exactly which record each writes. The
 * in-memory stores are recorded (recording-stores.ts); the ELB is the in-memory simulator.
 */
import { describe, expect, it } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved } from "../../../shared/elb/observed.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import {
  modelHash,
  type ReconcileDeps,
  type ReconcileRequest,
  reconcileGateway,
} from "../../../shared/reconcile/engine.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { GatewayState, StateStore } from "../../../shared/store/state.ts";
import { MemoryElb } from "../../../shared/testing/index.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";
import { recording } from "./recording-stores.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "gw");
const START = 1_000_000;
const TTL = 60_000;
const CALL_DEADLINE = 20_000;
const DRIFT = 600_000;
const ACCOUNT = "111122223333";
const REGION = "us-east-1";

function model(paths: readonly string[]): LoadBalancerModel {
  return gatewayModel(paths.map((path) => ({ path })));
}

function setup() {
  let clock = START;
  const memory = createMemoryStores();
  const stores = recording(memory);
  const elb = new MemoryElb(GATEWAY);
  const deps = (overrides: Partial<ReconcileDeps> = {}): ReconcileDeps => ({
    leases: stores.leases,
    states: stores.states,
    elb,
    now: () => clock,
    owner: "reconciler-a",
    driftIntervalMs: DRIFT,
    logger: { warn: () => undefined },
    ...overrides,
  });
  const request = (desired: LoadBalancerModel | undefined): ReconcileRequest => ({
    gatewayKey: GATEWAY,
    dataPlane: "alb",
    account: ACCOUNT,
    region: REGION,
    desired,
  });
  /** The calls made since the last look, method names only. */
  const methods = () => stores.calls.splice(0).map((c) => c.method);
  return {
    memory,
    stores,
    elb,
    deps,
    request,
    methods,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
  };
}

/** The claim the engine makes at `now` for `desired`, with or without the "unless current" test. */
function claimAt(now: number, desired: LoadBalancerModel | undefined, token: boolean) {
  const hash = modelHash(desired);
  return {
    gatewayKey: GATEWAY,
    owner: "reconciler-a",
    now,
    ttlMs: TTL,
    // Every call lands before the lease expires (no call starts without a call deadline left).
    applying: { startedAt: now, desiredHash: hash, callsLandBy: now + TTL },
    initial: { dataPlane: "alb", account: ACCOUNT, region: REGION, applied: emptyObserved() },
    // A record of another data plane (VPC Lattice) is not this plane's to take.
    planes: ["alb", "nlb"],
    ...(token ? { unlessCurrent: { appliedHash: hash, checkedAfter: now - DRIFT } } : {}),
  };
}

describe("store calls per reconcile", () => {
  it("the first reconcile claims once and writes the record once, releasing the lease in that write", async () => {
    const { elb, stores, deps, request } = setup();
    const desired = model(["/a", "/b"]);
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("applied");
    expect(stores.calls).toEqual([
      { method: "states.claim", args: [claimAt(START, desired, true)] },
      {
        method: "states.put",
        args: [
          {
            gatewayKey: GATEWAY,
            dataPlane: "alb",
            account: ACCOUNT,
            region: REGION,
            applied: elb.world,
            fencingToken: 1,
            lastDriftCheck: START,
            appliedHash: modelHash(desired),
            lastReconcile: { at: START, outcome: "applied" },
          },
          { gatewayKey: GATEWAY, owner: "reconciler-a", token: 1, expiresAt: START + TTL },
          { release: true },
        ],
      },
    ]);
  });

  it("a reconcile with nothing to do is one claim that takes nothing", async () => {
    const { memory, stores, deps, request, advance, methods } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    methods();
    advance(1_000);
    const stored = await memory.states.get(GATEWAY);
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome).toEqual({ kind: "unchanged", observed: stored?.applied });
    expect(stores.calls).toEqual([{ method: "states.claim", args: [claimAt(START + 1_000, desired, true)] }]);
    expect(await memory.states.get(GATEWAY)).toEqual(stored);
  });

  it("a changed model is one claim and one releasing write that keeps the last drift check", async () => {
    const { elb, stores, deps, request, advance, methods } = setup();
    await reconcileGateway(request(model(["/a"])), deps());
    methods();
    advance(1_000);
    const changed = model(["/a", "/b"]);
    expect((await reconcileGateway(request(changed), deps())).kind).toBe("applied");
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim", "states.put"]);
    expect(stores.calls[1]?.args).toEqual([
      {
        gatewayKey: GATEWAY,
        dataPlane: "alb",
        account: ACCOUNT,
        region: REGION,
        applied: elb.world,
        fencingToken: 2,
        lastDriftCheck: START,
        appliedHash: modelHash(changed),
        lastReconcile: { at: START + 1_000, outcome: "applied" },
      },
      { gatewayKey: GATEWAY, owner: "reconciler-a", token: 2, expiresAt: START + 1_000 + TTL },
      { release: true },
    ]);
  });

  it("a drift check is due exactly one interval after the last: one claim, one write of the new check time", async () => {
    const { stores, deps, request, advance, methods } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    methods();
    advance(DRIFT - 1);
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("unchanged");
    expect(methods()).toEqual(["states.claim"]);
    advance(1);
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("unchanged");
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim", "states.put"]);
    expect(stores.calls[1]?.args[0]).toMatchObject({ lastDriftCheck: START + DRIFT, appliedHash: modelHash(desired) });
    expect(stores.calls[1]?.args[0]).not.toHaveProperty("applying");
    expect(stores.calls[1]?.args[2]).toEqual({ release: true });
  });

  it("a record still provisioning is claimed a second time, under the lease, and refreshed in one write", async () => {
    const { memory, elb, stores, deps, request, advance, methods } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    const state = await memory.states.get(GATEWAY);
    const lease = await memory.leases.acquire(GATEWAY, "test", START + 1, TTL);
    if (!state?.applied.loadBalancer || !lease) throw new Error("setup failed");
    const provisioning = { ...state.applied.loadBalancer, state: "provisioning" };
    await memory.states.put({ ...state, applied: { ...state.applied, loadBalancer: provisioning } }, lease, {
      release: true,
    });
    methods();
    advance(1_000);
    const reads = elb.reads;
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome.kind === "unchanged" && outcome.observed.loadBalancer?.state).toBe("active");
    expect(elb.reads - reads).toBe(1);
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim", "states.claim", "states.put"]);
    expect(stores.calls[1]?.args).toEqual([claimAt(START + 1_000, desired, false)]);
    expect(stores.calls[2]?.args[0]).toMatchObject({ applied: { loadBalancer: { state: "active" } } });
    expect(stores.calls[2]?.args[2]).toEqual({ release: true });
  });

  it("a record that stopped provisioning between the two claims is put back as it was, with no AWS call", async () => {
    const { memory, elb, stores, deps, request, advance, methods } = setup();
    const desired = model(["/a"]);
    await reconcileGateway(request(desired), deps());
    const active = await memory.states.get(GATEWAY);
    const lease = await memory.leases.acquire(GATEWAY, "test", START + 1, TTL);
    if (!active?.applied.loadBalancer || !lease) throw new Error("setup failed");
    const provisioning = { ...active.applied.loadBalancer, state: "provisioning" };
    await memory.states.put({ ...active, applied: { ...active.applied, loadBalancer: provisioning } }, lease, {
      release: true,
    });
    methods();
    advance(1_000);
    // Another reconciler refreshes the record right after this one's first claim.
    let claims = 0;
    const states: StateStore = {
      ...stores.states,
      claim: async (claim) => {
        const answer = await stores.states.claim(claim);
        claims += 1;
        if (claims === 1) {
          const other = await memory.leases.acquire(GATEWAY, "other", START + 1_000, TTL);
          if (!other) throw new Error("setup failed");
          await memory.states.put(active, other, { release: true });
        }
        return answer;
      },
    };
    const reads = elb.reads;
    const outcome = await reconcileGateway(request(desired), deps({ states }));
    expect(outcome).toEqual({ kind: "unchanged", observed: active.applied });
    expect(elb.reads).toBe(reads);
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim", "states.claim", "states.put"]);
    // Token 2 wrote the provisioning record, 3 the other reconciler's refresh, 4 is this claim's.
    expect(stores.calls[2]?.args[0]).toEqual({ ...active, fencingToken: 3 });
    expect(await memory.states.get(GATEWAY)).toEqual({ ...active, fencingToken: 4 });
  });

  it("a Gateway whose lease another holds costs one claim and writes nothing", async () => {
    const { memory, stores, deps, request } = setup();
    expect(await memory.leases.acquire(GATEWAY, "someone-else", START, TTL)).toBeDefined();
    expect(await reconcileGateway(request(model(["/a"])), deps())).toEqual({ kind: "busy" });
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim"]);
    expect(await memory.states.get(GATEWAY)).toBeUndefined();
  });

  it("waiting for an interrupted apply's calls to land puts the record back exactly as it was", async () => {
    const { memory, elb, stores, deps, request, methods } = setup();
    const desired = model(["/a"]);
    elb.failBefore = (op) =>
      op.op === "CreateRule" ? ElbOperationError.fromCode("ServiceUnavailable", op.op, "try later") : undefined;
    await reconcileGateway(request(desired), deps());
    elb.failBefore = () => undefined;
    const interrupted = await memory.states.get(GATEWAY);
    expect(interrupted?.applying?.callsLandBy).toBe(START + CALL_DEADLINE);
    methods();
    expect(await reconcileGateway(request(desired), deps())).toEqual({ kind: "busy", until: START + CALL_DEADLINE });
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim", "states.put"]);
    expect(stores.calls[1]?.args).toEqual([
      interrupted,
      { gatewayKey: GATEWAY, owner: "reconciler-a", token: 2, expiresAt: START + TTL },
      { release: true },
    ]);
    expect(await memory.states.get(GATEWAY)).toEqual({ ...interrupted, fencingToken: 2 });
    // Released in that write: anyone may claim at once.
    expect(await memory.leases.acquire(GATEWAY, "someone-else", START, TTL)).toBeDefined();
  });

  it("failures write once, releasing: a refusal drops the marker, an uncertain failure keeps one", async () => {
    for (const [code, marked] of [
      ["ValidationError", false],
      ["ServiceUnavailable", true],
    ] as const) {
      const { stores, elb, deps, request } = setup();
      elb.failBefore = (op) =>
        op.op === "CreateLoadBalancer" ? ElbOperationError.fromCode(code, op.op, "refused") : undefined;
      const desired = model(["/a"]);
      expect((await reconcileGateway(request(desired), deps())).kind, code).toBe("failed");
      expect(
        stores.calls.map((c) => c.method),
        code,
      ).toEqual(["states.claim", "states.put"]);
      const [written, , options] = stores.calls[1]?.args ?? [];
      expect(options, code).toEqual({ release: true });
      expect((written as GatewayState).appliedHash, code).toBeUndefined();
      if (marked) {
        expect((written as GatewayState).applying, code).toEqual({
          startedAt: START,
          desiredHash: modelHash(desired),
          callsLandBy: START + CALL_DEADLINE,
        });
        expect(written, code).not.toHaveProperty("lastDriftCheck");
      } else {
        expect(written, code).not.toHaveProperty("applying");
        expect((written as GatewayState).lastDriftCheck, code).toBe(START);
      }
    }
  });

  it("a deleted Gateway is one claim and one delete that releases the lease", async () => {
    const { memory, stores, deps, request, methods } = setup();
    await reconcileGateway(request(model(["/a"])), deps());
    methods();
    expect((await reconcileGateway(request(undefined), deps())).kind).toBe("deleted");
    expect(stores.calls).toEqual([
      { method: "states.claim", args: [claimAt(START, undefined, true)] },
      {
        method: "states.delete",
        args: [
          GATEWAY,
          { gatewayKey: GATEWAY, owner: "reconciler-a", token: 2, expiresAt: START + TTL },
          { release: true },
        ],
      },
    ]);
    expect(await memory.states.get(GATEWAY)).toBeUndefined();
    expect((await memory.leases.acquire(GATEWAY, "next", START, TTL))?.token).toBe(3);
  });

  it("a reconcile cut short records when its last call can land and releases the lease in that write", async () => {
    const { memory, elb, stores, deps, request } = setup();
    const desired = model(["/a"]);
    elb.failAfter = (_op, index) => (index === 1 ? new Error("Lambda timed out") : undefined);
    await expect(reconcileGateway(request(desired), deps())).rejects.toThrow("Lambda timed out");
    const lease = { gatewayKey: GATEWAY, owner: "reconciler-a", token: 1, expiresAt: START + TTL };
    expect(stores.calls.map((c) => c.method)).toEqual(["states.claim", "states.put"]);
    expect(stores.calls[1]?.args.slice(1)).toEqual([lease, { release: true }]);
    // The call that failed had no answer: it may land for one call deadline; the marker stays.
    expect((await memory.states.get(GATEWAY))?.applying).toEqual({
      ...claimAt(START, desired, true).applying,
      callsLandBy: START + CALL_DEADLINE,
    });
    expect(await memory.leases.acquire(GATEWAY, "next", START, TTL)).toBeDefined();
  });

  it("a long apply renews the lease and records the later landing time, then releases in its last write", async () => {
    const { elb, stores, deps, request, advance } = setup();
    const original = elb.execute.bind(elb);
    elb.execute = async (op, current, created) => {
      advance(6_000);
      return original(op, current, created);
    };
    const options = { leaseTtlMs: 30_000, callDeadlineMs: 20_000, leaseSafetyMarginMs: 5_000 };
    expect((await reconcileGateway(request(model(["/a", "/b"])), deps(options))).kind).toBe("applied");
    const methods = stores.calls.map((c) => c.method);
    expect(methods[0]).toBe("states.claim");
    expect(methods.at(-1)).toBe("states.put");
    expect(stores.calls.at(-1)?.args[2]).toEqual({ release: true });
    const renewals = methods.filter((m) => m === "leases.renew").length;
    expect(renewals).toBeGreaterThan(0);
    // Each renewal is followed by one write that keeps the lease and moves the landing time.
    expect(methods.slice(1, -1)).toEqual(Array.from({ length: renewals }, () => ["leases.renew", "states.put"]).flat());
    for (const call of stores.calls.slice(1, -1).filter((c) => c.method === "states.put")) {
      expect(call.args[2]).toBeUndefined();
      const [written, held] = call.args as [GatewayState, { expiresAt: number }];
      expect(written.applying?.callsLandBy).toBe(held.expiresAt);
    }
  });
});
