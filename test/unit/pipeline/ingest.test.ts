// The ingest rules on in-memory ports: authentication, rejection, retry order, coalescing.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, test } from "vitest";
import { type ChangeEvent, encodeEvent, type ObjectEvent } from "../../../shared/events/index.ts";
import { MemoryBackendIndex } from "../../../shared/mirror/backend-index.ts";
import { MemoryObjectMirror } from "../../../shared/mirror/memory/object-mirror.ts";
import { MemoryDirtyGenerations } from "../../../shared/pipeline/dirty-generation.ts";
import {
  type IngestPorts,
  type IngestRecord,
  ingestBatch,
  type RejectReason,
  senderMatches,
} from "../../../shared/pipeline/ingest.ts";
import type { ReconcileRequest } from "../../../shared/pipeline/reconcile-request.ts";

const ROLE = "AROAEXAMPLEROLEID0001";
const SENDER = `${ROLE}:forwarder-session`;

function upsert(
  kind: string,
  name: string,
  rv: number,
  extra: Record<string, unknown> = {},
  namespace = "default",
): ChangeEvent {
  const group = kind === "Gateway" || kind === "HTTPRoute" ? "gateway.networking.k8s.io" : "";
  return {
    schemaVersion: 1,
    clusterId: "c1",
    kind: { group, version: "v1", kind },
    op: "upsert",
    namespace,
    name,
    uid: `uid-${name}`,
    resourceVersion: String(rv),
    object: {
      apiVersion: group ? `${group}/v1` : "v1",
      kind,
      metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: String(rv) },
      ...extra,
    },
  };
}

// Each version changes the spec (a status-only change would reach no Gateway: affected.ts).
const gateway = (rv: number) =>
  upsert("Gateway", "web", rv, {
    spec: { gatewayClassName: "alb", listeners: [], infrastructure: { annotations: { revision: String(rv) } } },
  });

let ports: IngestPorts & {
  sent: ReconcileRequest[];
  dead: { id: string; reason: RejectReason; body?: string }[];
  s3: Map<string, Uint8Array>;
  failWrites: boolean;
};
let seq = 0;
function record(event: ChangeEvent | string, senderId: string | undefined = SENDER, group?: string): IngestRecord {
  seq++;
  const body = typeof event === "string" ? event : encodeEvent(event);
  return {
    messageId: `m${seq}`,
    body,
    senderId,
    messageGroupId:
      group ?? (typeof event === "string" ? "g" : `${event.kind.kind}/${"name" in event ? event.name : ""}`),
  };
}

beforeEach(() => {
  const mirror = new MemoryObjectMirror();
  const sent: ReconcileRequest[] = [];
  const dead: { id: string; reason: RejectReason; body?: string }[] = [];
  const s3 = new Map<string, Uint8Array>();
  const state = {
    mirror,
    senders: { principalOf: async (cluster: string) => (cluster === "c1" ? ROLE : undefined) },
    dirty: new MemoryDirtyGenerations(),
    reconcileQueue: { send: async (requests: readonly ReconcileRequest[]) => void sent.push(...requests) },
    claimChecks: { fetch: async (check: { key: string }) => s3.get(check.key) ?? new Uint8Array() },
    deadLetters: {
      send: async (r: IngestRecord, reason: RejectReason) => void dead.push({ id: r.messageId, reason, body: r.body }),
    },
    observer: { ingested() {}, stale() {}, rejected() {}, transientFailure() {}, reconcileRequestsSent() {} },
    now: () => 0,
    sent,
    dead,
    s3,
    failWrites: false,
  };
  const upsertReal = mirror.upsert.bind(mirror);
  mirror.upsert = async (...args) => {
    if (state.failWrites && args[0].name === "fails") throw new Error("ProvisionedThroughputExceededException");
    return upsertReal(...args);
  };
  ports = state;
});

