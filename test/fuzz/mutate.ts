/**
 * Structure-aware mutation of JSON-shaped values: a valid input (a manifest's objects, an event, an
 * observed state) is changed at a few places chosen among all of its fields, so most of it stays
 * valid and the change reaches code a random blob never would. The hostile values are the ones that
 * break parsers and validators: wrong types, empty and huge strings, unicode (lone surrogates, RTL
 * overrides, combining marks), numeric edges (NaN, ±Infinity, -0, 2^53), prototype keys and deep
 * nesting.
 */
import fc from "fast-check";

/** A place in a value: the container and the key or index under it. */
interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

/** How a chosen field is changed. */
export type Change =
  | { kind: "delete" }
  | { kind: "replace"; value: unknown }
  | { kind: "add"; key: string; value: unknown }
  | { kind: "duplicate" }
  | { kind: "borrow"; from: number }
  | { kind: "edit"; edit: StringEdit };

export type StringEdit =
  | { kind: "append"; text: string }
  | { kind: "truncate"; keep: number }
  | { kind: "upper" }
  | { kind: "repeat"; times: number };

/** `at` picks the field: an index into every field of the value, modulo their number. */
export interface Mutation {
  at: number;
  change: Change;
}

/** Deeper than this, fields are not offered for mutation (the value may be a 3,000-level nest). */
const MAX_WALK_DEPTH = 48;

const SPECIAL_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "*",
  "**",
  "/",
  "//",
  "/../..",
  "\u0000",
  "a\u0000b",
  "\u202egw",
  "\u200b",
  "\ud800",
  "\udfff\ud800",
  "😀",
  "e\u0301",
  "ǅ",
  "İ",
  "ß",
  "a\nb",
  "\r\n",
  "\t",
  "\u001b[2J",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder is the hostile value.
  "${x}",
  "{{x}}",
  "%00",
  "0",
  "-1",
  "1e3",
  "0x10",
  "true",
  "null",
  "~",
  ".nan",
  "80",
  "HTTP",
  "TLS",
  "Exact",
  "PathPrefix",
  "RegularExpression",
  "gateway.networking.k8s.io",
  "Service",
  "Gateway",
  "default",
  "kube-system",
  "alb",
] as const;

const NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  80,
  443,
  65535,
  65536,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  -(2 ** 53),
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  50_000,
  50_001,
] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Strings short enough to print in a counterexample (and to be keys). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: loneSurrogate, minLength: 1, maxLength: 4 }) },
);

/**
 * A value too large to print in a counterexample, described instead and built when applied: a
 * string of up to 70,000 characters, or `[[[…]]]` / `{a:{a:…}}` up to 3,000 levels deep
 * (recursion without a bound overflows the stack).
 */
export class Huge {
  readonly shape: "string" | "arrays" | "objects";
  readonly unit: string;
  readonly size: number;

  constructor(shape: "string" | "arrays" | "objects", unit: string, size: number) {
    this.shape = shape;
    this.unit = unit;
    this.size = size;
  }

  build(): unknown {
    if (this.shape === "string") return this.unit.repeat(this.size);
    let value: unknown = this.unit;
    for (let i = 0; i < this.size; i++) value = this.shape === "arrays" ? [value] : { a: value };
    return value;
  }

  [fc.toStringMethod](): string {
    return `new Huge(${JSON.stringify(this.shape)}, ${JSON.stringify(this.unit)}, ${this.size})`;
  }
}

const huge: fc.Arbitrary<Huge> = fc.oneof(
  fc
    .tuple(fc.constantFrom("a", "é", "😀", "-", ".", "/"), fc.integer({ min: 64, max: 70_000 }))
    .map(([unit, size]) => new Huge("string", unit, size)),
  fc
    .tuple(fc.constantFrom("arrays" as const, "objects" as const), fc.integer({ min: 1, max: 3_000 }))
    .map(([shape, size]) => new Huge(shape, "leaf", size)),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
);

const smallValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  hostileNumber,
  hostileString,
  fc.constant([]),
  fc.constant({}),
);

/** A hostile value; Huge parts are built by `materialize`. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: smallValue },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: fc.array(smallValue, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, smallValue, { maxKeys: 3 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(smallValue, fc.integer({ min: 100, max: 3_000 }))
      .map(([item, count]) => Array.from({ length: count }, () => item)),
  },
);

/** The value with every Huge built; everything else deep-copied. */
export function materialize(value: unknown): unknown {
  return value instanceof Huge ? value.build() : copy(value);
}

/**
 * A deep copy of a JSON-shaped value, without recursion (structuredClone overflows the stack on
 * the deepest nests), keeping own `__proto__` keys as keys.
 */
