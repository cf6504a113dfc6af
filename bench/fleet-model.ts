/**
 * The fleet economics model of docs/fleet.md, pure: a fleet's shape and change rates, the
 * per-change costs measured by the benchmarks, and public prices in → monthly SQS requests, Lambda
 * invocations and GB-seconds, DynamoDB request units and storage, AWS API calls per account per
 * second against each API's documented rate, and dollars per month — beside the cost of running a
 * controller Deployment in every cluster. No I/O, no clock; the inputs say where each figure
 * comes from (`MEASURED`), and test/unit/bench/fleet-model.test.ts checks the arithmetic.
 */

export const SECONDS_PER_MONTH = 730 * 3600;
const DAYS_PER_MONTH = 730 / 24;

export interface FleetShape {
  clusters: number;
  gateways: number;
  routes: number;
  /** Target AWS accounts (one Region each) the Gateways are spread over, evenly. */
  accounts: number;
}

export interface ChangeRates {
  /** Route (or other spec) changes per route per day: each one reconcile of its Gateway. */
  routeChangesPerRouteDay: number;
  /** EndpointSlice events forwarded per Gateway per day (after the forwarder's window). */
  endpointEventsPerGatewayDay: number;
  /** Scheduled drift check per Gateway, minutes. */
  driftIntervalMinutes: number;
  /** The resync λ's schedule, minutes (one invocation per tick). */
  resyncTickMinutes: number;
}

/** What one event costs, by kind; every figure measured by a bench scenario (see MEASURED). */
export interface EventCost {
  sqsRequests: number;
  invocations: { ingest: number; reconcile: number; status: number };
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /** Data-plane API calls (ELBv2 or Lattice) plus EC2/tagging. */
  awsCalls: number;
}

export interface Measured {
  routeChange: EventCost;
  endpointEvent: EventCost;
  driftCheck: EventCost;
  /** Mean handler time per invocation, ms (local pipeline; DynamoDB Local and moto answering). */
  lambdaMs: { ingest: number; reconcile: number; status: number; resync: number };
  /** DynamoDB items per Kubernetes object mirrored, per Gateway (state), and their mean size. */
  itemsPerRoute: number;
  itemsPerGateway: number;
  meanItemBytes: number;
}

export interface Prices {
  region: string;
  lambdaPerGbSecond: number;
  lambdaPerMillionRequests: number;
  sqsFifoPerMillionRequests: number;
  dynamoPerMillionWriteUnits: number;
  dynamoPerMillionReadUnits: number;
  dynamoPerGbMonth: number;
  /** Per vCPU-hour and GB-hour of a pod's requests (Fargate rates as a public per-unit price). */
  podPerVcpuHour: number;
  podPerGbHour: number;
}

export interface LambdaMemoryMb {
  ingest: number;
  reconcile: number;
  status: number;
  resync: number;
}

/** Documented default rate limits per account and Region (docs/fleet.md cites each). */
export interface RateLimits {
  elbv2ReadsPerSecond: number;
  elbv2WritesPerSecond: number;
  sqsFifoPerSecondPerAction: number;
  dynamoTableUnitsPerSecond: number;
  lambdaConcurrency: number;
}

export interface ControllerDeployment {
  replicas: number;
  vcpu: number;
  memoryGb: number;
  /** AWS calls the controller makes per route change (published figure). */
  awsCallsPerRouteChange: number;
  /** AWS calls per periodic resync of one Gateway, and how often it runs (hours). */
  awsCallsPerResync: number;
  resyncHours: number;
}

export interface FleetInputs {
  fleet: FleetShape;
  rates: ChangeRates;
  measured: Measured;
  memoryMb: LambdaMemoryMb;
  prices: Prices;
  limits: RateLimits;
  controller: ControllerDeployment;
  /** switchyard's own per-cluster pod: the forwarder. */
  forwarder: { replicas: number; vcpu: number; memoryGb: number };
}

export interface FleetMonth {
  events: { routeChanges: number; endpointEvents: number; driftChecks: number; resyncTicks: number };
  sqsRequests: number;
  invocations: { ingest: number; reconcile: number; status: number; resync: number; total: number };
  gbSeconds: number;
  dynamo: { readUnits: number; writeUnits: number; storageGb: number };
  awsCalls: number;
  /** Per account, mean over the month, per second. */
  perAccountPerSecond: { awsCalls: number; limitShare: number };
  /** Peak concurrency if every invocation ran back to back at the mean rate (Little's law). */
  meanConcurrency: number;
  dollars: { lambda: number; sqs: number; dynamo: number; forwarders: number; total: number };
  controllers: { dollars: number; awsCallsPerAccountPerSecond: number };
}

