/**
 * docs/migration.md is checked against the code, row by row: every cited golden case, planner
 * golden and test exists; every field of the AWS Load Balancer Controller's kinds as switchyard
 * models them (shared/extensions/aws-lbc.ts) has a row, so a new field fails here until it is
 * documented; and every row's status holds today: a manifest setting the field (its probe in
 * probes.ts) is refused, naming the field, when the row says refused, and is not refused when the
 * row says applied, applied differently or not applied.
 *
 * Changing a row's status is a change to the table alone: the probes stay, and this test then
 * holds the new claim.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FIELD_PROBES, probeModel, refusals, runProbe } from "./probes.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const DOC = "docs/migration.md";
const MODEL = "shared/extensions/aws-lbc.ts";

const STATUSES = ["applied", "applied differently", "refused", "not applied"] as const;
type Status = (typeof STATUSES)[number];

/** Controller fields switchyard's types leave out, documented anyway (the schema keeps unknown fields). */
const NOT_MODELLED = new Set<string>([]);

interface Citation {
  path: string;
  title?: string;
}

interface Row {
  line: number;
  /** The spec interface of the row's section; undefined for behaviours. */
  spec: string | undefined;
  /** Field paths named in the first cell (backticked), relative to `spec`. */
  fields: string[];
  label: string;
  status: string;
  citations: Citation[];
}

/** The table rows of the document, with the spec interface named in their section's heading. */
function parseTable(text: string): Row[] {
  const rows: Row[] = [];
  let spec: string | undefined;
  let inTable = false;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line.startsWith("## ")) {
      spec = /`(\w+)`\s*$/.exec(line)?.[1];
      inTable = false;
      continue;
    }
    if (!line.startsWith("|")) {
      inTable = false;
      continue;
    }
    if (!inTable) {
      inTable = true; // the header row
      continue;
    }
    if (/^\|[-\s|]+\|$/.test(line)) continue;
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
    const [first = "", , status = "", , tests = ""] = cells;
    rows.push({
      line: i + 1,
      spec,
      fields: spec ? [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "") : [],
      label: first,
      status: cells.length === 5 ? status : `(${cells.length} cells, not 5)`,
      citations: [...tests.matchAll(/`([^`]+)`(?:\s*›\s*"([^"]+)")?/g)].map((m) =>
        m[2] ? { path: m[1] ?? "", title: m[2] } : { path: m[1] ?? "" },
      ),
    });
  }
  return rows;
}

// ---------- the fields of shared/extensions/aws-lbc.ts ----------

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** The body between the brace at `open` and its match. */
function braced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces from ${open}`);
}

/** `name?: type` members of an object type body, split at top-level semicolons. */
function members(body: string): { name: string; type: string }[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "{" || c === "<" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ">" || c === ")" || c === "]") depth--;
    else if (c === ";" && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      const m = /^(\w+)\??\s*:\s*([\s\S]+)$/.exec(p);
      if (!m) throw new Error(`cannot read member ${JSON.stringify(p)}`);
      return { name: m[1] ?? "", type: (m[2] ?? "").trim() };
    });
}

/** Field paths below `prefix` of a member's type: inline objects expand, anything else is one field. */
function fieldPaths(type: string, prefix: string): string[] {
  const array = type.endsWith("[]");
  const element = array ? type.slice(0, -2).trim() : type;
  if (!element.startsWith("{") || !element.endsWith("}")) return [prefix];
  const inner = members(braced(element, 0));
  // A key/value list (attributes) is one field, as tags are.
  if (
    inner
      .map((m) => m.name)
      .sort()
      .join() === "key,value"
  )
    return [prefix];
  return inner.flatMap((m) => fieldPaths(m.type, `${prefix}${array ? "[]" : ""}.${m.name}`));
}

/**
 * Every interface reachable from the three CRD specs, with its field paths. A field typed by
 * another interface of the file is one field here; that interface gets its own paths.
 */
