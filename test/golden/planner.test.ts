/**
 * Planner goldens: test/golden/planner/<case>/before.yaml and after.yaml (each over base.yaml)
 * describe a change. The case records, for the Gateway `apps/gw`:
 * - observed.yaml: what exists after applying before.yaml's plan to an empty account (simulated),
 * - desired.yaml: the load balancer model after.yaml asks for (absent when it asks for none),
 * - plan.yaml: the ordered ELBv2 operations that turn observed into desired.
 * `npm run golden:update` rewrites the three; a planner change shows as a readable plan.yaml diff.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";
import { objectKey } from "../../shared/k8s/meta.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { type CreatedRules, simulate } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { checkGolden } from "./check.ts";

const ROOT = import.meta.dirname;
const CASES = join(ROOT, "planner");
const GATEWAY = "apps/gw";

function desiredModel(file: string): LoadBalancerModel | undefined {
  const base = loadManifests(readFileSync(join(ROOT, "base.yaml"), "utf8"), "base.yaml");
  const input = loadManifests(readFileSync(file, "utf8"), file);
  expect(input.rejected).toEqual([]);
  const identity = (o: KubeObject) => `${o.kind}/${objectKey(o.metadata)}`;
  const own = new Set(input.objects.map(identity));
  const objects = [...base.objects.filter((o) => !own.has(identity(o))), ...input.objects];
  const { loadBalancers } = translate(snapshotOf(objects), controllerConfig(), { clusterId: "golden" });
  return loadBalancers.find((b) => b.model.gatewayKey === GATEWAY)?.model;
}

function applied(desired: LoadBalancerModel | undefined): ObservedElb {
  const created: CreatedRules = new Map();
  let state = emptyObserved();
  for (const op of planElb(desired, state).operations) state = simulate(state, op, created);
  return state;
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

const cases = existsSync(CASES)
  ? readdirSync(CASES)
      .filter((c) => existsSync(join(CASES, c, "after.yaml")))
      .sort()
  : [];

describe("planner golden cases", () => {
  it("has cases to check", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(CASES, name);
      const observed = applied(desiredModel(join(dir, "before.yaml")));
      const desired = desiredModel(join(dir, "after.yaml"));
      const plan = planElb(desired, observed);
      checkGolden(name, join(dir, "observed.yaml"), yaml(observed));
      checkGolden(name, join(dir, "desired.yaml"), desired && yaml(desired));
      checkGolden(name, join(dir, "plan.yaml"), yaml(plan));
      // A recorded plan must also converge: applying it leaves nothing more to do.
      const created: CreatedRules = new Map();
      let state = observed;
      for (const op of plan.operations) state = simulate(state, op, created);
      expect(planElb(desired, state).operations).toEqual([]);
    });
  }
});
