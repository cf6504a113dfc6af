import { describe, expect, test } from "vitest";
import { conditionOf, gateway, graphOf, httpRoute, listenerSet, statusesOf, statusOf } from "./fixtures.ts";

const allowAll = { allowedListeners: { namespaces: { from: "All" as const } } };
const gwListener = { name: "http", port: 80, protocol: "HTTP", hostname: "gw.example.com" };
const clash = { name: "web", port: 80, protocol: "HTTP", hostname: "gw.example.com" };

describe("ListenerSet acceptance", () => {
  test("a ListenerSet the Gateway does not allow reports NotAllowed on Programmed as well as Accepted", () => {
    const updates = statusesOf(gateway("gw", "alb", [gwListener]), listenerSet("apps", "team", [clash]));
    const set = statusOf(updates, "ListenerSet", "team");
    expect(conditionOf(set.conditions, "Accepted")).toMatchObject({ status: "False", reason: "NotAllowed" });
    expect(conditionOf(set.conditions, "Programmed")).toMatchObject({ status: "False", reason: "NotAllowed" });
  });

  test("a ListenerSet whose every listener conflicts is not counted in attachedListenerSets", () => {
    const updates = statusesOf(gateway("gw", "alb", [gwListener], allowAll), listenerSet("apps", "team", [clash]));
    expect(statusOf(updates, "Gateway", "gw").attachedListenerSets).toBe(0);
    const set = statusOf(updates, "ListenerSet", "team");
    expect(conditionOf(set.conditions, "Programmed")).toMatchObject({ status: "False", reason: "ListenersNotValid" });
  });

  test("a route naming a ListenerSet whose every listener conflicts is NoMatchingParent", () => {
    const graph = graphOf(
      gateway("gw", "alb", [gwListener], allowAll),
      listenerSet("infra", "team", [clash]),
      httpRoute("web", [{ kind: "ListenerSet", name: "team" }]),
    );
    expect(graph.routes[0]?.parents[0]?.acceptedProblem?.reason).toBe("NoMatchingParent");
    expect(graph.gateways[0]?.listenerSets[0]?.listeners[0]?.attachments).toEqual([]);
  });
});
