// The forwarder's pure pieces: backoff schedule, EndpointSlice coalescing, the Secret filter,
// relist diffing, claim-check decisions, the bounded buffer and configuration parsing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../forwarder/backoff.ts";
import { BoundedBuffer } from "../../../forwarder/buffer.ts";
import { Coalescer } from "../../../forwarder/coalescer.ts";
import { loadConfig } from "../../../forwarder/config.ts";
import { MAX_INLINE_BODY_BYTES, objectEvent, prepareMessage, snapshotEvent } from "../../../forwarder/messages.ts";
import { METRIC, Metrics } from "../../../forwarder/metrics.ts";
import { diffRelist, type KnownObject, snapshotItems } from "../../../forwarder/object-state.ts";
import { referencedSecrets, SecretReferenceTracker } from "../../../forwarder/secret-references.ts";
import { decodeEventJson } from "../../../shared/events/codec.ts";
import { messageDeduplicationId, messageGroupId } from "../../../shared/events/sqs-attributes.ts";
import { FakeClock } from "./fake-clock.ts";

describe("backoffDelay", () => {
  const policy = { initialMs: 100, maxMs: 10_000 };

  it("doubles per attempt, between half and all of the capped delay", () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 0.999999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0)).toBe(400);
    expect(backoffDelay(40, policy, () => 0)).toBe(5000);
  });

  it("stays within [cap/2, cap] for any attempt and random value", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const cap = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
        const delay = backoffDelay(attempt, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(cap / 2));
        expect(delay).toBeLessThanOrEqual(cap);
      }),
    );
  });
});

describe("Coalescer", () => {
  it("passes the first change at once and only the latest of a burst when the window ends", () => {
    const clock = new FakeClock();
    const passed: string[] = [];
    const coalescer = new Coalescer<string>(1000, clock, (item) => passed.push(item));
    coalescer.offer("a", "v1");
    for (let i = 2; i <= 50; i++) coalescer.offer("a", `v${i}`);
    expect(passed).toEqual(["v1"]);
    clock.advance(999);
    expect(passed).toEqual(["v1"]);
    clock.advance(1);
    expect(passed).toEqual(["v1", "v50"]);
  });

  it("yields at most one item per key per window over any offer schedule", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { minLength: 1, maxLength: 200 }), (gaps) => {
        const clock = new FakeClock();
        const passedAt: number[] = [];
        const coalescer = new Coalescer<number>(100, clock, () => passedAt.push(clock.now()));
        let last = 0;
        gaps.forEach((gap, i) => {
          clock.advance(gap);
          coalescer.offer("k", i);
          last = i;
        });
        clock.advance(1000);
        for (let i = 1; i < passedAt.length; i++) {
          expect((passedAt[i] ?? 0) - (passedAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(100);
        }
        expect(passedAt.length).toBeGreaterThan(0);
        expect(last).toBe(gaps.length - 1);
      }),
    );
  });

  it("passes the latest item eventually, and discard drops a held item", () => {
    const clock = new FakeClock();
    const passed: string[] = [];
    const coalescer = new Coalescer<string>(1000, clock, (item) => passed.push(item));
    coalescer.offer("a", "1");
    coalescer.offer("a", "2");
    coalescer.offer("b", "x");
    coalescer.discard("a");
    clock.advance(5000);
    expect(passed).toEqual(["1", "x"]);
  });
});

