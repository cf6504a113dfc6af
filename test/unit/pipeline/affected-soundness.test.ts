// Soundness of the reverse index against the core: for random small clusters and one random change
// of one object, every Gateway whose translation (load balancer build and the statuses that belong
// to it) differs must be among affectedGateways(). Over-approximation is allowed; a miss is a bug.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { Route } from "../../../shared/gateway-api/types.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { MemoryBackendIndex } from "../../../shared/mirror/backend-index.ts";
import { MemoryObjectMirror } from "../../../shared/mirror/memory/object-mirror.ts";
import { mirroredKind } from "../../../shared/mirror/object-mirror.ts";
import { affectedGateways, routeBackends } from "../../../shared/pipeline/affected.ts";
import { indexedRouteOf, worldFor } from "../../../shared/pipeline/affected-world.ts";
import { type Snapshot, snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

const CLUSTER = "c1";
const GW = "gateway.networking.k8s.io/v1";
const NAMESPACES = ["a", "b"] as const;
const config = controllerConfig();

const ns = fc.constantFrom(...NAMESPACES);
const labels = fc.option(fc.record({ team: fc.constantFrom("x", "y") }), { nil: undefined });
const parentRef = fc.oneof(
  fc.record({ name: fc.constantFrom("g1", "g2"), namespace: ns }),
  fc.record({
    kind: fc.constant("ListenerSet"),
    group: fc.constant("gateway.networking.k8s.io"),
    name: fc.constant("ls1"),
    namespace: fc.constant("a"),
  }),
);
const backendRef = fc.record({ name: fc.constantFrom("svc1", "svc2"), namespace: ns, port: fc.constant(80) });
const allowedRoutes = fc.oneof(
  fc.constant({ namespaces: { from: "All" } }),
  fc.constant({ namespaces: { from: "Same" } }),
  fc.constant({ namespaces: { from: "Selector", selector: { matchLabels: { team: "x" } } } }),
);
const listener = fc.oneof(
  fc.record({ name: fc.constant("http"), port: fc.constant(80), protocol: fc.constant("HTTP"), allowedRoutes }),
  fc.record({
    name: fc.constant("https"),
    port: fc.constant(443),
    protocol: fc.constant("HTTPS"),
    allowedRoutes,
    tls: fc.record({ certificateRefs: fc.constant([{ name: "cert", namespace: "a" }]) }),
  }),
);

function meta(name: string, namespace: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    creationTimestamp: "2026-01-01T00:00:00Z",
    generation: 1,
    uid: `${namespace}-${name}`,
    ...extra,
  };
}

