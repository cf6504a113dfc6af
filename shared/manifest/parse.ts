/**
 * Multi-document YAML/JSON → Kubernetes objects of the kinds switchyard knows. Never throws on bad
 * input: every document either becomes an object, is reported as ignored (another kind), or becomes
 * a problem that names the document and the field. A document that cannot be read (a YAML error,
 * an alias bomb, a document over the size limit, anything the YAML library throws) is a problem
 * for that document alone; the documents around it still load.
 */
import { parseAllDocuments } from "yaml";
import { apiGroup, type KubeObject } from "../k8s/meta.ts";
import { ALTERNATE_GROUPS, isKnownKind, KINDS, type KnownKind, suggestKind } from "./kinds.ts";
import type { ManifestProblem } from "./problem.ts";

/** The API server refuses request bodies over 3 MiB; no single object can be larger in a cluster. */
export const DEFAULT_MAX_DOCUMENT_CHARS = 3 * 1024 * 1024;
/**
 * Aliases a document may expand. Real manifests use a handful; a "billion laughs" document needs
 * thousands, and expanding it would exhaust memory long before it became an object.
 */
export const DEFAULT_MAX_ALIAS_COUNT = 100;
/**
 * Levels of nesting an object of a kind switchyard reads may have. The deepest field any of their
 * schemas defines is about ten levels down; a deeper value is refused at its field, before
 * defaults and validation copy and walk it (recursively: thousands of levels overflow the stack).
 */
export const MAX_NESTING_DEPTH = 64;

export interface IgnoredObject {
  source: string;
  document: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** Why switchyard does not read it, with a "did you mean" when the kind looks like a typo. */
  reason: string;
}

/** Where an object was written: the file (or stream) and the 0-based document index in it. */
export interface ObjectOrigin {
  source: string;
  document: number;
}

export interface ParsedManifests {
  objects: KubeObject[];
  /** `origins[i]` is where `objects[i]` was written. */
  origins: ObjectOrigin[];
  /** Well-formed objects of kinds switchyard does not read (Deployments, ConfigMaps, typos…). */
  ignored: IgnoredObject[];
  problems: ManifestProblem[];
}

export interface ParseOptions {
  /** Namespace given to namespaced objects that name none, as `kubectl apply` does. */
  defaultNamespace?: string;
  /** Largest document, in characters, that is read; larger ones are a problem. Default 3 MiB. */
  maxDocumentChars?: number;
  /** Most aliases one document may expand. Default 100. */
  maxAliasCount?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function messageOf(err: unknown): string {
  if (err instanceof RangeError) return "too deeply nested to read";
  if (err instanceof Error && /alias/i.test(err.message))
    return "too many alias expansions (a YAML alias bomb?); aliases are limited to keep memory bounded";
  return err instanceof Error ? err.message : String(err);
}

export function parseManifests(text: string, source: string, options: ParseOptions = {}): ParsedManifests {
  const result: ParsedManifests = { objects: [], origins: [], ignored: [], problems: [] };
  const defaultNamespace = options.defaultNamespace ?? "default";
  const maxChars = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false });
  } catch (err) {
    result.problems.push({ source, document: 0, field: "", message: `YAML: ${messageOf(err)}` });
    return result;
  }
  const documents = Array.isArray(docs) ? docs : [docs];
  documents.forEach((doc, document) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors)
        result.problems.push({ source, document, field: "", message: `YAML: ${err.message}` });
      return;
    }
    const [start, , end] = doc.range ?? [0, 0, 0];
    if (end - start > maxChars) {
      result.problems.push({
        source,
        document,
        field: "",
        message: `document is ${end - start} characters, over the limit of ${maxChars}; it was not read`,
      });
      return;
    }
    try {
      const value: unknown = doc.toJS({ maxAliasCount });
      if (value === null || value === undefined) return;
      addValue(value, { source, document }, defaultNamespace, result, "");
    } catch (err) {
      result.problems.push({ source, document, field: "", message: `YAML: ${messageOf(err)}` });
    }
  });
  return result;
}

