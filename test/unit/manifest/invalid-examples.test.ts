/**
 * Every manifest under the Gateway API's hack/invalid-examples is refused by the API server; it
 * must be refused here too, with a problem on the field that makes it invalid. The table below was
 * derived by reading each file; a file missing from it fails the suite (nothing is skipped).
 */
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../../shared/manifest/load.ts";
import type { Channel } from "../../../shared/manifest/validate.ts";
import { gatewayApiDir, readModuleFile, yamlFilesUnder } from "./gateway-api-module.ts";

const DIR = "hack/invalid-examples";

/** File (relative to hack/invalid-examples) → fields that must each carry a problem. */
const EXPECTED: Record<string, readonly string[]> = {
  "experimental/httproute/invalid-filter-externalauth-bad-http-path.yaml": [
    "spec.rules[0].filters[0].externalAuth.http.path",
  ],
  "experimental/httproute/invalid-filter-externalauth-empty.yaml": ["spec.rules[0].filters[0].externalAuth"],
  "experimental/httproute/invalid-filter-externalauth-no-protocol.yaml": [
    "spec.rules[0].filters[0].externalAuth.protocol",
  ],
  "experimental/httproute/invalid-header-value.yaml": ["spec.rules[0].filters[0].responseHeaderModifier.add[0].value"],
  "standard/gateway/duplicate-listeners.yaml": ["spec.listeners[1].name"],
  "standard/gateway/hostname-tcp.yaml": ["spec.listeners[0].hostname"],
  "standard/gateway/hostname-udp.yaml": ["spec.listeners[0].hostname"],
  // Nine malformed IPAddress values (type defaulted) and a Hostname with a port.
  "standard/gateway/invalid-addresses.yaml": Array.from({ length: 10 }, (_, i) => `spec.addresses[${i}].value`),
  "standard/gateway/invalid-listener-name.yaml": ["spec.listeners[0].name"],
  "standard/gateway/invalid-listener-port.yaml": ["spec.listeners[0].port"],
  "standard/gateway/invalid-tls-mode.yaml": ["spec.listeners[0].tls.mode"],
  "standard/gateway/tlsconfig-tcp.yaml": ["spec.listeners[0].tls"],
  "standard/gatewayclass/invalid-controller.yaml": ["spec.controllerName"],
  "standard/httproute/duplicate-header-match.yaml": ["spec.rules[0].matches[0].headers[1].name"],
  "standard/httproute/duplicate-query-match.yaml": ["spec.rules[0].matches[0].queryParams[1].name"],
  "standard/httproute/httproute-portless-backend.yaml": ["spec.rules[0].backendRefs[0].port"],
  "standard/httproute/httproute-portless-service.yaml": ["spec.rules[0].backendRefs[0].port"],
  "standard/httproute/invalid-backend-group.yaml": ["spec.rules[0].backendRefs[0].group"],
  "standard/httproute/invalid-backend-kind.yaml": ["spec.rules[0].backendRefs[0].kind"],
  "standard/httproute/invalid-backend-port.yaml": ["spec.rules[0].backendRefs[0].port"],
  "standard/httproute/invalid-filter-duplicate-header.yaml": [
    "spec.rules[0].filters[0].requestHeaderModifier.remove[1]",
  ],
  "standard/httproute/invalid-filter-duplicate.yaml": ["spec.rules[0].filters[1]"],
  "standard/httproute/invalid-filter-empty.yaml": ["spec.rules[0].filters[0].requestHeaderModifier"],
  "standard/httproute/invalid-filter-wrong-field.yaml": [
    "spec.rules[0].filters[0].requestRedirect",
    "spec.rules[0].filters[0].requestHeaderModifier",
  ],
  "standard/httproute/invalid-header-name.yaml": ["spec.rules[0].matches[0].headers[0].name"],
  "standard/httproute/invalid-hostname.yaml": ["spec.hostnames[0]"],
  "standard/httproute/invalid-httpredirect-hostname.yaml": ["spec.rules[0].filters[0].requestRedirect.hostname"],
  "standard/httproute/invalid-method.yaml": ["spec.rules[0].matches[0].method"],
  "standard/httproute/invalid-path-alphanum-specialchars-mix.yaml": ["spec.rules[0].matches[0].path.value"],
  "standard/httproute/invalid-path-specialchars.yaml": ["spec.rules[0].matches[0].path.value"],
  "standard/httproute/invalid-request-redirect-with-backendref.yaml": ["spec.rules[0].backendRefs"],
  "standard/referencegrant/missing-from.yaml": ["spec.from"],
  "standard/referencegrant/missing-ns.yaml": ["spec.from[0].namespace"],
  "standard/referencegrant/missing-to.yaml": ["spec.to"],
  "standard/tlsroute/invalid-hostname.yaml": ["spec.hostnames[0]"],
  "standard/tlsroute/no-hostname.yaml": ["spec.hostnames"],
};

const base = gatewayApiDir();
const files = yamlFilesUnder(base, DIR).map((f) => f.slice(DIR.length + 1));

describe("hack/invalid-examples", () => {
  it("the table covers every invalid example in the module, and only those", () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    // Experimental examples are invalid under the experimental CRDs; standard ones under both.
    const channels: Channel[] = file.startsWith("standard/") ? ["standard", "experimental"] : ["experimental"];
    for (const channel of channels) {
      it(`${file} is rejected (${channel} channel) with a problem on the offending field`, () => {
        const loaded = loadManifests(readModuleFile(base, `${DIR}/${file}`), file, { channel });
        expect(loaded.objects).toEqual([]);
        expect(loaded.problems).toEqual([]);
        expect(loaded.rejected).toHaveLength(1);
        const fields = loaded.rejected.flatMap((r) => r.problems.map((p) => p.field));
        for (const field of EXPECTED[file] ?? ["<missing from table>"]) expect(fields).toContain(field);
        for (const problem of loaded.rejected.flatMap((r) => r.problems)) {
          expect(problem.source).toBe(file);
          expect(problem.message.length).toBeGreaterThan(10);
        }
      });
    }
  }
});
