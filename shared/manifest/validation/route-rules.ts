/**
 * Rule-list constraints every route kind shares: rule names unique within a route, the total of
 * matches across rules, rule names' format, session persistence and the default-Gateway opt-in.
 */
import { DNS_SUBDOMAIN, DURATION } from "./patterns.ts";
import {
  child,
  item,
  listRule,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  type StringNode,
  sibling,
  str,
} from "./schema.ts";
import { arrayField, has, isRecord, recordField, recordsOf, stringField } from "./values.ts";

export const ruleName = (): StringNode => str({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253 });

export const useDefaultGateways = (): StringNode => str({ enum: ["All", "None"] });

// CRD rule on `rules`: a rule name, when set, names one rule only.
export const uniqueRuleNames: Rule = listRule("rule names are unique within a route", (items, at, report) => {
  const rules = recordsOf(items);
  for (const { item: rule, index: j } of rules) {
    const name = stringField(rule, "name");
    if (name === undefined) continue;
    const first = rules.find(({ item: other, index: i }) => i < j && stringField(other, "name") === name);
    if (first)
      report(
        child(item(at, j), "name"),
        `duplicate rule name ${JSON.stringify(name)}: ${sibling(at, first.index)} has the same name`,
      );
  }
});

const MAX_MATCHES_PER_ROUTE = 128;

// CRD rule on `rules`: the matches of the first 16 rules add up to at most 128. (Later rules are
// already rejected by maxItems, and the CRD rule only looks at those 16.)
export const totalMatches: Rule = listRule(
  `at most ${MAX_MATCHES_PER_ROUTE} matches across all rules`,
  (items, at, report) => {
    let total = 0;
    for (const rule of items.slice(0, 16)) total += isRecord(rule) ? (arrayField(rule, "matches")?.length ?? 0) : 0;
    if (total > MAX_MATCHES_PER_ROUTE)
      report(
        at,
        `has ${total} matches in total across its rules; a route may have at most ${MAX_MATCHES_PER_ROUTE} (each rule at most 64)`,
      );
  },
);

// Two CRD rules on sessionPersistence: a Permanent cookie needs an absolute timeout, and cookie
// settings only go with the Cookie type.
const permanentCookieNeedsTimeout: Rule = objectRule("a Permanent cookie needs absoluteTimeout", (self, at, report) => {
  const cookie = recordField(self, "cookieConfig");
  if (cookie && stringField(cookie, "lifetimeType") === "Permanent" && !has(self, "absoluteTimeout"))
    report(child(at, "absoluteTimeout"), "required when cookieConfig.lifetimeType is Permanent");
});

const cookieConfigOnlyForCookies: Rule = objectRule("cookieConfig only with type Cookie", (self, at, report) => {
  if (has(self, "cookieConfig") && self.type !== "Cookie")
    report(child(at, "cookieConfig"), `may only be set when type is Cookie (type is ${JSON.stringify(self.type)})`);
});

export function sessionPersistence(): ObjectNode {
  return obj(
    {
      absoluteTimeout: str({ pattern: DURATION }),
      cookieConfig: obj({ lifetimeType: str({ enum: ["Permanent", "Session"], default: "Session" }) }),
      sessionName: str({ maxLength: 128 }),
      type: str({ enum: ["Cookie", "Header"], default: "Cookie" }),
    },
    { rules: [permanentCookieNeedsTimeout, cookieConfigOnlyForCookies] },
  );
}

/** Milliseconds of a duration in the Gateway API format (`1h30m`, `500ms`); undefined if malformed. */
export function durationMillis(text: string): number | undefined {
  if (!DURATION.regex.test(text)) return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, digits, u] of text.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(digits) * (unit[u ?? ""] ?? 0);
  return total;
}
