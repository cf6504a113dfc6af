/**
 * A Lattice policy AWS refuses at apply time (shared/reconcile/lattice-plane.ts): the refusal is
 * isolated to the policy, named in the Gateway's status as before, and carried back to the
 * policy's own status (Accepted=False, Invalid, AWS's code and words) through the observation.
 */
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import { emptyObservedLattice, type ObservedLattice } from "../../../shared/lattice/observed.ts";
import type { LatticeOperation } from "../../../shared/lattice/operations.ts";
import { type EngineDeps, reconcileDataPlane } from "../../../shared/reconcile/engine.ts";
import {
  LATTICE_DATA_PLANE,
  LatticeOperationError,
  type LatticeOutcome,
  latticeObservationOf,
  latticePolicyProblems,
} from "../../../shared/reconcile/lattice-plane.ts";
import type { FailedRule } from "../../../shared/reconcile/ports.ts";
import type { PolicyStatusUpdate, StatusUpdate } from "../../../shared/status/compute.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { StateStore } from "../../../shared/store/state.ts";
import { MemoryLattice } from "../../../shared/testing/index.ts";
import {
  accessLogPolicy,
  BUCKET,
  iamAuthPolicy,
  LOG_GROUP,
  latticeModelWith,
  latticeStatusesWith,
  type PolicyShape,
  targetGroupPolicy,
  vpcAssociationPolicy,
} from "../../fixtures/lattice-policies.ts";

const R0 = "HTTPRoute/apps/r0";
const SHAPE: PolicyShape = {
  routes: [{ paths: ["/a"] }, { paths: ["/b"] }],
  extra: [
    iamAuthPolicy("svc-auth", { kind: "HTTPRoute", name: "r0" }),
    iamAuthPolicy("net-auth", { kind: "Gateway" }),
    accessLogPolicy("net-logs", { kind: "Gateway" }, LOG_GROUP),
    vpcAssociationPolicy("net-vpc", ["sg-1"]),
    targetGroupPolicy("health", "be-r0", "/healthz"),
  ],
};
const desired = latticeModelWith(SHAPE);
const refusal = (operation: string, code = "ValidationException", message = "no") =>
  new LatticeOperationError("terminal", code, operation as LatticeOperation["op"], message);

function refused(
  op: LatticeOperation,
  model: { desired: LatticeModel | undefined } = { desired },
): FailedRule | undefined {
  return LATTICE_DATA_PLANE.refusedRule(op, refusal(op.op), model.desired);
}

const groupOf = (backend: string) => desired.targetGroups.find((g) => g.backend.includes(backend));

describe("which policy a refused operation was applying", () => {
  it("the model has the policies the operations name", () => {
    expect(desired.serviceNetwork.vpcAssociation?.policy).toBe("apps/net-vpc");
    expect(groupOf("be-r0")?.policy).toBe("apps/health");
  });

  it("an auth policy put, or AWS_IAM set, is the IAMAuthPolicy's; setting NONE is no policy's", () => {
    const service = { kind: "service" as const, serviceId: R0 };
    const network = { kind: "service-network" as const };
    expect(refused({ op: "PutAuthPolicy", target: service, policy: "{}", source: "apps/svc-auth" })).toEqual({
      operation: "PutAuthPolicy",
      listenerId: R0,
      route: "IAMAuthPolicy apps/svc-auth",
      policy: "IAMAuthPolicy/apps/svc-auth",
      code: "ValidationException",
      message: "no",
    });
    expect(refused({ op: "UpdateAuthType", target: service, authType: "AWS_IAM" })?.policy).toBe(
      "IAMAuthPolicy/apps/svc-auth",
    );
    expect(refused({ op: "UpdateAuthType", target: network, authType: "AWS_IAM" })).toMatchObject({
      listenerId: "service-network",
      policy: "IAMAuthPolicy/apps/net-auth",
    });
    expect(refused({ op: "UpdateAuthType", target: network, authType: "NONE" })).toBeUndefined();
    // A service with no IAMAuthPolicy in the model: nothing to name, the apply stops as before.
    const plain = { kind: "service" as const, serviceId: "HTTPRoute/apps/r1" };
    expect(refused({ op: "UpdateAuthType", target: plain, authType: "AWS_IAM" })).toBeUndefined();
  });

  it("an access log subscription created or moved is the AccessLogPolicy's of that destination", () => {
    const network = { kind: "service-network" as const };
    expect(
      refused({
        op: "CreateAccessLogSubscription",
        target: network,
        destinationArn: LOG_GROUP,
        source: "apps/net-logs",
        tags: {},
      }),
    ).toMatchObject({ route: "AccessLogPolicy apps/net-logs", policy: "AccessLogPolicy/apps/net-logs" });
    expect(
      refused({ op: "UpdateAccessLogSubscription", target: network, arn: "arn:sub", destinationArn: LOG_GROUP }),
    ).toMatchObject({ listenerId: "service-network", policy: "AccessLogPolicy/apps/net-logs" });
    expect(
      refused({ op: "UpdateAccessLogSubscription", target: network, arn: "arn:sub", destinationArn: BUCKET }),
    ).toBeUndefined();
  });

  it("a health check update is the group's TargetGroupPolicy's; a group without one stops the apply", () => {
    const health = groupOf("be-r0")?.healthCheck;
    if (!health) throw new Error("the TargetGroupPolicy gives group be-r0 a health check");
    const withPolicy = groupOf("be-r0")?.id ?? "";
    const without = groupOf("be-r1")?.id ?? "";
    expect(refused({ op: "UpdateTargetGroup", targetGroupId: withPolicy, healthCheck: health })).toMatchObject({
      listenerId: withPolicy,
      route: "TargetGroupPolicy apps/health",
      policy: "TargetGroupPolicy/apps/health",
    });
    expect(refused({ op: "UpdateTargetGroup", targetGroupId: without, healthCheck: health })).toBeUndefined();
  });

  it("a VPC association created or updated is the VpcAssociationPolicy's", () => {
    expect(refused({ op: "CreateVpcAssociation", securityGroupIds: ["sg-1"], tags: {} })).toMatchObject({
      listenerId: "service-network",
      policy: "VpcAssociationPolicy/apps/net-vpc",
    });
    expect(refused({ op: "UpdateVpcAssociation", arn: "arn:a", securityGroupIds: ["sg-1"] })?.policy).toBe(
      "VpcAssociationPolicy/apps/net-vpc",
    );
    // A Gateway being deleted has no model: nothing names the policy.
    expect(
      refused({ op: "CreateVpcAssociation", securityGroupIds: [], tags: {} }, { desired: undefined }),
    ).toBeUndefined();
  });
});

