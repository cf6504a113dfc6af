import { describe, expect, it } from "vitest";
import { NotAConformanceReport, parseReport, summaryMarkdown } from "./report-summary.ts";

const REPORT = `
apiVersion: gateway.networking.k8s.io/v1
kind: ConformanceReport
date: "2026-12-03T08:00:00Z"
gatewayAPIVersion: v1.6.1
gatewayAPIChannel: experimental
mode: default
implementation: {organization: switchyard, project: switchyard, version: v0.1.0}
profiles:
- name: GATEWAY-HTTP
  core:
    result: failure
    statistics: {Passed: 30, Failed: 2, Skipped: 1}
    failedTests: [HTTPRouteWeight, GatewayModifyListeners]
    skippedTests: [HTTPRouteHTTPSListener]
  extended:
    result: success
    statistics: {Passed: 5, Failed: 0, Skipped: 0}
`;

describe("the summary of a ConformanceReport", () => {
  it("tabulates each profile's core and extended counts and names the failed and skipped tests", () => {
    const md = summaryMarkdown(parseReport(REPORT));
    expect(md).toContain("| GATEWAY-HTTP | failure | 30 / 2 / 1 | success | 5 / 0 / 0 |");
    expect(md).toContain("- Core failed: GatewayModifyListeners, HTTPRouteWeight");
    expect(md).toContain("- Core skipped: HTTPRouteHTTPSListener");
    expect(md).toContain("- Extended failed: none");
    expect(md).toContain("switchyard/switchyard v0.1.0, Gateway API v1.6.1 (experimental)");
  });

  it("refuses a document that is not a ConformanceReport", () => {
    expect(() => parseReport("kind: Gateway\n")).toThrow(NotAConformanceReport);
  });
});
