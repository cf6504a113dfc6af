/**
 * SQS event bodies through ingest (shared/pipeline/ingest.ts) on its in-memory ports. A case is a
 * batch of up to ten records, each an event the forwarder could send for an object of the bundled
 * examples (upsert, delete, snapshot; inline or claim-checked), from the registered sender, another
 * principal or for an unregistered cluster, and then possibly changed at a few fields, cut short or
 * replaced by junk. With ports that never fail:
 * - the batch resolves and reports no failure: a record that can never become valid is never
 *   retried (a retry would block its FIFO group until the queue's redrive gives up on it);
 * - every rejected record is dead-lettered once, with a reason and a detail, and counted once by
 *   the observer with the same reason; a refused body names the field at fault;
 * - an unchanged event from the registered sender is applied (or stale), never rejected; one from
 *   another principal or for an unregistered cluster is rejected for that reason;
 * - nothing a foreign principal sent reaches the mirror.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type ChangeEvent, type ClaimCheck, decodeEventJson, encodeEvent } from "../../shared/events/index.ts";
import { KINDS } from "../../shared/manifest/kinds.ts";
import { MemoryObjectMirror } from "../../shared/mirror/memory/object-mirror.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { type IngestPorts, type IngestRecord, ingestBatch, type RejectReason } from "../../shared/pipeline/ingest.ts";
import type { ReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { type Mutation, mutated, mutations } from "./mutate.ts";
import { FUZZ_RUNS, fuzzParameters, testTimeout, withinCaseLimitAsync } from "./support.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

/** Registered clusters: one whose forwarder is a role (any session), one whose forwarder is a user. */
const REGISTERED: Readonly<Record<string, string>> = { c1: "AROAFUZZROLE000000001", c2: "AIDAFUZZUSER000000002" };
const SENDER_OF: Readonly<Record<string, string>> = {
  c1: "AROAFUZZROLE000000001:forwarder-7",
  c2: REGISTERED.c2 ?? "",
};
/** Principals no cluster is registered with; what they send must never reach the mirror. */
const FOREIGN_SENDERS = ["AROAFOREIGNROLE000009:session", "AIDAFOREIGNUSER000009", "AROAFUZZROLE000000001X:s"];
const FOREIGN_UID = "foreign-";
const REASONS: readonly RejectReason[] = [
  "malformed",
  "unknown-schema-version",
  "unregistered-cluster",
  "sender-mismatch",
  "claim-check-invalid",
  "unsupported-kind",
  "invalid-resource-version",
  "object-too-large",
];

/** Every object of the bundled examples, as the forwarder would hold it. */
const OBJECTS: Record<string, unknown>[] = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith(".yaml"))
  .sort()
  .flatMap((file) => parseAllDocuments(readFileSync(join(EXAMPLES, file), "utf8")).map((doc) => doc.toJS() as unknown))
  .filter((value): value is Record<string, unknown> => typeof value === "object" && value !== null);

function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

interface EventPlan {
  object: number;
  /** `retraction`: a delete marked as one (a Secret the forwarder stopped forwarding). */
  op: "upsert" | "delete" | "retraction" | "snapshot";
  resourceVersion: number;
}

/** A well-formed event of `clusterId` for one example object. */
function eventFor(clusterId: string, plan: EventPlan, foreign: boolean): ChangeEvent {
  const source = OBJECTS[plan.object % OBJECTS.length] ?? {};
  const apiVersion = String(source.apiVersion);
  const kind = String(source.kind);
  const gvk = { ...groupVersionOf(apiVersion), kind };
  const metadata = (source.metadata ?? {}) as Record<string, unknown>;
  const name = String(metadata.name);
  const namespaced = kind in KINDS ? KINDS[kind as keyof typeof KINDS].namespaced : true;
  const namespace = namespaced ? String(metadata.namespace ?? "default") : undefined;
  const uid = `${foreign ? FOREIGN_UID : "uid-"}${kind}-${namespace ?? ""}-${name}`;
  const resourceVersion = String(plan.resourceVersion);
  if (plan.op === "snapshot") {
    return {
      schemaVersion: 1,
      clusterId,
      kind: gvk,
      op: "snapshot",
      snapshotId: `snap-${plan.resourceVersion}`,
      resourceVersion,
      items: [{ ...(namespace ? { namespace } : {}), name, uid, resourceVersion }],
    };
  }
  const object: Record<string, unknown> = {
    ...source,
    metadata: { ...metadata, name, ...(namespace ? { namespace } : {}), uid, resourceVersion },
  };
  if (kind === "Secret") {
    delete object.data;
    delete object.stringData;
  }
  return {
    schemaVersion: 1,
    clusterId,
    kind: gvk,
    ...(plan.op === "retraction" ? { op: "delete", retraction: true } : { op: plan.op }),
    ...(namespace ? { namespace } : {}),
    name,
    uid,
    resourceVersion,
    object,
  };
}