function modelledFields(source: string): Map<string, string[]> {
  const text = stripComments(source);
  const bodies = new Map<string, string>();
  for (const m of text.matchAll(/export interface (\w+)(?:\s+extends[^{]+)?\s*\{/g)) {
    bodies.set(m[1] ?? "", braced(text, (m.index ?? 0) + m[0].length - 1));
  }
  const out = new Map<string, string[]>();
  const queue = ["LoadBalancerConfigurationSpec", "TargetGroupConfigurationSpec", "ListenerRuleConfigurationSpec"];
  while (queue.length > 0) {
    const name = queue.shift() ?? "";
    const body = bodies.get(name);
    if (out.has(name) || body === undefined) continue;
    const fields = members(body);
    out.set(
      name,
      fields.flatMap((f) => fieldPaths(f.type, f.name)),
    );
    for (const f of fields) {
      for (const ref of f.type.matchAll(/\b([A-Z]\w*)\b/g)) if (bodies.has(ref[1] ?? "")) queue.push(ref[1] ?? "");
    }
  }
  return out;
}

const doc = readFileSync(join(ROOT, DOC), "utf8");
const rows = parseTable(doc);
const fieldRows = rows.filter((r) => r.spec !== undefined);
const modelled = modelledFields(readFileSync(join(ROOT, MODEL), "utf8"));
const probeKey = (row: Row) => `${row.spec}.${row.fields[0]}`;

describe("the migration table (docs/migration.md)", () => {
  it("has rows for fields and for behaviours", () => {
    expect(fieldRows.length).toBeGreaterThan(40);
    expect(rows.length - fieldRows.length).toBeGreaterThan(10);
  });

  it("every row says applied, applied differently, refused or not applied", () => {
    const bad = rows.filter((r) => !STATUSES.includes(r.status as Status)).map((r) => `line ${r.line}: ${r.status}`);
    expect(bad).toEqual([]);
  });

  it("every row cites a test, and every cited golden case, planner golden and test exists", () => {
    const problems: string[] = [];
    for (const row of rows) {
      if (row.citations.length === 0) problems.push(`line ${row.line}: no test cited`);
      for (const { path, title } of row.citations) {
        const file = join(ROOT, path);
        if (path.startsWith("test/golden/cases/") || path.startsWith("test/golden/planner/")) {
          const isDir = existsSync(file) && statSync(file).isDirectory();
          if (!isDir) problems.push(`line ${row.line}: no golden directory ${path}`);
          else if (path.startsWith("test/golden/cases/") && !existsSync(join(file, "in.yaml"))) {
            problems.push(`line ${row.line}: ${path} has no in.yaml`);
          }
          continue;
        }
        if (!existsSync(file) || !statSync(file).isFile()) {
          problems.push(`line ${row.line}: no file ${path}`);
          continue;
        }
        if (!title) {
          problems.push(`line ${row.line}: ${path} is cited without a test title`);
          continue;
        }
        const source = readFileSync(file, "utf8");
        if (![`"${title}"`, `'${title}'`, `\`${title}\``].some((quoted) => source.includes(quoted))) {
          problems.push(`line ${row.line}: ${path} has no test titled "${title}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("reads the fields of the three kinds from shared/extensions/aws-lbc.ts", () => {
    expect([...modelled.keys()].sort()).toEqual([
      "HealthCheckConfig",
      "ListenerConfiguration",
      "ListenerRuleAction",
      "ListenerRuleConfigurationSpec",
      "LoadBalancerConfigurationSpec",
      "TargetGroupConfigurationSpec",
      "TargetGroupProps",
    ]);
    expect(modelled.get("LoadBalancerConfigurationSpec")).toContain("loadBalancerSubnets[].eipAllocation");
    expect(modelled.get("ListenerRuleConfigurationSpec")).toContain("conditions[].sourceIPConfig.values");
    expect(modelled.get("ListenerRuleAction")).toContain("forwardConfig.targetGroupStickinessConfig.durationSeconds");
  });

  it("every field switchyard models has a row in its kind's section", () => {
    const missing: string[] = [];
    for (const [spec, paths] of modelled) {
      const documented = fieldRows.filter((r) => r.spec === spec).flatMap((r) => r.fields);
      for (const path of paths) {
        const covered = documented.some((f) => f === path || f.startsWith(`${path}.`) || f.startsWith(`${path}[]`));
        if (!covered) missing.push(`${spec}.${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("every documented field is a field switchyard models, or one it knows it leaves out", () => {
    const unknown = fieldRows.flatMap((r) =>
      r.fields
        .filter((f) => !(modelled.get(r.spec ?? "") ?? []).includes(f) && !NOT_MODELLED.has(`${r.spec}.${f}`))
        .map((f) => `line ${r.line}: ${r.spec}.${f}`),
    );
    expect(unknown).toEqual([]);
  });

  it("every field row has a probe, and every probe a row", () => {
    const keys = fieldRows.map(probeKey);
    expect(keys.filter((k) => !(k in FIELD_PROBES))).toEqual([]);
    expect(Object.keys(FIELD_PROBES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  /** What is wrong with a field row's status claim today, or undefined when it holds. */
  function statusProblem(row: Row): string | undefined {
    const probe = FIELD_PROBES[probeKey(row)];
    if (!probe) return `line ${row.line}: no probe ${probeKey(row)}`;
    const names = probe.names ?? row.fields[0]?.split(/[.[]/)[0] ?? "";
    const run = runProbe(probe);
    if (run.rejected.length > 0) return `line ${row.line}: the probe manifest is rejected: ${run.rejected.join("; ")}`;
    const refused = refusals(run);
    if (row.status === "refused") {
      return refused.some((r) => r.message.includes(names))
        ? undefined
        : `line ${row.line}: ${probeKey(row)} is marked refused, but no False Accepted or ResolvedRefs condition names ${names}`;
    }
    if (refused.length > 0) {
      return `line ${row.line}: ${probeKey(row)} is marked ${row.status}, but ${refused.map((r) => `${r.on} ${r.type}=False ${r.reason}: ${r.message}`).join("; ")}`;
    }
    return probeModel(run)
      ? undefined
      : `line ${row.line}: ${probeKey(row)} is marked ${row.status}, but no load balancer is built`;
  }

  // Each row translates its probe: a minute leaves room for a loaded machine.
  it("every row marked refused is refused today, its status naming the field", { timeout: 60_000 }, () => {
    const refusedRows = fieldRows.filter((r) => r.status === "refused");
    expect(refusedRows.length).toBeGreaterThan(0);
    expect(refusedRows.map(statusProblem).filter((p) => p !== undefined)).toEqual([]);
  });

  it("every row marked applied, applied differently or not applied is not refused, and its load balancer is built", {
    timeout: 60_000,
  }, () => {
    const others = fieldRows.filter((r) => r.status !== "refused");
    expect(others.length).toBeGreaterThan(40);
    expect(others.map(statusProblem).filter((p) => p !== undefined)).toEqual([]);
  });

  it("README.md links the table", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("docs/migration.md");
  });
});
