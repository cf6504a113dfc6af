/**
 * The CRD rule pair behind every discriminated union in these APIs: a config field is set when,
 * and only when, its discriminator (`type`, `protocol`, `field`) names it — a filter's config, a
 * path modifier's replacement, external auth's protocol settings, a subject alternative name, an
 * ALB action's config.
 */
import { child, objectRule, type Rule } from "./schema.ts";
import { has, isUnsetString, type JsonObject } from "./values.ts";

export interface PairOptions {
  /** Where a field set under another discriminator value is reported: on the field (default) or the discriminator. */
  blame?: "field" | "discriminator";
  /** An empty string counts as unset (the CRD compares with `""`). */
  emptyIsUnset?: boolean;
}

/** Two rules: `discriminator: value` needs `field`, and `field` needs `discriminator: value`. */
export function fieldForDiscriminator(
  discriminator: string,
  value: string,
  field: string,
  options: PairOptions = {},
): [Rule, Rule] {
  const isSet = (self: JsonObject) => (options.emptyIsUnset ? !isUnsetString(self, field) : has(self, field));
  return [
    objectRule(`${discriminator} ${value} needs ${field}`, (self, at, report) => {
      if (self[discriminator] === value && !isSet(self))
        report(child(at, field), `required when ${discriminator} is ${value}`);
    }),
    objectRule(`${field} only with ${discriminator} ${value}`, (self, at, report) => {
      if (!isSet(self) || self[discriminator] === value) return;
      const actual = JSON.stringify(self[discriminator]);
      if (options.blame === "discriminator")
        report(child(at, discriminator), `must be ${value} when ${field} is set (got ${actual})`);
      else
        report(
          child(at, field),
          `must not be set when ${discriminator} is ${actual}; ${field} goes with ${discriminator} ${value}`,
        );
    }),
  ];
}