describe("sender authentication", () => {
  test("a role's SenderId matches its unique id with any session; a user's must match exactly", () => {
    expect(senderMatches(`${ROLE}:s1`, ROLE)).toBe(true);
    expect(senderMatches("AROAOTHER:s1", ROLE)).toBe(false);
    expect(senderMatches(`${ROLE}X:s1`, ROLE)).toBe(false);
    expect(senderMatches("AIDAUSER", "AIDAUSER")).toBe(true);
    expect(senderMatches(undefined, ROLE)).toBe(false);
  });

  test("an event for a cluster its sender is not registered for is dead-lettered, not applied, not retried", async () => {
    const spoofed = record(gateway(1), "AROAOTHERROLE:session");
    expect(await ingestBatch([spoofed], ports)).toEqual({ batchItemFailures: [] });
    expect(ports.dead).toMatchObject([{ id: spoofed.messageId, reason: "sender-mismatch" }]);
    expect(await ports.mirror.loadCluster("c1")).toEqual([]);
  });

  test("an unregistered cluster is dead-lettered", async () => {
    const event = { ...gateway(1), clusterId: "c9" };
    const r = record(event);
    await ingestBatch([r], ports);
    expect(ports.dead).toMatchObject([{ id: r.messageId, reason: "unregistered-cluster" }]);
  });
});

describe("rejections", () => {
  test("a malformed body and an unknown schema version are dead-lettered with their reason", async () => {
    const malformed = record("{not json");
    const future = record(JSON.stringify({ ...gateway(1), schemaVersion: 2 }));
    expect((await ingestBatch([malformed, future], ports)).batchItemFailures).toEqual([]);
    expect(ports.dead.map((d) => d.reason)).toEqual(["malformed", "unknown-schema-version"]);
  });

  test("a rejected event keeps no Secret key material in the dead-letter queue; other bodies are kept verbatim", async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls", namespace: "apps", uid: "u-1", resourceVersion: "5" },
      type: "kubernetes.io/tls",
      data: { "tls.key": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t" },
      stringData: { password: "hunter2" },
    };
    // A broken forwarder's event: an unknown top-level field makes it malformed.
    const leaky = record(
      JSON.stringify({
        schemaVersion: 1,
        clusterId: "c1",
        kind: { group: "", version: "v1", kind: "Secret" },
        op: "upsert",
        namespace: "apps",
        name: "tls",
        uid: "u-1",
        resourceVersion: "5",
        object: secret,
        extra: true,
      }),
    );
    const notJson = record("{not json");
    await ingestBatch([leaky, notJson], ports);
    expect(ports.dead.map((d) => d.id)).toEqual([leaky.messageId, notJson.messageId]);
    const kept = ports.dead[0]?.body ?? "";
    expect(kept).not.toContain("LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t");
    expect(kept).not.toContain("hunter2");
    expect(JSON.parse(kept)).toMatchObject({ extra: true, object: { kind: "Secret", type: "kubernetes.io/tls" } });
    expect(ports.dead[1]?.body).toBe("{not json");
  });

  test("a rejected body nested too deeply to check for Secrets is withheld from the DLQ, named by size and sha256", async () => {
    const deep = record(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    expect((await ingestBatch([deep], ports)).batchItemFailures).toEqual([]);
    expect(JSON.parse(ports.dead[0]?.body ?? "")).toEqual({
      withheld: expect.stringContaining("nested deeper than 64 levels"),
      bytes: 10000,
      sha256: createHash("sha256").update(deep.body).digest("hex"),
    });
  });

  test("a claim check whose bytes do not match its sha256 is dead-lettered; a matching one is applied", async () => {
    const full = Buffer.from(encodeEvent(gateway(3)));
    const sha256 = createHash("sha256").update(full).digest("hex");
    const { object: _object, ...envelope } = gateway(3) as ChangeEvent & { object: unknown };
    ports.s3.set("good", full);
    ports.s3.set("bad", Buffer.from(encodeEvent(gateway(4))));
    const bad = record(
      encodeEvent({ ...envelope, claimCheck: { bucket: "b", key: "bad", sha256, size: full.length } } as ChangeEvent),
    );
    const good = record(
      encodeEvent({ ...envelope, claimCheck: { bucket: "b", key: "good", sha256, size: full.length } } as ChangeEvent),
    );
    await ingestBatch([bad, good], ports);
    expect(ports.dead).toMatchObject([{ id: bad.messageId, reason: "claim-check-invalid" }]);
    expect(
      (await ports.mirror.get({ cluster: "c1", kind: "Gateway", namespace: "default", name: "web" }))?.resourceVersion,
    ).toBe(3n);
  });
});

