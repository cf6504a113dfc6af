/**
 * The tables of docs/migration-lattice.md and docs/feature-matrix.md cite tests: a golden case
 * directory (`test/golden/cases/…`, with its in.yaml), or a file and the title of a test in it
 * (`path` › "title"). Every citation must exist, every title must be a test's title in that file
 * (or, for a document, a phrase in it), and every row — every switchyard cell of the feature
 * matrix — cites something or says "not yet".
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

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
      if (cited.length === 0 && !/\bnot yet\b/.test(cell)) problems.push(`${doc}:${row.line}: cites nothing: ${cell}`);
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
