/**
 * Encoding and validation of events. The decoder is hand-written so that every refusal names the
 * field at fault, and it builds the event from checked values (no casts): whatever it returns is a
 * well-formed event, whoever sent it.
 */
import {
  type ChangeEvent,
  type ClaimCheck,
  type GroupVersionKind,
  type KubeObjectJson,
  type ReferencePosition,
  SCHEMA_VERSION,
  type SnapshotItem,
} from "./event.ts";
import { isRecord, LAST_APPLIED_ANNOTATION } from "./strip.ts";

export type DecodeResult = { ok: true; event: ChangeEvent } | { ok: false; reason: string; field: string };

/** Thrown only inside this module and turned into a DecodeResult. */
class Refusal {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    this.field = field;
    this.reason = reason;
  }
}

const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const OBJECT_EVENT_FIELDS = new Set([
  "schemaVersion",
  "clusterId",
  "kind",
  "op",
  "namespace",
  "name",
  "uid",
  "resourceVersion",
  "object",
  "claimCheck",
  "retraction",
  "referencedBy",
]);
const SNAPSHOT_EVENT_FIELDS = new Set([
  "schemaVersion",
  "clusterId",
  "kind",
  "op",
  "snapshotId",
  "resourceVersion",
  "namespaces",
  "items",
  "claimCheck",
  "referrerVersions",
]);

function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Refusal(field, `${field || "event"} must be a JSON object`);
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") throw new Refusal(field, `${field} must be a string`);
  if (value.length === 0) throw new Refusal(field, `${field} must not be empty`);
  return value;
}

function optionalText(source: Record<string, unknown>, key: string, field: string): string | undefined {
  return Object.hasOwn(source, key) ? text(source[key], field) : undefined;
}

function onlyKnownFields(source: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(source)) {
    if (!known.has(key)) throw new Refusal(`${prefix}${key}`, `${prefix}${key} is not a field of this event`);
  }
}

function groupVersionKind(value: unknown): GroupVersionKind {
  const kind = record(value, "kind");
  onlyKnownFields(kind, new Set(["group", "version", "kind"]), "kind.");
  if (typeof kind.group !== "string") throw new Refusal("kind.group", "kind.group must be a string");
  return { group: kind.group, version: text(kind.version, "kind.version"), kind: text(kind.kind, "kind.kind") };
}

function claimCheck(value: unknown): ClaimCheck {
  const check = record(value, "claimCheck");
  onlyKnownFields(check, new Set(["bucket", "key", "sha256", "size"]), "claimCheck.");
  const sha256 = text(check.sha256, "claimCheck.sha256");
  if (!SHA256_HEX.test(sha256))
    throw new Refusal("claimCheck.sha256", "claimCheck.sha256 must be 64 lowercase hex digits");
  const size = check.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new Refusal("claimCheck.size", "claimCheck.size must be a non-negative integer");
  }
  return { bucket: text(check.bucket, "claimCheck.bucket"), key: text(check.key, "claimCheck.key"), sha256, size };
}

/** Exactly one of the inline payload and the claim check. */
function exactlyOne(source: Record<string, unknown>, inline: string): "inline" | "claimCheck" {
  const hasInline = Object.hasOwn(source, inline);
  const hasCheck = Object.hasOwn(source, "claimCheck");
  if (hasInline && hasCheck) throw new Refusal(inline, `${inline} and claimCheck are mutually exclusive`);
  if (!hasInline && !hasCheck) throw new Refusal(inline, `one of ${inline} and claimCheck is required`);
  return hasInline ? "inline" : "claimCheck";
}

interface ObjectIdentity {
  kind: GroupVersionKind;
  namespace: string | undefined;
  name: string;
  uid: string;
  resourceVersion: string;
}

