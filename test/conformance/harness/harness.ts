/**
 * The whole offline run: read the extractor's JSON (extract.sh builds or reuses it), run every
 * test of the suite against the simulated cluster, tally the outcomes.
 */
import { conformanceModuleDir, type Extraction, loadExtraction } from "./extraction.ts";
import { ALB_CLASS, type ConformanceClass } from "./features.ts";
import { type Outcome, runTest, type TestResult } from "./runner.ts";

export interface Tally {
  pass: number;
  fail: number;
  unsupported: number;
  na: number;
}

export function emptyTally(): Tally {
  return { pass: 0, fail: 0, unsupported: 0, na: 0 };
}

export interface ConformanceRun {
  suite: string;
  cls: ConformanceClass;
  results: TestResult[];
}

export function suiteLabel(extraction: Extraction): string {
  const source = extraction.sources.find((s) => s.module === "sigs.k8s.io/gateway-api/conformance");
  return `${source?.module ?? "sigs.k8s.io/gateway-api/conformance"}@${source?.version ?? "?"}`;
}

export function runConformance(
  extraction: Extraction = loadExtraction(),
  cls: ConformanceClass = ALB_CLASS,
): ConformanceRun {
  const moduleDir = conformanceModuleDir(extraction);
  return { suite: suiteLabel(extraction), cls, results: extraction.tests.map((t) => runTest(moduleDir, t, cls)) };
}

export function tally(results: readonly TestResult[], group: "status" | "request"): Tally {
  const t = emptyTally();
  for (const r of results) for (const c of r.cases) if (c.group === group) t[c.outcome as Outcome]++;
  return t;
}
