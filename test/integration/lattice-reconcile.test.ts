// The Lattice data plane reconciled by the engine through the real adapter: the SDK over HTTP to the
// Lattice emulator, records in DynamoDB Local. Each test starts from an empty emulator and counts
// the Lattice calls a reconcile makes on the emulator's own call log.
import {
  CreateServiceNetworkCommand,
  DeleteRuleCommand,
  GetRuleCommand,
  ListRulesCommand,
  ListServiceNetworksCommand,
  ListServicesCommand,
  ListTargetGroupsCommand,
  paginateListTargets,
  UpdateRuleCommand,
  VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { beforeEach, describe, expect, it } from "vitest";
import { gatewayServiceName } from "../../shared/lattice/gateway-service.ts";
import type { LatticeModel } from "../../shared/lattice/model.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { type LatticeOutcome, latticeObservationOf } from "../../shared/reconcile/lattice-plane.ts";
import { latticeControl, latticeSettings } from "../env/clients.ts";
import { addresses, type LatticeGatewayShape, latticeModel } from "../fixtures/lattice-gateway.ts";
import {
  ACCOUNT,
  CLUSTER,
  counted,
  DRIFT_INTERVAL_MS,
  type LatticeHarness,
  latticeHarness,
  latticeSuite,
  writes,
} from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
/** The Gateway service's name for Gateway apps/net of cluster `test`. */
const GATEWAY_SERVICE = gatewayServiceName(CLUSTER, "apps", "net");
const GATEWAY_ID = "Gateway/apps/net";
let h: LatticeHarness;

const control = latticeControl;

beforeEach(async () => {
  h = await suite.harness();
});

/**
 * Five routes of one to three exact paths each: 5 services, 5 listeners, 10 rules, 5 groups; and
 * the Gateway service merging the four without a hostname: 1 service, 1 listener, 8 rules, 4 groups.
 */
const FIVE: LatticeGatewayShape = {
  routes: [
    { paths: ["/a", "/a2"] },
    { paths: ["/b"] },
    { paths: ["/c", "/c2", "/c3"] },
    { paths: ["/d", "/d2"] },
    { paths: ["/e", "/e2"], hostname: "e.example.com" },
  ],
};

async function services() {
  return (await suite.lattice.send(new ListServicesCommand({}))).items ?? [];
}

async function rulesOf(observed: ObservedLattice, serviceId: string) {
  const service = observed.services.find((s) => s.id === serviceId);
  const listener = service?.listeners[0];
  if (!service || !listener) throw new Error(`no listener for ${serviceId}`);
  const items = (
    await suite.lattice.send(new ListRulesCommand({ serviceIdentifier: service.arn, listenerIdentifier: listener.arn }))
  ).items;
  return (items ?? []).filter((r) => !r.isDefault);
}

/** Reconciles until the outcome is not a retryable failure, letting Lattice finish in between. */
async function converge(desired: LatticeModel | undefined): Promise<LatticeOutcome> {
  let outcome = await h.reconcile(desired);
  for (let attempt = 0; outcome.kind === "failed" && outcome.retryable && attempt < 5; attempt++) {
    await control().settle();
    h.clock.now += 1_000;
    outcome = await h.reconcile(desired);
  }
  return outcome;
}

/** Creates FIVE and lets every asynchronous transition complete. */
async function created(shape: LatticeGatewayShape = FIVE): Promise<ObservedLattice> {
  const outcome = await h.reconcile(latticeModel(shape));
  expect(outcome.kind).toBe("applied");
  await control().settle();
  h.clock.now += 1_000;
  // The record still says CREATE_IN_PROGRESS: this reconcile re-reads just that, finds the groups
  // ACTIVE and registers their targets (Lattice refuses them while it creates a group).
  const settled = await h.reconcile(latticeModel(shape));
  if (settled.kind !== "applied" || settled.operations.some((op) => op !== "RegisterTargets")) {
    throw new Error(`expected only the targets registered, got ${JSON.stringify(settled)}`);
  }
  return settled.observed;
}

describe("Lattice reconcile through the emulator", () => {
  it("creates the network, services, listeners, rules, groups, targets and associations, and status publishes the address service's DNS name", async () => {
    const desired = latticeModel(FIVE);
    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    expect(writes(counts)).toEqual({
      CreateServiceNetwork: 1,
      CreateTargetGroup: 9,
      CreateService: 6,
      CreateListener: 6,
      CreateRule: 18,
      CreateServiceNetworkServiceAssociation: 6,
    });
    const listed = await services();
    expect(listed.map((s) => s.name).sort()).toEqual([
      GATEWAY_SERVICE,
      "r0-apps",
      "r1-apps",
      "r2-apps",
      "r3-apps",
      "r4-apps",
    ]);
    const groups = (await suite.lattice.send(new ListTargetGroupsCommand({}))).items ?? [];
    expect(groups).toHaveLength(9);

    // Lattice is still creating: Programmed waits; the address is already the Gateway service's DNS name.
    if (result.kind !== "applied") throw new Error("unreachable");
    const web = result.observed.services.find((s) => s.id === desired.addressService);
    expect(desired.addressService).toBe("Gateway/apps/net");
    expect(web?.dnsName).toMatch(
      /^gw-net-apps-c1af545e-[0-9a-f]{17}\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws$/,
    );
    const pending = latticeObservationOf(result, desired);
    expect(pending).toMatchObject({ programmed: false, address: web?.dnsName });
    expect(pending?.message).toContain("waiting until");

    expect(pending?.message).toContain("next: target group");

    await control().settle();
    h.clock.now += 1_000;
    const refreshed = await counted(() => h.reconcile(desired));
    // Only what was still being created is read again (the six services and nine groups), and the
    // groups, ACTIVE now, take their targets: Lattice refuses them while it creates a group.
    expect(refreshed.result.kind).toBe("applied");
    expect(writes(refreshed.counts)).toEqual({ RegisterTargets: 9 });
    expect(refreshed.counts.GetService).toBe(6);
    expect(latticeObservationOf(refreshed.result, desired)).toMatchObject({ programmed: true, address: web?.dnsName });
    h.clock.now += 1_000;
    const after = await counted(() => h.reconcile(desired));
    expect(after.result.kind).toBe("unchanged");
    expect(after.calls).toEqual([]);
  });

  it("a no-op reconcile makes no Lattice call at all", async () => {
    await created();
    h.clock.now += 1_000;
    const { result, calls } = await counted(() => h.reconcile(latticeModel(FIVE)));
    expect(result.kind).toBe("unchanged");
    expect(calls).toEqual([]);
  });

  it("a drift check reads O(services + listeners): no rule is read again unless it changed, and a deleted rule is repaired", async () => {
    const observed = await created();
    h.clock.now += DRIFT_INTERVAL_MS + 1;
    const check = await counted(() => h.reconcile(latticeModel(FIVE)));
    expect(check.result.kind).toBe("unchanged");
    expect(writes(check.counts)).toEqual({});
    // 6 services (the Gateway service among them), 6 listeners, 9 groups, 6 associations, 1 network.
    expect(check.counts).toEqual({
      GetServiceNetwork: 1,
      GetTargetGroup: 9,
      ListTargets: 9,
      GetService: 6,
      ListListeners: 6,
      ListRules: 6,
      GetServiceNetworkServiceAssociation: 6,
    });

    // Someone deletes a rule by hand: the next drift check puts it back, and only it.
    const victim = (await rulesOf(observed, "HTTPRoute/apps/r2"))[1];
    const service = observed.services.find((s) => s.id === "HTTPRoute/apps/r2");
    await suite.lattice.send(
      new DeleteRuleCommand({
        serviceIdentifier: service?.arn,
        listenerIdentifier: service?.listeners[0]?.arn,
        ruleIdentifier: victim?.arn,
      }),
    );
    h.clock.now += DRIFT_INTERVAL_MS + 1;
    const repair = await counted(() => h.reconcile(latticeModel(FIVE)));
    expect(repair.result).toMatchObject({ kind: "applied", drift: true, operations: ["CreateRule"] });
    expect(writes(repair.counts)).toEqual({ CreateRule: 1 });
    // Someone edits a rule's match by hand: its lastUpdatedAt moved, so it alone is read again and put back.
    const edited = (await rulesOf(observed, "HTTPRoute/apps/r0"))[0];
    const r0 = observed.services.find((s) => s.id === "HTTPRoute/apps/r0");
    await suite.lattice.send(
      new UpdateRuleCommand({
        serviceIdentifier: r0?.arn,
        listenerIdentifier: r0?.listeners[0]?.arn,
        ruleIdentifier: edited?.arn,
        match: { httpMatch: { pathMatch: { match: { exact: "/hijacked" }, caseSensitive: true } } },
      }),
    );
    h.clock.now += DRIFT_INTERVAL_MS + 1;
    const fixed = await counted(() => h.reconcile(latticeModel(FIVE)));
    expect(fixed.result).toMatchObject({ kind: "applied", drift: true, operations: ["UpdateRules"] });
    expect(fixed.counts.GetRule).toBe(1);
    expect(writes(fixed.counts)).toEqual({ BatchUpdateRule: 1 });

    const repaired = new Map((await rulesOf(observed, "HTTPRoute/apps/r2")).map((r) => [r.name, r.priority]));
    const wanted = latticeModel(FIVE).services.find((s) => s.id === "HTTPRoute/apps/r2")?.listeners[0]?.rules ?? [];
    expect(wanted).toHaveLength(3);
    expect(repaired).toEqual(new Map(wanted.map((r) => [r.id, r.priority])));
  });

  it("one changed rule costs one write (a BatchUpdateRule), and a rule inserted ahead of nine costs two, not O(R²)", async () => {
    // Per-route services alone: the Gateway service would take the same writes once more.
    const shape = (first: string[]): LatticeGatewayShape => ({
      gatewayService: false,
      routes: [{ paths: first }, { paths: ["/b"] }],
    });
    const nine = Array.from({ length: 9 }, (_, i) => `/p${i}`);
    await created(shape(nine));
    h.clock.now += 1_000;

    const changed = [...nine];
    changed[4] = "/changed";
    const one = await counted(() => h.reconcile(latticeModel(shape(changed))));
    expect(one.result).toMatchObject({ kind: "applied", operations: ["UpdateRules"] });
    expect(writes(one.counts)).toEqual({ BatchUpdateRule: 1 });

    // A new first match moves every rule by one: one create at a free priority, one batch.
    h.clock.now += 1_000;
    const inserted = ["/first", ...changed];
    const moved = await counted(() => h.reconcile(latticeModel(shape(inserted))));
    expect(moved.result.kind).toBe("applied");
    expect(writes(moved.counts)).toEqual({ CreateRule: 1, BatchUpdateRule: 1 });
    if (moved.result.kind !== "applied") throw new Error("unreachable");
    const rules = await rulesOf(moved.result.observed, "HTTPRoute/apps/r0");
    const desired = latticeModel(shape(inserted)).services.find((s) => s.id === "HTTPRoute/apps/r0");
    expect(new Map(rules.map((r) => [r.name, r.priority]))).toEqual(
      new Map(desired?.listeners[0]?.rules.map((r) => [r.id, r.priority])),
    );

    // And from there nothing is left to do.
    h.clock.now += 1_000;
    const after = await counted(() => h.reconcile(latticeModel(shape(inserted))));
    expect(after.calls).toEqual([]);
  });

  it("a route moved to another Service keeps forwarding to its old group until the new one is ACTIVE and holds its targets", async () => {
    const shape = (backend?: "web"): LatticeGatewayShape => ({
      routes: [{ paths: ["/a"], ...(backend ? { backend } : {}) }, { paths: ["/b"] }],
    });
    const observed = await created(shape());
    const oldGroup = observed.targetGroups.find((g) => g.id.startsWith("HTTPRoute/apps/r0|"));
    h.clock.now += 1_000;

    // Lattice is still creating the new group (it refuses targets until ACTIVE): only the creation.
    const moving = await counted(() => h.reconcile(latticeModel(shape("web"))));
    expect(moving.result).toMatchObject({ kind: "applied", pending: expect.stringContaining("its rules move") });
    // Two new groups: the route service's, and the Gateway service's for r0's rules there.
    expect(writes(moving.counts)).toEqual({ CreateTargetGroup: 2 });
    if (moving.result.kind !== "applied") throw new Error("unreachable");
    // What Lattice holds (GetRule), not what the record says.
    const forwarded = async (o: ObservedLattice) => {
      const service = o.services.find((s) => s.id === "HTTPRoute/apps/r0");
      const ids = { serviceIdentifier: service?.arn, listenerIdentifier: service?.listeners[0]?.arn };
      const rules = await rulesOf(o, "HTTPRoute/apps/r0");
      return Promise.all(
        rules.map(
          async (r) =>
            (await suite.lattice.send(new GetRuleCommand({ ...ids, ruleIdentifier: r.arn }))).action?.forward
              ?.targetGroups?.[0]?.targetGroupIdentifier,
        ),
      );
    };
    expect(await forwarded(moving.result.observed)).toEqual([oldGroup?.arn.split("/").at(-1)]);

    // Once it is ACTIVE: its targets, then the rule, then the old group goes.
    await control().settle();
    h.clock.now += 1_000;
    const moved = await counted(() => h.reconcile(latticeModel(shape("web"))));
    expect(moved.result).toMatchObject({
      kind: "applied",
      operations: [
        "RegisterTargets",
        "RegisterTargets",
        "UpdateRules",
        "UpdateRules",
        "DeleteTargetGroup",
        "DeleteTargetGroup",
      ],
    });
    expect(moved.result).not.toHaveProperty("pending");
    if (moved.result.kind !== "applied") throw new Error("unreachable");
    const web = moved.result.observed.targetGroups.find((g) => g.id.startsWith("HTTPRoute/apps/r0|"));
    expect(web?.targets.map((t) => t.id).sort()).toEqual(["10.1.0.1", "10.1.0.2"]);
    expect(await forwarded(moved.result.observed)).toEqual([web?.arn.split("/").at(-1)]);
  });

  it("100 endpoint changes cost one RegisterTargets and one DeregisterTargets", async () => {
    // One group (no Gateway service, whose own group of the same endpoints would take the same calls).
    const shape = (endpoints: string[]): LatticeGatewayShape => ({
      gatewayService: false,
      routes: [{ paths: ["/"], backend: "web" }],
      webEndpoints: endpoints,
    });
    const before = addresses(150);
    await created(shape(before));
    h.clock.now += 1_000;
    // 100 of 150 endpoints replaced: 100 new addresses, 100 gone.
    const after = [...before.slice(100), ...addresses(100, 1000)];
    const churn = await counted(() => h.reconcile(latticeModel(shape(after))));
    expect(churn.result).toMatchObject({ kind: "applied", operations: ["RegisterTargets", "DeregisterTargets"] });
    expect(churn.counts).toEqual({ RegisterTargets: 1, DeregisterTargets: 1 });
    if (churn.result.kind !== "applied") throw new Error("unreachable");
    const tg = churn.result.observed.targetGroups[0];
    await control().settle();
    const registered: string[] = [];
    for await (const page of paginateListTargets({ client: suite.lattice }, { targetGroupIdentifier: tg?.arn })) {
      registered.push(...(page.items ?? []).map((t) => t.id ?? ""));
    }
    expect(registered.sort()).toEqual([...after].sort());
  });

  it("a Gateway deleted takes everything it owns, the network it created included", async () => {
    await created();
    h.clock.now += 1_000;
    const { result, counts } = await counted(() => h.reconcile(undefined));
    expect(result.kind).toBe("deleted");
    expect(writes(counts)).toEqual({
      DeleteServiceNetworkServiceAssociation: 6,
      DeleteService: 6,
      DeleteTargetGroup: 9,
      DeleteServiceNetwork: 1,
    });
    await control().settle();
    expect(await services()).toEqual([]);
    expect((await suite.lattice.send(new ListTargetGroupsCommand({}))).items ?? []).toEqual([]);
    expect((await suite.lattice.send(new ListServiceNetworksCommand({}))).items ?? []).toEqual([]);
  });

  it("a referenced network is found, used and never deleted; a missing one is a status, not a crash", async () => {
    const shape: LatticeGatewayShape = { routes: [{ paths: ["/a"] }], network: "reference", networkName: "shared" };
    const missing = await h.reconcile(latticeModel(shape));
    expect(missing).toMatchObject({ kind: "failed", retryable: false, error: { code: "ServiceNetworkNotFound" } });
    expect(latticeObservationOf(missing, latticeModel(shape))?.message).toContain(
      "service network shared does not exist",
    );

    await suite.lattice.send(new CreateServiceNetworkCommand({ name: "shared" }));
    h.clock.now += 1_000;
    expect((await h.reconcile(latticeModel(shape))).kind).toBe("applied");
    h.clock.now += 1_000;
    const { counts } = await counted(() => h.reconcile(undefined));
    expect(counts.DeleteServiceNetwork).toBeUndefined();
    expect(((await suite.lattice.send(new ListServiceNetworksCommand({}))).items ?? []).map((n) => n.name)).toEqual([
      "shared",
    ]);
  });

  it("a network another account shares through RAM is used by ARN, associated with, and left to its owner", async () => {
    const owner = { accessKeyId: "AKIALATTICEOWNERB000", secretAccessKey: "secret" };
    await control().mapAccounts({ [owner.accessKeyId]: "222222222222" });
    const other = new VPCLatticeClient({ ...latticeSettings(owner), maxAttempts: 1 });
    try {
      const shared = await other.send(new CreateServiceNetworkCommand({ name: "mesh" }));
      await control().share(shared.arn ?? "", [ACCOUNT]);
      const shape: LatticeGatewayShape = { routes: [{ paths: ["/a"] }], network: "reference", networkName: shared.arn };
      const outcome = await h.reconcile(latticeModel(shape));
      expect(outcome.kind).toBe("applied");
      if (outcome.kind !== "applied") throw new Error("unreachable");
      expect(outcome.observed.serviceNetwork).toMatchObject({ arn: shared.arn, created: false });
      // The route's service and the Gateway service.
      expect(outcome.observed.serviceAssociations).toMatchObject([{ owned: true }, { owned: true }]);
      await control().settle();
      // The record is lost (a new table): discovery by tags finds the service, its group and the
      // association this Gateway made with a network it does not own, and deletes them.
      h = await latticeHarness(suite.dynamo, h.factory);
      // Lattice deletes the association (and then the service) asynchronously: what depends on it is
      // refused as busy until it is gone, and the next attempt, planned from the record, goes on.
      const { result, counts } = await counted(() => converge(undefined));
      expect(result.kind).toBe("deleted");
      // Only deletions of this Gateway's own resources, each retried while Lattice was still busy.
      expect(Object.keys(writes(counts)).sort()).toEqual([
        "DeleteService",
        "DeleteServiceNetworkServiceAssociation",
        "DeleteTargetGroup",
      ]);
      await control().settle();
      expect(((await other.send(new ListServiceNetworksCommand({}))).items ?? []).map((n) => n.arn)).toEqual([
        shared.arn,
      ]);
    } finally {
      other.destroy();
    }
  });

  it("the Gateway service merges both hostname-less routes, is the address, and follows route changes and deletions", async () => {
    const shape = (routes: LatticeGatewayShape["routes"]): LatticeGatewayShape => ({ routes });
    const two = shape([{ paths: ["/a"] }, { paths: ["/b"] }]);
    const observed = await created(two);
    const desired = latticeModel(two);
    const merged = desired.services.find((s) => s.id === GATEWAY_ID);
    expect(merged?.listeners[0]?.rules.map((r) => r.source.route)).toEqual(["HTTPRoute/apps/r0", "HTTPRoute/apps/r1"]);
    // In the emulator: the Gateway service holds both routes' rules, by the model's ids and priorities.
    const rules = await rulesOf(observed, GATEWAY_ID);
    expect(new Map(rules.map((r) => [r.name, r.priority]))).toEqual(
      new Map(merged?.listeners[0]?.rules.map((r) => [r.id, r.priority])),
    );
    // The status address is the Gateway service's DNS name.
    h.clock.now += 1_000;
    const steady = await h.reconcile(desired);
    const gatewayService = observed.services.find((s) => s.id === GATEWAY_ID);
    expect(gatewayService?.name).toBe(GATEWAY_SERVICE);
    expect(gatewayService?.dnsName).toBeDefined();
    expect(latticeObservationOf(steady, desired)?.address).toBe(gatewayService?.dnsName);

    // r1's path changes: one rule in its own service, one in the Gateway service; r0's rule untouched.
    h.clock.now += 1_000;
    const r0Before = rules.find((r) => r.name === merged?.listeners[0]?.rules[0]?.id);
    const changed = shape([{ paths: ["/a"] }, { paths: ["/c"] }]);
    const change = await counted(() => h.reconcile(latticeModel(changed)));
    expect(change.result).toMatchObject({ kind: "applied", operations: ["UpdateRules", "UpdateRules"] });
    expect(writes(change.counts)).toEqual({ BatchUpdateRule: 2 });
    const afterChange = await rulesOf(observed, GATEWAY_ID);
    expect(afterChange.find((r) => r.arn === r0Before?.arn)?.lastUpdatedAt).toEqual(r0Before?.lastUpdatedAt);

    // r1 goes: its service and groups go, and its rule leaves the Gateway service.
    h.clock.now += 1_000;
    const one = shape([{ paths: ["/a"] }]);
    const removal = await counted(() => converge(latticeModel(one)));
    expect(removal.result.kind).toBe("applied");
    expect(removal.counts.DeleteRule).toBe(1);
    await control().settle();
    // DeleteService may be refused as busy once while Lattice removes the association: by name, not count.
    expect((await services()).map((s) => s.name).sort()).toEqual([GATEWAY_SERVICE, "r0-apps"]);
    const left = await rulesOf(observed, GATEWAY_ID);
    expect(left.map((r) => r.name)).toEqual(
      latticeModel(one)
        .services.find((s) => s.id === GATEWAY_ID)
        ?.listeners[0]?.rules.map((r) => r.id),
    );
    expect(left).toHaveLength(1);

    // The Gateway goes: the Gateway service with it.
    h.clock.now += 1_000;
    expect((await converge(undefined)).kind).toBe("deleted");
    await control().settle();
    expect(await services()).toEqual([]);
  });

  it("a changed hostname recreates the service, and its new DNS name reaches the status address", async () => {
    const shape = (hostname: string): LatticeGatewayShape => ({ routes: [{ paths: ["/a"], hostname }] });
    const first = await created(shape("a.example.com"));
    const oldDns = first.services[0]?.dnsName;
    expect(oldDns).toBeDefined();
    h.clock.now += 1_000;
    const desired = latticeModel(shape("b.example.com"));
    // Lattice holds a deleted service's name until it is gone: the create waits for the next attempt.
    const outcome = await converge(desired);
    expect(outcome.kind).toBe("applied");
    if (outcome.kind !== "applied") throw new Error("unreachable");
    const service = outcome.observed.services[0];
    expect(service?.customDomainName).toBe("b.example.com");
    expect(service?.dnsName).toBeDefined();
    expect(service?.dnsName).not.toBe(oldDns);
    expect(latticeObservationOf(outcome, desired)?.address).toBe(service?.dnsName);
    expect((await services()).map((s) => s.customDomainName)).toEqual(["b.example.com"]);
  });
});
