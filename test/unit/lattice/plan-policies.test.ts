import { describe, expect, it } from "vitest";
import type { AccessLogPolicy } from "../../../shared/extensions/lattice.ts";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import { decodeObservedLattice, emptyObservedLattice, type ObservedLattice } from "../../../shared/lattice/observed.ts";
import type { LatticeOperation } from "../../../shared/lattice/operations.ts";
import { planLattice } from "../../../shared/lattice/plan.ts";
import { planTags, sameAuthPolicy } from "../../../shared/lattice/plan-policies.ts";
import { latticePolicyProblem } from "../../../shared/lattice/policies.ts";
import { LATTICE_DATA_PLANE, LatticeOperationError } from "../../../shared/reconcile/lattice-plane.ts";
import { convergeLattice } from "../../../shared/testing/index.ts";
import {
  ALLOW_INVOKE,
  accessLogPolicy,
  BUCKET,
  iamAuthPolicy,
  LOG_GROUP,
  latticeModels,
  latticeModelWith,
  otherGateway,
  type PolicyShape,
} from "../../fixtures/lattice-policies.ts";

const ops = (operations: readonly LatticeOperation[]) => operations.map((o) => o.op);
const ROUTE = "HTTPRoute/apps/r0";

function applied(desired: LatticeModel | undefined, from: ObservedLattice = emptyObservedLattice()): ObservedLattice {
  return convergeLattice(desired, from);
}

const withService = (state: ObservedLattice, change: (s: ObservedLattice["services"][number]) => object) => ({
  ...state,
  services: state.services.map((s) => (s.id === ROUTE ? { ...s, ...change(s) } : s)),
});

const ONE: PolicyShape = { routes: [{ paths: ["/a"] }] };

