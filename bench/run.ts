/**
 * `npm run bench`: every benchmark, each size in its own child process (so peak memory is the
 * scenario's own), printed as a table. Figures go to bench/RESULTS.md by hand with the command.
 * `npm run bench -- resolve` runs only scenarios whose name contains the word;
 * `npm run bench -- resolve cold-start` those whose name contains any of the words.
 * Composite scenarios (`translation-scale`, `calls-compare`) run in this process and start their
 * own children (one per size or per data plane), then fit, tabulate and plot what came back.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isReport, type Report, type Row } from "./lib/report.ts";
import { runCallsCompare } from "./scenarios/calls-compare.ts";
import { runColdStart } from "./scenarios/cold-start.ts";
import { ISOLATED_ARGS, LOAD_ARGS, runFleet } from "./scenarios/fleet.ts";
import { runIngestThroughput } from "./scenarios/ingest-throughput.ts";
import { runLatticeModel } from "./scenarios/lattice-model.ts";
import { runLatticeCalls } from "./scenarios/lattice-reconcile.ts";
import { runModel } from "./scenarios/model.ts";
import { runNlbCalls } from "./scenarios/nlb-reconcile.ts";
import { runPipelineLatency } from "./scenarios/pipeline-latency.ts";
import { runPipelineLoad } from "./scenarios/pipeline-load.ts";
import { runReconcileCalls } from "./scenarios/reconcile.ts";
import { runResolve } from "./scenarios/resolve.ts";
import { runRolloutChurn } from "./scenarios/rollout-churn.ts";
import { runTranslationScale } from "./scenarios/translation-scale.ts";

const SCENARIOS: { name: string; args: number[] }[] = [
  { name: "resolve", args: [1, 1250, 4, 7] },
  { name: "resolve", args: [1, 2500, 4, 7] },
  { name: "resolve", args: [1, 5000, 4, 7] },
  { name: "resolve", args: [1, 10000, 4, 5] },
  { name: "resolve", args: [200, 50, 4, 5] },
  { name: "alb-model", args: [1000, 2, 7] },
  { name: "alb-model", args: [10000, 2, 3] },
  { name: "lattice-model", args: [1000, 2, 7] },
  { name: "lattice-model", args: [1000, 5, 7] },
  { name: "lattice-model", args: [2000, 2, 5] },
  // Composite: alb-model and lattice-model at 100 → 10,000 routes, the growth exponent, a plot.
  { name: "translation-scale", args: [] },
  { name: "reconcile-calls", args: [] },
  { name: "lattice-calls", args: [] },
  { name: "nlb-calls", args: [] },
  // Composite: the three above side by side with the AWS controllers' figures, and a plot.
  { name: "calls-compare", args: [] },
  // The event pipeline (issue #10): moto, DynamoDB Local and kube-apiserver, started per scenario.
  { name: "pipeline-latency", args: [50, 5] },
  // 10 HTTPRoute changes per second across 100 Gateways for 30 s (issue #14); also the fleet
  // model's 1/100-scale check (docs/fleet.md).
  { name: "pipeline-load", args: [100, 10, 30] },
  // Composite: the fleet model's 1/100-scale check (reuses the pipeline-load run above).
  { name: "fleet", args: [] },
  { name: "ingest-throughput", args: [5000] },
  // 500 pod changes: as fast as the apiserver takes them, then paced at 5 per second (100 s),
  // with the forwarder's default 1 s EndpointSlice window and then with a 5 s one.
  { name: "rollout-churn", args: [500, 0, 1000] },
  { name: "rollout-churn", args: [500, 5, 1000] },
  { name: "rollout-churn", args: [500, 5, 5000] },
  { name: "cold-start", args: [7] },
];

async function child(name: string, args: number[]): Promise<Row | Row[] | Report> {
  if (name === "resolve") {
    const [g = 1, r = 1, rules = 1, it = 1] = args;
    return runResolve(g, r, rules, it);
  }
  if (name === "reconcile-calls") return runReconcileCalls();
  if (name === "lattice-calls") return runLatticeCalls();
  if (name === "nlb-calls") return runNlbCalls();
  if (name === "alb-model") {
    const [routes = 1, rules = 1, it = 1] = args;
    return runModel(routes, rules, it);
  }
  if (name === "lattice-model") {
    const [routes = 1, rules = 1, it = 1] = args;
    return runLatticeModel(routes, rules, it);
  }
  if (name === "pipeline-latency") {
    const [changes = 50, routes = 5] = args;
    return runPipelineLatency(changes, routes);
  }
  if (name === "pipeline-load") {
    const [gateways = 100, perSecond = 10, seconds = 30] = args;
    return runPipelineLoad(gateways, perSecond, seconds);
  }
  if (name === "ingest-throughput") return runIngestThroughput(args[0] ?? 5000);
  if (name === "rollout-churn") {
    const [changes = 500, perSecond = 0, windowMs = 1000] = args;
    return runRolloutChurn(changes, perSecond, windowMs);
  }
  if (name === "cold-start") return runColdStart(args[0] ?? 7);
  throw new Error(`unknown scenario ${name}`);
}

/** Results of this run by scenario and arguments: a composite reuses what already ran. */
const results = new Map<string, Row | Row[] | Report>();