describe("batches", () => {
  test("50 events for one Gateway in one batch send one ReconcileRequest", async () => {
    const burst = Array.from({ length: 50 }, (_, i) => record(gateway(i + 1)));
    await ingestBatch(burst, ports);
    expect(ports.sent).toEqual([
      { version: 1, gatewayKey: "c1/default/web", reason: "change", generation: 1, cause: expect.any(String) },
    ]);
  });

  test("a transient failure fails its record and every later record of its group, and only those", async () => {
    ports.failWrites = true;
    const first = record(upsert("Service", "ok", 1), SENDER, "group-a");
    const failing = record(upsert("Service", "fails", 1), SENDER, "group-a");
    const later = record(upsert("Service", "ok2", 2), SENDER, "group-a");
    const other = record(upsert("Service", "other", 1), SENDER, "group-b");
    const result = await ingestBatch([first, failing, later, other], ports);
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: failing.messageId },
      { itemIdentifier: later.messageId },
    ]);
    expect((await ports.mirror.listKind("c1", "Service")).map((o) => o.ref.name).sort()).toEqual(["ok", "other"]);
  });

  test("a failed announce fails the records that changed the mirror, and their retry still announces", async () => {
    const send = ports.reconcileQueue.send;
    ports.reconcileQueue.send = async () => {
      throw new Error("SQS unavailable");
    };
    const r = record(gateway(1));
    expect((await ingestBatch([r], ports)).batchItemFailures).toEqual([{ itemIdentifier: r.messageId }]);
    ports.reconcileQueue.send = send;
    expect((await ingestBatch([r], ports)).batchItemFailures).toEqual([]);
    expect(ports.sent.map((s) => s.gatewayKey)).toEqual(["c1/default/web"]);
  });
});

