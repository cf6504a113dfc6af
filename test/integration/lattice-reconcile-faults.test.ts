// Lattice reconcile under faults, injected in the emulator where they hurt: after AWS accepted a
// call (its answer lost), a resource busy (ConflictException), a quota Lattice enforces that the
// translation did not know of. Each ends in a precise outcome and status, and converges after.
import { ListServicesCommand, ListTargetGroupsCommand } from "@aws-sdk/client-vpc-lattice";
import { describe, expect, it } from "vitest";
import { gatewayServiceName } from "../../shared/lattice/gateway-service.ts";
import { latticeObservationOf } from "../../shared/reconcile/lattice-plane.ts";
import { latticeControl } from "../env/clients.ts";
import { type LatticeGatewayShape, latticeModel } from "../fixtures/lattice-gateway.ts";
import { CLUSTER, counted, latticeSuite, VPC, writes } from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
const { harness } = suite;
const control = latticeControl;

/**
 * Three routes, r2 with a hostname: three route services, and the Gateway service merging r0 and
 * r1 (3 rules, its own 2 groups): 4 services, 5 groups.
 */
const SHAPE: LatticeGatewayShape = {
  routes: [{ paths: ["/a", "/a2"] }, { paths: ["/b"] }, { paths: ["/c"], hostname: "c.example.com" }],
};
const GATEWAY_SERVICE = gatewayServiceName(CLUSTER, "apps", "net");

async function serviceNames(): Promise<string[]> {
  return ((await suite.lattice.send(new ListServicesCommand({}))).items ?? []).map((s) => s.name ?? "").sort();
}

