/**
 * Filter parts HTTPRoute and GRPCRoute share: header modifiers, request mirrors, extension refs,
 * and the two generic CRD rule families over a filter list — each `type` goes with exactly its own
 * config field, and some filter types may appear only once.
 */
import { fieldForDiscriminator } from "./discriminated.ts";
import { headerName, headerValue } from "./http-matches.ts";
import { backendObjectReference, localObjectReference } from "./references.ts";
import {
  type Channel,
  child,
  int,
  item,
  list,
  listRule,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  sibling,
  str,
} from "./schema.ts";
import { has, isRecord, numberField } from "./values.ts";

export function headerModifier(channel: Channel): ObjectNode {
  const header = () => obj({ name: headerName(), value: headerValue(channel) }, { required: ["name", "value"] });
  return obj({
    add: list(header(), { maxItems: 16, listType: "map", listMapKeys: ["name"] }),
    remove: list(str(), { maxItems: 16, listType: "set" }),
    set: list(header(), { maxItems: 16, listType: "map", listMapKeys: ["name"] }),
  });
}

// CRD rule on a mirror: a share is given either as a percentage or as a fraction, not both.
const percentOrFraction: Rule = objectRule("percent and fraction are exclusive", (self, at, report) => {
  if (has(self, "percent") && has(self, "fraction"))
    report(child(at, "fraction"), "may not be set together with percent; give the mirrored share one way");
});

// CRD rule on a fraction: it is at most 1.
const fractionAtMostOne: Rule = objectRule("numerator <= denominator", (self, at, report) => {
  const numerator = numberField(self, "numerator");
  const denominator = numberField(self, "denominator");
  if (numerator !== undefined && denominator !== undefined && numerator > denominator)
    report(child(at, "numerator"), `must be at most the denominator (${numerator} > ${denominator})`);
});

export function requestMirror(): ObjectNode {
  return obj(
    {
      backendRef: backendObjectReference(),
      fraction: obj(
        {
          denominator: int({ minimum: 1, format: "int32", default: 100 }),
          numerator: int({ minimum: 0, format: "int32" }),
        },
        { required: ["numerator"], rules: [fractionAtMostOne] },
      ),
      percent: int({ minimum: 0, maximum: 100, format: "int32" }),
    },
    { required: ["backendRef"], rules: [percentOrFraction] },
  );
}

export const extensionRef = localObjectReference;

/** For one filter type, the CRD's pair of rules: its config field is set when and only when `type` names it. */
export function typeFieldRules(type: string, field: string): Rule[] {
  return fieldForDiscriminator("type", type, field);
}

function filterType(filter: unknown): unknown {
  return isRecord(filter) ? filter.type : undefined;
}

// CRD rule on a filter list: a filter of this type appears at most once.
export function notRepeated(type: string): Rule {
  return listRule(`${type} at most once`, (items, at, report) => {
    const first = items.findIndex((f) => filterType(f) === type);
    items.forEach((f, j) => {
      if (j > first && filterType(f) === type)
        report(item(at, j), `repeats the ${type} filter of ${sibling(at, first)}; it may appear only once per list`);
    });
  });
}
