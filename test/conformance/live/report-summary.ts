/**
 * The summary table of an official ConformanceReport (conformance/apis/v1 of gateway-api v1.6.1),
 * as markdown for docs/conformance-live.md: per profile, core and extended results with their
 * counts, then the failed and skipped tests by name; then the same checked against the suite's own
 * `-test.v` log, which the report does not always agree with (see `reportVersusLog`).
 */

import { parse } from "yaml";

interface Statistics {
  Passed?: number;
  Failed?: number;
  Skipped?: number;
}

interface Status {
  result?: string;
  statistics?: Statistics;
  failedTests?: string[];
  skippedTests?: string[];
  supportedFeatures?: string[];
  unsupportedFeatures?: string[];
}

interface ProfileReport {
  name: string;
  summary?: string;
  core?: Status;
  extended?: Status;
}

export interface ConformanceReport {
  kind?: string;
  date?: string;
  gatewayAPIVersion?: string;
  gatewayAPIChannel?: string;
  mode?: string;
  implementation?: { organization?: string; project?: string; version?: string };
  profiles?: ProfileReport[];
  succeededProvisionalTests?: string[];
}

export class NotAConformanceReport extends Error {}

export function parseReport(yamlText: string): ConformanceReport {
  const value = parse(yamlText) as unknown;
  if (value === null || typeof value !== "object" || (value as { kind?: unknown }).kind !== "ConformanceReport") {
    throw new NotAConformanceReport("not a ConformanceReport (kind is missing or different)");
  }
  return value as ConformanceReport;
}

function counts(status: Status | undefined): string {
  const s = status?.statistics ?? {};
  return `${s.Passed ?? 0} / ${s.Failed ?? 0} / ${s.Skipped ?? 0}`;
}

function names(list: readonly string[] | undefined): string {
  return list && list.length > 0 ? [...list].sort().join(", ") : "none";
}