describe("referenced Secrets", () => {
  const gateway = {
    metadata: { namespace: "web" },
    spec: {
      listeners: [
        { name: "a", tls: { certificateRefs: [{ name: "cert" }, { name: "other", namespace: "certs" }] } },
        { name: "b", tls: { certificateRefs: [{ name: "cm", kind: "ConfigMap", group: "" }] } },
        { name: "c" },
      ],
    },
  };

  it("are the listener certificateRefs of kind Secret, defaulting to the object's namespace", () => {
    expect([...referencedSecrets("Gateway", gateway)]).toEqual(["web/cert", "certs/other"]);
    expect([...referencedSecrets("ListenerSet", gateway)]).toEqual(["web/cert", "certs/other"]);
    expect([...referencedSecrets("HTTPRoute", gateway)]).toEqual([]);
  });

  it("include a BackendTLSPolicy's CA refs of kind Secret", () => {
    const policy = {
      metadata: { namespace: "app" },
      spec: { validation: { caCertificateRefs: [{ group: "", kind: "Secret", name: "ca" }] } },
    };
    expect([...referencedSecrets("BackendTLSPolicy", policy)]).toEqual(["app/ca"]);
  });

  it("are counted across referrers: a Secret stops being referenced when its last referrer lets go", () => {
    const tracker = new SecretReferenceTracker();
    expect(tracker.update("Gateway/web/a", new Set(["web/cert"]))).toEqual({
      nowReferenced: ["web/cert"],
      noLongerReferenced: [],
    });
    expect(tracker.update("Gateway/web/b", new Set(["web/cert"])).nowReferenced).toEqual([]);
    expect(tracker.update("Gateway/web/a", new Set()).noLongerReferenced).toEqual([]);
    expect(tracker.isReferenced("web/cert")).toBe(true);
    expect(tracker.update("Gateway/web/b", new Set()).noLongerReferenced).toEqual(["web/cert"]);
    expect(tracker.isReferenced("web/cert")).toBe(false);
  });

  it("name a current referrer's version as the reference a Secret is forwarded for", () => {
    const tracker = new SecretReferenceTracker();
    const a = { kind: "Gateway", namespace: "web", resourceVersion: "20" };
    const b = { kind: "BackendTLSPolicy", namespace: "web", resourceVersion: "30" };
    expect(tracker.referenceOf("web/cert")).toBeUndefined();
    tracker.update("Gateway/web/a", new Set(["web/cert"]), a);
    expect(tracker.referenceOf("web/cert")).toEqual(a);
    tracker.update("BackendTLSPolicy/web/b", new Set(["web/cert"]), b);
    tracker.update("Gateway/web/a", new Set(), { ...a, resourceVersion: "25" });
    expect(tracker.referenceOf("web/cert")).toEqual(b);
    tracker.update("BackendTLSPolicy/web/b", new Set());
    expect(tracker.referenceOf("web/cert")).toBeUndefined();
  });
});

function known(name: string, uid: string, resourceVersion: string, namespace = "ns"): KnownObject {
  return { identity: { namespace, name, uid, resourceVersion }, object: { metadata: { name } } };
}

describe("diffRelist", () => {
  it("upserts new and changed objects and deletes known objects missing from the list", () => {
    const before = new Map([
      ["ns/same", known("same", "u1", "5")],
      ["ns/changed", known("changed", "u2", "5")],
      ["ns/gone", known("gone", "u3", "5")],
      ["ns/recreated", known("recreated", "u4", "5")],
      ["other/elsewhere", known("elsewhere", "u5", "5", "other")],
    ]);
    const listed = [
      known("same", "u1", "5"),
      known("changed", "u2", "9"),
      known("recreated", "u6", "9"),
      known("new", "u7", "9"),
    ];
    const diff = diffRelist(before, listed, "ns");
    expect(diff.upserts.map((o) => o.identity.name)).toEqual(["changed", "recreated", "new"]);
    // Another namespace's objects are not this list's business.
    expect(diff.deletes.map((o) => o.identity.name)).toEqual(["gone"]);
    expect(diffRelist(before, listed, undefined).deletes.map((o) => o.identity.name)).toEqual(["gone", "elsewhere"]);
  });

  it("snapshots the keys and versions in a stable order", () => {
    const items = snapshotItems(
      new Map([
        ["ns/b", known("b", "u2", "2")],
        ["ns/a", known("a", "u1", "1")],
      ]),
    );
    expect(items).toEqual([
      { namespace: "ns", name: "a", uid: "u1", resourceVersion: "1" },
      { namespace: "ns", name: "b", uid: "u2", resourceVersion: "2" },
    ]);
  });
});

