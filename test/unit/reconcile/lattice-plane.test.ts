/**
 * VPC Lattice as a data plane of the reconcile engine (shared/reconcile/lattice-plane.ts): the
 * judgements the engine asks of it (room under a quota, the route a refused rule came from, what
 * depends on a refused rule), the model hash, the address and what an outcome means for status;
 * then the engine itself over the Lattice plane and the simulator (MemoryLattice): what it
 * records, what it skips after a refusal, what it deletes first to make room.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import { emptyObservedLattice, type ObservedLattice, type ObservedService } from "../../../shared/lattice/observed.ts";
import type { LatticeOperation, LatticePolicyTarget } from "../../../shared/lattice/operations.ts";
import { type EngineDeps, reconcileDataPlane } from "../../../shared/reconcile/engine.ts";
import {
  LATTICE_DATA_PLANE,
  LATTICE_EXPORT_DATA_PLANE,
  LatticeOperationError,
  type LatticeOutcome,
  latticeAddress,
  latticeModelHash,
  latticeObservationOf,
} from "../../../shared/reconcile/lattice-plane.ts";
import { DataPlaneOperationError, type FailedRule } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { StateStore } from "../../../shared/store/state.ts";
import { convergeLattice, MemoryLattice } from "../../../shared/testing/index.ts";
import { latticeModel as gatewayModel, type LatticeGatewayShape } from "../../fixtures/lattice-gateway.ts";

/**
 * The engine's judgements are exercised on per-route services alone: the Gateway service is one
 * more service taking the same operations, and has its own tests (gateway-service.test.ts).
 */
const latticeModel = (shape: LatticeGatewayShape) => gatewayModel({ gatewayService: false, ...shape });

const TWO: LatticeGatewayShape = { routes: [{ paths: ["/a"] }, { paths: ["/b"] }] };
const R0 = "HTTPRoute/apps/r0";
const R1 = "HTTPRoute/apps/r1";

/** What AWS holds once `desired` is fully applied, as the simulator builds it. */
function applied(desired: LatticeModel | undefined, from: ObservedLattice = emptyObservedLattice()): ObservedLattice {
  return convergeLattice(desired, from);
}

const refusal = (code = "ValidationException", message = "bad match") =>
  new LatticeOperationError("terminal", code, "CreateRule", message);

function createRule(serviceId: string, ruleId: string, listenerId = "HTTP:80"): LatticeOperation {
  return {
    op: "CreateRule",
    serviceId,
    listenerId,
    ruleId,
    priority: 1,
    match: { headers: [] },
    action: { type: "fixed-response", statusCode: 404 },
  };
}

const deleteRule = (serviceId: string, listenerId: string, ruleId: string): LatticeOperation => ({
  op: "DeleteRule",
  serviceId,
  listenerId,
  ruleId,
  arn: `arn:rule/${serviceId}/${listenerId}/${ruleId}`,
});

describe("LatticeOperationError", () => {
  it("carries kind, code, operation and what exists after a partial operation", () => {
    const after = applied(latticeModel(TWO));
    const error = new LatticeOperationError("quota", "ServiceQuotaExceeded", "CreateService", "too many", after);
    expect(error).toBeInstanceOf(DataPlaneOperationError);
    expect(error.name).toBe("LatticeOperationError");
    expect(error).toMatchObject({ kind: "quota", code: "ServiceQuotaExceeded", operation: "CreateService" });
    expect(error.message).toBe("too many");
    expect(error.observed).toBe(after);
  });

  it("from a bare AWS code, is classified by the same table as SDK errors", () => {
    const gone = LatticeOperationError.fromCode("ResourceNotFound", "DeleteRule", "no such rule");
    expect(gone).toBeInstanceOf(LatticeOperationError);
    expect(gone).toMatchObject({ kind: "notFound", code: "ResourceNotFound", operation: "DeleteRule" });
    expect(gone.message).toBe("no such rule");
    expect(gone.retryable).toBe(false);
    const throttled = LatticeOperationError.fromCode(
      "ThrottlingException",
      "observe",
      "slow down",
      emptyObservedLattice(),
    );
    expect(throttled).toMatchObject({ kind: "retryable", code: "ThrottlingException", operation: "observe" });
    expect(throttled.retryable).toBe(true);
    expect(throttled.observed).toEqual(emptyObservedLattice());
    // A modeled exception's class name counts as its wire code.
    expect(LatticeOperationError.fromCode("ValidationException", "CreateRule", "bad")).toMatchObject({
      kind: "terminal",
      code: "Validation",
    });
  });
});

describe("the Lattice model hash", () => {
  it("is equal for equal models, differs for any change, and differs for a deleted Gateway", () => {
    const desired = latticeModel(TWO);
    const hash = latticeModelHash(desired);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(latticeModelHash(latticeModel(TWO))).toBe(hash);
    expect(latticeModelHash(latticeModel({ routes: [{ paths: ["/a"] }, { paths: ["/c"] }] }))).not.toBe(hash);
    expect(latticeModelHash({ ...desired, addressService: R1 })).not.toBe(hash);
    const deleted = latticeModelHash(undefined);
    expect(deleted).toMatch(/^[0-9a-f]{64}$/);
    expect(latticeModelHash(undefined)).toBe(deleted);
    expect(deleted).not.toBe(hash);
    // It is the hash of the model's JSON: a record's appliedHash stays valid across releases.
    expect(hash).toBe(createHash("sha256").update(JSON.stringify(desired)).digest("hex"));
  });
});

