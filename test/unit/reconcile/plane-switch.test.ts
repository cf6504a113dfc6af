/**
 * A Gateway whose class moves it between data planes (ALB ↔ VPC Lattice), through the one engine
 * over one table of records: the new plane's claim leaves the old plane's record alone (`elsewhere`),
 * the old plane deletes what it owns under its own lease, then the new plane builds; a crash between
 * the two converges; and what status says meanwhile.
 */
import { describe, expect, it } from "vitest";
import type { ObservedElb } from "../../../shared/elb/observed.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import type { ObservedLattice } from "../../../shared/lattice/observed.ts";
import { ELB_DATA_PLANE } from "../../../shared/reconcile/elb-plane.ts";
import {
  type DataPlaneOutcome,
  type EngineDeps,
  reconcileDataPlane,
  reconcileGateway,
} from "../../../shared/reconcile/engine.ts";
import {
  LATTICE_DATA_PLANE,
  LATTICE_EXPORT_DATA_PLANE,
  LatticeOperationError,
  latticeObservationOf,
} from "../../../shared/reconcile/lattice-plane.ts";
import { observationOf } from "../../../shared/reconcile/observation.ts";
import { planeSwitchObservation } from "../../../shared/reconcile/plane-switch.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { StateStore } from "../../../shared/store/state.ts";
import { MemoryElb, MemoryLattice } from "../../../shared/testing/index.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";
import { latticeModel } from "../../fixtures/lattice-gateway.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "gw");
const CALL_DEADLINE = 20_000;
const TARGET = { gatewayKey: GATEWAY, account: "111122223333", region: "us-east-1" };

function setup() {
  let clock = 1_000_000;
  const stores = createMemoryStores();
  const elb = new MemoryElb(GATEWAY);
  const lattice = new MemoryLattice();
  const base = (owner: string) => ({
    leases: stores.leases,
    now: () => clock,
    owner,
    driftIntervalMs: 600_000,
    logger: { warn: () => undefined },
  });
  const latticeStates = stores.states as unknown as StateStore<ObservedLattice>;
  const onElb = (desired: ReturnType<typeof gatewayModel> | undefined, owner = "reconciler-a", hold?: string) =>
    reconcileGateway(
      { ...TARGET, dataPlane: "alb", desired, ...(hold ? { hold } : {}) },
      { ...base(owner), states: stores.states, elb },
    );
  const onLattice = (desired: LatticeModel | undefined, owner = "reconciler-a", hold?: string) => {
    const deps: EngineDeps<ObservedLattice> = { ...base(owner), states: latticeStates };
    return reconcileDataPlane(
      LATTICE_DATA_PLANE,
      lattice,
      { ...TARGET, dataPlane: "lattice", desired, ...(hold ? { hold } : {}) },
      deps,
    );
  };
  return {
    stores,
    elb,
    lattice,
    onElb,
    onLattice,
    record: () => stores.states.get(GATEWAY),
    advance: (ms: number) => (clock += ms),
  };
}

const ALB = gatewayModel([{ path: "/a" }, { path: "/b" }]);
const LATTICE = () => latticeModel({ routes: [{ paths: ["/a"] }] });

function emptyElb(world: ObservedElb): boolean {
  return (
    world.loadBalancer === undefined &&
    world.listeners.length === 0 &&
    world.targetGroups.length === 0 &&
    world.strayLoadBalancers.length === 0
  );
}

describe("the records each plane reconciles", () => {
  it("ELB takes ALB and NLB records, Lattice (Gateways and ServiceExport units) its own", () => {
    expect(ELB_DATA_PLANE.dataPlanes).toEqual(["alb", "nlb"]);
    expect(LATTICE_DATA_PLANE.dataPlanes).toEqual(["lattice"]);
    expect(LATTICE_EXPORT_DATA_PLANE.dataPlanes).toEqual(["lattice"]);
  });
});