/** Each slot is one object identity; `undefined` means the object does not exist. */
const slots = {
  "GatewayClass//alb": fc.option(
    fc.constantFrom("switchyard.dev/alb", "switchyard.dev/nlb").map((controllerName) => ({
      apiVersion: GW,
      kind: "GatewayClass",
      metadata: meta("alb", undefined),
      spec: { controllerName },
    })),
    { nil: undefined },
  ),
  "Gateway/a/g1": fc.option(
    fc.array(listener, { minLength: 1, maxLength: 2 }).map((listeners) => ({
      apiVersion: GW,
      kind: "Gateway",
      metadata: meta("g1", "a"),
      spec: { gatewayClassName: "alb", listeners, allowedListeners: { namespaces: { from: "All" } } },
    })),
    { nil: undefined },
  ),
  "Gateway/b/g2": fc.option(
    fc.array(listener, { minLength: 1, maxLength: 2 }).map((listeners) => ({
      apiVersion: GW,
      kind: "Gateway",
      metadata: meta("g2", "b"),
      spec: { gatewayClassName: "alb", listeners },
    })),
    { nil: undefined },
  ),
  "ListenerSet/a/ls1": fc.option(
    fc.record({ port: fc.constantFrom(8080, 80) }).map(({ port }) => ({
      apiVersion: GW,
      kind: "ListenerSet",
      metadata: meta("ls1", "a"),
      spec: { parentRef: { name: "g1" }, listeners: [{ name: "extra", port, protocol: "HTTP" }] },
    })),
    { nil: undefined },
  ),
  ...Object.fromEntries(
    [
      ["a", "r1"],
      ["b", "r2"],
      ["b", "r3"],
    ].map(([namespace = "", name = ""]) => [
      `HTTPRoute/${namespace}/${name}`,
      fc.option(
        fc
          .record({
            parentRefs: fc.array(parentRef, { maxLength: 2 }),
            backendRefs: fc.array(backendRef, { maxLength: 2 }),
            path: fc.constantFrom("/", "/x"),
          })
          .map((r) => ({
            apiVersion: GW,
            kind: "HTTPRoute",
            metadata: meta(name, namespace),
            spec: {
              parentRefs: r.parentRefs,
              rules: [{ matches: [{ path: { type: "PathPrefix", value: r.path } }], backendRefs: r.backendRefs }],
            },
          })),
        { nil: undefined },
      ),
    ]),
  ),
  ...Object.fromEntries(
    NAMESPACES.flatMap((namespace) =>
      ["svc1", "svc2"].flatMap((name) => [
        [
          `Service/${namespace}/${name}`,
          fc.option(
            fc.constantFrom(80, 8080).map((port) => ({
              apiVersion: "v1",
              kind: "Service",
              metadata: meta(name, namespace),
              spec: { type: "NodePort", ports: [{ port, targetPort: 9000, nodePort: 30000 + port }] },
            })),
            { nil: undefined },
          ),
        ],
        [
          `EndpointSlice/${namespace}/${name}-x`,
          fc.option(
            fc.record({ ip: fc.constantFrom("10.0.0.1", "10.0.0.2"), ready: fc.boolean() }).map(({ ip, ready }) => ({
              apiVersion: "discovery.k8s.io/v1",
              kind: "EndpointSlice",
              metadata: meta(`${name}-x`, namespace, { labels: { "kubernetes.io/service-name": name } }),
              addressType: "IPv4",
              ports: [{ port: 9000 }],
              endpoints: [{ addresses: [ip], conditions: { ready } }],
            })),
            { nil: undefined },
          ),
        ],
      ]),
    ),
  ),
  ...Object.fromEntries(
    NAMESPACES.map((namespace) => [
      `Namespace//${namespace}`,
      labels.map((l) => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: meta(namespace, undefined, l ? { labels: l } : {}),
      })),
    ]),
  ),
  ...Object.fromEntries(
    ["n1", "n2"].map((name, i) => [
      `Node//${name}`,
      fc.option(
        fc.record({ pool: fc.constantFrom("x", "y"), ready: fc.boolean() }).map(({ pool, ready }) => ({
          apiVersion: "v1",
          kind: "Node",
          metadata: meta(name, undefined, { labels: { pool } }),
          spec: { providerID: `aws:///us-east-1a/i-0000000000000000${i}` },
          status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
        })),
        { nil: undefined },
      ),
    ]),
  ),
  "TargetGroupConfiguration/a/svc1": fc.option(
    fc
      .record({ targetType: fc.constantFrom("instance", "ip"), selector: fc.boolean() })
      .map(({ targetType, selector }) => ({
        apiVersion: "gateway.k8s.aws/v1beta1",
        kind: "TargetGroupConfiguration",
        metadata: meta("svc1", "a"),
        spec: {
          targetReference: { name: "svc1" },
          defaultConfiguration: {
            targetType,
            ...(selector && targetType === "instance" ? { nodeSelector: { matchLabels: { pool: "x" } } } : {}),
          },
        },
      })),
    { nil: undefined },
  ),
  "ReferenceGrant/b/allow-a": fc.option(
    fc.constant({
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "ReferenceGrant",
      metadata: meta("allow-a", "b"),
      spec: {
        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "a" }],
        to: [{ group: "", kind: "Service" }],
      },
    }),
    { nil: undefined },
  ),
  "Secret/a/cert": fc.option(
    fc.constantFrom("kubernetes.io/tls", "Opaque").map((type) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("cert", "a"),
      type,
      acmCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/abc",
    })),
    { nil: undefined },
  ),
} as Record<string, fc.Arbitrary<KubeObject | undefined>>;

