// The version-1 event schema: what the decoder accepts, what it refuses (naming the field), and the
// encode → decode round trip for any well-formed event.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEvent, decodeEventJson, encodeEvent } from "../../../shared/events/codec.ts";
import type { ChangeEvent, ObjectEvent, SnapshotEvent } from "../../../shared/events/event.ts";

const gatewayEvent: ObjectEvent = {
  schemaVersion: 1,
  clusterId: "prod-eu",
  kind: { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway" },
  op: "upsert",
  namespace: "default",
  name: "web",
  uid: "6f1c",
  resourceVersion: "42",
  object: {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "web", namespace: "default", uid: "6f1c", resourceVersion: "42" },
    spec: { gatewayClassName: "switchyard-alb", listeners: [] },
  },
};

const snapshotEvent: SnapshotEvent = {
  schemaVersion: 1,
  clusterId: "prod-eu",
  kind: { group: "", version: "v1", kind: "Namespace" },
  op: "snapshot",
  snapshotId: "boot-1",
  resourceVersion: "99",
  items: [{ name: "default", uid: "u1", resourceVersion: "7" }],
};

function refusal(input: unknown): { reason: string; field: string } {
  const result = decodeEvent(input);
  if (result.ok) throw new Error("expected a refusal");
  return { reason: result.reason, field: result.field };
}

