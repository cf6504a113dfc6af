// IAMAuthPolicy, AccessLogPolicy, tags and routes with several Lattice parents, reconciled by the
// engine through the real adapter (the SDK over HTTP to the Lattice emulator, records in DynamoDB
// Local): what AWS holds afterwards, what a no-op and a drift check cost, what switchyard leaves
// alone (others' subscriptions, policies and tag keys), and faults after AWS accepted a call.
import {
  CreateAccessLogSubscriptionCommand,
  CreateServiceNetworkCommand,
  GetAuthPolicyCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  ListAccessLogSubscriptionsCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListTagsForResourceCommand,
  PutAuthPolicyCommand,
  TagResourceCommand,
  UpdateAccessLogSubscriptionCommand,
} from "@aws-sdk/client-vpc-lattice";
import { describe, expect, it } from "vitest";
import type { LatticeModel } from "../../shared/lattice/model.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { type LatticeOutcome, latticeObservationOf } from "../../shared/reconcile/lattice-plane.ts";
import { latticeControl } from "../env/clients.ts";
import {
  ALLOW_INVOKE,
  accessLogPolicy,
  BUCKET,
  iamAuthPolicy,
  LOG_GROUP,
  latticeModels,
  latticeModelWith,
  latticeStatusesWith,
  otherGateway,
  type PolicyShape,
} from "../fixtures/lattice-policies.ts";
import {
  counted,
  DRIFT_INTERVAL_MS,
  type LatticeHarness,
  latticeHarness,
  latticeSuite,
  writes,
} from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
const { harness } = suite;
const control = latticeControl;

const R0 = "HTTPRoute/apps/r0";
const WRITER = "arn:aws:logs:us-east-1:111111111111:log-group:someone-else";

/** Two routes; auth on the network and on r0; access logs on the network (logs) and r0 (S3). */
const SHAPE: PolicyShape = {
  routes: [{ paths: ["/a"] }, { paths: ["/b"] }],
  extra: [
    iamAuthPolicy("net-auth", { kind: "Gateway" }),
    iamAuthPolicy("r0-auth", { kind: "HTTPRoute", name: "r0" }),
    accessLogPolicy("net-logs", { kind: "Gateway" }, LOG_GROUP),
    accessLogPolicy("r0-logs", { kind: "HTTPRoute", name: "r0" }, BUCKET),
  ],
};
const PLAIN: PolicyShape = { routes: SHAPE.routes };

/** Applies, lets Lattice finish, and returns the settled record. */
async function created(h: LatticeHarness, desired: LatticeModel): Promise<ObservedLattice> {
  const outcome = await h.reconcile(desired);
  if (outcome.kind !== "applied") throw new Error(`expected applied, got ${JSON.stringify(outcome)}`);
  return (await h.settle(desired)).observed;
}

function arnOf(observed: ObservedLattice, id: string): string {
  const arn = observed.services.find((s) => s.id === id)?.arn;
  if (!arn) throw new Error(`no service ${id}`);
  return arn;
}

async function subscriptions(resource: string) {
  return (
    (await suite.lattice.send(new ListAccessLogSubscriptionsCommand({ resourceIdentifier: resource }))).items ?? []
  );
}

