/**
 * Validation runs on whatever a user wrote: it never throws, whatever the shape of the spec, and
 * every problem it reports names its object and a field. The parser, the file loader and
 * translation keep the same promise for any text or bytes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadFiles } from "../../../cli/manifests.ts";
import { controllerConfig } from "../../../shared/config.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { applyDefaults } from "../../../shared/manifest/defaults.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { validateObject } from "../../../shared/manifest/validate.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

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

/**
 * The same promise one level up: whatever text arrives, parse → defaults → validation → translation
 * returns, and everything refused names its file, its document and what is wrong.
 */
const KIND_HEADERS = [
  "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n",
  "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n",
  "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n",
  "apiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\n",
  "apiVersion: v1\nkind: Service\n",
  "apiVersion: v1\nkind: Secret\n",
  "apiVersion: v1\nkind: List\n",
  "apiVersion: apps/v1\nkind: Deployment\n",
  "",
];

/** YAML fragments that stress the parser: anchors and aliases, deep nesting, huge scalars, junk. */
const yamlFragment = fc.oneof(
  fc.constantFrom(
    "metadata: { name: x, namespace: default }\n",
    "metadata: &m { name: x }\nspec: *m\n",
    "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
    "spec: *undefined\n",
    "items: [{ kind: List, items: [{}] }]\n",
    "spec: { parentRefs: [{ name: gw }], rules: [{ backendRefs: [{ name: svc, port: 80 }] }] }\n",
    "spec: { gatewayClassName: alb, listeners: [{ name: l, port: 80, protocol: HTTP }] }\n",
    "spec: { controllerName: switchyard.dev/alb }\n",
    "data: { tls.key: c2VjcmV0 }\n",
    "metadata: { name: !!binary aGVsbG8= }\n",
    "? [complex, key]\n: value\n",
    "%YAML 1.2\n---\n",
    "---\n",
    "...\n",
    "\t: tab\n",
    "\u001b[2J: \u009b\n",
  ),
  fc.integer({ min: 1, max: 100 }).map((depth) => `spec: ${"[".repeat(depth)}${"]".repeat(depth)}\n`),
  fc
    .integer({ min: 1, max: 60 })
    .map((depth) => `spec:\n${Array.from({ length: depth }, (_, i) => `${" ".repeat(i + 1)}k:`).join("\n")} v\n`),
  fc.integer({ min: 1, max: 12_000 }).map((n) => `metadata: { name: "${"n".repeat(n)}" }\n`),
  fc.string({ maxLength: 40 }),
);

const manifestText = fc
  .array(fc.tuple(fc.constantFrom(...KIND_HEADERS), fc.array(yamlFragment, { maxLength: 3 })), { maxLength: 3 })
  .map((docs) => docs.map(([header, body]) => header + body.join("")).join("---\n"));

describe("robustness of the whole input path", () => {
  it("parse → load → translate never throws, and every problem names file, document and message", () => {
    fc.assert(
      fc.property(manifestText, (text) => {
        const loaded = loadManifests(text, "fuzz.yaml", { maxDocumentChars: 10_000 });
        for (const problem of loaded.problems) {
          expect(problem.source).toBe("fuzz.yaml");
          expect(typeof problem.document).toBe("number");
          expect(problem.message).not.toBe("");
        }
        for (const rejected of loaded.rejected) {
          expect(rejected.origin.source).toBe("fuzz.yaml");
          for (const problem of rejected.problems) expect(problem.message).not.toBe("");
        }
        for (const ignored of loaded.ignored) expect(ignored.reason).not.toBe("");
        expect(loaded.origins).toHaveLength(loaded.objects.length);
        translate(snapshotOf(loaded.objects), controllerConfig());
      }),
      { numRuns: 300 },
    );
    // Bounded work (300 runs of at most 9 small fragments), but a shared CI core parses YAML slowly.
  }, 60_000);

  it("arbitrary bytes through the file reader and loader never throw", () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-fuzz-"));
    const path = join(dir, "bytes.yaml");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        writeFileSync(path, bytes);
        const loaded = loadFiles([path], { maxFileBytes: 1024 });
        for (const problem of loaded.problems) {
          expect(problem.source).toBe(path);
          expect(problem.message).not.toBe("");
        }
        if (bytes.length > 1024)
          expect(loaded.problems.map((p) => p.message)).toEqual([expect.stringContaining("larger than")]);
        translate(snapshotOf(loaded.objects), controllerConfig());
      }),
      { numRuns: 300 },
    );
  });
});