describe("decodeEvent", () => {
  it("accepts an upsert with an inline object and a snapshot with items", () => {
    expect(decodeEvent(gatewayEvent)).toEqual({ ok: true, event: gatewayEvent });
    expect(decodeEvent(snapshotEvent)).toEqual({ ok: true, event: snapshotEvent });
  });

  it("accepts a claim check in place of the object", () => {
    const { object: _object, ...header } = gatewayEvent;
    const event = { ...header, claimCheck: { bucket: "b", key: "k", sha256: "a".repeat(64), size: 300_000 } };
    expect(decodeEvent(event)).toEqual({ ok: true, event });
  });

  it("accepts a delete marked as a retraction, and a delete without the marker (bodies from before it)", () => {
    const retraction = { ...gatewayEvent, op: "delete", retraction: true };
    expect(decodeEvent(retraction)).toEqual({ ok: true, event: retraction });
    const { retraction: _marker, ...realDelete } = retraction;
    const decoded = decodeEvent(realDelete);
    expect(decoded).toEqual({ ok: true, event: realDelete });
    expect(decoded.ok && "retraction" in decoded.event).toBe(false);
  });

  it.each([
    [{ ...gatewayEvent, op: "upsert", retraction: true }, "only allowed on a delete"],
    [{ ...gatewayEvent, op: "delete", retraction: false }, "must be true"],
    [{ ...gatewayEvent, op: "delete", retraction: "yes" }, "must be true"],
    [{ ...snapshotEvent, retraction: true }, "is not a field of this event"],
  ])("refuses a misplaced or malformed retraction marker: %j", (input, reason) => {
    const refused = refusal(input);
    expect(refused.field).toBe("retraction");
    expect(refused.reason).toContain(reason);
  });

  it("accepts a Secret upsert's referencedBy and a snapshot's referrerVersions", () => {
    const referenced = {
      ...gatewayEvent,
      referencedBy: { kind: "Gateway", namespace: "default", resourceVersion: "40" },
    };
    expect(decodeEvent(referenced)).toEqual({ ok: true, event: referenced });
    const positions = {
      ...snapshotEvent,
      referrerVersions: [
        { kind: "Gateway", resourceVersion: "98" },
        { kind: "BackendTLSPolicy", namespace: "apps", resourceVersion: "97" },
      ],
    };
    expect(decodeEvent(positions)).toEqual({ ok: true, event: positions });
  });

  it.each([
    [{ ...gatewayEvent, op: "delete", referencedBy: { kind: "Gateway", resourceVersion: "1" } }, "referencedBy"],
    [{ ...gatewayEvent, referencedBy: { kind: "Gateway", resourceVersion: "x1" } }, "referencedBy.resourceVersion"],
    [{ ...gatewayEvent, referencedBy: { kind: "a/b", resourceVersion: "1" } }, "referencedBy.kind"],
    [
      { ...gatewayEvent, referencedBy: { kind: "Gateway", namespace: "a/b", resourceVersion: "1" } },
      "referencedBy.namespace",
    ],
    [{ ...gatewayEvent, referencedBy: { kind: "Gateway", resourceVersion: "1", extra: 1 } }, "referencedBy.extra"],
    [{ ...snapshotEvent, referrerVersions: {} }, "referrerVersions"],
    [{ ...snapshotEvent, referrerVersions: [{ kind: "Gateway" }] }, "referrerVersions[0].resourceVersion"],
    [{ ...gatewayEvent, referrerVersions: [] }, "referrerVersions"],
  ])("refuses a misplaced or malformed reference position: %j", (input, field) => {
    expect(refusal(input).field).toBe(field);
  });

  it.each([
    [null, ""],
    [[], ""],
    [{ ...gatewayEvent, schemaVersion: 2 }, "schemaVersion"],
    [{ ...gatewayEvent, clusterId: "" }, "clusterId"],
    [{ ...gatewayEvent, clusterId: "a/b" }, "clusterId"],
    [{ ...gatewayEvent, kind: { group: "g", version: "", kind: "Gateway" } }, "kind.version"],
    [{ ...gatewayEvent, op: "patch" }, "op"],
    [{ ...gatewayEvent, uid: 7 }, "uid"],
    [{ ...gatewayEvent, extra: true }, "extra"],
    [{ ...gatewayEvent, claimCheck: { bucket: "b", key: "k", sha256: "a".repeat(64), size: 1 } }, "object"],
    [{ ...gatewayEvent, object: { ...gatewayEvent.object, kind: "HTTPRoute" } }, "object.kind"],
    [
      { ...gatewayEvent, object: { ...gatewayEvent.object, metadata: { name: "web", namespace: "default" } } },
      "object.metadata.uid",
    ],
    [{ ...snapshotEvent, items: [{ name: "x", uid: "u", resourceVersion: 3 }] }, "items[0].resourceVersion"],
    [{ ...snapshotEvent, namespaces: ["a", ""] }, "namespaces[1]"],
  ])("refuses %j naming field %s", (input, field) => {
    expect(refusal(input).field).toBe(field);
  });

  it("refuses an object that still carries managedFields", () => {
    const object = { ...gatewayEvent.object, metadata: { ...(gatewayEvent.object as { metadata: object }).metadata } };
    Object.assign(object.metadata, { managedFields: [] });
    expect(refusal({ ...gatewayEvent, object })).toEqual({
      field: "object.metadata.managedFields",
      reason: "object.metadata.managedFields must be stripped",
    });
  });

  it("refuses a Secret that carries data", () => {
    const secret = {
      ...gatewayEvent,
      kind: { group: "", version: "v1", kind: "Secret" },
      object: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "web", namespace: "default", uid: "6f1c", resourceVersion: "42" },
        type: "kubernetes.io/tls",
        data: { "tls.key": "c2VjcmV0" },
      },
    };
    expect(refusal(secret).field).toBe("object.data");
  });

  it("refuses a claim check with a malformed hash", () => {
    const { object: _object, ...header } = gatewayEvent;
    expect(refusal({ ...header, claimCheck: { bucket: "b", key: "k", sha256: "xyz", size: 1 } }).field).toBe(
      "claimCheck.sha256",
    );
  });

  it("never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = decodeEvent(value);
        expect(typeof result.ok).toBe("boolean");
      }),
    );
    fc.assert(
      fc.property(fc.string(), (body) => {
        expect(typeof decodeEventJson(body).ok).toBe("boolean");
      }),
    );
  });

  it("never throws on arbitrary JSON shaped like an event", () => {
    const mutated = fc.record(
      {
        schemaVersion: fc.oneof(fc.constant(1), fc.jsonValue()),
        clusterId: fc.oneof(fc.constant("c"), fc.jsonValue()),
        kind: fc.oneof(fc.constant(gatewayEvent.kind), fc.jsonValue()),
        op: fc.constantFrom("upsert", "delete", "snapshot", 3),
        retraction: fc.oneof(fc.constant(true), fc.jsonValue()),
        name: fc.jsonValue(),
        uid: fc.jsonValue(),
        resourceVersion: fc.jsonValue(),
        object: fc.jsonValue(),
        items: fc.jsonValue(),
        claimCheck: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(mutated, (value) => {
        expect(typeof decodeEvent(value).ok).toBe("boolean");
      }),
    );
  });
});