describe("room under a Lattice quota", () => {
  const network = { op: "DeleteServiceNetwork", arn: "arn:sn" } as const;

  it("a rule quota is per listener: only the same listener's stale rules, in plan order", () => {
    const here1 = deleteRule("s", "HTTP:80", "old-1");
    const here2 = deleteRule("s", "HTTP:80", "old-2");
    const otherListener = deleteRule("s", "HTTPS:443", "old-3");
    const otherService = deleteRule("t", "HTTP:80", "old-4");
    const listener: LatticeOperation = { op: "DeleteListener", serviceId: "s", listenerId: "HTTP:80", arn: "arn:l" };
    const pending = [otherService, here2, listener, otherListener, here1, network];
    expect(LATTICE_DATA_PLANE.makeRoom(createRule("s", "r0-m0"), pending)).toEqual([here2, here1]);
    expect(LATTICE_DATA_PLANE.makeRoom(createRule("s", "r0-m0"), [otherService, otherListener, listener])).toEqual([]);
  });

  it("a listener quota is per service: only the same service's stale listeners", () => {
    const here: LatticeOperation = { op: "DeleteListener", serviceId: "s", listenerId: "HTTP:80", arn: "arn:l1" };
    const elsewhere: LatticeOperation = { ...here, serviceId: "t", arn: "arn:l2" };
    const rule = deleteRule("s", "HTTP:80", "old");
    const create: LatticeOperation = {
      op: "CreateListener",
      serviceId: "s",
      listenerId: "HTTPS:443",
      name: "https-443",
      protocol: "HTTPS",
      port: 443,
      defaultAction: { type: "fixed-response", statusCode: 404 },
      tags: {},
    };
    expect(LATTICE_DATA_PLANE.makeRoom(create, [elsewhere, rule, here, network])).toEqual([here]);
    expect(LATTICE_DATA_PLANE.makeRoom(create, [elsewhere, rule])).toEqual([]);
  });

  it("target group and service quotas are per Region: any stale group, any stale service", () => {
    const group: LatticeOperation = { op: "DeleteTargetGroup", targetGroupId: "g", arn: "arn:g" };
    const service: LatticeOperation = { op: "DeleteService", serviceId: "s", arn: "arn:s" };
    const rule = deleteRule("s", "HTTP:80", "old");
    const createGroup: LatticeOperation = {
      op: "CreateTargetGroup",
      targetGroupId: "h",
      name: "h",
      protocol: "HTTP",
      port: 80,
      ipAddressType: "IPV4",
      tags: {},
    };
    const createService: LatticeOperation = { op: "CreateService", serviceId: "u", name: "u", tags: {} };
    expect(LATTICE_DATA_PLANE.makeRoom(createGroup, [rule, group, network])).toEqual([group]);
    expect(LATTICE_DATA_PLANE.makeRoom(createGroup, [rule, network])).toEqual([]);
    expect(LATTICE_DATA_PLANE.makeRoom(createService, [rule, group, service, network])).toEqual([service]);
    expect(LATTICE_DATA_PLANE.makeRoom(createService, [rule, group, network])).toEqual([]);
  });

  it("a stale service goes with its associations, and before the stale groups it forwards to", () => {
    const association: LatticeOperation = { op: "DeleteServiceAssociation", serviceId: "s", arn: "arn:a1" };
    // A service that stays but leaves the network: its association is not what frees room.
    const leaving: LatticeOperation = { op: "DeleteServiceAssociation", serviceId: "kept", arn: "arn:a2" };
    const service: LatticeOperation = { op: "DeleteService", serviceId: "s", arn: "arn:s" };
    const group: LatticeOperation = { op: "DeleteTargetGroup", targetGroupId: "g", arn: "arn:g" };
    const pending = [leaving, association, service, group, network];
    const createService: LatticeOperation = { op: "CreateService", serviceId: "u", name: "u", tags: {} };
    const createGroup: LatticeOperation = {
      op: "CreateTargetGroup",
      targetGroupId: "h",
      name: "h",
      protocol: "HTTP",
      port: 80,
      ipAddressType: "IPV4",
      tags: {},
    };
    expect(LATTICE_DATA_PLANE.makeRoom(createService, pending)).toEqual([association, service]);
    expect(LATTICE_DATA_PLANE.makeRoom(createService, [leaving, network])).toEqual([]);
    expect(LATTICE_DATA_PLANE.makeRoom(createGroup, pending)).toEqual([association, service, group]);
    // With no stale group, deleting a service frees no group.
    expect(LATTICE_DATA_PLANE.makeRoom(createGroup, [leaving, association, service, network])).toEqual([]);
  });

  it("nothing else makes room: any other refused operation stays refused", () => {
    const pending: LatticeOperation[] = [
      deleteRule("s", "HTTP:80", "old"),
      { op: "DeleteListener", serviceId: "s", listenerId: "HTTP:80", arn: "arn:l" },
      { op: "DeleteTargetGroup", targetGroupId: "g", arn: "arn:g" },
      { op: "DeleteService", serviceId: "s", arn: "arn:s" },
      network,
    ];
    const others: LatticeOperation[] = [
      { op: "CreateServiceAssociation", serviceId: "s", tags: {} },
      { op: "RegisterTargets", targetGroupId: "g", targets: [{ id: "10.0.0.1", port: 80 }] },
      { op: "UpdateRules", serviceId: "s", listenerId: "HTTP:80", updates: [{ ruleId: "r0-m0", priority: 2 }] },
      { op: "CreateVpcAssociation", securityGroupIds: [], tags: {} },
    ];
    for (const op of others) expect(LATTICE_DATA_PLANE.makeRoom(op, pending)).toEqual([]);
  });
});

