import { describe, expect, it } from "vitest";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import {
  decodeObservedLattice,
  emptyObservedLattice,
  type ObservedLattice,
  ObservedLatticeDecodeError,
} from "../../../shared/lattice/observed.ts";
import type { LatticeOperation } from "../../../shared/lattice/operations.ts";
import { planLattice } from "../../../shared/lattice/plan.ts";
import {
  LATTICE_DATA_PLANE,
  LatticeOperationError,
  latticeAddress,
  latticeObservationOf,
} from "../../../shared/reconcile/lattice-plane.ts";
import { decodeElbApplied, decodeLatticeApplied } from "../../../shared/store/dynamodb/state-item.ts";
import { convergeLattice, simulateLattice } from "../../../shared/testing/index.ts";
import { addresses, type LatticeGatewayShape, latticeModel } from "../../fixtures/lattice-gateway.ts";

const ops = (plan: { operations: LatticeOperation[] }) => plan.operations.map((o) => o.op);

function applied(desired: LatticeModel | undefined, from: ObservedLattice = emptyObservedLattice()): ObservedLattice {
  return convergeLattice(desired, from);
}

const TWO: LatticeGatewayShape = { routes: [{ paths: ["/a"] }, { paths: ["/b"] }] };

describe("planLattice", () => {
  it("creates only what is missing, and an applied plan leaves nothing to do", () => {
    const desired = latticeModel(TWO);
    const state = applied(desired);
    // One service per route, and the Gateway service merging both (the Gateway's address).
    expect(state.services.map((s) => s.name)).toEqual(["gw-net-apps-c1af545e", "r0-apps", "r1-apps"]);
    expect(planLattice(desired, state).operations).toEqual([]);
  });

  it("a referenced network is found, never created, and never deleted with the Gateway", () => {
    const desired = latticeModel({ ...TWO, network: "reference" });
    const find = planLattice(desired, emptyObservedLattice()).operations[0];
    expect(find).toMatchObject({ op: "FindServiceNetwork", create: false, ref: { kind: "name", name: "net" } });
    expect(ops(planLattice(undefined, applied(desired)))).not.toContain("DeleteServiceNetwork");
    // What the Gateway associates with a network it does not own is still its own, by tags.
    const association = planLattice(desired, emptyObservedLattice()).operations.find(
      (o) => o.op === "CreateServiceAssociation" && o.serviceId === "HTTPRoute/apps/r0",
    );
    expect(association).toMatchObject({
      tags: {
        "switchyard.dev/managed-by": "switchyard",
        "switchyard.dev/cluster": "test",
        "switchyard.dev/gateway": "apps/net",
        "switchyard.dev/role": "service-association:HTTPRoute/apps/r0",
      },
    });
  });

  it("a network switchyard created is deleted last when the Gateway goes, after every association", () => {
    const plan = ops(planLattice(undefined, applied(latticeModel(TWO))));
    expect(plan.at(-1)).toBe("DeleteServiceNetwork");
    expect(plan.lastIndexOf("DeleteServiceAssociation")).toBeLessThan(plan.indexOf("DeleteService"));
  });

  it("associations another owner made are never deleted, even with the Gateway", () => {
    const state = applied(latticeModel(TWO));
    const foreign: ObservedLattice = {
      ...state,
      serviceAssociations: state.serviceAssociations.map((a) => ({ ...a, owned: false })),
      vpcAssociation: {
        arn: "arn:aws:vpc-lattice:sim:000000000000:servicenetworkvpcassociation/snva-x",
        id: "snva-x",
        vpcId: "vpc-1",
        securityGroupIds: [],
        owned: false,
      },
    };
    const teardown = ops(planLattice(undefined, foreign));
    expect(teardown).not.toContain("DeleteServiceAssociation");
    expect(teardown).not.toContain("DeleteVpcAssociation");
    // An unowned association already there is used, not created again.
    expect(ops(planLattice(latticeModel(TWO), foreign))).toEqual([]);
  });

  it("a changed network reference moves this Gateway's associations to the network found again", () => {
    const state = applied(latticeModel(TWO));
    const moved = latticeModel({ ...TWO, networkName: "other" });
    const plan = ops(planLattice(moved, state));
    // Two route services and the Gateway service.
    expect(plan.slice(0, 5)).toEqual([
      "DeleteServiceAssociation",
      "DeleteServiceAssociation",
      "DeleteServiceAssociation",
      "DeleteServiceNetwork",
      "FindServiceNetwork",
    ]);
    expect(plan.filter((o) => o === "CreateServiceAssociation")).toHaveLength(3);
  });

  it("targets are diffs in batches of 100: 250 new endpoints are three RegisterTargets, 250 gone three DeregisterTargets", () => {
    // Without the Gateway service, one group holds the endpoints (with it, two would, each batched alike).
    const shape = (n: number, offset: number): LatticeGatewayShape => ({
      gatewayService: false,
      routes: [{ paths: ["/"], backend: "web" }],
      webEndpoints: addresses(n, offset),
    });
    const state = applied(latticeModel(shape(250, 0)));
    const plan = planLattice(latticeModel(shape(250, 1000)), state).operations;
    expect(ops({ operations: plan })).toEqual([
      "RegisterTargets",
      "RegisterTargets",
      "RegisterTargets",
      "DeregisterTargets",
      "DeregisterTargets",
      "DeregisterTargets",
    ]);
  });

  it("a group just created takes its targets from a later plan, once Lattice says it is ACTIVE", () => {
    const desired = latticeModel(TWO);
    const first = planLattice(desired, emptyObservedLattice());
    expect(ops(first)).not.toContain("RegisterTargets");
    // Each route's group, and the Gateway service's own group per route.
    expect(desired.targetGroups).toHaveLength(4);
    expect(ops(first).filter((o) => o === "CreateTargetGroup")).toHaveLength(4);
    expect(first.pending).toMatch(
      /target group sy-apps-be-r0-8080-\w+ \(being created: targets registered once ACTIVE\)/,
    );
    let state = emptyObservedLattice();
    for (const op of first.operations) state = simulateLattice(state, op);
    // Lattice still creating the groups: nothing can be registered yet, and the record is settling.
    const creating: ObservedLattice = {
      ...state,
      targetGroups: state.targetGroups.map((t) => ({ ...t, status: "CREATE_IN_PROGRESS" })),
    };
    const waiting = planLattice(desired, creating);
    expect(ops(waiting)).toEqual([]);
    expect(waiting.pending).toContain("being created");
    expect(LATTICE_DATA_PLANE.isSettling(creating)).toBe(true);
    // ACTIVE (the simulator's groups are): the targets, and nothing after.
    const second = planLattice(desired, state);
    expect(ops(second)).toEqual(["RegisterTargets", "RegisterTargets", "RegisterTargets", "RegisterTargets"]);
    expect(second.pending).toBeUndefined();
    for (const op of second.operations) state = simulateLattice(state, op);
    expect(LATTICE_DATA_PLANE.isSettling(state)).toBe(false);
    expect(planLattice(desired, state).operations).toEqual([]);
  });

  it("make before break: a rule moves to a new group only once it holds its targets, and the old group goes after", () => {
    const state = applied(latticeModel(TWO));
    const moved = latticeModel({ routes: [{ paths: ["/a"], backend: "web" }, { paths: ["/b"] }] });
    const first = planLattice(moved, state);
    // Both services that forward r0's requests (its own, and the Gateway service) keep forwarding
    // to their old groups: no rule update, the old groups stay.
    expect(ops(first)).toEqual(["CreateTargetGroup", "CreateTargetGroup"]);
    expect(first.pending).toMatch(/service gw-net-apps-\w+ \(its rules move to 1 new target group\(s\)/);
    expect(first.pending).toMatch(
      /service r0-apps \(its rules move to 1 new target group\(s\) once they hold targets\)/,
    );
    let next = state;
    for (const op of first.operations) next = simulateLattice(next, op);
    const second = planLattice(moved, next);
    expect(ops(second)).toEqual([
      "RegisterTargets",
      "RegisterTargets",
      "UpdateRules",
      "UpdateRules",
      "DeleteTargetGroup",
      "DeleteTargetGroup",
    ]);
    expect(second.pending).toBeUndefined();
    for (const op of second.operations) next = simulateLattice(next, op);
    expect(planLattice(moved, next).operations).toEqual([]);
  });

  it("a new rule whose priority is taken is created at a free one, then moved by the batch", () => {
    const nine = Array.from({ length: 3 }, (_, i) => `/p${i}`);
    // One service (no Gateway service), so the first operation is the route's.
    const state = applied(latticeModel({ gatewayService: false, routes: [{ paths: nine }] }));
    const plan = planLattice(
      latticeModel({ gatewayService: false, routes: [{ paths: [...nine, "/longest-path"] }] }),
      state,
    ).operations;
    expect(plan[0]).toMatchObject({ op: "CreateRule", ruleId: "r0-m3", priority: 100 });
    expect(plan[1]).toMatchObject({ op: "UpdateRules" });
    expect(plan).toHaveLength(2);
  });
});

describe("the Lattice data plane's judgements", () => {
  const createRule: LatticeOperation = {
    op: "CreateRule",
    serviceId: "s",
    listenerId: "HTTP:80",
    ruleId: "r0-m0",
    priority: 1,
    match: { headers: [] },
    action: { type: "fixed-response", statusCode: 404 },
  };
  const deleteHere: LatticeOperation = {
    op: "DeleteRule",
    serviceId: "s",
    listenerId: "HTTP:80",
    ruleId: "x",
    arn: "a",
  };
  const deleteElsewhere: LatticeOperation = { ...deleteHere, serviceId: "t", arn: "b" };

  it("a rule quota makes room with the same listener's stale rules only", () => {
    expect(LATTICE_DATA_PLANE.makeRoom(createRule, [deleteElsewhere, deleteHere])).toEqual([deleteHere]);
  });

  it("a batch that moves a rule never created is skipped with it", () => {
    const batch: LatticeOperation = {
      op: "UpdateRules",
      serviceId: "s",
      listenerId: "HTTP:80",
      updates: [{ ruleId: "r0-m0", priority: 2 }],
    };
    expect(LATTICE_DATA_PLANE.dependsOn(batch, createRule)).toBe(true);
    expect(LATTICE_DATA_PLANE.dependsOn(batch, { ...createRule, ruleId: "r9-m9" })).toBe(false);
  });

  it("the address is the address service's DNS name, lower-cased; a failure says what failed", () => {
    const desired = latticeModel(TWO);
    const state = applied(desired);
    const web = state.services.find((s) => s.id === desired.addressService);
    expect(latticeAddress(state, desired)).toBe(web?.dnsName?.toLowerCase());
    const failed = latticeObservationOf(
      {
        kind: "failed",
        observed: state,
        error: new LatticeOperationError("terminal", "ValidationException", "CreateRule", "bad path"),
        retryable: false,
      },
      desired,
    );
    expect(failed).toEqual({
      programmed: false,
      address: web?.dnsName,
      message: "CreateRule failed: ValidationException: bad path",
    });
  });
});

describe("Lattice records", () => {
  it("a damaged record is refused naming the field", () => {
    const bad = {
      services: [{ id: "x", arn: "a", listeners: [{ id: "HTTP:80" }] }],
      serviceAssociations: [],
      targetGroups: [],
    };
    expect(() => decodeObservedLattice(bad)).toThrow(ObservedLatticeDecodeError);
    expect(() => decodeObservedLattice(bad)).toThrow(/services\[0\]\.listeners\[0\]/);
    expect(decodeObservedLattice(emptyObservedLattice())).toEqual(emptyObservedLattice());
  });

  it("each data plane's store reads the other's records as holding none of its resources", () => {
    const lattice = applied(latticeModel(TWO));
    expect(decodeElbApplied(lattice, "c/apps/net", "lattice")).toEqual({
      listeners: [],
      targetGroups: [],
      strayLoadBalancers: [],
    });
    expect(decodeLatticeApplied({ listeners: [] }, "c/apps/web", "alb")).toEqual(emptyObservedLattice());
    expect(decodeLatticeApplied(lattice, "c/apps/net", "lattice")).toEqual(lattice);
  });
});