/** The object must be the one the envelope names, and stripped as `strip.ts` strips it. */
function kubeObject(value: unknown, identity: ObjectIdentity): KubeObjectJson {
  const object = record(value, "object");
  const apiVersion =
    identity.kind.group === "" ? identity.kind.version : `${identity.kind.group}/${identity.kind.version}`;
  if (object.apiVersion !== apiVersion)
    throw new Refusal("object.apiVersion", `object.apiVersion must be ${apiVersion}`);
  if (object.kind !== identity.kind.kind) throw new Refusal("object.kind", `object.kind must be ${identity.kind.kind}`);
  const metadata = record(object.metadata, "object.metadata");
  const expected: [string, string | undefined][] = [
    ["name", identity.name],
    ["namespace", identity.namespace],
    ["uid", identity.uid],
    ["resourceVersion", identity.resourceVersion],
  ];
  for (const [key, want] of expected) {
    if (metadata[key] !== want) {
      throw new Refusal(`object.metadata.${key}`, `object.metadata.${key} must equal the event's ${key}`);
    }
  }
  if (Object.hasOwn(metadata, "managedFields")) {
    throw new Refusal("object.metadata.managedFields", "object.metadata.managedFields must be stripped");
  }
  if (isRecord(metadata.annotations) && Object.hasOwn(metadata.annotations, LAST_APPLIED_ANNOTATION)) {
    throw new Refusal(
      `object.metadata.annotations.${LAST_APPLIED_ANNOTATION}`,
      `the ${LAST_APPLIED_ANNOTATION} annotation must be stripped`,
    );
  }
  if (identity.kind.group === "" && identity.kind.kind === "Secret") {
    for (const secretField of ["data", "stringData"]) {
      if (Object.hasOwn(object, secretField)) {
        throw new Refusal(`object.${secretField}`, `a Secret's ${secretField} is never forwarded`);
      }
    }
  }
  return object;
}

function snapshotItems(value: unknown): SnapshotItem[] {
  if (!Array.isArray(value)) throw new Refusal("items", "items must be an array");
  return value.map((entry, index) => {
    const at = `items[${index}]`;
    const item = record(entry, at);
    onlyKnownFields(item, new Set(["namespace", "name", "uid", "resourceVersion"]), `${at}.`);
    const namespace = optionalText(item, "namespace", `${at}.namespace`);
    return {
      ...(namespace === undefined ? {} : { namespace }),
      name: text(item.name, `${at}.name`),
      uid: text(item.uid, `${at}.uid`),
      resourceVersion: text(item.resourceVersion, `${at}.resourceVersion`),
    };
  });
}

function referencePosition(value: unknown, at: string): ReferencePosition {
  const position = record(value, at);
  onlyKnownFields(position, new Set(["kind", "namespace", "resourceVersion"]), `${at}.`);
  const namespace = optionalText(position, "namespace", `${at}.namespace`);
  const resourceVersion = text(position.resourceVersion, `${at}.resourceVersion`);
  if (!/^(0|[1-9][0-9]*)$/.test(resourceVersion)) {
    throw new Refusal(`${at}.resourceVersion`, `${at}.resourceVersion must be a non-negative integer`);
  }
  const kind = text(position.kind, `${at}.kind`);
  if (!/^[A-Za-z0-9]+$/.test(kind)) throw new Refusal(`${at}.kind`, `${at}.kind must be a kind name`);
  if (namespace?.includes("/")) throw new Refusal(`${at}.namespace`, `${at}.namespace must not contain '/'`);
  return { kind, ...(namespace === undefined ? {} : { namespace }), resourceVersion };
}

