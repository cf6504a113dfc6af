import { describe, expect, it } from "vitest";
import { loadRun, routeChangeAt } from "../../../bench/fleet-inputs.ts";
import { type FleetInputs, fleetMonth, predictedRun, SECONDS_PER_MONTH } from "../../../bench/fleet-model.ts";
import type { Report } from "../../../bench/lib/report.ts";

const MONTH_MINUTES = 730 * 60;

/** A fleet small enough to work by hand: rates chosen so each event kind happens a whole number of times a month. */
const inputs: FleetInputs = {
  fleet: { clusters: 10, gateways: 100, routes: 1_000, accounts: 2 },
  rates: {
    routeChangesPerRouteDay: 24 / 730, // one change per route per month: 1,000
    endpointEventsPerGatewayDay: 48 / 730, // two per Gateway per month: 200
    driftIntervalMinutes: MONTH_MINUTES, // one drift check per Gateway per month: 100
    resyncTickMinutes: MONTH_MINUTES, // one resync invocation
  },
  measured: {
    routeChange: {
      sqsRequests: 10,
      invocations: { ingest: 1, reconcile: 2, status: 1 },
      dynamoReadUnits: 20,
      dynamoWriteUnits: 5,
      awsCalls: 2,
    },
    endpointEvent: {
      sqsRequests: 3,
      invocations: { ingest: 1, reconcile: 0.5, status: 0 },
      dynamoReadUnits: 4,
      dynamoWriteUnits: 2,
      awsCalls: 1,
    },
    driftCheck: {
      sqsRequests: 2,
      invocations: { ingest: 0, reconcile: 1, status: 0 },
      dynamoReadUnits: 0,
      dynamoWriteUnits: 2,
      awsCalls: 8,
    },
    lambdaMs: { ingest: 100, reconcile: 500, status: 50, resync: 1000 },
    itemsPerRoute: 2,
    itemsPerGateway: 2,
    meanItemBytes: 500,
  },
  memoryMb: { ingest: 512, reconcile: 1024, status: 512, resync: 512 },
  prices: {
    region: "test",
    lambdaPerGbSecond: 0.00001,
    lambdaPerMillionRequests: 1,
    sqsFifoPerMillionRequests: 0.5,
    dynamoPerMillionWriteUnits: 1,
    dynamoPerMillionReadUnits: 0.5,
    dynamoPerGbMonth: 0.25,
    podPerVcpuHour: 0.04,
    podPerGbHour: 0.005,
  },
  limits: {
    elbv2ReadsPerSecond: 10,
    elbv2WritesPerSecond: 5,
    sqsFifoPerSecondPerAction: 300,
    dynamoTableUnitsPerSecond: 40_000,
    lambdaConcurrency: 1_000,
  },
  controller: {
    replicas: 2,
    vcpu: 0.1,
    memoryGb: 0.25,
    awsCallsPerRouteChange: 37.5,
    awsCallsPerResync: 17,
    resyncHours: 10,
  },
  forwarder: { replicas: 1, vcpu: 0.05, memoryGb: 0.128 },
};

describe("fleetMonth", () => {
  const month = fleetMonth(inputs);

  it("counts each kind of event from the fleet's shape and rates", () => {
    expect(month.events.routeChanges).toBeCloseTo(1_000, 6);
    expect(month.events.endpointEvents).toBeCloseTo(200, 6);
    expect(month.events.driftChecks).toBeCloseTo(100, 6);
    expect(month.events.resyncTicks).toBeCloseTo(1, 6);
  });

  it("adds up SQS requests, invocations, DynamoDB units and AWS calls over the event kinds", () => {
    expect(month.sqsRequests).toBeCloseTo(10_000 + 600 + 200, 6);
    expect(month.invocations.ingest).toBeCloseTo(1_200, 6);
    expect(month.invocations.reconcile).toBeCloseTo(2_000 + 100 + 100, 6);
    expect(month.invocations.status).toBeCloseTo(1_000, 6);
    expect(month.invocations.total).toBeCloseTo(4_401, 6);
    expect(month.dynamo.readUnits).toBeCloseTo(20_800, 6);
    expect(month.dynamo.writeUnits).toBeCloseTo(5_600, 6);
    expect(month.awsCalls).toBeCloseTo(3_000, 6);
  });

  it("weighs each handler's time by its own memory", () => {
    // 1,200 × 0.1 s × 0.5 GB + 2,200 × 0.5 s × 1 GB + 1,000 × 0.05 s × 0.5 GB + 1 × 1 s × 0.5 GB
    expect(month.gbSeconds).toBeCloseTo(1_185.5, 6);
    expect(month.meanConcurrency).toBeCloseTo(1_271 / SECONDS_PER_MONTH, 12);
  });

  it("stores every route's and Gateway's items at the mean size", () => {
    expect(month.dynamo.storageGb).toBeCloseTo((2_200 * 500) / 1e9, 12);
  });

  it("prices each service from its own units", () => {
    expect(month.dollars.lambda).toBeCloseTo(1_185.5 * 1e-5 + 4_401e-6, 9);
    expect(month.dollars.sqs).toBeCloseTo(0.0054, 9);
    expect(month.dollars.dynamo).toBeCloseTo(0.0104 + 0.0056 + 0.000275, 9);
    expect(month.dollars.forwarders).toBeCloseTo(10 * (0.05 * 0.04 + 0.128 * 0.005) * 730, 9);
    expect(month.dollars.total).toBeCloseTo(
      month.dollars.lambda + month.dollars.sqs + month.dollars.dynamo + month.dollars.forwarders,
      9,
    );
  });

  it("spreads AWS calls over the accounts and compares them with ELB's refill rate", () => {
    expect(month.perAccountPerSecond.awsCalls).toBeCloseTo(3_000 / 2 / SECONDS_PER_MONTH, 12);
    expect(month.perAccountPerSecond.limitShare).toBeCloseTo(3_000 / 2 / SECONDS_PER_MONTH / 15, 12);
  });

  it("prices a controller Deployment per cluster and counts its calls per change and per resync", () => {
    expect(month.controllers.dollars).toBeCloseTo(10 * 2 * (0.1 * 0.04 + 0.25 * 0.005) * 730, 9);
    const calls = 1_000 * 37.5 + ((100 * 730) / 10) * 17;
    expect(month.controllers.awsCallsPerAccountPerSecond).toBeCloseTo(calls / 2 / SECONDS_PER_MONTH, 12);
  });

  it("doubling the route change rate doubles only what route changes cost", () => {
    const doubled = fleetMonth({
      ...inputs,
      rates: { ...inputs.rates, routeChangesPerRouteDay: 2 * inputs.rates.routeChangesPerRouteDay },
    });
    expect(doubled.sqsRequests - month.sqsRequests).toBeCloseTo(10_000, 6);
    expect(doubled.events.driftChecks).toBeCloseTo(month.events.driftChecks, 6);
    expect(doubled.dynamo.storageGb).toBe(month.dynamo.storageGb);
  });
});