describe("a rule Lattice refuses", () => {
  const desired = latticeModel({ routes: [{ paths: ["/a", "/b"] }, { paths: ["/c"] }] });
  /** The same model with rule sources that differ from the service id (translation gives them equal). */
  const sourced: LatticeModel = {
    ...desired,
    services: desired.services.map((s) => ({
      ...s,
      listeners: s.listeners.map((l) => ({
        ...l,
        rules: l.rules.map((r) => ({ ...r, source: { ...r.source, route: `${r.source.route}#${r.id}` } })),
      })),
    })),
  };

  it("is named by the route its rule came from, found by service, listener and rule", () => {
    const error = refusal("ValidationException", "path too long");
    expect(LATTICE_DATA_PLANE.refusedRule(createRule(R1, "r0-m0"), error, sourced)).toEqual({
      operation: "CreateRule",
      listenerId: "HTTP:80",
      route: `${R1}#r0-m0`,
      code: "ValidationException",
      message: "path too long",
    });
    expect(LATTICE_DATA_PLANE.refusedRule(createRule(R0, "r0-m1"), error, sourced)?.route).toBe(`${R0}#r0-m1`);
    // Translation names each rule by its service's route.
    expect(LATTICE_DATA_PLANE.refusedRule(createRule(R1, "r0-m0"), error, desired)?.route).toBe(R1);
  });

  it("a rule the model does not have is put on its service; one of no known listener or service on none", () => {
    const error = refusal();
    expect(LATTICE_DATA_PLANE.refusedRule(createRule(R0, "r9-m9"), error, sourced)?.route).toBe(R0);
    const otherListener = LATTICE_DATA_PLANE.refusedRule(createRule(R0, "r0-m0", "HTTPS:443"), error, sourced);
    expect(otherListener).toEqual({
      operation: "CreateRule",
      listenerId: "HTTPS:443",
      code: "ValidationException",
      message: "bad match",
    });
    expect(otherListener).not.toHaveProperty("route");
    expect(
      LATTICE_DATA_PLANE.refusedRule(createRule("HTTPRoute/apps/gone", "r0-m0"), error, sourced),
    ).not.toHaveProperty("route");
    // A Gateway being deleted has no model to name the route from.
    const deleting = LATTICE_DATA_PLANE.refusedRule(createRule(R0, "r0-m0"), error, undefined);
    expect(deleting).toMatchObject({ operation: "CreateRule", listenerId: "HTTP:80" });
    expect(deleting).not.toHaveProperty("route");
  });

  it("a refused batch is reported as BatchUpdateRule, named by the route of its first rule", () => {
    const batch = (updates: { ruleId: string; priority: number }[], serviceId = R0): LatticeOperation => ({
      op: "UpdateRules",
      serviceId,
      listenerId: "HTTP:80",
      updates,
    });
    const error = new LatticeOperationError("terminal", "ValidationException", "UpdateRules", "priority taken");
    expect(
      LATTICE_DATA_PLANE.refusedRule(
        batch([
          { ruleId: "r0-m1", priority: 1 },
          { ruleId: "r0-m0", priority: 2 },
        ]),
        error,
        sourced,
      ),
    ).toEqual({
      operation: "BatchUpdateRule",
      listenerId: "HTTP:80",
      route: `${R0}#r0-m1`,
      code: "ValidationException",
      message: "priority taken",
    });
    expect(LATTICE_DATA_PLANE.refusedRule(batch([]), error, sourced)?.route).toBe(R0);
    expect(LATTICE_DATA_PLANE.refusedRule(batch([], "HTTPRoute/apps/gone"), error, sourced)).not.toHaveProperty(
      "route",
    );
  });

  it("anything but a rule is not isolated: it stops the apply", () => {
    const error = refusal();
    const others: LatticeOperation[] = [
      deleteRule(R0, "HTTP:80", "r0-m0"),
      { op: "CreateService", serviceId: R0, name: "r0-apps", tags: {} },
      {
        op: "CreateListener",
        serviceId: R0,
        listenerId: "HTTP:80",
        name: "http-80",
        protocol: "HTTP",
        port: 80,
        defaultAction: { type: "fixed-response", statusCode: 404 },
        tags: {},
      },
      {
        op: "UpdateListener",
        serviceId: R0,
        listenerId: "HTTP:80",
        defaultAction: { type: "fixed-response", statusCode: 500 },
      },
    ];
    for (const op of others) expect(LATTICE_DATA_PLANE.refusedRule(op, error, sourced)).toBeUndefined();
  });

  it("only a batch moving the very rule a refused CreateRule would have made depends on it", () => {
    const failed = createRule("s", "r0-m1");
    const batch = (
      over: Partial<{ serviceId: string; listenerId: string; ruleIds: string[] }> = {},
    ): LatticeOperation => ({
      op: "UpdateRules",
      serviceId: over.serviceId ?? "s",
      listenerId: over.listenerId ?? "HTTP:80",
      updates: (over.ruleIds ?? ["r0-m0", "r0-m1"]).map((ruleId, i) => ({ ruleId, priority: i + 1 })),
    });
    expect(LATTICE_DATA_PLANE.dependsOn(batch(), failed)).toBe(true);
    expect(LATTICE_DATA_PLANE.dependsOn(batch({ ruleIds: ["r0-m0", "r0-m2"] }), failed)).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(batch({ serviceId: "t" }), failed)).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(batch({ listenerId: "HTTPS:443" }), failed)).toBe(false);
    // Other operations on the same listener still run; and only a refused CreateRule leaves a rule missing.
    expect(LATTICE_DATA_PLANE.dependsOn(createRule("s", "r0-m2"), failed)).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(deleteRule("s", "HTTP:80", "r0-m1"), failed)).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(failed, failed)).toBe(false);
    // A refused DeleteRule leaves its rule in place: a batch moving it still works.
    expect(LATTICE_DATA_PLANE.dependsOn(batch(), deleteRule("s", "HTTP:80", "r0-m1"))).toBe(false);
    const refusedBatch = batch();
    expect(LATTICE_DATA_PLANE.dependsOn(refusedBatch, refusedBatch)).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(batch(), refusedBatch)).toBe(false);
  });

  it("AWS_IAM on a target whose auth policy was refused depends on it: it would deny every request", () => {
    const service = { kind: "service" as const, serviceId: "s" };
    const put = (target: LatticePolicyTarget): LatticeOperation => ({
      op: "PutAuthPolicy",
      target,
      policy: "{}",
      source: "apps/auth",
    });
    const authType = (target: LatticePolicyTarget, type: "AWS_IAM" | "NONE"): LatticeOperation => ({
      op: "UpdateAuthType",
      target,
      authType: type,
    });
    expect(LATTICE_DATA_PLANE.dependsOn(authType(service, "AWS_IAM"), put(service))).toBe(true);
    expect(
      LATTICE_DATA_PLANE.dependsOn(authType({ kind: "service-network" }, "AWS_IAM"), put({ kind: "service-network" })),
    ).toBe(true);
    // Another target's policy, NONE, another refused operation, another operation on the target: independent.
    expect(LATTICE_DATA_PLANE.dependsOn(authType({ kind: "service", serviceId: "t" }, "AWS_IAM"), put(service))).toBe(
      false,
    );
    expect(LATTICE_DATA_PLANE.dependsOn(authType(service, "NONE"), put(service))).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(authType(service, "AWS_IAM"), createRule("s", "r0-m0"))).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(authType(service, "AWS_IAM"), authType(service, "NONE"))).toBe(false);
    const logs: LatticeOperation = {
      op: "CreateAccessLogSubscription",
      target: service,
      destinationArn: "arn:logs",
      source: "apps/logs",
      tags: {},
    };
    expect(LATTICE_DATA_PLANE.dependsOn(logs, put(service))).toBe(false);
  });

  it("a ServiceExport's record is re-read before planning while a group settles or drains, and makes room like a Gateway's", () => {
    const group = { id: "g", arn: "arn:tg/g", name: "g", protocol: "HTTP", port: 80, targets: [] };
    const groups = (over: Record<string, unknown>) => ({
      ...emptyObservedLattice(),
      targetGroups: [{ ...group, ...over }],
    });
    expect(LATTICE_EXPORT_DATA_PLANE.refreshBeforePlan?.(groups({ status: "ACTIVE" }))).toBe(false);
    expect(LATTICE_EXPORT_DATA_PLANE.refreshBeforePlan?.(groups({ status: "CREATE_IN_PROGRESS" }))).toBe(true);
    expect(LATTICE_EXPORT_DATA_PLANE.refreshBeforePlan?.(groups({ status: "ACTIVE", draining: 2 }))).toBe(true);
    const create: LatticeOperation = {
      op: "CreateTargetGroup",
      targetGroupId: "h",
      name: "h",
      protocol: "HTTP",
      port: 80,
      ipAddressType: "IPV4",
      tags: {},
    };
    const stale: LatticeOperation = { op: "DeleteTargetGroup", targetGroupId: "g", arn: "arn:g" };
    expect(LATTICE_EXPORT_DATA_PLANE.makeRoom(create, [stale])).toEqual([stale]);
  });

  it("a deletion is what a not-found proves done", () => {
    expect(LATTICE_DATA_PLANE.isDeletion(deleteRule("s", "HTTP:80", "x"))).toBe(true);
    expect(LATTICE_DATA_PLANE.isDeletion({ op: "DeregisterTargets", targetGroupId: "g", targets: [] })).toBe(true);
    expect(LATTICE_DATA_PLANE.isDeletion(createRule("s", "x"))).toBe(false);
  });
});

