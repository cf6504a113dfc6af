/**
 * translation-scale: `translate()` of one Gateway with 100 → 10,000 routes (2 rules each), for an
 * ALB and a VPC Lattice GatewayClass — each size in its own child process (the `alb-model` and
 * `lattice-model` scenarios) — and the growth exponent of each curve: the least-squares slope of
 * log(median time) on log(routes) (bench/lib/fit.ts). Writes bench/plots/translation-scale.png.
 */
import { fitPowerLaw } from "../lib/fit.ts";
import { writePlot } from "../lib/plot.ts";
import type { Report, Row } from "../lib/report.ts";
import { lineChartSvg } from "../lib/svg.ts";

export const SCALE_SIZES: readonly { routes: number; iterations: number }[] = [
  { routes: 100, iterations: 9 },
  { routes: 300, iterations: 7 },
  { routes: 1_000, iterations: 5 },
  { routes: 3_000, iterations: 3 },
  { routes: 10_000, iterations: 3 },
];
const RULES_PER_ROUTE = 2;

/** Runs one scenario in a child process and returns its row (run.ts supplies it). */
export type ChildRunner = (name: string, args: number[]) => Row;

export function runTranslationScale(runChild: ChildRunner): Report {
  const planes = [
    { plane: "ALB", scenario: "alb-model" },
    { plane: "Lattice", scenario: "lattice-model" },
  ];
  const rows: Row[] = [];
  const fits: Row[] = [];
  const series = planes.map(({ plane, scenario }) => {
    const points = SCALE_SIZES.map(({ routes, iterations }) => {
      const row = runChild(scenario, [routes, RULES_PER_ROUTE, iterations]);
      rows.push({ plane, ...row });
      process.stderr.write(`translation-scale: ${plane} ${routes} routes: median ${row.medianMs} ms\n`);
      return { x: routes, y: Number(row.medianMs), min: Number(row.minMs) };
    });
    const byMedian = fitPowerLaw(points);
    const byMin = fitPowerLaw(points.map((p) => ({ x: p.x, y: p.min })));
    const first = points[0];
    const last = points.at(-1);
    fits.push({
      plane,
      "exponent (median)": round(byMedian.exponent, 3),
      "R² (median)": round(byMedian.r2, 4),
      "exponent (min)": round(byMin.exponent, 3),
      "R² (min)": round(byMin.r2, 4),
      "time ×, routes ×100": first && last ? round(last.y / first.y, 1) : "—",
    });
    return {
      name: `${plane} (exponent ${byMedian.exponent.toFixed(2)})`,
      points: points.map(({ x, y }) => ({ x, y })),
    };
  });
  const plot = writePlot(
    "translation-scale",
    lineChartSvg({
      title: `translate(): one Gateway, N routes × ${RULES_PER_ROUTE} rules (median)`,
      xLabel: "routes",
      yLabel: "median time, ms",
      xLog: true,
      yLog: true,
      series,
    }),
  );
  return {
    tables: [
      { title: "translation-scale: translate() per size (each size its own child process)", rows },
      { title: "translation-scale: growth exponent k in time ≈ c · routes^k (least squares on log-log)", rows: fits },
    ],
    settings: { rulesPerRoute: RULES_PER_ROUTE, plot },
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
