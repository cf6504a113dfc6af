/** The in-memory ELB answers as ALB does where the engine depends on it: the rule quota. */

import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type CreatedRules, SimulatedElbError, simulate } from "../../../shared/testing/index.ts";
import { translate } from "../../../shared/translate.ts";
import { albGatewayManifests, TWO_HTTP_LISTENERS } from "../../fixtures/gateways.ts";
import { serviceManifests } from "../../fixtures/services.ts";

/** Two listeners (ports 80 and 81) with two single-rule routes each. */
function twoListenerModel() {
  const route = (name: string, section: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps}
spec:
  parentRefs: [{name: gw, sectionName: ${section}}]
  rules: [{matches: [{path: {type: Exact, value: /${name}}}], backendRefs: [{name: web, port: 80}]}]
`;
  const loaded = loadManifests(
    `${albGatewayManifests(TWO_HTTP_LISTENERS)}${serviceManifests({ name: "web", addresses: ["10.0.0.1"] })}${route("r1", "a")}${route("r2", "a")}${route("r3", "b")}${route("r4", "b")}`,
    "two-listeners.yaml",
  );
  const model = translate(snapshotOf(loaded.objects), controllerConfig()).loadBalancers[0]?.model;
  if (!model) throw new Error("fixture built no load balancer");
  return model;
}

function apply(maxRulesPerLoadBalancer: number): ObservedElb {
  const created: CreatedRules = new Map();
  let state = emptyObserved();
  for (const op of planElb(twoListenerModel(), state).operations) {
    state = simulate(state, op, created, { maxRulesPerLoadBalancer });
  }
  return state;
}

describe("the ELB simulator's rule quota", () => {
  it("counts the rules of every listener of the load balancer", () => {
    // Two rules per listener: within 3 per listener, over 3 for the load balancer.
    expect(() => apply(3)).toThrow(SimulatedElbError);
    expect(() => apply(3)).toThrow(/TooManyRules|load balancer has 3 rules/);
  });

  it("accepts the same rules under a quota that holds them all", () => {
    const state = apply(4);
    expect(state.listeners.reduce((n, l) => n + l.rules.length, 0)).toBe(4);
  });
});
