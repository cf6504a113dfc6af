// Two routes forwarding to one Kubernetes Service, reconciled into the Lattice emulator through the
// real adapter: a Lattice target group serves one service (a rule of a second service naming it is
// refused, TargetGroupInUse), so each route's service gets its own group of the Service's endpoints
// and both serve.
import {
  GetRuleCommand,
  GetTargetGroupCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListTargetsCommand,
} from "@aws-sdk/client-vpc-lattice";
import { beforeEach, describe, expect, it } from "vitest";
import { latticeObservationOf } from "../../shared/reconcile/lattice-plane.ts";
import { type LatticeGatewayShape, latticeModel } from "../fixtures/lattice-gateway.ts";
import { type LatticeHarness, latticeSuite } from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
let h: LatticeHarness;

beforeEach(async () => {
  h = await suite.harness();
});

/**
 * What Lattice itself says a service's first rule forwards to: each group with its services and
 * targets (a route service has one rule; the Gateway service one per route, all to its one group).
 */
async function servedBy(serviceArn: string) {
  const listener = (await suite.lattice.send(new ListListenersCommand({ serviceIdentifier: serviceArn }))).items?.[0];
  const rules = (
    await suite.lattice.send(new ListRulesCommand({ serviceIdentifier: serviceArn, listenerIdentifier: listener?.arn }))
  ).items?.filter((r) => !r.isDefault);
  expect(rules?.length).toBeGreaterThan(0);
  const rule = await suite.lattice.send(
    new GetRuleCommand({
      serviceIdentifier: serviceArn,
      listenerIdentifier: listener?.arn,
      ruleIdentifier: rules?.[0]?.arn,
    }),
  );
  return Promise.all(
    (rule.action?.forward?.targetGroups ?? []).map(async (t) => {
      const group = await suite.lattice.send(
        new GetTargetGroupCommand({ targetGroupIdentifier: t.targetGroupIdentifier }),
      );
      const targets = await suite.lattice.send(
        new ListTargetsCommand({ targetGroupIdentifier: t.targetGroupIdentifier }),
      );
      return {
        arn: group.arn,
        services: group.serviceArns ?? [],
        targets: (targets.items ?? []).map((x) => `${x.id}:${x.port}`).sort(),
      };
    }),
  );
}

describe("two routes forwarding to one Service", () => {
  it("both routes' services serve, each through its own target group of the Service's endpoints", async () => {
    const shape: LatticeGatewayShape = {
      routes: [
        { paths: ["/a"], backend: "web" },
        { paths: ["/b"], backend: "web" },
      ],
      webEndpoints: ["10.1.0.1", "10.1.0.2"],
    };
    const desired = latticeModel(shape);
    const outcome = await h.reconcile(desired);
    expect(outcome.kind).toBe("applied");
    if (outcome.kind !== "applied") throw new Error("unreachable");
    expect(outcome.failedRules ?? []).toEqual([]);
    // Once Lattice has created the groups, the next reconcile registers their targets.
    const settled = await h.settle(desired);
    expect(settled.kind).toBe("applied");

    const services = outcome.observed.services;
    // The Gateway service, merging both routes, has its own group of the Service too.
    expect(services.map((s) => s.id)).toEqual(["Gateway/apps/net", "HTTPRoute/apps/r0", "HTTPRoute/apps/r1"]);
    const served = await Promise.all(services.map((s) => servedBy(s.arn)));
    for (const [i, groups] of served.entries()) {
      expect(groups).toHaveLength(1);
      // The group serves this service alone, with the Service's two endpoints as targets.
      expect(groups[0]?.services).toEqual([services[i]?.arn]);
      expect(groups[0]?.targets).toEqual(["10.1.0.1:8080", "10.1.0.2:8080"]);
    }
    expect(new Set(served.map((groups) => groups[0]?.arn)).size).toBe(3);

    // The next reconcile finds nothing to do, and the Gateway turns Programmed.
    h.clock.now += 1_000;
    const again = await h.reconcile(desired);
    expect(again.kind).toBe("unchanged");
    expect(latticeObservationOf(again, desired)).toMatchObject({ programmed: true });
  });
});
