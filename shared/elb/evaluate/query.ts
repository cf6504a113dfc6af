/**
 * Query strings as `query-string` conditions see them: the text after the first `?`, split on `&`
 * into key/value pairs (QueryStringConditionConfig), each side percent-decoded before comparison.
 *
 * Not documented, decided here: a parameter without `=` (`?debug`) is the key `debug` with an
 * empty value; `+` stays a plus (RFC 3986 decoding, not form decoding); a malformed escape (`%zz`)
 * is compared as written; empty segments (`a=1&&b=2`) are skipped.
 */
import { globMatches } from "./glob.ts";

export interface QueryParameter {
  key: string;
  value: string;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseQuery(query: string | undefined): QueryParameter[] {
  if (query === undefined || query === "") return [];
  const parameters: QueryParameter[] = [];
  for (const segment of query.split("&")) {
    if (segment === "") continue;
    const equals = segment.indexOf("=");
    const key = equals === -1 ? segment : segment.slice(0, equals);
    const value = equals === -1 ? "" : segment.slice(equals + 1);
    parameters.push({ key: percentDecode(key), value: percentDecode(value) });
  }
  return parameters;
}

const QUERY_GLOB = { caseInsensitive: true, escapes: true } as const;

/**
 * Is the pair found in the query? Both sides are case-insensitive globs with `\*`/`\?` escapes;
 * without a key, any parameter whose value matches will do.
 */
export function queryPairMatches(
  pair: { key?: string; value: string },
  parameters: readonly QueryParameter[],
): boolean {
  return parameters.some(
    (parameter) =>
      (pair.key === undefined || globMatches(pair.key, parameter.key, QUERY_GLOB)) &&
      globMatches(pair.value, parameter.value, QUERY_GLOB),
  );
}
