import { describe, expect, test } from "vitest";
import { hostnameMatches, isWildcardHostname } from "../../../shared/gateway-api/hostname.ts";

describe("isWildcardHostname", () => {
  test("a hostname whose first label is `*` is a wildcard", () => {
    expect(isWildcardHostname("*.example.com")).toBe(true);
  });

  test("a precise hostname is not a wildcard", () => {
    expect(isWildcardHostname("foo.example.com")).toBe(false);
  });

  test("a `*` that is not a label of its own does not make a wildcard", () => {
    expect(isWildcardHostname("*example.com")).toBe(false);
  });
});

describe("hostnameMatches: an unset hostname matches all", () => {
  test.each([
    [undefined, "foo.example.com"],
    ["", "foo.example.com"],
    [undefined, "10.0.0.1:8080"],
  ])("pattern %j matches %s", (pattern, host) => {
    expect(hostnameMatches(pattern, host)).toBe(true);
  });
});

describe("hostnameMatches: a precise hostname matches only itself", () => {
  test("the same host matches", () => {
    expect(hostnameMatches("test.example.com", "test.example.com")).toBe(true);
  });

  test("a subdomain does not match", () => {
    expect(hostnameMatches("example.com", "test.example.com")).toBe(false);
  });

  test("a parent domain does not match", () => {
    expect(hostnameMatches("test.example.com", "example.com")).toBe(false);
  });
});

describe("hostnameMatches: a wildcard is a suffix match needing at least one more label", () => {
  test("one extra label matches", () => {
    expect(hostnameMatches("*.example.com", "test.example.com")).toBe(true);
  });

  test("several extra labels match", () => {
    expect(hostnameMatches("*.example.com", "foo.test.example.com")).toBe(true);
  });

  test("the bare suffix domain does not match", () => {
    expect(hostnameMatches("*.example.com", "example.com")).toBe(false);
  });

  test("a different domain does not match", () => {
    expect(hostnameMatches("*.example.com", "test.example.net")).toBe(false);
  });

  test("the suffix must end on a label boundary", () => {
    expect(hostnameMatches("*.example.com", "testexample.com")).toBe(false);
  });

  test("an empty extra label does not count as a label", () => {
    expect(hostnameMatches("*.example.com", ".example.com")).toBe(false);
  });
});

describe("hostnameMatches: the port in the Host header is ignored", () => {
  test("a port is stripped before a precise match", () => {
    expect(hostnameMatches("example.com", "example.com:8080")).toBe(true);
  });

  test("a port is stripped before a wildcard match", () => {
    expect(hostnameMatches("*.example.com", "api.example.com:443")).toBe(true);
  });

  test("stripping the port does not make the bare suffix match a wildcard", () => {
    expect(hostnameMatches("*.example.com", "example.com:80")).toBe(false);
  });

  test("a bracketed IPv6 host keeps its address when the port is stripped", () => {
    expect(hostnameMatches("foo.example.com", "[::1]:8080")).toBe(false);
    expect(hostnameMatches(undefined, "[::1]:8080")).toBe(true);
  });
});

describe("hostnameMatches: host names are case-insensitive", () => {
  test("an upper-case request host matches a precise hostname", () => {
    expect(hostnameMatches("example.com", "EXAMPLE.com")).toBe(true);
  });

  test("an upper-case request host matches a wildcard", () => {
    expect(hostnameMatches("*.example.com", "Foo.Example.COM:8443")).toBe(true);
  });
});