describe("IAM auth policies", () => {
  it("a route's service is created with AWS_IAM and its policy is put before the service joins the network", () => {
    const desired = latticeModelWith({ ...ONE, extra: [iamAuthPolicy("auth", { kind: "HTTPRoute", name: "r0" })] });
    const plan = planLattice(desired, emptyObservedLattice()).operations;
    const create = plan.find((o) => o.op === "CreateService");
    expect(create).toMatchObject({ authType: "AWS_IAM" });
    const put = plan.findIndex((o) => o.op === "PutAuthPolicy");
    expect(put).toBe(plan.indexOf(create as LatticeOperation) + 1);
    expect(put).toBeLessThan(ops(plan).indexOf("CreateServiceAssociation"));
    // Sent on one line: Lattice refuses newlines in a policy.
    expect(plan[put]).toMatchObject({ policy: JSON.stringify(ALLOW_INVOKE), source: "apps/auth" });
    // Created with its type: no UpdateService for it.
    expect(ops(plan)).not.toContain("UpdateAuthType");
    expect(planLattice(desired, applied(desired)).operations).toEqual([]);
  });

  it("the network's policy is put before its auth type turns AWS_IAM (AWS_IAM without a policy denies everything)", () => {
    const desired = latticeModelWith({ ...ONE, extra: [iamAuthPolicy("net-auth", { kind: "Gateway" })] });
    const plan = planLattice(desired, emptyObservedLattice()).operations;
    const find = ops(plan).indexOf("FindServiceNetwork");
    const put = plan.findIndex((o) => o.op === "PutAuthPolicy" && o.target.kind === "service-network");
    const type = plan.findIndex((o) => o.op === "UpdateAuthType" && o.target.kind === "service-network");
    expect(find).toBeLessThan(put);
    expect(put).toBeLessThan(type);
    expect(plan[type]).toMatchObject({ authType: "AWS_IAM" });
    expect(planLattice(desired, applied(desired)).operations).toEqual([]);
  });

  it("documents compare by meaning: layout, key order and one-element arrays change nothing", () => {
    const desired = latticeModelWith({ ...ONE, extra: [iamAuthPolicy("auth", { kind: "HTTPRoute", name: "r0" })] });
    const state = withService(applied(desired), () => ({
      authPolicy:
        '{"Statement":{"Resource":"*","Action":["vpc-lattice-svcs:Invoke"],"Principal":"*","Effect":"Allow"},"Version":"2012-10-17"}',
    }));
    expect(planLattice(desired, state).operations).toEqual([]);
    const changed = withService(state, () => ({
      authPolicy: JSON.stringify({ ...ALLOW_INVOKE, Statement: [{ ...ALLOW_INVOKE.Statement[0], Effect: "Deny" }] }),
    }));
    expect(ops(planLattice(desired, changed).operations)).toEqual(["PutAuthPolicy"]);
  });

  it("sameAuthPolicy: equal meaning is equal, a different action or a non-JSON text is not", () => {
    expect(sameAuthPolicy('{"a":1,"b":[2]}', '{ "b": 2, "a": 1 }')).toBe(true);
    expect(sameAuthPolicy('{"a":[1,2]}', '{"a":[2,1]}')).toBe(false);
    expect(sameAuthPolicy("not json", "not json")).toBe(false);
  });

  it("a removed IAMAuthPolicy turns the service back to NONE, then deletes the policy switchyard put", () => {
    // Without a Gateway service: removing the policy would also merge the route into it.
    const shape: PolicyShape = { ...ONE, gatewayService: false };
    const desired = latticeModelWith({ ...shape, extra: [iamAuthPolicy("auth", { kind: "HTTPRoute", name: "r0" })] });
    const without = latticeModelWith(shape);
    const plan = planLattice(without, applied(desired)).operations;
    expect(plan).toEqual([
      { op: "UpdateAuthType", target: { kind: "service", serviceId: ROUTE }, authType: "NONE" },
      { op: "DeleteAuthPolicy", target: { kind: "service", serviceId: ROUTE } },
    ]);
    expect(planLattice(without, applied(without, applied(desired))).operations).toEqual([]);
  });

  it("on a referenced network, an auth policy switchyard did not put is never touched", () => {
    const shape: PolicyShape = { ...ONE, network: "reference" };
    const state = applied(latticeModelWith(shape));
    const foreign: ObservedLattice = {
      ...state,
      serviceNetwork: state.serviceNetwork && { ...state.serviceNetwork, authType: "AWS_IAM" },
    };
    expect(planLattice(latticeModelWith(shape), foreign).operations).toEqual([]);
    expect(ops(planLattice(undefined, foreign).operations)).not.toContain("DeleteAuthPolicy");
    expect(ops(planLattice(undefined, foreign).operations)).not.toContain("UpdateAuthType");
  });

  it("on a referenced network, the policy switchyard put goes with the Gateway, auth type first", () => {
    const shape: PolicyShape = {
      ...ONE,
      network: "reference",
      extra: [iamAuthPolicy("net-auth", { kind: "Gateway" }), accessLogPolicy("logs", { kind: "Gateway" }, BUCKET)],
    };
    const teardown = planLattice(undefined, applied(latticeModelWith(shape))).operations;
    expect(ops(teardown).slice(0, 3)).toEqual(["UpdateAuthType", "DeleteAccessLogSubscription", "DeleteAuthPolicy"]);
    expect(teardown[0]).toMatchObject({ target: { kind: "service-network" }, authType: "NONE" });
    expect(ops(teardown)).not.toContain("DeleteServiceNetwork");
  });
});

describe("a refused policy", () => {
  const put: LatticeOperation = {
    op: "PutAuthPolicy",
    target: { kind: "service", serviceId: ROUTE },
    policy: "{}",
    source: "apps/auth",
  };
  const refusal = new LatticeOperationError("terminal", "AuthPolicyRefused", "PutAuthPolicy", "refused");

  it("is refused alone, named by its policy, so the routes still apply", () => {
    expect(LATTICE_DATA_PLANE.refusedRule(put, refusal, undefined)).toEqual({
      operation: "PutAuthPolicy",
      listenerId: ROUTE,
      route: "IAMAuthPolicy apps/auth",
      policy: "IAMAuthPolicy/apps/auth",
      code: "AuthPolicyRefused",
      message: "refused",
    });
  });

  it("keeps its resource's auth type from turning AWS_IAM, which would deny every request", () => {
    const type = (authType: "AWS_IAM" | "NONE", serviceId = ROUTE): LatticeOperation => ({
      op: "UpdateAuthType",
      target: { kind: "service", serviceId },
      authType,
    });
    expect(LATTICE_DATA_PLANE.dependsOn(type("AWS_IAM"), put)).toBe(true);
    expect(LATTICE_DATA_PLANE.dependsOn(type("NONE"), put)).toBe(false);
    expect(LATTICE_DATA_PLANE.dependsOn(type("AWS_IAM", "HTTPRoute/apps/r1"), put)).toBe(false);
  });
});

