/**
 * Object metadata as the API server checks it on create: the name's format (a DNS subdomain for
 * custom resources, stricter for Services and Namespaces), the namespace's, label keys and values,
 * annotation keys and their total size, and no unknown metadata fields.
 */
import { DNS_LABEL, DNS_SUBDOMAIN, LABEL_VALUE, matches, QUALIFIED_KEY } from "./patterns.ts";
import { child, entry, type Report } from "./schema.ts";
import { isRecord, show } from "./values.ts";

const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;
const utf8 = new TextEncoder();

type NameRule = "subdomain" | "label" | "dns1035";

/** How the API server checks `metadata.name` for a kind. */
function nameRuleFor(kind: string): NameRule {
  if (kind === "Service") return "dns1035";
  if (kind === "Namespace") return "label";
  return "subdomain";
}

function checkName(name: string, rule: NameRule, at: string, report: Report): void {
  if (rule === "subdomain") {
    if (name.length > 253) report(at, `must be at most 253 characters (got ${name.length})`);
    if (!matches(DNS_SUBDOMAIN, name))
      report(at, `${show(name)} is not ${DNS_SUBDOMAIN.meaning} (lowercase letters, digits, '-' and '.')`);
    return;
  }
  if (name.length > 63) report(at, `must be at most 63 characters (got ${name.length})`);
  if (rule === "label" && !matches(DNS_LABEL, name))
    report(at, `${show(name)} is not ${DNS_LABEL.meaning} (lowercase letters, digits and '-')`);
  if (rule === "dns1035" && !DNS_1035_LABEL.test(name))
    report(at, `${show(name)} is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter)`);
}

function checkQualifiedKey(key: string, at: string, report: Report): void {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? "" : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix.length > 253) report(at, `key prefix must be at most 253 characters (got ${prefix.length})`);
  if (name.length > 63) report(at, `key name must be at most 63 characters (got ${name.length})`);
  if (!matches(QUALIFIED_KEY, key)) report(at, `key ${show(key)} is not ${QUALIFIED_KEY.meaning}`);
}

export function validateMetadata(metadata: unknown, kind: string, namespaced: boolean, report: Report): void {
  const at = "metadata";
  if (!isRecord(metadata)) {
    report(at, "must be an object");
    return;
  }
  for (const key of Object.keys(metadata))
    if (!OBJECT_META_FIELDS.has(key)) report(child(at, key), `unknown field "${key}"`);
  const { name, namespace, labels, annotations } = metadata;
  if (typeof name === "string") checkName(name, nameRuleFor(kind), child(at, "name"), report);
  if (namespaced && typeof namespace === "string" && !matches(DNS_LABEL, namespace))
    report(child(at, "namespace"), `${show(namespace)} is not ${DNS_LABEL.meaning}`);
  if (labels !== undefined) {
    if (!isRecord(labels)) report(child(at, "labels"), "must be a map of strings");
    else
      for (const [key, value] of Object.entries(labels)) {
        const where = entry(child(at, "labels"), key);
        checkQualifiedKey(key, where, report);
        if (typeof value !== "string") report(where, "label values must be strings");
        else if (value.length > 63 || !matches(LABEL_VALUE, value))
          report(where, `value ${show(value)} is not ${LABEL_VALUE.meaning}`);
      }
  }
  if (annotations !== undefined) {
    if (!isRecord(annotations)) report(child(at, "annotations"), "must be a map of strings");
    else {
      let bytes = 0;
      for (const [key, value] of Object.entries(annotations)) {
        const where = entry(child(at, "annotations"), key);
        checkQualifiedKey(key, where, report);
        if (typeof value !== "string") report(where, "annotation values must be strings");
        else bytes += utf8.encode(key).length + utf8.encode(value).length;
      }
      if (bytes > MAX_ANNOTATIONS_BYTES)
        report(child(at, "annotations"), `total size must be at most ${MAX_ANNOTATIONS_BYTES} bytes (got ${bytes})`);
    }
  }
}
