/**
 * Listener rule conditions, one behaviour per test. Tests marked with a page title take their
 * example from that AWS documentation page.
 */
import { describe, expect, test } from "vitest";
import { conditionMatches } from "../../../shared/elb/evaluate.ts";
import type { RuleCondition } from "../../../shared/elb/rules.ts";
import { header, host, method, path, query, request, sourceIp } from "./builders.ts";

describe("host-header", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "Host Conditions")
  test("*.example.com matches test.example.com", () => {
    expect(conditionMatches(host("*.example.com"), request({ host: "test.example.com" }))).toBe(true);
  });

  // Listeners for Your Application Load Balancers (ALB user guide, "Host Conditions")
  test("*.example.com does not match example.com", () => {
    expect(conditionMatches(host("*.example.com"), request({ host: "example.com" }))).toBe(false);
  });

  // HostHeaderConditionConfig: the comparison is case insensitive
  test("the comparison ignores case", () => {
    expect(conditionMatches(host("Example.COM"), request({ host: "eXample.com" }))).toBe(true);
  });

  test("? matches exactly one character", () => {
    const condition = host("api?.example.com");
    expect(conditionMatches(condition, request({ host: "api1.example.com" }))).toBe(true);
    expect(conditionMatches(condition, request({ host: "api.example.com" }))).toBe(false);
    expect(conditionMatches(condition, request({ host: "api12.example.com" }))).toBe(false);
  });

  test("* matches across dots, so one wildcard covers several labels", () => {
    expect(conditionMatches(host("*.example.com"), request({ host: "a.b.example.com" }))).toBe(true);
  });

  test("glob values compare with the host name, without the Host header's port", () => {
    expect(conditionMatches(host("example.com"), request({ host: "example.com:8443" }))).toBe(true);
  });

  // HostHeaderConditionConfig: the condition holds if one of the strings matches
  test("values are alternatives", () => {
    const condition = host("a.example.com", "b.example.com");
    expect(conditionMatches(condition, request({ host: "b.example.com" }))).toBe(true);
    expect(conditionMatches(condition, request({ host: "c.example.com" }))).toBe(false);
  });

  test("regex values see the Host header with its port", () => {
    const condition: RuleCondition = { field: "host-header", regexValues: ["example\\.com:8443"] };
    expect(conditionMatches(condition, request({ host: "example.com:8443" }))).toBe(true);
    expect(conditionMatches(condition, request({ host: "example.com" }))).toBe(false);
  });

  test("a regex value must match the whole host", () => {
    expect(conditionMatches({ field: "host-header", regexValues: ["example"] }, request({ host: "example.com" }))).toBe(
      false,
    );
  });

  test("a condition with no values never holds", () => {
    expect(conditionMatches({ field: "host-header" }, request())).toBe(false);
  });
});

describe("path-pattern", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "Path Conditions")
  test("/img/* matches /img/picture.jpg", () => {
    expect(conditionMatches(path("/img/*"), request({ path: "/img/picture.jpg" }))).toBe(true);
  });

  // PathPatternConditionConfig: the comparison is case sensitive
  test("the comparison is case-sensitive", () => {
    expect(conditionMatches(path("/IMG/*"), request({ path: "/img/picture.jpg" }))).toBe(false);
  });

  // PathPatternConditionConfig: compared only to the path of the URL, not to its query string
  test("the pattern sees the path only, never the query string", () => {
    expect(conditionMatches(path("/search"), request({ path: "/search", query: "q=shoes" }))).toBe(true);
    expect(conditionMatches(path("/search*shoes"), request({ path: "/search", query: "q=shoes" }))).toBe(false);
  });

  test("* spans path segments", () => {
    expect(conditionMatches(path("/api/*"), request({ path: "/api/v1/users/7" }))).toBe(true);
  });

  test("? matches exactly one character", () => {
    expect(conditionMatches(path("/v?/x"), request({ path: "/v1/x" }))).toBe(true);
    expect(conditionMatches(path("/v?/x"), request({ path: "/v10/x" }))).toBe(false);
  });

  test("a pattern without wildcards is an exact match", () => {
    expect(conditionMatches(path("/api"), request({ path: "/api/" }))).toBe(false);
  });

  test("a regex value must match the whole path", () => {
    const condition: RuleCondition = { field: "path-pattern", regexValues: ["/api/v[0-9]+"] };
    expect(conditionMatches(condition, request({ path: "/api/v2" }))).toBe(true);
    expect(conditionMatches(condition, request({ path: "/api/v2/x" }))).toBe(false);
  });

  // Listener rules for your Application Load Balancer: rule regexes support no lookaheads
  test("a regex using an unsupported feature never matches", () => {
    expect(conditionMatches({ field: "path-pattern", regexValues: ["/(?=a).*"] }, request({ path: "/a" }))).toBe(false);
  });

  test("a leading (?i) makes a regex case-insensitive", () => {
    expect(conditionMatches({ field: "path-pattern", regexValues: ["(?i)/api/.*"] }, request({ path: "/API/x" }))).toBe(
      true,
    );
  });
});