type Who = "registered" | "foreign-sender" | "unregistered-cluster";
type ClaimMode = "inline" | "claim-check" | "claim-check-tampered" | "claim-check-missing";
type BodyChange =
  | { kind: "none" }
  | { kind: "fields"; changes: Mutation[] }
  | { kind: "cut"; keep: number }
  | { kind: "junk"; text: string };

interface RecordPlan {
  cluster: "c1" | "c2";
  who: Who;
  foreignSender: number;
  event: EventPlan;
  claim: ClaimMode;
  body: BodyChange;
  /** The record's FIFO message group. */
  group: number;
}

const recordPlan: fc.Arbitrary<RecordPlan> = fc.record({
  cluster: fc.constantFrom("c1" as const, "c2" as const),
  who: fc.constantFrom<Who>("registered", "registered", "registered", "foreign-sender", "unregistered-cluster"),
  foreignSender: fc.nat({ max: FOREIGN_SENDERS.length - 1 }),
  event: fc.record({
    object: fc.nat({ max: OBJECTS.length - 1 }),
    op: fc.constantFrom(
      "upsert" as const,
      "upsert" as const,
      "delete" as const,
      "retraction" as const,
      "snapshot" as const,
    ),
    resourceVersion: fc.integer({ min: 1, max: 50 }),
  }),
  claim: fc.constantFrom<ClaimMode>(
    "inline",
    "inline",
    "inline",
    "claim-check",
    "claim-check-tampered",
    "claim-check-missing",
  ),
  body: fc.oneof(
    { weight: 3, arbitrary: fc.constant<BodyChange>({ kind: "none" }) },
    { weight: 5, arbitrary: mutations(3).map((changes): BodyChange => ({ kind: "fields", changes })) },
    { weight: 1, arbitrary: fc.nat({ max: 400 }).map((keep): BodyChange => ({ kind: "cut", keep })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string({ unit: "binary", maxLength: 64 }), fc.json({ maxDepth: 3 }))
        .map((text): BodyChange => ({ kind: "junk", text })),
    },
  ),
  group: fc.nat({ max: 3 }),
});

interface Built {
  record: IngestRecord;
  plan: RecordPlan;
  /** The event before any change of its body, and whether the body is that event unchanged. */
  pristine: boolean;
}

/** The record a plan describes; claim-checked payloads go into `store` as S3 would hold them. */
function buildRecord(plan: RecordPlan, index: number, store: Map<string, Uint8Array>): Built {
  const clusterId = plan.who === "unregistered-cluster" ? "c9" : plan.cluster;
  const foreign = plan.who !== "registered";
  const event = eventFor(clusterId, plan.event, foreign);
  let envelope: unknown = event;
  if (plan.claim !== "inline") {
    const bytes = Buffer.from(encodeEvent(event));
    const key = `claims/${index}`;
    const check: ClaimCheck = {
      bucket: "claims",
      key,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      size: bytes.byteLength,
    };
    if (plan.claim === "claim-check-tampered")
      store.set(key, Buffer.from(encodeEvent({ ...event, resourceVersion: "999999" })));
    else if (plan.claim === "claim-check") store.set(key, bytes);
    const { object: _object, items: _items, ...header } = event as ChangeEvent & { object?: unknown; items?: unknown };
    envelope = { ...header, claimCheck: check };
  }
  let body: string;
  switch (plan.body.kind) {
    case "none":
      body = JSON.stringify(envelope);
      break;
    case "fields":
      body = JSON.stringify(mutated(envelope as Record<string, unknown>, plan.body.changes));
      break;
    case "cut":
      body = JSON.stringify(envelope).slice(0, plan.body.keep);
      break;
    case "junk":
      body = plan.body.text;
      break;
  }
  const senderId = plan.who === "foreign-sender" ? FOREIGN_SENDERS[plan.foreignSender] : SENDER_OF[plan.cluster];
  return {
    record: { messageId: `m${index}`, body, senderId, messageGroupId: `g${plan.group}` },
    plan,
    pristine: plan.body.kind === "none" || body === JSON.stringify(envelope),
  };
}

interface Harness {
  ports: IngestPorts;
  mirror: MemoryObjectMirror;
  deadLetters: { messageId: string; reason: RejectReason; detail: string }[];
  counted: { messageId: string; reason: RejectReason }[];
  transient: { messageId: string; error: unknown }[];
  sent: ReconcileRequest[];
}

