// Ingest enqueues a federated ServiceExport's own unit (`lattice-export`) when the export, its
// Service or its EndpointSlices change; in-memory ports, as in test/unit/pipeline/ingest.test.ts.
import { beforeEach, describe, expect, test } from "vitest";
import { type ChangeEvent, encodeEvent } from "../../../shared/events/index.ts";
import { MemoryBackendIndex } from "../../../shared/mirror/backend-index.ts";
import { MemoryObjectMirror } from "../../../shared/mirror/memory/object-mirror.ts";
import { MemoryDirtyGenerations } from "../../../shared/pipeline/dirty-generation.ts";
import { type IngestPorts, type IngestRecord, ingestBatch } from "../../../shared/pipeline/ingest.ts";
import type { ReconcileRequest } from "../../../shared/pipeline/reconcile-request.ts";

const ROLE = "AROAEXAMPLEROLEID0001";
const FEDERATION = { "application-networking.k8s.aws/federation": "amazon-vpc-lattice" };

function event(
  group: string,
  version: string,
  kind: string,
  name: string,
  rv: number,
  body: Record<string, unknown>,
  op: "upsert" | "delete" = "upsert",
): ChangeEvent {
  const metadata = { name, namespace: "apps", uid: `uid-${kind}-${name}`, resourceVersion: String(rv) };
  const base = {
    schemaVersion: 1 as const,
    clusterId: "east",
    kind: { group, version, kind },
    namespace: "apps",
    name,
    uid: metadata.uid,
    resourceVersion: String(rv),
  };
  const { metadata: extra, ...rest } = body as { metadata?: Record<string, unknown> };
  return {
    ...base,
    // A deletion carries the object's last state too.
    op,
    object: {
      apiVersion: group ? `${group}/${version}` : version,
      kind,
      metadata: { ...metadata, ...extra },
      ...rest,
    },
  } as ChangeEvent;
}

const serviceExport = (rv: number, annotations: Record<string, string> = FEDERATION, op?: "delete") =>
  event(
    "application-networking.k8s.aws",
    "v1alpha1",
    "ServiceExport",
    "web",
    rv,
    { metadata: { annotations }, spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] } },
    op,
  );
const slice = (rv: number, service = "web") =>
  event("discovery.k8s.io", "v1", "EndpointSlice", `${service}-1`, rv, {
    metadata: { labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.0.0.1"] }],
  });

let sent: ReconcileRequest[];
let ports: IngestPorts;
let seq = 0;
const record = (e: ChangeEvent): IngestRecord => ({
  messageId: `m${++seq}`,
  body: encodeEvent(e),
  senderId: `${ROLE}:forwarder`,
  messageGroupId: `${e.kind.kind}/${"name" in e ? e.name : ""}`,
});

beforeEach(() => {
  sent = [];
  ports = {
    mirror: new MemoryObjectMirror(),
    backendIndex: new MemoryBackendIndex(),
    senders: { principalOf: async (cluster: string) => (cluster === "east" ? ROLE : undefined) },
    dirty: new MemoryDirtyGenerations(),
    reconcileQueue: { send: async (requests: readonly ReconcileRequest[]) => void sent.push(...requests) },
    claimChecks: { fetch: async () => new Uint8Array() },
    deadLetters: { send: async () => {} },
    observer: { ingested() {}, stale() {}, rejected() {}, transientFailure() {}, reconcileRequestsSent() {} },
    now: () => 0,
  };
});

const exportRequests = () => sent.filter((r) => r.reason === "lattice-export");

describe("ingest enqueues a ServiceExport's unit", () => {
  test("a federated ServiceExport created, then deleted: one lattice-export request each, keyed by the export's unit", async () => {
    await ingestBatch([record(serviceExport(5))], ports);
    await ingestBatch([record(serviceExport(9, FEDERATION, "delete"))], ports);
    expect(exportRequests()).toEqual([
      expect.objectContaining({ gatewayKey: "east/serviceexport.apps/web", generation: 5 }),
      // The deletion's own resourceVersion: not deduplicated as a resend of the creation.
      expect.objectContaining({ gatewayKey: "east/serviceexport.apps/web", generation: 9 }),
    ]);
  });

  test("an EndpointSlice of the exported Service enqueues it; of another Service, or of a Service exported without federation, nothing", async () => {
    await ingestBatch([record(serviceExport(5))], ports);
    sent.length = 0;
    await ingestBatch([record(slice(6)), record(slice(7, "other"))], ports);
    expect(exportRequests().map((r) => [r.gatewayKey, r.generation])).toEqual([["east/serviceexport.apps/web", 6]]);

    sent.length = 0;
    await ingestBatch([record(serviceExport(8, {}))], ports);
    // Losing the annotation still enqueues it once (its groups go), then its endpoints no longer do.
    expect(exportRequests()).toHaveLength(1);
    sent.length = 0;
    await ingestBatch([record(slice(10))], ports);
    expect(exportRequests()).toEqual([]);
  });
});