function decodeChecked(input: unknown): ChangeEvent {
  const source = record(input, "");
  if (source.schemaVersion !== SCHEMA_VERSION) {
    throw new Refusal("schemaVersion", `schemaVersion must be ${SCHEMA_VERSION}`);
  }
  const clusterId = text(source.clusterId, "clusterId");
  if (!CLUSTER_ID.test(clusterId)) {
    throw new Refusal("clusterId", "clusterId must be 1-64 letters, digits, '.', '_' or '-', starting alphanumeric");
  }
  const kind = groupVersionKind(source.kind);
  const op = source.op;
  if (op === "snapshot") {
    onlyKnownFields(source, SNAPSHOT_EVENT_FIELDS, "");
    let namespaces: string[] | undefined;
    if (Object.hasOwn(source, "namespaces")) {
      const list = source.namespaces;
      if (!Array.isArray(list)) throw new Refusal("namespaces", "namespaces must be an array");
      namespaces = list.map((entry, index) => text(entry, `namespaces[${index}]`));
    }
    let referrerVersions: ReferencePosition[] | undefined;
    if (Object.hasOwn(source, "referrerVersions")) {
      const list = source.referrerVersions;
      if (!Array.isArray(list)) throw new Refusal("referrerVersions", "referrerVersions must be an array");
      referrerVersions = list.map((entry, index) => referencePosition(entry, `referrerVersions[${index}]`));
    }
    const header = {
      schemaVersion: SCHEMA_VERSION,
      clusterId,
      kind,
      op,
      snapshotId: text(source.snapshotId, "snapshotId"),
      resourceVersion: text(source.resourceVersion, "resourceVersion"),
      ...(namespaces === undefined ? {} : { namespaces }),
      ...(referrerVersions === undefined ? {} : { referrerVersions }),
    } as const;
    return exactlyOne(source, "items") === "inline"
      ? { ...header, items: snapshotItems(source.items) }
      : { ...header, claimCheck: claimCheck(source.claimCheck) };
  }
  if (op !== "upsert" && op !== "delete") throw new Refusal("op", "op must be one of upsert, delete, snapshot");
  onlyKnownFields(source, OBJECT_EVENT_FIELDS, "");
  const namespace = optionalText(source, "namespace", "namespace");
  const identity: ObjectIdentity = {
    kind,
    namespace,
    name: text(source.name, "name"),
    uid: text(source.uid, "uid"),
    resourceVersion: text(source.resourceVersion, "resourceVersion"),
  };
  const retraction = Object.hasOwn(source, "retraction");
  if (retraction && source.retraction !== true) throw new Refusal("retraction", "retraction must be true when present");
  if (retraction && op !== "delete") throw new Refusal("retraction", "retraction is only allowed on a delete");
  const referenced = Object.hasOwn(source, "referencedBy");
  if (referenced && op !== "upsert") throw new Refusal("referencedBy", "referencedBy is only allowed on an upsert");
  const referencedBy = referenced ? referencePosition(source.referencedBy, "referencedBy") : undefined;
  const header = {
    schemaVersion: SCHEMA_VERSION,
    clusterId,
    kind,
    op,
    ...(retraction ? { retraction: true as const } : {}),
    ...(referencedBy === undefined ? {} : { referencedBy }),
    ...(namespace === undefined ? {} : { namespace }),
    name: identity.name,
    uid: identity.uid,
    resourceVersion: identity.resourceVersion,
  } as const;
  return exactlyOne(source, "object") === "inline"
    ? { ...header, object: kubeObject(source.object, identity) }
    : { ...header, claimCheck: claimCheck(source.claimCheck) };
}

/** Validates a parsed JSON value as a version-1 event. Never throws. */
export function decodeEvent(input: unknown): DecodeResult {
  try {
    return { ok: true, event: decodeChecked(input) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, field: error.field };
    // Only a pathological input (a getter that throws, a cyclic structure) gets here.
    return { ok: false, reason: `event could not be read: ${String(error)}`, field: "" };
  }
}

/** Parses and validates an SQS message body (or a claim-checked S3 object). Never throws. */
export function decodeEventJson(body: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      reason: `body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      field: "",
    };
  }
  return decodeEvent(parsed);
}

/** The message body of an event. */
export function encodeEvent(event: ChangeEvent): string {
  return JSON.stringify(event);
}
