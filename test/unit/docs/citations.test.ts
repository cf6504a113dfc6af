/**
 * The tables of docs/migration-lattice.md and docs/feature-matrix.md cite tests: a golden case
 * directory (`test/golden/cases/…`, with its in.yaml), or a file and the title of a test in it
 * (`path` › "title"). Every citation must exist, every title must be a test's title in that file
 * (or, for a document, a phrase in it), and every row — every switchyard cell of the feature
 * matrix — cites something or says "not yet" (or, in the matrix, "n/a"). In the feature matrix,
 * every Gateway API feature the conformance harness claims for a class is ✓ citing the conformance
 * run, and no claimed feature is marked "no".
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ALB_CLAIMED_FEATURES, ALB_UNCLAIMED_FEATURES } from "../../conformance/harness/features.ts";
import { LATTICE_CLAIMED_FEATURES, LATTICE_UNCLAIMED_FEATURES } from "../../conformance/harness/lattice-features.ts";
import { NLB_CLAIMED_FEATURES, NLB_UNCLAIMED_FEATURES } from "../../conformance/harness/nlb-features.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

interface Citation {
  path: string;
  title?: string;
}

interface TableRow {
  line: number;
  cells: string[];
  /** The header cells of the row's table. */
  header: string[];
}

/** The body rows of every table of a markdown text, each with its table's header. */
function tableRows(text: string): TableRow[] {
  const rows: TableRow[] = [];
  let header: string[] | undefined;
  const split = (line: string) =>
    line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line.startsWith("|")) {
      header = undefined;
      continue;
    }
    if (header === undefined) {
      header = split(line);
      continue;
    }
    if (/^\|[-\s|:]+\|$/.test(line)) continue;
    rows.push({ line: i + 1, cells: split(line), header });
  }
  return rows;
}