function service(id: string, name: string, over: Partial<ObservedService> = {}): ObservedService {
  return { id, arn: `arn:service/${name}`, name, status: "ACTIVE", listeners: [], ...over };
}

const NETWORK = { arn: "arn:sn/net", id: "sn-net", name: "net", created: true };

function world(services: ObservedService[], withNetwork = true): ObservedLattice {
  return { ...emptyObservedLattice(), ...(withNetwork ? { serviceNetwork: NETWORK } : {}), services };
}

describe("the Gateway's address", () => {
  const desired = latticeModel(TWO);

  it("is the address service's DNS name, lower-cased, even when another service comes first", () => {
    const observed = world([
      service(R1, "r1-apps", { dnsName: "R1-APPS-1.example.on.aws" }),
      service(R0, "r0-apps", { dnsName: "R0-Apps-1.Example.on.aws" }),
    ]);
    expect(desired.addressService).toBe(R0);
    expect(latticeAddress(observed, desired)).toBe("r0-apps-1.example.on.aws");
  });

  it("is the first service with a DNS name when the address service has none yet, or there is no model", () => {
    const observed = world([
      service("HTTPRoute/apps/r2", "r2-apps"),
      service(R1, "r1-apps", { dnsName: "r1-apps-1.example.on.aws" }),
      service(R0, "r0-apps"),
    ]);
    expect(latticeAddress(observed, desired)).toBe("r1-apps-1.example.on.aws");
    expect(latticeAddress(observed, undefined)).toBe("r1-apps-1.example.on.aws");
    const { addressService: _none, ...withoutAddressService } = desired;
    expect(latticeAddress(observed, withoutAddressService)).toBe("r1-apps-1.example.on.aws");
  });

  it("with no model (held) is the Gateway service's, though another service with a DNS name comes first", () => {
    const observed = world([
      service(R1, "r1-apps", { dnsName: "r1-apps-1.example.on.aws" }),
      service("Gateway/apps/net", "net-apps"),
      service("Gateway/apps/net#2", "net-apps-2", { dnsName: "NET-apps-1.example.on.aws" }),
    ]);
    expect(latticeAddress(observed, undefined)).toBe("net-apps-1.example.on.aws");
    // With a model, its address service decides; without one there, the first service with a name.
    expect(latticeAddress(observed, latticeModel(TWO))).toBe("r1-apps-1.example.on.aws");
  });

  it("is absent while no service has a DNS name", () => {
    expect(latticeAddress(world([service(R0, "r0-apps")]), desired)).toBeUndefined();
    expect(latticeAddress(world([]), desired)).toBeUndefined();
  });
});

