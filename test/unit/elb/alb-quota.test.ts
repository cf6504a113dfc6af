import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

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

describe("the ALB rules-per-listener quota", () => {
  it("a route shed on one port is programmed on no port", () => {
    const loaded = loadManifests(
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: alb
  listeners: [{name: a, port: 80, protocol: HTTP}, {name: b, port: 81, protocol: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
${route("r1", "2026-01-01T00:00:01Z", ["a", "b"])}${route("r2", "2026-01-01T00:00:02Z", ["b"])}${route("r3", "2026-01-01T00:00:03Z", ["a", "b"])}`,
      "quota.yaml",
    );
    // Port 81 carries three routes against a quota of two: the newest, r3, is shed. It also fits
    // on port 80, but a route is either programmed or not: it must not stay there.
    const { loadBalancers, statuses } = translate(snapshotOf(loaded.objects), controllerConfig(), {
      maxRulesPerListener: 2,
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
