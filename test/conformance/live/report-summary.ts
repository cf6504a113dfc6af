/**
 * The summary table of an official ConformanceReport (conformance/apis/v1 of gateway-api v1.6.1),
 * as markdown for docs/conformance-live.md: per profile, core and extended results with their
 * counts, then the failed and skipped tests by name.
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
