/**
 * Manifests → the objects a cluster would hold after `kubectl apply`: parse, apply the API
 * server's defaults, validate. An object the API server would refuse is not loaded; it is listed
 * under `rejected` with every problem found in it, as `kubectl apply` would list them.
 */
import type { KubeObject } from "../k8s/meta.ts";
import { applyDefaults } from "./defaults.ts";
import { type ObjectOrigin, type ParsedManifests, type ParseOptions, parseManifests } from "./parse.ts";
import type { ManifestProblem, ObjectIdentity } from "./problem.ts";
import { identityOf, type ValidateOptions, validateObject } from "./validate.ts";

export interface LoadOptions extends ParseOptions, ValidateOptions {}

export interface RejectedObject {
  object: ObjectIdentity;
  /** Where the object was written. */
  origin: ObjectOrigin;
  problems: ManifestProblem[];
}

export interface LoadedManifests {
  /** Valid objects of known kinds, defaulted. */
  objects: KubeObject[];
  /** `origins[i]` is where `objects[i]` was written. */
  origins: ObjectOrigin[];
  /** Objects the API server would refuse, each with all its problems (`source` filled in). */
  rejected: RejectedObject[];
  /** Well-formed objects of kinds switchyard does not read. */
  ignored: ParsedManifests["ignored"];
  /** Documents that never became objects (YAML errors, missing apiVersion/kind/name, unserved versions). */
  problems: ManifestProblem[];
}

export function loadManifests(text: string, source: string, options: LoadOptions = {}): LoadedManifests {
  const parsed = parseManifests(text, source, options);
  const result: LoadedManifests = {
    objects: [],
    origins: [],
    rejected: [],
    ignored: parsed.ignored,
    problems: parsed.problems,
  };
  parsed.objects.forEach((object, i) => {
    const origin = parsed.origins[i] ?? { source, document: 0 };
    const checked = check(object, options);
    if (checked.problems.length === 0) {
      result.objects.push(checked.object);
      result.origins.push(origin);
    } else
      result.rejected.push({
        object: identityOf(object),
        origin,
        problems: checked.problems.map((p) => ({ source, ...p })),
      });
  });
  return result;
}

/**
 * Defaults then validation. Both walk whatever the user wrote; should either still trip over a
 * shape nobody foresaw, that object is refused with the reason and the rest of the file loads.
 */
function check(object: KubeObject, options: LoadOptions): { object: KubeObject; problems: ManifestProblem[] } {
  try {
    const defaulted = applyDefaults(object, options);
    return { object: defaulted, problems: validateObject(defaulted, options) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      object,
      problems: [{ object: identityOf(object), field: "", message: `could not be checked: ${message}` }],
    };
  }
}