const world = fc.record(slots);
const SLOT_NAMES = Object.keys(slots);

function snapshotFrom(state: Record<string, KubeObject | undefined>): Snapshot {
  return snapshotOf(Object.values(state).filter((o): o is KubeObject => o !== undefined));
}

/** Everything of one Gateway in a translation, as comparable text. */
function outputsByGateway(snapshot: Snapshot): Map<string, string> {
  const translation = translate(snapshot, config, { clusterId: CLUSTER });
  const listenerSetParent = new Map(
    snapshot.listenerSets.map((s) => [
      `${s.metadata.namespace}/${s.metadata.name}`,
      `${s.spec?.parentRef.namespace ?? s.metadata.namespace}/${s.spec?.parentRef.name}`,
    ]),
  );
  const parts = new Map<string, unknown[]>();
  const add = (gateway: string | undefined, part: unknown) => {
    if (gateway === undefined) return;
    const list = parts.get(gateway) ?? [];
    list.push(part);
    parts.set(gateway, list);
  };
  for (const build of translation.loadBalancers) add(build.model.gatewayKey, build);
  for (const status of translation.statuses) {
    if (status.kind === "Gateway" && "namespace" in status) add(`${status.namespace}/${status.name}`, status);
    else if (status.kind === "ListenerSet" && "namespace" in status)
      add(listenerSetParent.get(`${status.namespace}/${status.name}`), status);
    else if ("parents" in status) {
      for (const parent of status.parents) {
        const ref = parent.parentRef;
        const key = `${ref.namespace ?? status.namespace}/${ref.name}`;
        add(ref.kind === "ListenerSet" ? listenerSetParent.get(key) : key, {
          route: `${status.kind}/${status.namespace}/${status.name}`,
          parent,
        });
      }
    }
  }
  const replacer = (_: string, value: unknown) => (value instanceof Map ? [...value.entries()] : value);
  return new Map([...parts].map(([gateway, list]) => [gateway, JSON.stringify(list, replacer)]));
}

/** One object changed: every Gateway whose output differs must be affected. */
function checkSound(anchors: Record<string, KubeObject>, slotNames: readonly string[], numRuns: number): void {
  fc.assert(
    fc.property(world, world, fc.constantFrom(...slotNames), (generated, variant, slot) => {
      const before = { ...generated, ...anchors };
      const after = { ...before, [slot]: variant[slot] };
      const kind = slot.split("/")[0] ?? "";
      const beforeOutputs = outputsByGateway(snapshotFrom(before));
      const afterWorld = snapshotFrom(after);
      const afterOutputs = outputsByGateway(afterWorld);
      const changed = [...new Set([...beforeOutputs.keys(), ...afterOutputs.keys()])].filter(
        (gateway) => beforeOutputs.get(gateway) !== afterOutputs.get(gateway),
      );
      const affected = affectedGateways(CLUSTER, { kind, before: before[slot], after: after[slot] }, afterWorld);
      for (const gateway of changed) {
        const [namespace = "", name = ""] = gateway.split("/");
        expect(affected, `${slot} changed ${gateway}`).toContain(clusterGatewayKey(CLUSTER, namespace, name));
      }
    }),
    { numRuns },
  );
}

