/** `explain` on Lattice: which service a host reaches, then the listener rule evaluation. */
import { describe, expect, test } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { explainLatticeRequest } from "../../../shared/lattice/explain.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

const MANIFESTS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: net, namespace: apps}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: apps, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: net}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs: [{name: web, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: plain, namespace: apps, creationTimestamp: "2026-01-02T00:00:00Z"}
spec:
  parentRefs: [{name: net}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
`;

const { lattice } = translate(snapshotOf(loadManifests(MANIFESTS, "m.yaml").objects), controllerConfig());

describe("explain on VPC Lattice", () => {
  test("a custom domain name reaches its route's service; /cartons is not under /cart", () => {
    const [hit] = explainLatticeRequest(lattice.gateways, {
      host: "shop.example.com",
      port: 80,
      method: "GET",
      path: "/cart/1",
    });
    expect(hit).toMatchObject({
      service: "HTTPRoute/apps/shop",
      chosenBy: "custom domain name",
      rule: { priority: 2 },
    });
    const [miss] = explainLatticeRequest(lattice.gateways, {
      host: "Shop.Example.com:80",
      port: 80,
      method: "GET",
      path: "/cartons",
    });
    expect(miss).toMatchObject({ rule: { priority: "default" }, outcome: { kind: "fixed-response", statusCode: 404 } });
    expect(miss?.skipped.map((s) => s.failed)).toEqual(["path exact /cart", "path prefix /cart/"]);
  });

  test("any other host is the Gateway's address: the Gateway service, naming what it merges and leaves out", () => {
    const [e] = explainLatticeRequest(lattice.gateways, { host: "whatever", port: 80, method: "GET", path: "/" });
    expect(e).toMatchObject({ service: "Gateway/apps/net", chosenBy: "the Gateway's address" });
    expect(e?.rule.route).toBe("HTTPRoute/apps/plain");
    expect(e?.gatewayService).toEqual({
      merged: ["HTTPRoute/apps/plain"],
      leftOut: [
        {
          route: "HTTPRoute/apps/shop",
          why: "its hostname shop.example.com is its own service's custom domain name",
        },
      ],
    });
    expect(e?.outcome).toEqual({ kind: "forward", backends: [{ backend: "Service apps/web:8080", share: 1 }] });
  });

  test("without a Gateway service (opted out), the Gateway's address is the oldest route without a hostname", () => {
    const optedOut = MANIFESTS.replace(
      "metadata: {name: net, namespace: apps}",
      'metadata: {name: net, namespace: apps, annotations: {switchyard.dev/lattice-gateway-service: "false"}}',
    );
    const built = translate(snapshotOf(loadManifests(optedOut, "m.yaml").objects), controllerConfig()).lattice;
    const [e] = explainLatticeRequest(built.gateways, { host: "whatever", port: 80, method: "GET", path: "/" });
    expect(e).toMatchObject({ service: "HTTPRoute/apps/plain", chosenBy: "the Gateway's address" });
    expect(e?.gatewayService).toBeUndefined();
  });

  test("no listener on the port, no explanation", () => {
    expect(
      explainLatticeRequest(lattice.gateways, { host: "shop.example.com", port: 443, method: "GET", path: "/" }),
    ).toEqual([]);
  });
});