describe("IAM auth policies and access logs on the emulator", () => {
  it("are applied to the network and the route's service, and a no-op reconcile makes no call", async () => {
    const h = await harness();
    const desired = latticeModelWith(SHAPE);
    const observed = await created(h, desired);
    const network = observed.serviceNetwork?.arn ?? "";
    const service = arnOf(observed, R0);

    const auth = await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service }));
    expect(auth.state).toBe("Active");
    expect(JSON.parse(auth.policy ?? "")).toEqual(ALLOW_INVOKE);
    expect((await suite.lattice.send(new GetServiceCommand({ serviceIdentifier: service }))).authType).toBe("AWS_IAM");
    expect(
      (await suite.lattice.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network }))).authType,
    ).toBe("AWS_IAM");
    expect((await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: network }))).state).toBe("Active");
    // r1 has no IAMAuthPolicy: it stays NONE.
    expect(
      (await suite.lattice.send(new GetServiceCommand({ serviceIdentifier: arnOf(observed, "HTTPRoute/apps/r1") })))
        .authType,
    ).toBe("NONE");

    const [netLog] = await subscriptions(network);
    expect(netLog?.destinationArn).toBe(LOG_GROUP);
    expect((await subscriptions(service)).map((s) => s.destinationArn)).toEqual([BUCKET]);
    const tags = (await suite.lattice.send(new ListTagsForResourceCommand({ resourceArn: netLog?.arn }))).tags;
    expect(tags).toMatchObject({
      "switchyard.dev/gateway": "apps/net",
      "switchyard.dev/role": "access-log:service-network",
    });

    h.clock.now += 1_000;
    const noop = await counted(() => h.reconcile(desired));
    expect(noop.result.kind).toBe("unchanged");
    expect(noop.calls).toEqual([]);
  });

  it("a drift check reads each policy and subscription list once, and puts back a hand-edited policy only", async () => {
    const h = await harness();
    const desired = latticeModelWith(SHAPE);
    const observed = await created(h, desired);
    const service = arnOf(observed, R0);

    h.clock.now += DRIFT_INTERVAL_MS + 1;
    const check = await counted(() => h.reconcile(desired));
    expect(check.result.kind).toBe("unchanged");
    expect(writes(check.counts)).toEqual({});
    // 3 services (the Gateway service merging r1: r0 has its own auth and logs), 3 listeners,
    // 3 groups, 3 associations, 1 network; + 2 auth policies and 2 subscription lists (network
    // and r0), the only resources carrying what switchyard put.
    expect(check.counts).toEqual({
      GetServiceNetwork: 1,
      GetTargetGroup: 3,
      ListTargets: 3,
      GetService: 3,
      ListListeners: 3,
      ListRules: 3,
      GetServiceNetworkServiceAssociation: 3,
      GetAuthPolicy: 2,
      ListAccessLogSubscriptions: 2,
    });

    // Reformatted by hand, same meaning: nothing to write.
    const same = JSON.stringify({
      Statement: [{ ...ALLOW_INVOKE.Statement[0], Action: ["vpc-lattice-svcs:Invoke"] }],
      Version: "2012-10-17",
    });
    await suite.lattice.send(new PutAuthPolicyCommand({ resourceIdentifier: service, policy: same }));
    h.clock.now += DRIFT_INTERVAL_MS + 1;
    const reformatted = await counted(() => h.reconcile(desired));
    expect(reformatted.result.kind).toBe("unchanged");
    expect(writes(reformatted.counts)).toEqual({});

    // A different policy by hand, and the network's subscription pointed elsewhere: both undone.
    const deny = JSON.stringify({ ...ALLOW_INVOKE, Statement: [{ ...ALLOW_INVOKE.Statement[0], Effect: "Deny" }] });
    await suite.lattice.send(new PutAuthPolicyCommand({ resourceIdentifier: service, policy: deny }));
    const netLog = (await subscriptions(observed.serviceNetwork?.arn ?? ""))[0];
    await suite.lattice.send(
      new UpdateAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: netLog?.arn, destinationArn: WRITER }),
    );
    h.clock.now += DRIFT_INTERVAL_MS + 1;
    const repair = await counted(() => h.reconcile(desired));
    expect(repair.result).toMatchObject({
      kind: "applied",
      drift: true,
      operations: ["UpdateAccessLogSubscription", "PutAuthPolicy"],
    });
    expect(writes(repair.counts)).toEqual({ UpdateAccessLogSubscription: 1, PutAuthPolicy: 1 });
    expect(
      JSON.parse((await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service }))).policy ?? ""),
    ).toEqual(ALLOW_INVOKE);
  });

  it("policies removed take back only what switchyard put: others' subscriptions stay", async () => {
    const h = await harness();
    const observed = await created(h, latticeModelWith(SHAPE));
    const network = observed.serviceNetwork?.arn ?? "";
    const service = arnOf(observed, R0);
    // Someone else's Firehose subscription on the same network: not switchyard's to remove.
    const firehose = "arn:aws:firehose:us-east-1:111111111111:deliverystream/audit";
    await suite.lattice.send(
      new CreateAccessLogSubscriptionCommand({ resourceIdentifier: network, destinationArn: firehose }),
    );

    h.clock.now += 1_000;
    const removed = await counted(() => h.reconcile(latticeModelWith(PLAIN)));
    expect(removed.result.kind).toBe("applied");
    // Without its own auth and logs, r0 joins the Gateway service: its group there first, and its
    // rule once the group is ACTIVE and holds its targets (the next reconcile, below).
    expect(writes(removed.counts)).toEqual({
      UpdateServiceNetwork: 1,
      UpdateService: 1,
      DeleteAuthPolicy: 2,
      DeleteAccessLogSubscription: 2,
      CreateTargetGroup: 1,
    });
    expect(removed.result).toMatchObject({ pending: expect.stringContaining("its rules move") });
    await control().settle();
    h.clock.now += 1_000;
    const joined = await counted(() => h.reconcile(latticeModelWith(PLAIN)));
    expect(writes(joined.counts)).toEqual({ RegisterTargets: 1, CreateRule: 1, BatchUpdateRule: 1 });
    expect((await suite.lattice.send(new GetServiceCommand({ serviceIdentifier: service }))).authType).toBe("NONE");
    expect(
      (await suite.lattice.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network }))).authType,
    ).toBe("NONE");
    expect((await subscriptions(network)).map((s) => s.destinationArn)).toEqual([firehose]);
    expect(await subscriptions(service)).toEqual([]);
    h.clock.now += 1_000;
    expect((await counted(() => h.reconcile(latticeModelWith(PLAIN)))).calls).toEqual([]);
  });

  it("someone else's subscription of the same destination type is refused alone, named in status", async () => {
    const h = await harness();
    const observed = await created(h, latticeModelWith(PLAIN));
    const network = observed.serviceNetwork?.arn ?? "";
    await suite.lattice.send(
      new CreateAccessLogSubscriptionCommand({ resourceIdentifier: network, destinationArn: WRITER }),
    );
    h.clock.now += 1_000;
    // The policy arrives with a new route: the route is applied, the policy alone refused.
    const desired = latticeModelWith({
      routes: [...PLAIN.routes, { paths: ["/c"] }],
      extra: [accessLogPolicy("net-logs", { kind: "Gateway" }, LOG_GROUP)],
    });
    const outcome = await h.reconcile(desired);
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [
        {
          operation: "CreateAccessLogSubscription",
          route: "AccessLogPolicy apps/net-logs",
          code: "AccessLogDestinationTaken",
        },
      ],
    });
    if (outcome.kind !== "applied") return;
    expect(outcome.observed.services.map((s) => s.id)).toContain("HTTPRoute/apps/r2");
    expect(latticeObservationOf(outcome, desired)?.message).toContain(
      "AWS refused CreateAccessLogSubscription for AccessLogPolicy apps/net-logs (AccessLogDestinationTaken",
    );
    // Left as it was.
    expect((await subscriptions(network)).map((s) => s.destinationArn)).toEqual([WRITER]);
  });
});

