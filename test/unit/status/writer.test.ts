// The writer's loop against a scripted API: one GET per attempt, a PATCH only when the decision
// says so, carrying the resourceVersion read, a 409 retried from a fresh read, and a bound.
import { describe, expect, test } from "vitest";
import { decideStatusWrite, type StatusIntent } from "../../../shared/status/writer/decision.ts";
import type { KubeApi, KubeResponse } from "../../../shared/status/writer/kube-api.ts";
import { MERGE_PATCH, StatusConflict, StatusWriteRefused, StatusWriter } from "../../../shared/status/writer/writer.ts";

const INTENT: StatusIntent = {
  kind: "GatewayClass",
  name: "switchyard-alb",
  observedGeneration: 1,
  conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "ok" }],
};

interface Sent {
  method: string;
  path: string;
  body?: { contentType: string; json: unknown };
}

/** Answers each request with the next scripted response and records what was sent. */
class ScriptedApi implements KubeApi {
  readonly sent: Sent[] = [];
  readonly #responses: KubeResponse[];
  constructor(responses: KubeResponse[]) {
    this.#responses = responses;
  }
  async request(method: string, path: string, body?: { contentType: string; json: unknown }): Promise<KubeResponse> {
    this.sent.push({ method, path, ...(body === undefined ? {} : { body }) });
    const response = this.#responses.shift();
    if (response === undefined) throw new Error(`unscripted ${method} ${path}`);
    return response;
  }
}

function object(resourceVersion: string, status: unknown = {}): KubeResponse {
  return { status: 200, body: JSON.stringify({ metadata: { name: "x", resourceVersion }, status }) };
}
const CONFLICT: KubeResponse = { status: 409, body: '{"reason":"Conflict"}' };

describe("status writer", () => {
  test("reads, then merge-patches /status with the resourceVersion it read", async () => {
    const api = new ScriptedApi([object("41"), object("42")]);
    const outcome = await new StatusWriter(api, { now: () => "2026-01-01T00:00:00Z" }).write(INTENT);
    expect(outcome).toEqual({ outcome: "written", attempts: 1, resourceVersion: "42" });
    const path = "/apis/gateway.networking.k8s.io/v1/gatewayclasses/switchyard-alb/status";
    expect(api.sent.map((s) => `${s.method} ${s.path}`)).toEqual([`GET ${path}`, `PATCH ${path}`]);
    expect(api.sent[1]?.body?.contentType).toBe(MERGE_PATCH);
    expect(api.sent[1]?.body?.json).toMatchObject({ metadata: { resourceVersion: "41" } });
  });

  test("a conflict is retried from a fresh read, with the new resourceVersion", async () => {
    const api = new ScriptedApi([object("41"), CONFLICT, object("43"), object("44")]);
    expect(await new StatusWriter(api).write(INTENT)).toMatchObject({ outcome: "written", attempts: 2 });
    expect(api.sent[3]?.body?.json).toMatchObject({ metadata: { resourceVersion: "43" } });
  });

  test("conflicts are retried a bounded number of times", async () => {
    const api = new ScriptedApi([object("1"), CONFLICT, object("2"), CONFLICT, object("3"), CONFLICT]);
    await expect(new StatusWriter(api, { maxAttempts: 3 }).write(INTENT)).rejects.toBeInstanceOf(StatusConflict);
    expect(api.sent).toHaveLength(6);
  });

  test("a conflict whose fresh read already has the status ends without writing", async () => {
    const now = "2026-01-01T00:00:00Z";
    const decision = decideStatusWrite(INTENT, { resourceVersion: "1", status: {} }, now);
    if (!decision.write) throw new Error("expected a write");
    // The concurrent writer wrote exactly what we were about to.
    const api = new ScriptedApi([object("1"), CONFLICT, object("2", decision.status)]);
    expect(await new StatusWriter(api, { now: () => now }).write(INTENT)).toEqual({
      outcome: "unchanged",
      attempts: 2,
    });
    expect(api.sent.map((s) => s.method)).toEqual(["GET", "PATCH", "GET"]);
  });

  test("a missing object is not an error and is not retried", async () => {
    expect(await new StatusWriter(new ScriptedApi([{ status: 404, body: "" }])).write(INTENT)).toEqual({
      outcome: "not-found",
      attempts: 1,
    });
  });

  test.each([401, 403, 422, 500])("HTTP %i is refused without retry", async (status) => {
    const api = new ScriptedApi([object("1"), { status, body: "no" }]);
    await expect(new StatusWriter(api).write(INTENT)).rejects.toBeInstanceOf(StatusWriteRefused);
    expect(api.sent).toHaveLength(2);
  });
});
