// The status λ's batch handling over its ports: an in-memory registry and a writer port that
// answers as the API server would (written, unchanged, 404, 403). The real API server is in
// test/integration/status-writer.test.ts (the writer itself).
import { Logger } from "@aws-lambda-powertools/logger";
import { beforeEach, describe, expect, it } from "vitest";
import { handleStatusBatch, type StatusPorts, type StatusWriting } from "../../../functions/status/status-batch.ts";
import { RecordingMetrics } from "../../../shared/pipeline/metrics.ts";
import { batchStatusIntents, type StatusIntent } from "../../../shared/pipeline/status-intent.ts";
import { MemoryClusterRegistry } from "../../../shared/registry/memory.ts";
import { StatusWriteRefused, type WriteOutcome } from "../../../shared/status/writer/writer.ts";
import { sqsEvent, sqsRecord } from "../../fixtures/sqs-records.ts";
import { crossAccountCluster, sameAccountCluster } from "../registry/fixtures.ts";

const gateway = (name: string): StatusIntent => ({
  kind: "Gateway",
  namespace: "apps",
  name,
  observedGeneration: 1,
  conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "accepted" }],
  listeners: [],
  addresses: [],
  attachedListenerSets: 0,
});

/** Answers per object name: `gone` → 404, `same` → unchanged, `denied` → 403, `expired` → 401, else written. */
class ScriptedWriter implements StatusWriting {
  readonly written: string[] = [];
  async write(intent: StatusIntent): Promise<WriteOutcome> {
    if (intent.name === "gone") return { outcome: "not-found", attempts: 1 };
    if (intent.name === "same") return { outcome: "unchanged", attempts: 1 };
    if (intent.name === "denied") {
      throw new StatusWriteRefused("PATCH", "/x", { status: 403, body: "forbidden" });
    }
    if (intent.name === "expired") {
      throw new StatusWriteRefused("PATCH", "/x", { status: 401, body: "unauthorized" });
    }
    this.written.push(intent.name);
    return { outcome: "written", attempts: 1, resourceVersion: "2" };
  }
}

let writer: ScriptedWriter;
let forwarded: string[];
let ports: StatusPorts;
let metrics: RecordingMetrics;
const logger = new Logger({ logLevel: "SILENT" });

beforeEach(async () => {
  writer = new ScriptedWriter();
  forwarded = [];
  metrics = new RecordingMetrics();
  const registry = new MemoryClusterRegistry("111122223333");
  await registry.put(sameAccountCluster("direct-one"), "create");
  await registry.put(crossAccountCluster("via-fwd"), "create");
  ports = {
    registry,
    writers: { writerFor: async () => writer },
    forwarderQueues: {
      send: async (cluster) => {
        forwarded.push(cluster.clusterId);
        return "sent";
      },
    },
  };
});

const body = (cluster: string, names: string[]) => batchStatusIntents(cluster, names.map(gateway)).bodies[0] ?? "";
const run = (bodies: string[]) =>
  handleStatusBatch(sqsEvent(bodies.map((b) => sqsRecord(b, "cluster"))), ports, { logger, metrics });

describe("status λ", () => {
  it("writes a direct cluster's intents and counts writes and skips", async () => {
    const response = await run([body("direct-one", ["a", "same", "b"])]);
    expect(response.batchItemFailures).toEqual([]);
    expect(writer.written).toEqual(["a", "b"]);
    expect(metrics.total("StatusWrites")).toBe(2);
    expect(metrics.total("StatusWritesSkipped")).toBe(1);
  });

  it("an object deleted meanwhile is dropped without failing the record", async () => {
    const response = await run([body("direct-one", ["gone", "a"])]);
    expect(response.batchItemFailures).toEqual([]);
    expect(writer.written).toEqual(["a"]);
    expect(metrics.total("StatusWritesDropped", { reason: "not-found" })).toBe(1);
  });

  it("an unauthorized write counts StatusWriteDenied and fails the record at once, and the later ones of its group", async () => {
    const expired = body("direct-one", ["expired", "a"]);
    const later = body("direct-one", ["b"]);
    const response = await run([expired, later]);
    expect(response.batchItemFailures).toHaveLength(2);
    expect(metrics.total("StatusWriteDenied")).toBe(1);
    expect(writer.written).toEqual([]);
  });

  it("a forbidden write still lets the rest of the message be written, then fails the record", async () => {
    const response = await run([body("direct-one", ["denied", "a"])]);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(metrics.total("StatusWriteDenied")).toBe(1);
    expect(writer.written).toEqual(["a"]);
  });

  it("a via-forwarder cluster's message goes to its forwarder's queue, not the writer", async () => {
    await run([body("via-fwd", ["a"])]);
    expect(forwarded).toEqual(["via-fwd"]);
    expect(writer.written).toEqual([]);
  });

  it("an unregistered cluster's and an undecodable message are dropped", async () => {
    const response = await run([body("nobody", ["a"]), "not json"]);
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.total("StatusWritesDropped", { reason: "unregistered" })).toBe(1);
    expect(metrics.total("StatusWritesDropped", { reason: "invalid-message" })).toBe(1);
  });
});
