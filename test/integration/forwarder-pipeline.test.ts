// The forwarder end to end against a real kube-apiserver and moto's SQS FIFO and S3: what arrives
// on the queue, in what order, with which ids; Secrets; relists after etcd compaction; claim
// checks; an SQS outage; EndpointSlice coalescing. A reader drains the queue as a consumer would.
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../forwarder/clock.ts";
import { Forwarder } from "../../forwarder/forwarder.ts";
import { boundPort } from "../../forwarder/http-server.ts";
import { KubeApi } from "../../forwarder/kube-api.ts";
import { METRIC } from "../../forwarder/metrics.ts";
import { decodeEventJson } from "../../shared/events/codec.ts";
import type { ChangeEvent, SnapshotEvent } from "../../shared/events/event.ts";
import { messageDeduplicationId, messageGroupId } from "../../shared/events/sqs-attributes.ts";
import { compactEtcd, kubeConfig, motoSettings, resetMoto, uniqueName, waitFor } from "../env/clients.ts";

const CLUSTER_ID = "it-cluster";
const WINDOW_MS = 1000;
const GATEWAY = { group: "gateway.networking.k8s.io", version: "v1", plural: "gateways" } as const;
const HTTPROUTE = { group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes" } as const;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

interface Received {
  body: string;
  groupId: string;
  deduplicationId: string;
  event: ChangeEvent;
}

/** Drains the queue in the background, as the ingest Lambda would, decoding every body. */
class QueueReader {
  readonly received: Received[] = [];
  readonly undecodable: string[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  private readonly sqs: SQSClient;
  private readonly queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const batch = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"],
        }),
      );
      const messages = batch.Messages ?? [];
      for (const message of messages) {
        const body = String(message.Body);
        const decoded = decodeEventJson(body);
        if (!decoded.ok) {
          this.undecodable.push(`${decoded.field}: ${decoded.reason}`);
          continue;
        }
        this.received.push({
          body,
          groupId: String(message.Attributes?.MessageGroupId),
          deduplicationId: String(message.Attributes?.MessageDeduplicationId),
          event: decoded.event,
        });
      }
      if (messages.length > 0) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  }

  of(kind: string, namespace: string, name: string): Received[] {
    return this.received.filter(
      (r) =>
        r.event.op !== "snapshot" &&
        r.event.kind.kind === kind &&
        r.event.namespace === namespace &&
        r.event.name === name,
    );
  }

  snapshots(kind: string): (Received & { event: SnapshotEvent })[] {
    return this.received.filter(
      (r): r is Received & { event: SnapshotEvent } => r.event.op === "snapshot" && r.event.kind.kind === kind,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** A loopback TCP proxy in front of moto, so a test can make SQS unreachable and reachable again. */
class OutageProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  private readonly target: URL;

  constructor(target: URL) {
    this.target = target;
  }

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address !== null && typeof address !== "string") this.port = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The API server client with one fault: watches of chosen collections go quiet until released. */
class FaultableKubeApi extends KubeApi {
  private held: { pathPart: string; release: () => void; released: Promise<void> } | undefined;
  private readonly active = new Map<AbortController, string>();

  override async *watch(
    path: string,
    resourceVersion: string,
    timeoutSeconds: number,
    signal: AbortSignal,
  ): AsyncGenerator<{ type: string; object: Record<string, unknown> }> {
    const held = this.held;
    if (held && path.includes(held.pathPart)) {
      await held.released;
      return;
    }
    const controller = new AbortController();
    signal.addEventListener("abort", () => controller.abort(), { once: true });
    this.active.set(controller, path);
    try {
      yield* super.watch(path, resourceVersion, timeoutSeconds, controller.signal);
    } catch (error) {
      const holding = this.held;
      // A watch cut by hold(): stay silent until release, then end as a server close would.
      if (!signal.aborted && holding && path.includes(holding.pathPart)) {
        await holding.released;
        return;
      }
      throw error;
    } finally {
      this.active.delete(controller);
    }
  }

  hold(pathPart: string): void {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { pathPart, release, released };
    for (const [controller, path] of this.active) if (path.includes(pathPart)) controller.abort();
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }
}

describe("forwarder against kube-apiserver and moto SQS/S3", () => {
  const namespace = uniqueName("fwd");
  const secretMaterial = `super-secret-key-material-${randomBytes(8).toString("hex")}`;
  const logs: string[] = [];
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let sqs: SQSClient;
  let s3: S3Client;
  let reader: QueueReader;
  let forwarder: Forwarder;
  let api: FaultableKubeApi;
  let proxy: OutageProxy;
  let base: string;

  beforeAll(async () => {
    await resetMoto();
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const settings = motoSettings();
    sqs = new SQSClient(settings);
    s3 = new S3Client({ ...settings, forcePathStyle: true });
    const queue = await sqs.send(
      new CreateQueueCommand({ QueueName: `${uniqueName("events")}.fifo`, Attributes: { FifoQueue: "true" } }),
    );
    const queueUrl = String(queue.QueueUrl);
    await s3.send(new CreateBucketCommand({ Bucket: "claim-checks" }));
    reader = new QueueReader(sqs, queueUrl);

    proxy = new OutageProxy(new URL(settings.endpoint));
    await proxy.up();
    api = new FaultableKubeApi(kc);
    forwarder = new Forwarder({
      config: {
        clusterId: CLUSTER_ID,
        queueUrl,
        region: settings.region,
        claimCheckBucket: "claim-checks",
        namespaces: [namespace],
        listenHost: "127.0.0.1",
        listenPort: 0,
        snapshotIntervalMs: 600_000,
        endpointSliceWindowMs: WINDOW_MS,
        kindRecheckIntervalMs: 60_000,
        bufferCapacity: 100,
        sqsEndpoint: undefined,
        s3Endpoint: undefined,
        acmImport: false,
        acmEndpoint: undefined,
      },
      api,
      // Through the proxy, so the outage test can cut SQS off; the SDK's own retries stay on.
      sqs: new SQSClient({ ...settings, endpoint: `http://127.0.0.1:${proxy.port}` }),
      s3,
      clock: systemClock,
      random: Math.random,
      backoff: { initialMs: 50, maxMs: 1000 },
      log: (message) => logs.push(message),
    });
    await forwarder.start();
    const server = forwarder.httpServer;
    if (server === undefined) throw new Error("no HTTP server");
    base = `http://127.0.0.1:${boundPort(server)}`;
    await waitFor(
      "/readyz to answer 200",
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  });

  afterAll(async () => {
    await forwarder?.stop();
    await reader?.stop();
    await proxy?.down();
    sqs?.destroy();
    s3?.destroy();
  });

  const gateway = (name: string, listeners: unknown[] = [{ name: "http", port: 80, protocol: "HTTP" }]) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace },
    spec: { gatewayClassName: "switchyard-alb", listeners },
  });
  const route = (name: string, annotations: Record<string, string> = {}) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace, annotations },
    spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "svc", port: 80 }] }] },
  });
  const resourceVersionOf = (object: unknown): string =>
    String((object as { metadata: { resourceVersion: string } }).metadata.resourceVersion);

  it("skips kinds whose CRD is not installed, with a warning, and is ready without them", async () => {
    expect(logs.some((l) => l.includes("gateway.k8s.aws/LoadBalancerConfiguration is not served"))).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`${METRIC.relists}{kind="Gateway",reason="initial"} 1`);
  });

  it.each([
    ["Gateway", GATEWAY, () => gateway("ordered")],
    ["HTTPRoute", HTTPROUTE, () => route("ordered")],
  ] as const)(
    "delivers create, update and delete of a %s in order, with its group and dedup ids",
    async (kind, resource, body) => {
      const created = await objects.createNamespacedCustomObject({ ...resource, namespace, body: body() });
      const patched = await objects.patchNamespacedCustomObject(
        { ...resource, namespace, name: "ordered", body: { metadata: { labels: { step: "2" } } } },
        mergePatch,
      );
      await objects.deleteNamespacedCustomObject({ ...resource, namespace, name: "ordered" });

      const events = await waitFor(
        `upsert, upsert, delete of ${kind} ordered`,
        async () => {
          const seen = reader.of(kind, namespace, "ordered");
          return seen.some((r) => r.event.op === "delete") ? seen : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(events.map((r) => [r.event.op, r.event.op !== "snapshot" ? r.event.resourceVersion : ""])).toEqual([
        ["upsert", resourceVersionOf(created)],
        ["upsert", resourceVersionOf(patched)],
        ["delete", expect.any(String)],
      ]);
      for (const { event, groupId, deduplicationId, body: raw } of events) {
        expect(groupId).toBe(`${CLUSTER_ID}/${kind}/${namespace}/ordered`);
        expect(groupId).toBe(messageGroupId(event));
        expect(deduplicationId).toBe(messageDeduplicationId(event));
        expect(raw).not.toContain("managedFields");
      }
    },
  );

  it("forwards a Secret once referenced, without its data, retracts it when unreferenced, re-sends it at the same version when referenced again, and never sends an unreferenced one", async () => {
    const data = {
      "tls.crt": Buffer.from(`${secretMaterial}-crt`).toString("base64"),
      "tls.key": Buffer.from(`${secretMaterial}-key`).toString("base64"),
    };
    // Same watch stream, so by the time `referenced` arrives `unreferenced` has been handled.
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "unreferenced" }, type: "kubernetes.io/tls", data },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "referenced" }, type: "kubernetes.io/tls", data },
    });
    await objects.createNamespacedCustomObject({
      ...GATEWAY,
      namespace,
      body: gateway("tls", [
        {
          name: "https",
          port: 443,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ name: "referenced" }] },
        },
      ]),
    });

    const [secret] = await waitFor(
      "the referenced Secret on the queue",
      async () => {
        const seen = reader.of("Secret", namespace, "referenced");
        return seen.length > 0 ? seen : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(secret?.event).toMatchObject({ op: "upsert", object: { type: "kubernetes.io/tls" } });
    const forwarded = secret?.event;
    if (forwarded === undefined || !("object" in forwarded)) throw new Error("expected the Secret inline");
    expect(Object.keys(forwarded.object).sort()).toEqual(["apiVersion", "kind", "metadata", "type"]);
    expect(reader.of("Secret", namespace, "unreferenced")).toEqual([]);

    // Its only referrer goes: the Secret is retracted from the mirror, at its own version and
    // marked as a retraction (it still exists), with a deduplication id of its own.
    await objects.deleteNamespacedCustomObject({ ...GATEWAY, namespace, name: "tls" });
    const retraction = await waitFor(
      "a retraction of the no longer referenced Secret",
      async () => reader.of("Secret", namespace, "referenced").find((r) => r.event.op === "delete"),
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(retraction.event).toMatchObject({ retraction: true, resourceVersion: forwarded.resourceVersion });
    expect(retraction.deduplicationId).toBe(messageDeduplicationId(retraction.event));
    expect(retraction.deduplicationId).not.toBe(messageDeduplicationId({ ...forwarded, op: "delete" }));

    // Referenced again, unchanged: re-sent at the same version (which the mirror accepts after a
    // retraction: test/unit/mirror/contract.ts).
    const againGateway = await objects.createNamespacedCustomObject({
      ...GATEWAY,
      namespace,
      body: gateway("tls-again", [
        {
          name: "https",
          port: 443,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ name: "referenced" }] },
        },
      ]),
    });
    const again = await waitFor(
      "the Secret re-sent once referenced again",
      async () => {
        const seen = reader.of("Secret", namespace, "referenced");
        return seen.length > 2 ? seen[2] : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(again.event).toMatchObject({ op: "upsert", resourceVersion: forwarded.resourceVersion });
    expect(again.event).not.toHaveProperty("retraction");
    // It names the Gateway version it is forwarded for, which the Secret snapshots' watch
    // positions are compared with (a snapshot taken before it cannot retract it).
    const referrerVersion = (againGateway as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    expect(again.event).toMatchObject({
      referencedBy: { kind: "Gateway", namespace, resourceVersion: referrerVersion },
    });
    const [secretSnapshot] = reader.snapshots("Secret");
    expect(secretSnapshot?.event.referrerVersions).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "Gateway", resourceVersion: expect.any(String) })]),
    );
    // A deduplication id unlike the first upsert's: on AWS, SQS drops a repeated id for five
    // minutes even once the first message was consumed (moto does not: QUIRKS M1).
    expect(again.deduplicationId).not.toBe(secret?.deduplicationId);
    expect(again.deduplicationId).not.toBe(messageDeduplicationId(again.event));
    for (const { body } of reader.received) {
      expect(body).not.toContain(secretMaterial);
      expect(body).not.toContain(data["tls.key"]);
    }
  });

  it("relists after a watch from a compacted resourceVersion fails, and its snapshot tombstones what was deleted meanwhile", async () => {
    for (const name of ["keeper", "doomed"]) {
      await objects.createNamespacedCustomObject({ ...GATEWAY, namespace, body: gateway(name) });
    }
    await waitFor(
      "both Gateways on the queue",
      async () => (reader.of("Gateway", namespace, "doomed").length > 0 ? true : undefined),
      {
        timeoutMs: 20_000,
        intervalMs: 100,
      },
    );
    const relistsBefore = await relistCount("Gateway");

    // The Gateway watch goes quiet; meanwhile `doomed` is deleted and etcd compacts past it.
    api.hold("/gateways");
    await objects.deleteNamespacedCustomObject({ ...GATEWAY, namespace, name: "doomed" });
    for (const step of ["1", "2"]) {
      await objects.patchNamespacedCustomObject(
        { ...GATEWAY, namespace, name: "keeper", body: { metadata: { labels: { step } } } },
        mergePatch,
      );
    }
    await compactEtcd();
    const snapshotsBefore = reader.snapshots("Gateway").length;
    api.release();

    const snapshot = await waitFor(
      "a Gateway snapshot after the relist",
      async () => reader.snapshots("Gateway").slice(snapshotsBefore).at(-1),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(await relistCount("Gateway")).toBeGreaterThan(relistsBefore);
    // Relisted because the resumed watch failed (410, or 500 at the compaction revision: K2).
    const reasons = (await metricsText())
      .split("\n")
      .filter((line) => line.startsWith(`${METRIC.relists}{kind="Gateway"`) && !line.includes('reason="initial"'));
    expect(reasons.join("\n")).toMatch(/reason="(expired|watch-error)"/);
    const snap = snapshot.event;
    if (!("items" in snap)) throw new Error("expected an inline snapshot");
    const names = snap.items.filter((i) => i.namespace === namespace).map((i) => i.name);
    expect(names).toContain("keeper");
    expect(names).not.toContain("doomed");
    expect(snap.namespaces).toEqual([namespace]);

    // A consumer that missed the delete event (say it was lost upstream) still tombstones
    // `doomed` from the snapshot alone: absent, and not newer than the snapshot.
    const mirror = new Map<string, string>();
    for (const { event } of reader.received) {
      if (event.op === "upsert" && event.kind.kind === "Gateway")
        mirror.set(`${event.namespace}/${event.name}`, event.resourceVersion);
    }
    expect(mirror.has(`${namespace}/doomed`)).toBe(true);
    const listed = new Set(snap.items.map((i) => `${i.namespace}/${i.name}`));
    for (const [key, version] of mirror) {
      const inScope = snap.namespaces === undefined || snap.namespaces.includes(key.split("/")[0] ?? "");
      if (inScope && !listed.has(key) && Number(version) <= Number(snap.resourceVersion)) mirror.delete(key);
    }
    expect(mirror.has(`${namespace}/doomed`)).toBe(false);
    expect(mirror.has(`${namespace}/keeper`)).toBe(true);
  });

  it("sends an object over the SQS size limit through an S3 claim check", async () => {
    // Kubernetes caps all annotations together at 256 KiB; just under that is over SQS's limit.
    const huge = route("huge", { "example.com/a": "a".repeat(125_000), "example.com/b": "b".repeat(125_000) });
    const created = await objects.createNamespacedCustomObject({ ...HTTPROUTE, namespace, body: huge });
    const [message] = await waitFor(
      "the huge HTTPRoute on the queue",
      async () => {
        const seen = reader.of("HTTPRoute", namespace, "huge");
        return seen.length > 0 ? seen : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const event = message?.event;
    if (event === undefined || !("claimCheck" in event)) throw new Error("expected a claim check");
    expect(message?.body.length).toBeLessThan(2000);
    const stored = await s3.send(new GetObjectCommand({ Bucket: event.claimCheck.bucket, Key: event.claimCheck.key }));
    const body = await stored.Body?.transformToString();
    if (body === undefined) throw new Error("empty S3 object");
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(body).digest("hex")).toBe(event.claimCheck.sha256);
    expect(Buffer.byteLength(body)).toBe(event.claimCheck.size);
    const full = decodeEventJson(body);
    expect(full.ok && full.event.op === "upsert" && "object" in full.event && full.event.resourceVersion).toBe(
      resourceVersionOf(created),
    );
  });

  it("holds events while SQS is unreachable and delivers every one of them afterwards", async () => {
    const errorsBefore = await metricSum(METRIC.sendErrors);
    await proxy.down();
    const names = Array.from({ length: 15 }, (_, i) => `outage-${i}`);
    for (const name of names)
      await objects.createNamespacedCustomObject({ ...HTTPROUTE, namespace, body: route(name) });
    await waitFor(
      "send errors while SQS is down",
      async () => ((await metricSum(METRIC.sendErrors)) > errorsBefore ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect(names.filter((n) => reader.of("HTTPRoute", namespace, n).length > 0)).toEqual([]);

    await proxy.up();
    await waitFor(
      "every route created during the outage",
      async () => (names.every((n) => reader.of("HTTPRoute", namespace, n).length === 1) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await waitFor(
      "/readyz 200 again",
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
  });

  it("coalesces 50 rapid updates of one EndpointSlice into at most one event per window", async () => {
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const slice = (ready: number) => ({
      metadata: { name: "churn", namespace, labels: { "kubernetes.io/service-name": "svc" } },
      addressType: "IPv4",
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      endpoints: Array.from({ length: 3 }, (_, i) => ({
        addresses: [`10.1.0.${i + 1}`],
        conditions: { ready: i < ready },
      })),
    });
    const started = Date.now();
    let last = await discovery.createNamespacedEndpointSlice({ namespace, body: slice(0) });
    for (let i = 1; i <= 50; i++) {
      last = await discovery.replaceNamespacedEndpointSlice({
        name: "churn",
        namespace,
        body: { ...slice(i % 4), metadata: { ...slice(0).metadata, resourceVersion: last.metadata?.resourceVersion } },
      });
    }
    const finalVersion = String(last.metadata?.resourceVersion);
    const events = await waitFor(
      "the final EndpointSlice version on the queue",
      async () => {
        const seen = reader.of("EndpointSlice", namespace, "churn");
        return seen.some((r) => r.event.op !== "snapshot" && r.event.resourceVersion === finalVersion)
          ? seen
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const elapsed = Date.now() - started;
    // One event passes at once, then at most one per window for as long as changes kept coming.
    const bound = 1 + Math.ceil(elapsed / WINDOW_MS);
    expect(events.length).toBeLessThanOrEqual(bound);
    expect(events.length).toBeLessThan(51);
    expect(events.at(-1)?.event).toMatchObject({ op: "upsert", resourceVersion: finalVersion });
  });

  it("forwards a Node reduced to what instance targets read, and not its unchanged heartbeats", async () => {
    const name = uniqueName("node");
    const nodeEvents = () =>
      reader.received.filter((r) => r.event.op !== "snapshot" && r.event.kind.kind === "Node" && r.event.name === name);
    const status = (ready: "True" | "False", at: string) => {
      const heartbeat = new Date(at);
      return {
        conditions: [
          {
            type: "Ready",
            status: ready,
            reason: "KubeletReady",
            lastHeartbeatTime: heartbeat,
            lastTransitionTime: heartbeat,
          },
          {
            type: "MemoryPressure",
            status: "False",
            reason: "Fine",
            lastHeartbeatTime: heartbeat,
            lastTransitionTime: heartbeat,
          },
        ],
        addresses: [{ type: "InternalIP", address: "10.0.1.10" }],
        images: [{ names: ["registry.example/app:1"], sizeBytes: 1000 }],
      };
    };
    const created = await core.createNode({
      body: {
        metadata: { name, labels: { pool: "web" }, annotations: { "node.alpha.kubernetes.io/ttl": "0" } },
        spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0" },
      },
    });
    try {
      let latest = await core.replaceNodeStatus({
        name,
        body: { ...created, status: status("True", "2026-01-01T00:00:00Z") },
      });
      const first = await waitFor(
        "the Node's Ready status on the queue",
        async () => {
          const seen = nodeEvents().filter(
            (r) => r.event.op === "upsert" && r.event.resourceVersion === latest.metadata?.resourceVersion,
          );
          return seen[0];
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      const event = first.event as ChangeEvent & { object: Record<string, unknown> };
      expect(event.object).toEqual({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          uid: created.metadata?.uid,
          resourceVersion: latest.metadata?.resourceVersion,
          creationTimestamp: (created.metadata?.creationTimestamp as Date | undefined)
            ?.toISOString()
            .replace(".000Z", "Z"),
          labels: { pool: "web" },
        },
        spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0" },
        status: {
          conditions: [{ type: "Ready", status: "True" }],
          addresses: [{ type: "InternalIP", address: "10.0.1.10" }],
        },
      });
      // Heartbeats: new resourceVersions, nothing switchyard reads changed.
      for (let i = 1; i <= 3; i++) {
        latest = await core.replaceNodeStatus({
          name,
          body: { ...latest, status: status("True", `2026-01-01T00:0${i}:00Z`) },
        });
      }
      // Then readiness changes: that is forwarded, and nothing came in between.
      latest = await core.replaceNodeStatus({
        name,
        body: { ...latest, status: status("False", "2026-01-01T00:05:00Z") },
      });
      const notReady = latest.metadata?.resourceVersion;
      const events = await waitFor(
        "the Node's NotReady status on the queue",
        async () => {
          const seen = nodeEvents();
          return seen.some((r) => r.event.op === "upsert" && r.event.resourceVersion === notReady) ? seen : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      // The node as created (no status yet), Ready, NotReady: no heartbeat in between.
      expect(events.map((r) => (r.event.op !== "snapshot" ? r.event.resourceVersion : ""))).toEqual([
        created.metadata?.resourceVersion,
        first.event.op !== "snapshot" ? first.event.resourceVersion : "",
        notReady,
      ]);
    } finally {
      await core.deleteNode({ name });
    }
  });

  it("sends nothing the ingest side could not decode", () => {
    expect(reader.undecodable).toEqual([]);
  });

  async function metricsText(): Promise<string> {
    return (await fetch(`${base}/metrics`)).text();
  }

  async function metricSum(name: string): Promise<number> {
    return (await metricsText())
      .split("\n")
      .filter((line) => line.startsWith(name))
      .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
  }

  async function relistCount(kind: string): Promise<number> {
    return (await metricsText())
      .split("\n")
      .filter((line) => line.startsWith(`${METRIC.relists}{kind="${kind}"`))
      .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
  }
});
