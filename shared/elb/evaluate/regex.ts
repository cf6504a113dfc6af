/**
 * Regular expressions in rule conditions (`regexValues`) and rule transforms, run with JavaScript
 * RegExp.
 *
 * ALB documents what its dialect lacks: lookaheads, lookbehinds, backreferences, atomic groups,
 * possessive quantifiers, subroutines, recursion and Unicode character classes such as `\p{L}`
 * ("Listener rules for your Application Load Balancer", "Transforms for listener rules"). A
 * pattern using one of them would be refused by the API, so here it compiles to `undefined` and
 * never matches rather than silently matching with JavaScript's richer semantics. A leading `(?i)`
 * (RE2/PCRE inline flag) becomes the `i` flag and `(?P<name>` becomes `(?<name>`.
 *
 * Known differences left in place: JavaScript without the `u` flag treats `.` and classes per
 * UTF-16 code unit, and accepts a few escapes RE2 rejects; ALB only applies rules to visible
 * ASCII, where the two agree.
 */

const UNSUPPORTED_GROUP_OPENERS = ["(?=", "(?!", "(?<=", "(?<!", "(?>", "(?R", "(?&", "(?+", "(?|"];
const QUANTIFIER_ENDS = new Set(["*", "+", "?", "}"]);

function usesUnsupportedFeature(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") {
      const next = source[i + 1] ?? "";
      if (next === "p" || next === "P") return true;
      if (!inClass && (/[1-9]/.test(next) || (next === "k" && source[i + 2] === "<"))) return true;
      i++;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      continue;
    }
    if (char === "[") {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (source[i + 1] === "^") i++;
      if (source[i + 1] === "]") i++;
      continue;
    }
    if (char === "(") {
      if (UNSUPPORTED_GROUP_OPENERS.some((opener) => source.startsWith(opener, i))) return true;
      if (/^\(\?\d/.test(source.slice(i, i + 3))) return true;
      if (source[i + 1] === "?") i++;
      continue;
    }
    if (char !== undefined && QUANTIFIER_ENDS.has(char) && source[i + 1] === "+") return true;
  }
  return false;
}

/** Compiles an ALB regex; `anchored` requires it to match the whole input. */
export function compileAlbRegex(source: string, anchored: boolean): RegExp | undefined {
  let flags = "";
  let body = source;
  if (body.startsWith("(?i)")) {
    flags = "i";
    body = body.slice(4);
  }
  if (usesUnsupportedFeature(body)) return undefined;
  body = body.replaceAll("(?P<", "(?<");
  try {
    return new RegExp(anchored ? `^(?:${body})$` : body, flags);
  } catch {
    return undefined;
  }
}

/** Does the regex match the whole value? Unsupported or invalid patterns never match. */
export function regexMatchesWhole(source: string, value: string): boolean {
  return compileAlbRegex(source, true)?.test(value) ?? false;
}
