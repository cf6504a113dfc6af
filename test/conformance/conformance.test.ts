/**
 * The offline Gateway API conformance run (harness/): every test of the pinned suite replayed
 * against switchyard's translators for an ALB class, a VPC Lattice class and an NLB class. Pure
 * apart from reading the extractor's cached JSON and the suite's manifests from the Go module cache.
 *
 * `SWITCHYARD_UPDATE_CONFORMANCE=1` rewrites baseline.json, baseline-lattice.json, baseline-nlb.json
 * and docs/conformance.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Extraction, loadExtraction } from "./harness/extraction.ts";
import { ALB_CANNOT_EXPRESS, ALB_CLAIMED_FEATURES, ALB_UNCLAIMED_FEATURES } from "./harness/features.ts";
import { type ConformanceRun, runConformance } from "./harness/harness.ts";
import { KNOWN_CORE_BUGS } from "./harness/known-core-bugs.ts";
import { KNOWN_NLB_DIFFERENCES } from "./harness/known-nlb-differences.ts";
import { LATTICE_CLASS } from "./harness/lattice-features.ts";
import { NLB_CLASS } from "./harness/nlb-features.ts";
import { type Baseline, baselineOf, compareWithBaseline, renderMarkdown } from "./harness/report.ts";

const UPDATE = process.env.SWITCHYARD_UPDATE_CONFORMANCE === "1";
const BASELINE = join(import.meta.dirname, "baseline.json");
const LATTICE_BASELINE = join(import.meta.dirname, "baseline-lattice.json");
const NLB_BASELINE = join(import.meta.dirname, "baseline-nlb.json");
const DOCS = join(import.meta.dirname, "..", "..", "docs", "conformance.md");

let extraction: Extraction;
let run: ConformanceRun;
let lattice: ConformanceRun;
let nlb: ConformanceRun;

beforeAll(() => {
  extraction = loadExtraction();
  run = runConformance(extraction);
  lattice = runConformance(extraction, LATTICE_CLASS);
  nlb = runConformance(extraction, NLB_CLASS);
  if (UPDATE) {
    writeFileSync(BASELINE, `${JSON.stringify(baselineOf(run), null, 2)}\n`);
    writeFileSync(LATTICE_BASELINE, `${JSON.stringify(baselineOf(lattice), null, 2)}\n`);
    writeFileSync(NLB_BASELINE, `${JSON.stringify(baselineOf(nlb), null, 2)}\n`);
    mkdirSync(dirname(DOCS), { recursive: true });
    writeFileSync(DOCS, renderMarkdown(run, lattice, nlb));
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
    const docsStale = !existsSync(DOCS) || readFileSync(DOCS, "utf8") !== renderMarkdown(run, lattice, nlb);
    if (!UPDATE && (diff.newPasses.length > 0 || diff.otherChanges.length > 0 || docsStale)) {
      console.log("conformance: SWITCHYARD_UPDATE_CONFORMANCE=1 rewrites baseline.json and docs/conformance.md");
    }
    expect(diff.regressions).toEqual([]);
  });

  it("every core GATEWAY-HTTP case passes unless an ALB cannot express it", () => {
    const justified = new Set(ALB_CANNOT_EXPRESS.filter((l) => l.statusMessage || l.recognisedBy).map((l) => l.id));
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

  it("every core GATEWAY-HTTP case passes or is unsupported with the status reason", () => {
    const justified = new Set(
      LATTICE_CLASS.cannotExpress.filter((l) => l.statusMessage || l.recognisedBy).map((l) => l.id),
    );
    const problems: string[] = [];
    for (const r of lattice.results.filter((x) => x.coreGatewayHttp && !x.notApplicable)) {
      for (const c of r.cases) {
        if (c.outcome === "pass" || c.outcome === "na") continue;
        if (c.outcome === "unsupported" && c.limit && justified.has(c.limit)) continue;
        problems.push(`${r.shortName} ${c.id}: ${c.outcome}${c.limit ? ` [${c.limit}]` : ""}: ${c.reason}`);
      }
    }
    expect(problems).toEqual([]);
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

describe("offline conformance of the NLB data plane", () => {
  const L4_PROFILES = new Set(["GATEWAY-TCP", "GATEWAY-UDP", "GATEWAY-TLS"]);

  it("every feature the suite names is either claimed for NLB or explained", () => {
    const unexplained = Object.values(extraction.features).filter(
      (f) => !NLB_CLASS.claimed.has(f) && !NLB_CLASS.unclaimed.has(f) && !f.startsWith("Mesh"),
    );
    expect(unexplained).toEqual([]);
    expect([...NLB_CLASS.claimed.keys()].filter((f) => NLB_CLASS.unclaimed.has(f))).toEqual([]);
  });

  it("the fixtures of every applicable test load as the API server would accept them", () => {
    const problems = nlb.results
      .filter((r) => !r.notApplicable)
      .flatMap((r) => r.fixtureProblems.map((p) => `${r.shortName}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("no case that passed in the NLB baseline has stopped passing", () => {
    if (!existsSync(NLB_BASELINE))
      throw new Error(`${NLB_BASELINE} is missing; run with SWITCHYARD_UPDATE_CONFORMANCE=1`);
    const baseline = JSON.parse(readFileSync(NLB_BASELINE, "utf8")) as Baseline;
    const diff = compareWithBaseline(baseline, nlb);
    for (const p of diff.newPasses) console.log(`conformance (nlb): new pass — ${p}`);
    for (const c of diff.otherChanges) console.log(`conformance (nlb): changed — ${c}`);
    expect(diff.regressions).toEqual([]);
  });

  it("every TCPRoute, UDPRoute and TLSRoute test runs on NLB, and their layer-4 requests are judged, not n/a", () => {
    const l4 = nlb.results.filter(
      (r) => !r.mesh && r.features.some((f) => f === "TCPRoute" || f === "UDPRoute" || f === "TLSRoute"),
    );
    const notRun = l4
      .filter((r) => r.notApplicable && !r.features.some((f) => NLB_CLASS.unclaimed.has(f)))
      .map((r) => `${r.shortName}: ${r.notApplicable}`);
    expect(notRun).toEqual([]);
    const unjudged = l4
      .filter((r) => !r.notApplicable)
      .flatMap((r) =>
        r.cases.filter((c) => c.group === "request" && c.outcome === "na").map((c) => `${r.shortName} ${c.id}`),
      );
    expect(unjudged).toEqual([]);
    expect(l4.filter((r) => !r.notApplicable).length).toBeGreaterThan(25);
  });

  it("every case of the tests NLB runs passes, is unsupported with the status reason, or is a listed NLB difference", () => {
    const justified = new Set(
      NLB_CLASS.cannotExpress.filter((l) => l.statusMessage || l.recognisedBy).map((l) => l.id),
    );
    const listed = new Map(KNOWN_NLB_DIFFERENCES.map((d) => [`${d.test} ${d.case}`, d.limit]));
    const limits = new Set(NLB_CLASS.cannotExpress.filter((l) => !l.statusMessage && !l.recognisedBy).map((l) => l.id));
    const problems: string[] = [];
    const stillFailing = new Set<string>();
    for (const r of nlb.results.filter((x) => !x.notApplicable && x.profile && L4_PROFILES.has(x.profile))) {
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
      [...new Set(listed.values())].filter((l) => !l.startsWith("core:") && !limits.has(l)),
      "differences naming no status-less limit",
    ).toEqual([]);
  });

  it("the weighted TCP and UDP routes split connections exactly as weighted", () => {
    for (const name of ["TCPRouteWeightedRouting", "UDPRouteWeightedRouting"]) {
      const weights = nlb.results
        .find((r) => r.shortName === name)
        ?.cases.filter((c) => c.helper === "weight.TestWeightedDistribution");
      expect(
        weights?.map((c) => c.outcome),
        name,
      ).toEqual(["pass"]);
    }
  });

  it("every unsupported case of a test that runs names the NLB limit its route status reports", () => {
    const unexplained = nlb.results
      .filter((r) => !r.notApplicable)
      .flatMap((r) =>
        r.cases
          .filter((c) => c.outcome === "unsupported" && !c.limit)
          .map((c) => `${r.shortName} ${c.id}: ${c.reason}`),
      );
    expect(unexplained).toEqual([]);
  });
});