describe("http-header", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "HTTP Header Conditions")
  test("User-Agent *Chrome* or *Safari* matches a Chrome user agent and not Firefox", () => {
    const condition = header("User-Agent", "*Chrome*", "*Safari*");
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0";
    expect(conditionMatches(condition, request({ headers: { "User-Agent": chrome } }))).toBe(true);
    expect(conditionMatches(condition, request({ headers: { "User-Agent": "Mozilla/5.0 Firefox/121.0" } }))).toBe(
      false,
    );
  });

  // HttpHeaderConditionConfig: the header name is case insensitive
  test("the header name is case-insensitive", () => {
    expect(conditionMatches(header("x-env", "prod"), request({ headers: { "X-ENV": "prod" } }))).toBe(true);
  });

  // HttpHeaderConditionConfig: the comparison strings are case insensitive
  test("values compare case-insensitively", () => {
    expect(conditionMatches(header("X-Env", "PROD"), request({ headers: { "X-Env": "prod" } }))).toBe(true);
  });

  // HttpHeaderConditionConfig: a repeated header is searched in order until a match is found
  test("every occurrence of a repeated header is tried", () => {
    expect(conditionMatches(header("X-Env", "canary"), request({ headers: { "X-Env": ["prod", "canary"] } }))).toBe(
      true,
    );
  });

  test("a comma-separated header is one value, not a list", () => {
    const headers = { "Accept-Encoding": "gzip, br" };
    expect(conditionMatches(header("Accept-Encoding", "gzip"), request({ headers }))).toBe(false);
    expect(conditionMatches(header("Accept-Encoding", "*gzip*"), request({ headers }))).toBe(true);
  });

  test("an absent header fails the condition, even against *", () => {
    expect(conditionMatches(header("X-Env", "*"), request({ headers: {} }))).toBe(false);
  });

  test("a backslash in a header value pattern is literal", () => {
    expect(conditionMatches(header("X-Path", "a\\*"), request({ headers: { "X-Path": "a\\bc" } }))).toBe(true);
  });
});

describe("http-request-method", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "HTTP Request Method Conditions")
  test("a custom method matches exactly", () => {
    expect(conditionMatches(method("CUSTOM-METHOD"), request({ method: "CUSTOM-METHOD" }))).toBe(true);
  });

  // HttpRequestMethodConditionConfig: the comparison is case sensitive
  test("the comparison is case-sensitive", () => {
    expect(conditionMatches(method("GET"), request({ method: "get" }))).toBe(false);
  });

  // HttpRequestMethodConditionConfig: wildcards are not supported
  test("* is not a wildcard", () => {
    expect(conditionMatches(method("G*"), request({ method: "GET" }))).toBe(false);
  });
});

describe("query-string", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "Query String Conditions")
  test("version=v1 or any key set to example", () => {
    const condition = query({ key: "version", value: "v1" }, { value: "example" });
    expect(conditionMatches(condition, request({ query: "version=v1" }))).toBe(true);
    expect(conditionMatches(condition, request({ query: "color=example" }))).toBe(true);
    expect(conditionMatches(condition, request({ query: "version=v2" }))).toBe(false);
  });

  // QueryStringConditionConfig: the comparison is case insensitive
  test("keys and values compare case-insensitively", () => {
    expect(conditionMatches(query({ key: "version", value: "v1" }), request({ query: "VERSION=V1" }))).toBe(true);
  });

  test("parameters are compared percent-decoded", () => {
    expect(
      conditionMatches(query({ key: "name", value: "hello world" }), request({ query: "name=hello%20world" })),
    ).toBe(true);
  });

  // QueryStringConditionConfig: escape a literal '*' or '?' with '\'
  test("\\* is a literal star", () => {
    const condition = query({ key: "q", value: "a\\*" });
    expect(conditionMatches(condition, request({ query: "q=a*" }))).toBe(true);
    expect(conditionMatches(condition, request({ query: "q=ab" }))).toBe(false);
  });

  test("values may use wildcards", () => {
    expect(conditionMatches(query({ key: "v", value: "1.*" }), request({ query: "a=b&v=1.42" }))).toBe(true);
  });

  test("a parameter without = is a key with an empty value", () => {
    expect(conditionMatches(query({ key: "debug", value: "" }), request({ query: "debug" }))).toBe(true);
    expect(conditionMatches(query({ value: "debug" }), request({ query: "debug" }))).toBe(false);
  });

  test("a request without a query string fails the condition", () => {
    expect(conditionMatches(query({ value: "*" }), request())).toBe(false);
  });
});

describe("source-ip", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "Source IP Address Conditions")
  test("192.0.2.0/24 or 198.51.100.10/32", () => {
    const condition = sourceIp("192.0.2.0/24", "198.51.100.10/32");
    expect(conditionMatches(condition, request({ sourceIp: "192.0.2.77" }))).toBe(true);
    expect(conditionMatches(condition, request({ sourceIp: "198.51.100.10" }))).toBe(true);
    expect(conditionMatches(condition, request({ sourceIp: "198.51.100.11" }))).toBe(false);
  });

  // SourceIpConditionConfig: both IPv4 and IPv6 addresses
  test("IPv6 blocks contain IPv6 clients", () => {
    const condition = sourceIp("2001:db8::/32");
    expect(conditionMatches(condition, request({ sourceIp: "2001:db8:1::5" }))).toBe(true);
    expect(conditionMatches(condition, request({ sourceIp: "2001:db9::1" }))).toBe(false);
  });

  test("an IPv4 client is never inside an IPv6 block", () => {
    expect(conditionMatches(sourceIp("::/0"), request({ sourceIp: "192.0.2.1" }))).toBe(false);
  });

  // SourceIpConditionConfig: not satisfied by the addresses in X-Forwarded-For
  test("X-Forwarded-For is not the source address", () => {
    const forwarded = request({ sourceIp: "203.0.113.9", headers: { "X-Forwarded-For": "192.0.2.5" } });
    expect(conditionMatches(sourceIp("192.0.2.0/24"), forwarded)).toBe(false);
  });

  test("a request without a source address fails the condition", () => {
    expect(conditionMatches(sourceIp("0.0.0.0/0"), request())).toBe(false);
  });
});
