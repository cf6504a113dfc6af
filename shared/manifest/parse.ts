/**
 * Multi-document YAML/JSON → Kubernetes objects of the kinds switchyard knows. Never throws on bad
 * input: every document either becomes an object, is reported as ignored (another kind), or becomes
 * a problem that names the document and the field.
 */
import { parseAllDocuments } from "yaml";
import { apiGroup, type KubeObject } from "../k8s/meta.ts";
import { ALTERNATE_GROUPS, isKnownKind, KINDS, type KnownKind } from "./kinds.ts";
import type { ManifestProblem } from "./problem.ts";

export interface ParsedManifests {
  objects: KubeObject[];
  /** Well-formed objects of kinds switchyard does not read (Deployments, ConfigMaps, …). */
  ignored: { source: string; document: number; apiVersion: string; kind: string; name: string }[];
  problems: ManifestProblem[];
}

export interface ParseOptions {
  /** Namespace given to namespaced objects that name none, as `kubectl apply` does. */
  defaultNamespace?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseManifests(text: string, source: string, options: ParseOptions = {}): ParsedManifests {
  const result: ParsedManifests = { objects: [], ignored: [], problems: [] };
  const defaultNamespace = options.defaultNamespace ?? "default";
  const documents = parseAllDocuments(text, { prettyErrors: false });
  const docs = Array.isArray(documents) ? documents : [documents];
  docs.forEach((doc, document) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors)
        result.problems.push({ source, document, field: "", message: `YAML: ${err.message}` });
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    addValue(value, source, document, defaultNamespace, result, "");
  });
  return result;
}

function addValue(
  value: unknown,
  source: string,
  document: number,
  defaultNamespace: string,
  out: ParsedManifests,
  path: string,
): void {
  if (!isRecord(value)) {
    out.problems.push({ source, document, field: path, message: "expected a Kubernetes object (a mapping)" });
    return;
  }
  const { apiVersion, kind, metadata } = value;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
    value.items.forEach((item, i) => {
      addValue(item, source, document, defaultNamespace, out, `${path}items[${i}]`);
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
  if (!isKnownKind(kind) || !groupMatches(kind, apiVersion)) {
    out.ignored.push({ source, document, apiVersion, kind, name });
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
  const meta = { ...metadata, name } as KubeObject["metadata"];
  if (info.namespaced) meta.namespace = namespace ?? defaultNamespace;
  else delete meta.namespace;
  out.objects.push({ ...(value as unknown as KubeObject), apiVersion, kind, metadata: meta });
}

function groupMatches(kind: KnownKind, apiVersion: string): boolean {
  const group = apiGroup(apiVersion);
  return group === KINDS[kind].group || (ALTERNATE_GROUPS[kind]?.includes(group) ?? false);
}