/** Runs one scenario in a child process and returns what it wrote. */
function runChild(dir: string, name: string, args: readonly number[]): Row | Row[] | Report {
  const key = [name, ...args].join(" ");
  const known = results.get(key);
  if (known !== undefined) return known;
  const out = join(dir, "result.json");
  execFileSync(process.execPath, [import.meta.filename, "--child", out, name, ...args.map(String)], {
    // The child's own output (progress, handler logs) goes to stderr, out of the tables' way.
    stdio: ["ignore", 2, "inherit"],
  });
  const result = JSON.parse(readFileSync(out, "utf8")) as Row | Row[] | Report;
  results.set(key, result);
  return result;
}

/** Composite scenarios: run here, each starting the children it needs. */
function composite(dir: string, name: string): Report | undefined {
  if (name === "translation-scale")
    return runTranslationScale((scenario, args) => {
      const row = runChild(dir, scenario, args);
      if (Array.isArray(row) || isReport(row)) throw new Error(`${scenario} returned no row`);
      return row;
    });
  if (name === "fleet") {
    const report = (args: number[]) => {
      const result = runChild(dir, "pipeline-load", args);
      if (!isReport(result)) throw new Error("pipeline-load returned no report");
      return result;
    };
    return runFleet(report(ISOLATED_ARGS), report(LOAD_ARGS));
  }
  if (name === "calls-compare")
    return runCallsCompare((scenario) => {
      const rows = runChild(dir, scenario, []);
      if (!Array.isArray(rows)) throw new Error(`${scenario} returned no rows`);
      return rows;
    });
  return undefined;
}

if (process.argv[2] === "--child") {
  // The result goes to a file: the pipeline's handlers may print to stdout.
  const [out = "", name = "", ...args] = process.argv.slice(3);
  writeFileSync(out, JSON.stringify(await child(name, args.map(Number))));
} else {
  const filters = process.argv.slice(2);
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  for (const s of SCENARIOS.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)))) {
    const result = composite(dir, s.name) ?? runChild(dir, s.name, s.args);
    if (isReport(result)) {
      for (const table of result.tables) {
        console.log(`\n${table.title}`);
        console.table(table.rows);
      }
      if (result.settings) console.log("settings:", JSON.stringify(result.settings));
      continue;
    }
    if (Array.isArray(result)) {
      // Call-count scenarios print their own table: counts, not times.
      console.table(result);
      continue;
    }
    rows.push(result);
    process.stderr.write(`${result.scenario}: median ${result.medianMs} ms\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  if (rows.length > 0) console.table(rows);
}
