/**
 * The local pipeline under measurement: moto, DynamoDB Local and kube-apiserver started from the
 * test environment, one namespace with a GatewayClass, an ALB Gateway, a backend Service and its
 * EndpointSlice and a few HTTPRoutes, and `startPipeline` (cli/dev/pipeline.ts) watching that
 * namespace — with every API call recorded (api-recorder.ts) and every progress event timed.
 * `stop()` stops the pipeline, restores the recorder and stops every component started here.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import { type ProgressEvent, type RunningPipeline, startPipeline } from "../../cli/dev/pipeline.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import {
  DUMMY_CREDENTIALS,
  kubeConfig,
  MOTO_DEFAULT_ACCOUNT_ID,
  TEST_REGION,
  uniqueName,
  waitFor,
} from "../../test/env/clients.ts";
import { type Environment, startEnvironment } from "../../test/env/components.ts";
import { ENV } from "../../test/env/variables.ts";
import { type ApiCall, type ApiRecorder, installApiRecorder } from "./api-recorder.ts";

export const GROUP = "gateway.networking.k8s.io";
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export interface TimedProgress {
  at: number;
  event: ProgressEvent;
}

export interface FixtureOptions {
  routes: number;
  /** Ready endpoints (pods 0..n-1) of the backend Service `web` at the start. */
  endpoints: number;
  /** EndpointSlices of `web`: pod n is in slice `web-${(n % slices) + 1}`. @default 1 */
  slices?: number;
  /** @default 1000, the pipeline's and the forwarder's default */
  endpointSliceWindowMs?: number;
}

/** Settings the benchmarks run the pipeline with; RESULTS.md quotes them. */
export const PIPELINE_SETTINGS = {
  /** No scheduled drift check during a measurement: it would queue a reconcile at random. */
  resyncIntervalMs: 3_600_000,
  /** No periodic snapshot during a measurement either. */
  snapshotIntervalMs: 3_600_000,
  retryAfterSeconds: 5,
  logLevel: "ERROR",
} as const;

export interface LiveObject {
  metadata: { name: string; generation: number; resourceVersion: string };
  status?: {
    conditions?: (Condition & { observedGeneration?: number })[];
    parents?: { parentRef: { name: string }; conditions: (Condition & { observedGeneration?: number })[] }[];
  };
}

export class PipelineFixture {
  readonly progress: TimedProgress[] = [];
  readonly namespace = uniqueName("bench");
  readonly className = uniqueName("alb");
  readonly gateway = "gw";
  readonly kc: KubeConfig;
  readonly objects: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly env: Environment;
  readonly recorder: ApiRecorder;
  pipeline: RunningPipeline | undefined;
  readonly #waiters = new Set<{ match: (p: TimedProgress) => boolean; resolve: (p: TimedProgress) => void }>();
  readonly #watches: AbortController[] = [];

  private constructor(env: Environment, recorder: ApiRecorder) {
    this.env = env;
    this.recorder = recorder;
    this.kc = kubeConfig();
    this.objects = this.kc.makeApiClient(CustomObjectsApi);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.discovery = this.kc.makeApiClient(DiscoveryV1Api);
  }

  /** Starts the components and the pipeline; on any failure stops what was started and rethrows. */
  static async start(options: FixtureOptions): Promise<PipelineFixture> {
    // Local runs have no CloudWatch to read EMF from (and stdout is not the place for it).
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    const env = await startEnvironment(["moto", "dynamodb", "kube"]);
    // The test environment's helpers (kubeConfig(), motoSettings()) read these.
    Object.assign(process.env, env.variables);
    const recorder = installApiRecorder({
      moto: env.variables[ENV.motoEndpoint] ?? "",
      dynamodb: env.variables[ENV.dynamoDbEndpoint] ?? "",
      kube: env.variables[ENV.kubeServer] ?? "",
    });
    const fixture = new PipelineFixture(env, recorder);
    try {
      await fixture.#createObjects(options);
      fixture.pipeline = await startPipeline({
        kubeConfig: fixture.kc,
        clusterId: uniqueName("bench"),
        region: TEST_REGION,
        account: MOTO_DEFAULT_ACCOUNT_ID,
        awsEndpoint: env.variables[ENV.motoEndpoint] ?? "",
        dynamoDbEndpoint: env.variables[ENV.dynamoDbEndpoint] ?? "",
        credentials: DUMMY_CREDENTIALS,
        tableName: uniqueName("switchyard"),
        queuePrefix: uniqueName("bench"),
        namespaces: [fixture.namespace],
        endpointSliceWindowMs: options.endpointSliceWindowMs ?? 1000,
        ...PIPELINE_SETTINGS,
        progress: (event) => fixture.#record(event),
      });
      await fixture.pipeline.forwarderSynced(60_000);
      return fixture;
    } catch (error) {
      await fixture.stop().catch(() => undefined);
      throw error;
    }
  }