describe("coalescing across batches", () => {
  const key = "c1/default/web" as never;
  const finish = (generation: number) =>
    ports.dirty.finish(key, { startedGeneration: generation, startedAt: 0, notBefore: 0, intervalMs: 0, now: 0 });

  test("while a request is pending, later batches only bump the generation; after the reconcile, the next sends one", async () => {
    await ingestBatch([record(gateway(1))], ports);
    await ingestBatch([record(gateway(2))], ports);
    await ingestBatch([record(gateway(3))], ports);
    expect(ports.sent.map((r) => r.generation)).toEqual([1]);
    expect((await ports.dirty.read(key)).generation).toBe(3);
    // The reconcile started at generation 3 and nothing moved since: nothing stays pending.
    expect(await finish(3)).toEqual({ moved: false });
    await ingestBatch([record(gateway(4))], ports);
    expect(ports.sent.map((r) => r.generation)).toEqual([1, 4]);
  });

  test("a bump that fails after another Gateway's was marked leaves no marker behind: the retry sends both", async () => {
    const bumpReal = ports.dirty.bump.bind(ports.dirty);
    let failOnce = true;
    ports.dirty.bump = async (gatewayKey, change) => {
      if (gatewayKey === ("c1/default/b" as never) && failOnce) {
        failOnce = false;
        throw new Error("ThrottlingException");
      }
      return bumpReal(gatewayKey, change);
    };
    const batch = [record(upsert("Gateway", "a", 1)), record(upsert("Gateway", "b", 1))];
    expect((await ingestBatch(batch, ports)).batchItemFailures).toHaveLength(2);
    expect(ports.sent).toEqual([]);
    // The retry: the mirror writes are stale now, and stale events still announce.
    await ingestBatch(batch, ports);
    expect(ports.sent.map((r) => r.gatewayKey).sort()).toEqual(["c1/default/a", "c1/default/b"]);
  });

  test("a redelivered record resends the request its earlier attempt marked pending but neither sent nor cleared", async () => {
    const sendReal = ports.reconcileQueue.send.bind(ports.reconcileQueue);
    const abandonReal = ports.dirty.abandon.bind(ports.dirty);
    let broken = true;
    ports.reconcileQueue.send = async (requests) => {
      if (broken) throw new Error("ServiceUnavailable");
      return sendReal(requests);
    };
    ports.dirty.abandon = async (gatewayKey, since) => {
      if (broken) throw new Error("ThrottlingException");
      return abandonReal(gatewayKey, since);
    };
    const first = record(gateway(1));
    expect((await ingestBatch([first], ports)).batchItemFailures).toHaveLength(1);
    broken = false;
    expect((await ports.dirty.read(key)).pendingSince).toBeDefined();
    // Another record's change is covered by that marker: no request of its own.
    await ingestBatch([record(gateway(2))], ports);
    expect(ports.sent).toEqual([]);
    // The owner's redelivery sends the request that never went out.
    await ingestBatch([first], ports);
    expect(ports.sent.map((r) => r.generation)).toEqual([3]);
  });

  test("a redelivered record whose request already went out sends none", async () => {
    const first = record(gateway(1));
    await ingestBatch([first], ports);
    expect(ports.sent.map((r) => r.generation)).toEqual([1]);
    await ingestBatch([first], ports);
    expect(ports.sent.map((r) => r.generation)).toEqual([1]);
    expect((await ports.dirty.read(key)).generation).toBe(2);
  });

  test("a redelivery after the reconciler took the marker over (a requeue) sends none", async () => {
    const first = record(gateway(1));
    await ingestBatch([first], ports);
    await ingestBatch([record(gateway(2))], ports);
    expect(await finish(1)).toEqual({ moved: true, generation: 2 });
    await ingestBatch([first], ports);
    expect(ports.sent.map((r) => r.generation)).toEqual([1]);
  });

  test("a route change is urgent; an EndpointSlice change is not", async () => {
    const route = upsert("HTTPRoute", "r", 1, {
      spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
    });
    await ingestBatch([record(gateway(1)), record(route)], ports);
    const urgent = (await ports.dirty.read(key)).urgentGeneration;
    await ingestBatch([record(slice(2))], ports);
    const after = await ports.dirty.read(key);
    expect(after.generation).toBe(urgent + 1);
    expect(after.urgentGeneration).toBe(urgent);
  });

  const slice = (rv: number) =>
    upsert("EndpointSlice", "svc-x", rv, {
      metadata: {
        name: "svc-x",
        namespace: "default",
        uid: "uid-svc-x",
        resourceVersion: String(rv),
        labels: { "kubernetes.io/service-name": "svc" },
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [`10.0.0.${rv}`] }],
    });

  test("an EndpointSlice change finds its Gateway through the backend index, reading neither the cluster nor any kind", async () => {
    ports.backendIndex = new MemoryBackendIndex();
    const route = upsert("HTTPRoute", "r", 1, {
      spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
    });
    await ingestBatch([record(gateway(1)), record(route)], ports);
    // The first lookup files the routes the mirror already holds and marks the index complete.
    await ingestBatch([record(slice(2))], ports);
    await finish((await ports.dirty.read(key)).generation);
    const reads: string[] = [];
    const mirror = ports.mirror;
    ports.mirror = Object.assign(Object.create(mirror) as typeof mirror, {
      loadCluster: async (cluster: string) => {
        reads.push("loadCluster");
        return mirror.loadCluster(cluster);
      },
      listKind: async (cluster: string, kind: never) => {
        reads.push(`listKind ${kind}`);
        return mirror.listKind(cluster, kind);
      },
    });
    await ingestBatch([record(slice(3))], ports);
    expect(reads).toEqual([]);
    expect(ports.sent.at(-1)).toEqual(expect.objectContaining({ gatewayKey: key, reason: "change" }));
  });

  test("a route that stops naming a backend is filed under it no more", async () => {
    const index = new MemoryBackendIndex();
    ports.backendIndex = index;
    const named = (rv: number, service: string) =>
      upsert("HTTPRoute", "r", rv, {
        spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: service, port: 80 }] }] },
      });
    await ingestBatch([record(named(1, "svc"))], ports);
    expect(await index.routes("c1", { namespace: "default", name: "svc" })).toEqual([
      { kind: "HTTPRoute", namespace: "default", name: "r" },
    ]);
    await ingestBatch([record(named(2, "other"))], ports);
    expect(await index.routes("c1", { namespace: "default", name: "svc" })).toEqual([]);
    expect(await index.routes("c1", { namespace: "default", name: "other" })).toHaveLength(1);
  });
});

