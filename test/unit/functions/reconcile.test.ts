// The reconcile λ's batch handling over in-memory ports: the ELB simulator (MemoryElb), memory
// stores and registry, a snapshot from manifests. The SQS and AWS sides are in
// test/integration/reconcile-handler.test.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { beforeEach, describe, expect, it } from "vitest";
import type { HandleReconcileBatch } from "../../../functions/reconcile/reconcile-batch.ts";
import { handleReconcileBatch, type ReconcilePorts } from "../../../functions/reconcile/reconcile-batch.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { type ClusterGatewayKey, clusterGatewayKey } from "../../../shared/keys.ts";
import { MemoryDirtyGenerations } from "../../../shared/pipeline/dirty-generation.ts";
import { RecordingMetrics } from "../../../shared/pipeline/metrics.ts";
import { MemorySnapshotSource, type StatusIntentSink } from "../../../shared/pipeline/reconcile-gateway.ts";
import { encodeReconcileRequest, type ReconcileRequest } from "../../../shared/pipeline/reconcile-request.ts";
import type { StatusIntent } from "../../../shared/pipeline/status-intent.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";
import { MemoryClusterRegistry } from "../../../shared/registry/memory.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import { MemoryElb } from "../../../shared/testing/index.ts";
import { pipelineObjects } from "../../fixtures/pipeline-cluster.ts";
import { sqsEvent, sqsRecord } from "../../fixtures/sqs-records.ts";
import { sameAccountCluster } from "../registry/fixtures.ts";

const CLUSTER = "prod-eu";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");

function request(generation = 0, key: ClusterGatewayKey = KEY): ReconcileRequest {
  return { version: 1, gatewayKey: key, reason: "change", generation };
}

class RecordingSink implements StatusIntentSink {
  readonly sent: { cluster: string; intents: StatusIntent[] }[] = [];
  async send(cluster: string, intents: readonly StatusIntent[]) {
    this.sent.push({ cluster, intents: [...intents] });
    return { messages: 1, oversized: [] };
  }
  get intents(): StatusIntent[] {
    return this.sent.flatMap((s) => s.intents);
  }
  find(kind: string, name: string): StatusIntent | undefined {
    return this.intents.filter((i) => i.kind === kind && i.name === name).at(-1);
  }
}

let elb: MemoryElb;
let sink: RecordingSink;
let requeued: ReconcileRequest[];
let dirty: MemoryDirtyGenerations;
let snapshots: MemorySnapshotSource;
let metrics: RecordingMetrics;
let ports: ReconcilePorts;
let clock: number;
const logger = new Logger({ logLevel: "SILENT" });

beforeEach(async () => {
  elb = new MemoryElb(`${CLUSTER}/apps/gw`);
  sink = new RecordingSink();
  requeued = [];
  dirty = new MemoryDirtyGenerations();
  snapshots = new MemorySnapshotSource({ [CLUSTER]: pipelineObjects() });
  metrics = new RecordingMetrics();
  clock = 1_000_000;
  const registry = new MemoryClusterRegistry("111122223333");
  await registry.put(sameAccountCluster(CLUSTER), "create");
  ports = {
    ...createMemoryStores(),
    registry,
    snapshots,
    dirty,
    elbFor: () => elb,
    requeue: { send: async (r) => void requeued.push(r) },
    statuses: sink,
    now: () => clock,
  };
});

const run: HandleReconcileBatch = (event, invocation = { requestId: "req-1" }) =>
  handleReconcileBatch(event, invocation, ports, { logger, metrics });

const one = (body: ReconcileRequest, group = "g1") => sqsEvent([sqsRecord(encodeReconcileRequest(body), group)]);

function condition(intent: StatusIntent | undefined, type: string) {
  if (!intent || !("conditions" in intent)) return undefined;
  return intent.conditions.find((c) => c.type === type);
}

