import { describe, expect, it } from "vitest";
import {
  GENERATED_BEGIN,
  GENERATED_END,
  NotAConformanceReport,
  parseReport,
  parseSuiteLog,
  reportVersusLog,
  summaryMarkdown,
  summaryWithLog,
  withGeneratedBlock,
} from "./report-summary.ts";

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

// As the v1.6.1 suite prints them with -test.v (abridged from a live run).
const LOG = `
=== CONT  TestConformance/GatewaySecretReferenceGrantSpecific
    conformance.go:77: 2026-12-03T08:16:35Z: Running GatewaySecretReferenceGrantSpecific, relying on the following features: Gateway-standard, ReferenceGrant-standard
    conformance.go:77: 2026-12-03T08:11:35Z: Running HTTPRouteRewriteHost, relying on the following features: Gateway-standard, HTTPRoute-standard, HTTPRouteHostRewrite-standard
    conformance.go:77: 2026-12-03T08:11:35Z: Running ListenerSetHostnameConflict, relying on the following features: Gateway-standard, ListenerSet-experimental
--- FAIL: TestConformance (389.72s)
    --- PASS: TestConformance/GatewayModifyListeners (5.03s)
        --- FAIL: TestConformance/GatewayModifyListeners/nested_is_not_a_test (0.1s)
    --- FAIL: TestConformance/HTTPRouteWeight (60.07s)
    --- FAIL: TestConformance/HTTPRouteRewriteHost (60.11s)
    --- PASS: TestConformance/ListenerSetHostnameConflict (13.86s)
    --- SKIP: TestConformance/HTTPRouteCORS (0.00s)
    --- FAIL: TestConformance/GatewaySecretReferenceGrantSpecific (60.05s)
    --- FAIL: TestConformance/ListenerSetProtocolConflict (60.05s)
`;

const REPORTED = `
kind: ConformanceReport
profiles:
- name: GATEWAY-HTTP
  core:
    statistics: {Passed: 30, Failed: 1, Skipped: 1}
    failedTests: [HTTPRouteWeight]
  extended:
    statistics: {Passed: 20, Failed: 1, Skipped: 0}
    failedTests: [HTTPRouteRewriteHost]
`;

describe("the report checked against the suite's -test.v log", () => {
  it("reads each top-level test's verdict and the features it relies on, without channel suffixes", () => {
    const log = parseSuiteLog(LOG);
    expect(log.verdicts.get("GatewayModifyListeners")).toBe("PASS");
    expect(log.verdicts.get("HTTPRouteCORS")).toBe("SKIP");
    expect(log.verdicts.has("TestConformance")).toBe(false);
    expect(log.verdicts.has("nested_is_not_a_test")).toBe(false);
    expect(log.features.get("ListenerSetHostnameConflict")).toEqual(["Gateway", "ListenerSet"]);
  });

  it("names the tests the log shows failed and the report does not, core by the profile's core features", () => {
    expect(reportVersusLog(parseReport(REPORTED), parseSuiteLog(LOG))).toEqual([
      { test: "GatewaySecretReferenceGrantSpecific", level: "core", log: "FAIL" },
      // No "Running" line: it relies on nothing the log names, so no extended feature is known.
      { test: "ListenerSetProtocolConflict", level: "core", log: "FAIL" },
    ]);
  });

  it("moves them from passed to failed in the GATEWAY-HTTP counts it prints", () => {
    const md = summaryWithLog(parseReport(REPORTED), LOG);
    expect(md).toContain("- GatewaySecretReferenceGrantSpecific (core): log says FAIL");
    expect(md).toContain("core 28 / 3 / 1, extended 20 / 1 / 0");
  });

  it("says so when the log agrees", () => {
    const agreeing = LOG.replace(
      /--- FAIL: TestConformance\/(GatewaySecret|ListenerSetProtocol)/g,
      "--- PASS: TestConformance/$1",
    );
    expect(summaryWithLog(parseReport(REPORTED), agreeing)).toContain("agrees with the report");
  });
});

describe("the generated block of docs/conformance-live.md", () => {
  it("replaces only the text between the markers", () => {
    const doc = `# Title\n\nhand-written\n\n${GENERATED_BEGIN}\n\nold table\n${GENERATED_END}\n\nmore hand-written\n`;
    const out = withGeneratedBlock(doc, "new table\n");
    expect(out).toBe(
      `# Title\n\nhand-written\n\n${GENERATED_BEGIN}\n\nnew table\n\n${GENERATED_END}\n\nmore hand-written\n`,
    );
  });

  it("refuses a document without the markers", () => {
    expect(() => withGeneratedBlock("# nothing here\n", "x")).toThrow(/lacks the markers/);
  });
});
