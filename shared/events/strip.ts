/**
 * What of a Kubernetes object travels in an event. Server-side bookkeeping (`managedFields`, the
 * kubectl last-applied copy) is dropped: it is often most of an object's bytes and translation
 * never reads it. A Secret is reduced to metadata and type: key material never leaves the cluster.
 */
import { createHash } from "node:crypto";
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

/** Nesting beyond which a rejected body is not walked (no event is anywhere near this deep). */
const DEAD_LETTER_MAX_DEPTH = 64;

/**
 * A rejected event body as it may be kept in the dead-letter queue: every Secret inside it (at any
 * depth: an event's object, a snapshot's items, a claim check's bytes re-encoded by a broken
 * forwarder) reduced as the forwarder would have, so key material a broken or hostile sender put
 * in an event is not stored for the DLQ's 14 days. A body that is not JSON is kept as it is: it
 * cannot be told apart from any other bytes, and the reason says it was not JSON. A JSON body
 * nested too deeply to check is withheld, leaving its size and sha256 to correlate it with the
 * sender's logs. Never throws.
 */
export function redactedForDeadLetter(body: string): { body: string; redacted: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { body, redacted: false };
  }
  let redacted = false;
  const visit = (value: unknown, depth: number): unknown => {
    if (depth > DEAD_LETTER_MAX_DEPTH) throw new RangeError("nested too deeply");
    if (Array.isArray(value)) return value.map((inner) => visit(inner, depth + 1));
    if (!isRecord(value)) return value;
    if (value.kind === "Secret" && (value.apiVersion === "v1" || value.apiVersion === undefined)) {
      const kept = stripObject(value as KubeObjectJson);
      if (Object.keys(value).some((key) => !Object.hasOwn(kept, key))) redacted = true;
      return kept;
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(inner, depth + 1)]));
  };
  try {
    const result = visit(parsed, 0);
    return redacted ? { body: JSON.stringify(result), redacted } : { body, redacted };
  } catch {
    const withheld = {
      withheld: `nested deeper than ${DEAD_LETTER_MAX_DEPTH} levels: not checked for Secret material, not kept`,
      bytes: Buffer.byteLength(body),
      sha256: createHash("sha256").update(body).digest("hex"),
    };
    return { body: JSON.stringify(withheld), redacted: true };
  }
}
