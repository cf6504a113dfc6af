/**
 * `npm run bench`: every benchmark, each size in its own child process (so peak memory is the
 * scenario's own), printed as a table. Figures go to bench/RESULTS.md by hand with the command.
 * `npm run bench -- resolve` runs only scenarios whose name contains the word.
 */
import { execFileSync } from "node:child_process";
import { runModel } from "./scenarios/model.ts";
import { runReconcileCalls } from "./scenarios/reconcile.ts";
import { runResolve } from "./scenarios/resolve.ts";

type Row = Record<string, string | number>;

const SCENARIOS: { name: string; args: number[] }[] = [
  { name: "resolve", args: [1, 1250, 4, 7] },
  { name: "resolve", args: [1, 2500, 4, 7] },
  { name: "resolve", args: [1, 5000, 4, 7] },
  { name: "resolve", args: [1, 10000, 4, 5] },
  { name: "resolve", args: [200, 50, 4, 5] },
  { name: "alb-model", args: [1000, 2, 7] },
  { name: "alb-model", args: [10000, 2, 3] },
  { name: "reconcile-calls", args: [] },
];

async function child(name: string, args: number[]): Promise<Row | Row[]> {
  if (name === "resolve") {
    const [g = 1, r = 1, rules = 1, it = 1] = args;
    return runResolve(g, r, rules, it);
  }
  if (name === "reconcile-calls") return runReconcileCalls();
  if (name === "alb-model") {
    const [routes = 1, rules = 1, it = 1] = args;
    return runModel(routes, rules, it);
  }
  throw new Error(`unknown scenario ${name}`);
}

if (process.argv[2] === "--child") {
  const [name = "", ...args] = process.argv.slice(3);
  process.stdout.write(JSON.stringify(await child(name, args.map(Number))));
} else {
  const filter = process.argv[2];
  const rows: Row[] = [];
  for (const s of SCENARIOS.filter((s) => !filter || s.name.includes(filter))) {
    const out = execFileSync(process.execPath, [import.meta.filename, "--child", s.name, ...s.args.map(String)], {
      encoding: "utf8",
      maxBuffer: 16 * 2 ** 20,
    });
    const result = JSON.parse(out) as Row | Row[];
    if (Array.isArray(result)) {
      // Call-count scenarios print their own table: counts, not times.
      console.table(result);
      continue;
    }
    rows.push(result);
    process.stderr.write(`${result.scenario}: median ${result.medianMs} ms\n`);
  }
  if (rows.length > 0) console.table(rows);
}