const token = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?$/);
const arbitraryKind = fc.record({
  group: fc.constantFrom("", "gateway.networking.k8s.io", "discovery.k8s.io"),
  version: fc.constantFrom("v1", "v1beta1"),
  kind: fc.constantFrom("Gateway", "HTTPRoute", "Service", "Namespace"),
});
const claim = fc.record({
  bucket: token,
  key: token,
  sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
  size: fc.nat(),
});

const arbitraryObjectEvent: fc.Arbitrary<ChangeEvent> = fc
  .record({
    clusterId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
    kind: arbitraryKind,
    op: fc.constantFrom("upsert" as const, "delete" as const, "retraction" as const),
    namespace: fc.option(token, { nil: undefined }),
    name: token,
    uid: token,
    resourceVersion: fc.stringMatching(/^[1-9][0-9]{0,8}$/),
    spec: fc.dictionary(fc.string(), fc.jsonValue()),
    check: fc.option(claim, { nil: undefined }),
  })
  .map(({ clusterId, kind, op, namespace, name, uid, resourceVersion, spec, check }) => {
    const ns = namespace === undefined ? {} : { namespace };
    const marker = op === "retraction" ? { op: "delete" as const, retraction: true as const } : { op };
    const header = { schemaVersion: 1 as const, clusterId, kind, ...marker, ...ns, name, uid, resourceVersion };
    if (check !== undefined) return { ...header, claimCheck: check };
    const apiVersion = kind.group === "" ? kind.version : `${kind.group}/${kind.version}`;
    return {
      ...header,
      object: { apiVersion, kind: kind.kind, metadata: { name, ...ns, uid, resourceVersion }, spec },
    };
  });

const arbitrarySnapshotEvent: fc.Arbitrary<ChangeEvent> = fc
  .record({
    kind: arbitraryKind,
    snapshotId: token,
    resourceVersion: fc.stringMatching(/^[1-9][0-9]{0,8}$/),
    namespaces: fc.option(fc.array(token), { nil: undefined }),
    items: fc.array(
      fc.record(
        { namespace: token, name: token, uid: token, resourceVersion: fc.stringMatching(/^[1-9][0-9]{0,8}$/) },
        { requiredKeys: ["name", "uid", "resourceVersion"] },
      ),
    ),
    check: fc.option(claim, { nil: undefined }),
  })
  .map(({ kind, snapshotId, resourceVersion, namespaces, items, check }) => {
    const header = {
      schemaVersion: 1 as const,
      clusterId: "c1",
      kind,
      op: "snapshot" as const,
      snapshotId,
      resourceVersion,
      ...(namespaces === undefined ? {} : { namespaces }),
    };
    return check === undefined ? { ...header, items } : { ...header, claimCheck: check };
  });

describe("encodeEvent", () => {
  it("round-trips every well-formed event through decodeEventJson", () => {
    fc.assert(
      fc.property(fc.oneof(arbitraryObjectEvent, arbitrarySnapshotEvent), (event) => {
        expect(decodeEventJson(encodeEvent(event))).toEqual({ ok: true, event });
      }),
    );
  });
});
