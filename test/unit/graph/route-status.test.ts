import { describe, expect, test } from "vitest";
import { gateway, httpRoute, statusesOf, statusOf } from "./fixtures.ts";

describe("route status ownership", () => {
  test("a route update claims every owned controller name, so a stale entry of another owned controller is removed", () => {
    const stale = {
      parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "old-alb" },
      controllerName: "switchyard.dev/alb",
      conditions: [],
    };
    const updates = statusesOf(
      gateway("net", "lattice", [{ name: "http", port: 80, protocol: "HTTP" }]),
      httpRoute("web", [{ name: "net" }], { parents: [stale] }),
    );
    const route = statusOf(updates, "HTTPRoute", "web");
    expect(route.parents.map((p) => p.controllerName)).toEqual(["switchyard.dev/lattice"]);
    expect(route.controllerNames).toContain("switchyard.dev/alb");
  });
});