describe("a GatewayClass no Gateway uses", () => {
  const gatewayClass = (rv: number): ChangeEvent => ({
    schemaVersion: 1,
    clusterId: "c1",
    kind: { group: "gateway.networking.k8s.io", version: "v1", kind: "GatewayClass" },
    op: "upsert",
    name: "alb",
    uid: "uid-alb",
    resourceVersion: String(rv),
    object: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: "alb", uid: "uid-alb", resourceVersion: String(rv) },
      spec: { controllerName: "switchyard.dev/alb" },
    },
  });

  test("gets a class-status request of its own, one per change of the class", async () => {
    await ingestBatch([record(gatewayClass(5))], ports);
    expect(ports.sent).toEqual([
      expect.objectContaining({ gatewayKey: "c1/gatewayclass/alb", reason: "class-status", generation: 5 }),
    ]);
  });

  test("used by a Gateway, it is that Gateway's reconcile that writes its status", async () => {
    await ingestBatch([record(gateway(1))], ports);
    ports.sent.length = 0;
    await ingestBatch([record(gatewayClass(6))], ports);
    expect(ports.sent).toEqual([]);
    expect((await ports.dirty.read("c1/default/web" as never)).generation).toBe(2);
  });
});

describe("retractions", () => {
  const secret = (rv: number) => upsert("Secret", "tls", rv, { type: "kubernetes.io/tls" });
  const secretRef = { cluster: "c1", kind: "Secret" as const, namespace: "default", name: "tls" };
  const withdrawn = (event: ChangeEvent, retraction: boolean): ChangeEvent =>
    event.op === "snapshot" ? event : { ...event, op: "delete", ...(retraction ? { retraction: true } : {}) };

  test("a Secret retracted and then re-sent unchanged is in the mirror again", async () => {
    await ingestBatch([record(secret(5))], ports);
    await ingestBatch([record(withdrawn(secret(5), true))], ports);
    expect(await ports.mirror.get(secretRef)).toBeUndefined();
    await ingestBatch([record(secret(5))], ports);
    expect((await ports.mirror.get(secretRef))?.resourceVersion).toBe(5n);
  });

  test("a real delete at the same version keeps the re-sent upsert out", async () => {
    await ingestBatch([record(secret(5))], ports);
    await ingestBatch([record(withdrawn(secret(5), false))], ports);
    await ingestBatch([record(secret(5))], ports);
    expect(await ports.mirror.get(secretRef)).toBeUndefined();
  });

  test("a Secret snapshot taken before a new reference, ingested after its upsert, leaves the Secret in place", async () => {
    const snapshot = (gatewayWatch: number): ChangeEvent => ({
      schemaVersion: 1,
      clusterId: "c1",
      kind: { group: "", version: "v1", kind: "Secret" },
      op: "snapshot",
      snapshotId: `s-${gatewayWatch}`,
      resourceVersion: "50",
      items: [],
      referrerVersions: [{ kind: "Gateway", resourceVersion: String(gatewayWatch) }],
    });
    const referenced = {
      ...(secret(5) as ObjectEvent),
      referencedBy: { kind: "Gateway", namespace: "default", resourceVersion: "60" },
    };
    await ingestBatch([record(referenced)], ports);
    await ingestBatch([record(snapshot(55))], ports);
    expect((await ports.mirror.get(secretRef))?.resourceVersion).toBe(5n);
    // A snapshot whose Gateway watch had seen the reference speaks for it: the Secret is unreferenced.
    await ingestBatch([record(snapshot(60))], ports);
    expect(await ports.mirror.get(secretRef)).toBeUndefined();
  });

  test("a claim-checked retraction must say it is one in its envelope too", async () => {
    const stored = withdrawn(secret(5), true);
    const bytes = new TextEncoder().encode(encodeEvent(stored));
    ports.s3.set("k", bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const { object: _object, retraction: _marker, ...envelope } = stored as Extract<ChangeEvent, { object: unknown }>;
    await ingestBatch(
      [record({ ...envelope, claimCheck: { bucket: "b", key: "k", sha256, size: bytes.length } })],
      ports,
    );
    expect(ports.dead.map((d) => d.reason)).toEqual(["claim-check-invalid"]);
  });
});