describe("access log subscriptions", () => {
  const logs = (arn: string, on: "Gateway" | "r0" = "Gateway") =>
    accessLogPolicy(`logs-${on}`, on === "Gateway" ? { kind: "Gateway" } : { kind: "HTTPRoute", name: "r0" }, arn);

  it("are created on the network and the service, tagged as this Gateway's, and converge", () => {
    const desired = latticeModelWith({ ...ONE, extra: [logs(LOG_GROUP), logs(BUCKET, "r0")] });
    const plan = planLattice(desired, emptyObservedLattice()).operations;
    const creates = plan.filter((o) => o.op === "CreateAccessLogSubscription");
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatchObject({
      destinationArn: LOG_GROUP,
      target: { kind: "service-network" },
      tags: { "switchyard.dev/gateway": "apps/net", "switchyard.dev/role": "access-log:service-network" },
    });
    expect(creates[1]).toMatchObject({
      destinationArn: BUCKET,
      target: { kind: "service", serviceId: ROUTE },
      tags: { "switchyard.dev/gateway": "apps/net", "switchyard.dev/role": `access-log:${ROUTE}` },
    });
    // The network is found before anything is put on it.
    expect(ops(plan).indexOf("FindServiceNetwork")).toBeLessThan(plan.indexOf(creates[0] as LatticeOperation));
    expect(planLattice(desired, applied(desired)).operations).toEqual([]);
  });

  it("a new destination of the same type is an update; of another type, a creation then a deletion", () => {
    const before = latticeModelWith({ ...ONE, extra: [logs(LOG_GROUP)] });
    const state = applied(before);
    const arn = state.serviceNetwork?.accessLogs?.[0]?.arn;
    const moved = latticeModelWith({ ...ONE, extra: [logs(`${LOG_GROUP}-2`)] });
    expect(planLattice(moved, state).operations).toEqual([
      {
        op: "UpdateAccessLogSubscription",
        target: { kind: "service-network" },
        arn,
        destinationArn: `${LOG_GROUP}-2`,
      },
    ]);
    const retyped = latticeModelWith({ ...ONE, extra: [logs(BUCKET)] });
    expect(ops(planLattice(retyped, state).operations)).toEqual([
      "CreateAccessLogSubscription",
      "DeleteAccessLogSubscription",
    ]);
    expect(planLattice(retyped, applied(retyped, state)).operations).toEqual([]);
  });

  it("a destination Lattice cannot send to is refused before any call, naming the field", () => {
    const sqs = "arn:aws:sqs:us-east-1:111111111111:queue";
    const policy = logs(sqs) as unknown as AccessLogPolicy;
    expect(latticePolicyProblem(policy)).toBe(
      `spec.destinationArn: ${sqs} is a sqs ARN; VPC Lattice sends access logs only to a CloudWatch Logs log group, an S3 bucket or a Firehose delivery stream`,
    );
    expect(
      latticePolicyProblem(logs("arn:aws:logs:us-east-1:111111111111:metric:x") as unknown as AccessLogPolicy),
    ).toBe(
      "spec.destinationArn: arn:aws:logs:us-east-1:111111111111:metric:x does not name a CloudWatch Logs log group (log-group:NAME)",
    );
    expect(latticePolicyProblem(logs(LOG_GROUP) as unknown as AccessLogPolicy)).toBeUndefined();
    expect(latticePolicyProblem(logs(BUCKET) as unknown as AccessLogPolicy)).toBeUndefined();
    expect(
      latticePolicyProblem(
        logs("arn:aws:firehose:us-east-1:111111111111:deliverystream/lattice") as unknown as AccessLogPolicy,
      ),
    ).toBeUndefined();
    expect(latticeModelWith({ ...ONE, extra: [logs(sqs)] }).serviceNetwork.accessLogs).toEqual([]);
  });
});