/** The citations of a cell: backticked repository paths, each with an optional › "title". */
function citations(cell: string): Citation[] {
  return [...cell.matchAll(/`([^`]+)`(?:\s*›\s*"([^"]+)")?/g)]
    .filter((m) => /^(test|shared|functions|infra|cli|forwarder|docs)\//.test(m[1] ?? ""))
    .map((m) => (m[2] ? { path: m[1] ?? "", title: m[2] } : { path: m[1] ?? "" }));
}

/** What is wrong with a citation, or undefined. */
function citationProblem({ path, title }: Citation): string | undefined {
  const file = join(ROOT, path);
  if (path.startsWith("test/golden/cases/")) {
    if (!existsSync(join(file, "in.yaml"))) return `no golden case ${path}`;
    return title === undefined ? undefined : `a golden case takes no title: ${path}`;
  }
  if (!existsSync(file) || !statSync(file).isFile()) return `no file ${path}`;
  if (title === undefined) return undefined;
  const text = readFileSync(file, "utf8");
  if (path.endsWith(".md")) return text.includes(title) ? undefined : `${path} does not say "${title}"`;
  const asTest = new RegExp(`\\b(it|test|describe)(\\.each\\([^)]*\\))?\\(\\s*(["'\`])${escapeRegExp(title)}\\3`);
  return asTest.test(text) ? undefined : `${path} has no test "${title}"`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function problemsOf(doc: string, cellsToCheck: (row: TableRow) => string[]): string[] {
  const problems: string[] = [];
  for (const row of tableRows(readFileSync(join(ROOT, doc), "utf8"))) {
    for (const cell of cellsToCheck(row)) {
      const cited = citations(cell);
      if (cited.length === 0 && !/\bnot yet\b/.test(cell) && cell !== "n/a")
        problems.push(`${doc}:${row.line}: cites nothing: ${cell}`);
      for (const c of cited) {
        const problem = citationProblem(c);
        if (problem) problems.push(`${doc}:${row.line}: ${problem}`);
      }
    }
  }
  return problems;
}

describe("citations in docs/migration-lattice.md", () => {
  const doc = "docs/migration-lattice.md";
  const rows = tableRows(readFileSync(join(ROOT, doc), "utf8"));

  it("has its tables, each row with a status", () => {
    expect(rows.length).toBeGreaterThan(25);
    const statuses = new Set(["unchanged", "differs", "not applied yet", "applied"]);
    const bad = rows.filter((r) => !statuses.has(r.cells.at(-2) ?? "")).map((r) => `line ${r.line}`);
    expect(bad).toEqual([]);
  });

  it("every row cites a golden case or test that exists", () => {
    const problems = problemsOf(doc, (row) => [row.cells.at(-1) ?? ""]);
    expect(problems).toEqual([]);
  });
});

describe("a citation", () => {
  it("to a test title that does not exist is a problem", () => {
    expect(citationProblem({ path: "test/unit/lattice/plan.test.ts", title: "no test has this title" })).toBeDefined();
    expect(citationProblem({ path: "test/golden/cases/999-no-such-case" })).toBeDefined();
    expect(
      citationProblem({
        path: "test/unit/lattice/plan.test.ts",
        title: "associations another owner made are never deleted, even with the Gateway",
      }),
    ).toBeUndefined();
  });
});

describe("citations in docs/feature-matrix.md", () => {
  const doc = "docs/feature-matrix.md";
  const rows = tableRows(readFileSync(join(ROOT, doc), "utf8"));
  const COLUMNS = [
    { name: "switchyard ALB", claimed: ALB_CLAIMED_FEATURES, unclaimed: ALB_UNCLAIMED_FEATURES },
    { name: "switchyard NLB", claimed: NLB_CLAIMED_FEATURES, unclaimed: NLB_UNCLAIMED_FEATURES },
    { name: "switchyard Lattice", claimed: LATTICE_CLAIMED_FEATURES, unclaimed: LATTICE_UNCLAIMED_FEATURES },
  ];
  const cell = (row: TableRow, column: string) => row.cells[row.header.indexOf(column)] ?? "";

  it("has rows with the three switchyard columns and the three other controllers", () => {
    expect(rows.length).toBeGreaterThan(30);
    for (const row of rows) {
      expect(row.header).toEqual([
        "feature",
        ...COLUMNS.map((c) => c.name),
        "LBC",
        "Lattice controller",
        "Envoy Gateway",
      ]);
      expect(row.cells, `line ${row.line}`).toHaveLength(7);
    }
  });

  it("every switchyard cell cites a test that exists, or says not yet or n/a", () => {
    const problems = problemsOf(doc, (row) => COLUMNS.map((c) => cell(row, c.name)));
    expect(problems).toEqual([]);
  });

  it("every Gateway API feature the conformance harness claims for a class is ✓, citing the conformance run", () => {
    const problems: string[] = [];
    for (const row of rows) {
      const feature = /^`(\w+)`$/.exec(row.cells[0] ?? "")?.[1];
      if (!feature) continue;
      for (const column of COLUMNS) {
        const text = cell(row, column.name);
        if (
          column.claimed.has(feature) &&
          !(text.startsWith("✓") && text.includes("test/conformance/conformance.test.ts"))
        ) {
          problems.push(`${feature} on ${column.name} is claimed: ${text}`);
        }
        if (text.startsWith("no") && column.claimed.has(feature)) problems.push(`${feature} on ${column.name} says no`);
        if (text.includes("test/conformance/conformance.test.ts") && !column.claimed.has(feature)) {
          problems.push(`${feature} on ${column.name} cites the conformance run but is not claimed`);
        }
        if (!column.claimed.has(feature) && !column.unclaimed.has(feature)) {
          problems.push(`${feature} is not a feature the harness knows for ${column.name}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("names every feature the harness claims for any class", () => {
    const named = new Set(rows.map((r) => /^`(\w+)`$/.exec(r.cells[0] ?? "")?.[1]));
    const omitted = new Set([
      "GatewayPort8080",
      "HTTPRouteParentRefPort",
      "HTTPRouteDestinationPortMatching",
      "HTTPRouteNamedRouteRule",
      "HTTPRouteBackendProtocolWebSocket",
    ]);
    const missing = COLUMNS.flatMap((c) => [...c.claimed.keys()]).filter((f) => !named.has(f) && !omitted.has(f));
    expect([...new Set(missing)]).toEqual([]);
  });
});
