/**
 * HTTPRoute spec: hostnames, parentRefs and rules, with the rule-level CRD rules — a redirect
 * answers on its own (no backendRefs), ReplacePrefixMatch needs exactly one PathPrefix match to
 * replace, backendRequest timeout within request timeout — and the route-level ones.
 */
import { hostname } from "./hostnames.ts";
import { httpRouteFilters } from "./http-filters.ts";
import { DEFAULT_PATH_MATCH, httpRouteMatches } from "./http-matches.ts";
import { DURATION } from "./patterns.ts";
import { backendObjectReference, backendWeight, parentReferences } from "./references.ts";
import {
  durationMillis,
  ruleName,
  sessionPersistence,
  totalMatches,
  uniqueRuleNames,
  useDefaultGateways,
} from "./route-rules.ts";
import { type Channel, child, int, item, list, type ObjectNode, obj, objectRule, type Rule, str } from "./schema.ts";
import { arrayField, has, isRecord, recordField, sizeOf, stringField } from "./values.ts";

// CRD rule on an HTTPRoute rule: with backendRefs, no filter may carry a requestRedirect.
const redirectWithoutBackends: Rule = objectRule("a redirect rule has no backendRefs", (self, at, report) => {
  if ((sizeOf(self, "backendRefs") ?? 0) === 0) return;
  const filters = arrayField(self, "filters") ?? [];
  const redirect = filters.findIndex((f) => isRecord(f) && has(f, "requestRedirect"));
  if (redirect >= 0)
    report(
      child(at, "backendRefs"),
      `must be empty when the rule redirects (${item("filters", redirect)} is a RequestRedirect): a redirect answers the request itself`,
    );
});

function usesPrefixReplacement(filter: unknown, field: "requestRedirect" | "urlRewrite"): boolean {
  if (!isRecord(filter)) return false;
  const config = recordField(filter, field);
  const path = config ? recordField(config, "path") : undefined;
  return path !== undefined && stringField(path, "type") === "ReplacePrefixMatch" && has(path, "replacePrefixMatch");
}

function exactlyOne<T>(items: readonly T[], test: (x: T) => boolean): number | undefined {
  const hits = items.flatMap((x, i) => (test(x) ? [i] : []));
  return hits.length === 1 ? hits[0] : undefined;
}

function hasSinglePrefixMatch(rule: Record<string, unknown>): boolean {
  const matches = arrayField(rule, "matches");
  const [only] = matches ?? [];
  if (matches?.length !== 1 || !isRecord(only)) return false;
  const path = recordField(only, "path");
  return path !== undefined && stringField(path, "type") === "PathPrefix";
}

const FILTER_NAMES = { requestRedirect: "RequestRedirect", urlRewrite: "URLRewrite" } as const;

/**
 * Two CRD rules per filter kind (redirect, rewrite): when exactly one filter of the rule — or of
 * exactly one of its backendRefs — replaces a prefix, the rule must have exactly one match and
 * that match must be a PathPrefix (the prefix to replace).
 */
function prefixReplacementRules(): Rule[] {
  const inRuleFilters = (field: "requestRedirect" | "urlRewrite"): Rule =>
    objectRule(`${FILTER_NAMES[field]} ReplacePrefixMatch needs one PathPrefix match`, (self, at, report) => {
      const filters = arrayField(self, "filters") ?? [];
      const index = exactlyOne(filters, (f) => usesPrefixReplacement(f, field));
      if (index !== undefined && !hasSinglePrefixMatch(self))
        report(
          child(at, "matches"),
          `must be exactly one match with a PathPrefix path, because ${item("filters", index)} (${FILTER_NAMES[field]}) uses ReplacePrefixMatch (got ${sizeOf(self, "matches") ?? 0} matches)`,
        );
    });
  const inBackendFilters = (field: "requestRedirect" | "urlRewrite"): Rule =>
    objectRule(
      `backendRef ${FILTER_NAMES[field]} ReplacePrefixMatch needs one PathPrefix match`,
      (self, at, report) => {
        const backends = arrayField(self, "backendRefs") ?? [];
        const index = exactlyOne(backends, (b) => {
          const filters = isRecord(b) ? arrayField(b, "filters") : undefined;
          return filters !== undefined && exactlyOne(filters, (f) => usesPrefixReplacement(f, field)) !== undefined;
        });
        if (index !== undefined && !hasSinglePrefixMatch(self))
          report(
            child(at, "matches"),
            `must be exactly one match with a PathPrefix path, because a ${FILTER_NAMES[field]} filter of ${item("backendRefs", index)} uses ReplacePrefixMatch (got ${sizeOf(self, "matches") ?? 0} matches)`,
          );
      },
    );
  return [
    inRuleFilters("requestRedirect"),
    inRuleFilters("urlRewrite"),
    inBackendFilters("requestRedirect"),
    inBackendFilters("urlRewrite"),
  ];
}

// CRD rule on timeouts: a non-zero request timeout bounds the backendRequest timeout.
const backendWithinRequest: Rule = objectRule("backendRequest <= request", (self, at, report) => {
  const request = stringField(self, "request");
  const backend = stringField(self, "backendRequest");
  if (request === undefined || backend === undefined) return;
  const r = durationMillis(request);
  const b = durationMillis(backend);
  if (r !== undefined && b !== undefined && r !== 0 && b > r)
    report(child(at, "backendRequest"), `${backend} is longer than the request timeout ${request}`);
});

function httpRouteRule(channel: Channel): ObjectNode {
  return obj(
    {
      backendRefs: list(backendObjectReference({ weight: backendWeight(), filters: httpRouteFilters(channel) }), {
        maxItems: 16,
        listType: "atomic",
      }),
      filters: httpRouteFilters(channel),
      matches: httpRouteMatches(channel),
      name: ruleName(),
      timeouts: obj(
        { backendRequest: str({ pattern: DURATION }), request: str({ pattern: DURATION }) },
        { rules: [backendWithinRequest] },
      ),
    },
    {
      rules: [redirectWithoutBackends, ...prefixReplacementRules()],
      experimental: {
        channel,
        fields: {
          retry: obj({
            attempts: int({ minimum: 1 }),
            backoff: str({ pattern: DURATION }),
            codes: list(int({ minimum: 400, maximum: 599 }), { listType: "set" }),
          }),
          sessionPersistence: sessionPersistence(),
        },
      },
    },
  );
}

export function httpRouteSpec(channel: Channel): ObjectNode {
  return obj(
    {
      hostnames: list(hostname(), { maxItems: 16, listType: "atomic" }),
      parentRefs: parentReferences(channel),
      rules: list(httpRouteRule(channel), {
        minItems: 1,
        maxItems: 16,
        listType: "atomic",
        default: [{ matches: [{ path: DEFAULT_PATH_MATCH }] }],
        rules: [totalMatches, ...(channel === "experimental" ? [uniqueRuleNames] : [])],
      }),
    },
    { experimental: { channel, fields: { useDefaultGateways: useDefaultGateways() } } },
  );
}