describe("refusals as the policies' problems", () => {
  const rule = (over: Partial<FailedRule>): FailedRule => ({
    operation: "PutAuthPolicy",
    listenerId: R0,
    code: "ValidationException",
    message: "no",
    ...over,
  });

  it("names each refused policy by key, Invalid, with the operation, the resource and AWS's words", () => {
    expect(
      latticePolicyProblems([
        rule({ route: R0 }),
        rule({ policy: "IAMAuthPolicy/apps/a", code: "AccessDeniedException", message: "not allowed" }),
      ]),
    ).toEqual({
      "IAMAuthPolicy/apps/a": {
        reason: "Invalid",
        message: `VPC Lattice refused PutAuthPolicy on ${R0}: AccessDeniedException: not allowed`,
      },
    });
  });

  it("two refusals of one policy are both in its message; no policy refusal is no problem at all", () => {
    const twice = latticePolicyProblems([
      rule({
        policy: "AccessLogPolicy/apps/l",
        operation: "CreateAccessLogSubscription",
        listenerId: "service-network",
      }),
      rule({ policy: "AccessLogPolicy/apps/l", operation: "CreateAccessLogSubscription", message: "again" }),
    ]);
    expect(twice?.["AccessLogPolicy/apps/l"]?.message).toBe(
      `VPC Lattice refused CreateAccessLogSubscription on service-network: ValidationException: no; VPC Lattice refused CreateAccessLogSubscription on ${R0}: ValidationException: again`,
    );
    expect(latticePolicyProblems([rule({ route: R0 })])).toBeUndefined();
    expect(latticePolicyProblems([])).toBeUndefined();
  });
});

describe("the observation of an outcome with a policy refused", () => {
  const refusedAuth: FailedRule = {
    operation: "PutAuthPolicy",
    listenerId: R0,
    route: "IAMAuthPolicy apps/svc-auth",
    policy: "IAMAuthPolicy/apps/svc-auth",
    code: "AuthPolicyRefused",
    message: "no",
  };
  const problems = {
    "IAMAuthPolicy/apps/svc-auth": {
      reason: "Invalid",
      message: `VPC Lattice refused PutAuthPolicy on ${R0}: AuthPolicyRefused: no`,
    },
  };

  it("carries the policy's problem while services are still missing, as once they all exist", () => {
    const none: LatticeOutcome = {
      kind: "applied",
      observed: emptyObservedLattice(),
      operations: ["PutAuthPolicy"],
      drift: false,
      failedRules: [refusedAuth],
    };
    const missing = latticeObservationOf(none, desired);
    expect(missing).toMatchObject({ programmed: false, policyProblems: problems });
    expect(missing?.message).toContain("services not created yet");
    const all = latticeObservationOf({ ...none, observed: { ...emptyObservedLattice(), services: [] } }, undefined);
    expect(all).toMatchObject({ programmed: true, policyProblems: problems });
  });

  it("an unchanged outcome, or refusals of rules alone, carry none", () => {
    expect(latticeObservationOf({ kind: "unchanged", observed: emptyObservedLattice() }, undefined)).not.toHaveProperty(
      "policyProblems",
    );
    const ruleOnly: LatticeOutcome = {
      kind: "applied",
      observed: emptyObservedLattice(),
      operations: ["CreateRule"],
      drift: false,
      failedRules: [
        { operation: "CreateRule", listenerId: "HTTP:80", route: R0, code: "ValidationException", message: "x" },
      ],
    };
    expect(latticeObservationOf(ruleOnly, undefined)).not.toHaveProperty("policyProblems");
  });
});