describe("prepareMessage", () => {
  const kind = { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute" };
  const identity = { namespace: "ns", name: "big", uid: "u1", resourceVersion: "3" };
  const routeWith = (annotation: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { ...identity, annotations: { huge: annotation } },
  });

  it("keeps an event that fits inline", () => {
    const prepared = prepareMessage(objectEvent("c1", kind, "upsert", identity, routeWith("x")), "bucket");
    expect(prepared.kind).toBe("inline");
  });

  it("claim-checks an event over the limit, keeping its group and dedup ids and a verifiable hash", () => {
    const event = objectEvent("c1", kind, "upsert", identity, routeWith("x".repeat(MAX_INLINE_BODY_BYTES)));
    const prepared = prepareMessage(event, "bucket");
    if (prepared.kind !== "claimCheck") throw new Error("expected a claim check");
    expect(prepared.message.bytes).toBeLessThan(1000);
    expect(prepared.message.groupId).toBe(messageGroupId(event));
    expect(prepared.message.deduplicationId).toBe(messageDeduplicationId(event));
    const pointer = decodeEventJson(prepared.message.body);
    expect(pointer.ok && "claimCheck" in pointer.event && pointer.event.claimCheck).toEqual(prepared.upload.check);
    expect(decodeEventJson(prepared.upload.body)).toEqual({ ok: true, event });
    expect(prepared.upload.check.size).toBe(Buffer.byteLength(prepared.upload.body));
  });

  it("marks only a retraction, and a claim-checked retraction's envelope says it is one", () => {
    const object = routeWith("x".repeat(MAX_INLINE_BODY_BYTES));
    expect(objectEvent("c1", kind, "delete", identity, object)).not.toHaveProperty("retraction");
    expect(objectEvent("c1", kind, "upsert", identity, object, true)).not.toHaveProperty("retraction");
    const retraction = objectEvent("c1", kind, "delete", identity, object, true);
    expect(retraction).toMatchObject({ op: "delete", retraction: true });
    const prepared = prepareMessage(retraction, "bucket");
    if (prepared.kind !== "claimCheck") throw new Error("expected a claim check");
    const pointer = decodeEventJson(prepared.message.body);
    expect(pointer.ok && pointer.event).toMatchObject({ op: "delete", retraction: true });
    expect(prepared.message.deduplicationId).toBe(messageDeduplicationId(retraction));
  });

  it("carries a Secret upsert's reference, inline and in the claim-checked event, never on a delete", () => {
    const at = { kind: "Gateway", namespace: "ns", resourceVersion: "7" };
    expect(objectEvent("c1", kind, "delete", identity, routeWith("x"), false, at)).not.toHaveProperty("referencedBy");
    const large = objectEvent("c1", kind, "upsert", identity, routeWith("x".repeat(MAX_INLINE_BODY_BYTES)), false, at);
    expect(large).toMatchObject({ referencedBy: at });
    const prepared = prepareMessage(large, "bucket");
    if (prepared.kind !== "claimCheck") throw new Error("expected a claim check");
    expect(decodeEventJson(prepared.upload.body)).toEqual({ ok: true, event: large });
  });

  it("gives a re-send with an occasion the occasion's deduplication id, inline or claim-checked", () => {
    const small = objectEvent("c1", kind, "upsert", identity, routeWith("x"));
    const large = objectEvent("c1", kind, "upsert", identity, routeWith("x".repeat(MAX_INLINE_BODY_BYTES)));
    for (const event of [small, large]) {
      const prepared = prepareMessage(event, "bucket", MAX_INLINE_BODY_BYTES, "referenced-b-1");
      expect(prepared.message.deduplicationId).toBe(messageDeduplicationId(event, "referenced-b-1"));
      expect(prepared.message.deduplicationId).not.toBe(messageDeduplicationId(event));
    }
  });
});

