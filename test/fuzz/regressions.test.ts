/**
 * The bugs the fuzz suites found, each pinned by the smallest input that showed it, so they stay
 * fixed however the generators change.
 */
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { emptyObserved } from "../../shared/elb/observed.ts";
import { DecodeError, decodeObservedElb } from "../../shared/elb/observed-codec.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { type ChangeEvent, encodeEvent } from "../../shared/events/index.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { MemoryObjectMirror } from "../../shared/mirror/memory/object-mirror.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { type IngestPorts, type IngestRecord, ingestBatch, type RejectReason } from "../../shared/pipeline/ingest.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { simulate } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";

const WORLD = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
`;

function modelOf(text: string): LoadBalancerModel {
  const [build] = translate(snapshotOf(loadManifests(text, "world.yaml").objects), controllerConfig()).loadBalancers;
  if (!build) throw new Error("no load balancer");
  return build.model;
}

describe("core objects of any shape reach translation without a throw", () => {
  it("skips ports, endpoints and addresses of the wrong shape and keeps the well-formed ones", () => {
    const malformed = `${WORLD}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [null, {port: "8080"}, {port: 8080, appProtocol: 7}, {port: 8080, name: http}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [null, {name: http, port: 8080}]
endpoints:
- null
- {addresses: {}}
- {addresses: [7, 10.0.0.1], conditions: 5, zone: {}}
- {addresses: 10.0.0.2}
`;
    const translation = translate(snapshotOf(loadManifests(malformed, "m.yaml").objects), controllerConfig());
    const [build] = translation.loadBalancers;
    expect(build?.model.targetGroups.flatMap((tg) => tg.targets)).toEqual([{ id: "10.0.0.1", port: 8080 }]);
  });
});

describe("nesting deeper than any field of a kind", () => {
  // In the CLI's main thread, YAML of some 2,000 levels parsed, then copying it for defaults
  // overflowed the stack and the object was refused as "could not be checked", naming no field.
  // The depth limit refuses it before that, at its field, whatever the stack size.
  it("is refused at the field where it gets too deep, and the documents around it load", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100; i++) deep = { a: deep };
    const gateway = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "deep", namespace: "apps" },
      spec: { gatewayClassName: "alb", listeners: [], extra: deep },
    };
    const loaded = loadManifests(`${WORLD}---\n${JSON.stringify(gateway)}`, "deep.yaml");
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(["alb", "gw", "web"]);
    expect(loaded.rejected).toEqual([]);
    expect(loaded.problems).toEqual([
      {
        source: "deep.yaml",
        document: 3,
        object: { kind: "Gateway", name: "deep", namespace: "apps" },
        field: `spec.extra${".a".repeat(62)}`,
        message: "nested more than 64 levels deep; no field of a Gateway is",
      },
    ]);
  });
});

describe("a field whose name is empty", () => {
  it('is named in the problem as [""], not as an empty path', () => {
    const gateway = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "gw", namespace: "apps" },
      spec: { gatewayClassName: "alb", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
      "": "",
    };
    const [rejected] = loadManifests(JSON.stringify(gateway), "empty-key.yaml").rejected;
    expect(rejected?.problems.map((p) => [p.field, p.message])).toEqual([['[""]', 'unknown field ""']]);
  });
});

describe("a list far over its maxItems", () => {
  // 2,278 empty parentRefs took 9 s to validate (the uniqueness rules compare entries pairwise):
  // a large enough file made the CLI hang. Over maxItems the list is refused without its rules.
  it("is refused for its length and its entries, without the pairwise rules", () => {
    const parentRefs = Array.from({ length: 200 }, () => ({}));
    const route = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "many", namespace: "apps" },
      spec: { parentRefs },
    };
    const [rejected] = loadManifests(JSON.stringify(route), "many.yaml").rejected;
    const problems = rejected?.problems ?? [];
    expect(problems.filter((p) => p.field === "spec.parentRefs")).toEqual([
      expect.objectContaining({ message: "must have at most 32 items (got 200)" }),
    ]);
    expect(problems.filter((p) => p.field !== "spec.parentRefs").map((p) => p.message)).toEqual(
      Array.from({ length: 200 }, () => "required field is missing"),
    );
  });
});

describe("ingest of an object with a field of the wrong type", () => {
  const ROLE = "AROAREGRESSIONROLE01";
  const route = (parentRefs: unknown): ChangeEvent => ({
    schemaVersion: 1,
    clusterId: "c1",
    kind: { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute" },
    op: "upsert",
    namespace: "apps",
    name: "web",
    uid: "uid-web",
    resourceVersion: "5",
    object: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "web", namespace: "apps", uid: "uid-web", resourceVersion: "5" },
      spec: { parentRefs },
    },
  });

  it("dead-letters it as malformed, naming the field, instead of failing the batch for a retry", async () => {
    const mirror = new MemoryObjectMirror();
    const dead: { reason: RejectReason; detail: string }[] = [];
    const retried: unknown[] = [];
    const ports: IngestPorts = {
      mirror,
      senders: { principalOf: async (cluster) => (cluster === "c1" ? ROLE : undefined) },
      dirty: new MemoryDirtyGenerations(),
      reconcileQueue: { send: async () => {} },
      claimChecks: { fetch: async () => new Uint8Array() },
      deadLetters: { send: async (_record, reason, detail) => void dead.push({ reason, detail }) },
      observer: {
        ingested() {},
        stale() {},
        rejected() {},
        transientFailure: (_record, error) => void retried.push(error),
        reconcileRequestsSent() {},
      },
      now: () => 0,
    };
    const record: IngestRecord = {
      messageId: "m1",
      body: encodeEvent(route(1)),
      senderId: `${ROLE}:forwarder`,
      messageGroupId: "c1/HTTPRoute/apps/web",
    };
    expect(await ingestBatch([record], ports)).toEqual({ batchItemFailures: [] });
    expect(retried).toEqual([]);
    expect(dead).toEqual([{ reason: "malformed", detail: "object.spec.parentRefs: must be a list, got integer 1" }]);
    expect(await mirror.loadCluster("c1")).toEqual([]);
  });
});

describe("an observed state read back from JSON", () => {
  it("plans no change when it is what the model built: rules compare whatever their key order", () => {
    const model = modelOf(
      WORLD.replace(
        "  - backendRefs: [{name: web, port: 8080}]",
        "  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]",
      ),
    );
    let built = emptyObserved();
    const created = new Map<string, string>();
    for (const op of planElb(model, built).operations) built = simulate(built, op, created);
    const decoded = decodeObservedElb(JSON.parse(JSON.stringify(built)), "observed.json");
    expect(decoded.listeners.flatMap((l) => l.rules.flatMap((r) => r.actions.map((a) => a.type)))).toEqual([
      "redirect",
    ]);
    expect(planElb(model, decoded).operations).toEqual([]);
  });

  it("names a map entry whose key holds dots with the key quoted, so the path reads back", () => {
    const state = { listeners: [], targetGroups: [], strayLoadBalancers: [] };
    const lb = {
      arn: "arn:lb",
      name: "lb",
      type: "application",
      scheme: "internal",
      ipAddressType: "ipv4",
      subnets: [],
      securityGroups: [],
      attributes: { "idle_timeout.timeout_seconds": 60 },
    };
    expect(() => decodeObservedElb({ ...state, loadBalancer: lb }, "observed.json")).toThrow(
      new DecodeError("observed.json", 'loadBalancer.attributes["idle_timeout.timeout_seconds"]', "a string", 60),
    );
  });
});
