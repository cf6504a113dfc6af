import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadFiles } from "../../../cli/manifests.ts";
import {
  describeLatticeOperation,
  describeLatticeSettling,
  groupNamesOf,
} from "../../../cli/render/lattice-operations-text.ts";
import { controllerConfig } from "../../../shared/config.ts";
import { emptyObservedLattice } from "../../../shared/lattice/observed.ts";
import { planLattice } from "../../../shared/lattice/plan.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

const EXAMPLE = fileURLToPath(new URL("../../../examples/10-vpc-lattice.yaml", import.meta.url));

function exampleModel() {
  const loaded = loadFiles([EXAMPLE]);
  const translation = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "c1" });
  const model = translation.lattice.gateways[0]?.model;
  if (!model) throw new Error("the example builds no Lattice Gateway");
  return model;
}

describe("plan --diff --live and apply print one line per VPC Lattice operation", () => {
  it("the example's plan against an empty account reads as creations, in plan order", () => {
    const model = exampleModel();
    const names = groupNamesOf(model);
    const plan = planLattice(model, emptyObservedLattice());
    const lines = plan.operations.map((op) => describeLatticeOperation(op, names));
    expect(lines[0]).toBe("? service network apps-net (found; never created)");
    expect(lines).toContain("+ VPC association of the service network");
    expect(
      lines.some((l) => /^\+ service orders-store orders\.internal\.example ← HTTPRoute\/store\/orders$/.test(l)),
    ).toBe(true);
    // Groups are named as AWS shows them, with each one's share.
    const orders = model.targetGroups.find((g) => g.backend.includes("store/orders:"))?.name;
    const ordersV2 = model.targetGroups.find((g) => g.backend.includes("orders-v2"))?.name;
    expect(lines).toContain(
      `+ rule r1-m0 on HTTPRoute/store/orders HTTP:80: 2. path prefix / → forward ${orders} 90%, ${ordersV2} 10%`,
    );
    // A new group takes its targets from the next reconcile, once Lattice says it is ACTIVE.
    expect(lines.filter((l) => / targets? in /.test(l))).toEqual([]);
    expect(plan.pending).toContain(`target group ${orders} (being created: targets registered once ACTIVE)`);
    expect(lines).toContain("~ service network: auth policy of store/apps-net-auth");
    expect(lines).toContain("~ service network: auth type AWS_IAM");
    // Nothing is deleted in an empty account.
    expect(lines.filter((l) => l.startsWith("-"))).toEqual([]);
  });

  it("what Lattice is still creating is named with its state; ACTIVE resources are not", () => {
    expect(
      describeLatticeSettling({
        ...emptyObservedLattice(),
        services: [
          { id: "a", arn: "arn:a", name: "a-svc", status: "CREATE_IN_PROGRESS", listeners: [] },
          { id: "b", arn: "arn:b", name: "b-svc", status: "ACTIVE", listeners: [] },
        ],
        targetGroups: [
          {
            id: "g",
            arn: "arn:g",
            name: "g-tg",
            protocol: "HTTP",
            port: 80,
            status: "DELETE_IN_PROGRESS",
            targets: [],
          },
        ],
      }),
    ).toEqual(["service a-svc (CREATE_IN_PROGRESS)", "target group g-tg (DELETE_IN_PROGRESS)"]);
  });
});