describe("a Gateway moving from ALB to VPC Lattice", () => {
  it("the Lattice reconcile leaves an ALB record alone: no call, no write, the lease free", async () => {
    const { elb, lattice, onElb, onLattice, record } = setup();
    expect((await onElb(ALB)).kind).toBe("applied");
    const before = await record();
    const elbCalls = elb.calls.length;
    expect(await onLattice(LATTICE())).toEqual({ kind: "elsewhere", dataPlane: "alb" });
    expect(lattice.calls).toEqual([]);
    expect(lattice.reads).toBe(0);
    expect(elb.calls.length).toBe(elbCalls);
    expect(await record()).toEqual(before);
    // The lease was never taken: the ELB deletion claims at once.
    expect((await onElb(undefined, "reconciler-b")).kind).toBe("deleted");
  });

  it("deleting on the old plane, then building on the new one, leaves no ALB resource and a Lattice record", async () => {
    const { elb, lattice, onElb, onLattice, record } = setup();
    await onElb(ALB);
    expect((await onLattice(LATTICE())).kind).toBe("elsewhere");
    expect((await onElb(undefined)).kind).toBe("deleted");
    expect(emptyElb(elb.world)).toBe(true);
    expect(await record()).toBeUndefined();
    expect((await onLattice(LATTICE())).kind).toBe("applied");
    // The route's service and the Gateway service.
    expect(lattice.world.services).toHaveLength(2);
    expect((await record())?.dataPlane).toBe("lattice");
    // And back: the ELB reconcile now finds a Lattice record.
    expect(await onElb(ALB)).toEqual({ kind: "elsewhere", dataPlane: "lattice" });
    expect((await onLattice(undefined)).kind).toBe("deleted");
    expect(lattice.world.services).toEqual([]);
    expect((await onElb(ALB)).kind).toBe("applied");
    expect((await record())?.dataPlane).toBe("alb");
  });

  it("a crash after AWS accepted DeleteLoadBalancer converges: the old plane re-discovers and finishes, then Lattice builds", async () => {
    const { elb, lattice, onElb, onLattice, record, advance } = setup();
    await onElb(ALB);
    elb.failAfter = (op) => (op.op === "DeleteLoadBalancer" ? new Error("Lambda timed out") : undefined);
    await expect(onElb(undefined)).rejects.toThrow("Lambda timed out");
    elb.failAfter = () => undefined;
    expect(elb.world.loadBalancer).toBeUndefined();
    // The record still names the ALB, interrupted: the Lattice reconcile keeps off it.
    const interrupted = await record();
    expect(interrupted?.dataPlane).toBe("alb");
    expect(interrupted?.applying).toBeDefined();
    expect(await onLattice(LATTICE(), "reconciler-b")).toEqual({ kind: "elsewhere", dataPlane: "alb" });
    expect(lattice.calls).toEqual([]);
    advance(CALL_DEADLINE + 1);
    expect((await onElb(undefined, "reconciler-b")).kind).toBe("deleted");
    expect(emptyElb(elb.world)).toBe(true);
    expect((await onLattice(LATTICE(), "reconciler-b")).kind).toBe("applied");
    // The route's service and the Gateway service.
    expect(lattice.world.services).toHaveLength(2);
    expect((await record())?.dataPlane).toBe("lattice");
  });

  it("a held Gateway on its new plane is held by the old one: the ALB record and load balancer are kept", async () => {
    const { elb, lattice, onElb, onLattice, record } = setup();
    await onElb(ALB);
    const before = await record();
    expect(await onLattice(undefined, "reconciler-a", "InvalidParameters")).toEqual({
      kind: "elsewhere",
      dataPlane: "alb",
    });
    expect(await record()).toEqual(before);
    expect((await onElb(undefined, "reconciler-a", "InvalidParameters")).kind).toBe("held");
    expect(elb.world.loadBalancer).toBeDefined();
    expect(lattice.calls).toEqual([]);
    expect((await record())?.applied.loadBalancer?.arn).toBe(before?.applied.loadBalancer?.arn);
  });

  it("a Lattice record is left alone by a held ALB reconcile too", async () => {
    const { onElb, onLattice, record } = setup();
    await onLattice(LATTICE());
    const before = await record();
    expect(await onElb(undefined, "reconciler-a", "InvalidParameters")).toEqual({
      kind: "elsewhere",
      dataPlane: "lattice",
    });
    expect(await record()).toEqual(before);
  });
});

