/**
 * loadManifests: parse → defaults → validation, with refused objects kept out of `objects`.
 */
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../../shared/manifest/load.ts";

const VALID_ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: good }
spec:
  parentRefs: [{ name: gw }]
`;

const INVALID_ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: bad, namespace: team-a }
spec:
  rules:
  - backendRefs: [{ name: svc }]
`;

describe("loadManifests", () => {
  it("loads valid objects with the API server's defaults applied", () => {
    const loaded = loadManifests(VALID_ROUTE, "route.yaml");
    expect(loaded.rejected).toEqual([]);
    expect(loaded.objects).toHaveLength(1);
    expect(loaded.objects[0]?.spec).toEqual({
      parentRefs: [{ name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" }],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }],
    });
  });

  it("puts the namespace kubectl would use on namespaced objects", () => {
    expect(loadManifests(VALID_ROUTE, "r.yaml", { defaultNamespace: "team-b" }).objects[0]?.metadata.namespace).toBe(
      "team-b",
    );
  });

  it("refuses an invalid object: it is rejected, not loaded", () => {
    const loaded = loadManifests(INVALID_ROUTE, "route.yaml");
    expect(loaded.objects).toEqual([]);
    expect(loaded.rejected).toEqual([
      {
        object: { kind: "HTTPRoute", namespace: "team-a", name: "bad" },
        origin: { source: "route.yaml", document: 0 },
        problems: [
          {
            source: "route.yaml",
            object: { kind: "HTTPRoute", namespace: "team-a", name: "bad" },
            field: "spec.rules[0].backendRefs[0].port",
            message: 'required when the backend is a Service (group "" and kind Service)',
          },
        ],
      },
    ]);
  });

  it("an invalid object does not affect the valid ones next to it", () => {
    const loaded = loadManifests(`${VALID_ROUTE}---${INVALID_ROUTE}`, "both.yaml");
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(["good"]);
    expect(loaded.rejected.map((r) => r.object.name)).toEqual(["bad"]);
  });

  it("reports other kinds as ignored", () => {
    const loaded = loadManifests("apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n", "d.yaml");
    expect(loaded.ignored).toEqual([
      {
        source: "d.yaml",
        document: 0,
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "d",
        reason: "switchyard does not read Deployment objects",
      },
    ]);
    expect(loaded.objects).toEqual([]);
    expect(loaded.rejected).toEqual([]);
  });

  it("keeps documents that never became objects in problems", () => {
    const loaded = loadManifests("kind: HTTPRoute\nmetadata: { name: x }\n", "x.yaml");
    expect(loaded.problems).toEqual([{ source: "x.yaml", document: 0, field: "apiVersion", message: "required" }]);
  });

  it("validates against the experimental channel unless told otherwise", () => {
    const withRetry = `${VALID_ROUTE}  rules: [{ retry: { attempts: 2 } }]\n`;
    expect(loadManifests(withRetry, "r.yaml").objects).toHaveLength(1);
    const standard = loadManifests(withRetry, "r.yaml", { channel: "standard" });
    expect(standard.rejected.flatMap((r) => r.problems.map((p) => p.field))).toEqual(["spec.rules[0].retry"]);
  });

  it("reads List objects item by item", () => {
    const list = `
apiVersion: v1
kind: List
items:
- apiVersion: gateway.networking.k8s.io/v1
  kind: GatewayClass
  metadata: { name: alb }
  spec: { controllerName: switchyard.dev/alb }
- apiVersion: gateway.networking.k8s.io/v1
  kind: GatewayClass
  metadata: { name: broken }
  spec: { controllerName: nope }
`;
    const loaded = loadManifests(list, "list.yaml");
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(["alb"]);
    expect(loaded.rejected.map((r) => r.problems.map((p) => p.field))).toEqual([["spec.controllerName"]]);
  });

  it("checks only the metadata of core kinds", () => {
    const loaded = loadManifests(
      "apiVersion: v1\nkind: Service\nmetadata: { name: 1svc }\nspec: { ports: [{ port: 80 }] }\n",
      "svc.yaml",
    );
    expect(loaded.rejected.map((r) => r.problems.map((p) => p.field))).toEqual([["metadata.name"]]);
  });
});
