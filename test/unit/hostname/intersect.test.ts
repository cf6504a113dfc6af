import { describe, expect, test } from "vitest";
import { intersectHostnames } from "../../../shared/gateway-api/hostname.ts";

describe("intersectHostnames: an unset side means all hostnames", () => {
  test("neither listener nor route sets a hostname: the route is unconstrained", () => {
    expect(intersectHostnames(undefined, undefined)).toBeUndefined();
  });

  test("an empty hostnames list and an empty listener hostname are unset", () => {
    expect(intersectHostnames("", [])).toBeUndefined();
  });

  test("listener unset: the route keeps its hostnames as they are", () => {
    expect(intersectHostnames(undefined, ["foo.example.com", "*.example.net"])).toEqual([
      "foo.example.com",
      "*.example.net",
    ]);
  });

  test("listener unset: duplicate route hostnames are reported once", () => {
    expect(intersectHostnames(undefined, ["a.example.com", "b.example.com", "a.example.com"])).toEqual([
      "a.example.com",
      "b.example.com",
    ]);
  });

  test("route unset: the route inherits the precise listener hostname", () => {
    expect(intersectHostnames("test.example.com", undefined)).toEqual(["test.example.com"]);
  });

  test("route unset: the route inherits the wildcard listener hostname", () => {
    expect(intersectHostnames("*.example.com", [])).toEqual(["*.example.com"]);
  });
});

describe("intersectHostnames: a precise listener hostname", () => {
  test("matches a route naming the same host", () => {
    expect(intersectHostnames("test.example.com", ["test.example.com"])).toEqual(["test.example.com"]);
  });

  test("matches a route wildcard covering it, narrowed to the listener host", () => {
    expect(intersectHostnames("test.example.com", ["*.example.com"])).toEqual(["test.example.com"]);
  });

  test("matches a route wildcard several labels up", () => {
    expect(intersectHostnames("a.b.example.com", ["*.example.com"])).toEqual(["a.b.example.com"]);
  });

  test("does not match a route wildcard for its own domain", () => {
    expect(intersectHostnames("example.com", ["*.example.com"])).toEqual([]);
  });

  test("does not match a different precise host", () => {
    expect(intersectHostnames("test.example.com", ["other.example.com"])).toEqual([]);
  });

  test("does not match a wildcard of a deeper domain", () => {
    expect(intersectHostnames("test.example.com", ["*.test.example.com"])).toEqual([]);
  });

  test("collapses several route hostnames onto the one listener host", () => {
    expect(intersectHostnames("test.example.com", ["*.example.com", "test.example.com"])).toEqual(["test.example.com"]);
  });
});

describe("intersectHostnames: a wildcard listener hostname", () => {
  test("keeps the same wildcard", () => {
    expect(intersectHostnames("*.example.com", ["*.example.com"])).toEqual(["*.example.com"]);
  });

  test("keeps a precise route host one label down", () => {
    expect(intersectHostnames("*.example.com", ["test.example.com"])).toEqual(["test.example.com"]);
  });

  test("keeps a precise route host two labels down", () => {
    expect(intersectHostnames("*.example.com", ["foo.test.example.com"])).toEqual(["foo.test.example.com"]);
  });

  test("ignores the bare domain", () => {
    expect(intersectHostnames("*.example.com", ["example.com"])).toEqual([]);
  });

  test("ignores another domain", () => {
    expect(intersectHostnames("*.example.com", ["test.example.net"])).toEqual([]);
  });

  test("ignores route hostnames outside it and keeps the rest (godoc example)", () => {
    expect(intersectHostnames("*.example.com", ["test.example.com", "test.example.net"])).toEqual(["test.example.com"]);
  });

  test("keeps the godoc's three matching route hostnames in route order", () => {
    expect(intersectHostnames("*.example.com", ["foo.test.example.com", "*.example.com", "test.example.com"])).toEqual([
      "foo.test.example.com",
      "*.example.com",
      "test.example.com",
    ]);
  });
});

describe("intersectHostnames: wildcard ∩ wildcard gives the more specific one", () => {
  test("a narrower route wildcard wins over the listener wildcard", () => {
    expect(intersectHostnames("*.example.com", ["*.api.example.com"])).toEqual(["*.api.example.com"]);
  });

  test("a narrower listener wildcard wins over the route wildcard", () => {
    expect(intersectHostnames("*.api.example.com", ["*.example.com"])).toEqual(["*.api.example.com"]);
  });

  test("a top-level wildcard narrows to the listener wildcard", () => {
    expect(intersectHostnames("*.example.com", ["*.com"])).toEqual(["*.example.com"]);
  });

  test("sibling wildcards do not intersect", () => {
    expect(intersectHostnames("*.example.com", ["*.example.net"])).toEqual([]);
  });

  test("a wildcard does not contain the wildcard of its parent domain's sibling", () => {
    expect(intersectHostnames("*.a.example.com", ["*.b.example.com"])).toEqual([]);
  });
});

describe("intersectHostnames: the result", () => {
  test("keeps route order and drops duplicates produced by narrowing", () => {
    expect(
      intersectHostnames("*.example.com", ["b.example.com", "x.example.net", "a.example.com", "b.example.com"]),
    ).toEqual(["b.example.com", "a.example.com"]);
  });

  test("is empty when nothing intersects, not unconstrained", () => {
    expect(intersectHostnames("foo.example.com", ["bar.example.com", "*.example.net"])).toEqual([]);
  });

  test("is a new array, not the route's own list", () => {
    const routeHostnames = ["a.example.com"];
    const effective = intersectHostnames(undefined, routeHostnames);
    expect(effective).toEqual(routeHostnames);
    expect(effective).not.toBe(routeHostnames);
  });

  test("compares hostnames case-insensitively", () => {
    expect(intersectHostnames("*.Example.com", ["Foo.EXAMPLE.com"])).toEqual(["Foo.EXAMPLE.com"]);
  });
});
