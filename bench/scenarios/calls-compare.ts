/**
 * calls-compare: AWS calls per reconcile for ALB, NLB and VPC Lattice side by side, from the three
 * counting scenarios (reconcile-calls, nlb-calls, lattice-calls: the real SDK against moto, the
 * Lattice emulator and DynamoDB Local, counted by client middleware), beside the figures published
 * for the AWS controllers (ANCHORS_PUBLISHED, with where each comes from). Writes
 * bench/plots/calls-per-scenario.png (grouped bars, log scale).
 */
import { writePlot } from "../lib/plot.ts";
import type { Report, Row } from "../lib/report.ts";
import { barChartSvg } from "../lib/svg.ts";

export type ChildRows = (name: string) => Row[];

/** The six scenarios of issue #14, and which row of each plane's scenario stands for it. */
export const SCENARIOS = [
  { key: "create", alb: "create", nlb: "create", lattice: "create" },
  { key: "no-op", alb: "no-op", nlb: "no-op", lattice: "no-op" },
  { key: "drift check", alb: "drift check", nlb: "drift check", lattice: "drift check" },
  {
    key: "one route changed",
    alb: "path change without reordering",
    nlb: "one route's backends changed",
    lattice: "one rule's path changed",
  },
  {
    key: "endpoint churn (10 changes)",
    alb: "10 endpoint changes",
    nlb: "10 endpoint changes",
    lattice: "10 endpoint changes",
  },
  { key: "delete", alb: "delete", nlb: "delete", lattice: "delete" },
] as const;

/**
 * Published figures for the AWS controllers, by scenario. Sources: ../shared/design/ANCHORS.md
 * ("Measured side by side on the same emulators … one ALB Gateway with 5 HTTPRoutes, the AWS Load
 * Balancer Controller (2026-04 build)"); reference/aws-lbc-gateway.md §5 (every reconcile re-reads
 * AWS: a drift check costs what a no-op does); reference/vpc-lattice-controller.md §8 ("a no-op
 * reconcile (1 listener, 5 rules, 2 backends) makes about 70 Lattice/tagging calls"). No figure is
 * published for the LBC's NLB path nor for the Lattice controller outside the no-op.
 */
export const ANCHORS_PUBLISHED: Record<string, { lbc: string; lattice: string }> = {
  create: { lbc: "77–94", lattice: "—" },
  "no-op": { lbc: "17 (24 after a restart)", lattice: "≈70" },
  "drift check": { lbc: "17 (every reconcile re-reads)", lattice: "≈70 (resync off by default)" },
  "one route changed": { lbc: "35–40 (path change)", lattice: "— (rule upsert O(R²))" },
  "endpoint churn (10 changes)": { lbc: "31", lattice: "— (targets re-registered every time)" },
  delete: { lbc: "23", lattice: "—" },
};

function find(rows: Row[], prefix: string): Row {
  const row = rows.find((r) => String(r.scenario).startsWith(prefix));
  if (row === undefined) throw new Error(`no row starting "${prefix}" in ${rows.map((r) => r.scenario).join("; ")}`);
  return row;
}

/** AWS calls of a row: the data plane's API plus EC2/tagging/STS; DynamoDB apart. */
function aws(row: Row): number {
  return Number(row.elbv2 ?? 0) + Number(row["other AWS"] ?? 0) + Number(row.lattice ?? 0);
}

export function compareCalls(alb: Row[], nlb: Row[], lattice: Row[]): Row[] {
  return SCENARIOS.map((s) => {
    const a = find(alb, s.alb);
    const n = find(nlb, s.nlb);
    const l = find(lattice, s.lattice);
    const published = ANCHORS_PUBLISHED[s.key] ?? { lbc: "—", lattice: "—" };
    return {
      scenario: s.key,
      "ALB AWS": aws(a),
      "NLB AWS": aws(n),
      "Lattice AWS": aws(l),
      "ALB DynamoDB": Number(a.dynamodb),
      "NLB DynamoDB": Number(n.dynamodb),
      "Lattice DynamoDB": Number(l.dynamodb),
      "AWS LBC (ALB), published": published.lbc,
      "Lattice controller, published": published.lattice,
    };
  });
}

export function runCallsCompare(rowsOf: ChildRows): Report {
  const alb = rowsOf("reconcile-calls");
  const nlb = rowsOf("nlb-calls");
  const lattice = rowsOf("lattice-calls");
  const rows = compareCalls(alb, nlb, lattice);
  const plot = writePlot(
    "calls-per-scenario",
    barChartSvg({
      title: "AWS calls per scenario (data-plane API + EC2/tagging/STS; DynamoDB apart)",
      yLabel: "calls",
      yLog: true,
      categories: rows.map((r) => String(r.scenario)),
      series: [
        { name: "switchyard ALB (10 routes, 20 rules, 3 TGs)", values: rows.map((r) => Number(r["ALB AWS"])) },
        { name: "switchyard NLB (10 listeners, 3 TGs)", values: rows.map((r) => Number(r["NLB AWS"])) },
        { name: "switchyard Lattice (10 services, 20 rules)", values: rows.map((r) => Number(r["Lattice AWS"])) },
        {
          name: "AWS LBC, ALB, 5 routes (published, low end)",
          values: rows.map((r) => Number.parseInt(String(r["AWS LBC (ALB), published"]), 10) || 0),
        },
      ],
      width: 1000,
      height: 560,
    }),
  );
  return {
    tables: [
      { title: "calls-compare: ALB (reconcile-calls)", rows: alb },
      { title: "calls-compare: NLB (nlb-calls)", rows: nlb },
      { title: "calls-compare: VPC Lattice (lattice-calls)", rows: lattice },
      { title: "calls-compare: AWS calls per scenario, side by side", rows },
    ],
    settings: { plot },
  };
}