describe("a policy Lattice refuses at apply time", () => {
  it("is refused alone and the service's auth type stays NONE rather than deny everything", async () => {
    const h = await harness();
    const observed = await created(h, latticeModelWith(PLAIN));
    // Over Lattice's 10 KB: translation refuses such a policy, so it is written into the model here
    // to stand for a document Lattice refuses for a reason switchyard does not check beforehand.
    const base = latticeModelWith({ ...PLAIN, extra: [iamAuthPolicy("big", { kind: "HTTPRoute", name: "r0" })] });
    const huge = JSON.stringify({ ...ALLOW_INVOKE, Id: "x".repeat(11 * 1024) });
    const desired: LatticeModel = {
      ...base,
      services: base.services.map((s) => (s.auth ? { ...s, auth: { ...s.auth, policy: huge } } : s)),
    };
    h.clock.now += 1_000;
    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result).toMatchObject({
      kind: "applied",
      failedRules: [{ operation: "PutAuthPolicy", route: "IAMAuthPolicy apps/big", code: "AuthPolicyRefused" }],
    });
    expect(counts.UpdateService).toBeUndefined();
    const service = arnOf(observed, R0);
    expect((await suite.lattice.send(new GetServiceCommand({ serviceIdentifier: service }))).authType).toBe("NONE");
  });
});

