/**
 * The offline Gateway API conformance run (harness/): every test of the pinned suite replayed
 * against switchyard's translators for an ALB class and for a VPC Lattice class. Pure apart from
 * reading the extractor's cached JSON and the suite's manifests from the Go module cache.
 *
 * `SWITCHYARD_UPDATE_CONFORMANCE=1` rewrites baseline.json, baseline-lattice.json and
 * docs/conformance.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Extraction, loadExtraction } from "./harness/extraction.ts";
import { ALB_CANNOT_EXPRESS, ALB_CLAIMED_FEATURES, ALB_UNCLAIMED_FEATURES } from "./harness/features.ts";
import { type ConformanceRun, runConformance } from "./harness/harness.ts";
import { KNOWN_CORE_BUGS } from "./harness/known-core-bugs.ts";
import { KNOWN_LATTICE_DIFFERENCES } from "./harness/known-lattice-differences.ts";
import { LATTICE_CLASS } from "./harness/lattice-features.ts";
import { type Baseline, baselineOf, compareWithBaseline, renderMarkdown } from "./harness/report.ts";

const UPDATE = process.env.SWITCHYARD_UPDATE_CONFORMANCE === "1";
const BASELINE = join(import.meta.dirname, "baseline.json");
const LATTICE_BASELINE = join(import.meta.dirname, "baseline-lattice.json");
const DOCS = join(import.meta.dirname, "..", "..", "docs", "conformance.md");

let extraction: Extraction;
let run: ConformanceRun;
let lattice: ConformanceRun;

beforeAll(() => {
  extraction = loadExtraction();
  run = runConformance(extraction);
  lattice = runConformance(extraction, LATTICE_CLASS);
  if (UPDATE) {
    writeFileSync(BASELINE, `${JSON.stringify(baselineOf(run), null, 2)}\n`);
    writeFileSync(LATTICE_BASELINE, `${JSON.stringify(baselineOf(lattice), null, 2)}\n`);
    mkdirSync(dirname(DOCS), { recursive: true });
    writeFileSync(DOCS, renderMarkdown(run, lattice));
  }
}, 180_000);

describe("offline conformance of the ALB data plane", () => {
  it("every feature the suite names is either claimed for ALB or explained", () => {
    const unexplained = Object.values(extraction.features).filter(
      (f) => !ALB_CLAIMED_FEATURES.has(f) && !ALB_UNCLAIMED_FEATURES.has(f) && !f.startsWith("Mesh"),
    );
    expect(unexplained).toEqual([]);
    const both = [...ALB_CLAIMED_FEATURES.keys()].filter((f) => ALB_UNCLAIMED_FEATURES.has(f));
    expect(both).toEqual([]);
  });

  it("the fixtures of every applicable test load as the API server would accept them", () => {
    const problems = run.results
      .filter((r) => !r.notApplicable)
      .flatMap((r) => r.fixtureProblems.map((p) => `${r.shortName}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("no case that passed in the baseline has stopped passing", () => {
    if (!existsSync(BASELINE)) throw new Error(`${BASELINE} is missing; run with SWITCHYARD_UPDATE_CONFORMANCE=1`);
    const baseline = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
    const diff = compareWithBaseline(baseline, run);
    for (const p of diff.newPasses) console.log(`conformance: new pass — ${p}`);
    for (const c of diff.otherChanges) console.log(`conformance: changed — ${c}`);
    // Outcome changes other than regressions, and a stale page, only earn a note.
    const docsStale = !existsSync(DOCS) || readFileSync(DOCS, "utf8") !== renderMarkdown(run, lattice);
    if (!UPDATE && (diff.newPasses.length > 0 || diff.otherChanges.length > 0 || docsStale)) {
      console.log("conformance: SWITCHYARD_UPDATE_CONFORMANCE=1 rewrites baseline.json and docs/conformance.md");
    }
    expect(diff.regressions).toEqual([]);
  });

  it("every core GATEWAY-HTTP case passes unless an ALB cannot express it", () => {
    const justified = new Set(ALB_CANNOT_EXPRESS.filter((l) => l.statusMessage).map((l) => l.id));
    const known = new Set(KNOWN_CORE_BUGS.map((b) => `${b.test} ${b.case}`));
    const problems: string[] = [];
    const stillFailing = new Set<string>();
    for (const r of run.results.filter((x) => x.coreGatewayHttp)) {
      if (r.notApplicable) problems.push(`${r.shortName}: a core test is not applicable: ${r.notApplicable}`);
      for (const c of r.cases) {
        const key = `${r.shortName} ${c.id}`;
        if (c.outcome === "pass") continue;
        if (c.outcome === "unsupported" && c.limit && justified.has(c.limit)) continue;
        if (c.outcome === "fail" && known.has(key)) {
          stillFailing.add(key);
          continue;
        }
        problems.push(`${key}: ${c.outcome}${c.limit ? ` [${c.limit}]` : ""}: ${c.reason}`);
      }
    }
    const fixed = [...known].filter((k) => !stillFailing.has(k));
    expect(problems).toEqual([]);
    expect(fixed, "known core bugs that no longer fail: remove them from harness/known-core-bugs.ts").toEqual([]);
  });

  it("every unsupported case of a test that runs names the ALB limit its route status reports", () => {
    const unexplained = run.results
      .filter((r) => !r.notApplicable)
      .flatMap((r) =>
        r.cases
          .filter((c) => c.outcome === "unsupported" && !c.limit)
          .map((c) => `${r.shortName} ${c.id}: ${c.reason}`),
      );
    expect(unexplained).toEqual([]);
  });
});

describe("offline conformance of the VPC Lattice data plane", () => {
  it("every feature the suite names is either claimed for Lattice or explained", () => {
    const unexplained = Object.values(extraction.features).filter(
      (f) => !LATTICE_CLASS.claimed.has(f) && !LATTICE_CLASS.unclaimed.has(f) && !f.startsWith("Mesh"),
    );
    expect(unexplained).toEqual([]);
    expect([...LATTICE_CLASS.claimed.keys()].filter((f) => LATTICE_CLASS.unclaimed.has(f))).toEqual([]);
  });

  it("the fixtures of every applicable test load as the API server would accept them", () => {
    const problems = lattice.results
      .filter((r) => !r.notApplicable)
      .flatMap((r) => r.fixtureProblems.map((p) => `${r.shortName}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("no case that passed in the Lattice baseline has stopped passing", () => {
    if (!existsSync(LATTICE_BASELINE)) {
      throw new Error(`${LATTICE_BASELINE} is missing; run with SWITCHYARD_UPDATE_CONFORMANCE=1`);
    }
    const baseline = JSON.parse(readFileSync(LATTICE_BASELINE, "utf8")) as Baseline;
    const diff = compareWithBaseline(baseline, lattice);
    for (const p of diff.newPasses) console.log(`conformance (lattice): new pass — ${p}`);
    for (const c of diff.otherChanges) console.log(`conformance (lattice): changed — ${c}`);
    expect(diff.regressions).toEqual([]);
  });

  it("every core GATEWAY-HTTP case passes, is unsupported with the status reason, or is a listed Lattice difference", () => {
    const justified = new Set(LATTICE_CLASS.cannotExpress.filter((l) => l.statusMessage).map((l) => l.id));
    const listed = new Map(KNOWN_LATTICE_DIFFERENCES.map((d) => [`${d.test} ${d.case}`, d.limit]));
    const limits = new Set(LATTICE_CLASS.cannotExpress.filter((l) => !l.statusMessage).map((l) => l.id));
    const problems: string[] = [];
    const stillFailing = new Set<string>();
    for (const r of lattice.results.filter((x) => x.coreGatewayHttp && !x.notApplicable)) {
      for (const c of r.cases) {
        const key = `${r.shortName} ${c.id}`;
        if (c.outcome === "pass" || c.outcome === "na") continue;
        if (c.outcome === "unsupported" && c.limit && justified.has(c.limit)) continue;
        if (c.outcome === "fail" && listed.has(key)) {
          stillFailing.add(key);
          continue;
        }
        problems.push(`${key}: ${c.outcome}${c.limit ? ` [${c.limit}]` : ""}: ${c.reason}`);
      }
    }
    expect(problems).toEqual([]);
    expect(
      [...listed.keys()].filter((k) => !stillFailing.has(k)),
      "listed differences that no longer fail",
    ).toEqual([]);
    expect(
      [...new Set(listed.values())].filter((l) => !limits.has(l)),
      "differences naming no status-less limit",
    ).toEqual([]);
  });

  it("the core GATEWAY-HTTP tests Lattice runs pass more cases than they fail", () => {
    const core = lattice.results.filter((x) => x.coreGatewayHttp && !x.notApplicable);
    const cases = core.flatMap((r) => r.cases);
    const pass = cases.filter((c) => c.outcome === "pass").length;
    expect(core.length).toBeGreaterThan(30);
    expect(pass).toBeGreaterThan(cases.filter((c) => c.outcome !== "pass" && c.outcome !== "na").length);
  });

  it("every unsupported case of a test that runs names the Lattice limit its route status reports", () => {
    const unexplained = lattice.results
      .filter((r) => !r.notApplicable)
      .flatMap((r) =>
        r.cases
          .filter((c) => c.outcome === "unsupported" && !c.limit)
          .map((c) => `${r.shortName} ${c.id}: ${c.reason}`),
      );
    expect(unexplained).toEqual([]);
  });
});