describe("Lattice reconcile under faults", () => {
  it("a service created whose answer was lost is found by its tags on the next attempt: no duplicate, nothing missing", async () => {
    const h = await harness(1);
    await control().injectFault({ operation: "CreateService", error: "InternalServerException", when: "after" });
    const desired = latticeModel(SHAPE);
    const failed = await h.reconcile(desired);
    expect(failed).toMatchObject({ kind: "failed", retryable: true, error: { kind: "retryable" } });
    // AWS holds the service; the record cannot say so.
    expect(await serviceNames()).toHaveLength(1);

    // The interrupted apply's calls may still land until its deadline: the next attempt waits.
    const busy = await h.reconcile(desired);
    expect(busy.kind).toBe("busy");
    if (busy.kind !== "busy" || busy.until === undefined) throw new Error("expected busy until a moment");
    h.clock.now = busy.until + 1;

    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    // Discovery read the account's services and their tags instead of trusting the record.
    expect(counts.ListServices).toBeGreaterThanOrEqual(1);
    expect(counts.ListTagsForResource).toBeGreaterThanOrEqual(1);
    // The first create (the Gateway service's) was lost: the three route services remain.
    expect(writes(counts).CreateService).toBe(3);
    expect(await serviceNames()).toEqual([GATEWAY_SERVICE, "r0-apps", "r1-apps", "r2-apps"]);
    await h.settle(desired);
  });

  it("with the SDK's own retries, a retried create that meets its own resource adopts it by tags in the same reconcile", async () => {
    const h = await harness();
    await control().injectFault({ operation: "CreateTargetGroup", error: "InternalServerException", when: "after" });
    const { result, counts } = await counted(() => h.reconcile(latticeModel(SHAPE)));
    expect(result.kind).toBe("applied");
    // The retry met a ConflictException (the name is taken, by this Gateway's own group).
    expect(counts.CreateTargetGroup).toBe(6);
    const groups = (await suite.lattice.send(new ListTargetGroupsCommand({}))).items ?? [];
    expect(groups).toHaveLength(5);
  });

  it("a target group whose name someone else holds is a terminal NameTaken, named in status", async () => {
    const h = await harness();
    const desired = latticeModel(SHAPE);
    const name = desired.targetGroups[0]?.name ?? "";
    const { CreateTargetGroupCommand } = await import("@aws-sdk/client-vpc-lattice");
    await suite.lattice.send(
      new CreateTargetGroupCommand({
        name,
        type: "IP",
        config: { port: 8080, protocol: "HTTP", vpcIdentifier: "vpc-0a1b2c3d4e5f60718" },
      }),
    );
    const outcome = await h.reconcile(desired);
    expect(outcome).toMatchObject({ kind: "failed", retryable: false, error: { code: "NameTaken" } });
    expect(latticeObservationOf(outcome, desired)?.message).toContain(`target group name ${name} is taken`);
  });

  it("a rule whose target group already serves another service is refused for good; it alone is refused, named with its route", async () => {
    // Translation gives each route's service its own groups; a group can still be taken by hand: here
    // r1's group was created (its answer lost, so switchyard adopts it by its tags) and a foreign
    // service's listener forwards to it before r1's rule is made. Lattice lets a group serve one service.
    const h = await harness();
    const desired = latticeModel(SHAPE);
    const taken = desired.targetGroups.find((g) => g.id.startsWith("HTTPRoute/apps/r1|"));
    if (!taken) throw new Error("no group for r1");
    const { CreateListenerCommand, CreateServiceCommand, CreateTargetGroupCommand } = await import(
      "@aws-sdk/client-vpc-lattice"
    );
    const group = await suite.lattice.send(
      new CreateTargetGroupCommand({
        name: taken.name,
        type: "IP",
        config: { port: taken.port, protocol: "HTTP", protocolVersion: "HTTP1", vpcIdentifier: VPC },
        tags: taken.tags,
      }),
    );
    await control().settle();
    const intruder = await suite.lattice.send(new CreateServiceCommand({ name: "intruder" }));
    await control().settle();
    await suite.lattice.send(
      new CreateListenerCommand({
        serviceIdentifier: intruder.arn,
        name: "http-80",
        protocol: "HTTP",
        port: 80,
        defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: group.arn, weight: 1 }] } },
      }),
    );
    const outcome = await h.reconcile(desired);
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [{ operation: "CreateRule", route: "HTTPRoute/apps/r1", code: "TargetGroupInUse" }],
    });
    expect(latticeObservationOf(outcome, desired)?.message).toContain(
      "VPC Lattice lets a target group serve one service",
    );
    // Everything else was applied: every service, the other routes' rules, every association.
    if (outcome.kind !== "applied") throw new Error("unreachable");
    expect(
      outcome.observed.services.map((s) => [s.id, s.listeners[0]?.rules.length]).sort((a, b) => (a < b ? -1 : 1)),
    ).toEqual([
      // The Gateway service forwards to its own group of r1's Service: r1's rule there stands.
      ["Gateway/apps/net", 3],
      ["HTTPRoute/apps/r0", 2],
      ["HTTPRoute/apps/r1", 0],
      ["HTTPRoute/apps/r2", 1],
    ]);
    expect(outcome.observed.serviceAssociations).toHaveLength(4);
  });

  it("a ConflictException (resource busy) is retried from the record: no rediscovery, only what was refused", async () => {
    const h = await harness();
    const desired = latticeModel(SHAPE);
    // The groups are created, and take their targets from the next reconcile, once ACTIVE.
    expect(await h.reconcile(desired)).toMatchObject({ kind: "applied", pending: expect.any(String) });
    await control().settle();
    h.clock.now += 1_000;
    await control().injectFault({ operation: "RegisterTargets", error: "ConflictException" });
    const failed = await h.reconcile(desired);
    expect(failed).toMatchObject({
      kind: "failed",
      retryable: true,
      error: { kind: "conflict", code: "ResourceBusy", operation: "RegisterTargets" },
    });
    expect(latticeObservationOf(failed, desired)).toMatchObject({ programmed: false });
    expect(latticeObservationOf(failed, desired)?.message).toContain("switchyard retries");

    h.clock.now += 1_000;
    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    expect(counts.ListServices).toBeUndefined();
    expect(writes(counts)).toEqual({ RegisterTargets: 5 });
  });

  it("a quota Lattice enforces below the translation's is a status naming the quota, and nothing beyond it is attempted", async () => {
    await control().configure({ quotas: { rulesPerListener: 2 } });
    const h = await harness();
    const shape: LatticeGatewayShape = { routes: [{ paths: ["/a", "/b", "/c"] }] };
    const desired = latticeModel(shape);
    const outcome = await h.reconcile(desired);
    expect(outcome).toMatchObject({
      kind: "failed",
      retryable: false,
      error: { kind: "quota", code: "ServiceQuotaExceeded", operation: "CreateRule" },
    });
    const observation = latticeObservationOf(outcome, desired);
    expect(observation).toMatchObject({ programmed: false, reason: "NoResources" });
    expect(observation?.message).toContain("Rules per listener quota of 2 exceeded");
  });
});
