// Via-forwarder status mode end to end on real components: the status λ (handleStatusBatch) puts a
// via-forwarder cluster's intents on that cluster's queue in moto SQS; the forwarder's status
// puller receives them and writes /status in the real kube-apiserver with the ServiceAccount token
// and RBAC of the Helm chart (statusMode=via-forwarder), nothing more. Conflicts, redeliveries,
// malformed and misrouted messages, vanished objects and shutdown are each checked here; the last
// test runs `node forwarder/main.ts` as a pod would.
// SWITCHYARD_COMPONENTS=moto,kube
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../forwarder/clock.ts";
import { METRIC, Metrics } from "../../forwarder/metrics.ts";
import { KubeConfigStatusApi } from "../../forwarder/status-api.ts";
import { StatusPuller } from "../../forwarder/status-puller.ts";
import { sqsForwarderStatusQueues } from "../../functions/status/environment.ts";
import { handleStatusBatch } from "../../functions/status/status-batch.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import { RecordingMetrics } from "../../shared/pipeline/metrics.ts";
import { encodeStatusIntentMessage, type StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { StatusConnections } from "../../shared/status/writer/connection.ts";
import type { KubeApi, KubeResponse } from "../../shared/status/writer/kube-api.ts";
import { StatusWriter } from "../../shared/status/writer/writer.ts";
import {
  DUMMY_CREDENTIALS,
  kubeConfig,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  requireEnv,
  resetMoto,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import { REPO_ROOT } from "../env/process.ts";
import { type InstalledForwarderRbac, installForwarderRbac } from "../fixtures/forwarder-identity.ts";
import { sqsEvent, sqsRecord } from "../fixtures/sqs-records.ts";
import { crossAccountCluster } from "../unit/registry/fixtures.ts";

const GROUP = "gateway.networking.k8s.io";
const CONTROLLER = "switchyard.dev/alb";
const OTHER_CONTROLLER = "example.com/other-controller";
const CLUSTER = uniqueName("viafwd");
const SETTLE = { timeoutMs: 30_000, intervalMs: 100 };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Records every request, and runs the queued concurrent writers, one before each PATCH. */
class ObservedApi implements KubeApi {
  readonly calls: string[] = [];
  readonly beforePatch: (() => Promise<void>)[] = [];
  readonly inner: KubeApi;
  constructor(inner: KubeApi) {
    this.inner = inner;
  }

  async request(method: "GET" | "PATCH", path: string, body?: { contentType: string; json: unknown }) {
    if (method === "PATCH") await this.beforePatch.shift()?.();
    const response: KubeResponse = await this.inner.request(method, path, body);
    this.calls.push(`${method} ${response.status} ${path}`);
    return response;
  }
}

function cond(type: string, status: boolean, reason: string, message = reason): Condition {
  return { type, status: status ? "True" : "False", reason, message };
}

interface Live {
  metadata: { generation: number; resourceVersion: string };
  status?: {
    conditions?: (Condition & { observedGeneration?: number })[];
    addresses?: { type: string; value: string }[];
    parents?: { controllerName: string; parentRef: { name: string }; conditions: Condition[] }[];
    ancestors?: { controllerName: string; ancestorRef: { name: string }; conditions: Condition[] }[];
  };
}

const conditionOf = (live: Live | undefined, type: string) => live?.status?.conditions?.find((c) => c.type === type);

describe("forwarder status puller: via-forwarder status mode", () => {
  const namespace = uniqueName("viafwd");
  const className = uniqueName("alb");
  const logger = new Logger({ logLevel: "SILENT" });
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let sqs: SQSClient;
  let rbac: InstalledForwarderRbac;
  let api: ObservedApi;
  let metrics: Metrics;
  const logs: string[] = [];
  let queueUrl: string;
  let deadLetterUrl: string;
  const pullers: StatusPuller[] = [];

  const namespaced = (plural: string, version = "v1") => ({ group: GROUP, version, namespace, plural });
  const read = async (plural: string, name: string) =>
    (await objects.getNamespacedCustomObject({ ...namespaced(plural), name })) as Live;
  const readClass = async () =>
    (await objects.getClusterCustomObject({
      group: GROUP,
      version: "v1",
      plural: "gatewayclasses",
      name: className,
    })) as Live;
  const adminPatchStatus = (plural: string, name: string, status: unknown) =>
    objects.patchNamespacedCustomObjectStatus({ ...namespaced(plural), name, body: { status } }, mergePatch);

  async function createQueue(name: string, deadLetterArn?: string): Promise<string> {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: deadLetterArn
          ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: 2 }) }
          : {},
      }),
    );
    if (QueueUrl === undefined) throw new Error(`no URL for queue ${name}`);
    return QueueUrl;
  }

  /** Messages on the queue, visible or in flight. */
  async function depth(url: string): Promise<number> {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  }

  const drained = (url: string) =>
    waitFor(`queue ${url} drained`, async () => ((await depth(url)) === 0 ? true : undefined), SETTLE);

  function startPuller(url: string, into: Metrics, writer = new StatusWriter(api, { maxAttempts: 2 })): StatusPuller {
    const started = new StatusPuller({
      sqs,
      queueUrl: url,
      clusterId: CLUSTER,
      writer,
      metrics: into,
      clock: systemClock,
      random: Math.random,
      log: (message) => logs.push(message),
      backoff: { initialMs: 200, maxMs: 1000 },
      waitTimeSeconds: 1,
    });
    started.start();
    pullers.push(started);
    return started;
  }

  async function send(url: string, intents: StatusIntent[], cluster = CLUSTER): Promise<void> {
    const body = encodeStatusIntentMessage({ version: 1, cluster, source: `${cluster}/${namespace}/gw`, intents });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  }

  function gatewayIntent(name: string, programmed: boolean, extra: Condition[] = []): StatusIntent {
    return {
      kind: "Gateway",
      namespace,
      name,
      observedGeneration: 1,
      conditions: [
        cond("Accepted", true, "Accepted"),
        programmed ? cond("Programmed", true, "Programmed") : cond("Programmed", false, "Pending"),
        ...extra,
      ],
      listeners: [
        {
          name: "http",
          supportedKinds: [{ group: GROUP, kind: "HTTPRoute" }],
          attachedRoutes: 1,
          conditions: [cond("Accepted", true, "Accepted")],
        },
      ],
      addresses: programmed ? [{ type: "Hostname", value: `${name}.elb.example.com` }] : [],
      attachedListenerSets: 0,
    };
  }

  const routeIntent = (name: string): StatusIntent => ({
    kind: "HTTPRoute",
    namespace,
    name,
    observedGeneration: 1,
    controllerNames: [CONTROLLER],
    parents: [
      {
        parentRef: { group: GROUP, kind: "Gateway", name: "gw" },
        controllerName: CONTROLLER,
        conditions: [cond("Accepted", true, "Accepted"), cond("ResolvedRefs", true, "ResolvedRefs")],
      },
    ],
  });

  beforeAll(async () => {
    await resetMoto();
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    sqs = new SQSClient(motoSettings());
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    rbac = await installForwarderRbac(kc, namespace, uniqueName("r"), {
      statusMode: "via-forwarder",
      statusQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/status",
    });

    await objects.createClusterCustomObject({
      group: GROUP,
      version: "v1",
      plural: "gatewayclasses",
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "GatewayClass",
        metadata: { name: className },
        spec: { controllerName: CONTROLLER },
      },
    });
    for (const name of ["gw", "gw-conflict", "gw-process", "gw-stop"]) {
      await objects.createNamespacedCustomObject({
        ...namespaced("gateways"),
        body: {
          apiVersion: `${GROUP}/v1`,
          kind: "Gateway",
          metadata: { name },
          spec: { gatewayClassName: className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
        },
      });
    }
    await objects.createNamespacedCustomObject({
      ...namespaced("httproutes"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "web" },
        spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] },
      },
    });
    await objects.createNamespacedCustomObject({
      ...namespaced("backendtlspolicies"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "BackendTLSPolicy",
        metadata: { name: "tls" },
        spec: {
          targetRefs: [{ group: "", kind: "Service", name: "web" }],
          validation: { hostname: "web.example.com", wellKnownCACertificates: "System" },
        },
      },
    });

    const deadLetter = await createQueue(uniqueName("status-dlq"));
    deadLetterUrl = deadLetter;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetter, AttributeNames: ["QueueArn"] }),
    );
    queueUrl = await createQueue(`switchyard-status-${CLUSTER}`, Attributes?.QueueArn);

    api = new ObservedApi(new KubeConfigStatusApi(rbac.kubeConfig));
    metrics = new Metrics();
    startPuller(queueUrl, metrics);
  });

  afterAll(async () => {
    await Promise.all(pullers.map((p) => p.stop()));
    await rbac?.uninstall();
    sqs?.destroy();
  });

  it("writes what the status λ routed to the cluster's queue, with the forwarder's ServiceAccount", async () => {
    // Other controllers' status that every write must keep.
    await adminPatchStatus("httproutes", "web", {
      parents: [
        {
          parentRef: { name: "gw" },
          controllerName: OTHER_CONTROLLER,
          conditions: [
            {
              ...cond("Accepted", true, "Accepted"),
              lastTransitionTime: "2026-01-01T00:00:00Z",
              observedGeneration: 1,
            },
          ],
        },
      ],
    });
    await adminPatchStatus("backendtlspolicies", "tls", {
      ancestors: [
        {
          ancestorRef: { group: GROUP, kind: "Gateway", name: "gw" },
          controllerName: OTHER_CONTROLLER,
          conditions: [
            {
              ...cond("Accepted", true, "Accepted"),
              lastTransitionTime: "2026-01-01T00:00:00Z",
              observedGeneration: 1,
            },
          ],
        },
      ],
    });
    const intents: StatusIntent[] = [
      {
        kind: "GatewayClass",
        name: className,
        observedGeneration: 1,
        conditions: [cond("Accepted", true, "Accepted", "handled by switchyard (alb)")],
      },
      gatewayIntent("gw", true),
      routeIntent("web"),
      {
        kind: "BackendTLSPolicy",
        namespace,
        name: "tls",
        observedGeneration: 1,
        gateway: { namespace, name: "gw" },
        ancestors: [
          {
            ancestorRef: { group: GROUP, kind: "Gateway", namespace, name: "gw" },
            controllerName: CONTROLLER,
            conditions: [
              cond("Accepted", false, "Invalid", "Elastic Load Balancing does not verify target certificates"),
            ],
          },
        ],
        controllerNames: [CONTROLLER],
      },
    ];
    // The status λ's own routing: a via-forwarder cluster's message goes to its queue, and its
    // direct writers (which refuse via-forwarder clusters) are never asked.
    const registry = new MemoryClusterRegistry(MOTO_DEFAULT_ACCOUNT_ID);
    await registry.put(crossAccountCluster(CLUSTER), "create");
    const lambdaMetrics = new RecordingMetrics();
    const response = await handleStatusBatch(
      sqsEvent([sqsRecord(encodeStatusIntentMessage({ version: 1, cluster: CLUSTER, intents }))]),
      {
        registry,
        writers: new StatusConnections({
          registry,
          eksFor: () => {
            throw new Error("a via-forwarder cluster must not be written directly");
          },
          credentialsFor: () => DUMMY_CREDENTIALS,
        }),
        forwarderQueues: sqsForwarderStatusQueues(sqs, queueUrl.replace(CLUSTER, "{cluster}")),
      },
      { logger, metrics: lambdaMetrics },
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(lambdaMetrics.total("StatusForwarded")).toBe(4);

    const gateway = await waitFor(
      "Gateway gw Programmed with its address",
      async () => {
        const live = await read("gateways", "gw");
        return conditionOf(live, "Programmed")?.status === "True" ? live : undefined;
      },
      SETTLE,
    );
    expect(gateway.status?.addresses).toEqual([{ type: "Hostname", value: "gw.elb.example.com" }]);
    expect(conditionOf(gateway, "Programmed")?.observedGeneration).toBe(gateway.metadata.generation);

    const gatewayClass = await waitFor(
      "GatewayClass Accepted",
      async () => {
        const live = await readClass();
        return conditionOf(live, "Accepted")?.status === "True" ? live : undefined;
      },
      SETTLE,
    );
    expect(conditionOf(gatewayClass, "Accepted")?.reason).toBe("Accepted");

    const route = await waitFor(
      "HTTPRoute web with our parent entry",
      async () => {
        const live = await read("httproutes", "web");
        return live.status?.parents?.some((p) => p.controllerName === CONTROLLER) ? live : undefined;
      },
      SETTLE,
    );
    expect(route.status?.parents?.map((p) => p.controllerName)).toEqual([OTHER_CONTROLLER, CONTROLLER]);

    const policy = await waitFor(
      "BackendTLSPolicy tls with our ancestor entry",
      async () => {
        const live = await read("backendtlspolicies", "tls");
        return live.status?.ancestors?.some((a) => a.controllerName === CONTROLLER) ? live : undefined;
      },
      SETTLE,
    );
    expect(policy.status?.ancestors?.map((a) => [a.controllerName, a.conditions[0]?.status])).toEqual([
      [OTHER_CONTROLLER, "True"],
      [CONTROLLER, "False"],
    ]);

    await drained(queueUrl);
    expect(metrics.value(METRIC.statusWrites, { outcome: "written" })).toBe(4);
    expect(metrics.value(METRIC.statusMessages, { result: "done" })).toBe(1);
    // Every request went through the ServiceAccount's token, and every PATCH was accepted.
    expect(api.calls.filter((c) => c.startsWith("PATCH")).every((c) => c.startsWith("PATCH 200"))).toBe(true);
  });

  it("a redelivered message changes nothing and is deleted", async () => {
    const before = await read("gateways", "gw");
    const unchanged = metrics.value(METRIC.statusWrites, { outcome: "unchanged" });
    await send(queueUrl, [gatewayIntent("gw", true), routeIntent("web")]);
    await waitFor(
      "both intents found unchanged",
      async () => (metrics.value(METRIC.statusWrites, { outcome: "unchanged" }) === unchanged + 2 ? true : undefined),
      SETTLE,
    );
    await drained(queueUrl);
    expect((await read("gateways", "gw")).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it("a conflict beyond the writer's own retries puts the message back; the retry writes, keeping the other writer's change", async () => {
    await send(queueUrl, [gatewayIntent("gw-conflict", false)]);
    await waitFor(
      "the first write",
      async () => (conditionOf(await read("gateways", "gw-conflict"), "Programmed") ? true : undefined),
      SETTLE,
    );
    const retries = metrics.value(METRIC.statusMessages, { result: "retry" });
    // Another controller writes between each of the writer's reads and its PATCH, twice: both of
    // the writer's attempts (maxAttempts 2) meet 409 Conflict.
    for (const attempt of [1, 2]) {
      api.beforePatch.push(async () => {
        const current = (await read("gateways", "gw-conflict")).status?.conditions ?? [];
        await adminPatchStatus("gateways", "gw-conflict", {
          conditions: [
            ...current.filter((c) => c.type !== "example.com/Audited"),
            {
              ...cond("example.com/Audited", true, "Audited", `concurrent write ${attempt}`),
              lastTransitionTime: "2026-01-01T00:00:00Z",
            },
          ],
        });
      });
    }
    await send(queueUrl, [gatewayIntent("gw-conflict", true)]);
    const live = await waitFor(
      "Gateway gw-conflict Programmed after the retry",
      async () => {
        const current = await read("gateways", "gw-conflict");
        return conditionOf(current, "Programmed")?.status === "True" ? current : undefined;
      },
      SETTLE,
    );
    expect(api.beforePatch).toEqual([]);
    expect(metrics.value(METRIC.statusErrors, { kind: "conflict" })).toBe(1);
    expect(metrics.value(METRIC.statusMessages, { result: "retry" })).toBe(retries + 1);
    expect(conditionOf(live, "example.com/Audited")?.status).toBe("True");
    expect(live.status?.addresses).toEqual([{ type: "Hostname", value: "gw-conflict.elb.example.com" }]);
    await drained(queueUrl);
  });

  it("an object deleted meanwhile: the message is deleted and the intent counted not-found", async () => {
    await send(queueUrl, [routeIntent("never-created")]);
    await waitFor(
      "the not-found outcome",
      async () => (metrics.value(METRIC.statusWrites, { outcome: "not-found" }) === 1 ? true : undefined),
      SETTLE,
    );
    await drained(queueUrl);
  });

  it("malformed and misrouted messages are never written and end in the dead-letter queue", async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "not a status message" }));
    // A message for another cluster naming an object this cluster has: it must not be written here.
    await send(queueUrl, [gatewayIntent("gw", false, [cond("Hijacked", true, "Hijacked")])], "another-cluster");
    const dead = new Set<string>();
    await waitFor(
      "both messages on the dead-letter queue",
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const m of Messages) dead.add(m.Body?.includes("another-cluster") ? "other-cluster" : String(m.Body));
        return dead.size === 2 ? true : undefined;
      },
      SETTLE,
    );
    expect([...dead].sort()).toEqual(["not a status message", "other-cluster"]);
    expect(metrics.value(METRIC.statusRejected, { reason: "malformed" })).toBeGreaterThanOrEqual(1);
    expect(metrics.value(METRIC.statusRejected, { reason: "other-cluster" })).toBeGreaterThanOrEqual(1);
    expect(conditionOf(await read("gateways", "gw"), "Hijacked")).toBeUndefined();
    expect(logs.some((l) => l.includes("body is not JSON") && l.includes("left to the queue's redrive policy"))).toBe(
      true,
    );
  });

  it("on a queue without a redrive policy a malformed message is deleted, with its reason logged", async () => {
    const bare = await createQueue(uniqueName("bare-status"));
    const bareMetrics = new Metrics();
    startPuller(bare, bareMetrics);
    await sqs.send(new SendMessageCommand({ QueueUrl: bare, MessageBody: '{"version":1}' }));
    await waitFor(
      "the malformed message rejected",
      async () => (bareMetrics.value(METRIC.statusRejected, { reason: "malformed" }) === 1 ? true : undefined),
      SETTLE,
    );
    await drained(bare);
    expect(logs.some((l) => l.includes("cluster: expected a string") && l.includes("deleted"))).toBe(true);
    expect(logs.some((l) => l.includes("has no redrive policy"))).toBe(true);
  });

  function quietPuller(url: string, through: KubeApi): StatusPuller {
    const started = new StatusPuller({
      sqs,
      queueUrl: url,
      clusterId: CLUSTER,
      writer: new StatusWriter(through),
      metrics: new Metrics(),
      clock: systemClock,
      random: Math.random,
      log: (message) => logs.push(message),
      waitTimeSeconds: 20,
    });
    started.start();
    return started;
  }

  it("stopping waits for the write in flight, which is finished and its message deleted", async () => {
    const queue = await createQueue(uniqueName("stop-status"));
    const gated = new ObservedApi(new KubeConfigStatusApi(rbac.kubeConfig));
    let reached: () => void = () => undefined;
    const atPatch = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    gated.beforePatch.push(async () => {
      reached();
      await gate;
    });
    const stopping = quietPuller(queue, gated);
    await send(queue, [gatewayIntent("gw-stop", true)]);
    await atPatch;
    let stopped = false;
    const stop = stopping.stop().then(() => {
      stopped = true;
    });
    // However many turns pass, stop() cannot resolve while the write it waits for is held.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stop;
    expect(conditionOf(await read("gateways", "gw-stop"), "Programmed")?.status).toBe("True");
    await drained(queue);
  });

  it("stops at once while idle in a 20-second long poll", async () => {
    const idle = quietPuller(await createQueue(uniqueName("idle-status")), api);
    await waitFor("the puller polling", async () => (idle.reachable ? true : undefined), SETTLE);
    const started = Date.now();
    await idle.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  describe("node forwarder/main.ts with a status queue", () => {
    let child: ChildProcess | undefined;
    let dir: string | undefined;

    afterAll(async () => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("writes status from the queue with its kubeconfig's identity, counts it in /metrics, and stops on SIGTERM", async () => {
      const moto = requireEnv("SWITCHYARD_MOTO_ENDPOINT");
      const s3 = new S3Client({ ...motoSettings(), forcePathStyle: true });
      const bucket = uniqueName("claims");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      s3.destroy();
      const { QueueUrl: events } = await sqs.send(
        new CreateQueueCommand({ QueueName: `${uniqueName("events")}.fifo`, Attributes: { FifoQueue: "true" } }),
      );
      const statusQueue = await createQueue(uniqueName("process-status"));
      dir = await mkdtemp(join(tmpdir(), "viafwd-"));
      const kubeconfigFile = join(dir, "kubeconfig.json");
      await writeFile(kubeconfigFile, rbac.kubeConfig.exportConfig());

      let output = "";
      const started = spawn(process.execPath, [join(REPO_ROOT, "forwarder", "main.ts")], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          SWITCHYARD_CLUSTER_ID: CLUSTER,
          SWITCHYARD_EVENTS_QUEUE_URL: String(events),
          SWITCHYARD_STATUS_QUEUE_URL: statusQueue,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
          SWITCHYARD_CLAIM_CHECK_BUCKET: bucket,
          SWITCHYARD_NAMESPACES: namespace,
          SWITCHYARD_LISTEN: "127.0.0.1:0",
          SWITCHYARD_SQS_ENDPOINT: moto,
          SWITCHYARD_S3_ENDPOINT: moto,
          SWITCHYARD_ACM_ENDPOINT: moto,
          KUBECONFIG: kubeconfigFile,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      started.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      started.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => started.on("exit", (code) => resolve(code)));
      const port = await waitFor(
        "the forwarder's listening line",
        async () => /listening on 127\.0\.0\.1:(\d+); writing status from/.exec(output)?.[1],
        { timeoutMs: 20_000, intervalMs: 50 },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- forwarder output ---\n${output}`);
      });

      await send(statusQueue, [gatewayIntent("gw-process", true)]);
      await waitFor(
        "Gateway gw-process Programmed by the forwarder process",
        async () =>
          conditionOf(await read("gateways", "gw-process"), "Programmed")?.status === "True" ? true : undefined,
        SETTLE,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- forwarder output ---\n${output}`);
      });
      const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(scraped).toContain(`${METRIC.statusWrites}{outcome="written"} 1`);
      expect(scraped).toContain(`${METRIC.statusQueueReachable} 1`);
      await drained(statusQueue);

      started.kill("SIGTERM");
      expect(await exited).toBe(0);
    });
  });
});
