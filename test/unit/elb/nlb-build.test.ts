/**
 * The NLB builder's route semantics the evaluator relies on: an L4 route's backends become one
 * weighted forward (NLB weighted target groups, 0–999), the oldest TCP/UDP route on a listener
 * gets the traffic while newer ones stay Accepted, newer TLSRoutes are refused because only SNI
 * could tell them apart, and a route to a Gateway refused for its listeners says why.
 */
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { evaluateNlbConnection } from "../../../shared/elb/nlb-evaluate.ts";
import type { ForwardAction } from "../../../shared/elb/rules.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import type { RouteStatusUpdate } from "../../../shared/status/compute.ts";
import { translate } from "../../../shared/translate.ts";

const BASE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: switchyard.dev/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: l4, namespace: apps}
spec:
  gatewayClassName: nlb
  listeners:
    - {name: tcp, port: 5432, protocol: TCP}
    - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}
---
apiVersion: v1
kind: Service
metadata: {name: v1, namespace: apps}
spec: {ports: [{port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: v2, namespace: apps}
spec: {ports: [{port: 5432}]}
`;

function build(extra: string) {
  const loaded = loadManifests(`${BASE}---\n${extra}`, "test.yaml", { channel: "experimental" });
  expect(loaded.problems).toEqual([]);
  const t = translate(snapshotOf(loaded.objects), controllerConfig());
  const model = t.loadBalancers.find((b) => b.model.type === "network")?.model;
  const accepted = (kind: string, name: string) => {
    const update = t.statuses.find((s): s is RouteStatusUpdate => s.kind === kind && "parents" in s && s.name === name);
    return update?.parents[0]?.conditions.find((c) => c.type === "Accepted");
  };
  return { model, accepted };
}

const route = (kind: string, name: string, created: string, backends: string, section = "tcp", hostnames = "") => `
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}, namespace: apps, creationTimestamp: "${created}"}
spec:
  parentRefs: [{name: l4, sectionName: ${section}}]
  ${hostnames}
  rules: [{backendRefs: [${backends}]}]
`;

describe("an L4 route's backends become one weighted forward", () => {
  it("forwards by the route's weights, reduced to NLB's 0–999", () => {
    const { model, accepted } = build(
      route(
        "TCPRoute",
        "db",
        "2026-01-01T00:00:00Z",
        "{name: v1, port: 5432, weight: 700}, {name: v2, port: 5432, weight: 300}",
      ),
    );
    expect(accepted("TCPRoute", "db")?.status).toBe("True");
    const forward = model?.listeners.find((l) => l.port === 5432)?.defaultActions[0] as ForwardAction;
    expect(forward.targetGroups.map((g) => g.weight)).toEqual([7, 3]);
    const outcome = model ? evaluateNlbConnection(model, { protocol: "TCP", port: 5432 }) : undefined;
    expect(outcome?.kind === "forward" && outcome.targetGroups.map((g) => g.share)).toEqual([0.7, 0.3]);
  });

  it("keeps an invalid reference's share on a group without targets", () => {
    const { model } = build(
      route(
        "TCPRoute",
        "db",
        "2026-01-01T00:00:00Z",
        "{name: v1, port: 5432, weight: 1}, {name: missing, port: 5432, weight: 1}",
      ),
    );
    const outcome = model ? evaluateNlbConnection(model, { protocol: "TCP", port: 5432 }) : undefined;
    expect(outcome?.kind === "forward" && outcome.targetGroups.map((g) => [g.targetGroupId, g.share])).toEqual([
      ["apps/v1:5432/TCP", 0.5],
      ["sink/invalid-backends/TCP", 0.5],
    ]);
  });

  it("refuses weights that cannot be expressed within 0–999", () => {
    const { accepted } = build(
      route(
        "TCPRoute",
        "db",
        "2026-01-01T00:00:00Z",
        "{name: v1, port: 5432, weight: 1000}, {name: v2, port: 5432, weight: 1}",
      ),
    );
    expect(accepted("TCPRoute", "db")).toMatchObject({ status: "False", reason: "UnsupportedValue" });
    expect(accepted("TCPRoute", "db")?.message).toContain("0–999");
  });

  it("forwards to the one target group with weight 1 when the route has one backend", () => {
    const { model } = build(route("TCPRoute", "db", "2026-01-01T00:00:00Z", "{name: v1, port: 5432, weight: 5}"));
    const forward = model?.listeners.find((l) => l.port === 5432)?.defaultActions[0] as ForwardAction;
    expect(forward.targetGroups).toEqual([{ targetGroupId: "apps/v1:5432/TCP", weight: 1 }]);
  });
});

describe("several routes on one NLB listener", () => {
  it("keeps newer TCPRoutes Accepted and sends the traffic to the oldest", () => {
    const { model, accepted } = build(
      [
        route("TCPRoute", "newer", "2026-02-01T00:00:00Z", "{name: v2, port: 5432}"),
        route("TCPRoute", "older", "2026-01-01T00:00:00Z", "{name: v1, port: 5432}"),
      ].join("---\n"),
    );
    expect(accepted("TCPRoute", "older")?.status).toBe("True");
    expect(accepted("TCPRoute", "newer")?.status).toBe("True");
    const outcome = model ? evaluateNlbConnection(model, { protocol: "TCP", port: 5432 }) : undefined;
    expect(outcome?.kind === "forward" && outcome.targetGroups.map((g) => g.targetGroupId)).toEqual([
      "apps/v1:5432/TCP",
    ]);
  });

  it("refuses a newer TLSRoute, since only SNI could tell them apart", () => {
    const { accepted } = build(
      [
        route("TLSRoute", "b", "2026-02-01T00:00:00Z", "{name: v2, port: 5432}", "tls", "hostnames: [b.example.com]"),
        route("TLSRoute", "a", "2026-01-01T00:00:00Z", "{name: v1, port: 5432}", "tls", "hostnames: [a.example.com]"),
      ].join("---\n"),
    );
    expect(accepted("TLSRoute", "a")?.status).toBe("True");
    expect(accepted("TLSRoute", "b")).toMatchObject({ status: "False", reason: "UnsupportedValue" });
    expect(accepted("TLSRoute", "b")?.message).toContain("does not route by SNI");
  });
});

describe("routes to a Gateway refused for its listeners", () => {
  it("say NotAllowedByListeners when the listener they name cannot take their kind", () => {
    const { accepted } = build(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec:
  gatewayClassName: nlb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: stray, namespace: apps}
spec:
  parentRefs: [{name: web, sectionName: http}]
  rules: [{backendRefs: [{name: v1, port: 5432}]}]
`);
    expect(accepted("TCPRoute", "stray")).toMatchObject({ status: "False", reason: "NotAllowedByListeners" });
  });
});
