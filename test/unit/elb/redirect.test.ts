/**
 * Redirect actions and the Location they produce. Tests marked with a page title take their
 * example from that AWS documentation page.
 */
import { describe, expect, test } from "vitest";
import { evaluateListener } from "../../../shared/elb/evaluate.ts";
import type { RedirectAction } from "../../../shared/elb/rules.ts";
import { NOT_FOUND, request, rule } from "./builders.ts";

const http = request({ scheme: "http", port: 80, host: "example.com", path: "/a/b", query: "x=1" });

function locationOf(action: Omit<RedirectAction, "type" | "statusCode">, req = http): string {
  const outcome = evaluateListener(
    [rule(1, [], [{ type: "redirect", statusCode: "HTTP_301", ...action }])],
    [NOT_FOUND],
    req,
  );
  if (outcome.kind !== "redirect") throw new Error(`expected a redirect, got ${outcome.kind}`);
  return outcome.location;
}

describe("redirect", () => {
  // Listeners for Your Application Load Balancers (ALB user guide, "Redirect Actions", CLI example)
  test("HTTP to HTTPS on 443 keeping host, path and query", () => {
    expect(locationOf({ protocol: "HTTPS", port: "443", host: "#{host}", path: "/#{path}", query: "#{query}" })).toBe(
      "https://example.com:443/a/b?x=1",
    );
  });

  // Listeners for Your Application Load Balancers (ALB user guide, "Redirect Actions", console example)
  test("HTTPS on port 40443 keeping host, path and query", () => {
    expect(locationOf({ protocol: "HTTPS", port: "40443" })).toBe("https://example.com:40443/a/b?x=1");
  });

  // Listeners for Your Application Load Balancers (ALB user guide, "Redirect Actions", console example)
  test("#{protocol}://#{host}:#{port}/new/#{path}?#{query}", () => {
    expect(locationOf({ path: "/new/#{path}" })).toBe("http://example.com:80/new/a/b?x=1");
  });

  // RedirectActionConfig: host "example.#{host}" and query "#{query}&value=xyz"
  test("reserved keys compose with literal text", () => {
    expect(locationOf({ host: "example.#{host}", query: "#{query}&value=xyz" })).toBe(
      "http://example.example.com:80/a/b?x=1&value=xyz",
    );
  });

  // RedirectActionConfig: components that are not modified retain their original values
  test("omitted components keep the request's values", () => {
    expect(locationOf({ host: "www.example.org" })).toBe("http://www.example.org:80/a/b?x=1");
  });

  // RedirectActionConfig: #{path} is the path with its leading "/" removed
  test("#{path} drops the leading slash", () => {
    expect(locationOf({ path: "/v2/#{path}" })).toBe("http://example.com:80/v2/a/b?x=1");
  });

  // RedirectActionConfig: the leading "?" is added automatically
  test("an empty query leaves no ? behind", () => {
    expect(locationOf({ protocol: "HTTPS", port: "443" }, request({ scheme: "http", port: 80, path: "/" }))).toBe(
      "https://example.com:443/",
    );
  });

  test("an explicitly empty query drops the request's query", () => {
    expect(locationOf({ query: "" })).toBe("http://example.com:80/a/b");
  });

  test("#{host} is the host name without the Host header's port", () => {
    expect(locationOf({ protocol: "HTTPS", port: "8443" }, request({ host: "example.com:8080", path: "/" }))).toBe(
      "https://example.com:8443/",
    );
  });

  test("HTTP_302 is a temporary redirect", () => {
    const action: RedirectAction = { type: "redirect", statusCode: "HTTP_302", protocol: "HTTPS" };
    expect(evaluateListener([rule(1, [], [action])], [NOT_FOUND], http)).toMatchObject({
      kind: "redirect",
      statusCode: 302,
    });
  });

  test("a redirect uses the request as sent, not as a transform would rewrite it", () => {
    const action: RedirectAction = { type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS", port: "443" };
    const rewritePath = [{ type: "url-rewrite" as const, rewrites: [{ regex: "^/a/(.*)$", replace: "/z/$1" }] }];
    expect(evaluateListener([rule(1, [], [action], rewritePath)], [NOT_FOUND], http)).toMatchObject({
      location: "https://example.com:443/a/b?x=1",
    });
  });
});