describe("what a Lattice outcome means for the Gateway's status", () => {
  const desired = latticeModel(TWO);
  const both = world([
    service(R0, "r0-apps", { dnsName: "r0-apps-1.example.on.aws" }),
    service(R1, "r1-apps", { dnsName: "r1-apps-1.example.on.aws" }),
  ]);

  it("says nothing new while busy or once deleted", () => {
    expect(latticeObservationOf({ kind: "busy" }, desired)).toBeUndefined();
    expect(latticeObservationOf({ kind: "busy", until: 5 }, desired)).toBeUndefined();
    expect(latticeObservationOf({ kind: "deleted" }, undefined)).toBeUndefined();
  });

  it("every service active: Programmed, with the address and the network", () => {
    expect(latticeObservationOf({ kind: "unchanged", observed: both }, desired)).toEqual({
      programmed: true,
      address: "r0-apps-1.example.on.aws",
      message: "service network net, 2 service(s) active",
    });
    // A service read from a record without a state is taken as it was recorded: not waited for.
    const noStatus = world([service(R0, "r0-apps", { status: undefined }), service(R1, "r1-apps")]);
    expect(latticeObservationOf({ kind: "unchanged", observed: noStatus }, desired)).toEqual({
      programmed: true,
      message: "service network net, 2 service(s) active",
    });
  });

  it("a service still being created keeps Programmed False, naming each one waited for", () => {
    const creating = world([
      service(R0, "r0-apps", { status: "CREATE_IN_PROGRESS", dnsName: "r0-apps-1.example.on.aws" }),
      service(R1, "r1-apps", { status: "UPDATE_IN_PROGRESS" }),
    ]);
    expect(latticeObservationOf({ kind: "unchanged", observed: creating }, desired)).toEqual({
      programmed: false,
      address: "r0-apps-1.example.on.aws",
      message:
        "service network net, 2 service(s); waiting until r0-apps (CREATE_IN_PROGRESS), r1-apps (UPDATE_IN_PROGRESS) are active",
    });
  });

  it("a target group still being created keeps Programmed False; one recorded without a state does not", () => {
    const group = (status?: string) => ({
      id: "g",
      arn: "arn:tg/g",
      name: "g-apps",
      protocol: "HTTP",
      port: 80,
      targets: [],
      ...(status ? { status } : {}),
    });
    const withGroup = (status?: string) => ({ ...both, targetGroups: [group(status)] });
    expect(latticeObservationOf({ kind: "unchanged", observed: withGroup("CREATE_IN_PROGRESS") }, desired)).toEqual({
      programmed: false,
      address: "r0-apps-1.example.on.aws",
      message: "service network net, 2 service(s); waiting until g-apps (CREATE_IN_PROGRESS) are active",
    });
    expect(latticeObservationOf({ kind: "unchanged", observed: withGroup("ACTIVE") }, desired)?.programmed).toBe(true);
    expect(latticeObservationOf({ kind: "unchanged", observed: withGroup() }, desired)?.programmed).toBe(true);
  });

  it("an apply with work pending says what comes next", () => {
    const outcome: LatticeOutcome = {
      kind: "applied",
      observed: both,
      operations: ["DeregisterTargets"],
      drift: false,
      pending: "target group g-apps: targets draining",
    };
    expect(latticeObservationOf(outcome, desired)?.message).toBe(
      "service network net, 2 service(s) active; next: target group g-apps: targets draining",
    );
  });

  it("services the model has and Lattice does not keep Programmed False, by name", () => {
    expect(latticeObservationOf({ kind: "unchanged", observed: world([], false) }, desired)).toEqual({
      programmed: false,
      message: "no service network; services not created yet: r0-apps, r1-apps",
    });
    const one = world([service(R1, "r1-apps", { dnsName: "r1-apps-1.example.on.aws" })]);
    expect(latticeObservationOf({ kind: "unchanged", observed: one }, desired)).toEqual({
      programmed: false,
      address: "r1-apps-1.example.on.aws",
      message: "service network net; services not created yet: r0-apps",
    });
    // Deleting, nothing is wanted: what is left is not "missing".
    expect(latticeObservationOf({ kind: "unchanged", observed: world([]) }, undefined)).toEqual({
      programmed: true,
      message: "service network net, 0 service(s) active",
    });
  });

  it("an apply says what it replaced and which rules AWS refused, by route or else by listener", () => {
    const failedRules: FailedRule[] = [
      { operation: "CreateRule", listenerId: "HTTP:80", route: R1, code: "ValidationException", message: "bad path" },
      { operation: "BatchUpdateRule", listenerId: "HTTPS:443", code: "ValidationException", message: "bad priority" },
    ];
    const outcome: LatticeOutcome = {
      kind: "applied",
      observed: both,
      operations: ["CreateService"],
      drift: false,
      replacement: "service HTTPRoute/apps/r0: custom domain name changed",
      failedRules,
    };
    expect(latticeObservationOf(outcome, desired)).toEqual({
      programmed: true,
      address: "r0-apps-1.example.on.aws",
      message:
        "replaced service HTTPRoute/apps/r0: custom domain name changed; service network net, 2 service(s) active; " +
        `AWS refused CreateRule for ${R1} (ValidationException: bad path), BatchUpdateRule for HTTPS:443 (ValidationException: bad priority)`,
    });
    const missing = latticeObservationOf({ ...outcome, observed: world([service(R0, "r0-apps")]) }, desired);
    expect(missing?.programmed).toBe(false);
    expect(missing?.message).toBe(
      "replaced service HTTPRoute/apps/r0: custom domain name changed; service network net; services not created yet: r1-apps; " +
        `AWS refused CreateRule for ${R1} (ValidationException: bad path), BatchUpdateRule for HTTPS:443 (ValidationException: bad priority)`,
    );
    const plain: LatticeOutcome = { kind: "applied", observed: both, operations: ["CreateRule"], drift: true };
    expect(latticeObservationOf(plain, desired)?.message).toBe("service network net, 2 service(s) active");
  });

  it("a failure keeps Programmed False with the operation, code and message, and says whether it is retried", () => {
    const failed = (code: string, retryable: boolean, observed = both): LatticeOutcome => ({
      kind: "failed",
      observed,
      error: new LatticeOperationError(retryable ? "retryable" : "terminal", code, "CreateService", "it went wrong"),
      retryable,
    });
    expect(latticeObservationOf(failed("AccessDenied", false), desired)).toEqual({
      programmed: false,
      address: "r0-apps-1.example.on.aws",
      message: "CreateService failed: AccessDenied: it went wrong",
    });
    expect(latticeObservationOf(failed("InternalServerException", true, world([])), desired)).toEqual({
      programmed: false,
      message: "CreateService failed: InternalServerException: it went wrong; switchyard retries",
    });
  });

  it("a missing network or a full quota is NoResources: the account lacks what the Gateway needs", () => {
    const failed = (code: string): LatticeOutcome => ({
      kind: "failed",
      observed: world([], false),
      error: new LatticeOperationError("terminal", code, "FindServiceNetwork", "none"),
      retryable: false,
    });
    expect(latticeObservationOf(failed("ServiceNetworkNotFound"), desired)).toEqual({
      programmed: false,
      reason: "NoResources",
      message: "FindServiceNetwork failed: ServiceNetworkNotFound: none",
    });
    expect(latticeObservationOf(failed("ServiceQuotaExceeded"), desired)?.reason).toBe("NoResources");
    expect(latticeObservationOf(failed("ValidationException"), desired)).not.toHaveProperty("reason");
  });
});

