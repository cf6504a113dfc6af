/**
 * Validation runs on whatever a user wrote: it never throws, whatever the shape of the spec, and
 * every problem it reports names its object and a field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { applyDefaults } from "../../../shared/manifest/defaults.ts";
import { validateObject } from "../../../shared/manifest/validate.ts";

const KINDS: [string, string][] = [
  ["HTTPRoute", "gateway.networking.k8s.io/v1"],
  ["GRPCRoute", "gateway.networking.k8s.io/v1"],
  ["Gateway", "gateway.networking.k8s.io/v1"],
  ["ListenerSet", "gateway.networking.k8s.io/v1"],
  ["TLSRoute", "gateway.networking.k8s.io/v1alpha2"],
  ["BackendTLSPolicy", "gateway.networking.k8s.io/v1"],
  ["ListenerRuleConfiguration", "gateway.k8s.aws/v1beta1"],
];

/** JSON values shaped a little like specs: the field names the schemas use, any value types. */
const KEYS = [
  "rules",
  "matches",
  "path",
  "value",
  "type",
  "filters",
  "backendRefs",
  "listeners",
  "tls",
  "mode",
  "port",
  "name",
  "hostnames",
  "parentRefs",
  "headers",
  "actions",
];
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 70000 }),
    fc.constantFrom("", "/", "//x", "HTTP", "TLS", "Exact", "PathPrefix", "a.example", "*", "ReplacePrefixMatch"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("robustness", () => {
  it("validateObject and applyDefaults never throw, and every problem names object and field", () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), json, ([kind, apiVersion], spec) => {
        const object = { apiVersion, kind, metadata: { name: "x", namespace: "default" }, spec } as KubeObject;
        applyDefaults(object);
        for (const problem of validateObject(object)) {
          expect(problem.object).toEqual({ kind, name: "x", namespace: "default" });
          expect(typeof problem.field).toBe("string");
          expect(problem.message).not.toBe("");
        }
      }),
      { numRuns: 2000 },
    );
  });
});
