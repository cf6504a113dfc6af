/** A precise complaint about one object in a manifest: which object, which field, what is wrong. */
export interface ObjectIdentity {
  kind: string;
  namespace?: string;
  name: string;
}

export interface ManifestProblem {
  /** File or stream the object came from, and the 0-based document index in it. */
  source?: string;
  document?: number;
  object?: ObjectIdentity;
  /** JSONPath-like field path, e.g. `spec.rules[0].matches[1].path.value`. Empty for the object. */
  field: string;
  message: string;
}

function describeObject(id: ObjectIdentity): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name}`;
}

export function formatProblem(p: ManifestProblem): string {
  const where = p.source === undefined ? "" : `${p.source}${p.document === undefined ? "" : `#${p.document}`}: `;
  const what = p.object ? `${describeObject(p.object)}: ` : "";
  const field = p.field ? `${p.field}: ` : "";
  return `${where}${what}${field}${p.message}`;
}
