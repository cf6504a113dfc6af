/**
 * What the API server would refuse: the CRD's OpenAPI schema and its CEL rules, checked on the
 * defaulted object as the API server checks them (defaults first, then validation), plus the
 * object-metadata checks every create goes through. Each problem names the object, the exact field
 * (`spec.rules[0].matches[1].path.value`) and what the field must be.
 *
 * Gateway API kinds are checked against the standard or experimental CRDs of v1.6.1 (the
 * experimental channel by default: it serves every version `kinds.ts` lists). The AWS extension
 * kinds get shape-level checks; core kinds only their metadata.
 */
import type { KubeObject } from "../k8s/meta.ts";
import { applyDefaults } from "./defaults.ts";
import { isKnownKind, KINDS } from "./kinds.ts";
import type { ManifestProblem, ObjectIdentity } from "./problem.ts";
import { validateMetadata } from "./validation/metadata.ts";
import { schemaFor } from "./validation/registry.ts";
import type { Channel } from "./validation/schema.ts";
import { validateNode, validateTypes } from "./validation/structural.ts";

export type { Channel } from "./validation/schema.ts";

export interface ValidateOptions {
  /** Which Gateway API CRD bundle the target cluster installs; defaults to "experimental". */
  channel?: Channel;
}

export function identityOf(object: KubeObject): ObjectIdentity {
  const { name, namespace } = object.metadata;
  return { kind: object.kind, name, ...(namespace ? { namespace } : {}) };
}

export function validateObject(object: KubeObject, options: ValidateOptions = {}): ManifestProblem[] {
  const channel = options.channel ?? "experimental";
  const id = identityOf(object);
  const problems: ManifestProblem[] = [];
  const report = (field: string, message: string) => {
    problems.push({ object: id, field, message });
  };
  if (!isKnownKind(object.kind)) {
    report("kind", `switchyard does not read ${object.kind} objects`);
    return problems;
  }
  validateMetadata(object.metadata, object.kind, KINDS[object.kind].namespaced, report);
  const lookup = schemaFor(object.kind, object.apiVersion, channel);
  if (!lookup.found) {
    if (lookup.reason === "version-not-served")
      report(
        "apiVersion",
        `${object.apiVersion} is not served by the ${channel}-channel CRDs; use version ${lookup.served.join(" or ")}`,
      );
    return problems;
  }
  const defaulted: unknown = applyDefaults(object, { channel });
  validateNode(defaulted, lookup.root, "", report, channel);
  return dedupe(problems);
}

/**
 * The type problems of an object as a cluster served it (ingest): a declared field holding the wrong
 * JSON type, which no API server serves and which translation could not read. Nothing else is
 * checked: a newer CRD may allow values this version's schema does not, and those belong in status.
 */
export function typeProblems(object: KubeObject, options: ValidateOptions = {}): ManifestProblem[] {
  const channel = options.channel ?? "experimental";
  const lookup = schemaFor(object.kind, object.apiVersion, channel);
  if (!lookup.found) return [];
  const id = identityOf(object);
  const problems: ManifestProblem[] = [];
  validateTypes(object, lookup.root, "", (field, message) => problems.push({ object: id, field, message }));
  return problems;
}

/** Two restated rules can land on the same field with the same words; say it once. */
function dedupe(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