describe("predictedRun", () => {
  it("is the per-change cost times the number of changes", () => {
    const run = predictedRun(inputs.measured, 300);
    expect(run.sqsRequests).toBe(3_000);
    expect(run.invocations.reconcile).toBe(600);
    expect(run.awsCalls).toBe(600);
  });
});

describe("loadRun (a pipeline-load report → per-change costs)", () => {
  const report: Report = {
    tables: [
      {
        title: "pipeline-load: 10 HTTPRoute changes at 1/s across 5 Gateways (sent in 10 s, idle after 12 s)",
        rows: [],
      },
      {
        title: "pipeline-load: handler invocations (receive → delete of the batch, per queue runner)",
        rows: [
          { handler: "ingest", invocations: 8, "per change": 0.8, "ms mean": 200 },
          { handler: "reconcile", invocations: 20, "per change": 2, "ms mean": 300 },
          { handler: "status", invocations: 10, "per change": 1, "ms mean": 50 },
        ],
      },
      {
        title: "pipeline-load: counts over the load, per change",
        rows: [
          { measure: "changes applied", value: 10, "per change": 1 },
          {
            measure: "SQS requests (billed: sends, non-empty receives, deletes, visibility)",
            value: 90,
            "per change": 9,
          },
          { measure: "  items read", value: 4096, "per change": 409.6 },
          { measure: "  items written", value: 50, "per change": 5 },
          { measure: "ELBv2 calls", value: 20, "per change": 2 },
          { measure: "  dynamodb GetItem", value: 30, "per change": 3 },
          { measure: "  dynamodb Query", value: 70, "per change": 7 },
          { measure: "  dynamodb PutItem", value: 50, "per change": 5 },
          { measure: "DynamoDB items in the table after the run", value: 40, "per change": "—" },
          { measure: "  mean item size, bytes", value: 1000, "per change": "—" },
          { measure: "  items GATEWAY", value: 10, "per change": "1000 B mean" },
          { measure: "  items OBJECT", value: 12, "per change": "1000 B mean" },
        ],
      },
    ],
  };

  it("reads invocations, times, SQS and ELBv2 counts per change", () => {
    const run = loadRun(report);
    expect(run.changes).toBe(10);
    expect(run.perChange.invocations).toEqual({ ingest: 0.8, reconcile: 2, status: 1 });
    expect(run.lambdaMs).toEqual({ ingest: 200, reconcile: 300, status: 50 });
    expect(run.perChange.sqsRequests).toBe(9);
    expect(run.perChange.awsCalls).toBe(2);
  });

  it("read units: one per read call plus the items read by 4 KB; write units by 1 KB per item", () => {
    const run = loadRun(report);
    expect(run.perChange.dynamoReadUnits).toBeCloseTo(10 + (409.6 * 1000) / 4096, 9);
    expect(run.perChange.dynamoWriteUnits).toBe(5);
  });

  it("items per Gateway and per route from the table the run left (5 Gateways, one route each)", () => {
    const run = loadRun(report);
    expect(run.itemsPerGateway).toBe(2);
    expect(run.itemsPerRoute).toBe(6);
  });

  it("at a larger cluster, each reconcile reads one more item per extra object; nothing else changes", () => {
    const run = loadRun(report);
    const same = routeChangeAt(run, 12);
    expect(same.dynamoReadUnits).toBeCloseTo(run.perChange.dynamoReadUnits, 9);
    const larger = routeChangeAt(run, 1_012);
    // 2 reconciles per change × 1,000 more objects × 1,000 B / 4,096 B
    expect(larger.dynamoReadUnits - same.dynamoReadUnits).toBeCloseTo((2 * 1_000 * 1_000) / 4096, 9);
    expect(larger.sqsRequests).toBe(run.perChange.sqsRequests);
    expect(larger.dynamoWriteUnits).toBe(run.perChange.dynamoWriteUnits);
  });

  it("refuses a report without the counts table", () => {
    expect(() => loadRun({ tables: [] })).toThrow(/no table/);
  });
});
