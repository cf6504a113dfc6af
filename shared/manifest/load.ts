/**
 * Manifests → the objects a cluster would hold after `kubectl apply`: parse, apply the API
 * server's defaults, validate. An object the API server would refuse is not loaded; it is listed
 * under `rejected` with every problem found in it, as `kubectl apply` would list them.
 */
import type { KubeObject } from "../k8s/meta.ts";
import { applyDefaults } from "./defaults.ts";
import { type ParsedManifests, type ParseOptions, parseManifests } from "./parse.ts";
import type { ManifestProblem, ObjectIdentity } from "./problem.ts";
import { identityOf, type ValidateOptions, validateObject } from "./validate.ts";

export interface LoadOptions extends ParseOptions, ValidateOptions {}

export interface RejectedObject {
  object: ObjectIdentity;
  problems: ManifestProblem[];
}

export interface LoadedManifests {
  /** Valid objects of known kinds, defaulted. */
  objects: KubeObject[];
  /** Objects the API server would refuse, each with all its problems (`source` filled in). */
  rejected: RejectedObject[];
  /** Well-formed objects of kinds switchyard does not read. */
  ignored: ParsedManifests["ignored"];
  /** Documents that never became objects (YAML errors, missing apiVersion/kind/name, unserved versions). */
  problems: ManifestProblem[];
}

export function loadManifests(text: string, source: string, options: LoadOptions = {}): LoadedManifests {
  const parsed = parseManifests(text, source, options);
  const result: LoadedManifests = { objects: [], rejected: [], ignored: parsed.ignored, problems: parsed.problems };
  for (const object of parsed.objects) {
    const defaulted = applyDefaults(object, options);
    const problems = validateObject(defaulted, options);
    if (problems.length === 0) result.objects.push(defaulted);
    else result.rejected.push({ object: identityOf(object), problems: problems.map((p) => ({ source, ...p })) });
  }
  return result;
}
