/**
 * Rule transforms applied to forwarded requests. Tests marked with a page title take their
 * example from that AWS documentation page.
 */
import { describe, expect, test } from "vitest";
import { evaluateListener } from "../../../shared/elb/evaluate.ts";
import type { RuleTransform } from "../../../shared/elb/rules.ts";
import { NOT_FOUND, path, request, rule } from "./builders.ts";

const urlRewrite = (...rewrites: { regex: string; replace: string }[]): RuleTransform => ({
  type: "url-rewrite",
  rewrites,
});
const hostRewrite = (...rewrites: { regex: string; replace: string }[]): RuleTransform => ({
  type: "host-header-rewrite",
  rewrites,
});

function forwarded(transforms: RuleTransform[], req = request()) {
  return evaluateListener([rule(1, [], undefined, transforms)], [NOT_FOUND], req);
}

describe("host-header-rewrite", () => {
  // Transforms for listener rules: "^mywebsite-(.+).com$" → "internal.dev.$1.myweb.com"
  test("mywebsite-example.com becomes internal.dev.example.myweb.com", () => {
    const transform = hostRewrite({ regex: "^mywebsite-(.+).com$", replace: "internal.dev.$1.myweb.com" });
    expect(forwarded([transform], request({ host: "mywebsite-example.com", path: "/project-a" }))).toMatchObject({
      request: { host: "internal.dev.example.myweb.com", path: "/project-a" },
    });
  });

  // Transforms for listener rules: with no pattern match the original request is sent
  test("a host that does not match is forwarded unchanged", () => {
    const transform = hostRewrite({ regex: "^mywebsite-(.+).com$", replace: "internal.dev.$1.myweb.com" });
    expect(forwarded([transform], request({ host: "other.org" }))).toMatchObject({ request: { host: "other.org" } });
  });

  // Transforms for listener rules: a matching transform that fails returns HTTP 500
  test("a rewrite to an empty host fails with 500", () => {
    expect(forwarded([hostRewrite({ regex: ".*", replace: "" })])).toEqual({
      kind: "fixed-response",
      rulePriority: 1,
      statusCode: 500,
    });
  });
});

describe("url-rewrite", () => {
  // AWS Load Balancer Controller (kubernetes-sigs/aws-load-balancer-controller#4396) transform example
  test("^\\/api\\/(.+)$ → /$1 strips the /api prefix", () => {
    expect(
      forwarded([urlRewrite({ regex: "^\\/api\\/(.+)$", replace: "/$1" })], request({ path: "/api/users" })),
    ).toMatchObject({
      request: { path: "/users" },
    });
  });

  test("the rewrite sees the query string and may produce one", () => {
    const transform = urlRewrite({ regex: "^/dp/([A-Za-z0-9]+)\\?ref=(.*)$", replace: "/product?id=$1&from=$2" });
    expect(forwarded([transform], request({ path: "/dp/B01", query: "ref=home" }))).toMatchObject({
      request: { path: "/product", query: "id=B01&from=home" },
    });
  });

  test("a rewrite may drop the query string", () => {
    expect(forwarded([urlRewrite({ regex: "\\?.*$", replace: "" })], request({ path: "/a", query: "b=c" }))).toEqual(
      expect.objectContaining({ request: { host: "example.com", path: "/a" } }),
    );
  });

  test("an unanchored regex replaces only the matched part", () => {
    expect(forwarded([urlRewrite({ regex: "v1", replace: "v2" })], request({ path: "/api/v1/v1" }))).toMatchObject({
      request: { path: "/api/v2/v1" },
    });
  });

  test("the first rewrite whose regex matches is the one applied", () => {
    const transform = urlRewrite(
      { regex: "^/nope", replace: "/x" },
      { regex: "^/a", replace: "/b" },
      { regex: "^/a", replace: "/c" },
    );
    expect(forwarded([transform], request({ path: "/a" }))).toMatchObject({ request: { path: "/b" } });
  });

  // RewriteConfig: capture groups are referenced as $1, $2
  test("$$ is a literal dollar and an unmatched group expands to nothing", () => {
    const transform = urlRewrite({ regex: "^/(a)(x)?$", replace: "/$1$2$$" });
    expect(forwarded([transform], request({ path: "/a" }))).toMatchObject({ request: { path: "/a$" } });
  });

  test("a rewritten URL that no longer starts with / fails with 500", () => {
    expect(forwarded([urlRewrite({ regex: "^/", replace: "" })], request({ path: "/a" }))).toMatchObject({
      kind: "fixed-response",
      statusCode: 500,
    });
  });

  // Transforms for listener rules: rewriting does not change the routing decision
  test("the rule that matched the original path still forwards the rewritten request", () => {
    const rules = [
      rule(1, [path("/old/*")], undefined, [urlRewrite({ regex: "^/old/", replace: "/new/" })]),
      rule(2, [path("/new/*")]),
    ];
    expect(evaluateListener(rules, [NOT_FOUND], request({ path: "/old/page" }))).toMatchObject({
      rulePriority: 1,
      targetGroups: [{ targetGroupId: "tg-1" }],
      request: { path: "/new/page" },
    });
  });

  test("host and URL rewrites of one rule both apply", () => {
    const transforms = [
      hostRewrite({ regex: "^example\\.com$", replace: "backend.internal" }),
      urlRewrite({ regex: "^/$", replace: "/index.html" }),
    ];
    expect(forwarded(transforms)).toMatchObject({ request: { host: "backend.internal", path: "/index.html" } });
  });
});