describe("a policy AWS refuses after accepting the Gateway's earlier calls", () => {
  it("says so on the policy's own status with AWS's error, the Gateway's status as precise as before", async () => {
    const h = await harness();
    await created(h, latticeModelWith(SHAPE));
    // The route's policy changes; AWS, which took every call so far, refuses the new document.
    const changed: PolicyShape = {
      ...SHAPE,
      extra: (SHAPE.extra ?? []).map((p) =>
        (p.metadata as { name: string }).name === "r0-auth"
          ? iamAuthPolicy("r0-auth", { kind: "HTTPRoute", name: "r0" }, { ...ALLOW_INVOKE, Id: "changed" })
          : p,
      ),
    };
    const desired = latticeModelWith(changed);
    await control().injectFault({
      operation: "PutAuthPolicy",
      error: "ValidationException",
      message: "Policy document is not valid for this resource",
    });
    h.clock.now += 1_000;
    const outcome = await h.reconcile(desired);
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [{ operation: "PutAuthPolicy", policy: "IAMAuthPolicy/apps/r0-auth", code: "AuthPolicyRefused" }],
    });
    const observation = latticeObservationOf(outcome, desired);
    if (!observation) throw new Error("an applied outcome is observed");
    const statuses = latticeStatusesWith(changed, observation);
    const conditionsOf = (kind: string, name: string) =>
      statuses.flatMap((s) =>
        s.kind === kind && "status" in s && s.name === name ? s.status.ancestors.flatMap((a) => a.conditions) : [],
      );
    expect(conditionsOf("IAMAuthPolicy", "r0-auth")).toEqual([
      expect.objectContaining({
        type: "Accepted",
        status: "False",
        reason: "Invalid",
        message: expect.stringMatching(
          new RegExp(
            `^VPC Lattice refused PutAuthPolicy on ${R0}: AuthPolicyRefused: .*Policy document is not valid for this resource$`,
          ),
        ),
      }),
    ]);
    expect(conditionsOf("IAMAuthPolicy", "net-auth")).toEqual([expect.objectContaining({ status: "True" })]);
    const gateway = statuses.find((s) => s.kind === "Gateway" && "conditions" in s && s.name === "net");
    const programmed =
      gateway && "conditions" in gateway ? gateway.conditions.find((c) => c.type === "Programmed") : undefined;
    expect(programmed?.message).toMatch(
      /AWS refused PutAuthPolicy for IAMAuthPolicy apps\/r0-auth \(AuthPolicyRefused: .*Policy document is not valid for this resource\)/,
    );
    // What AWS holds is the policy it accepted before.
    if (outcome.kind !== "applied") return;
    const service = arnOf(outcome.observed, R0);
    const held = await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service }));
    expect(JSON.parse(held.policy ?? "")).toEqual(ALLOW_INVOKE);

    // Once AWS takes it, the next reconcile puts it and the policy is Accepted again.
    h.clock.now += 1_000;
    const again = await h.reconcile(desired);
    expect(again).toMatchObject({ kind: "applied", operations: ["PutAuthPolicy"] });
    const accepted = latticeStatusesWith(changed, latticeObservationOf(again, desired) ?? { programmed: false });
    expect(
      accepted.flatMap((s) =>
        s.kind === "IAMAuthPolicy" && "status" in s && s.name === "r0-auth"
          ? s.status.ancestors.flatMap((a) => a.conditions.map((c) => c.status))
          : [],
      ),
    ).toEqual(["True"]);
    expect(
      JSON.parse((await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service }))).policy ?? ""),
    ).toEqual({ ...ALLOW_INVOKE, Id: "changed" });
  });
});

