/**
 * The fleet model's inputs (bench/fleet-model.ts): per-change costs read from a `pipeline-load`
 * report (pure: report in, costs out), the endpoint and drift-check costs recorded in
 * bench/RESULTS.md, the Lambda memory sizes of infra/control-plane.ts, public prices, documented
 * rate limits, and the controller Deployment assumed per cluster. docs/fleet.md explains each.
 */
import type {
  ChangeRates,
  ControllerDeployment,
  EventCost,
  FleetShape,
  LambdaMemoryMb,
  Prices,
  RateLimits,
} from "./fleet-model.ts";
import type { Report, Row } from "./lib/report.ts";

/** What one pipeline-load report says per change. */
export interface LoadRun {
  changes: number;
  perChange: EventCost;
  lambdaMs: { ingest: number; reconcile: number; status: number };
  meanItemBytes: number;
  itemsPerRoute: number;
  itemsPerGateway: number;
  elbv2PerChange: number;
  /** Read calls and items read per change, and the Kubernetes objects mirrored in the run's cluster. */
  readCallsPerChange: number;
  itemsReadPerChange: number;
  objectsInRun: number;
}

/**
 * The route-change cost in a cluster of `objectsPerCluster` mirrored objects: a reconcile reads the
 * whole cluster's mirror for its snapshot (bench/RESULTS.md, "Event pipeline"), so each reconcile
 * reads about one item per object more for each object the cluster has beyond the run's; every
 * other count does not depend on the cluster's size.
 */
export function routeChangeAt(run: LoadRun, objectsPerCluster: number): EventCost {
  const itemsRead =
    run.itemsReadPerChange + run.perChange.invocations.reconcile * Math.max(0, objectsPerCluster - run.objectsInRun);
  return { ...run.perChange, dynamoReadUnits: run.readCallsPerChange + (itemsRead * run.meanItemBytes) / 4096 };
}

function rowsOf(report: Report, titleStart: string): Row[] {
  const table = report.tables.find((t) => t.title.startsWith(titleStart));
  if (table === undefined) throw new Error(`no table "${titleStart}…" in the report`);
  return table.rows;
}

function numberIn(rows: Row[], key: string, measure: string, column: string): number {
  const row = rows.find((r) => String(r[key]).trim() === measure);
  if (row === undefined) throw new Error(`no row "${measure}"`);
  const value = Number(row[column]);
  if (Number.isNaN(value)) throw new Error(`row "${measure}" has no number in "${column}"`);
  return value;
}

/**
 * Read units: every read call costs at least one, a Query's items add up by 4 KB (strongly
 * consistent, the upper bound); write units: 1 KB per item written (items are under 1 KB on mean).
 */
export function loadRun(report: Report): LoadRun {
  const counts = rowsOf(report, "pipeline-load: counts");
  const handlers = rowsOf(report, "pipeline-load: handler");
  const per = (measure: string) => numberIn(counts, "measure", measure, "per change");
  const changes = numberIn(counts, "measure", "changes applied", "value");
  const items = numberIn(counts, "measure", "DynamoDB items in the table after the run", "value");
  const meanItemBytes = numberIn(counts, "measure", "mean item size, bytes", "value");
  const readCalls = ["GetItem", "Query", "BatchGetItem", "Scan"]
    .map((op) => counts.find((r) => String(r.measure).trim() === `dynamodb ${op}`))
    .reduce((n, r) => n + (r ? Number(r["per change"]) : 0), 0);
  const handler = (name: string) => handlers.find((r) => r.handler === name);
  const invocations = (name: string) => Number(handler(name)?.["per change"] ?? 0);
  const ms = (name: string) => Number(handler(name)?.["ms mean"] ?? 0);
  const byKind = (kind: string) => Number(counts.find((r) => String(r.measure).trim() === `items ${kind}`)?.value ?? 0);
  const gatewayItems = byKind("GATEWAY");
  const title = report.tables.find((t) => t.title.startsWith("pipeline-load:"))?.title ?? "";
  const gateways = Number(/across (\d+) Gateways/.exec(title)?.[1] ?? 1);
  return {
    changes,
    perChange: {
      sqsRequests: per("SQS requests (billed: sends, non-empty receives, deletes, visibility)"),
      invocations: {
        ingest: invocations("ingest"),
        reconcile: invocations("reconcile"),
        status: invocations("status"),
      },
      dynamoReadUnits: readCalls + (per("items read") * meanItemBytes) / 4096,
      dynamoWriteUnits: per("items written") * Math.max(1, Math.ceil(meanItemBytes / 1024)),
      awsCalls: per("ELBv2 calls"),
    },
    lambdaMs: { ingest: ms("ingest"), reconcile: ms("reconcile"), status: ms("status") },
    meanItemBytes,
    // Items per Gateway (its state and dirty-generation items) and per route (everything else the
    // run left — the route, the Gateway object, index entries, the shared Service and sync
    // markers — divided by the routes: an upper bound, one route per Gateway in the run).
    itemsPerRoute: (items - gatewayItems) / gateways,
    itemsPerGateway: gatewayItems / gateways,
    elbv2PerChange: per("ELBv2 calls"),
    readCallsPerChange: readCalls,
    itemsReadPerChange: per("items read"),
    objectsInRun: byKind("OBJECT"),
  };
}