describe("a Gateway moving from ALB to NLB", () => {
  it("is the same plane: the record is taken, the load balancer replaced, no stray left, the record says nlb", async () => {
    const { elb, stores, record } = setup();
    const deps = { leases: stores.leases, states: stores.states, now: () => 1_000_000, owner: "a", elb };
    await reconcileGateway({ ...TARGET, dataPlane: "alb", desired: ALB }, deps);
    const alb = elb.world.loadBalancer?.arn;
    const nlb = { ...ALB, type: "network" as const, listeners: [] };
    const outcome = await reconcileGateway({ ...TARGET, dataPlane: "nlb", desired: nlb }, deps);
    expect(outcome).toMatchObject({
      kind: "applied",
      replacement: "load balancer type changes from application to network",
    });
    expect(elb.world.loadBalancer?.type).toBe("network");
    expect(elb.world.loadBalancer?.arn).not.toBe(alb);
    expect(elb.world.strayLoadBalancers).toEqual([]);
    expect((await record())?.dataPlane).toBe("nlb");
    expect((await record())?.applied.loadBalancer?.arn).toBe(elb.world.loadBalancer?.arn);
    // An NLB record is the ELB plane's own: the next reconcile takes it as current.
    expect((await reconcileGateway({ ...TARGET, dataPlane: "nlb", desired: nlb }, deps)).kind).toBe("unchanged");
  });
});

describe("status while the old plane is deleted", () => {
  it("an elsewhere outcome says nothing of its own on either plane: the pipeline reports the switch", () => {
    expect(observationOf({ kind: "elsewhere", dataPlane: "lattice" }, ALB)).toBeUndefined();
    expect(latticeObservationOf({ kind: "elsewhere", dataPlane: "alb" }, LATTICE())).toBeUndefined();
  });

  const outcome = (o: DataPlaneOutcome<unknown, { op: string }>) => planeSwitchObservation("alb", "lattice", o);

  it("is Programmed=False with no address, saying what is deleted and why it is not done", () => {
    expect(outcome({ kind: "busy" })).toEqual({
      programmed: false,
      message: "moving from alb to lattice: the alb resources are deleted first; another reconcile holds the Gateway",
    });
    expect(
      outcome({ kind: "applied", observed: {}, operations: ["DeleteTargetGroup"], drift: false, pending: "draining" })
        .message,
    ).toBe("moving from alb to lattice: the alb resources are deleted first; waiting: draining");
    expect(outcome({ kind: "applied", observed: {}, operations: ["A", "B"], drift: false }).message).toBe(
      "moving from alb to lattice: the alb resources are deleted first; 2 deletion(s) done",
    );
    const error = new ElbOperationError("retryable", "Throttling", "DeleteLoadBalancer", "slow down");
    expect(outcome({ kind: "failed", observed: {}, error, retryable: true }).message).toBe(
      "moving from alb to lattice: the alb resources are deleted first; DeleteLoadBalancer failed: Throttling: slow down; switchyard retries",
    );
    const refused = LatticeOperationError.fromCode("AccessDeniedException", "DeleteService", "no");
    expect(
      planeSwitchObservation("lattice", "nlb", { kind: "failed", observed: {}, error: refused, retryable: false })
        .message,
    ).toBe(
      `moving from lattice to nlb: the lattice resources are deleted first; DeleteService failed: ${refused.code}: no`,
    );
    expect(outcome({ kind: "elsewhere", dataPlane: "lattice" }).message).toBe(
      "moving from alb to lattice: the alb resources are deleted first; in progress",
    );
  });
});
