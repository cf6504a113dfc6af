import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";
import { albGatewayManifests, TWO_HTTP_LISTENERS } from "../../fixtures/gateways.ts";
import { serviceManifests } from "../../fixtures/services.ts";

function route(name: string, created: string, sections: string[]): string {
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps, creationTimestamp: "${created}"}
spec:
  parentRefs: [${sections.map((s) => `{name: gw, sectionName: ${s}}`).join(", ")}]
  rules: [{matches: [{path: {type: Exact, value: /${name}}}], backendRefs: [{name: web, port: 80}]}]
`;
}

function twoPortGateway(routes: string): ReturnType<typeof loadManifests> {
  return loadManifests(
    `${albGatewayManifests(TWO_HTTP_LISTENERS)}${serviceManifests({ name: "web", addresses: [] })}${routes}`,
    "quota.yaml",
  );
}

function acceptedOf(statuses: ReturnType<typeof translate>["statuses"], name: string) {
  const s = statuses.find((x) => x.kind === "HTTPRoute" && "name" in x && x.name === name);
  return s && "parents" in s ? s.parents[0]?.conditions.find((c) => c.type === "Accepted") : undefined;
}

describe("the ALB rules-per-load-balancer quota", () => {
  it("counts the rules of every listener of the load balancer, shedding the newest route", () => {
    // Two rules on port 80 and two on port 81: each listener is within 3, the load balancer is not.
    const loaded = twoPortGateway(
      `${route("r1", "2026-01-01T00:00:01Z", ["a"])}${route("r2", "2026-01-01T00:00:02Z", ["b"])}${route("r3", "2026-01-01T00:00:03Z", ["a"])}${route("r4", "2026-01-01T00:00:04Z", ["b"])}`,
    );
    const { loadBalancers, statuses } = translate(snapshotOf(loaded.objects), controllerConfig(), {
      maxRulesPerLoadBalancer: 3,
    });
    const rules = loadBalancers[0]?.model.listeners.flatMap((l) => l.rules.map((r) => r.source.route)) ?? [];
    expect(rules).toEqual(["HTTPRoute/apps/r1", "HTTPRoute/apps/r3", "HTTPRoute/apps/r2"]);
    expect(acceptedOf(statuses, "r4")).toMatchObject({
      status: "False",
      reason: "UnsupportedValue",
      message: expect.stringContaining("the ALB quota is 3 rules per load balancer"),
    });
    expect(acceptedOf(statuses, "r3")).toMatchObject({ status: "True" });
  });

  it("sheds the newest routes by creationTimestamp, then namespace/name, across listeners", () => {
    const loaded = twoPortGateway(
      `${route("r2", "2026-01-01T00:00:01Z", ["b"])}${route("r1", "2026-01-01T00:00:02Z", ["a"])}${route("r3", "2026-01-01T00:00:02Z", ["a"])}`,
    );
    const { statuses } = translate(snapshotOf(loaded.objects), controllerConfig(), { maxRulesPerLoadBalancer: 2 });
    // r1 and r3 are equally new; r3 sorts after r1 by name, so it gives way first.
    expect(acceptedOf(statuses, "r3")).toMatchObject({ status: "False" });
    expect(acceptedOf(statuses, "r1")).toMatchObject({ status: "True" });
    expect(acceptedOf(statuses, "r2")).toMatchObject({ status: "True" });
  });

  it("a route shed is programmed on no port", () => {
    const loaded = twoPortGateway(
      `${route("r1", "2026-01-01T00:00:01Z", ["a", "b"])}${route("r2", "2026-01-01T00:00:02Z", ["b"])}${route("r3", "2026-01-01T00:00:03Z", ["a", "b"])}`,
    );
    // Five rules against a quota of three: the newest route, r3, is shed from both ports.
    const { loadBalancers, statuses } = translate(snapshotOf(loaded.objects), controllerConfig(), {
      maxRulesPerLoadBalancer: 3,
    });
    const routesOn = (port: number) =>
      loadBalancers[0]?.model.listeners.find((l) => l.port === port)?.rules.map((r) => r.source.route) ?? [];
    expect(routesOn(80)).toEqual(["HTTPRoute/apps/r1"]);
    expect(routesOn(81)).toEqual(["HTTPRoute/apps/r1", "HTTPRoute/apps/r2"]);
    const r3 = statuses.find((s) => s.kind === "HTTPRoute" && "name" in s && s.name === "r3");
    expect(r3 && "parents" in r3 ? r3.parents[0]?.conditions[0] : undefined).toMatchObject({
      status: "False",
      reason: "UnsupportedValue",
    });
  });
});
