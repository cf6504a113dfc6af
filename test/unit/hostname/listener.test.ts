import { describe, expect, test } from "vitest";
import { compareListenerSpecificity, listenerHostnamesOverlap } from "../../../shared/gateway-api/hostname.ts";

type Case = [a: string | undefined, b: string | undefined, rule: string];

describe("listenerHostnamesOverlap", () => {
  test.each<Case>([
    [undefined, "foo.example.com", "an unset hostname overlaps a precise one"],
    ["", "*.example.com", "an empty hostname overlaps a wildcard"],
    [undefined, undefined, "two unset hostnames overlap"],
    ["foo.example.com", "foo.example.com", "equal precise hostnames overlap"],
    ["*.example.com", "foo.example.com", "a wildcard overlaps a host it covers"],
    ["foo.bar.example.com", "*.example.com", "a host two labels down overlaps the wildcard"],
    ["*.example.com", "*.foo.example.com", "a wildcard overlaps a narrower wildcard"],
  ])("%j and %j overlap: %s", (a, b) => {
    expect(listenerHostnamesOverlap(a, b)).toBe(true);
    expect(listenerHostnamesOverlap(b, a)).toBe(true);
  });

  test.each<Case>([
    ["foo.example.com", "bar.example.com", "different precise hostnames are disjoint"],
    ["*.example.com", "example.com", "a wildcard is disjoint from its bare domain"],
    ["*.example.com", "*.example.net", "sibling wildcards are disjoint"],
  ])("%j and %j are disjoint: %s", (a, b) => {
    expect(listenerHostnamesOverlap(a, b)).toBe(false);
    expect(listenerHostnamesOverlap(b, a)).toBe(false);
  });
});

describe("compareListenerSpecificity: exact, then longer wildcard, then empty", () => {
  test("a precise hostname precedes a wildcard covering it", () => {
    expect(compareListenerSpecificity("foo.example.com", "*.example.com")).toBeLessThan(0);
  });

  test("a wildcard precedes the empty fallback", () => {
    expect(compareListenerSpecificity("*.example.com", undefined)).toBeLessThan(0);
  });

  test("a wildcard with more dots right of the `*` precedes one with fewer", () => {
    expect(compareListenerSpecificity("*.foo.example.com", "*.example.com")).toBeLessThan(0);
  });

  test("dots outrank characters between wildcards", () => {
    expect(compareListenerSpecificity("*.a.b.io", "*.example-long.com")).toBeLessThan(0);
  });

  test("the more specific side is negative whichever argument it is", () => {
    expect(compareListenerSpecificity(undefined, "*.example.com")).toBeGreaterThan(0);
  });

  test("unset and empty hostnames are equally unspecific", () => {
    expect(compareListenerSpecificity("", undefined)).toBe(0);
  });

  test("distinct hostnames of the same class never compare equal", () => {
    expect(compareListenerSpecificity("a.example.com", "b.example.com")).toBeLessThan(0);
    expect(compareListenerSpecificity("*.example.net", "*.example.com")).toBeGreaterThan(0);
  });

  test("sorting listeners puts them in isolation order", () => {
    const listeners = ["", "*.example.com", "foo.example.com", "*.foo.example.com", "bar.foo.example.com"];
    expect([...listeners].sort(compareListenerSpecificity)).toEqual([
      "bar.foo.example.com",
      "foo.example.com",
      "*.foo.example.com",
      "*.example.com",
      "",
    ]);
  });
});
