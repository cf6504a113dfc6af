/**
 * Validates a value against a schema node the way the API server's OpenAPI validation does (types,
 * required, enum, pattern, lengths, bounds, item counts, list-map and set uniqueness, unknown
 * fields under strict field validation), then runs the node's restated CEL rules.
 *
 * One difference on purpose: the API server skips all CEL rules once a "blocking" schema error
 * (wrong type, missing field, enum, too long, too many) exists. Rejection is the same either way;
 * reporting every violation at once saves the user a round of fixes.
 */
import { matches } from "./patterns.ts";
import {
  type ArrayNode,
  type Channel,
  child,
  entry,
  type IntegerNode,
  item,
  type ObjectNode,
  type Report,
  type SchemaNode,
  type StringNode,
  sibling,
} from "./schema.ts";
import { isRecord, jsonEqual, show, typeName } from "./values.ts";

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

export function validateNode(value: unknown, node: SchemaNode, at: string, report: Report, channel: Channel): void {
  if (!hasExpectedType(value, node)) {
    report(at, `must be ${article(node.type)}, got ${typeName(value)}${value === null ? "" : ` ${show(value)}`}`);
    return;
  }
  switch (node.type) {
    case "string":
      checkString(value as string, node, at, report);
      break;
    case "integer":
      checkInteger(value as number, node, at, report);
      break;
    case "boolean":
      break;
    case "object":
      if (node.defaultsOnly) return;
      checkObject(value as Record<string, unknown>, node, at, report, channel);
      break;
    case "array":
      checkArray(value as unknown[], node, at, report, channel);
      break;
  }
  // A list over its maxItems is refused already; its rules compare entries pairwise, so on a list
  // of thousands they would cost millions of comparisons. The API server skips them too (CEL rules
  // do not run once a blocking error exists, and their cost is bounded by maxItems).
  if (node.type === "array" && node.maxItems !== undefined && (value as unknown[]).length > node.maxItems) return;
  for (const check of node.combinators ?? []) check.check(value, at, report);
  for (const rule of node.rules ?? []) rule.check(value, at, report);
}

/**
 * Only the types: every declared field that is present has its schema's JSON type. What an API
 * server of any version guarantees of the objects it serves (unlike enums, bounds, unknown fields
 * and rules, which newer CRD versions relax or extend), and all translation needs to read safely.
 */
export function validateTypes(value: unknown, node: SchemaNode, at: string, report: Report): void {
  if (!hasExpectedType(value, node)) {
    report(at, `must be ${article(node.type)}, got ${typeName(value)}${value === null ? "" : ` ${show(value)}`}`);
    return;
  }
  if (node.type === "array") {
    (value as unknown[]).forEach((v, i) => {
      validateTypes(v, node.items, item(at, i), report);
    });
  } else if (node.type === "object" && !node.defaultsOnly) {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      // An absent or null field is read as absent everywhere (API servers drop nulls anyway).
      if (v === undefined || v === null) continue;
      const property = Object.hasOwn(node.properties, key) ? node.properties[key] : node.additionalProperties;
      if (property)
        validateTypes(v, property, property === node.additionalProperties ? entry(at, key) : child(at, key), report);
    }
  }
}

function hasExpectedType(value: unknown, node: SchemaNode): boolean {
  switch (node.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return isRecord(value);
    case "array":
      return Array.isArray(value);
  }
}

function article(type: SchemaNode["type"]): string {
  switch (type) {
    case "string":
      return "a string";
    case "integer":
      return "an integer";
    case "boolean":
      return "a boolean (true or false)";
    case "object":
      return "an object";
    case "array":
      return "a list";
  }
}

function checkString(value: string, node: StringNode, at: string, report: Report): void {
  if (node.enum && !node.enum.includes(value)) {
    report(at, notOneOf(node.enum, value));
    return;
  }
  // The API server counts characters (runes), not UTF-16 units.
  const length = [...value].length;
  if (node.minLength !== undefined && length < node.minLength)
    report(at, node.minLength === 1 ? "must not be empty" : `must be at least ${node.minLength} characters long`);
  if (node.maxLength !== undefined && length > node.maxLength)
    report(at, `must be at most ${node.maxLength} characters long (got ${length})`);
  if (node.pattern && !matches(node.pattern, value))
    report(at, `${show(value)} is not ${node.pattern.meaning} (must match ${node.pattern.source})`);
}