describe("the record", () => {
  it("a damaged access log subscription in a stored record is refused naming the field", () => {
    const state = applied(latticeModelWith({ ...ONE, extra: [accessLogPolicy("l", { kind: "Gateway" }, BUCKET)] }));
    expect(decodeObservedLattice(JSON.parse(JSON.stringify(state)))).toEqual(state);
    const damaged = { ...state, serviceNetwork: { ...state.serviceNetwork, accessLogs: [{ arn: 1 }] } };
    expect(() => decodeObservedLattice(damaged)).toThrow("serviceNetwork.accessLogs[0] is not a subscription");
  });
});

describe("tags", () => {
  const desired = { "switchyard.dev/role": "service:x", "switchyard.dev/cluster": "c" };

  it("only changed keys are written and only switchyard's stale keys removed; others' keys stay", () => {
    const resource = { kind: "service", serviceId: ROUTE } as const;
    expect(
      planTags(resource, desired, {
        "switchyard.dev/role": "service:x",
        "switchyard.dev/cluster": "old",
        "switchyard.dev/multi-cluster": "true",
        team: "payments",
      }),
    ).toEqual([
      { op: "TagResource", resource, tags: { "switchyard.dev/cluster": "c" } },
      { op: "UntagResource", resource, tagKeys: ["switchyard.dev/multi-cluster"] },
    ]);
    expect(planTags(resource, desired, { ...desired, team: "payments" })).toEqual([]);
    // Unknown tags (a record from before they were kept) are not guessed at.
    expect(planTags(resource, desired, undefined)).toEqual([]);
  });

  it("a service whose recorded tags differ from the model's is retagged in place, not replaced", () => {
    const model = latticeModelWith(ONE);
    const state = withService(applied(model), () => ({
      tags: { "switchyard.dev/managed-by": "switchyard", "switchyard.dev/role": "stale" },
    }));
    const plan = planLattice(model, state).operations;
    expect(ops(plan)).toEqual(["TagResource"]);
    expect(plan[0]).toMatchObject({ resource: { kind: "service", serviceId: ROUTE } });
  });
});

describe("a route with several Lattice parents", () => {
  // `other` without its Gateway service, which would merge the route too (build.test.ts covers it).
  const shape: PolicyShape = { routes: [{ paths: ["/a"] }, { paths: ["/b"] }], extra: [otherGateway(false)] };

  it("is associated with the other parent's network by the owner's service name, and only that", () => {
    const other = latticeModels({ ...shape, alsoOnOther: ["r0"] }).get("apps/other");
    const plan = planLattice(other, emptyObservedLattice()).operations;
    expect(ops(plan)).toEqual(["FindServiceNetwork", "CreateServiceAssociation"]);
    expect(plan[1]).toMatchObject({
      serviceId: ROUTE,
      serviceName: "r0-apps",
      tags: { "switchyard.dev/gateway": "apps/other", "switchyard.dev/role": `service-association:${ROUTE}` },
    });
    expect(planLattice(other, applied(other)).operations).toEqual([]);
  });

  it("the association goes when the route leaves that parent, and only when this Gateway made it", () => {
    const other = latticeModels({ ...shape, alsoOnOther: ["r0"] }).get("apps/other");
    const state = applied(other);
    const left = latticeModels(shape).get("apps/other");
    expect(ops(planLattice(left, state).operations)).toEqual(["DeleteServiceAssociation"]);
    const foreign = { ...state, serviceAssociations: state.serviceAssociations.map((a) => ({ ...a, owned: false })) };
    expect(planLattice(left, foreign).operations).toEqual([]);
  });
});