describe("faults after AWS accepted the call", () => {
  it("a PutAuthPolicy whose answer was lost converges on the next attempt with one policy", async () => {
    const h = await harness(1);
    const desired = latticeModelWith(SHAPE);
    await control().injectFault({ operation: "PutAuthPolicy", error: "InternalServerException", when: "after" });
    const failed = await h.reconcile(desired);
    expect(failed).toMatchObject({ kind: "failed", retryable: true, error: { operation: "PutAuthPolicy" } });
    const busy = await h.reconcile(desired);
    if (busy.kind !== "busy" || busy.until === undefined) throw new Error("expected busy until a moment");
    h.clock.now = busy.until + 1;
    const outcome = await h.reconcile(desired);
    expect(outcome.kind).toBe("applied");
    const settled = await h.settle(desired);
    const service = arnOf(settled.observed, R0);
    expect((await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service }))).state).toBe("Active");
    h.clock.now += 1_000;
    expect((await counted(() => h.reconcile(desired))).calls).toEqual([]);
  });

  it("a CreateAccessLogSubscription whose answer was lost is found by its tags: no duplicate, and then a no-op", async () => {
    const h = await harness(1);
    const desired = latticeModelWith(SHAPE);
    await control().injectFault({
      operation: "CreateAccessLogSubscription",
      error: "InternalServerException",
      when: "after",
    });
    const failed = await h.reconcile(desired);
    expect(failed).toMatchObject({
      kind: "failed",
      retryable: true,
      error: { operation: "CreateAccessLogSubscription" },
    });
    const busy = await h.reconcile(desired);
    if (busy.kind !== "busy" || busy.until === undefined) throw new Error("expected busy until a moment");
    h.clock.now = busy.until + 1;
    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    // Discovery read the subscriptions' tags: the one AWS kept is this Gateway's, not created again.
    expect(counts.ListAccessLogSubscriptions).toBeGreaterThanOrEqual(1);
    expect(writes(counts).CreateAccessLogSubscription).toBe(1);
    if (result.kind !== "applied") return;
    const network = result.observed.serviceNetwork?.arn ?? "";
    expect((await subscriptions(network)).map((s) => s.destinationArn)).toEqual([LOG_GROUP]);
    expect((await subscriptions(arnOf(result.observed, R0))).map((s) => s.destinationArn)).toEqual([BUCKET]);
    await h.settle(desired);
    h.clock.now += 1_000;
    expect((await counted(() => h.reconcile(desired))).calls).toEqual([]);
  });

  it("a referenced network's subscription whose answer was lost, out of discovery's sight, is adopted by its tags", async () => {
    // Discovery finds a referenced network only through this Gateway's associations, made later in
    // the plan than the network's subscriptions: the retry meets the subscription as a conflict.
    await suite.lattice.send(new CreateServiceNetworkCommand({ name: "shared" }));
    const h = await harness(1);
    const shape: PolicyShape = {
      ...PLAIN,
      network: "reference",
      networkName: "shared",
      extra: [accessLogPolicy("net-logs", { kind: "Gateway" }, LOG_GROUP)],
    };
    const desired = latticeModelWith(shape);
    await control().injectFault({
      operation: "CreateAccessLogSubscription",
      error: "InternalServerException",
      when: "after",
    });
    expect(await h.reconcile(desired)).toMatchObject({ kind: "failed", retryable: true });
    const busy = await h.reconcile(desired);
    if (busy.kind !== "busy" || busy.until === undefined) throw new Error("expected busy until a moment");
    h.clock.now = busy.until + 1;
    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    // Refused as taken, then read back: its tags say it is this Gateway's, so it is recorded.
    expect(counts.CreateAccessLogSubscription).toBe(1);
    expect(counts.ListAccessLogSubscriptions).toBe(1);
    if (result.kind !== "applied") return;
    const network = result.observed.serviceNetwork?.arn ?? "";
    expect((await subscriptions(network)).map((s) => s.destinationArn)).toEqual([LOG_GROUP]);
    expect(result.observed.serviceNetwork?.accessLogs).toEqual([
      { arn: (await subscriptions(network))[0]?.arn, destinationArn: LOG_GROUP },
    ]);
    await h.settle(desired);
    // And it goes with the Gateway, the network staying.
    h.clock.now += 1_000;
    await h.reconcile(undefined);
    expect(await subscriptions(network)).toEqual([]);
  });

  it("with the SDK's own retries, the retried create carries the same client token: the same subscription", async () => {
    const h = await harness();
    await control().injectFault({
      operation: "CreateAccessLogSubscription",
      error: "InternalServerException",
      when: "after",
    });
    const desired = latticeModelWith(SHAPE);
    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    // Two subscriptions, one retried: Lattice answers the retry with the subscription it made.
    expect(counts.CreateAccessLogSubscription).toBe(3);
    if (result.kind !== "applied") return;
    expect(await subscriptions(result.observed.serviceNetwork?.arn ?? "")).toHaveLength(1);
    expect(result.observed.serviceNetwork?.accessLogs).toEqual([
      { arn: expect.stringContaining(":accesslogsubscription/als-"), destinationArn: LOG_GROUP },
    ]);
  });
});

