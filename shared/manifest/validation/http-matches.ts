/**
 * HTTPRoute matches: path, headers, query parameters and method, with the CRD's defaults (a match
 * list of one `PathPrefix /` match; `Exact` header and query matches) and the path CEL rules.
 */

import { HEADER_NAME, HEADER_VALUE, matches, PATH_CHARACTERS } from "./patterns.ts";
import {
  type ArrayNode,
  type Channel,
  child,
  list,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  type StringNode,
  str,
} from "./schema.ts";
import { notOneOf } from "./structural.ts";
import { stringField } from "./values.ts";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"] as const;
export const DEFAULT_PATH_MATCH = { type: "PathPrefix", value: "/" } as const;
const MAX_PATH_LENGTH = 1024;

export const headerName = (): StringNode => str({ pattern: HEADER_NAME, minLength: 1, maxLength: 256 });

/** Header values; the experimental CRDs also forbid control characters and stray whitespace. */
export function headerValue(channel: Channel): StringNode {
  return str({ minLength: 1, maxLength: 4096, ...(channel === "experimental" ? { pattern: HEADER_VALUE } : {}) });
}

const matchType = (): StringNode => str({ enum: ["Exact", "RegularExpression"], default: "Exact" });

const PATH_MATCH_TYPES = ["Exact", "PathPrefix", "RegularExpression"] as const;
const literalPathTypes = new Set(["Exact", "PathPrefix"]);

/**
 * One CRD rule on HTTPPathMatch: for Exact and PathPrefix paths, `bad(value)` must not hold.
 * Regular-expression paths are left to the implementation.
 */
function literalPathRule(mirrors: string, bad: (value: string) => boolean, message: string): Rule {
  return objectRule(mirrors, (self, at, report) => {
    const type = stringField(self, "type");
    const value = stringField(self, "value");
    if (type !== undefined && literalPathTypes.has(type) && value !== undefined && bad(value))
      report(child(at, "value"), `${type} path ${JSON.stringify(value)} ${message}`);
  });
}

// The eleven CEL rules on HTTPPathMatch, in the CRD's order.
const pathRules: readonly Rule[] = [
  literalPathRule("absolute path", (v) => !v.startsWith("/"), "must be an absolute path starting with '/'"),
  literalPathRule("no '//'", (v) => v.includes("//"), "must not contain '//'"),
  literalPathRule("no '/./'", (v) => v.includes("/./"), "must not contain '/./'"),
  literalPathRule("no '/../'", (v) => v.includes("/../"), "must not contain '/../'"),
  literalPathRule("no '%2f'", (v) => v.includes("%2f"), "must not contain '%2f' (an encoded '/')"),
  literalPathRule("no '%2F'", (v) => v.includes("%2F"), "must not contain '%2F' (an encoded '/')"),
  literalPathRule("no '#'", (v) => v.includes("#"), "must not contain '#'"),
  literalPathRule("no trailing '/..'", (v) => v.endsWith("/.."), "must not end with '/..'"),
  literalPathRule("no trailing '/.'", (v) => v.endsWith("/."), "must not end with '/.'"),
  objectRule("known path match type", (self, at, report) => {
    const type = stringField(self, "type");
    if (type !== undefined && !literalPathTypes.has(type) && type !== "RegularExpression")
      report(child(at, "type"), notOneOf(PATH_MATCH_TYPES, type));
  }),
  literalPathRule(
    "path characters",
    (v) => !matches(PATH_CHARACTERS, v),
    `is not ${PATH_CHARACTERS.meaning} (must match ${PATH_CHARACTERS.source})`,
  ),
];

function pathMatch(): ObjectNode {
  return obj(
    {
      type: str({ enum: PATH_MATCH_TYPES, default: DEFAULT_PATH_MATCH.type }),
      value: str({ maxLength: MAX_PATH_LENGTH, default: DEFAULT_PATH_MATCH.value }),
    },
    { default: DEFAULT_PATH_MATCH, rules: pathRules },
  );
}

function httpRouteMatch(channel: Channel): ObjectNode {
  return obj({
    headers: list(
      obj({ name: headerName(), type: matchType(), value: headerValue(channel) }, { required: ["name", "value"] }),
      {
        maxItems: 16,
        listType: "map",
        listMapKeys: ["name"],
      },
    ),
    method: str({ enum: HTTP_METHODS }),
    path: pathMatch(),
    queryParams: list(
      obj(
        { name: headerName(), type: matchType(), value: str({ minLength: 1, maxLength: 1024 }) },
        { required: ["name", "value"] },
      ),
      { maxItems: 16, listType: "map", listMapKeys: ["name"] },
    ),
  });
}

export function httpRouteMatches(channel: Channel): ArrayNode {
  return list(httpRouteMatch(channel), { maxItems: 64, listType: "atomic", default: [{ path: DEFAULT_PATH_MATCH }] });
}
