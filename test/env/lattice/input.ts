// Reading a request's members (URI labels, query parameters and JSON body merged into one object)
// against the constraints of the VPC Lattice API model: lengths, ranges, patterns, enums, required
// members and unions. The first violation becomes a ValidationException naming the member's path.
import { validation } from "./errors.ts";

export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}

export interface IntegerRule {
  min?: number;
  max?: number;
}

export interface ListRule {
  min?: number;
  max?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(path: string, message: string): never {
  throw validation(`1 validation error detected: value at '${path}' ${message}`, [{ name: path, message }]);
}

/** One JSON object of the request, with the path its members are reported under. */
export class Fields {
  readonly value: Record<string, unknown>;
  readonly path: string;

  constructor(value: Record<string, unknown>, path = "") {
    this.value = value;
    this.path = path;
  }

  static of(value: unknown, path: string): Fields {
    if (!isRecord(value)) invalid(path, "must be an object");
    return new Fields(value, path);
  }

  pathOf(name: string): string {
    return this.path === "" ? name : `${this.path}.${name}`;
  }

  has(name: string): boolean {
    return this.value[name] !== undefined && this.value[name] !== null;
  }

  /** Names of the members that are set, for unions. */
  present(): string[] {
    return Object.keys(this.value).filter((name) => this.has(name));
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    if (!this.has(name)) return undefined;
    return checkString(this.value[name], this.pathOf(name), rule);
  }

  requireString(name: string, rule: StringRule = {}): string {
    return this.string(name, rule) ?? invalid(this.pathOf(name), "is required");
  }

  integer(name: string, rule: IntegerRule = {}): number | undefined {
    if (!this.has(name)) return undefined;
    const value = this.value[name];
    const path = this.pathOf(name);
    if (typeof value !== "number" || !Number.isInteger(value)) invalid(path, "must be an integer");
    if (rule.min !== undefined && value < rule.min)
      invalid(path, `failed to satisfy constraint: must be >= ${rule.min}`);
    if (rule.max !== undefined && value > rule.max)
      invalid(path, `failed to satisfy constraint: must be <= ${rule.max}`);
    return value;
  }

  requireInteger(name: string, rule: IntegerRule = {}): number {
    return this.integer(name, rule) ?? invalid(this.pathOf(name), "is required");
  }

  boolean(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const value = this.value[name];
    if (typeof value !== "boolean") invalid(this.pathOf(name), "must be a boolean");
    return value;
  }

  object(name: string): Fields | undefined {
    if (!this.has(name)) return undefined;
    return Fields.of(this.value[name], this.pathOf(name));
  }

  requireObject(name: string): Fields {
    return this.object(name) ?? invalid(this.pathOf(name), "is required");
  }

  list(name: string, rule: ListRule = {}): unknown[] | undefined {
    if (!this.has(name)) return undefined;
    const value = this.value[name];
    const path = this.pathOf(name);
    if (!Array.isArray(value)) invalid(path, "must be a list");
    if (rule.min !== undefined && value.length < rule.min)
      invalid(path, `failed to satisfy constraint: must have at least ${rule.min} member(s)`);
    if (rule.max !== undefined && value.length > rule.max)
      invalid(path, `failed to satisfy constraint: must have at most ${rule.max} member(s)`);
    return value;
  }

  requireList(name: string, rule: ListRule = {}): unknown[] {
    return this.list(name, rule) ?? invalid(this.pathOf(name), "is required");
  }

  /** Each member of a list of objects, with its indexed path. */
  objects(name: string, rule: ListRule = {}, required = false): Fields[] | undefined {
    const list = required ? this.requireList(name, rule) : this.list(name, rule);
    return list?.map((item, index) => Fields.of(item, `${this.pathOf(name)}.${index + 1}`));
  }

  strings(name: string, rule: ListRule = {}, member: StringRule = {}): string[] | undefined {
    const list = this.list(name, rule);
    return list?.map((item, index) => checkString(item, `${this.pathOf(name)}.${index + 1}`, member));
  }

  /** A TagMap: at most 200 entries, keys 1-128 and values 0-256 characters, no `aws:` keys. */
  tags(name: string): Record<string, string> | undefined {
    if (!this.has(name)) return undefined;
    const value = this.value[name];
    const path = this.pathOf(name);
    if (!isRecord(value)) invalid(path, "must be a map");
    return checkTags(value, path);
  }

  /** The single member set in a union, or a ValidationException. */
  union<T extends string>(members: readonly T[]): T {
    const set = this.present();
    const chosen = members.filter((member) => set.includes(member));
    if (chosen.length !== 1 || set.length !== 1) {
      invalid(this.path, `must set exactly one of ${members.join(", ")}`);
    }
    return chosen[0] as T;
  }
}

export function checkString(value: unknown, path: string, rule: StringRule): string {
  if (typeof value !== "string") invalid(path, "must be a string");
  if (rule.min !== undefined && value.length < rule.min)
    invalid(path, `failed to satisfy constraint: length must be >= ${rule.min}`);
  if (rule.max !== undefined && value.length > rule.max)
    invalid(path, `failed to satisfy constraint: length must be <= ${rule.max}`);
  if (rule.pattern !== undefined && !rule.pattern.test(value))
    invalid(path, `failed to satisfy constraint: must match pattern ${rule.pattern.source}`);
  if (rule.enum !== undefined && !rule.enum.includes(value))
    invalid(path, `failed to satisfy constraint: must be one of ${rule.enum.join(", ")}`);
  return value;
}

export function checkTags(value: Record<string, unknown>, path: string): Record<string, string> {
  const entries = Object.entries(value);
  if (entries.length > 200) invalid(path, "failed to satisfy constraint: must have at most 200 entries");
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    checkString(key, `${path}.key`, { min: 1, max: 128 });
    if (key.toLowerCase().startsWith("aws:")) invalid(`${path}.${key}`, "uses the reserved prefix aws:");
    tags[key] = checkString(tagValue, `${path}.${key}`, { min: 0, max: 256 });
  }
  return tags;
}

/** Names of services, networks, listeners, rules and target groups (a-z, 0-9, single inner hyphens). */
export function namePattern(reservedPrefix?: string): RegExp {
  const reserved = reservedPrefix === undefined ? "" : `(?!${reservedPrefix})`;
  return new RegExp(`^${reserved}(?!-)(?!.*-$)(?!.*--)[a-z0-9-]+$`);
}