/**
 * Endpoint events, from bench/RESULTS.md "Rollout churn", paced 5/s with the 1 s window (after
 * coalescing and pacing): 199 forwarded events, 165 ingest batches, 7 reconciles, 12 ELBv2 calls,
 * 1,572 DynamoDB calls and 1,870 items read, 49 status writes. SQS requests are derived: one send
 * per event (upper bound, the forwarder batches), a receive and a delete per ingest batch, and per
 * reconcile a send, receive, delete and deferral plus a status send, receive and delete.
 */
export const ENDPOINT_EVENT: EventCost = {
  sqsRequests: (199 + 165 * 2 + 7 * 7) / 199,
  invocations: { ingest: 165 / 199, reconcile: 7 / 199, status: 7 / 199 },
  dynamoReadUnits: (1_572 * 0.6 + 1_870 * (500 / 4096)) / 199,
  dynamoWriteUnits: (1_572 * 0.4) / 199,
  awsCalls: 12 / 199,
};

/**
 * A drift check of one ALB Gateway that finds nothing (bench/RESULTS.md, `reconcile-calls` and the
 * security-group table): 4 ELBv2 + 4 EC2 reads, 2 DynamoDB UpdateItems; one reconcile invocation,
 * its request sent by the resync λ in batches of 10, received and deleted.
 */
export const DRIFT_CHECK: EventCost = {
  sqsRequests: 0.1 + 2,
  invocations: { ingest: 0, reconcile: 1, status: 0 },
  dynamoReadUnits: 0,
  dynamoWriteUnits: 2,
  awsCalls: 8,
};

/** infra/control-plane.ts: ingest 512 MB, reconcile 1,024 MB, status 512 MB, resync 512 MB (arm64). */
export const MEMORY_MB: LambdaMemoryMb = { ingest: 512, reconcile: 1024, status: 512, resync: 512 };

/** us-east-1 list prices (AWS pricing pages, December 2026; free tiers ignored). */
export const PRICES: Prices = {
  region: "us-east-1",
  lambdaPerGbSecond: 0.0000133334, // arm64
  lambdaPerMillionRequests: 0.2,
  sqsFifoPerMillionRequests: 0.5,
  dynamoPerMillionWriteUnits: 0.625, // on-demand
  dynamoPerMillionReadUnits: 0.125,
  dynamoPerGbMonth: 0.25,
  podPerVcpuHour: 0.04048, // Fargate (Linux, x86) per vCPU-hour
  podPerGbHour: 0.004445, // Fargate per GB-hour
};

/**
 * Documented defaults per account and Region: ELB's non-mutating bucket refills 10 per second
 * (burst 40; "Request throttling for the ELB API"); mutating calls have smaller per-action buckets
 * there — 5 per second is shared/aws/rate-limiter.ts's conservative common floor, not a documented
 * figure; SQS FIFO
 * 300 API calls per second per action without batching; DynamoDB on-demand 40,000 read and write
 * units per second per table; Lambda 1,000 concurrent executions.
 */
export const LIMITS: RateLimits = {
  elbv2ReadsPerSecond: 10,
  elbv2WritesPerSecond: 5,
  sqsFifoPerSecondPerAction: 300,
  dynamoTableUnitsPerSecond: 40_000,
  lambdaConcurrency: 1_000,
};

/**
 * A controller Deployment per cluster: 2 replicas of 0.1 vCPU and 0.25 GB requested (an
 * assumption: the AWS Load Balancer Controller's chart sets no requests); per route change the
 * 35–40 calls measured for a path change (../shared/design/ANCHORS.md), and a resync of every
 * Gateway every 10 hours (controller-runtime's default sync period) at the 17 reads of its no-op.
 */
export const CONTROLLER: ControllerDeployment = {
  replicas: 2,
  vcpu: 0.1,
  memoryGb: 0.25,
  awsCallsPerRouteChange: 37.5,
  awsCallsPerResync: 17,
  resyncHours: 10,
};

/** forwarder/deploy/chart/values.yaml: one replica, requests 50m CPU and 128 Mi. */
export const FORWARDER = { replicas: 1, vcpu: 0.05, memoryGb: 0.128 };

export const FLEET: FleetShape = { clusters: 1_000, gateways: 10_000, routes: 1_000_000, accounts: 100 };

/**
 * One cluster of the fleet as mirrored in DynamoDB: 1,000 routes and 10 Gateways, and (an
 * assumption) 100 Services with one EndpointSlice each; per route one backend-index entry; per
 * Gateway its state and dirty-generation items; 16 per-cluster items (sync markers, the cluster).
 */
export const CLUSTER_OBJECTS = { routes: 1_000, gateways: 10, services: 100 };
export function objectsPerCluster(c = CLUSTER_OBJECTS): number {
  return c.routes + c.gateways + 2 * c.services;
}
/** Items per route and per Gateway that make the fleet's storage (see CLUSTER_OBJECTS). */
export function itemsPerRoute(c = CLUSTER_OBJECTS): number {
  return (objectsPerCluster(c) + c.routes + 16) / c.routes;
}
export const ITEMS_PER_GATEWAY = 2;

/** Two rate scenarios: `busy` is the 1/100 simulation's rate × 100; `typical` a calmer fleet. */
export const RATES: Record<"typical" | "busy", ChangeRates> = {
  typical: {
    routeChangesPerRouteDay: 1,
    endpointEventsPerGatewayDay: 100,
    driftIntervalMinutes: 10,
    resyncTickMinutes: 1,
  },
  // 10 changes per second on 100 Gateways × 100 = 1,000 per second over 1,000,000 routes.
  busy: {
    routeChangesPerRouteDay: 86.4,
    endpointEventsPerGatewayDay: 1_000,
    driftIntervalMinutes: 10,
    resyncTickMinutes: 1,
  },
};