function sumCost(parts: [EventCost, number][]): EventCost {
  const out: EventCost = {
    sqsRequests: 0,
    invocations: { ingest: 0, reconcile: 0, status: 0 },
    dynamoReadUnits: 0,
    dynamoWriteUnits: 0,
    awsCalls: 0,
  };
  for (const [cost, n] of parts) {
    out.sqsRequests += cost.sqsRequests * n;
    out.invocations.ingest += cost.invocations.ingest * n;
    out.invocations.reconcile += cost.invocations.reconcile * n;
    out.invocations.status += cost.invocations.status * n;
    out.dynamoReadUnits += cost.dynamoReadUnits * n;
    out.dynamoWriteUnits += cost.dynamoWriteUnits * n;
    out.awsCalls += cost.awsCalls * n;
  }
  return out;
}

export function fleetMonth(inputs: FleetInputs): FleetMonth {
  const { fleet, rates, measured, memoryMb, prices } = inputs;
  const routeChanges = fleet.routes * rates.routeChangesPerRouteDay * DAYS_PER_MONTH;
  const endpointEvents = fleet.gateways * rates.endpointEventsPerGatewayDay * DAYS_PER_MONTH;
  const driftChecks = (fleet.gateways * SECONDS_PER_MONTH) / (rates.driftIntervalMinutes * 60);
  const resyncTicks = SECONDS_PER_MONTH / (rates.resyncTickMinutes * 60);
  const total = sumCost([
    [measured.routeChange, routeChanges],
    [measured.endpointEvent, endpointEvents],
    [measured.driftCheck, driftChecks],
  ]);
  const invocations = { ...total.invocations, resync: resyncTicks, total: 0 };
  invocations.total = invocations.ingest + invocations.reconcile + invocations.status + invocations.resync;
  const seconds = (handler: keyof LambdaMemoryMb) => (invocations[handler] * measured.lambdaMs[handler]) / 1000;
  const gbSeconds = (["ingest", "reconcile", "status", "resync"] as const).reduce(
    (gb, h) => gb + seconds(h) * (memoryMb[h] / 1024),
    0,
  );
  const storageGb =
    ((fleet.routes * measured.itemsPerRoute + fleet.gateways * measured.itemsPerGateway) * measured.meanItemBytes) /
    1e9;
  const lambda = gbSeconds * prices.lambdaPerGbSecond + (invocations.total / 1e6) * prices.lambdaPerMillionRequests;
  const sqs = (total.sqsRequests / 1e6) * prices.sqsFifoPerMillionRequests;
  const dynamo =
    (total.dynamoReadUnits / 1e6) * prices.dynamoPerMillionReadUnits +
    (total.dynamoWriteUnits / 1e6) * prices.dynamoPerMillionWriteUnits +
    storageGb * prices.dynamoPerGbMonth;
  const podMonth = (vcpu: number, gb: number) => (vcpu * prices.podPerVcpuHour + gb * prices.podPerGbHour) * 730;
  const forwarders =
    fleet.clusters * inputs.forwarder.replicas * podMonth(inputs.forwarder.vcpu, inputs.forwarder.memoryGb);
  const perAccount = total.awsCalls / fleet.accounts / SECONDS_PER_MONTH;
  const c = inputs.controller;
  const controllerCalls =
    routeChanges * c.awsCallsPerRouteChange + ((fleet.gateways * 730) / c.resyncHours) * c.awsCallsPerResync;
  const secondsBusy = (["ingest", "reconcile", "status", "resync"] as const).reduce((s, h) => s + seconds(h), 0);
  return {
    events: { routeChanges, endpointEvents, driftChecks, resyncTicks },
    sqsRequests: total.sqsRequests,
    invocations,
    gbSeconds,
    dynamo: { readUnits: total.dynamoReadUnits, writeUnits: total.dynamoWriteUnits, storageGb },
    awsCalls: total.awsCalls,
    perAccountPerSecond: {
      awsCalls: perAccount,
      limitShare: perAccount / (inputs.limits.elbv2ReadsPerSecond + inputs.limits.elbv2WritesPerSecond),
    },
    meanConcurrency: secondsBusy / SECONDS_PER_MONTH,
    dollars: { lambda, sqs, dynamo, forwarders, total: lambda + sqs + dynamo + forwarders },
    controllers: {
      dollars: fleet.clusters * c.replicas * podMonth(c.vcpu, c.memoryGb),
      awsCallsPerAccountPerSecond: controllerCalls / fleet.accounts / SECONDS_PER_MONTH,
    },
  };
}

/** Per-change counts the model predicts for a run of the local pipeline (the 1/100 check). */
export function predictedRun(measured: Measured, routeChanges: number): EventCost {
  return sumCost([[measured.routeChange, routeChanges]]);
}