describe("prepareMessage for snapshots", () => {
  it("claim-checks a snapshot too large for SQS, keeping its header", () => {
    const items = Array.from({ length: 4000 }, (_, i) => ({
      namespace: "ns",
      name: `slice-${i}-${"x".repeat(30)}`,
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(100_000 + i),
    }));
    const event = snapshotEvent(
      "c1",
      { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" },
      "b-1",
      "9",
      items,
      ["ns"],
    );
    const prepared = prepareMessage(event, "bucket");
    if (prepared.kind !== "claimCheck") throw new Error("expected a claim check");
    const { schemaVersion, clusterId, kind, op, snapshotId, resourceVersion, namespaces } = event;
    expect(decodeEventJson(prepared.message.body)).toEqual({
      ok: true,
      event: {
        schemaVersion,
        clusterId,
        kind,
        op,
        snapshotId,
        resourceVersion,
        namespaces,
        claimCheck: prepared.upload.check,
      },
    });
    expect(prepared.message.groupId).toBe("c1/EndpointSlice");
  });
});

describe("BoundedBuffer", () => {
  it("makes a push wait while full, until sent items are released", async () => {
    const buffer = new BoundedBuffer<{ bytes: number; n: number }>(2);
    await buffer.push({ bytes: 1, n: 1 });
    await buffer.push({ bytes: 1, n: 2 });
    let third = false;
    const pushing = buffer.push({ bytes: 1, n: 3 }).then(() => {
      third = true;
    });
    const batch = await buffer.take(10, 100, new AbortController().signal);
    expect(batch?.map((i) => i.n)).toEqual([1, 2]);
    await Promise.resolve();
    expect(third).toBe(false);
    buffer.release(2);
    await pushing;
    expect(third).toBe(true);
    expect(buffer.depth).toBe(1);
  });

  it("takes at most maxBytes per batch, but always at least one item", async () => {
    const buffer = new BoundedBuffer<{ bytes: number }>(10);
    for (const bytes of [300, 50, 60, 10]) await buffer.push({ bytes });
    const signal = new AbortController().signal;
    expect((await buffer.take(10, 100, signal))?.map((i) => i.bytes)).toEqual([300]);
    expect((await buffer.take(10, 100, signal))?.map((i) => i.bytes)).toEqual([50]);
    expect((await buffer.take(1, 100, signal))?.map((i) => i.bytes)).toEqual([60]);
  });
});

describe("loadConfig", () => {
  const valid = {
    SWITCHYARD_CLUSTER_ID: "prod-eu",
    SWITCHYARD_EVENTS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/events.fifo",
    AWS_REGION: "eu-west-1",
    SWITCHYARD_CLAIM_CHECK_BUCKET: "switchyard-claims",
  };

  it("applies defaults", () => {
    const loaded = loadConfig(valid);
    expect(loaded).toMatchObject({
      ok: true,
      config: { listenHost: "0.0.0.0", listenPort: 8080, endpointSliceWindowMs: 1000, namespaces: undefined },
    });
  });

  it("names every problem at once", () => {
    const loaded = loadConfig({
      ...valid,
      SWITCHYARD_CLUSTER_ID: undefined,
      SWITCHYARD_EVENTS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/events",
      SWITCHYARD_NAMESPACES: "ok, Bad_Name",
      SWITCHYARD_LISTEN: "8080",
    });
    expect(loaded).toEqual({
      ok: false,
      problems: [
        "SWITCHYARD_CLUSTER_ID is required",
        'SWITCHYARD_EVENTS_QUEUE_URL="https://sqs.eu-west-1.amazonaws.com/1/events": must be a FIFO queue (name ending in .fifo)',
        'SWITCHYARD_NAMESPACES: "Bad_Name" is not a namespace name',
        'SWITCHYARD_LISTEN="8080": expected host:port, e.g. 0.0.0.0:8080',
      ],
    });
  });

  it("parses the namespace filter and listen address", () => {
    const loaded = loadConfig({ ...valid, SWITCHYARD_NAMESPACES: "a, b,a", SWITCHYARD_LISTEN: "127.0.0.1:0" });
    expect(loaded).toMatchObject({
      ok: true,
      config: { namespaces: ["a", "b"], listenHost: "127.0.0.1", listenPort: 0 },
    });
  });
});

describe("Metrics", () => {
  it("renders counters by label and gauges in the Prometheus text format", () => {
    const metrics = new Metrics();
    const sent = metrics.counter(METRIC.eventsSent, "Events sent.");
    sent({ kind: "Gateway", op: "upsert" });
    sent({ kind: "Gateway", op: "upsert" });
    metrics.gauge(METRIC.bufferDepth, "Depth.", () => 3);
    expect(metrics.render()).toBe(
      [
        `# HELP ${METRIC.eventsSent} Events sent.`,
        `# TYPE ${METRIC.eventsSent} counter`,
        `${METRIC.eventsSent}{kind="Gateway",op="upsert"} 2`,
        `# HELP ${METRIC.bufferDepth} Depth.`,
        `# TYPE ${METRIC.bufferDepth} gauge`,
        `${METRIC.bufferDepth} 3`,
        "",
      ].join("\n"),
    );
  });
});
