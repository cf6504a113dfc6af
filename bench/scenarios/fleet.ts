/**
 * fleet: the fleet economics model (bench/fleet-model.ts, docs/fleet.md) fed with measured inputs,
 * and its 1/100-scale check. Two `pipeline-load` runs on the local pipeline:
 * - isolated changes (1 Gateway, one change every 4 s): what one route change costs alone — the
 *   model's per-change input;
 * - the 1/100 fleet (100 Gateways, 10 changes per second: the `busy` fleet rate ÷ 100).
 * The model multiplies the isolated per-change costs by the number of changes; the table compares
 * that with what the pipeline did under load (batching and coalescing make it differ).
 *
 * Also runnable on saved reports: `node bench/scenarios/fleet.ts <isolated.json> <load.json> [<out.json>]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import {
  CONTROLLER,
  DRIFT_CHECK,
  ENDPOINT_EVENT,
  FLEET,
  FORWARDER,
  ITEMS_PER_GATEWAY,
  itemsPerRoute,
  LIMITS,
  type LoadRun,
  loadRun,
  MEMORY_MB,
  objectsPerCluster,
  PRICES,
  RATES,
  routeChangeAt,
} from "../fleet-inputs.ts";
import { type FleetInputs, type FleetMonth, fleetMonth, type Measured, predictedRun } from "../fleet-model.ts";
import { writePlot } from "../lib/plot.ts";
import type { Report, Row } from "../lib/report.ts";
import { barChartSvg } from "../lib/svg.ts";

export const ISOLATED_ARGS = [1, 0.25, 60];
export const LOAD_ARGS = [100, 10, 30];

function measuredFrom(run: LoadRun, objects = run.objectsInRun): Measured {
  return {
    routeChange: routeChangeAt(run, objects),
    endpointEvent: ENDPOINT_EVENT,
    driftCheck: DRIFT_CHECK,
    lambdaMs: { ...run.lambdaMs, resync: run.lambdaMs.ingest },
    itemsPerRoute: itemsPerRoute(),
    itemsPerGateway: ITEMS_PER_GATEWAY,
    meanItemBytes: run.meanItemBytes,
  };
}

const fmt = (n: number, digits = 2) =>
  Math.abs(n) >= 1000 ? Math.round(n).toLocaleString("en-US") : Number(n.toFixed(digits)).toString();

export function runFleet(isolatedReport: Report, loadReport: Report): Report {
  const isolated = loadRun(isolatedReport);
  const load = loadRun(loadReport);
  const predicted = predictedRun(measuredFrom(isolated), 1);
  const check: Row[] = [
    ["SQS requests", predicted.sqsRequests, load.perChange.sqsRequests],
    ["ingest invocations", predicted.invocations.ingest, load.perChange.invocations.ingest],
    ["reconcile invocations", predicted.invocations.reconcile, load.perChange.invocations.reconcile],
    ["status invocations", predicted.invocations.status, load.perChange.invocations.status],
    ["DynamoDB read units", predicted.dynamoReadUnits, load.perChange.dynamoReadUnits],
    ["DynamoDB write units", predicted.dynamoWriteUnits, load.perChange.dynamoWriteUnits],
    ["ELBv2 calls", predicted.awsCalls, load.perChange.awsCalls],
    ["ingest ms per invocation", isolated.lambdaMs.ingest, load.lambdaMs.ingest],
    ["reconcile ms per invocation", isolated.lambdaMs.reconcile, load.lambdaMs.reconcile],
    ["status ms per invocation", isolated.lambdaMs.status, load.lambdaMs.status],
  ].map(([what, model, measured]) => ({
    "per route change": String(what),
    "model (isolated changes)": fmt(Number(model), 3),
    "measured at 1/100 scale": fmt(Number(measured), 3),
    "measured ÷ model": Number(model) > 0 ? fmt(Number(measured) / Number(model), 2) : "—",
  }));

  // Per-change costs at the fleet's cluster size (CLUSTER_OBJECTS): isolated changes (each
  // reconciled alone, twice: the change and its status echo) and the 1/100 run's (batched and
  // coalesced under load).
  const objects = objectsPerCluster();
  const inputs = (rates: FleetInputs["rates"], run: LoadRun): FleetInputs => ({
    fleet: FLEET,
    rates,
    measured: measuredFrom(run, objects),
    memoryMb: MEMORY_MB,
    prices: PRICES,
    limits: LIMITS,
    controller: CONTROLLER,
    forwarder: FORWARDER,
  });
  const typical = fleetMonth(inputs(RATES.typical, isolated));
  const busyIsolated = fleetMonth(inputs(RATES.busy, isolated));
  const busy = fleetMonth(inputs(RATES.busy, load));
  const row = (what: string, f: (m: FleetMonth) => number, digits = 2): Row => ({
    "per month (1,000 clusters, 10,000 Gateways, 1,000,000 routes, 100 accounts)": what,
    "typical (isolated-change costs)": fmt(f(typical), digits),
    "busy (isolated-change costs)": fmt(f(busyIsolated), digits),
    "busy (1/100-run costs)": fmt(f(busy), digits),
  });
  const month: Row[] = [
    row("route changes", (m) => m.events.routeChanges),
    row("endpoint events forwarded", (m) => m.events.endpointEvents),
    row("drift checks", (m) => m.events.driftChecks),
    row("SQS requests", (m) => m.sqsRequests),
    row("Lambda invocations", (m) => m.invocations.total),
    row("  of which reconcile", (m) => m.invocations.reconcile),
    row("Lambda GB-seconds", (m) => m.gbSeconds),
    row("mean Lambda concurrency", (m) => m.meanConcurrency),
    row("DynamoDB read units", (m) => m.dynamo.readUnits),
    row("DynamoDB write units", (m) => m.dynamo.writeUnits),
    row("DynamoDB storage, GB", (m) => m.dynamo.storageGb, 3),
    row("AWS API calls (ELBv2, EC2)", (m) => m.awsCalls),
    row("AWS calls per account per second (mean)", (m) => m.perAccountPerSecond.awsCalls, 3),
    row("  share of ELB's documented refill (10 reads + 5 writes /s)", (m) => m.perAccountPerSecond.limitShare, 3),
    row("$ Lambda", (m) => m.dollars.lambda),
    row("$ SQS", (m) => m.dollars.sqs),
    row("$ DynamoDB", (m) => m.dollars.dynamo),
    row("$ forwarder pods (1 per cluster)", (m) => m.dollars.forwarders),
    row("$ switchyard total", (m) => m.dollars.total),
    row("$ controller Deployments (2 replicas per cluster)", (m) => m.controllers.dollars),
    row("controllers' AWS calls per account per second (mean)", (m) => m.controllers.awsCallsPerAccountPerSecond, 3),
  ];
  const plot = writePlot(
    "fleet-cost",
    barChartSvg({
      title: "Dollars per month: 1,000 clusters, 10,000 Gateways, 1,000,000 routes (us-east-1)",
      yLabel: "$ per month",
      yLog: true,
      categories: ["typical rates", "busy, isolated-change costs", "busy, 1/100-run costs"],
      series: [
        { name: "switchyard: Lambda", values: [typical, busyIsolated, busy].map((m) => m.dollars.lambda) },
        { name: "switchyard: SQS", values: [typical, busyIsolated, busy].map((m) => m.dollars.sqs) },
        { name: "switchyard: DynamoDB", values: [typical, busyIsolated, busy].map((m) => m.dollars.dynamo) },
        { name: "switchyard: forwarder pods", values: [typical, busyIsolated, busy].map((m) => m.dollars.forwarders) },
        {
          name: "controller Deployments (2 pods per cluster)",
          values: [typical, busyIsolated, busy].map((m) => m.controllers.dollars),
        },
      ],
      width: 1000,
      height: 600,
    }),
  );
  return {
    tables: [
      {
        title: `fleet: model vs the 1/100 simulation (isolated: ${isolated.changes} changes; load: ${load.changes} changes at 10/s across 100 Gateways)`,
        rows: check,
      },
      { title: `fleet: the model at full scale (${PRICES.region} prices)`, rows: month },
    ],
    settings: { isolatedArgs: ISOLATED_ARGS.join(" "), loadArgs: LOAD_ARGS.join(" "), plot },
  };
}

if (process.argv[1] === import.meta.filename) {
  const [isolatedFile = "", loadFile = "", out] = process.argv.slice(2);
  const report = runFleet(
    JSON.parse(readFileSync(isolatedFile, "utf8")) as Report,
    JSON.parse(readFileSync(loadFile, "utf8")) as Report,
  );
  for (const table of report.tables) {
    console.log(`\n${table.title}`);
    console.table(table.rows);
  }
  if (out !== undefined) writeFileSync(out, JSON.stringify(report));
}
