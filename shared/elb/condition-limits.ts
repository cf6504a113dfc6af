/**
 * Values ALB refuses in rule conditions, found before anything is planned so that they become a
 * precise status on the route that wrote them instead of a CreateRule error that halts the whole
 * Gateway. From "Condition types for listener rules" and the ELBv2 API reference
 * (HostHeaderConditionConfig, PathPatternConditionConfig, HttpHeaderConditionConfig,
 * QueryStringConditionConfig):
 * - host-header, path-pattern and http-header values and regexValues, and query-string keys and
 *   values: at most 128 characters each;
 * - http-header names: at most 40 characters of RFC 7230 token characters;
 * - host-header values: A–Z a–z 0–9 - . and the wildcards * ?;
 * - path-pattern values: A–Z a–z 0–9 _ - . $ / ~ " ' @ : + & and the wildcards * ?;
 * - http-header values and query-string keys and values: visible ASCII (rules apply only to it);
 * - regexValues: ALB's dialect, which lacks lookarounds, backreferences, atomic groups, possessive
 *   quantifiers, recursion and Unicode classes (see evaluate/regex.ts).
 */
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { compileAlbRegex, unsupportedRegexConstruct } from "./evaluate/regex.ts";
import type { RuleCondition } from "./rules.ts";

const MAX_CONDITION_VALUE_LENGTH = 128;
const MAX_HEADER_NAME_LENGTH = 40;

const HOST_VALUE = /^[A-Za-z0-9.*?-]*$/;
const PATH_VALUE = /^[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]*$/;
const VISIBLE_ASCII = /^[\x20-\x7e]*$/;

const ALLOWED: Record<"host-header" | "path-pattern" | "http-header" | "query-string", [RegExp, string]> = {
  "host-header": [HOST_VALUE, "A-Z, a-z, 0-9, '-', '.' and the wildcards '*' and '?'"],
  "path-pattern": [PATH_VALUE, "A-Z, a-z, 0-9, _ - . $ / ~ \" ' @ : + & and the wildcards '*' and '?'"],
  "http-header": [VISIBLE_ASCII, "visible ASCII characters"],
  "query-string": [VISIBLE_ASCII, "visible ASCII characters"],
};

function valueProblem(field: keyof typeof ALLOWED, what: string, value: string): string | undefined {
  if (value.length > MAX_CONDITION_VALUE_LENGTH) {
    return `${field} ${what} '${value}' is ${value.length} characters; ALB allows at most ${MAX_CONDITION_VALUE_LENGTH}`;
  }
  const [allowed, description] = ALLOWED[field];
  if (!allowed.test(value)) {
    const bad = [...value].find((c) => !allowed.test(c)) ?? "";
    return `${field} ${what} '${value}' contains ${JSON.stringify(bad)}; ALB allows only ${description} there`;
  }
  return undefined;
}

function regexProblem(field: string, source: string): string | undefined {
  if (source.length > MAX_CONDITION_VALUE_LENGTH) {
    return `${field} regex '${source}' is ${source.length} characters; ALB allows at most ${MAX_CONDITION_VALUE_LENGTH}`;
  }
  const construct = unsupportedRegexConstruct(source);
  if (construct) return `${field} regex '${source}': ALB's regex dialect has no ${construct}`;
  if (!compileAlbRegex(source, true)) return `${field} regex '${source}' is not a valid regular expression`;
  return undefined;
}

function conditionProblem(c: RuleCondition): string | undefined {
  switch (c.field) {
    case "host-header":
    case "path-pattern":
      return firstOf([
        ...(c.values ?? []).map((v) => () => valueProblem(c.field, "value", v)),
        ...(c.regexValues ?? []).map((r) => () => regexProblem(c.field, r)),
      ]);
    case "http-header": {
      if (c.headerName.length > MAX_HEADER_NAME_LENGTH) {
        return `http-header name '${c.headerName}' is ${c.headerName.length} characters; ALB allows at most ${MAX_HEADER_NAME_LENGTH}`;
      }
      if (!HEADER_NAME.test(c.headerName)) {
        return `http-header name '${c.headerName}' is not an RFC 7230 token, which ALB requires`;
      }
      return firstOf([
        ...(c.values ?? []).map((v) => () => valueProblem("http-header", `${c.headerName} value`, v)),
        ...(c.regexValues ?? []).map((r) => () => regexProblem(`http-header ${c.headerName}`, r)),
      ]);
    }
    case "query-string":
      return firstOf(
        c.values.flatMap((kv) => [
          ...(kv.key !== undefined ? [() => valueProblem("query-string", "key", kv.key ?? "")] : []),
          () => valueProblem("query-string", "value", kv.value),
        ]),
      );
    case "http-request-method":
    case "source-ip":
      return undefined;
  }
}

function firstOf(checks: readonly (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const found = check();
    if (found) return found;
  }
  return undefined;
}

/** The first condition value of a rule that ALB would refuse, as the route's UnsupportedValue. */
export function conditionValueProblem(conditions: readonly RuleCondition[], where: string): StatusProblem | undefined {
  for (const c of conditions) {
    const found = conditionProblem(c);
    if (found) return problem(Reason.UnsupportedValue, `${where}: ${found}`);
  }
  return undefined;
}