describe("tags of resources switchyard owns", () => {
  it("a changed ownership tag is rewritten in place; others' keys on the resource stay", async () => {
    const h = await harness();
    const desired = latticeModelWith(PLAIN);
    const observed = await created(h, desired);
    const service = arnOf(observed, R0);
    await suite.lattice.send(new TagResourceCommand({ resourceArn: service, tags: { team: "payments" } }));
    const retagged: LatticeModel = {
      ...desired,
      services: desired.services.map((s) =>
        s.id === R0 ? { ...s, tags: { ...s.tags, "switchyard.dev/cluster": "renamed" } } : s,
      ),
    };
    h.clock.now += 1_000;
    const { result, counts } = await counted(() => h.reconcile(retagged));
    expect(result).toMatchObject({ kind: "applied", operations: ["TagResource"] });
    expect(writes(counts)).toEqual({ TagResource: 1 });
    const tags = (await suite.lattice.send(new ListTagsForResourceCommand({ resourceArn: service }))).tags;
    expect(tags).toMatchObject({ team: "payments", "switchyard.dev/cluster": "renamed" });
  });
});

/** A harness for Gateway apps/other, sharing nothing with apps/net but the emulator. */
function otherHarness(): Promise<LatticeHarness> {
  return latticeHarness(suite.dynamo, suite.factory(), { gateway: "other" });
}

/**
 * A reconcile and the queue's retries of it while it fails retryably (at most three), Lattice
 * finishing what it has in progress in between, as its redeliveries would find it.
 */
async function retried(h: LatticeHarness, desired: LatticeModel | undefined): Promise<LatticeOutcome> {
  let outcome = await h.reconcile(desired);
  for (let retry = 0; retry < 3 && outcome.kind === "failed" && outcome.retryable; retry++) {
    await control().settle();
    h.clock.now += 60_000;
    outcome = await h.reconcile(desired);
  }
  return outcome;
}

