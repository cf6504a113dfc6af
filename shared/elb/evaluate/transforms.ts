/**
 * Rule transforms: rewrites of the request before it is forwarded ("Transforms for listener rules",
 * "RewriteConfig"). They never change which rule matched.
 *
 * - `host-header-rewrite` rewrites the Host header; `url-rewrite` rewrites the URL, i.e. the path
 *   and the query string together (`/path?query`), and the result is split again at its first `?`.
 * - Of a transform's rewrites, the first whose regex matches is applied; with no match the request
 *   goes on unchanged. The regex searches the input (anchor it with `^…$` to cover all of it) and
 *   the first match is replaced by the replacement, in which `$1`…`$99` (or `${n}`) name capture
 *   groups and `$$` is a literal `$`. A group that did not participate expands to nothing.
 * - A match whose result is unusable — an empty host, or a URL that no longer starts with `/` —
 *   is the documented "pattern match but the transform fails" case, answered with HTTP 500.
 *
 * Not documented, decided here: only the first regex match is replaced (not every match), and
 * transforms apply to forwarded requests only — a redirect is computed from the request as sent.
 */
import type { RuleTransform } from "../rules.ts";
import type { ForwardedRequest } from "./outcome.ts";
import { compileAlbRegex } from "./regex.ts";
import { presentQuery } from "./request.ts";

export const TRANSFORM_FAILURE_STATUS = 500;

type Rewrite = RuleTransform["rewrites"][number];

function expand(replacement: string, groups: readonly (string | undefined)[]): string {
  // groups[0] is the whole match, groups[n] capture group n.
  const groupCount = groups.length - 1;
  return replacement.replace(/\$(\$|\{(\d+)\}|(\d{1,2}))/g, (token, _all, braced?: string, bare?: string) => {
    if (token === "$$") return "$";
    if (braced !== undefined) return groups[Number(braced)] ?? "";
    const digits = bare ?? "";
    // `$12` is group 12 when there is one, otherwise group 1 followed by a literal `2`.
    if (digits.length === 2 && Number(digits) > groupCount) return `${groups[Number(digits[0])] ?? ""}${digits[1]}`;
    return groups[Number(digits)] ?? "";
  });
}

/** The rewritten input, or `undefined` when no rewrite's regex matches. */
function applyRewrites(rewrites: readonly Rewrite[], input: string): string | undefined {
  for (const rewrite of rewrites) {
    const regex = compileAlbRegex(rewrite.regex, false);
    const match = regex?.exec(input);
    if (match === undefined) continue;
    const start = match.index;
    const whole = match.groups[0] ?? "";
    return input.slice(0, start) + expand(rewrite.replace, match.groups) + input.slice(start + whole.length);
  }
  return undefined;
}

export type TransformResult = { ok: true; request: ForwardedRequest } | { ok: false };

export function applyTransforms(
  transforms: readonly RuleTransform[] | undefined,
  original: ForwardedRequest,
): TransformResult {
  let request = original;
  for (const transform of transforms ?? []) {
    if (transform.type === "host-header-rewrite") {
      const host = applyRewrites(transform.rewrites, request.host);
      if (host === undefined) continue;
      if (host === "") return { ok: false };
      request = { ...request, host };
    } else {
      const query = presentQuery(request.query);
      const url = applyRewrites(transform.rewrites, query === undefined ? request.path : `${request.path}?${query}`);
      if (url === undefined) continue;
      if (!url.startsWith("/")) return { ok: false };
      const mark = url.indexOf("?");
      request = { host: request.host, path: mark === -1 ? url : url.slice(0, mark) };
      const rewrittenQuery = mark === -1 ? undefined : presentQuery(url.slice(mark + 1));
      if (rewrittenQuery !== undefined) request.query = rewrittenQuery;
    }
  }
  return { ok: true, request };
}