export function summaryMarkdown(report: ConformanceReport): string {
  const impl = report.implementation ?? {};
  const lines = [
    `Report: ${impl.organization ?? "?"}/${impl.project ?? "?"} ${impl.version ?? "?"}, Gateway API ${report.gatewayAPIVersion ?? "?"} (${report.gatewayAPIChannel ?? "?"}), mode ${report.mode ?? "?"}, ${report.date ?? "no date"}.`,
    "",
    "Counts are passed / failed / skipped.",
    "",
    "| Profile | Core result | Core | Extended result | Extended |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const p of report.profiles ?? []) {
    lines.push(
      `| ${p.name} | ${p.core?.result ?? "?"} | ${counts(p.core)} | ${p.extended?.result ?? "n/a"} | ${p.extended ? counts(p.extended) : "n/a"} |`,
    );
  }
  for (const p of report.profiles ?? []) {
    lines.push(
      "",
      `**${p.name}**`,
      "",
      `- Core failed: ${names(p.core?.failedTests)}`,
      `- Core skipped: ${names(p.core?.skippedTests)}`,
    );
    if (p.extended) {
      lines.push(
        `- Extended failed: ${names(p.extended.failedTests)}`,
        `- Extended skipped: ${names(p.extended.skippedTests)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** What the suite's `-test.v` log says of each top-level test: `--- PASS|FAIL|SKIP: TestConformance/<name>`. */
export type LogVerdict = "PASS" | "FAIL" | "SKIP";

export interface SuiteLog {
  verdicts: Map<string, LogVerdict>;
  /** Feature names each run test relies on ("Running X, relying on the following features: ..."), channel suffix dropped. */
  features: Map<string, string[]>;
}

export function parseSuiteLog(text: string): SuiteLog {
  const verdicts = new Map<string, LogVerdict>();
  const features = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const verdict = /^ {4}--- (PASS|FAIL|SKIP): TestConformance\/([A-Za-z0-9]+) \(/.exec(line);
    if (verdict?.[1] && verdict[2]) verdicts.set(verdict[2], verdict[1] as LogVerdict);
    const running = /Running ([A-Za-z0-9]+), relying on the following features: (.*)$/.exec(line);
    if (running?.[1] && running[2]) {
      features.set(
        running[1],
        running[2].split(",").map((f) => f.trim().replace(/-(standard|experimental)$/, "")),
      );
    }
  }
  return { verdicts, features };
}

/** GATEWAY-HTTP's core features in v1.6.1 (utils/suite/profiles.go): a test relying on any other is extended. */
const GATEWAY_HTTP_CORE = new Set(["Gateway", "ReferenceGrant", "HTTPRoute"]);

export interface Disagreement {
  test: string;
  level: "core" | "extended";
  log: LogVerdict;
}

/**
 * Tests the log shows failed that the report does not name as failed in any profile. In v1.6.1 the
 * suite's Run (utils/suite/suite.go) records each test's result from `t.Run`'s return value; for a
 * test declared `Parallel: true` that value is returned when the test calls `t.Parallel()` and
 * pauses, before it has run; paused tests resume only after TestConformance's body, which writes the
 * report first (conformance.go). So every parallel test enters the report as passed.
 */
export function reportVersusLog(report: ConformanceReport, log: SuiteLog): Disagreement[] {
  const reportedFailed = new Set(
    (report.profiles ?? []).flatMap((p) => [...(p.core?.failedTests ?? []), ...(p.extended?.failedTests ?? [])]),
  );
  const out: Disagreement[] = [];
  for (const [test, verdict] of log.verdicts) {
    if (verdict !== "FAIL" || reportedFailed.has(test)) continue;
    const features = log.features.get(test) ?? [];
    const level = features.every((f) => GATEWAY_HTTP_CORE.has(f)) ? "core" : "extended";
    out.push({ test, level, log: verdict });
  }
  return out.sort((a, b) => a.test.localeCompare(b.test));
}

/** `summaryMarkdown`, then what the log says where it differs from the report, with corrected GATEWAY-HTTP counts. */
export function summaryWithLog(report: ConformanceReport, logText: string): string {
  const disagreements = reportVersusLog(report, parseSuiteLog(logText));
  const lines = [summaryMarkdown(report), "**Checked against the suite's log**", ""];
  if (disagreements.length === 0) {
    lines.push("The `-test.v` log agrees with the report: every test it shows failed, the report names failed.");
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    "The suite records a `Parallel: true` test's result when the test pauses, before it runs (v1.6.1",
    "utils/suite/suite.go: `t.Run` returns at `t.Parallel()`) and writes the report before paused tests",
    "resume, so the report counts every parallel test passed. These tests failed in the `-test.v` log of",
    "the same run but are counted passed above:",
    "",
  );
  for (const d of disagreements) lines.push(`- ${d.test} (${d.level}): log says ${d.log}`);
  const http = (report.profiles ?? []).find((p) => p.name === "GATEWAY-HTTP");
  if (http) {
    const corrected = (status: Status | undefined, level: Disagreement["level"]): string => {
      const n = disagreements.filter((d) => d.level === level).length;
      const s = status?.statistics ?? {};
      return `${(s.Passed ?? 0) - n} / ${(s.Failed ?? 0) + n} / ${s.Skipped ?? 0}`;
    };
    lines.push(
      "",
      `GATEWAY-HTTP as the log has it: core ${corrected(http.core, "core")}, extended ${corrected(http.extended, "extended")} (passed / failed / skipped).`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** docs/conformance-live.md is hand-written around this block, which each full run replaces. */
export const GENERATED_BEGIN =
  "<!-- BEGIN generated by test/conformance/live/run.ts from its last full run: do not edit -->";
export const GENERATED_END = "<!-- END generated -->";

/** `doc` with the text between the markers replaced by `generated`. */
export function withGeneratedBlock(doc: string, generated: string): string {
  const begin = doc.indexOf(GENERATED_BEGIN);
  const end = doc.indexOf(GENERATED_END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/conformance-live.md lacks the markers ${GENERATED_BEGIN} … ${GENERATED_END}`);
  return `${doc.slice(0, begin + GENERATED_BEGIN.length)}\n\n${generated}\n${doc.slice(end)}`;
}
