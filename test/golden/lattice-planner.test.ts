/**
 * Lattice planner goldens: test/golden/planner-lattice/<case>/before.yaml and after.yaml (each over
 * base.yaml) describe a change to the Lattice Gateway `apps/net`. The case records:
 * - observed.yaml: what exists after applying before.yaml's plan to an empty account (simulated),
 * - desired.yaml: the Lattice model after.yaml asks for (absent when it asks for none),
 * - plan.yaml: the ordered Lattice operations that turn observed into desired.
 * `npm run golden:update` rewrites the three; a planner change shows as a readable plan.yaml diff.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { controllerConfig } from "../../shared/config.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";
import { objectKey } from "../../shared/k8s/meta.ts";
import type { LatticeModel } from "../../shared/lattice/model.ts";
import { emptyObservedLattice } from "../../shared/lattice/observed.ts";
import { planLattice } from "../../shared/lattice/plan.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { convergeLattice, simulateLattice } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { checkGolden } from "./check.ts";

const ROOT = import.meta.dirname;
const CASES = join(ROOT, "planner-lattice");
const GATEWAY = "apps/net";

function desiredModel(file: string): LatticeModel | undefined {
  const base = loadManifests(readFileSync(join(ROOT, "base.yaml"), "utf8"), "base.yaml");
  const input = loadManifests(readFileSync(file, "utf8"), file);
  expect(input.rejected).toEqual([]);
  const identity = (o: KubeObject) => `${o.kind}/${objectKey(o.metadata)}`;
  const own = new Set(input.objects.map(identity));
  const objects = [...base.objects.filter((o) => !own.has(identity(o))), ...input.objects];
  const { lattice } = translate(snapshotOf(objects), controllerConfig(), { clusterId: "golden" });
  return lattice.gateways.find((b) => b.model.gatewayKey === GATEWAY)?.model;
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

const cases = existsSync(CASES)
  ? readdirSync(CASES)
      .filter((c) => existsSync(join(CASES, c, "after.yaml")))
      .sort()
  : [];

describe("Lattice planner golden cases", () => {
  it("has cases to check", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(CASES, name);
      const observed = convergeLattice(desiredModel(join(dir, "before.yaml")), emptyObservedLattice());
      const desired = desiredModel(join(dir, "after.yaml"));
      const plan = planLattice(desired, observed);
      checkGolden(name, join(dir, "observed.yaml"), yaml(observed));
      checkGolden(name, join(dir, "desired.yaml"), desired && yaml(desired));
      checkGolden(name, join(dir, "plan.yaml"), yaml(plan));
      // A recorded plan must also converge: applying it leaves nothing more to do, or, when it left
      // work pending (the targets of groups it created), the next plan does that and nothing else.
      let state = observed;
      for (const op of plan.operations) state = simulateLattice(state, op);
      if (plan.pending) {
        const next = planLattice(desired, state);
        expect(next.pending).toBeUndefined();
        expect(next.operations.every((o) => o.op === "RegisterTargets")).toBe(true);
        for (const op of next.operations) state = simulateLattice(state, op);
      }
      expect(planLattice(desired, state).operations).toEqual([]);
    });
  }
});