/** The enum message; restated CEL rules that repeat an enum use it too, so the two read as one. */
export function notOneOf(allowed: readonly string[], value: unknown): string {
  return `must be one of ${allowed.map((e) => JSON.stringify(e)).join(", ")} (got ${show(value)})`;
}

/** The list-map duplicate message; restated CEL uniqueness rules use it too, so the two read as one. */
export function duplicateEntry(at: string, first: number, keys: readonly string[], values: readonly unknown[]): string {
  const what = keys.map((k, n) => `${k} ${show(values[n])}`).join(", ");
  return `duplicate entry (${what}): ${sibling(at, first)} has the same ${keys.join(" and ")}`;
}

function checkInteger(value: number, node: IntegerNode, at: string, report: Report): void {
  if (node.enum && !node.enum.includes(value)) {
    report(at, `must be one of ${node.enum.join(", ")} (got ${value})`);
    return;
  }
  const { minimum, maximum } = node;
  if (minimum !== undefined && maximum !== undefined && (value < minimum || value > maximum))
    report(at, `must be between ${minimum} and ${maximum} (got ${value})`);
  else if (minimum !== undefined && value < minimum) report(at, `must be at least ${minimum} (got ${value})`);
  else if (maximum !== undefined && value > maximum) report(at, `must be at most ${maximum} (got ${value})`);
  else if (node.format === "int32" && (value < INT32_MIN || value > INT32_MAX))
    report(at, `must fit in a 32-bit signed integer (got ${value})`);
  else if (!Number.isSafeInteger(value)) report(at, `must fit in a 64-bit signed integer (got ${value})`);
}

function checkObject(
  value: Record<string, unknown>,
  node: ObjectNode,
  at: string,
  report: Report,
  channel: Channel,
): void {
  for (const key of node.required ?? [])
    if (value[key] === undefined) report(child(at, key), "required field is missing");
  const keys = Object.keys(value);
  if (node.maxProperties !== undefined && keys.length > node.maxProperties)
    report(at, `must have at most ${node.maxProperties} entries (got ${keys.length})`);
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    const property = node.properties[key];
    if (property) validateNode(v, property, child(at, key), report, channel);
    else if (node.additionalProperties) validateNode(v, node.additionalProperties, entry(at, key), report, channel);
    else if (node.experimentalOnly?.includes(key))
      report(
        child(at, key),
        `field "${key}" exists only in the experimental channel of the Gateway API CRDs (validating against the ${channel} channel)`,
      );
    else if (!node.openFields) report(child(at, key), `unknown field "${key}"`);
  }
}

function checkArray(value: unknown[], node: ArrayNode, at: string, report: Report, channel: Channel): void {
  if (node.minItems !== undefined && value.length < node.minItems)
    report(at, `must have at least ${node.minItems} item${node.minItems === 1 ? "" : "s"} (got ${value.length})`);
  if (node.maxItems !== undefined && value.length > node.maxItems)
    report(at, `must have at most ${node.maxItems} items (got ${value.length})`);
  value.forEach((v, i) => {
    validateNode(v, node.items, item(at, i), report, channel);
  });
  if (node.maxItems !== undefined && value.length > node.maxItems) return;
  if (node.listType === "set") checkSet(value, at, report);
  if (node.listType === "map" && node.listMapKeys) checkMapKeys(value, node.listMapKeys, at, report);
}

function checkSet(value: readonly unknown[], at: string, report: Report): void {
  value.forEach((v, j) => {
    const first = value.findIndex((w) => jsonEqual(v, w));
    if (first < j) report(item(at, j), `duplicate value ${show(v)}: ${sibling(at, first)} has the same value`);
  });
}

function checkMapKeys(value: readonly unknown[], keys: readonly string[], at: string, report: Report): void {
  const keyOf = (v: unknown): unknown[] | undefined =>
    isRecord(v) && keys.every((k) => v[k] !== undefined) ? keys.map((k) => v[k]) : undefined;
  value.forEach((v, j) => {
    const key = keyOf(v);
    if (!key) return;
    const first = value.findIndex((w) => jsonEqual(keyOf(w), key));
    if (first >= j) return;
    const [only] = keys;
    const field = keys.length === 1 && only !== undefined ? child(item(at, j), only) : item(at, j);
    report(field, duplicateEntry(at, first, keys, key));
  });
}
