// The ingest rules on in-memory ports: authentication, rejection, retry order, coalescing.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, test } from "vitest";
import { type ChangeEvent, encodeEvent } from "../../../shared/events/index.ts";
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

const gateway = (rv: number) => upsert("Gateway", "web", rv, { spec: { gatewayClassName: "alb", listeners: [] } });

let ports: IngestPorts & {
  sent: ReconcileRequest[];
  dead: { id: string; reason: RejectReason }[];
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
  const dead: { id: string; reason: RejectReason }[] = [];
  const s3 = new Map<string, Uint8Array>();
  const state = {
    mirror,
    senders: { principalOf: async (cluster: string) => (cluster === "c1" ? ROLE : undefined) },
    dirty: new MemoryDirtyGenerations(),
    reconcileQueue: { send: async (requests: readonly ReconcileRequest[]) => void sent.push(...requests) },
    claimChecks: { fetch: async (check: { key: string }) => s3.get(check.key) ?? new Uint8Array() },
    deadLetters: { send: async (r: IngestRecord, reason: RejectReason) => void dead.push({ id: r.messageId, reason }) },
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
    expect(ports.dead).toEqual([{ id: spoofed.messageId, reason: "sender-mismatch" }]);
    expect(await ports.mirror.loadCluster("c1")).toEqual([]);
  });

  test("an unregistered cluster is dead-lettered", async () => {
    const event = { ...gateway(1), clusterId: "c9" };
    const r = record(event);
    await ingestBatch([r], ports);
    expect(ports.dead).toEqual([{ id: r.messageId, reason: "unregistered-cluster" }]);
  });
});

describe("rejections", () => {
  test("a malformed body and an unknown schema version are dead-lettered with their reason", async () => {
    const malformed = record("{not json");
    const future = record(JSON.stringify({ ...gateway(1), schemaVersion: 2 }));
    expect((await ingestBatch([malformed, future], ports)).batchItemFailures).toEqual([]);
    expect(ports.dead.map((d) => d.reason)).toEqual(["malformed", "unknown-schema-version"]);
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
    expect(ports.dead).toEqual([{ id: bad.messageId, reason: "claim-check-invalid" }]);
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
