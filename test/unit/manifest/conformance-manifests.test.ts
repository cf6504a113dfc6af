/**
 * Every manifest of the Gateway API conformance suite (base fixtures and each test's YAML) loads
 * cleanly once prepared the way the suite's Applier prepares it.
 *
 * Which documents are deliberately invalid? The suite's tests whose names say "invalid" (listed
 * below) expect an invalid *status* — a missing backend, a refused ReferenceGrant, an unsupported
 * protocol — from objects the API server accepts; none of them, and no other test, expects the API
 * server to refuse a manifest. So no conformance document may be rejected here either.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { formatProblem } from "../../../shared/manifest/problem.ts";
import { conformanceDir, readModuleFile, yamlFilesUnder } from "./gateway-api-module.ts";

const GATEWAY_CLASS = "switchyard-conformance";
const CONTROLLER = "switchyard.dev/alb";
// Address pools a conformance run is given (documentation ranges of RFC 5737).
const USABLE_ADDRESSES = [{ type: "IPAddress", value: "192.0.2.10" }];
const UNUSABLE_ADDRESSES = [{ type: "IPAddress", value: "198.51.100.10" }];

/** Manifests of conformance tests named "invalid": invalid in status, valid for the API server. */
const STATUS_INVALID = [
  "tests/backendtlspolicy-invalid-ca-certificate-ref.yaml",
  "tests/backendtlspolicy-invalid-kind.yaml",
  "tests/gateway-invalid-default-frontend-client-certificate-validation.yaml",
  "tests/gateway-invalid-listeners-unsupported-protocol.yaml",
  "tests/gateway-invalid-parameters-ref.yaml",
  "tests/gateway-invalid-route-kind.yaml",
  "tests/gateway-invalid-tls-backend-configuration.yaml",
  "tests/gateway-invalid-tls-configuration.yaml",
  "tests/gateway-secret-invalid-reference-grant.yaml",
  "tests/gateway-with-invalid-clientcertificate-validation.yaml",
  "tests/httproute-invalid-backendref-unknown-kind.yaml",
  "tests/httproute-invalid-cross-namespace-backend-ref.yaml",
  "tests/httproute-invalid-cross-namespace-parent-ref.yaml",
  "tests/httproute-invalid-nonexistent-backendref.yaml",
  "tests/httproute-invalid-parentref-not-matching-listener-port.yaml",
  "tests/httproute-invalid-parentref-not-matching-section-name.yaml",
  "tests/httproute-invalid-parentref-section-name-not-matching-port.yaml",
  "tests/httproute-invalid-reference-grant.yaml",
  "tests/httproute-partially-invalid-via-invalid-reference-grant.yaml",
  "tests/tcproute-invalid-backendref-nonexistent.yaml",
  "tests/tcproute-invalid-cross-namespace-backend-ref.yaml",
  "tests/tcproute-invalid-non-tcp-listener.yaml",
  "tests/tlsroute-invalid-backendref-nonexistent.yaml",
  "tests/tlsroute-invalid-backendref-unknown-kind.yaml",
  "tests/tlsroute-invalid-no-matching-listener-hostname.yaml",
  "tests/tlsroute-invalid-no-matching-listener.yaml",
  "tests/tlsroute-invalid-reference-grant.yaml",
  "tests/udproute-invalid-backendref-nonexistent.yaml",
  "tests/udproute-invalid-cross-namespace-backend-ref.yaml",
];

/** Documents the API server refuses: none (see above). */
const REFUSED_BY_API_SERVER: readonly string[] = [];

/** Tests of experimental features, whose manifests only the experimental CRDs accept. */
const EXPERIMENTAL_ONLY: Record<string, readonly string[]> = {
  "tests/httproute-retry.yaml": ["spec.rules[0].retry", "spec.rules[1].retry"],
};

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The suite's Applier, restated: a Gateway gets the class under test; a GatewayClass the
 * controller under test; placeholder addresses are replaced by the run's address pools while the
 * deliberately unsupported "test/fake-invalid-type" addresses are kept.
 */
function prepare(text: string): string {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  return docs
    .filter(isDoc)
    .map((doc) => {
      const spec = isDoc(doc.spec) ? doc.spec : undefined;
      if (doc.kind === "GatewayClass" && spec) spec.controllerName = CONTROLLER;
      if (doc.kind === "Gateway" && spec) {
        spec.gatewayClassName = GATEWAY_CLASS;
        const addresses = Array.isArray(spec.addresses) ? spec.addresses.filter(isDoc) : [];
        const hasValue = (v: string) => addresses.some((a) => a.value === v);
        if (addresses.length > 0) {
          spec.addresses = [
            ...addresses.filter((a) => a.type === "test/fake-invalid-type"),
            ...(hasValue("PLACEHOLDER_UNUSABLE_ADDRS") ? UNUSABLE_ADDRESSES : []),
            ...(hasValue("PLACEHOLDER_USABLE_ADDRS") ? USABLE_ADDRESSES : []),
          ];
        }
      }
      return stringify(doc);
    })
    .join("---\n")
    .replaceAll("{GATEWAY_CLASS_NAME}", GATEWAY_CLASS);
}

const base = conformanceDir();
const files = ["base/manifests.yaml", ...yamlFilesUnder(base, "tests").filter((f) => !f.startsWith("tests/mesh/"))];

describe("conformance manifests", () => {
  it("every test named 'invalid' has its manifest in the status-invalid list", () => {
    const named = files.filter((f) => f.includes("invalid"));
    expect(named).toEqual([...STATUS_INVALID].sort());
  });

  for (const file of files) {
    it(`${file} loads without problems (experimental channel)`, () => {
      const loaded = loadManifests(prepare(readModuleFile(base, file)), file, { channel: "experimental" });
      const problems = [...loaded.problems, ...loaded.rejected.flatMap((r) => r.problems)].map(formatProblem);
      expect(REFUSED_BY_API_SERVER).not.toContain(file);
      expect(problems).toEqual([]);
      expect(loaded.objects.length).toBeGreaterThan(0);
    });

    const experimentalFields = EXPERIMENTAL_ONLY[file];
    if (experimentalFields)
      it(`${file} is refused by the standard channel on its experimental fields`, () => {
        const loaded = loadManifests(prepare(readModuleFile(base, file)), file, { channel: "standard" });
        const fields = loaded.rejected.flatMap((r) => r.problems.map((p) => p.field));
        expect(fields).toEqual(experimentalFields);
      });
    else
      it(`${file} loads without problems (standard channel)`, () => {
        const loaded = loadManifests(prepare(readModuleFile(base, file)), file, { channel: "standard" });
        const problems = [...loaded.problems, ...loaded.rejected.flatMap((r) => r.problems)].map(formatProblem);
        expect(problems).toEqual([]);
      });
  }
});