/** An ALB Gateway in `a` taking routes from every namespace, with a route that uses Services by name. */
const ATTACHED: Record<string, KubeObject> = {
  "GatewayClass//alb": {
    apiVersion: GW,
    kind: "GatewayClass",
    metadata: meta("alb", undefined),
    spec: { controllerName: "switchyard.dev/alb" },
  },
  "Gateway/a/g1": {
    apiVersion: GW,
    kind: "Gateway",
    metadata: meta("g1", "a"),
    spec: {
      gatewayClassName: "alb",
      listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }],
    },
  },
  "HTTPRoute/b/r2": {
    apiVersion: GW,
    kind: "HTTPRoute",
    metadata: meta("r2", "b"),
    spec: {
      parentRefs: [{ name: "g1", namespace: "a" }],
      rules: [
        {
          backendRefs: [
            { name: "svc1", port: 80 },
            { name: "svc2", namespace: "a", port: 80 },
          ],
        },
      ],
    },
  } as KubeObject,
};

/** ATTACHED, with a route of `a` to a/svc1: the Service a TargetGroupConfiguration slot configures. */
const ATTACHED_INSTANCE: Record<string, KubeObject> = {
  ...ATTACHED,
  "HTTPRoute/a/r1": {
    apiVersion: GW,
    kind: "HTTPRoute",
    metadata: meta("r1", "a"),
    spec: { parentRefs: [{ name: "g1" }], rules: [{ backendRefs: [{ name: "svc1", port: 80 }] }] },
  } as KubeObject,
};

// The worlds are large enough that a loaded machine needs more than vitest's default 5 s.
const PROPERTY_TIMEOUT_MS = 60_000;

describe("affectedGateways is sound against translate", () => {
  test("for any object of a random small cluster", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    checkSound({}, SLOT_NAMES, 1500);
  });

  test("for Nodes, TargetGroupConfigurations and Services behind an attached route", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const nodeSlots = SLOT_NAMES.filter((slot) => /^(Node|TargetGroupConfiguration|Service)\//.test(slot));
    checkSound(ATTACHED_INSTANCE, nodeSlots, 300);
  });

  test("for Services, EndpointSlices, ReferenceGrants and Namespaces behind an attached route", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const backendSlots = SLOT_NAMES.filter((slot) => /^(Service|EndpointSlice|ReferenceGrant|Namespace)\//.test(slot));
    checkSound(ATTACHED, backendSlots, 500);
  });
});

/**
 * Ingest reads only part of the cluster (affected-world.ts): over that part, affectedGateways must
 * give exactly the answer it gives over the whole cluster, with the backend index (filed as ingest
 * files it: every route version, old entries possibly left over) and without it.
 */
describe("the part of the cluster ingest reads answers as the whole cluster does", () => {
  test("for one change of any object of a random small cluster", async () => {
    await fc.assert(
      fc.asyncProperty(
        world,
        world,
        fc.constantFrom(...SLOT_NAMES),
        fc.boolean(),
        async (generated, variant, slot, indexed) => {
          const before = generated;
          const after = { ...before, [slot]: variant[slot] };
          const kind = slot.split("/")[0] ?? "";
          const mirror = new MemoryObjectMirror();
          const index = new MemoryBackendIndex();
          for (const object of Object.values(after)) {
            if (object === undefined) continue;
            const ref = {
              cluster: CLUSTER,
              kind: mirroredKind(object.kind),
              name: object.metadata.name,
              ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
            };
            await mirror.upsert(ref, "uid", 1n, object as never);
          }
          for (const object of [...Object.values(before), ...Object.values(after)]) {
            if (object === undefined || !/Route$/.test(object.kind)) continue;
            await index.add(CLUSTER, indexedRouteOf(object as Route), routeBackends(object as Route));
          }
          await index.markComplete(CLUSTER);
          const change = { kind, before: before[slot], after: after[slot] };
          const whole = affectedGateways(CLUSTER, change, snapshotFrom(after));
          const part = await worldFor(CLUSTER, [change], mirror, indexed ? index : undefined);
          expect([...affectedGateways(CLUSTER, change, part)].sort()).toEqual([...whole].sort());
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);
});
