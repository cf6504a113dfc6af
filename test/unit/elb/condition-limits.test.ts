/**
 * Values ALB refuses in rule conditions ("Condition types for listener rules" and the ELBv2 API
 * reference) are refused in the route's status before planning; the route's other rules carry on.
 */

import { describe, expect, test } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { conditionValueProblem } from "../../../shared/elb/condition-limits.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";
import { albGatewayManifests } from "../../fixtures/gateways.ts";
import { header, host, path, query } from "./builders.ts";

const refusal = (...c: Parameters<typeof conditionValueProblem>[0]) => conditionValueProblem(c, "here")?.message;

describe("condition value limits", () => {
  test("a host-header, path-pattern, http-header or query-string value of 128 characters is accepted", () => {
    const v = "a".repeat(128);
    expect(refusal(host(v), path(`/${v.slice(1)}`), header("X-A", v), query({ key: v, value: v }))).toBeUndefined();
  });

  test.each([
    ["host-header value", host(`${"a".repeat(125)}.com`)],
    ["path-pattern value", path(`/${"a".repeat(128)}`)],
    ["http-header X-A value value", header("X-A", "a".repeat(129))],
    ["query-string key", query({ key: "k".repeat(129), value: "v" })],
    ["query-string value", query({ key: "k", value: "v".repeat(129) })],
  ])("a %s over 128 characters is refused, naming the limit", (_, condition) => {
    expect(refusal(condition)).toMatch(/is 129 characters; ALB allows at most 128/);
  });

  test("an http-header name over 40 characters is refused", () => {
    expect(refusal(header(`X-${"h".repeat(39)}`, "v"))).toMatch(
      /http-header name 'X-h+' is 41 characters; .* at most 40/,
    );
  });

  test("a regexValue over 128 characters is refused", () => {
    expect(refusal({ field: "path-pattern", regexValues: [`/${"a".repeat(128)}`] })).toMatch(/regex .* at most 128/);
  });

  test.each([
    ["host-header", host("exa_mple.com"), "_"],
    ["path-pattern", path("/a%20b"), "%"],
    ["path-pattern", path("/a;b"), ";"],
    ["http-header value", header("X-A", "tab\there"), "\t"],
    ["query-string value", query({ key: "k", value: "é" }), "é"],
  ])("a %s character ALB does not allow is refused, naming it", (_, condition, bad) => {
    expect(refusal(condition)).toContain(`contains ${JSON.stringify(bad)}`);
  });

  test("the path characters ALB lists are accepted", () => {
    expect(refusal(path("/Az09_-.$/~\"'@:+&*?"))).toBeUndefined();
  });

  test("an http-header name that is not an RFC 7230 token is refused", () => {
    expect(refusal(header("X A", "v"))).toMatch(/not an RFC 7230 token/);
  });

  test.each([
    ["lookahead", "/(?=a)a"],
    ["negative lookbehind", "/(?<!a)b"],
    ["backreference", "/(a)\\1"],
    ["atomic group", "/(?>a+)b"],
    ["possessive quantifier", "/a*+b"],
    ["recursion", "/a(?R)?b"],
    ["Unicode class", "/\\p{L}+"],
  ])("a regex with a %s is refused, naming the construct", (construct, source) => {
    expect(refusal({ field: "path-pattern", regexValues: [source] })).toContain(`has no ${construct}`);
  });
});

const GATEWAY = `${albGatewayManifests()}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
`;

function translated(rules: string[]) {
  const loaded = loadManifests(
    `${GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  rules:
${rules.map((m) => `  - matches: [${m}]\n    backendRefs: [{name: web, port: 80}]`).join("\n")}
`,
    "limits.yaml",
  );
  expect(loaded.rejected).toEqual([]);
  const { loadBalancers, statuses } = translate(snapshotOf(loaded.objects), controllerConfig());
  const route = statuses.find((s) => s.kind === "HTTPRoute");
  const conditions = route && "parents" in route ? (route.parents[0]?.conditions ?? []) : [];
  const paths = loadBalancers[0]?.model.listeners[0]?.rules.map((r) => r.conditions) ?? [];
  return {
    conditions,
    paths: paths.flat().flatMap((c) => (c.field === "path-pattern" ? (c.values ?? c.regexValues ?? []) : [])),
  };
}

describe("a value ALB refuses, in translation", () => {
  test("leaves its rule out and reports the route PartiallyInvalid, the other rules programmed", () => {
    const { conditions, paths } = translated([
      "{path: {type: PathPrefix, value: /ok}}",
      "{path: {type: RegularExpression, value: '/(?!admin).*'}}",
    ]);
    expect(paths).toEqual(["/ok", "/ok/*"]);
    expect(conditions.find((c) => c.type === "Accepted")).toMatchObject({ status: "True" });
    expect(conditions.find((c) => c.type === "PartiallyInvalid")).toMatchObject({
      status: "True",
      reason: "UnsupportedValue",
      message: expect.stringContaining("spec.rules[1].matches[0]: path-pattern regex '/(?!admin).*'"),
    });
  });

  test("is reported alongside any other match left out of the same route", () => {
    const { conditions } = translated([
      "{path: {type: PathPrefix, value: /h}, headers: [{name: X-A, value: abc}]}",
      "{path: {type: PathPrefix, value: /h}, headers: [{name: X-A, value: ABC}]}",
      "{path: {type: Exact, value: '/a;b'}}",
    ]);
    const partial = conditions.find((c) => c.type === "PartiallyInvalid");
    expect(partial?.message).toContain("spec.rules[2].matches[0]: path-pattern value '/a;b'");
    expect(partial?.message).toContain("without regard to case");
  });

  test("refuses the route when every rule has such a value", () => {
    const { conditions, paths } = translated([`{path: {type: Exact, value: /${"a".repeat(128)}}}`]);
    expect(paths).toEqual([]);
    expect(conditions.find((c) => c.type === "Accepted")).toMatchObject({
      status: "False",
      reason: "UnsupportedValue",
      message: expect.stringContaining("ALB allows at most 128"),
    });
  });
});
