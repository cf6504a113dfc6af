/**
 * The defaults the API server applies from a CRD's structural schema, so a manifest reads the way
 * the cluster would serve it: parentRef group/kind, backendRef group/kind/weight, the default
 * `PathPrefix /` rule and match, Exact header/query/method matches, redirect 302, listener
 * allowedRoutes `Same` and tls mode Terminate, `allowedListeners.namespaces` from `None` (the CRD
 * defaults inside `allowedListeners` only; an absent one stays absent), mirror denominator 100,
 * CORS maxAge 5, session persistence Cookie/Session, and the "Waiting for controller" status of a
 * new GatewayClass, Gateway or ListenerSet.
 *
 * The algorithm is the API server's: null values of fields without a default are dropped, a field
 * that is absent (or null) takes a copy of its default, and defaulting then continues inside every
 * present value, including a default that was just filled in. A status the manifest carries is kept
 * as written apart from its own nested defaults.
 */
import type { KubeObject } from "../k8s/meta.ts";
import { schemaFor } from "./validation/registry.ts";
import type { Channel, SchemaNode } from "./validation/schema.ts";
import { deepCopy, isRecord } from "./validation/values.ts";

export interface DefaultsOptions {
  /** CRD bundle whose schema supplies the defaults; the experimental one (a superset) by default. */
  channel?: Channel;
}

/** A new object with the API server's defaults applied. Kinds without a schema come back copied. */
export function applyDefaults(object: KubeObject, options: DefaultsOptions = {}): KubeObject {
  const copy = deepCopy(object);
  // Defaults do not differ between the channels for fields both have; when the requested channel
  // does not serve the version, the experimental schema still says what the defaults would be.
  let lookup = schemaFor(copy.kind, copy.apiVersion, options.channel ?? "experimental");
  if (!lookup.found) lookup = schemaFor(copy.kind, copy.apiVersion, "experimental");
  if (!lookup.found) return copy;
  const root: unknown = copy;
  pruneNulls(root, lookup.root);
  fillDefaults(root, lookup.root);
  return copy;
}

function propertySchema(node: SchemaNode, key: string): SchemaNode | undefined {
  if (node.type !== "object") return undefined;
  return node.properties[key] ?? node.additionalProperties;
}

/** Drops null map values whose schema has no default (those with one are defaulted next). */
function pruneNulls(value: unknown, node: SchemaNode | undefined): void {
  if (node === undefined) return;
  if (Array.isArray(value)) {
    if (node.type === "array") for (const item of value) pruneNulls(item, node.items);
    return;
  }
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const schema = propertySchema(node, key);
    if (schema === undefined) continue;
    if (value[key] === null && schema.default === undefined) delete value[key];
    else pruneNulls(value[key], schema);
  }
}

function fillDefaults(value: unknown, node: SchemaNode): void {
  if (Array.isArray(value)) {
    if (node.type !== "array") return;
    value.forEach((item, i) => {
      if (item === null && node.items.default !== undefined) value[i] = deepCopy(node.items.default);
      fillDefaults(value[i], node.items);
    });
    return;
  }
  if (!isRecord(value) || node.type !== "object") return;
  for (const [key, schema] of Object.entries(node.properties))
    if (schema.default !== undefined && (value[key] === undefined || value[key] === null))
      value[key] = deepCopy(schema.default);
  for (const key of Object.keys(value)) {
    const schema = node.properties[key] ?? node.additionalProperties;
    if (schema === undefined) continue;
    if (value[key] === null && schema.default !== undefined) value[key] = deepCopy(schema.default);
    fillDefaults(value[key], schema);
  }
}
