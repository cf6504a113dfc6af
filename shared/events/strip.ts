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

/** Node metadata forwarded: identity and labels (annotations churn and translation never reads them). */
const NODE_METADATA = ["name", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "labels"] as const;

function pick(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => Object.hasOwn(record, f)).map((f) => [f, record[f]]));
}

/**
 * A Node reduced to what instance targets read: name and labels, `spec.providerID` (the EC2
 * instance) and `unschedulable`, the `Ready` condition's status and the addresses. Heartbeat
 * times, images, capacity and the other conditions change all the time and are left out, so an
 * unchanged node forwards an unchanged object.
 */
function strippedNode(object: KubeObjectJson): KubeObjectJson {
  const metadata = isRecord(object.metadata) ? pick(object.metadata, NODE_METADATA) : object.metadata;
  const spec = isRecord(object.spec) ? pick(object.spec, ["providerID", "unschedulable"]) : undefined;
  const status = isRecord(object.status) ? object.status : {};
  const ready = (Array.isArray(status.conditions) ? status.conditions : [])
    .filter((c): c is Record<string, unknown> => isRecord(c) && c.type === "Ready")
    .map((c) => ({ type: "Ready", status: c.status }));
  const addresses = (Array.isArray(status.addresses) ? status.addresses : [])
    .filter(isRecord)
    .map((a) => ({ type: a.type, address: a.address }));
  return {
    ...pick(object, ["apiVersion", "kind"]),
    metadata,
    ...(spec ? { spec } : {}),
    status: { conditions: ready, addresses },
  };
}

function isNode(object: KubeObjectJson): boolean {
  return object.kind === "Node" && (object.apiVersion === "v1" || object.apiVersion === undefined);
}

/** A copy of `object` as it is forwarded. The input is left unchanged. */
export function stripObject(object: KubeObjectJson): KubeObjectJson {
  if (isNode(object)) return strippedNode(object);
  const source: KubeObjectJson =
    object.kind === "Secret" && (object.apiVersion === "v1" || object.apiVersion === undefined)
      ? Object.fromEntries(SECRET_FIELDS.filter((field) => Object.hasOwn(object, field)).map((f) => [f, object[f]]))
      : object;
  const stripped: KubeObjectJson = { ...source };
  if (Object.hasOwn(source, "metadata")) stripped.metadata = strippedMetadata(source.metadata);
  return stripped;
}