export function copy<T>(value: T): T {
  if (!isContainer(value)) return value;
  const root: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  const work: [Record<string, unknown> | unknown[], Record<string, unknown> | unknown[]][] = [[value, root]];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const [from, to] = next;
    const keys: (string | number)[] = Array.isArray(from) ? from.map((_, i) => i) : Object.keys(from);
    for (const key of keys) {
      const child = read({ parent: from, key });
      let made: unknown = child;
      if (isContainer(child)) {
        made = Array.isArray(child) ? [] : {};
        work.push([child, made as Record<string, unknown> | unknown[]]);
      }
      write({ parent: to, key }, made);
    }
  }
  return root as T;
}

const stringEdit: fc.Arbitrary<StringEdit> = fc.oneof(
  hostileString.map((text) => ({ kind: "append" as const, text })),
  fc.nat({ max: 8 }).map((keep) => ({ kind: "truncate" as const, keep })),
  fc.constant({ kind: "upper" as const }),
  fc.integer({ min: 2, max: 5_000 }).map((times) => ({ kind: "repeat" as const, times })),
);

export const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "delete" as const }) },
  { weight: 4, arbitrary: hostileValue.map((value) => ({ kind: "replace" as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof(fc.constantFrom("__proto__", "constructor", "status", "extra"), hostileString), hostileValue)
      .map(([key, value]) => ({ kind: "add" as const, key, value })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "duplicate" as const }) },
  { weight: 2, arbitrary: fc.nat().map((from) => ({ kind: "borrow" as const, from })) },
  { weight: 3, arbitrary: stringEdit.map((edit) => ({ kind: "edit" as const, edit })) },
);

export const mutation: fc.Arbitrary<Mutation> = fc.record({ at: fc.nat(), change });

/** 1 to `max` mutations. */
export function mutations(max = 4): fc.Arbitrary<Mutation[]> {
  return fc.array(mutation, { minLength: 1, maxLength: max });
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/** Every field under `root` (not `root` itself), breadth first, to MAX_WALK_DEPTH. */
function slots(root: Record<string, unknown> | unknown[]): Slot[] {
  const out: Slot[] = [];
  let level: (Record<string, unknown> | unknown[])[] = [root];
  for (let depth = 0; depth < MAX_WALK_DEPTH && level.length > 0; depth++) {
    const next: (Record<string, unknown> | unknown[])[] = [];
    for (const parent of level) {
      const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
      for (const key of keys) {
        out.push({ parent, key });
        const child = read({ parent, key });
        if (isContainer(child)) next.push(child);
      }
    }
    level = next;
  }
  return out;
}

function read(slot: Slot): unknown {
  return Array.isArray(slot.parent)
    ? slot.parent[slot.key as number]
    : (slot.parent as Record<string, unknown>)[slot.key as string];
}

/** Sets an own property even for `__proto__`, which plain assignment would turn into a prototype. */
function write(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else Object.defineProperty(slot.parent, slot.key, { value, enumerable: true, writable: true, configurable: true });
}

function editString(text: string, edit: StringEdit): string {
  switch (edit.kind) {
    case "append":
      return text + edit.text;
    case "truncate":
      return text.slice(0, edit.keep);
    case "upper":
      return text.toUpperCase();
    case "repeat":
      return text.repeat(Math.min(edit.times, Math.floor(70_000 / Math.max(1, text.length))));
  }
}

/** Applies one mutation in place; a value with no fields (a bare string, `{}`) is left as it is. */
export function applyMutation(root: Record<string, unknown> | unknown[], { at, change }: Mutation): void {
  const all = slots(root);
  const slot = all[at % Math.max(1, all.length)];
  if (slot === undefined) return;
  const current = read(slot);
  switch (change.kind) {
    case "delete":
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete (slot.parent as Record<string, unknown>)[slot.key as string];
      return;
    case "replace":
      write(slot, materialize(change.value));
      return;
    case "add":
      if (isContainer(current) && !Array.isArray(current)) {
        write({ parent: current, key: change.key }, materialize(change.value));
      } else if (Array.isArray(current)) {
        current.push(materialize(change.value));
      } else {
        write(slot, { [change.key]: materialize(change.value) });
      }
      return;
    case "duplicate":
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 0, copy(current));
      else if (Array.isArray(current) && current.length > 0) current.push(copy(current[0]));
      return;
    case "borrow": {
      const donor = all[change.from % all.length];
      if (donor !== undefined) write(slot, copy(read(donor)));
      return;
    }
    case "edit":
      if (typeof current === "string") write(slot, editString(current, change.edit));
      else if (typeof current === "number") write(slot, String(current));
      return;
  }
}

/** A mutated deep copy of `value`. */
export function mutated<T extends Record<string, unknown> | unknown[]>(value: T, changes: readonly Mutation[]): T {
  const result = copy(value);
  for (const m of changes) applyMutation(result, m);
  return result;
}
