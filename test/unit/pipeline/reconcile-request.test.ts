import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import {
  decodeReconcileRequest,
  encodeReconcileRequest,
  type ReconcileRequest,
  reconcileRequestAttributes,
} from "../../../shared/pipeline/reconcile-request.ts";

const request: ReconcileRequest = {
  version: 1,
  gatewayKey: clusterGatewayKey("prod-eu", "apps", "web"),
  reason: "change",
  generation: 7,
  cause: "HTTPRoute apps/web",
};

describe("reconcile requests", () => {
  it("round-trip through their encoding", () => {
    expect(decodeReconcileRequest(encodeReconcileRequest(request))).toEqual({ ok: true, request });
  });

  it.each([
    ["not JSON", "{", "body is not JSON"],
    ["an array", "[]", "body is not a JSON object"],
    ["another version", JSON.stringify({ ...request, version: 2 }), "version"],
    ["a malformed Gateway key", JSON.stringify({ ...request, gatewayKey: "apps/web" }), "gatewayKey"],
    ["an unknown reason", JSON.stringify({ ...request, reason: "because" }), "reason"],
    ["a negative generation", JSON.stringify({ ...request, generation: -1 }), "generation"],
    ["a numeric cause", JSON.stringify({ ...request, cause: 5 }), "cause"],
    ["a fractional notBefore", JSON.stringify({ ...request, notBefore: 1.5 }), "notBefore"],
    ["a textual notBefore", JSON.stringify({ ...request, notBefore: "soon" }), "notBefore"],
    ["a recheck that is not an object", JSON.stringify({ ...request, recheck: 3 }), "recheck"],
    ["a recheck without since", JSON.stringify({ ...request, recheck: { attempt: 1 } }), "recheck"],
    ["an unknown orphan plane", JSON.stringify({ ...request, orphanedOn: "alb" }), "orphanedOn"],
    ["a non-textual orphan plane", JSON.stringify({ ...request, orphanedOn: 1 }), "orphanedOn"],
    [
      "a recheck with a negative attempt",
      JSON.stringify({ ...request, recheck: { attempt: -1, since: 5 } }),
      "recheck",
    ],
  ])("refuse %s, naming the field", (_, body, field) => {
    const decoded = decodeReconcileRequest(body);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(field);
  });

  it("a recheck round-trips with its notBefore and chain, and the decoder keeps nothing else", () => {
    const recheck: ReconcileRequest = {
      ...request,
      reason: "recheck",
      notBefore: 1_010_000,
      recheck: { attempt: 2, since: 1_000_000 },
    };
    expect(decodeReconcileRequest(encodeReconcileRequest(recheck))).toEqual({ ok: true, request: recheck });
    const extra = JSON.stringify({ ...recheck, recheck: { attempt: 2, since: 1_000_000, more: true } });
    expect(decodeReconcileRequest(extra)).toEqual({ ok: true, request: recheck });
  });

  it("the orphan check's plane round-trips; a message from before the field decodes without it", () => {
    for (const orphanedOn of ["elb", "lattice"] as const) {
      const orphan: ReconcileRequest = { ...request, reason: "resync", orphanedOn };
      expect(decodeReconcileRequest(encodeReconcileRequest(orphan))).toEqual({ ok: true, request: orphan });
    }
    // The body an older resync sent: no orphanedOn, and none after decoding.
    const old = '{"version":1,"gatewayKey":"prod-eu/apps/web","reason":"resync","generation":0,"cause":"orphan check"}';
    const decoded = decodeReconcileRequest(old);
    expect(decoded).toEqual({
      ok: true,
      request: { version: 1, gatewayKey: "prod-eu/apps/web", reason: "resync", generation: 0, cause: "orphan check" },
    });
    expect(decoded.ok && "orphanedOn" in decoded.request).toBe(false);
  });

  it("each step of a recheck chain is a new message: its id names its notBefore", () => {
    const recheck = (notBefore: number) =>
      reconcileRequestAttributes({ ...request, reason: "recheck", notBefore, recheck: { attempt: 1, since: 0 } });
    expect(recheck(10_000)).toEqual(recheck(10_000));
    expect(recheck(10_000).MessageDeduplicationId).not.toBe(recheck(30_000).MessageDeduplicationId);
    expect(recheck(10_000).MessageGroupId).toBe(reconcileRequestAttributes(request).MessageGroupId);
    // Not a duplicate of the change or the requeue at the same generation.
    expect(recheck(10_000).MessageDeduplicationId).not.toBe(reconcileRequestAttributes(request).MessageDeduplicationId);
  });

  it("never throw on arbitrary bodies", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (body) => {
        decodeReconcileRequest(body);
      }),
    );
  });

  it("share one FIFO group per Gateway and deduplicate only the same generation and reason", () => {
    const same = reconcileRequestAttributes({ ...request, generation: 8 });
    const a = reconcileRequestAttributes(request);
    expect(same.MessageGroupId).toBe(a.MessageGroupId);
    expect(same.MessageDeduplicationId).not.toBe(a.MessageDeduplicationId);
    expect(reconcileRequestAttributes({ ...request, reason: "resync" }).MessageDeduplicationId).not.toBe(
      a.MessageDeduplicationId,
    );
    expect(reconcileRequestAttributes({ ...request, reason: "aws-event" }).MessageDeduplicationId).not.toBe(
      a.MessageDeduplicationId,
    );
    expect(a.MessageGroupId.length).toBeLessThanOrEqual(128);
  });

  it("a requeue and a change at one generation are one request: SQS keeps only the first to arrive", () => {
    const change = reconcileRequestAttributes(request);
    const requeue = reconcileRequestAttributes({ ...request, reason: "requeue", cause: "generation moved" });
    expect(requeue).toEqual(change);
    expect(
      reconcileRequestAttributes({ ...request, reason: "requeue", generation: 8 }).MessageDeduplicationId,
    ).not.toBe(change.MessageDeduplicationId);
  });
});
