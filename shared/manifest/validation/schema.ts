/**
 * A small structural-schema language, enough to restate a Gateway API CRD's OpenAPI schema in
 * TypeScript: types, required fields, enums, patterns, bounds, list semantics and defaults. The
 * CRD's CEL rules (`x-kubernetes-validations`) sit on the node they belong to as `rules`, each a
 * plain function. One walker (`structural.ts`) validates against it and one (`../defaults.ts`)
 * applies its defaults, so a schema written once serves both, as on the API server.
 */
import type { Pattern } from "./patterns.ts";
import { isRecord, type JsonObject } from "./values.ts";

/** Which CRD bundle is installed: the standard channel, or the experimental superset. */
export type Channel = "standard" | "experimental";

export type Report = (field: string, message: string) => void;

/** One CRD CEL rule, restated. `mirrors` says in our words which rule it is. */
export interface Rule {
  readonly mirrors: string;
  readonly check: (self: unknown, at: string, report: Report) => void;
}

interface NodeBase {
  /** The value the API server fills in when the field is absent. */
  readonly default?: unknown;
  readonly rules?: readonly Rule[];
  /** Schema constraints beyond the simple keywords (the CRD's `oneOf`/`anyOf`), restated as checks. */
  readonly combinators?: readonly Rule[];
}

export interface StringNode extends NodeBase {
  readonly type: "string";
  readonly enum?: readonly string[];
  readonly pattern?: Pattern;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface IntegerNode extends NodeBase {
  readonly type: "integer";
  readonly enum?: readonly number[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: "int32" | "int64";
}

export interface BooleanNode extends NodeBase {
  readonly type: "boolean";
}

export interface ObjectNode extends NodeBase {
  readonly type: "object";
  readonly properties: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  /** Map values (`additionalProperties`); a map node has no `properties`. */
  readonly additionalProperties?: SchemaNode;
  readonly maxProperties?: number;
  /** Fields that exist only in the experimental channel, named so a standard-channel message can say so. */
  readonly experimentalOnly?: readonly string[];
  /** Unknown fields are accepted (extension kinds, whose CRDs evolve outside this project). */
  readonly openFields?: boolean;
  /** Defaults are applied below this node but nothing is validated (status, metadata). */
  readonly defaultsOnly?: boolean;
}

export interface ArrayNode extends NodeBase {
  readonly type: "array";
  readonly items: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly listType?: "atomic" | "set" | "map";
  readonly listMapKeys?: readonly string[];
}

export type SchemaNode = StringNode | IntegerNode | BooleanNode | ObjectNode | ArrayNode;

type Options<N> = Omit<N, "type">;

export function str(options: Options<StringNode> = {}): StringNode {
  return { type: "string", ...options };
}

export function int(options: Options<IntegerNode> = {}): IntegerNode {
  return { type: "integer", ...options };
}

export function bool(options: Options<BooleanNode> = {}): BooleanNode {
  return { type: "boolean", ...options };
}

export interface ObjectOptions extends Omit<Options<ObjectNode>, "properties" | "experimentalOnly"> {
  /** Fields served only by the experimental CRDs: kept on that channel, named on the standard one. */
  experimental?: { channel: Channel; fields: Readonly<Record<string, SchemaNode>> };
}

export function obj(properties: Readonly<Record<string, SchemaNode>>, options: ObjectOptions = {}): ObjectNode {
  const { experimental, ...rest } = options;
  if (!experimental) return { type: "object", properties, ...rest };
  if (experimental.channel === "experimental")
    return { type: "object", properties: { ...properties, ...experimental.fields }, ...rest };
  return { type: "object", properties, experimentalOnly: Object.keys(experimental.fields), ...rest };
}

export function map(
  values: SchemaNode,
  options: Omit<ObjectOptions, "experimental" | "additionalProperties"> = {},
): ObjectNode {
  return { type: "object", properties: {}, additionalProperties: values, ...options };
}

export function list(items: SchemaNode, options: Options<Omit<ArrayNode, "items">> = {}): ArrayNode {
  return { type: "array", items, ...options };
}

export function child(at: string, key: string): string {
  // An empty key would vanish from the path (`spec.` or nothing at all at the root): quote it.
  if (key === "") return `${at}[""]`;
  return at === "" ? key : `${at}.${key}`;
}

export function item(at: string, index: number): string {
  return `${at}[${index}]`;
}

/** `headers[2]`: an element named relative to its list, for messages about two list entries. */
export function sibling(at: string, index: number): string {
  const dot = at.lastIndexOf(".");
  return `${dot < 0 ? at : at.slice(dot + 1)}[${index}]`;
}

export function entry(at: string, key: string): string {
  return `${at}[${key}]`;
}

/** A rule over an object node; other value types are left to the structural checks. */
export function objectRule(mirrors: string, check: (self: JsonObject, at: string, report: Report) => void): Rule {
  return { mirrors, check: (self, at, report) => (isRecord(self) ? check(self, at, report) : undefined) };
}

/** A rule over a list node; other value types are left to the structural checks. */
export function listRule(
  mirrors: string,
  check: (items: readonly unknown[], at: string, report: Report) => void,
): Rule {
  return { mirrors, check: (self, at, report) => (Array.isArray(self) ? check(self, at, report) : undefined) };
}

/** A rule over a map node (string keys to values). */
export function mapRule(mirrors: string, check: (self: JsonObject, at: string, report: Report) => void): Rule {
  return objectRule(mirrors, check);
}
