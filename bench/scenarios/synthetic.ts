/** Synthetic snapshots for benchmarks: deterministic, sized by parameters, realistic in shape. */
import type { Gateway, GatewayClass, HTTPRoute } from "../../shared/gateway-api/types.ts";
import type { EndpointSlice, Service } from "../../shared/k8s/core.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";

export interface FleetShape {
  gateways: number;
  routesPerGateway: number;
  rulesPerRoute: number;
  servicesPerNamespace?: number;
}

export function syntheticFleet(shape: FleetShape): KubeObject[] {
  const objects: KubeObject[] = [];
  const gc: GatewayClass = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: "alb", generation: 1 },
    spec: { controllerName: "switchyard.dev/alb" },
  };
  objects.push(gc);
  const servicesPerNamespace = shape.servicesPerNamespace ?? 20;
  for (let g = 0; g < shape.gateways; g++) {
    const ns = `team-${g}`;
    const gw: Gateway = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: `gw-${g}`, namespace: ns, generation: 1 },
      spec: {
        gatewayClassName: "alb",
        listeners: [
          { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
          {
            name: "wild",
            port: 80,
            protocol: "HTTP",
            hostname: "*.example.com",
            allowedRoutes: { namespaces: { from: "Same" } },
          },
        ],
      },
    };
    objects.push(gw);
    for (let s = 0; s < servicesPerNamespace; s++) {
      const svc: Service = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `svc-${s}`, namespace: ns },
        spec: { ports: [{ name: "http", port: 8080 }] },
      };
      const slice: EndpointSlice = {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: `svc-${s}-a`, namespace: ns, labels: { "kubernetes.io/service-name": `svc-${s}` } },
        addressType: "IPv4",
        ports: [{ name: "http", port: 8080 }],
        endpoints: [0, 1, 2].map((i) => ({ addresses: [`10.${g % 250}.${s}.${i + 1}`], conditions: { ready: true } })),
      };
      objects.push(svc, slice);
    }
    for (let r = 0; r < shape.routesPerGateway; r++) {
      const route: HTTPRoute = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: {
          name: `route-${r}`,
          namespace: ns,
          generation: 1,
          creationTimestamp: `2026-01-01T00:${String(Math.floor(r / 60) % 60).padStart(2, "0")}:${String(r % 60).padStart(2, "0")}Z`,
        },
        spec: {
          parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: `gw-${g}` }],
          hostnames: [`app-${r}.example.com`],
          rules: Array.from({ length: shape.rulesPerRoute }, (_, i) => ({
            matches: [
              {
                path: { type: "PathPrefix" as const, value: `/v${i}/r${r}` },
                headers: i % 2 ? [{ type: "Exact" as const, name: "x-tenant", value: `t${i}` }] : [],
              },
            ],
            backendRefs: [
              { group: "", kind: "Service", name: `svc-${(r + i) % servicesPerNamespace}`, port: 8080, weight: 90 },
              { group: "", kind: "Service", name: `svc-${(r + i + 1) % servicesPerNamespace}`, port: 8080, weight: 10 },
            ],
          })),
        },
      };
      objects.push(route);
    }
  }
  return objects;
}
