// Gateway API objects on a real kube-apiserver + etcd: watch delivery, the /status subresource,
// and 410 Gone for a watch from a resourceVersion that etcd has compacted away.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compactEtcd, kubeConfig, uniqueName, waitFor } from "../env/clients.ts";

const GATEWAY = { group: "gateway.networking.k8s.io", version: "v1", plural: "gateways" } as const;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

interface Gateway {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
  };
  spec: { gatewayClassName: string; listeners: { name: string; port: number; protocol: string }[] };
  status?: { conditions?: Condition[] };
}

interface WatchEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: Gateway["metadata"] } & Partial<Gateway>;
}

function gateway(name: string, port = 80): Gateway {
  return {
    apiVersion: `${GATEWAY.group}/${GATEWAY.version}`,
    kind: "Gateway",
    metadata: { name },
    spec: { gatewayClassName: "switchyard-alb", listeners: [{ name: "http", port, protocol: "HTTP" }] },
  };
}

/** A watch on the namespace's Gateways that records events and how it ended. */
class GatewayWatch {
  readonly events: WatchEvent[] = [];
  ended: { error: unknown } | undefined;
  private controller: AbortController | undefined;

  static async start(kc: KubeConfig, namespace: string, resourceVersion: string): Promise<GatewayWatch> {
    const watch = new GatewayWatch();
    watch.controller = await new Watch(kc).watch(
      `/apis/${GATEWAY.group}/${GATEWAY.version}/namespaces/${namespace}/${GATEWAY.plural}`,
      { resourceVersion },
      (type, object) => watch.events.push({ type, object }),
      (error) => {
        watch.ended = { error };
      },
    );
    return watch;
  }

  stop(): void {
    this.controller?.abort();
  }
}