const GATEWAY = clusterGatewayKey("test", "apps", "net");

function setup() {
  let clock = 1_000_000;
  const stores = createMemoryStores();
  const lattice = new MemoryLattice();
  const deps: EngineDeps<ObservedLattice> = {
    leases: stores.leases,
    states: stores.states as unknown as StateStore<ObservedLattice>,
    now: () => clock,
    owner: "reconciler-a",
    logger: { warn: () => undefined },
  };
  const reconcile = (model: LatticeModel): Promise<LatticeOutcome> => {
    clock += 1_000;
    return reconcileDataPlane(
      LATTICE_DATA_PLANE,
      lattice,
      { gatewayKey: GATEWAY, dataPlane: "lattice", account: "111122223333", region: "us-east-1", desired: model },
      deps,
    );
  };
  return { lattice, reconcile };
}

function policyStatus(statuses: StatusUpdate[], kind: string, name: string): PolicyStatusUpdate | undefined {
  return statuses.find((s): s is PolicyStatusUpdate => s.kind === kind && "status" in s && s.name === name);
}

describe("an AWS refusal on the policy's own status", () => {
  it("the refused policy says Accepted=False with AWS's error; the other policies and the Gateway's message as before", async () => {
    const { lattice, reconcile } = setup();
    lattice.failBefore = (op) =>
      op.op === "PutAuthPolicy" && op.target.kind === "service"
        ? refusal("PutAuthPolicy", "ValidationException", "Principal * is not allowed here")
        : undefined;
    const outcome = await reconcile(desired);
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [{ operation: "PutAuthPolicy", policy: "IAMAuthPolicy/apps/svc-auth" }],
    });
    const observation = latticeObservationOf(outcome, desired);
    expect(observation?.message).toContain(
      "AWS refused PutAuthPolicy for IAMAuthPolicy apps/svc-auth (ValidationException: Principal * is not allowed here)",
    );
    expect(observation?.policyProblems).toEqual({
      "IAMAuthPolicy/apps/svc-auth": {
        reason: "Invalid",
        message: `VPC Lattice refused PutAuthPolicy on ${R0}: ValidationException: Principal * is not allowed here`,
      },
    });

    const statuses = latticeStatusesWith(SHAPE, observation ?? { programmed: false });
    const [entry] = policyStatus(statuses, "IAMAuthPolicy", "svc-auth")?.status.ancestors ?? [];
    expect(entry?.ancestorRef).toMatchObject({ kind: "Gateway", namespace: "apps", name: "net" });
    expect(entry?.conditions).toEqual([
      expect.objectContaining({
        type: "Accepted",
        status: "False",
        reason: "Invalid",
        message: expect.stringContaining("ValidationException: Principal * is not allowed here"),
      }),
    ]);
    for (const [kind, name] of [
      ["IAMAuthPolicy", "net-auth"],
      ["AccessLogPolicy", "net-logs"],
      ["VpcAssociationPolicy", "net-vpc"],
      ["TargetGroupPolicy", "health"],
    ] as const) {
      const conditions = policyStatus(statuses, kind, name)?.status.ancestors.flatMap((a) => a.conditions);
      expect(conditions, `${kind} ${name}`).toEqual([expect.objectContaining({ status: "True", reason: "Accepted" })]);
    }
  });

  it("once AWS takes the policy, the next reconcile puts it and its status is Accepted again", async () => {
    const { lattice, reconcile } = setup();
    lattice.failBefore = (op) => (op.op === "CreateVpcAssociation" ? refusal("CreateVpcAssociation") : undefined);
    const first = await reconcile(desired);
    // The association is refused alone: every service is still created and associated.
    expect(first).toMatchObject({ kind: "applied", failedRules: [{ policy: "VpcAssociationPolicy/apps/net-vpc" }] });
    // Two route services and the Gateway service.
    expect(lattice.world.serviceAssociations).toHaveLength(3);
    expect(latticeObservationOf(first, desired)?.policyProblems).toHaveProperty(["VpcAssociationPolicy/apps/net-vpc"]);

    lattice.failBefore = () => undefined;
    const second = await reconcile(desired);
    // With the targets of the groups the first reconcile created (taken once ACTIVE).
    expect(second).toMatchObject({
      kind: "applied",
      // The two route services' groups, and the Gateway service's one (r0, with an IAMAuthPolicy of
      // its own, stays out of it).
      operations: ["CreateVpcAssociation", "RegisterTargets", "RegisterTargets", "RegisterTargets"],
    });
    const observation = latticeObservationOf(second, desired);
    expect(observation).not.toHaveProperty("policyProblems");
    const vpc = policyStatus(
      latticeStatusesWith(SHAPE, observation ?? { programmed: false }),
      "VpcAssociationPolicy",
      "net-vpc",
    );
    expect(vpc?.status.ancestors[0]?.conditions[0]).toMatchObject({ status: "True", reason: "Accepted" });
  });
});