describe("reconcile λ over in-memory ports", () => {
  it("builds the load balancer and emits Accepted, Programmed and the address for the Gateway", async () => {
    const response = await run(one(request()));
    expect(response.batchItemFailures).toEqual([]);
    expect(elb.world.loadBalancer?.name).toBeDefined();
    const gateway = sink.find("Gateway", "gw");
    expect(condition(gateway, "Accepted")?.status).toBe("True");
    expect(condition(gateway, "Programmed")?.status).toBe("True");
    expect(gateway && "addresses" in gateway ? gateway.addresses : []).toEqual([
      { type: "Hostname", value: elb.world.loadBalancer?.dnsName?.toLowerCase() },
    ]);
    expect(gateway?.observedGeneration).toBe(3);
    expect(metrics.total("Reconciles", { outcome: "applied" })).toBe(1);
  });

  it("emits the attached route's status with its own generation", async () => {
    await run(one(request()));
    const route = sink.find("HTTPRoute", "web");
    expect(route?.observedGeneration).toBe(2);
    expect(route && "parents" in route ? route.parents.map((p) => p.parentRef.name) : []).toEqual(["gw"]);
  });

  it("sends statuses of the request's cluster only to that cluster", async () => {
    await run(one(request()));
    expect(sink.sent.map((s) => s.cluster)).toEqual([CLUSTER]);
  });

  it("an unregistered cluster is rejected with no AWS call and no retry", async () => {
    const response = await run(one(request(0, clusterGatewayKey("unknown", "apps", "gw"))));
    expect(response.batchItemFailures).toEqual([]);
    expect(elb.calls).toEqual([]);
    expect(elb.reads).toBe(0);
    expect(sink.sent).toEqual([]);
    expect(metrics.total("Reconciles", { outcome: "rejected" })).toBe(1);
  });

  it("a LoadBalancerConfiguration vpcId must be the registered cluster's VPC: another refuses the Gateway", async () => {
    const withVpc = (vpcId: string): KubeObject[] =>
      pipelineObjects(
        `apiVersion: gateway.k8s.aws/v1beta1\nkind: LoadBalancerConfiguration\nmetadata: {name: lbc, namespace: apps}\nspec: {vpcId: ${vpcId}}\n`,
      ).map((o) =>
        o.kind === "Gateway"
          ? ({
              ...o,
              spec: {
                ...(o.spec as object),
                infrastructure: {
                  parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "lbc" },
                },
              },
            } as KubeObject)
          : o,
      );
    snapshots.set(CLUSTER, withVpc("vpc-0fedcba9"));
    await run(one(request()));
    const refused = condition(sink.find("Gateway", "gw"), "Accepted");
    expect(refused).toMatchObject({ status: "False", reason: "UnsupportedValue" });
    expect(refused?.message).toContain(
      "spec.vpcId: vpc-0fedcba9 is not the VPC the cluster is registered with (vpc-0a1b2c3d)",
    );
    expect(elb.world.loadBalancer).toBeUndefined();

    // The cluster's own VPC (sameAccountCluster's) is accepted and the load balancer built.
    snapshots.set(CLUSTER, withVpc("vpc-0a1b2c3d"));
    await run(one(request()));
    expect(condition(sink.find("Gateway", "gw"), "Accepted")?.status).toBe("True");
    expect(elb.world.loadBalancer?.name).toBeDefined();
  });

  it("a Gateway gone from the snapshot has everything it owns deleted", async () => {
    await run(one(request()));
    snapshots.set(
      CLUSTER,
      pipelineObjects().filter((o) => o.kind !== "Gateway"),
    );
    await run(one(request()));
    expect(elb.world.loadBalancer).toBeUndefined();
    expect(elb.world.targetGroups).toEqual([]);
    expect(metrics.total("Reconciles", { outcome: "deleted" })).toBe(1);
  });

  it("a route detached from the Gateway gets our stale entry cleared", async () => {
    const objects: KubeObject[] = pipelineObjects().map((o) =>
      o.kind === "HTTPRoute"
        ? {
            ...o,
            spec: { parentRefs: [{ name: "elsewhere" }] },
            status: {
              parents: [{ parentRef: { name: "gw" }, controllerName: "switchyard.dev/alb", conditions: [] }],
            },
          }
        : o,
    );
    snapshots.set(CLUSTER, objects);
    await run(one(request()));
    const route = sink.find("HTTPRoute", "web");
    expect(route && "parents" in route ? route.parents : undefined).toEqual([]);
    expect(route && "controllerNames" in route ? route.controllerNames : []).toContain("switchyard.dev/alb");
  });

  it("a change bumped while the reconcile ran sends exactly one requeue carrying the new generation, and stays pending", async () => {
    await dirty.bump(KEY, { urgent: true, now: clock });
    ports.snapshots = {
      load: async (cluster) => {
        await dirty.bump(KEY, { urgent: true, now: clock });
        return snapshots.load(cluster);
      },
    };
    await run(one(request(1)));
    expect(requeued).toEqual([expect.objectContaining({ gatewayKey: KEY, reason: "requeue", generation: 2 })]);
    expect((await dirty.read(KEY)).pendingSince).toBeDefined();
  });

  it("changes bumped before the reconcile started are covered by it: no requeue, nothing left pending", async () => {
    // Ingest sent request 1, then bumped twice more without sending (one was pending).
    await dirty.bump(KEY, { urgent: true, now: clock });
    await dirty.bump(KEY, { urgent: true, now: clock });
    await dirty.bump(KEY, { urgent: true, now: clock });
    await run(one(request(1)));
    expect(requeued).toEqual([]);
    const record = await dirty.read(KEY);
    expect(record.pendingSince).toBeUndefined();
    expect(record.startedGeneration).toBe(3);
    // So the next change sends a request again.
    expect((await dirty.bump(KEY, { urgent: false, now: clock })).request).toBe(true);
  });

  it("an endpoint-only request within the pacing interval is deferred to the Gateway's notBefore", async () => {
    const deferred: { receiptHandle: string; seconds: number }[] = [];
    ports.deferral = { defer: async (receiptHandle, seconds) => void deferred.push({ receiptHandle, seconds }) };
    await dirty.bump(KEY, { urgent: true, now: clock });
    expect((await run(one(request(1)))).batchItemFailures).toEqual([]);
    clock += 500;
    await dirty.bump(KEY, { urgent: false, now: clock });
    const event = one(request(2));
    const response = await run(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    // The first interval is 2 s from the first reconcile's start: 1.5 s left, whole seconds up.
    expect(deferred).toEqual([{ receiptHandle: event.Records[0]?.receiptHandle, seconds: 2 }]);
    expect(metrics.total("Reconciles", { outcome: "deferred" })).toBe(1);
    clock += 1_500;
    expect((await run(event)).batchItemFailures).toEqual([]);
    expect(deferred).toHaveLength(1);
  });

  it("a route change is not deferred, even within the pacing interval", async () => {
    const deferred: number[] = [];
    ports.deferral = { defer: async (_handle, seconds) => void deferred.push(seconds) };
    await dirty.bump(KEY, { urgent: true, now: clock });
    await run(one(request(1)));
    clock += 500;
    await dirty.bump(KEY, { urgent: true, now: clock });
    expect((await run(one(request(2)))).batchItemFailures).toEqual([]);
    expect(deferred).toEqual([]);
  });

  it("a busy lease is a batch item failure and emits nothing", async () => {
    await ports.leases.acquire(KEY, "someone-else", clock, 60_000);
    const event = one(request());
    const response = await run(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(sink.sent).toEqual([]);
    expect(metrics.total("Reconciles", { outcome: "busy" })).toBe(1);
  });

  it("a retryable AWS failure writes Programmed=False and is retried", async () => {
    elb.failBefore = () => ElbOperationError.fromCode("ServiceUnavailable", "CreateLoadBalancer", "try later");
    const event = one(request());
    const response = await run(event);
    expect(response.batchItemFailures).toHaveLength(1);
    const programmed = condition(sink.find("Gateway", "gw"), "Programmed");
    expect(programmed?.status).toBe("False");
    expect(programmed?.message).toContain("switchyard retries");
  });

  it("a terminal AWS failure writes why in Programmed and is not retried", async () => {
    elb.failBefore = () => ElbOperationError.fromCode("ValidationError", "CreateLoadBalancer", "subnets are wrong");
    const response = await run(one(request()));
    expect(response.batchItemFailures).toEqual([]);
    const programmed = condition(sink.find("Gateway", "gw"), "Programmed");
    expect(programmed?.status).toBe("False");
    expect(programmed?.message).toContain("subnets are wrong");
    expect(metrics.total("Reconciles", { outcome: "failed-terminal" })).toBe(1);
  });

  it("a failed record fails the later records of its group, and only those", async () => {
    await ports.leases.acquire(KEY, "someone-else", clock, 60_000);
    const other = clusterGatewayKey(CLUSTER, "apps", "other");
    const first = sqsRecord(encodeReconcileRequest(request()), "group-a");
    const second = sqsRecord(encodeReconcileRequest(request()), "group-a");
    const elsewhere = sqsRecord(encodeReconcileRequest(request(0, other)), "group-b");
    const response = await run(sqsEvent([first, second, elsewhere]));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([first.messageId, second.messageId]);
    expect(metrics.total("Reconciles")).toBe(2);
  });

  it("a body that is not a reconcile request is dropped, not retried", async () => {
    const response = await run(sqsEvent([sqsRecord('{"version":9}', "g")]));
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.total("Reconciles", { outcome: "invalid" })).toBe(1);
  });

  it("a thrown port error is a batch item failure", async () => {
    ports.snapshots = { load: async () => Promise.reject(new Error("mirror unavailable")) };
    const response = await run(one(request()));
    expect(response.batchItemFailures).toHaveLength(1);
  });

  it("a class-status request sends the class's Accepted status and reconciles no Gateway", async () => {
    const response = await run(
      one({
        version: 1,
        gatewayKey: clusterGatewayKey(CLUSTER, "gatewayclass", "alb"),
        reason: "class-status",
        generation: 7,
      }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(sink.intents.map((i) => `${i.kind} ${i.name}`)).toEqual(["GatewayClass alb"]);
    expect(condition(sink.find("GatewayClass", "alb"), "Accepted")?.status).toBe("True");
    expect(elb.calls).toEqual([]);
    expect(elb.world.loadBalancer).toBeUndefined();
    expect(metrics.total("Reconciles", { outcome: "class-status" })).toBe(1);
  });
});

describe("rechecks while AWS settles", () => {
  let deferred: { receiptHandle: string; seconds: number }[];

  /** The load balancer stays `provisioning` once created, until the test says it is active. */
  const provisioning = () => {
    elb.failAfter = (op) => {
      const lb = elb.world.loadBalancer;
      if (op.op === "CreateLoadBalancer" && lb) lb.state = "provisioning";
      return undefined;
    };
  };
  const becomeActive = () => {
    const lb = elb.world.loadBalancer;
    if (lb) lb.state = "active";
  };
  const lastRecheck = () => {
    const last = requeued.at(-1);
    if (last?.reason !== "recheck") throw new Error(`expected a recheck, got ${JSON.stringify(last)}`);
    return last;
  };

  beforeEach(() => {
    deferred = [];
    ports.deferral = { defer: async (receiptHandle, seconds) => void deferred.push({ receiptHandle, seconds }) };
  });

  it("a reconcile that leaves the load balancer provisioning is done and sends one recheck 10 s on, the request kept pending", async () => {
    provisioning();
    await dirty.bump(KEY, { urgent: true, now: clock });
    const response = await run(one(request(1)));
    expect(response.batchItemFailures).toEqual([]);
    expect(deferred).toEqual([]);
    expect(condition(sink.find("Gateway", "gw"), "Programmed")?.status).toBe("False");
    expect(requeued).toEqual([
      expect.objectContaining({
        reason: "recheck",
        gatewayKey: KEY,
        generation: 1,
        notBefore: clock + 10_000,
        recheck: { attempt: 1, since: clock },
      }),
    ]);
    expect(metrics.total("Rechecks")).toBe(1);
    // Ingest sends nothing while the recheck waits: it only bumps.
    expect((await dirty.bump(KEY, { urgent: false, now: clock })).request).toBe(false);
  });

  it("a recheck received early is deferred once until its notBefore, then turns the Gateway Programmed and ends the chain", async () => {
    provisioning();
    await dirty.bump(KEY, { urgent: true, now: clock });
    await run(one(request(1)));
    const recheck = one(lastRecheck());
    clock += 1_000;
    expect((await run(recheck)).batchItemFailures).toEqual([{ itemIdentifier: recheck.Records[0]?.messageId }]);
    expect(deferred).toEqual([{ receiptHandle: recheck.Records[0]?.receiptHandle, seconds: 10 }]);
    clock += 9_001;
    becomeActive();
    expect((await run(recheck)).batchItemFailures).toEqual([]);
    expect(condition(sink.find("Gateway", "gw"), "Programmed")?.status).toBe("True");
    expect(requeued).toHaveLength(1);
    expect(deferred).toHaveLength(1);
    expect((await dirty.read(KEY)).pendingSince).toBeUndefined();
  });

  it("rechecks back off 10, 20, 40, 60 s and stop after 15 min, saying so in the status", async () => {
    provisioning();
    await dirty.bump(KEY, { urgent: true, now: clock });
    const start = clock;
    await run(one(request(1)));
    const delays: number[] = [];
    for (let i = 0; i < 40 && requeued.at(-1)?.reason === "recheck"; i++) {
      const next = lastRecheck();
      delays.push((next.notBefore ?? 0) - clock);
      clock = next.notBefore ?? clock;
      const count = requeued.length;
      await run(one(next));
      if (requeued.length === count) break;
    }
    expect(delays.slice(0, 5)).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(clock - start).toBeLessThanOrEqual(15 * 60_000);
    expect(clock - start).toBeGreaterThan(14 * 60_000);
    expect(metrics.total("RechecksGivenUp")).toBe(1);
    expect(condition(sink.find("Gateway", "gw"), "Programmed")?.message).toContain("stopped rechecking");
    // Given up: nothing pending, so the next change (or the resync) sends a request again.
    expect((await dirty.read(KEY)).pendingSince).toBeUndefined();
  });

  it("a change bumped during a settling reconcile is requeued at once instead of a recheck", async () => {
    provisioning();
    await dirty.bump(KEY, { urgent: true, now: clock });
    ports.snapshots = {
      load: async (cluster) => {
        await dirty.bump(KEY, { urgent: true, now: clock });
        return snapshots.load(cluster);
      },
    };
    await run(one(request(1)));
    expect(requeued).toEqual([expect.objectContaining({ reason: "requeue", generation: 2 })]);
    expect(requeued[0]?.notBefore).toBeUndefined();
    expect((await dirty.read(KEY)).pendingSince).toBeDefined();
  });

  it("without a deferral port nothing is rechecked", async () => {
    delete ports.deferral;
    provisioning();
    await dirty.bump(KEY, { urgent: true, now: clock });
    await run(one(request(1)));
    expect(requeued).toEqual([]);
    expect(condition(sink.find("Gateway", "gw"), "Programmed")?.message).not.toContain("stopped rechecking");
    expect((await dirty.read(KEY)).pendingSince).toBeUndefined();
  });
});
