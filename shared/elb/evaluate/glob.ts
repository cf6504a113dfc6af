/**
 * ALB condition values: the whole value must match the pattern, where `*` matches zero or more
 * characters (any character, `/` and `.` included) and `?` exactly one.
 *
 * Only query-string values document an escape: `\*` and `\?` stand for a literal `*` and `?`
 * (QueryStringConditionConfig), so escapes are opt-in. Host and path patterns cannot contain a
 * backslash at all, and for header values the docs say nothing, so there a backslash is literal.
 *
 * Matching is the classic greedy-star scan with one backtrack point, linear in practice and never
 * exponential, so a hostile pattern or request cannot blow up evaluation.
 */
export interface GlobOptions {
  caseInsensitive: boolean;
  /** Treat `\*`, `\?` and `\\` as literals. */
  escapes?: boolean;
}

type Token = { kind: "literal"; char: string } | { kind: "star" } | { kind: "one" };

function tokenize(pattern: string, escapes: boolean): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    const next = chars[i + 1];
    if (escapes && char === "\\" && (next === "*" || next === "?" || next === "\\")) {
      tokens.push({ kind: "literal", char: next });
      i++;
    } else if (char === "*") {
      // Consecutive stars match what one star does.
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (char === "?") tokens.push({ kind: "one" });
    else tokens.push({ kind: "literal", char });
  }
  return tokens;
}

function sameChar(a: string, b: string, caseInsensitive: boolean): boolean {
  return a === b || (caseInsensitive && a.toLowerCase() === b.toLowerCase());
}

export function globMatches(pattern: string, value: string, options: GlobOptions): boolean {
  const tokens = tokenize(pattern, options.escapes ?? false);
  const chars = Array.from(value);
  let t = 0;
  let c = 0;
  let starToken = -1;
  let starChar = 0;
  while (c < chars.length) {
    const token = tokens[t];
    const char = chars[c] as string;
    if (token !== undefined && token.kind === "star") {
      starToken = t++;
      starChar = c;
    } else if (token !== undefined && (token.kind === "one" || sameChar(token.char, char, options.caseInsensitive))) {
      t++;
      c++;
    } else if (starToken !== -1) {
      // Let the last star swallow one more character and retry from there.
      t = starToken + 1;
      c = ++starChar;
    } else return false;
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}
