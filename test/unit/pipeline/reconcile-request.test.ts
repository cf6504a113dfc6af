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
  ])("refuse %s, naming the field", (_, body, field) => {
    const decoded = decodeReconcileRequest(body);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(field);
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