  #record(event: ProgressEvent): void {
    const timed = { at: performance.now(), event };
    this.progress.push(timed);
    if (event.stage === "log") process.stderr.write(`[pipeline] ${event.message}\n`);
    for (const waiter of this.#waiters) {
      if (waiter.match(timed)) {
        this.#waiters.delete(waiter);
        waiter.resolve(timed);
      }
    }
  }

  /** The first progress event from now on that `match`es; rejects after `timeoutMs`. */
  nextProgress(match: (p: TimedProgress) => boolean, timeoutMs: number, what: string): Promise<TimedProgress> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (p: TimedProgress) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /**
   * Resolves once the pipeline has been idle for `quietMs`: each queue runner waiting in a long
   * poll, no other API call in flight, no call or progress event for `quietMs`, and no deferred
   * reconcile request still to come back.
   */
  async quiet(quietMs: number, timeoutMs: number): Promise<void> {
    const queues = this.queueUrls();
    let why = "";
    try {
      await waitFor(
        `the pipeline to be idle for ${quietMs} ms`,
        async () => {
          const now = performance.now();
          const open = this.recorder.inFlight();
          const polling = new Set(open.filter((c) => c.operation === "ReceiveMessage").map((c) => c.queueUrl));
          const busy = queues.filter((q) => !polling.has(q));
          const calls = open.filter((c) => c.operation !== "ReceiveMessage");
          const idleFor = now - Math.max(lastActivity(this.recorder.calls), this.progress.at(-1)?.at ?? 0);
          // A deferred (paced) reconcile request is invisible on its queue until it comes back.
          const deferredUntil = Math.max(
            0,
            ...this.progress.map((p) =>
              p.event.stage === "reconcile" && p.event.deferredSeconds !== undefined
                ? p.at + p.event.deferredSeconds * 1000
                : 0,
            ),
          );
          if (now < deferredUntil + 500) {
            why = `a deferred reconcile comes back in ${Math.round(deferredUntil - now)} ms`;
            return undefined;
          }
          why = `runners not polling: ${busy.join(", ") || "none"}; in flight: ${calls.map((c) => `${c.service} ${c.operation}`).join(", ") || "none"}; idle for ${Math.round(idleFor)} ms`;
          return busy.length === 0 && calls.length === 0 && idleFor >= quietMs ? true : undefined;
        },
        { timeoutMs, intervalMs: 25 },
      );
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)} (${why})`);
    }
  }

  queueUrls(): string[] {
    const q = this.pipeline?.queues;
    return q ? [q.events, q.reconcile, q.status] : [];
  }

  resource(plural: string) {
    return { group: GROUP, version: "v1", namespace: this.namespace, plural };
  }

  async get(plural: string, name: string): Promise<LiveObject> {
    return (await this.objects.getNamespacedCustomObject({ ...this.resource(plural), name })) as LiveObject;
  }

  /** True when the Gateway's Accepted and Programmed are True for its current generation. */
  async gatewayProgrammed(): Promise<boolean> {
    const gw = await this.get("gateways", this.gateway);
    const conditions = gw.status?.conditions ?? [];
    const current = (type: string) =>
      conditions.some((c) => c.type === type && c.status === "True" && c.observedGeneration === gw.metadata.generation);
    return current("Accepted") && current("Programmed");
  }

  /** True when the route's status for the Gateway is Accepted for the route's current generation. */
  async routeCurrent(name: string): Promise<boolean> {
    const route = await this.get("httproutes", name);
    const parent = route.status?.parents?.find((p) => p.parentRef.name === this.gateway);
    if (parent === undefined) return false;
    return (
      parent.conditions.every((c) => c.observedGeneration === route.metadata.generation) &&
      parent.conditions.some((c) => c.type === "Accepted" && c.status === "True")
    );
  }

  /**
   * Watches a namespaced collection from `resourceVersion` and calls `seen` with each event's
   * object resourceVersion and arrival time; stopped by `stop()`.
   */
  async watch(plural: string, seen: (resourceVersion: string, at: number) => void): Promise<void> {
    const path = `/apis/${GROUP}/v1/namespaces/${this.namespace}/${plural}`;
    const controller = await new Watch(this.kc).watch(
      path,
      { allowWatchBookmarks: false },
      (_phase: string, object: { metadata?: { resourceVersion?: string } }) => {
        const rv = object.metadata?.resourceVersion;
        if (rv !== undefined) seen(rv, performance.now());
      },
      () => undefined,
    );
    this.#watches.push(controller);
  }

  async stop(): Promise<void> {
    for (const watch of this.#watches) watch.abort();
    try {
      await this.pipeline?.stop();
    } finally {
      this.recorder.uninstall();
      await this.env.stop();
    }
  }

  async #createObjects(options: FixtureOptions): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name: this.namespace } } });
    await this.objects.createClusterCustomObject({
      group: GROUP,
      version: "v1",
      plural: "gatewayclasses",
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "GatewayClass",
        metadata: { name: this.className },
        spec: { controllerName: "switchyard.dev/alb" },
      },
    });
    await this.core.createNamespacedService({
      namespace: this.namespace,
      body: { metadata: { name: "web" }, spec: { ports: [{ name: "http", port: 8080, protocol: "TCP" }] } },
    });
    const slices = options.slices ?? 1;
    for (let k = 0; k < slices; k++) {
      await this.discovery.createNamespacedEndpointSlice({
        namespace: this.namespace,
        body: endpointSlice(
          sliceName(k),
          podRange(0, options.endpoints).filter((_, n) => n % slices === k),
        ),
      });
    }
    await this.objects.createNamespacedCustomObject({
      ...this.resource("gateways"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "Gateway",
        metadata: { name: this.gateway },
        spec: { gatewayClassName: this.className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
      },
    });
    for (let i = 0; i < options.routes; i++) {
      await this.objects.createNamespacedCustomObject({
        ...this.resource("httproutes"),
        body: { apiVersion: `${GROUP}/v1`, kind: "HTTPRoute", metadata: { name: routeName(i) }, spec: routeSpec(i, 0) },
      });
    }
  }
}

export function routeName(i: number): string {
  return `route-${i}`;
}

/** Route `i` at version `v`: one PathPrefix rule to `web`, its path naming the version. */
export function routeSpec(i: number, v: number) {
  return {
    parentRefs: [{ name: "gw" }],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: `/r${i}/v${v}` } }],
        backendRefs: [{ name: "web", port: 8080 }],
      },
    ],
  };
}

export function sliceName(k: number): string {
  return `web-${k + 1}`;
}

export interface Pod {
  ip: string;
  ready: boolean;
  terminating?: boolean;
}

/** Pods n..m-1 of the rollout's address space, ready. */
export function podRange(from: number, to: number): Pod[] {
  return Array.from({ length: to - from }, (_, k) => ({ ip: podIp(from + k), ready: true }));
}

export function podIp(n: number): string {
  return `10.1.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

export function endpointSlice(name: string, pods: readonly Pod[]) {
  return {
    metadata: { name, labels: { "kubernetes.io/service-name": "web" } },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    endpoints: pods.map((pod) => ({
      addresses: [pod.ip],
      conditions: { ready: pod.ready, serving: pod.ready || pod.terminating === true, terminating: pod.terminating },
    })),
  };
}

/** When the last recorded call ended, ignoring long polls that returned nothing (the runners idling). */
function lastActivity(calls: readonly ApiCall[]): number {
  let last = 0;
  for (const call of calls) {
    if (Number.isNaN(call.end)) continue;
    if (call.operation === "ReceiveMessage" && (call.receivedIds?.length ?? 0) === 0) continue;
    if (call.end > last) last = call.end;
  }
  return last;
}
