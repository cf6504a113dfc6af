/** The reconciler reads a cluster from the mirror only once its forwarder has synced it. */
import { describe, expect, it } from "vitest";
import { MemoryObjectMirror } from "../../../shared/mirror/memory/object-mirror.ts";
import { ClusterNotSynced, MirrorSnapshotSource } from "../../../shared/mirror/snapshot-source.ts";
import { serviceObject, serviceRef } from "./contract.ts";

const CLUSTER = "cluster-a";
const empty = (kind: "GatewayClass" | "Gateway") => ({ cluster: CLUSTER, kind, items: [], resourceVersion: 5n });

describe("the mirror as the reconciler's snapshot source", () => {
  it("refuses a cluster without a Gateway or GatewayClass snapshot, naming what is missing", async () => {
    const mirror = new MemoryObjectMirror();
    await mirror.upsert(serviceRef("web"), "uid-web", 3n, serviceObject("web", 3n));
    const source = new MirrorSnapshotSource(mirror);
    await expect(source.load(CLUSTER)).rejects.toMatchObject({
      name: "ClusterNotSynced",
      missing: ["GatewayClass", "Gateway"],
    });
    await mirror.applySnapshot(empty("GatewayClass"));
    await expect(source.load(CLUSTER)).rejects.toBeInstanceOf(ClusterNotSynced);
  });

  it("serves every live object once both kinds are synced, even when there are none of them", async () => {
    const mirror = new MemoryObjectMirror();
    await mirror.upsert(serviceRef("web"), "uid-web", 3n, serviceObject("web", 3n));
    await mirror.applySnapshot(empty("GatewayClass"));
    await mirror.applySnapshot(empty("Gateway"));
    const snapshot = await new MirrorSnapshotSource(mirror).load(CLUSTER);
    expect([...snapshot.services.values()].map((s) => s.metadata.name)).toEqual(["web"]);
  });

  it("serves a cluster's ServiceExports alone, for another cluster's Lattice imports", async () => {
    const mirror = new MemoryObjectMirror();
    await mirror.upsert(serviceRef("web"), "uid-web", 3n, serviceObject("web", 3n));
    await mirror.upsert({ cluster: CLUSTER, kind: "ServiceExport", namespace: "apps", name: "web" }, "uid-export", 4n, {
      apiVersion: "application-networking.k8s.aws/v1alpha1",
      kind: "ServiceExport",
      metadata: { name: "web", namespace: "apps", uid: "uid-export", resourceVersion: "4" },
      spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] },
    });
    const exports = await new MirrorSnapshotSource(mirror).serviceExports(CLUSTER);
    expect(exports.map((e) => [e.kind, e.metadata.namespace, e.metadata.name])).toEqual([
      ["ServiceExport", "apps", "web"],
    ]);
  });
});