function addValue(
  value: unknown,
  origin: ObjectOrigin,
  defaultNamespace: string,
  out: ParsedManifests,
  path: string,
): void {
  const { source, document } = origin;
  if (!isRecord(value)) {
    out.problems.push({ source, document, field: path, message: "expected a Kubernetes object (a mapping)" });
    return;
  }
  const { apiVersion, kind, metadata } = value;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
    value.items.forEach((item, i) => {
      addValue(item, origin, defaultNamespace, out, `${path}items[${i}]`);
    });
    return;
  }
  if (typeof apiVersion !== "string" || apiVersion === "") {
    out.problems.push({ source, document, field: `${path}apiVersion`, message: "required" });
    return;
  }
  if (typeof kind !== "string" || kind === "") {
    out.problems.push({ source, document, field: `${path}kind`, message: "required" });
    return;
  }
  if (!isRecord(metadata) || typeof metadata.name !== "string" || metadata.name === "") {
    out.problems.push({
      source,
      document,
      object: { kind, name: "?" },
      field: `${path}metadata.name`,
      message: "required",
    });
    return;
  }
  const name = metadata.name;
  if (!isKnownKind(kind)) {
    const suggestion = suggestKind(kind);
    out.ignored.push({
      ...origin,
      apiVersion,
      kind,
      name,
      reason: `switchyard does not read ${kind} objects${suggestion ? `; did you mean ${suggestion}?` : ""}`,
    });
    return;
  }
  if (!groupMatches(kind, apiVersion)) {
    const info = KINDS[kind];
    out.ignored.push({
      ...origin,
      apiVersion,
      kind,
      name,
      reason: `${kind} is read from API group ${info.group === "" ? '"" (core, apiVersion v1)' : info.group}, not ${apiGroup(apiVersion) || '"" (core)'}`,
    });
    return;
  }
  const info = KINDS[kind];
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  if (!(info.versions as readonly string[]).includes(version)) {
    out.problems.push({
      source,
      document,
      object: { kind, name, ...(namespace ? { namespace } : {}) },
      field: `${path}apiVersion`,
      message: `version ${version} of ${kind} is not served; use one of ${info.versions.map((v) => `${info.group ? `${info.group}/` : ""}${v}`).join(", ")}`,
    });
    return;
  }
  const tooDeep = firstTooDeep(value, MAX_NESTING_DEPTH);
  if (tooDeep !== undefined) {
    out.problems.push({
      source,
      document,
      object: { kind, name, ...(namespace ? { namespace } : {}) },
      field: `${path}${tooDeep}`,
      message: `nested more than ${MAX_NESTING_DEPTH} levels deep; no field of a ${kind} is`,
    });
    return;
  }
  const meta = { ...metadata, name } as KubeObject["metadata"];
  if (info.namespaced) meta.namespace = namespace ?? defaultNamespace;
  else delete meta.namespace;
  const object = { ...(value as unknown as KubeObject), apiVersion, kind, metadata: meta };
  out.objects.push(kind === "Secret" ? withoutKeyMaterial(object) : object);
  out.origins.push(origin);
}

/** The path of the first value nested deeper than `limit` levels under `root`, without recursing. */
function firstTooDeep(root: Record<string, unknown>, limit: number): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: "", depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path, depth } = next;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= limit) return path;
    const children: [string, unknown][] = Array.isArray(value)
      ? value.map((child, i) => [`${path}[${i}]`, child])
      : Object.entries(value).map(([key, child]) => [path ? `${path}.${key}` : key, child]);
    for (const [childPath, child] of children) stack.push({ value: child, path: childPath, depth: depth + 1 });
  }
  return undefined;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * A Secret keeps only what translation reads — metadata, type and the ACM import outcome — so
 * certificate keys never sit in memory, in a snapshot or in any output derived from it.
 */
function withoutKeyMaterial(secret: KubeObject): KubeObject {
  const { managedFields: _managedFields, ...metadata } = secret.metadata as KubeObject["metadata"] & {
    managedFields?: unknown;
  };
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    // kubectl copies the whole applied object, data included, into this annotation.
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  const kept: Record<string, unknown> = { apiVersion: secret.apiVersion, kind: secret.kind, metadata };
  const source = secret as unknown as Record<string, unknown>;
  for (const field of ["type", "acmCertificateArn", "acmImportError"]) {
    if (field in source) kept[field] = source[field];
  }
  return kept as unknown as KubeObject;
}

function groupMatches(kind: KnownKind, apiVersion: string): boolean {
  const group = apiGroup(apiVersion);
  return group === KINDS[kind].group || (ALTERNATE_GROUPS[kind]?.includes(group) ?? false);
}
