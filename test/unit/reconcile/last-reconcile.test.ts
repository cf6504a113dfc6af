/**
 * The state record says how the last reconcile that wrote it ended (GatewayState.lastReconcile),
 * in the write the reconcile makes anyway: applied, partial, unchanged after re-reading AWS, or
 * failed with the reason. A reconcile that writes nothing (the claim refused as current, or busy)
 * leaves it as it was. In-memory stores, counted (recording-stores.ts); the ELB is the simulator.
 */
import { describe, expect, it } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { type ReconcileDeps, type ReconcileRequest, reconcileGateway } from "../../../shared/reconcile/engine.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import { MAX_LAST_ERROR_CHARS } from "../../../shared/store/state.ts";
import { MemoryElb } from "../../../shared/testing/index.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";
import { recording } from "./recording-stores.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "gw");
const START = 1_000_000;
const DRIFT = 600_000;

function setup() {
  let clock = START;
  const memory = createMemoryStores();
  const stores = recording(memory);
  const elb = new MemoryElb(GATEWAY);
  const deps = (): ReconcileDeps => ({
    leases: stores.leases,
    states: stores.states,
    elb,
    now: () => clock,
    owner: "reconciler-a",
    driftIntervalMs: DRIFT,
    logger: { warn: () => undefined },
  });
  const request = (desired: LoadBalancerModel | undefined): ReconcileRequest => ({
    gatewayKey: GATEWAY,
    dataPlane: "alb",
    account: "111122223333",
    region: "us-east-1",
    desired,
  });
  const reconcile = (desired: LoadBalancerModel | undefined) => reconcileGateway(request(desired), deps());
  const last = async () => (await memory.states.get(GATEWAY))?.lastReconcile;
  const methods = () => stores.calls.splice(0).map((c) => c.method);
  return { memory, elb, reconcile, last, methods, advance: (ms: number) => (clock += ms) };
}

const model = (paths: readonly string[]) => gatewayModel(paths.map((path) => ({ path })));

describe("the last reconcile's outcome, in the state record", () => {
  it("an apply records its time and `applied` in its one releasing write", async () => {
    const { reconcile, last, methods } = setup();
    expect((await reconcile(model(["/a"]))).kind).toBe("applied");
    expect(methods()).toEqual(["states.claim", "states.put"]);
    expect(await last()).toEqual({ at: START, outcome: "applied" });
  });

  it("an AWS refusal records `failed` with the operation, AWS's code and its message", async () => {
    const { elb, reconcile, last, methods } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateLoadBalancer"
        ? ElbOperationError.fromCode("TooManyLoadBalancers", op.op, "quota of 50 reached")
        : undefined;
    expect((await reconcile(model(["/a"]))).kind).toBe("failed");
    expect(methods()).toEqual(["states.claim", "states.put"]);
    expect(await last()).toEqual({
      at: START,
      outcome: "failed",
      error: expect.stringMatching(/^CreateLoadBalancer: .+: quota of 50 reached$/),
    });
  });

  it("an uncertain failure (throttled to exhaustion) is recorded as failed too, beside the applying marker", async () => {
    const { elb, memory, reconcile, last } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateLoadBalancer" ? ElbOperationError.fromCode("Throttling", op.op, "Rate exceeded") : undefined;
    expect((await reconcile(model(["/a"]))).kind).toBe("failed");
    expect((await memory.states.get(GATEWAY))?.applying).toBeDefined();
    expect(await last()).toMatchObject({ outcome: "failed", error: expect.stringContaining("Rate exceeded") });
  });

  it("refused rules record `partial`, naming each rule's listener, operation and AWS's reason", async () => {
    const { elb, reconcile, last } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateRule" ? ElbOperationError.fromCode("ValidationError", op.op, "bad condition") : undefined;
    const outcome = await reconcile(model(["/a", "/b"]));
    expect(outcome.kind === "applied" && outcome.failedRules?.length).toBe(2);
    const recorded = await last();
    expect(recorded).toMatchObject({ at: START, outcome: "partial" });
    expect(recorded?.error).toMatch(/^2 rule\(s\) refused: HTTP:80 .*CreateRule: .*bad condition; HTTP:80 /);
  });

  it("an exception that stops the reconcile records `failed` with the exception, as the lease is released", async () => {
    const { elb, reconcile, last, memory } = setup();
    elb.failAfter = (_op, index) => (index === 1 ? new TypeError("socket hang up") : undefined);
    await expect(reconcile(model(["/a"]))).rejects.toThrow("socket hang up");
    expect(await last()).toEqual({ at: START, outcome: "failed", error: "TypeError: socket hang up" });
    expect(await memory.leases.acquire(GATEWAY, "next", START, 60_000)).toBeDefined();
  });

  it("a later success replaces a recorded failure, and its error with it", async () => {
    const { elb, reconcile, last, advance } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateLoadBalancer" ? ElbOperationError.fromCode("ValidationError", op.op, "no") : undefined;
    await reconcile(model(["/a"]));
    elb.failBefore = () => undefined;
    advance(1_000);
    expect((await reconcile(model(["/a"]))).kind).toBe("applied");
    expect(await last()).toEqual({ at: START + 1_000, outcome: "applied" });
  });

  it("a drift check that finds nothing records `unchanged` at its time; a no-op claim records nothing", async () => {
    const { reconcile, last, methods, advance } = setup();
    await reconcile(model(["/a"]));
    methods();
    advance(1_000);
    expect((await reconcile(model(["/a"]))).kind).toBe("unchanged");
    // The claim refused as current is the whole reconcile: no write, so nothing new is recorded.
    expect(methods()).toEqual(["states.claim"]);
    expect(await last()).toEqual({ at: START, outcome: "applied" });
    advance(DRIFT);
    expect((await reconcile(model(["/a"]))).kind).toBe("unchanged");
    expect(methods()).toEqual(["states.claim", "states.put"]);
    expect(await last()).toEqual({ at: START + 1_000 + DRIFT, outcome: "unchanged" });
  });

  it("an AWS message longer than the record keeps is cut, ending in an ellipsis", async () => {
    const { elb, reconcile, last } = setup();
    elb.failBefore = (op) =>
      op.op === "CreateLoadBalancer"
        ? ElbOperationError.fromCode("ValidationError", op.op, "x".repeat(5_000))
        : undefined;
    await reconcile(model(["/a"]));
    const error = (await last())?.error ?? "";
    expect(Array.from(error)).toHaveLength(MAX_LAST_ERROR_CHARS);
    expect(error.endsWith("x…")).toBe(true);
  });
});
