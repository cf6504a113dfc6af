/**
 * Regular expressions in rule conditions (`regexValues`) and rule transforms, run with RE2
 * (`re2js`): linear time in the input whatever the pattern, so `explain` cannot be stalled by a
 * pattern such as `(a+)+$` that backtracking engines take exponential time on. RE2 is also the
 * dialect ALB's documented one is closest to: `(?i)`, `(?P<name>…)`, `\z` and `\Q…\E` mean what
 * they mean there.
 *
 * ALB documents what its dialect lacks: lookaheads, lookbehinds, backreferences, atomic groups,
 * possessive quantifiers, subroutines, recursion and Unicode character classes such as `\p{L}`
 * ("Listener rules for your Application Load Balancer", "Transforms for listener rules"). Some of
 * these RE2 would accept (`\p{L}`), so they are found here first: such a pattern compiles to
 * `undefined` and never matches, and `unsupportedRegexConstruct` names the construct so the
 * translator can refuse it in status before it reaches AWS.
 */
import { RE2JS } from "re2js";

const UNSUPPORTED_GROUP_OPENERS: readonly [string, string][] = [
  ["(?<=", "lookbehind"],
  ["(?<!", "negative lookbehind"],
  ["(?=", "lookahead"],
  ["(?!", "negative lookahead"],
  ["(?>", "atomic group"],
  ["(?R", "recursion"],
  ["(?&", "subroutine call"],
  ["(?+", "subroutine call"],
  ["(?|", "branch reset group"],
];
const QUANTIFIER_ENDS = new Set(["*", "+", "?", "}"]);

/** The first construct of `source` that ALB's regex dialect lacks, named and quoted; else undefined. */
export function unsupportedRegexConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") {
      const next = source[i + 1] ?? "";
      if (next === "p" || next === "P") {
        const end = source[i + 2] === "{" ? source.indexOf("}", i) : i + 2;
        return `Unicode class '${source.slice(i, end === -1 ? i + 3 : end + 1)}'`;
      }
      if (!inClass && /[1-9]/.test(next)) return `backreference '\\${next}'`;
      if (!inClass && next === "k" && source[i + 2] === "<") return "named backreference '\\k<'";
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
      const opener = UNSUPPORTED_GROUP_OPENERS.find(([o]) => source.startsWith(o, i));
      if (opener) return `${opener[1]} '${opener[0]}'`;
      if (/^\(\?\d/.test(source.slice(i, i + 3))) return `recursion '${source.slice(i, i + 3)}'`;
      if (source[i + 1] === "?") i++;
      continue;
    }
    if (char !== undefined && QUANTIFIER_ENDS.has(char) && source[i + 1] === "+") {
      return `possessive quantifier '${char}+'`;
    }
  }
  return undefined;
}

/** A match: where it starts and its groups (0 is the whole match; undefined did not take part). */
export interface AlbRegexMatch {
  index: number;
  groups: (string | undefined)[];
  named: Record<string, string | undefined>;
}

/** A compiled ALB regex, run by RE2. */
class AlbRegex {
  private readonly re: RE2JS;
  private readonly anchored: boolean;

  constructor(re: RE2JS, anchored: boolean) {
    this.re = re;
    this.anchored = anchored;
  }

  test(input: string): boolean {
    const m = this.re.matcher(input);
    return this.anchored ? m.matches() : m.find();
  }

  /** The first (leftmost) match, or undefined. */
  exec(input: string): AlbRegexMatch | undefined {
    const m = this.re.matcher(input);
    if (!(this.anchored ? m.matches() : m.find())) return undefined;
    const groups: (string | undefined)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? undefined);
    const named: Record<string, string | undefined> = {};
    for (const name of Object.keys(this.re.namedGroups())) named[name] = m.group(name) ?? undefined;
    return { index: m.start(), groups, named };
  }
}

/** Compiles an ALB regex; `anchored` requires it to match the whole input. */
export function compileAlbRegex(source: string, anchored: boolean): AlbRegex | undefined {
  if (unsupportedRegexConstruct(source) !== undefined) return undefined;
  try {
    return new AlbRegex(RE2JS.compile(source), anchored);
  } catch {
    return undefined;
  }
}

/** Does the regex match the whole value? Unsupported or invalid patterns never match. */
export function regexMatchesWhole(source: string, value: string): boolean {
  return compileAlbRegex(source, true)?.test(value) ?? false;
}