describe("a route with two Lattice parents", () => {
  // `other` without a Gateway service: these tests follow the route's one service across parents.
  const SHARED: PolicyShape = { routes: [{ paths: ["/a"] }], extra: [otherGateway(false)], alsoOnOther: ["r0"] };

  it("its service joins both parents' networks; leaving one parent removes only that Gateway's association", async () => {
    const net = await harness();
    const other = await otherHarness();
    const models = latticeModels(SHARED);
    // The other parent first: the service does not exist yet, a retryable failure, not a crash.
    const early = await other.reconcile(models.get("apps/other"));
    expect(early).toMatchObject({ kind: "failed", retryable: true, error: { code: "ServiceNotFound" } });

    const owned = await created(net, models.get("apps/net") as LatticeModel);
    const service = arnOf(owned, R0);
    await control().settle();
    other.clock.now += 60_000;
    const joined = await other.reconcile(models.get("apps/other"));
    expect(joined.kind).toBe("applied");
    const associations = async () =>
      (
        (await suite.lattice.send(new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service })))
          .items ?? []
      )
        .filter((a) => a.status !== "DELETE_IN_PROGRESS")
        .map((a) => a.serviceNetworkName)
        .sort();
    expect(await associations()).toEqual(["net", "other-net"]);

    other.clock.now += 60_000;
    const left = await counted(() => other.reconcile(latticeModels({ ...SHARED, alsoOnOther: [] }).get("apps/other")));
    expect(writes(left.counts)).toEqual({ DeleteServiceNetworkServiceAssociation: 1 });
    await control().settle();
    expect(await associations()).toEqual(["net"]);
  });

  it("a hostname change replaces the shared service: both parents converge on the new one, retries only", async () => {
    const net = await harness();
    const other = await otherHarness();
    const named = (hostname: string) => latticeModels({ ...SHARED, routes: [{ paths: ["/a"], hostname }] });
    const before = named("a.example.com");
    const oldService = arnOf(await created(net, before.get("apps/net") as LatticeModel), R0);
    other.clock.now += 60_000;
    expect((await other.reconcile(before.get("apps/other"))).kind).toBe("applied");
    await control().settle();
    const associated = async (service: string) =>
      (
        (await suite.lattice.send(new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service })))
          .items ?? []
      )
        .filter((a) => a.status !== "DELETE_IN_PROGRESS")
        .map((a) => a.serviceNetworkName)
        .sort();
    expect(await associated(oldService)).toEqual(["net", "other-net"]);

    // The route's hostname changes: both Gateways are asked to reconcile (the route is on both).
    const after = named("b.example.com");
    // The owner first: Lattice deletes no service still associated with the other network.
    net.clock.now += 60_000;
    const blocked = await net.reconcile(after.get("apps/net"));
    expect(blocked).toMatchObject({ kind: "failed", retryable: true, error: { operation: "DeleteService" } });
    await control().settle();
    expect(await associated(oldService)).toEqual(["other-net"]);
    // The other parent lets go of the old service and waits for the new one: a retryable failure.
    other.clock.now += 60_000;
    const waiting = await counted(() => other.reconcile(after.get("apps/other")));
    expect(waiting.result).toMatchObject({
      kind: "failed",
      retryable: true,
      error: { code: "SharedServiceReplaced" },
    });
    expect(writes(waiting.counts)).toEqual({ DeleteServiceNetworkServiceAssociation: 1 });
    await control().settle();
    // The owner's retry replaces the service; the other's retry associates the new one.
    net.clock.now += 60_000;
    const replaced = await retried(net, after.get("apps/net"));
    expect(replaced.kind).toBe("applied");
    if (replaced.kind !== "applied") return;
    const newService = arnOf(replaced.observed, R0);
    expect(newService).not.toBe(oldService);
    await control().settle();
    other.clock.now += 60_000;
    const joined = await counted(() => other.reconcile(after.get("apps/other")));
    expect(joined.result.kind).toBe("applied");
    expect(writes(joined.counts)).toEqual({ CreateServiceNetworkServiceAssociation: 1 });
    await control().settle();
    expect(await associated(newService)).toEqual(["net", "other-net"]);
    // And then nothing more to do on either side.
    net.clock.now += 1_000;
    other.clock.now += 1_000;
    expect((await net.reconcile(after.get("apps/net"))).kind).toBe("unchanged");
    expect((await other.reconcile(after.get("apps/other"))).kind).toBe("unchanged");
  });

  it("the other parent first: it lets go before the owner replaces, and both converge the same way", async () => {
    const net = await harness();
    const other = await otherHarness();
    const named = (hostname: string) => latticeModels({ ...SHARED, routes: [{ paths: ["/a"], hostname }] });
    const before = named("a.example.com");
    await created(net, before.get("apps/net") as LatticeModel);
    other.clock.now += 60_000;
    expect((await other.reconcile(before.get("apps/other"))).kind).toBe("applied");
    await control().settle();

    const after = named("b.example.com");
    other.clock.now += 60_000;
    expect(await other.reconcile(after.get("apps/other"))).toMatchObject({
      kind: "failed",
      retryable: true,
      error: { code: "SharedServiceReplaced" },
    });
    await control().settle();
    net.clock.now += 60_000;
    const replaced = await retried(net, after.get("apps/net"));
    expect(replaced.kind).toBe("applied");
    await control().settle();
    other.clock.now += 60_000;
    expect((await other.reconcile(after.get("apps/other"))).kind).toBe("applied");
    await control().settle();
    if (replaced.kind !== "applied") return;
    const service = arnOf(replaced.observed, R0);
    const names = (
      (await suite.lattice.send(new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service })))
        .items ?? []
    )
      .map((a) => a.serviceNetworkName)
      .sort();
    expect(names).toEqual(["net", "other-net"]);
  });
});