function harness(store: Map<string, Uint8Array>): Harness {
  const mirror = new MemoryObjectMirror();
  const h: Omit<Harness, "ports"> = { mirror, deadLetters: [], counted: [], transient: [], sent: [] };
  const ports: IngestPorts = {
    mirror,
    // Own keys only: a cluster id such as "toString" must not find Object.prototype's.
    senders: { principalOf: async (cluster) => (Object.hasOwn(REGISTERED, cluster) ? REGISTERED[cluster] : undefined) },
    dirty: new MemoryDirtyGenerations(),
    reconcileQueue: { send: async (requests) => void h.sent.push(...requests) },
    claimChecks: {
      // S3 answers NoSuchKey for a key it does not hold, which the adapter reports as undefined.
      fetch: async (check) => store.get(check.key),
    },
    deadLetters: {
      send: async (record, reason, detail) => void h.deadLetters.push({ messageId: record.messageId, reason, detail }),
    },
    observer: {
      ingested() {},
      stale() {},
      rejected: (record, reason) => void h.counted.push({ messageId: record.messageId, reason }),
      transientFailure: (record, error) => void h.transient.push({ messageId: record.messageId, error }),
      reconcileRequestsSent() {},
    },
    now: () => 1_700_000_000_000,
  };
  return { ...h, ports };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => void process.on("unhandledRejection", onUnhandled));
afterAll(() => void process.off("unhandledRejection", onUnhandled));

/** A JSON object body refused by the decoder must name the field; a non-object body is refused whole. */
function namesItsField(body: string, detail: string): boolean {
  const decoded = decodeEventJson(body);
  if (decoded.ok) return true;
  if (decoded.field === "")
    return /^(body is not JSON|event must be a JSON object|event could not be read)/.test(detail);
  return detail.startsWith(`${decoded.field}: `);
}

describe("SQS event bodies through ingest", () => {
  it(
    `${FUZZ_RUNS} batches: nothing retried, every rejection dead-lettered with a reason and counted, no foreign write`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(recordPlan, { minLength: 1, maxLength: 10 }), async (plans) => {
          const store = new Map<string, Uint8Array>();
          const built = plans.map((plan, i) => buildRecord(plan, i, store));
          const h = harness(store);
          const result = await withinCaseLimitAsync("ingestBatch", () =>
            ingestBatch(
              built.map((b) => b.record),
              h.ports,
            ),
          );
          expect(h.transient.map((t) => [t.messageId, String(t.error)])).toEqual([]);
          expect(result.batchItemFailures).toEqual([]);
          // Dead-lettered once each, with a known reason and a detail, and counted with that reason.
          expect(new Set(h.deadLetters.map((d) => d.messageId)).size).toBe(h.deadLetters.length);
          expect(h.counted).toEqual(h.deadLetters.map(({ messageId, reason }) => ({ messageId, reason })));
          for (const dead of h.deadLetters) {
            expect(REASONS).toContain(dead.reason);
            expect(dead.detail).not.toBe("");
            const record = built.find((b) => b.record.messageId === dead.messageId)?.record;
            if ((dead.reason === "malformed" || dead.reason === "unknown-schema-version") && record) {
              expect(namesItsField(record.body, dead.detail)).toBe(true);
            }
          }
          const reasonOf = new Map(h.deadLetters.map((d) => [d.messageId, d.reason]));
          for (const { record, plan, pristine } of built) {
            if (!pristine) continue;
            const expected =
              plan.who === "foreign-sender"
                ? "sender-mismatch"
                : plan.who === "unregistered-cluster"
                  ? "unregistered-cluster"
                  : plan.claim === "claim-check-tampered" || plan.claim === "claim-check-missing"
                    ? "claim-check-invalid"
                    : undefined;
            expect({ messageId: record.messageId, reason: reasonOf.get(record.messageId) }).toEqual({
              messageId: record.messageId,
              reason: expected,
            });
          }
          for (const cluster of ["c1", "c2", "c9"]) {
            const objects = await h.mirror.loadCluster(cluster);
            if (cluster === "c9") expect(objects).toEqual([]);
            for (const object of objects) {
              const uid = (object.metadata as { uid?: unknown } | undefined)?.uid;
              expect(typeof uid === "string" && uid.startsWith(FOREIGN_UID)).toBe(false);
            }
          }
        }),
        fuzzParameters(),
      );
      expect(unhandled).toEqual([]);
    },
    testTimeout(),
  );
});