// ---------------------------------------------------------------------------------------------
// The engine over the Lattice plane.

const GATEWAY = clusterGatewayKey("test", "apps", "net");

function setup() {
  let clock = 1_000_000;
  const stores = createMemoryStores();
  const states = stores.states as unknown as StateStore<ObservedLattice>;
  const lattice = new MemoryLattice();
  const deps: EngineDeps<ObservedLattice> = {
    leases: stores.leases,
    states,
    now: () => clock,
    owner: "reconciler-a",
    driftIntervalMs: 600_000,
    logger: { warn: () => undefined },
  };
  const reconcile = (desired: LatticeModel | undefined) =>
    reconcileDataPlane(
      LATTICE_DATA_PLANE,
      lattice,
      { gatewayKey: GATEWAY, dataPlane: "lattice", account: "111122223333", region: "us-east-1", desired },
      deps,
    );
  return { lattice, states, reconcile, advance: (ms: number) => (clock += ms) };
}

const opsOf = (calls: readonly LatticeOperation[]) => calls.map((c) => c.op);

describe("the engine over VPC Lattice", () => {
  it("creates everything, records what AWS assigned with the model's hash, then makes no call while nothing changes", async () => {
    const { lattice, states, reconcile, advance } = setup();
    const desired = latticeModel(TWO);
    // The first reconcile creates the groups; Lattice takes their targets once they are ACTIVE, so
    // the record keeps no applied hash and the next reconcile (the recheck) registers them.
    const created = await reconcile(desired);
    expect(created).toMatchObject({ kind: "applied", pending: expect.stringContaining("being created") });
    expect(created.kind === "applied" && created.operations).not.toContain("RegisterTargets");
    expect((await states.get(GATEWAY))?.appliedHash).toBeUndefined();
    const outcome = await reconcile(desired);
    expect(outcome).toMatchObject({ kind: "applied", operations: ["RegisterTargets", "RegisterTargets"] });
    expect(lattice.world.services.map((s) => s.id)).toEqual([R0, R1]);
    const record = await states.get(GATEWAY);
    expect(record?.appliedHash).toBe(latticeModelHash(desired));
    expect(record?.applying).toBeUndefined();
    expect(record?.applied.services.map((s) => s.arn)).toEqual(lattice.world.services.map((s) => s.arn));
    expect(record?.applied.targetGroups.map((t) => t.arn)).toEqual(lattice.world.targetGroups.map((t) => t.arn));
    expect(record?.applied.serviceNetwork?.arn).toBe(lattice.world.serviceNetwork?.arn);
    expect(latticeObservationOf(outcome, desired)).toMatchObject({
      programmed: true,
      address: lattice.world.services[0]?.dnsName,
    });

    const calls = lattice.calls.length;
    const reads = lattice.reads;
    advance(60_000);
    expect((await reconcile(latticeModel(TWO))).kind).toBe("unchanged");
    expect(lattice.calls.length - calls).toBe(0);
    expect(lattice.reads - reads).toBe(0);
  });

  it("a rule AWS refuses is reported by route, every other route is still programmed, and the record asks for another plan", async () => {
    const { lattice, states, reconcile } = setup();
    const desired = latticeModel(TWO);
    lattice.failBefore = (op) =>
      op.op === "CreateRule" && op.serviceId === R1
        ? new LatticeOperationError("terminal", "ValidationException", "CreateRule", "match not supported")
        : undefined;
    const outcome = await reconcile(desired);
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [
        {
          operation: "CreateRule",
          listenerId: "HTTP:80",
          route: R1,
          code: "ValidationException",
          message: "match not supported",
        },
      ],
    });
    const rules = (id: string) => lattice.world.services.find((s) => s.id === id)?.listeners[0]?.rules ?? [];
    expect(rules(R0).map((r) => r.id)).toEqual(["r0-m0"]);
    expect(rules(R1)).toEqual([]);
    // Everything after the refused rule ran: the associations of both services.
    expect(lattice.world.serviceAssociations.map((a) => a.serviceId)).toEqual([R0, R1]);
    expect(latticeObservationOf(outcome, desired)?.message).toContain(
      `AWS refused CreateRule for ${R1} (ValidationException: match not supported)`,
    );
    const record = await states.get(GATEWAY);
    expect(record?.appliedHash).toBeUndefined();

    // Once AWS takes it, the next reconcile plans from the record and creates only the rule (with
    // the targets of the groups the first one created).
    lattice.failBefore = () => undefined;
    const before = lattice.calls.length;
    const again = ["RegisterTargets", "RegisterTargets", "CreateRule"];
    expect(await reconcile(desired)).toMatchObject({ kind: "applied", operations: again });
    expect(rules(R1).map((r) => r.id)).toEqual(["r0-m0"]);
    expect(lattice.calls.slice(before).map((c) => c.op)).toEqual(again);
    expect((await states.get(GATEWAY))?.appliedHash).toBe(latticeModelHash(desired));
  });

  it("a refused new rule skips the batch that would move it, and the rest of the plan still runs", async () => {
    const { lattice, reconcile } = setup();
    const three = ["/p0", "/p1", "/p2"];
    await reconcile(latticeModel({ routes: [{ paths: three }, { paths: ["/q"] }] }));
    lattice.failBefore = (op) =>
      op.op === "CreateRule"
        ? new LatticeOperationError("terminal", "ValidationException", "CreateRule", "no")
        : undefined;
    const before = lattice.calls.length;
    const desired = latticeModel({ routes: [{ paths: [...three, "/longest-path"] }, { paths: ["/q", "/r"] }] });
    const outcome = await reconcile(desired);
    const sent = opsOf(lattice.calls.slice(before));
    expect(sent).toContain("CreateRule");
    expect(sent).not.toContain("UpdateRules");
    expect(outcome.kind).toBe("applied");
    if (outcome.kind !== "applied") return;
    expect(outcome.failedRules?.map((r) => r.route)).toEqual([R0, R1]);
    // The existing rules kept their priorities: nothing moved for a rule that is not there.
    const r0 = lattice.world.services.find((s) => s.id === R0)?.listeners[0]?.rules ?? [];
    expect(r0.map((r) => [r.id, r.priority])).toEqual([
      ["r0-m0", 1],
      ["r0-m1", 2],
      ["r0-m2", 3],
    ]);
  });

  it("a terminal refusal of anything but a rule stops the apply and records what was created before it", async () => {
    const { lattice, states, reconcile } = setup();
    const desired = latticeModel(TWO);
    lattice.failBefore = (op) =>
      op.op === "CreateListener" && op.serviceId === R1
        ? new LatticeOperationError("terminal", "ValidationException", "CreateListener", "port not allowed")
        : undefined;
    const outcome = await reconcile(desired);
    expect(outcome).toMatchObject({ kind: "failed", retryable: false });
    expect(opsOf(lattice.calls).at(-1)).toBe("CreateListener");
    expect(latticeObservationOf(outcome, desired)).toMatchObject({
      programmed: false,
      message: "CreateListener failed: ValidationException: port not allowed",
    });
    const record = await states.get(GATEWAY);
    expect(record?.applying).toBeUndefined();
    expect(record?.appliedHash).toBeUndefined();
    expect(record?.applied.services.map((s) => s.arn)).toEqual(lattice.world.services.map((s) => s.arn));
    expect(record?.applied.services.map((s) => s.id)).toEqual([R0, R1]);
  });

  it("a rule quota deletes the listener's stale rules first, then creates the rule", async () => {
    const { lattice, reconcile } = setup();
    const desired = latticeModel({ routes: [{ paths: ["/a"] }] });
    // What AWS holds (found by discovery, there is no record): the listener has rule r0-m1, which
    // the model no longer has, and not r0-m0, which it wants.
    const before = applied(latticeModel({ routes: [{ paths: ["/x", "/y"] }] }));
    lattice.world = {
      ...before,
      services: before.services.map((s) => ({
        ...s,
        listeners: s.listeners.map((l) => ({ ...l, rules: l.rules.filter((r) => r.id === "r0-m1") })),
      })),
    };
    let refused = false;
    lattice.failBefore = (op) => {
      if (op.op !== "CreateRule" || refused) return undefined;
      refused = true;
      return new LatticeOperationError("quota", "ServiceQuotaExceeded", "CreateRule", "too many rules");
    };
    const outcome = await reconcile(desired);
    expect(outcome.kind).toBe("applied");
    const order = lattice.calls.map((c) =>
      c.op === "CreateRule" || c.op === "DeleteRule" ? `${c.op} ${c.ruleId}` : c.op,
    );
    expect(order.filter((o) => o.includes("Rule "))).toEqual([
      "CreateRule r0-m0",
      "DeleteRule r0-m1",
      "CreateRule r0-m0",
    ]);
    expect(lattice.world.services[0]?.listeners[0]?.rules.map((r) => r.id)).toEqual(["r0-m0"]);
  });

  /** A Gateway whose route `old` is replaced by route `new`, with `op` refused once for the quota. */
  async function replacedRouteUnderQuota(op: "CreateService" | "CreateTargetGroup") {
    const { lattice, reconcile } = setup();
    await reconcile(latticeModel({ routes: [{ name: "old", paths: ["/a"] }] }));
    let refused = false;
    lattice.failBefore = (call) => {
      if (call.op !== op || refused) return undefined;
      refused = true;
      return new LatticeOperationError("quota", "ServiceQuotaExceeded", op, "quota reached");
    };
    const before = lattice.calls.length;
    const outcome = await reconcile(latticeModel({ routes: [{ name: "new", paths: ["/a"] }] }));
    return { lattice, outcome, sent: opsOf(lattice.calls.slice(before)) };
  }

  it("a service quota deletes the stale service first, after its association (Lattice refuses an associated one)", async () => {
    const { lattice, outcome, sent } = await replacedRouteUnderQuota("CreateService");
    expect(outcome.kind).toBe("applied");
    const first = sent.indexOf("CreateService");
    expect(sent.slice(first, first + 4)).toEqual([
      "CreateService",
      "DeleteServiceAssociation",
      "DeleteService",
      "CreateService",
    ]);
    expect(lattice.world.services.map((s) => s.id)).toEqual(["HTTPRoute/apps/new"]);
    expect(lattice.world.serviceAssociations.map((a) => a.serviceId)).toEqual(["HTTPRoute/apps/new"]);
  });

  it("a target group quota deletes the stale groups first, after the stale services that forward to them", async () => {
    const { lattice, outcome, sent } = await replacedRouteUnderQuota("CreateTargetGroup");
    expect(outcome.kind).toBe("applied");
    expect(sent.slice(0, 5)).toEqual([
      "CreateTargetGroup",
      "DeleteServiceAssociation",
      "DeleteService",
      "DeleteTargetGroup",
      "CreateTargetGroup",
    ]);
    expect(lattice.world.targetGroups.map((t) => t.id)).toEqual([
      "HTTPRoute/apps/new|test/apps/be-new:8080/HTTP/HTTP1",
    ]);
    expect(lattice.world.services.map((s) => s.id)).toEqual(["HTTPRoute/apps/new"]);
  });

  it("deletes everything when the Gateway goes; a deletion AWS no longer finds counts as done", async () => {
    const { lattice, states, reconcile } = setup();
    await reconcile(latticeModel(TWO));
    const group = lattice.world.targetGroups[0];
    lattice.failBefore = (op) =>
      op.op === "DeleteTargetGroup" && op.arn === group?.arn
        ? new LatticeOperationError("notFound", "ResourceNotFound", "DeleteTargetGroup", "gone already")
        : undefined;
    expect((await reconcile(undefined)).kind).toBe("deleted");
    expect(await states.get(GATEWAY)).toBeUndefined();
    expect(lattice.world.services).toEqual([]);
    expect(lattice.world.serviceNetwork).toBeUndefined();
    expect(opsOf(lattice.calls).at(-1)).toBe("DeleteServiceNetwork");
  });
});
