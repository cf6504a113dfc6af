/**
 * The restated schemas must say what the v1.6.1 CRDs say, node by node, for every served version
 * of every Gateway API kind on both channels: types, required fields, enums, patterns, bounds,
 * list semantics, defaults (spec and status), and one restated rule per CEL rule on each node.
 * Immutability rules (those comparing with `oldSelf`) have no meaning for a manifest and are the
 * only CEL rules not restated.
 */
import { describe, expect, it } from "vitest";
import { isKnownKind } from "../../../shared/manifest/kinds.ts";
import { schemaFor, servedVersions } from "../../../shared/manifest/validation/registry.ts";
import type { SchemaNode } from "../../../shared/manifest/validation/schema.ts";
import { type CrdChannel, gatewayApiCrds } from "./gateway-api-module.ts";

type Raw = Record<string, unknown>;

const isRaw = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

function celRules(raw: Raw): Raw[] {
  const rules = raw["x-kubernetes-validations"];
  return Array.isArray(rules) ? rules.filter(isRaw).filter((r) => !String(r.rule).includes("oldSelf")) : [];
}

function sorted(v: unknown): unknown {
  return Array.isArray(v) ? [...v].map(String).sort() : v;
}

/** Differences between a CRD schema node and ours, as readable lines. */
function compare(raw: Raw, ours: SchemaNode, path: string, diffs: string[]): void {
  const same = (what: string, theirs: unknown, mine: unknown) => {
    if (JSON.stringify(theirs) !== JSON.stringify(mine))
      diffs.push(`${path || "."} ${what}: CRD ${JSON.stringify(theirs)} vs ours ${JSON.stringify(mine)}`);
  };
  same("type", raw.type, ours.type);
  if (raw.type !== ours.type) return;
  same("default", raw.default, ours.default);
  same("CEL rule count", celRules(raw).length, ours.rules?.length ?? 0);
  same("oneOf/anyOf", raw.oneOf !== undefined || raw.anyOf !== undefined, (ours.combinators?.length ?? 0) > 0);
  switch (ours.type) {
    case "string":
      same("enum", sorted(raw.enum), sorted(ours.enum));
      same("pattern", raw.pattern, ours.pattern?.source);
      same("minLength", raw.minLength, ours.minLength);
      same("maxLength", raw.maxLength, ours.maxLength);
      return;
    case "integer":
      same("enum", sorted(raw.enum), sorted(ours.enum));
      same("minimum", raw.minimum, ours.minimum);
      same("maximum", raw.maximum, ours.maximum);
      same("format", raw.format, ours.format);
      return;
    case "boolean":
      return;
    case "array": {
      same("minItems", raw.minItems, ours.minItems);
      same("maxItems", raw.maxItems, ours.maxItems);
      same("listType", raw["x-kubernetes-list-type"], ours.listType);
      same("listMapKeys", raw["x-kubernetes-list-map-keys"], ours.listMapKeys);
      if (isRaw(raw.items)) compare(raw.items, ours.items, `${path}[]`, diffs);
      return;
    }
    case "object": {
      same("required", sorted(raw.required), sorted(ours.required));
      same("maxProperties", raw.maxProperties, ours.maxProperties);
      const theirs = isRaw(raw.properties) ? raw.properties : {};
      same("properties", Object.keys(theirs).sort(), Object.keys(ours.properties).sort());
      for (const [key, sub] of Object.entries(theirs)) {
        const mine = ours.properties[key];
        if (mine && isRaw(sub) && !(path === "" && (key === "metadata" || key === "status")))
          compare(sub, mine, `${path}.${key}`, diffs);
      }
      const additional = raw.additionalProperties;
      same("map values", isRaw(additional), ours.additionalProperties !== undefined);
      if (isRaw(additional) && ours.additionalProperties)
        compare(additional, ours.additionalProperties, `${path}{}`, diffs);
      return;
    }
  }
}

/** Every default declared under a node, by path. */
function crdDefaults(raw: Raw, path: string, out: Map<string, string>): void {
  if (raw.default !== undefined) out.set(path, JSON.stringify(raw.default));
  if (isRaw(raw.properties))
    for (const [k, v] of Object.entries(raw.properties)) if (isRaw(v)) crdDefaults(v, `${path}.${k}`, out);
  if (isRaw(raw.items)) crdDefaults(raw.items, `${path}[]`, out);
  if (isRaw(raw.additionalProperties)) crdDefaults(raw.additionalProperties, `${path}{}`, out);
}

function ourDefaults(node: SchemaNode, path: string, out: Map<string, string>): void {
  if (node.default !== undefined) out.set(path, JSON.stringify(node.default));
  if (node.type === "object") {
    for (const [k, v] of Object.entries(node.properties)) ourDefaults(v, `${path}.${k}`, out);
    if (node.additionalProperties) ourDefaults(node.additionalProperties, `${path}{}`, out);
  }
  if (node.type === "array") ourDefaults(node.items, `${path}[]`, out);
}

for (const channel of ["standard", "experimental"] as const satisfies readonly CrdChannel[]) {
  describe(`${channel}-channel CRDs`, () => {
    for (const crd of gatewayApiCrds(channel)) {
      it(`${crd.kind}: switchyard serves exactly the versions the CRD serves`, () => {
        expect(isKnownKind(crd.kind)).toBe(true);
        if (!isKnownKind(crd.kind)) return;
        const served = crd.versions.filter((v) => v.served).map((v) => v.name);
        expect([...servedVersions(crd.kind, channel)].sort()).toEqual(served.sort());
      });
      for (const version of crd.versions.filter((v) => v.served)) {
        const lookup = schemaFor(crd.kind, `gateway.networking.k8s.io/${version.name}`, channel);
        it(`${crd.kind} ${version.name}: schema and CEL rules match the CRD node by node`, () => {
          expect(lookup.found).toBe(true);
          if (!lookup.found) return;
          const diffs: string[] = [];
          compare(version.schema, lookup.root, "", diffs);
          expect(diffs).toEqual([]);
        });
        it(`${crd.kind} ${version.name}: status defaults match the CRD`, () => {
          if (!lookup.found) throw new Error("no schema");
          const theirs = new Map<string, string>();
          const status = (version.schema.properties as Raw | undefined)?.status;
          if (isRaw(status)) crdDefaults(status, ".status", theirs);
          const mine = new Map<string, string>();
          const ourStatus = lookup.root.properties.status;
          if (ourStatus) ourDefaults(ourStatus, ".status", mine);
          expect(Object.fromEntries(mine)).toEqual(Object.fromEntries(theirs));
        });
      }
    }
  });
}
