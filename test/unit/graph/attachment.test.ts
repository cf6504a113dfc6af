import { describe, expect, test } from "vitest";
import type { GRPCRoute, HTTPRoute } from "../../../shared/gateway-api/types.ts";
import { gateway, graphOf, httpRoute, listenerSet } from "./fixtures.ts";

describe("attachment problems name the parent and the cause", () => {
  test("NotAllowedByListeners says the kind is unsupported when no selected listener supports it", () => {
    const graph = graphOf(
      gateway("nlb", "nlb", [{ name: "tcp", port: 5432, protocol: "TCP" }]),
      httpRoute("web", [{ name: "nlb" }]),
    );
    expect(graph.routes[0]?.parents[0]?.acceptedProblem).toMatchObject({
      reason: "NotAllowedByListeners",
      message: "no listener of Gateway infra/nlb supports HTTPRoute",
    });
  });

  test("NoMatchingParent on a ListenerSet parentRef names the ListenerSet, not its Gateway", () => {
    const graph = graphOf(
      gateway("gw", "alb", [{ name: "http", port: 80, protocol: "HTTP" }], {
        allowedListeners: { namespaces: { from: "Same" } },
      }),
      listenerSet("infra", "team", [{ name: "web", port: 8080, protocol: "HTTP" }]),
      httpRoute("web", [{ kind: "ListenerSet", name: "team", sectionName: "nope" }]),
    );
    expect(graph.routes[0]?.parents[0]?.acceptedProblem?.message).toBe(
      "ListenerSet infra/team has no listener with sectionName nope",
    );
  });
});

describe("HTTPRoute and GRPCRoute sharing a hostname on one listener", () => {
  const https = gateway("gw", "alb", [
    {
      name: "https",
      port: 443,
      protocol: "HTTPS",
      tls: { options: { "switchyard.dev/certificate-arn": "arn:aws:acm:::certificate/x" } },
    },
  ]);
  const aged = <T extends HTTPRoute | GRPCRoute>(route: T, creationTimestamp: string): T => ({
    ...route,
    metadata: { ...route.metadata, creationTimestamp },
  });
  const grpc = (name: string, creationTimestamp: string): GRPCRoute => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GRPCRoute",
    metadata: { name, namespace: "infra", generation: 1, creationTimestamp },
    spec: { parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" }], rules: [{}] },
  });
  const acceptance = (graph: ReturnType<typeof graphOf>) =>
    Object.fromEntries(graph.routes.map((r) => [r.key, r.parents[0]?.acceptedProblem?.reason ?? "Accepted"]));

  test("the older route keeps the listener and the newer one is not accepted", () => {
    const graph = graphOf(
      https,
      aged(httpRoute("site", [{ name: "gw" }]), "2026-03-01T00:00:00Z"),
      grpc("rpc", "2026-02-01T00:00:00Z"),
    );
    expect(acceptance(graph)).toEqual({
      "GRPCRoute/infra/rpc": "Accepted",
      "HTTPRoute/infra/site": "NotAllowedByListeners",
    });
    expect(graph.gateways[0]?.listeners[0]?.attachments.map((a) => a.route.key)).toEqual(["GRPCRoute/infra/rpc"]);
  });

  test("a route loses only to a route that is itself kept", () => {
    const graph = graphOf(
      https,
      aged(httpRoute("first", [{ name: "gw" }]), "2026-01-01T00:00:00Z"),
      grpc("middle", "2026-02-01T00:00:00Z"),
      aged(httpRoute("last", [{ name: "gw" }]), "2026-03-01T00:00:00Z"),
    );
    expect(acceptance(graph)).toEqual({
      "GRPCRoute/infra/middle": "NotAllowedByListeners",
      "HTTPRoute/infra/first": "Accepted",
      "HTTPRoute/infra/last": "Accepted",
    });
  });
});
