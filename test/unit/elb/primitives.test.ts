/** The building blocks under the conditions: globs, ALB regexes, IP blocks, query parsing. */
import { describe, expect, test } from "vitest";
import { globMatches } from "../../../shared/elb/evaluate/glob.ts";
import { cidrContains, parseIp } from "../../../shared/elb/evaluate/ip.ts";
import { parseQuery } from "../../../shared/elb/evaluate/query.ts";
import { compileAlbRegex, regexMatchesWhole } from "../../../shared/elb/evaluate/regex.ts";
import { hostName } from "../../../shared/elb/evaluate/request.ts";

const sensitive = { caseInsensitive: false };

describe("glob", () => {
  test("* may match nothing", () => {
    expect(globMatches("/a*", "/a", sensitive)).toBe(true);
  });

  test("a star backtracks to find a later literal", () => {
    expect(globMatches("*b*c", "abxbyc", sensitive)).toBe(true);
    expect(globMatches("*b*c", "abxbyd", sensitive)).toBe(false);
  });

  test("regex metacharacters are literals", () => {
    expect(globMatches("/a.b+(c)", "/a.b+(c)", sensitive)).toBe(true);
    expect(globMatches("/a.b", "/axb", sensitive)).toBe(false);
  });

  test("escapes only count when enabled", () => {
    expect(globMatches("a\\?", "a?", { caseInsensitive: false, escapes: true })).toBe(true);
    expect(globMatches("a\\?", "ab", { caseInsensitive: false, escapes: true })).toBe(false);
    expect(globMatches("a\\?", "a\\b", sensitive)).toBe(true);
  });
});

describe("ALB regex", () => {
  // Listener rules for your Application Load Balancer: no backreferences, atomic groups, possessive
  // quantifiers, lookbehinds or Unicode classes
  test.each([
    ["backreference", "(a)\\1"],
    ["named backreference", "(?<x>a)\\k<x>"],
    ["atomic group", "(?>a+)b"],
    ["possessive quantifier", "a++b"],
    ["lookbehind", "(?<=a)b"],
    ["negative lookahead", "a(?!b)"],
    ["Unicode class", "\\p{L}+"],
    ["recursion", "a(?R)?b"],
  ])("a %s is refused", (_, source) => {
    expect(compileAlbRegex(source, true)).toBeUndefined();
  });

  test("escaped and bracketed metacharacters are not mistaken for unsupported features", () => {
    expect(compileAlbRegex("\\(\\?=[+(?=]\\++", true)).toBeDefined();
    expect(compileAlbRegex("[\\\\1]a+?", true)).toBeDefined();
  });

  test("named groups in (?P<name>) form are accepted", () => {
    expect(compileAlbRegex("(?P<v>v[0-9])", true)?.exec("v2")?.named.v).toBe("v2");
  });

  test("regexes run on RE2: \\z and \\Q…\\E mean end of text and a literal, as only RE2 reads them", () => {
    // JavaScript's RegExp reads `\z` as `z` and `\Q`/`\E` as letters; RE2 does not.
    expect(compileAlbRegex("/a\\z", true)?.test("/a")).toBe(true);
    expect(compileAlbRegex("/a\\z", true)?.test("/az")).toBe(false);
    expect(compileAlbRegex("\\Q/*.\\E", true)?.test("/*.")).toBe(true);
  });

  test("patterns that backtracking engines take exponential time on evaluate in linear time", () => {
    // On a backtracking engine each of these takes minutes on a 40-character input; RE2 (the
    // engine asserted above) is linear in the input, so they simply answer.
    const input = `/${"a".repeat(48)}!`;
    expect(regexMatchesWhole("/(a+)+$", input)).toBe(false);
    expect(regexMatchesWhole("/(a|a)*b", input)).toBe(false);
    expect(regexMatchesWhole("/(a|aa)+$", `/${"a".repeat(48)}`)).toBe(true);
  });

  test("an invalid regex is refused", () => {
    expect(compileAlbRegex("(", true)).toBeUndefined();
  });
});

describe("IP addresses", () => {
  test("IPv6 shorthand and an embedded IPv4 tail parse to the full address", () => {
    expect(parseIp("::ffff:192.0.2.1")).toEqual({ family: 6, value: 0xffffc0000201n });
    expect(parseIp("2001:db8::1")).toEqual(parseIp("2001:0db8:0000:0000:0000:0000:0000:0001"));
  });

  test.each(["256.0.0.1", "1.2.3", "1::2::3", "1:2:3:4:5:6:7:8:9", "1.2.3.4::", "g::1", ""])(
    "%s is not an address",
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  test("host bits set in a block are ignored", () => {
    expect(cidrContains("192.0.2.10/24", "192.0.2.200")).toBe(true);
  });

  test("a malformed prefix length matches nothing", () => {
    expect(cidrContains("192.0.2.0/33", "192.0.2.1")).toBe(false);
    expect(cidrContains("192.0.2.0/x", "192.0.2.1")).toBe(false);
  });
});

describe("request parts", () => {
  test.each([
    ["example.com", "example.com"],
    ["example.com:8443", "example.com"],
    ["[2001:db8::1]:443", "[2001:db8::1]"],
    ["2001:db8::1", "2001:db8::1"],
  ])("the host name of %s is %s", (header, name) => {
    expect(hostName(header)).toBe(name);
  });

  test("a query string splits on & into decoded pairs, skipping empty segments", () => {
    expect(parseQuery("a=1&&b=x%2By+z&c&bad=%zz")).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "x+y+z" },
      { key: "c", value: "" },
      { key: "bad", value: "%zz" },
    ]);
  });
});
