import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { affectedLatticeExports, gatewaysImporting } from "../../../shared/pipeline/affected.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";

function objects(yaml: string): KubeObject[] {
  const loaded = loadManifests(yaml, "test.yaml");
  expect(loaded.problems).toEqual([]);
  return loaded.objects;
}

const FEDERATED = `
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: apps, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec: {exportedPorts: [{port: 8080, routeType: HTTP}]}
`;
const LOCAL_ONLY = `
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: apps}
spec: {exportedPorts: [{port: 8080, routeType: HTTP}]}
`;
const SLICE = `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1]}]
`;

const one = (yaml: string) => {
  const [object] = objects(yaml);
  if (!object) throw new Error("no object");
  return object;
};

describe("affectedLatticeExports: which ServiceExport units a change enqueues", () => {
  it("a federated ServiceExport created, changed or deleted enqueues its own unit", () => {
    const world = snapshotOf([]);
    for (const change of [{ after: one(FEDERATED) }, { before: one(FEDERATED) }]) {
      expect([...affectedLatticeExports("east", { kind: "ServiceExport", ...change }, world)]).toEqual([
        "east/serviceexport.apps/web",
      ]);
    }
  });

  it("its own status written (nothing else changed) enqueues nothing: the unit's status write must not reconcile it again", () => {
    const world = snapshotOf([]);
    const before = one(FEDERATED);
    before.metadata.resourceVersion = "10";
    const after = structuredClone(before) as typeof before & { status?: unknown };
    after.metadata.resourceVersion = "11";
    after.status = { conditions: [{ type: "Valid", status: "True", reason: "Valid", message: "" }] };
    expect(affectedLatticeExports("east", { kind: "ServiceExport", before, after }, world).size).toBe(0);
    // A spec change with the status is still a change.
    const respec = structuredClone(after);
    respec.spec = { exportedPorts: [{ port: 9090, routeType: "HTTP" }] };
    expect([...affectedLatticeExports("east", { kind: "ServiceExport", before, after: respec }, world)]).toEqual([
      "east/serviceexport.apps/web",
    ]);
  });

  it("one that loses the federation annotation still enqueues it (its groups go); one never federated does not", () => {
    const world = snapshotOf([]);
    expect(
      affectedLatticeExports("east", { kind: "ServiceExport", before: one(FEDERATED), after: one(LOCAL_ONLY) }, world)
        .size,
    ).toBe(1);
    expect(affectedLatticeExports("east", { kind: "ServiceExport", after: one(LOCAL_ONLY) }, world).size).toBe(0);
  });

  it("an EndpointSlice or Service of an exported Service enqueues the export, of another Service nothing", () => {
    const exported = snapshotOf(objects(FEDERATED));
    expect([...affectedLatticeExports("east", { kind: "EndpointSlice", after: one(SLICE) }, exported)]).toEqual([
      "east/serviceexport.apps/web",
    ]);
    const service = one("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\nspec: {}\n");
    expect(affectedLatticeExports("east", { kind: "Service", before: service }, exported).size).toBe(1);
    expect(affectedLatticeExports("east", { kind: "EndpointSlice", after: one(SLICE) }, snapshotOf([])).size).toBe(0);
    expect(
      affectedLatticeExports("east", { kind: "EndpointSlice", after: one(SLICE) }, snapshotOf(objects(LOCAL_ONLY)))
        .size,
    ).toBe(0);
  });
});

describe("gatewaysImporting: the Gateways of another cluster that import an export", () => {
  const IMPORTER = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: global, namespace: apps}
spec:
  parentRefs: [{name: net}]
  rules: [{backendRefs: [{group: application-networking.k8s.aws, kind: ServiceImport, name: web, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: renamed, namespace: apps}
spec:
  parentRefs: [{name: other}]
  rules: [{backendRefs: [{group: application-networking.k8s.aws, kind: ServiceImport, name: front, port: 8080}]}]
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: front, namespace: apps, annotations: {application-networking.k8s.aws/export-name: web}}
spec: {type: ClusterSetIP, ports: [{port: 8080, protocol: TCP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: plain, namespace: apps}
spec:
  parentRefs: [{name: local}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
`;

  it("routes with a ServiceImport backend of that name, or one whose export-name names it; not a Service of the same name", () => {
    const world = snapshotOf(objects(IMPORTER));
    expect([...gatewaysImporting("west", "apps", "web", world)].sort()).toEqual(["west/apps/net", "west/apps/other"]);
    expect(gatewaysImporting("west", "other", "web", world).size).toBe(0);
  });
});
