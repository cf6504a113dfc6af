/** Checks across objects: an object defined twice, and a route whose parent is not in the input. */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { takeInventory } from "../../../shared/manifest/inventory.ts";

function object(kind: string, name: string, spec?: unknown): KubeObject {
  return { apiVersion: "gateway.networking.k8s.io/v1", kind, metadata: { name, namespace: "apps" }, spec };
}

describe("takeInventory", () => {
  it("refuses a second object with the same kind, namespace and name, naming both places", () => {
    const first = object("Gateway", "web", { v: 1 });
    const second = object("Gateway", "web", { v: 2 });
    const inventory = takeInventory([
      { object: first, origin: { source: "a.yaml", document: 0 } },
      { object: second, origin: { source: "b.yaml", document: 3 } },
    ]);
    expect(inventory.objects).toEqual([first]);
    expect(inventory.problems).toEqual([
      {
        source: "b.yaml",
        document: 3,
        object: { kind: "Gateway", namespace: "apps", name: "web" },
        field: "metadata.name",
        message: "defined twice: here and at a.yaml#0; the copy at a.yaml#0 is used",
      },
    ]);
  });

  it("treats routes like every other kind: two HTTPRoutes with one name are a duplicate", () => {
    const route = object("HTTPRoute", "r");
    const inventory = takeInventory([
      { object: route, origin: { source: "a.yaml", document: 0 } },
      { object: object("HTTPRoute", "r"), origin: { source: "a.yaml", document: 1 } },
    ]);
    expect(inventory.objects).toEqual([route]);
    expect(inventory.problems).toHaveLength(1);
  });

  it("keeps objects that share only a name: kinds and namespaces tell them apart", () => {
    const inventory = takeInventory([
      { object: object("HTTPRoute", "x"), origin: { source: "a", document: 0 } },
      { object: object("GRPCRoute", "x"), origin: { source: "a", document: 1 } },
      {
        object: { ...object("HTTPRoute", "x"), metadata: { name: "x", namespace: "other" } },
        origin: { source: "a", document: 2 },
      },
    ]);
    expect(inventory.objects).toHaveLength(3);
    expect(inventory.problems).toEqual([]);
  });

  it("warns about a parentRef to a Gateway that is not in the input", () => {
    const inventory = takeInventory([
      { object: object("Gateway", "web"), origin: { source: "gw.yaml", document: 0 } },
      {
        object: object("HTTPRoute", "r", { parentRefs: [{ name: "web" }, { name: "wbe" }] }),
        origin: { source: "r.yaml", document: 2 },
      },
    ]);
    expect(inventory.warnings).toEqual([
      {
        source: "r.yaml",
        document: 2,
        object: { kind: "HTTPRoute", namespace: "apps", name: "r" },
        field: "spec.parentRefs[1]",
        message: "Gateway apps/wbe is not in the input; the route attaches to nothing here",
      },
    ]);
  });

  it("looks for the parent in the namespace the parentRef names", () => {
    const gateway = { ...object("Gateway", "shared"), metadata: { name: "shared", namespace: "infra" } };
    const inventory = takeInventory([
      { object: gateway, origin: { source: "a", document: 0 } },
      {
        object: object("HTTPRoute", "ok", { parentRefs: [{ name: "shared", namespace: "infra" }] }),
        origin: { source: "a", document: 1 },
      },
      {
        object: object("HTTPRoute", "bad", { parentRefs: [{ name: "shared" }] }),
        origin: { source: "a", document: 2 },
      },
    ]);
    expect(inventory.warnings.map((w) => w.object?.name)).toEqual(["bad"]);
  });

  it("does not warn about parents of other kinds, which switchyard does not attach to", () => {
    const inventory = takeInventory([
      {
        object: object("HTTPRoute", "mesh", { parentRefs: [{ group: "", kind: "Service", name: "svc" }] }),
        origin: { source: "a", document: 0 },
      },
    ]);
    expect(inventory.warnings).toEqual([]);
  });
});
