/**
 * Reading untyped manifest values the way a CEL rule does: `has()` means "the field is present",
 * and a value of the wrong type simply fails the lookup instead of throwing. Validation runs on
 * whatever a user wrote, so nothing here trusts the TypeScript types of the object.
 */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** CEL `has(self.field)`: present, whatever its value (null was pruned before validation). */
export function has(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key) && object[key] !== undefined;
}

export function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === "string" ? value : undefined;
}

export function numberField(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === "number" ? value : undefined;
}

export function recordField(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isRecord(value) ? value : undefined;
}

export function arrayField(object: JsonObject, key: string): unknown[] | undefined {
  const value = object[key];
  return Array.isArray(value) ? value : undefined;
}

/** A string field treated as unset when absent or empty, as the CRD rules compare `== ''`. */
export function isUnsetString(object: JsonObject, key: string): boolean {
  const value = object[key];
  return value === undefined || value === "";
}

/** CEL `size()` of a list or map field; undefined when the field is absent or not a collection. */
export function sizeOf(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  if (Array.isArray(value)) return value.length;
  if (isRecord(value)) return Object.keys(value).length;
  if (typeof value === "string") return value.length;
  return undefined;
}

/** Records of a list, each with its index; entries of any other type are skipped. */
export function recordsOf(list: readonly unknown[]): { item: JsonObject; index: number }[] {
  const out: { item: JsonObject; index: number }[] = [];
  list.forEach((item, index) => {
    if (isRecord(item)) out.push({ item, index });
  });
  return out;
}

/** Deep structural equality for JSON values (used for list-map keys and set items). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/** Short rendering of a user value for messages. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "an object";
  return String(value);
}

/** The JSON type name a user wrote, for type-mismatch messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (isRecord(value)) return "object";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
