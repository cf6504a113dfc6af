/**
 * One listener rule condition against one request ("Condition types for listener rules").
 *
 * Values within a condition are alternatives: the condition holds if any glob value or any regex
 * value matches. A condition with neither never holds (the API refuses one; matching nothing is
 * the safe reading). Per type:
 *
 * - `host-header`: globs compare case-insensitively with the host name, i.e. the Host header
 *   without its port; regexes see the Host header as sent, port included, because that is the
 *   documented way to tell `example.com:8443` apart (globs cannot contain `:`).
 * - `path-pattern`: case-sensitive, against the path only, never the query string.
 * - `http-header`: the name is case-insensitive; the values are case-insensitive globs tried
 *   against every occurrence of the header in order. A comma-separated header is one value: ALB
 *   does not split it, so `*gzip*` is how to find one member of a list. An absent header fails.
 * - `query-string`: see query.ts.
 * - `http-request-method`: exact and case-sensitive, no wildcards.
 * - `source-ip`: CIDR membership of the connecting peer's address; X-Forwarded-For is not looked at.
 */
import type { RuleCondition } from "../rules.ts";
import { globMatches } from "./glob.ts";
import { cidrContains } from "./ip.ts";
import { parseQuery, queryPairMatches } from "./query.ts";
import { regexMatchesWhole } from "./regex.ts";
import { type AlbRequest, headerValues, hostName } from "./request.ts";

const CASE_INSENSITIVE = { caseInsensitive: true } as const;
const CASE_SENSITIVE = { caseInsensitive: false } as const;

function anyGlobOrRegex(
  globs: readonly string[] | undefined,
  regexes: readonly string[] | undefined,
  globValue: string,
  regexValue: string,
  options: { caseInsensitive: boolean },
): boolean {
  return (
    (globs ?? []).some((glob) => globMatches(glob, globValue, options)) ||
    (regexes ?? []).some((regex) => regexMatchesWhole(regex, regexValue))
  );
}

export function conditionMatches(condition: RuleCondition, request: AlbRequest): boolean {
  switch (condition.field) {
    case "host-header":
      return anyGlobOrRegex(
        condition.values,
        condition.regexValues,
        hostName(request.host),
        request.host,
        CASE_INSENSITIVE,
      );
    case "path-pattern":
      return anyGlobOrRegex(condition.values, condition.regexValues, request.path, request.path, CASE_SENSITIVE);
    case "http-header":
      return headerValues(request.headers, condition.headerName).some((value) =>
        anyGlobOrRegex(condition.values, condition.regexValues, value, value, CASE_INSENSITIVE),
      );
    case "query-string": {
      const parameters = parseQuery(request.query);
      return condition.values.some((pair) => queryPairMatches(pair, parameters));
    }
    case "http-request-method":
      return condition.values.includes(request.method);
    case "source-ip": {
      const sourceIp = request.sourceIp;
      return sourceIp !== undefined && condition.values.some((cidr) => cidrContains(cidr, sourceIp));
    }
  }
}

/** All conditions of a rule hold. A rule without conditions matches everything. */
export function allConditionsMatch(conditions: readonly RuleCondition[], request: AlbRequest): boolean {
  return conditions.every((condition) => conditionMatches(condition, request));
}
