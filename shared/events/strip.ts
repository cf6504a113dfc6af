/**
 * What of a Kubernetes object travels in an event. Server-side bookkeeping (`managedFields`, the
 * kubectl last-applied copy) is dropped: it is often most of an object's bytes and translation
 * never reads it. A Secret is reduced to metadata and type: key material never leaves the cluster.
 */
import type { KubeObjectJson } from "./event.ts";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Fields of a Secret that are forwarded; everything else (data, stringData, immutable) is not. */
const SECRET_FIELDS = ["apiVersion", "kind", "metadata", "type", "acmCertificateArn", "acmImportError"] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function strippedMetadata(metadata: unknown): unknown {
  if (!isRecord(metadata)) return metadata;
  const { managedFields: _managedFields, ...rest } = metadata;
  const annotations = rest.annotations;
  if (isRecord(annotations) && Object.hasOwn(annotations, LAST_APPLIED_ANNOTATION)) {
    const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...others } = annotations;
    if (Object.keys(others).length === 0) {
      const { annotations: _annotations, ...withoutAnnotations } = rest;
      return withoutAnnotations;
    }
    return { ...rest, annotations: others };
  }
  return rest;
}

/** A copy of `object` as it is forwarded. The input is left unchanged. */
export function stripObject(object: KubeObjectJson): KubeObjectJson {
  const source: KubeObjectJson =
    object.kind === "Secret" && (object.apiVersion === "v1" || object.apiVersion === undefined)
      ? Object.fromEntries(SECRET_FIELDS.filter((field) => Object.hasOwn(object, field)).map((f) => [f, object[f]]))
      : object;
  const stripped: KubeObjectJson = { ...source };
  if (Object.hasOwn(source, "metadata")) stripped.metadata = strippedMetadata(source.metadata);
  return stripped;
}