describe("kube-apiserver with the Gateway API CRDs", () => {
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  const namespace = uniqueName("gateways");
  const watches: GatewayWatch[] = [];

  const create = async (body: Gateway): Promise<Gateway> =>
    (await objects.createNamespacedCustomObject({ ...GATEWAY, namespace, body })) as Gateway;
  const get = async (name: string): Promise<Gateway> =>
    (await objects.getNamespacedCustomObject({ ...GATEWAY, namespace, name })) as Gateway;
  const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  const watchFrom = async (resourceVersion: string): Promise<GatewayWatch> => {
    const watch = await GatewayWatch.start(kc, namespace, resourceVersion);
    watches.push(watch);
    return watch;
  };

  beforeAll(async () => {
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    // No controller manager runs, so namespaces are never finalised; each run has a fresh etcd.
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(() => {
    for (const watch of watches) watch.stop();
  });

  it("delivers a Gateway created after the list to a watch started from the list's resourceVersion", async () => {
    const list = (await objects.listNamespacedCustomObject({ ...GATEWAY, namespace })) as {
      metadata: { resourceVersion: string };
    };
    const watch = await watchFrom(list.metadata.resourceVersion);

    const created = await create(gateway("watched"));
    const added = await waitFor(
      "the ADDED event of gateway watched",
      async () => watch.events.find((e) => e.type === "ADDED" && e.object.metadata?.name === "watched"),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(added.object.metadata?.uid).toBe(created.metadata.uid);
    expect(added.object.metadata?.resourceVersion).toBe(created.metadata.resourceVersion);
    // The watch carries the object as stored, CRD schema defaults included.
    expect(added.object.spec?.listeners).toEqual([
      { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
    ]);
    expect(watch.ended).toBeUndefined();
  });

  it("keeps metadata.generation when /status is merge-patched, and bumps it when spec changes", async () => {
    const created = await create(gateway("status"));
    expect(created.metadata.generation).toBe(1);

    const accepted: Condition = {
      type: "Accepted",
      status: "True",
      reason: "Accepted",
      message: "switchyard accepted the Gateway",
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      observedGeneration: 1,
    };
    const patched = (await objects.patchNamespacedCustomObjectStatus(
      { ...GATEWAY, namespace, name: "status", body: { status: { conditions: [accepted] } } },
      mergePatch,
    )) as Gateway;
    expect(patched.metadata.generation).toBe(1);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(patched.status?.conditions).toEqual([accepted]);
    expect((await get("status")).metadata.generation).toBe(1);

    const respecced = (await objects.patchNamespacedCustomObject(
      {
        ...GATEWAY,
        namespace,
        name: "status",
        body: { spec: { listeners: [{ name: "http", port: 8080, protocol: "HTTP" }] } },
      },
      mergePatch,
    )) as Gateway;
    expect(respecced.metadata.generation).toBe(2);
    expect(respecced.status?.conditions).toEqual([accepted]);
  });

  it("ignores status in a patch of the main resource (the CRD has a status subresource)", async () => {
    const created = await create(gateway("main-resource"));
    const defaulted = created.status?.conditions;
    const patched = (await objects.patchNamespacedCustomObject(
      {
        ...GATEWAY,
        namespace,
        name: "main-resource",
        body: {
          metadata: { labels: { touched: "yes" } },
          status: {
            conditions: [
              {
                type: "Accepted",
                status: "True",
                reason: "Accepted",
                message: "",
                lastTransitionTime: "2026-01-01T00:00:00Z",
              },
            ],
          },
        },
      },
      mergePatch,
    )) as Gateway;
    expect(patched.metadata.labels).toEqual({ touched: "yes" });
    expect(patched.status?.conditions).toEqual(defaulted);
  });

  it("answers a watch from a resourceVersion older than an etcd compaction with 410 Gone (Expired)", async () => {
    const created = await create(gateway("compacted"));
    const oldVersion = String(created.metadata.resourceVersion);
    // Two more writes: a watch from oldVersion starts at oldVersion + 1, and etcd refuses a start
    // strictly below the compaction revision (compacting at exactly oldVersion + 1: next test).
    for (const revision of ["2", "3"]) {
      await objects.patchNamespacedCustomObject(
        { ...GATEWAY, namespace, name: "compacted", body: { metadata: { labels: { revision } } } },
        mergePatch,
      );
    }

    // Before the compaction the same resourceVersion is a valid starting point.
    const before = await watchFrom(oldVersion);
    await waitFor(
      "the MODIFIED event replayed from the old resourceVersion",
      async () => before.events.find((e) => e.type === "MODIFIED" && e.object.metadata?.labels?.revision === "2"),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    before.stop();

    const compactedTo = await compactEtcd();
    expect(compactedTo).toBeGreaterThan(Number(oldVersion) + 1);

    const after = await watchFrom(oldVersion);
    const gone = await waitFor(
      "410 Gone on the watch from the compacted resourceVersion",
      async () => after.events.find((e) => e.type === "ERROR") ?? (after.ended ? after : undefined),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    // The apiserver accepts the watch (HTTP 200) and sends an ERROR event carrying a 410 Status.
    expect(gone).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
    expect(after.events.filter((e) => e.type !== "ERROR")).toEqual([]);
  });

  it("answers a watch starting exactly at the compaction revision with 500 (PrevKv=nil), not 410", async () => {
    // Edge case for watchers: etcd keeps the start revision but not the value it replaced, so the
    // apiserver (serving this resource without a watch cache) cannot build the MODIFIED event.
    // Any ERROR event, not only 410, has to make a watcher relist.
    await create(gateway("compaction-edge"));
    const patched = (await objects.patchNamespacedCustomObject(
      { ...GATEWAY, namespace, name: "compaction-edge", body: { metadata: { labels: { revision: "2" } } } },
      mergePatch,
    )) as Gateway;
    // The watch starts at the patch's revision, which is also where etcd is compacted to (other
    // writers, such as the apiserver's leases, may have moved etcd on since).
    const patchedVersion = Number(patched.metadata.resourceVersion);
    await compactEtcd(patchedVersion);

    const watch = await watchFrom(String(patchedVersion - 1));
    const error = await waitFor(
      "an ERROR event on the watch starting at the compaction revision",
      async () => watch.events.find((e) => e.type === "ERROR"),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(error.object).toMatchObject({ kind: "Status", code: 500, reason: "InternalError" });
    expect(JSON.stringify(error.object)).toContain("PrevKv=nil");
  });
});
