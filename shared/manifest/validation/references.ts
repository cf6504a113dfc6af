/**
 * Reference shapes shared by every kind (parentRef, backendRef, Secret and local object refs,
 * route group/kind, label selector) and the CRD rules attached to them: a Service backend needs a
 * port, and a parent or policy target listed twice needs distinct sectionName (and port).
 */
import { GATEWAY_GROUP } from "../../gateway-api/types.ts";
import { DNS_LABEL, DNS_SUBDOMAIN, GROUP, KIND } from "./patterns.ts";
import {
  type Channel,
  child,
  type IntegerNode,
  int,
  item,
  list,
  listRule,
  map,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  type StringNode,
  sibling,
  str,
} from "./schema.ts";
import { isUnsetString, type JsonObject, numberField, recordsOf, stringField } from "./values.ts";

export function group(defaultValue?: string): StringNode {
  return str({ pattern: GROUP, maxLength: 253, ...(defaultValue === undefined ? {} : { default: defaultValue }) });
}

export function kind(defaultValue?: string): StringNode {
  return str({
    pattern: KIND,
    minLength: 1,
    maxLength: 63,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

export const objectName = (): StringNode => str({ minLength: 1, maxLength: 253 });
export const namespaceName = (): StringNode => str({ pattern: DNS_LABEL, minLength: 1, maxLength: 63 });
export const sectionName = (): StringNode => str({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253 });
export const portNumber = (): IntegerNode => int({ minimum: 1, maximum: 65535, format: "int32" });

// CRD rule on every BackendObjectReference: a reference to a core Service must name a port.
const servicePortRequired: Rule = objectRule("Service backends must set port", (self, at, report) => {
  const g = stringField(self, "group");
  const k = stringField(self, "kind");
  if (g === "" && k === "Service" && self.port === undefined)
    report(child(at, "port"), 'required when the backend is a Service (group "" and kind Service)');
});

/** A reference to a backend (Service by default); `weight` only where traffic is split. */
export function backendObjectReference(extra: Record<string, ObjectNode["properties"][string]> = {}): ObjectNode {
  return obj(
    {
      group: group(""),
      kind: kind("Service"),
      name: objectName(),
      namespace: namespaceName(),
      port: portNumber(),
      ...extra,
    },
    { required: ["name"], rules: [servicePortRequired] },
  );
}

export const backendWeight = (): IntegerNode => int({ minimum: 0, maximum: 1_000_000, format: "int32", default: 1 });

export function secretObjectReference(): ObjectNode {
  return obj(
    { group: group(""), kind: kind("Secret"), name: objectName(), namespace: namespaceName() },
    { required: ["name"] },
  );
}

/** Same-namespace reference with every part spelled out (extensionRef, CA certificate refs). */
export function localObjectReference(): ObjectNode {
  return obj({ group: group(), kind: kind(), name: objectName() }, { required: ["group", "kind", "name"] });
}

export function objectReferenceWithNamespace(): ObjectNode {
  return obj(
    { group: group(), kind: kind(), name: objectName(), namespace: namespaceName() },
    { required: ["group", "kind", "name"] },
  );
}

export function labelSelector(): ObjectNode {
  return obj({
    matchExpressions: list(
      obj(
        { key: str(), operator: str(), values: list(str(), { listType: "atomic" }) },
        { required: ["key", "operator"] },
      ),
      { listType: "atomic" },
    ),
    matchLabels: map(str()),
  });
}

function parentReference(): ObjectNode {
  return obj(
    {
      group: group(GATEWAY_GROUP),
      kind: kind("Gateway"),
      namespace: namespaceName(),
      name: objectName(),
      sectionName: sectionName(),
      port: portNumber(),
    },
    { required: ["name"] },
  );
}

interface RepeatOptions {
  /** "parent" for route parentRefs, "target" for policy targetRefs. */
  noun: "parent" | "target";
  namespaced: boolean;
  /** The experimental channel also distinguishes parentRefs by port. */
  withPort: boolean;
}

function sameReferent(a: JsonObject, b: JsonObject, namespaced: boolean): boolean {
  const same = (k: string) => stringField(a, k) === stringField(b, k);
  if (!(same("group") && same("kind") && same("name"))) return false;
  if (!namespaced) return true;
  const aUnset = isUnsetString(a, "namespace");
  const bUnset = isUnsetString(b, "namespace");
  return (aUnset && bUnset) || (!aUnset && !bUnset && a.namespace === b.namespace);
}

const portUnset = (r: JsonObject): boolean => r.port === undefined || r.port === 0;

function describe(r: JsonObject): string {
  const ns = stringField(r, "namespace");
  return `${stringField(r, "kind") ?? "?"} ${ns ? `${ns}/` : ""}${stringField(r, "name") ?? "?"}`;
}

/**
 * The two CRD rules on a list of references to parents or policy targets: (1) references to the
 * same object must agree on whether they set sectionName (and port), and (2) no two references may
 * be identical in object, sectionName (and port).
 */
export function repeatedReferenceRules(options: RepeatOptions): Rule[] {
  const { noun, namespaced, withPort } = options;
  const selectors = withPort ? "sectionName or port" : "sectionName";
  const consistent = listRule(
    `a ${noun} referenced more than once must be narrowed by ${selectors} in every reference`,
    (items, at, report) => {
      const refs = recordsOf(items);
      for (const { item: p2, index: j } of refs) {
        const clash = refs.find(
          ({ item: p1, index: i }) =>
            i < j &&
            sameReferent(p1, p2, namespaced) &&
            (isUnsetString(p1, "sectionName") !== isUnsetString(p2, "sectionName") ||
              (withPort && portUnset(p1) !== portUnset(p2))),
        );
        if (clash)
          report(
            item(at, j),
            `references the same ${noun} (${describe(p2)}) as ${sibling(at, clash.index)}; when a ${noun} is referenced more than once, either all its references set sectionName or none does${withPort ? ", and the same for port" : ""}`,
          );
      }
    },
  );
  const unique = listRule(`references to the same ${noun} must differ in ${selectors}`, (items, at, report) => {
    const refs = recordsOf(items);
    const sameSection = (a: JsonObject, b: JsonObject) => {
      const aUnset = isUnsetString(a, "sectionName");
      const bUnset = isUnsetString(b, "sectionName");
      return (aUnset && bUnset) || (!aUnset && !bUnset && a.sectionName === b.sectionName);
    };
    const samePort = (a: JsonObject, b: JsonObject) =>
      (portUnset(a) && portUnset(b)) ||
      (!portUnset(a) && !portUnset(b) && numberField(a, "port") === numberField(b, "port"));
    for (const { item: p2, index: j } of refs) {
      const twin = refs.find(
        ({ item: p1, index: i }) =>
          i < j && sameReferent(p1, p2, namespaced) && sameSection(p1, p2) && (!withPort || samePort(p1, p2)),
      );
      if (twin)
        report(
          item(at, j),
          `duplicates ${sibling(at, twin.index)}: same ${noun} (${describe(p2)}) and same ${withPort ? "sectionName and port" : "sectionName"}; each reference to one ${noun} must use a distinct ${selectors}`,
        );
    }
  });
  return [consistent, unique];
}

export function parentReferences(channel: Channel): ReturnType<typeof list> {
  return list(parentReference(), {
    maxItems: 32,
    listType: "atomic",
    rules: repeatedReferenceRules({ noun: "parent", namespaced: true, withPort: channel === "experimental" }),
  });
}
